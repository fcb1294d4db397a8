"""Sources without ``power:`` beside powered ones: their 0 J pooled into device energy per task is said.

A new user's fleet of phones (with the quickstart's ``power:``) and Raspberry Pis (no ``power:``)
read ``device energy per task 33.90 mJ``, the Pis' tasks pooled in as 0 J, and ``pi ... 0.00 mJ``;
a comparison's table of the Pis read ``0.00 ± 0`` under every policy, a Δ of 0: "offloading saves
them nothing", where nothing was measured.  No line said so.  One note now does, under the run's,
the comparison's and the sweep's tables, and under a figure of energy.
"""

from __future__ import annotations

import json

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from offloadsim.cli import main
from offloadsim.experiments import read_results
from offloadsim.plots import plot_results
from offloadsim.scenario import load_scenario_text
from offloadsim.world import build_world
from offloadsim.world.notes.unpowered_sources import unpowered_line

SCENARIO = """
name: mixed
duration: 6 s
warmup: 0 s
nodes:
  phone:
    count: 2
    tier: device
    processor: {profile: cortex-a76}
    power: PHONE
  pi:
    count: 2
    tier: device
    processor: {profile: raspberry-pi-4}
PI_POWER
  edge: {tier: edge, processor: {profile: t4}}
links:
  - {between: [phone-*, edge], bandwidth: 50 Mbps, latency: 5 ms}
  - {between: [pi-*, edge], bandwidth: 50 Mbps, latency: 5 ms}
applications:
  detect: {model: mobilenet_v2, input: 20 KB, output: 1 KB}
workload:
  - {app: detect, sources: [phone-*, pi-*], rate: 2 /s}
policy: edge
"""

PHONE = "{idle: 0.5 W, busy: 3.0 W, transmit: 1.3 W, receive: 1.0 W}"  # the quickstart's
LINE = unpowered_line(["nodes.pi"], ["nodes.phone"])


def _text(pi_power: str = "") -> str:
    pi = f"    power: {pi_power}\n" if pi_power else ""
    return SCENARIO.replace("PHONE", PHONE).replace("PI_POWER\n", pi)


def _said(text: str) -> list[str]:
    return [note for note in build_world(load_scenario_text(text)).notes if note.startswith("device energy")]


def test_said_where_some_sources_have_power_and_some_have_not():
    assert _said(_text()) == [LINE]
    assert "nodes.pi as 0 J" in LINE and "pooled with those of nodes.phone" in LINE
    # every source powered (even at a draw of nothing: it is measured, 0 J is its answer): nothing
    assert _said(_text("{idle: 1 W}")) == []
    assert _said(_text("{idle: 0 W}")) == []
    # none powered: the tables leave the energy out, as they did (the analysis note's case)
    assert _said(_text().replace(f"    power: {PHONE}\n", "")) == []


def test_a_node_without_power_that_is_no_source_is_not_named():
    text = _text().replace("sources: [phone-*, pi-*]", "sources: phone-*")
    assert _said(text) == []


def test_several_groups_are_each_named_and_many_counted():
    line = unpowered_line(["nodes.a", "nodes.b"], ["nodes.p"])
    assert "tasks of nodes.a, nodes.b as 0 J" in line and "their own read n/a (give each a power:" in line
    many = unpowered_line([f"nodes.n{i}" for i in range(5)], ["nodes.p"])
    assert "nodes.n0, nodes.n1, nodes.n2 and 2 more as 0 J" in many


def test_validate_does_not_say_it(tmp_path, capsys):
    path = tmp_path / "mixed.yaml"
    path.write_text(_text(), encoding="utf-8")
    assert main(["validate", str(path)]) == 0
    assert LINE not in capsys.readouterr().out


@pytest.fixture
def compared(tmp_path, capsys):
    path = tmp_path / "mixed.yaml"
    path.write_text(_text(), encoding="utf-8")
    assert main(["run", str(path), "--out", str(tmp_path / "run")]) == 0
    run_out = capsys.readouterr().out
    argv = ["compare", str(path), "--policies", "local,edge", "--replications", "2"]
    assert main([*argv, "--out", str(tmp_path / "cmp")]) == 0
    return tmp_path, run_out, capsys.readouterr().out


def test_run_and_compare_say_it_once_beside_the_zero_it_explains(compared):
    tmp_path, run_out, compare_out = compared
    assert run_out.count(LINE) == 1 and compare_out.count(LINE) == 1
    # what it explains: the Pis' tasks did count 0 J, and the pooled mean is below the phones'
    tasks = pd.read_parquet(tmp_path / "run" / "tasks.parquet")
    by_group = tasks.groupby("source_group").device_energy.mean()
    assert by_group["pi"] == 0.0 and by_group["phone"] > 0.0
    summary = json.loads((tmp_path / "run" / "summary.json").read_text(encoding="utf-8"))
    assert 0.0 < summary["device_energy_mean_j"] < by_group["phone"]
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text(encoding="utf-8"))
    assert LINE in manifest["notes"]


def test_an_energy_figure_says_it_a_latency_figure_does_not(compared):
    tmp_path = compared[0]
    results = read_results(tmp_path / "cmp")

    def note(**kw):
        fig = plot_results(results, "energy", **kw)
        text = " ".join(fig._supxlabel.get_text().split()) if fig._supxlabel else ""
        plt.close(fig)
        return text

    assert LINE in note()  # the fleet pooled
    assert LINE in note(where={"source_group": "pi"})
    fig = plot_results(results, "bars", metric="latency_mean_s")
    text = " ".join(fig._supxlabel.get_text().split()) if fig._supxlabel else ""
    plt.close(fig)
    assert LINE not in text  # a figure of latency: nothing of energy to qualify


def test_the_unpowered_group_row_says_not_measured_not_zero(compared):
    """The run's by-group row of the Pis read ``0.00 mJ`` and the comparison's Pi table 0.00 ± 0:
    no power: on them, their energy is not measured. The row says so; the table leaves it out."""
    _, run_out, compare_out = compared
    (pi_row,) = [line for line in run_out.splitlines() if line.startswith("  pi (")]
    assert pi_row.endswith("energy n/a (no power: on its sources)"), pi_row
    (phone_row,) = [line for line in run_out.splitlines() if line.startswith("  phone (")]
    assert phone_row.endswith(" mJ"), phone_row  # the powered group's energy as before
    pi_table = compare_out.split("source group pi\n", 1)[1].split("\nnote:", 1)[0]
    assert "deadline misses (%)" in pi_table and "device energy per task (" not in pi_table, pi_table
