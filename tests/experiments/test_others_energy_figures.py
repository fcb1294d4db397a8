"""A powered server's energy on figures (HC35's trial): the energy figure says it draws the sources'
energy only and where the rest is; the bars of other devices' energy read in a unit their size asks."""

from __future__ import annotations

import pytest

from offloadsim.experiments import compare, read_results
from offloadsim.plots import plot_results


@pytest.fixture(scope="module")
def powered(tmp_path_factory):
    from experiment_data import TINY

    folder = tmp_path_factory.mktemp("powered-edge")
    text = TINY.replace(
        "edge: {tier: edge, processor: {speed: 40 GFLOP/s, cores: 1}}",
        "edge: {tier: edge, processor: {speed: 40 GFLOP/s, cores: 1}, power: {idle: 10 W, busy: 2000 W}}",
    )
    assert text != TINY
    (folder / "tiny.yaml").write_text(text, encoding="utf-8")
    compare(folder / "tiny.yaml", ["local", "edge"], 2, workers=1, out=folder / "cmp")
    return read_results(folder / "cmp")


def _notes(fig) -> str:
    return " ".join(" ".join(t.get_text() for t in fig.texts).split())


def test_the_energy_figure_says_the_servers_energy_is_elsewhere(powered):
    assert (powered.metrics["other_device_energy_mean_j"] > 0).any()
    note = _notes(plot_results(powered, "energy"))
    assert "the source devices' own per task" in note
    assert "--kind bars --metric other_device_energy_mean_j" in note


def test_other_devices_energy_bars_read_in_joules_not_tens_of_thousands_of_mj(powered):
    fig = plot_results(powered, "bars", metric="other_device_energy_mean_j")
    ax = fig.axes[0]
    assert ax.get_ylabel().replace("\n", " ").endswith("(J)"), ax.get_ylabel()
    top = max(bar.get_height() for bar in ax.patches)
    assert 1 <= top < 10_000
