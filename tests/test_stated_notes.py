"""A run says where the numbers it rests on come from when the scenario states them itself.

A new user's run on phones at a plain ``speed:`` said nothing of that number's source, where a
profile's rate is a data sheet's or a calibration's; and the shipped ``power:`` values are
illustrative (docs/scenario-format.md, "Where the shipped power values come from"), while a run's
table, its manifest and its energy figures gave device energy without a word of it.  One line
each, once per run, comparison or sweep, in the manifests' notes, and under the figures that
carry the world's notes (the power one under energy figures only).
"""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib.pyplot as plt
import pytest

from offloadsim.cli import main
from offloadsim.experiments import read_results
from offloadsim.plots import plot_results
from offloadsim.scenario import load_scenario, load_scenario_text
from offloadsim.scenario.model import PolicySpec
from offloadsim.world import build_world

SCENARIO = """
name: stated
duration: 4 s
warmup: 0 s
nodes:
  phone:
    count: 2
    tier: device
    processor: {speed: 20 GFLOP/s}
    power: POWER
  edge: {tier: edge, processor: EDGE}
links:
  - {between: [phone-*, edge], bandwidth: 50 Mbps, latency: 5 ms}
applications:
  detect: {model: mobilenet_v2, input: 20 KB, output: 1 KB}
workload:
  - {app: detect, sources: phone-*, rate: 2 /s}
policy: local
"""

PHONE = "{idle: 0.5 W, busy: 3.0 W, transmit: 1.3 W, receive: 1.0 W}"  # the quickstart's
SPEED_DOC = "(docs/profiles.md#hardware-without-a-profile-an-npu-an-fpga-a-phone-gpu)"
POWER_DOC = "(docs/scenario-format.md#where-the-shipped-power-values-come-from)"
ROOT = Path(__file__).resolve().parents[1]
PHONE_SPEED = (
    "nodes.phone.processor.speed (20 GFLOP/s): the scenario's own figure, with no profile or stated "
    f"source behind it {SPEED_DOC}"
)


def _text(power: str = PHONE, edge: str = "{profile: t4}") -> str:
    return SCENARIO.replace("POWER", power).replace("EDGE", edge)


def _notes(text: str, **each: PolicySpec) -> list[str]:
    world = build_world(load_scenario_text(text))
    return list(world.notes_under_each(each) if each else world.notes)


def _said(notes: list[str], doc: str) -> list[str]:
    return [note for note in notes if note.endswith(doc)]


def test_a_plain_speed_the_policy_may_place_on_is_said_to_be_the_scenarios_own():
    assert _said(_notes(_text()), SPEED_DOC) == [PHONE_SPEED]
    # an edge server at a plain speed that local never uses is not named; under edge it is too
    edge = _text(edge="{speed: 1 TFLOP/s}")
    assert _said(_notes(edge), SPEED_DOC) == [PHONE_SPEED]
    fixed = PolicySpec("fixed", {"node": "edge"})
    (both,) = _said(_notes(edge, local=PolicySpec("local"), fixed=fixed), SPEED_DOC)
    assert both.startswith(
        "nodes.phone.processor.speed (20 GFLOP/s) (under local only), "
        "nodes.edge.processor.speed (1 TFLOP/s) (under fixed only): the scenario's own figures"
    )
    # profiles only: nothing to say
    profiled = _text().replace("{speed: 20 GFLOP/s}", "{profile: cortex-a76}")
    assert _said(_notes(profiled), SPEED_DOC) == []


def test_the_power_values_are_said_illustrative_where_they_are_the_shipped_ones():
    assert _said(_notes(_text()), POWER_DOC) == [
        "energy rests on nodes.phone.power, the shipped illustrative values, not a measured device's "
        + POWER_DOC
    ]
    own = "{idle: 0.7 W, busy: 4.1 W, transmit: 1.3 W, receive: 1.0 W}"
    assert _said(_notes(_text(own)), POWER_DOC) == [
        f"energy rests on nodes.phone.power, the scenario's own values, no source stated {POWER_DOC}"
    ]
    unpowered = SCENARIO.replace("    power: POWER\n", "").replace("EDGE", "{profile: t4}")
    assert _said(_notes(unpowered), POWER_DOC) == []
    assert _said(_notes(_text("{idle: 0 W}")), POWER_DOC) == []  # draws nothing: no energy to qualify


