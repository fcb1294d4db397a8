"""Every figure kind renders headless to PDF + PNG, with data and units, and no global state touched."""

from __future__ import annotations

import re

import matplotlib
import pytest
from matplotlib.figure import Figure

from offloadsim import plots
from offloadsim.experiments import compare, read_results, sweep

UNIT = re.compile(r"\((ms|s|%|mJ|J|MB|count|tasks/s|Mbit/s|0–1)\)")


@pytest.fixture(scope="module")
def sweep_results(tmp_path_factory):
    from experiment_data import SWEEP, TINY

    folder = tmp_path_factory.mktemp("plots")
    (folder / "tiny.yaml").write_text(TINY, encoding="utf-8")
    (folder / "sweep.yaml").write_text(SWEEP, encoding="utf-8")
    sweep(folder / "sweep.yaml", out=folder / "sweep", workers=1)
    return read_results(folder / "sweep")


@pytest.fixture(scope="module")
def compare_results(tmp_path_factory):
    from experiment_data import TINY

    folder = tmp_path_factory.mktemp("plots-compare")
    (folder / "tiny.yaml").write_text(TINY, encoding="utf-8")
    compare(folder / "tiny.yaml", ["local", "edge"], 2, workers=1, out=folder / "cmp")
    return read_results(folder / "cmp")


# Which axes carry a quantity (and so a unit); the others are categories (policies, nodes, tasks).
QUANTITATIVE = {
    "cdf": "xy",
    "bars": "y",
    "sweep": "xy",
    "split": "xy",
    "energy": "xy",
    "utilisation": "y",
    "utilisation-time": "xy",
    "timeline": "x",
}


def check_figure(fig: Figure, tmp_path, name: str) -> None:
    ax = fig.axes[0]
    assert ax.lines or ax.patches or ax.collections, "nothing drawn"
    for label in (ax.get_xlabel(), ax.get_ylabel()):
        assert label, "every axis is labelled"
    for axis in QUANTITATIVE[name]:
        label = ax.get_xlabel() if axis == "x" else ax.get_ylabel()
        assert UNIT.search(label), f"no unit in {axis} label {label!r}"
    files = plots.save_figure(fig, tmp_path / name)
    assert [f.suffix for f in files] == [".pdf", ".png"]
    for file in files:
        assert file.stat().st_size > 5_000, f"{file.name} looks empty"
        assert file.read_bytes()[:4] in (b"%PDF", b"\x89PNG")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "temporary files left behind"


@pytest.mark.parametrize("kind", plots.KINDS)
def test_every_kind_renders_from_a_sweep(sweep_results, kind, tmp_path):
    before = dict(matplotlib.rcParams)
    fig = plots.plot_results(sweep_results, kind)
    check_figure(fig, tmp_path, kind)
    assert dict(matplotlib.rcParams) == before, "the house style must not leak into global rcParams"


@pytest.mark.parametrize("kind", ["cdf", "bars", "energy", "utilisation", "utilisation-time", "timeline"])
def test_every_kind_renders_from_a_compare(compare_results, kind, tmp_path):
    check_figure(plots.plot_results(compare_results, kind), tmp_path, kind)


def test_sweep_figures_have_a_numeric_axis_in_display_units(sweep_results):
    ax = plots.plot_results(sweep_results, "sweep", metric="latency_p95_s").axes[0]
    assert ax.get_xlabel() == "links[0].bandwidth (Mbit/s)"
    assert ax.get_ylabel() == "p95 latency (ms)"
    assert sorted(ax.lines[0].get_xdata()) == [5.0, 50.0]
    assert {t.get_text() for t in ax.get_legend().get_texts()} == {"local", "edge"}
    assert len(ax.collections) == 2  # one CI band per policy


def test_split_figure_counts_layers_on_the_device(sweep_results):
    ax = plots.plot_results(sweep_results, "split").axes[0]
    assert ax.get_ylabel() == "layers run on the device (count)"
    local = next(line for line in ax.lines if line.get_label() == "local")
    edge = next(line for line in ax.lines if line.get_label() == "edge")
    assert min(local.get_ydata()) >= 1 and max(edge.get_ydata()) == 0


def test_where_filters_rows(sweep_results):
    fig = plots.plot_results(sweep_results, "cdf", where={"links[0].bandwidth": "5 Mbps"})
    assert len(fig.axes[0].lines) == 2


def test_chart_functions_draw_on_a_given_axes(compare_results):
    fig, ax = plots.new_axes("two-column")
    assert fig.get_size_inches().tolist() == [7.16, 2.8]
    returned = plots.latency_cdf(compare_results.tasks, ax=ax)
    assert returned is ax and len(ax.lines) == 2
    assert ax.xaxis.label.get_fontfamily()[0] == "serif"


def test_palette_is_okabe_ito_and_stable_per_name():
    styles = plots.style_map(["local", "edge", "local", "cloud"])
    assert list(styles) == ["local", "edge", "cloud"]
    assert styles["local"]["color"] == plots.OKABE_ITO["blue"]
    assert len(set(plots.PALETTE)) == 8


def test_a_sweep_figure_of_a_compare_directory_is_a_clear_error(compare_results):
    from offloadsim.experiments import ExperimentError

    with pytest.raises(ExperimentError, match="needs a sweep"):
        plots.plot_results(compare_results, "sweep")


@pytest.mark.parametrize("kind", ["cdf", "bars", "energy", "utilisation", "utilisation-time", "timeline"])
def test_a_single_run_directory_can_be_plotted(tiny, kind, tmp_path):
    from offloadsim.api import run

    run(tiny, policy="edge", out=tmp_path / "run")
    fig = plots.plot_results(read_results(tmp_path / "run"), kind)
    check_figure(fig, tmp_path, kind)


def test_timeline_from_recorded_stages_draws_each_stage_where_it_happened(tmp_path):
    from experiment_data import TINY

    import offloadsim

    (tmp_path / "tiny.yaml").write_text(TINY, encoding="utf-8")
    offloadsim.run(tmp_path / "tiny.yaml", policy="edge", stages=True, out=tmp_path / "run")
    results = read_results(tmp_path / "run")
    assert results.stages is not None and len(results.stages) > 0
    fig = plots.plot_results(results, "timeline")
    check_figure(fig, tmp_path, "timeline")
    ax = fig.axes[0]
    # Every bar ends within its task's latency: stages are drawn from each task's own arrival.
    ends = [p.get_x() + p.get_width() for p in ax.patches]
    longest = results.tasks["latency"].max() * 1e3
    assert max(ends) <= longest * (1 + 1e-9)
    assert min(p.get_x() for p in ax.patches) >= 0.0