POWERED = [p for p in sorted((ROOT / "scenarios").glob("*.yaml")) if "\n    power:" in p.read_text()]


@pytest.mark.parametrize("path", POWERED, ids=lambda p: p.stem)
def test_every_shipped_power_value_is_one_the_docs_table_describes(path):
    """The note calls the shipped values illustrative by matching them: a changed one would be 'own'."""
    (note,) = _said(list(build_world(load_scenario(str(path))).notes), POWER_DOC)
    assert "the scenario's own" not in note and "illustrative" in note


def test_run_compare_and_sweep_say_each_once_and_keep_them_for_the_figures(tmp_path, capsys):
    base = tmp_path / "stated.yaml"
    base.write_text(_text(), encoding="utf-8")
    assert main(["run", str(base), "--out", str(tmp_path / "run")]) == 0
    out = capsys.readouterr().out
    assert out.count("the scenario's own figure") == 1 and out.count("energy rests on") == 1
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text(encoding="utf-8"))
    assert PHONE_SPEED in manifest["notes"]
    argv = ["compare", str(base), "--policies", "local,edge", "--replications", "1", "--out"]
    assert main([*argv, str(tmp_path / "cmp")]) == 0
    out = capsys.readouterr().out
    assert out.count("the scenario's own figure") == 1 and out.count("energy rests on") == 1
    manifest = json.loads((tmp_path / "cmp" / "manifest.json").read_text(encoding="utf-8"))
    rows = {row["note"][:40]: row for row in manifest["precision_notes"]}
    # every policy may run the phones, but edge's runs computed all on the edge: said of local's,
    # as the table says it
    # the nodes it is the speed of (a figure of the edge's leaves it out): every phone, said as their group
    phones = ["phone"]
    speed = {"key": "nodes.phone.processor.speed", "flops": [20e9], "under": ["local"], "nodes": phones}
    of_local = PHONE_SPEED.replace("(20 GFLOP/s)", "(20 GFLOP/s) (under local only)")
    assert of_local in manifest["notes"]
    assert rows[PHONE_SPEED[:40]] == {
        "note": of_local,
        "kind": "plain-speed",
        "facts": {
            "speeds": [speed],
            "nodes": phones,
            "node_groups": {"phone": 2},
            "under": ["local"],
            "each": {"local": PHONE_SPEED},
        },
    }
    (power,) = [row for row in manifest["precision_notes"] if row["note"].endswith(POWER_DOC)]
    assert power["about"] == "energy"
    results = read_results(tmp_path / "cmp")
    for kind, metric, energy in (("bars", "latency_mean_s", False), ("energy", None, True)):
        fig = plot_results(results, kind, metric=metric)
        note = " ".join(fig._supxlabel.get_text().split()) if fig._supxlabel else ""
        plt.close(fig)
        assert of_local in note and (power["note"] in note) == energy


def test_a_sweeps_manifest_keeps_them_by_point(tmp_path):
    (tmp_path / "base.yaml").write_text(_text(edge="{speed: 1 TFLOP/s}"), encoding="utf-8")
    (tmp_path / "sweep.yaml").write_text(
        "name: s\nbase: base.yaml\ngrid:\n  links[0].bandwidth: [10 Mbps]\npolicies: [local, edge]\n",
        encoding="utf-8",
    )
    assert main(["sweep", str(tmp_path / "sweep.yaml"), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    rows = manifest["precision_notes"]
    speeds = {tuple(row["points"]): row["note"] for row in rows if row["note"].endswith(SPEED_DOC)}
    assert speeds[(0,)] == PHONE_SPEED  # local: the phones only
    # edge: its runs computed on the edge alone (its policy may place on the phones, and did not)
    assert speeds[(1,)].startswith("nodes.edge.processor.speed (1 TFLOP/s): the scenario's own figure,")
    # the table says one line, merged from the points' facts
    (table,) = [note for note in manifest["notes"] if note.endswith(SPEED_DOC)]
    assert table.startswith(
        "nodes.phone.processor.speed (20 GFLOP/s), nodes.edge.processor.speed (1 TFLOP/s): "
        "the scenario's own figures"
    )
