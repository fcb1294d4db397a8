"""The world's notes are registered providers, and the plain-speed note merges from its facts.

A kind of note is one module and one registration (offloadsim.world.notes.registry): registered
inside a test, a provider is said by ``validate`` and a run, kept in a comparison's manifest with
its kind and facts, and said under its figures, with nothing else edited.  The plain ``speed:``
note keeps its keys and speeds as facts, so that a sweep's points' lines merge into one (its table
and its figures) from them, naming every speed, where a figure matched the note's doc link and
said only that there were some.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import matplotlib.pyplot as plt
import pytest

from offloadsim.cli import main
from offloadsim.experiments import read_results
from offloadsim.plots import plot_results
from offloadsim.policies import Plan, register_policy
from offloadsim.policies.registry import unregister_policy
from offloadsim.world.notes.kept import said_under_figure
from offloadsim.world.notes.plain_speed import KIND as PLAIN_SPEED
from offloadsim.world.notes.plain_speed import merge_plain_speed
from offloadsim.world.notes.registry import Note, NoteContext, figure_notes, register_note, unregister_note

SCENARIO = """
name: noted
duration: 3 s
warmup: 0 s
nodes:
  phone: {count: 2, tier: device, processor: {speed: 20 GFLOP/s}}
  edge: {tier: edge, processor: {profile: t4}}
links:
  - {between: [phone-*, edge], bandwidth: 50 Mbps, latency: 5 ms}
applications:
  detect: {model: mobilenet_v2, input: 20 KB, output: 1 KB}
workload:
  - {app: detect, sources: phone-*, rate: 2 /s}
policy: local
"""
SPEED_DOC = "(docs/profiles.md#hardware-without-a-profile-an-npu-an-fpga-a-phone-gpu)"


def _test_notes(context: NoteContext) -> list[Note]:
    """A note of a new kind: the phones' count, from the scenario alone."""
    phones = sum(node.group == "phone" for node in context.scenario.nodes)
    return [Note("test-phones", f"test note: {phones} phones noted", {"phones": phones})]


@pytest.fixture
def registered() -> Iterator[None]:
    register_note("test-phones", _test_notes, needs_world=False)
    try:
        yield
    finally:
        unregister_note("test-phones")


def _figure_note(directory: Path, kind: str, metric: str | None = None, **options: str) -> str:
    fig = plot_results(read_results(directory), kind, metric=metric, **options)
    note = " ".join(fig._supxlabel.get_text().split()) if fig._supxlabel else ""
    plt.close(fig)
    return note


def test_a_provider_registered_in_a_test_is_said_by_validate_a_run_a_manifest_and_a_figure(
    registered, tmp_path, capsys
):
    base = tmp_path / "noted.yaml"
    base.write_text(SCENARIO, encoding="utf-8")
    line = "test note: 2 phones noted"
    assert main(["validate", str(base)]) == 0
    assert f"note: {line}" in capsys.readouterr().out
    assert main(["run", str(base), "--out", str(tmp_path / "run")]) == 0
    assert f"note: {line}" in capsys.readouterr().out
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text(encoding="utf-8"))
    assert line in manifest["notes"]
    argv = ["compare", str(base), "--policies", "local,edge", "--replications", "1", "--out"]
    assert main([*argv, str(tmp_path / "cmp")]) == 0
    assert capsys.readouterr().out.count(line) == 1  # said once, not once a policy
    manifest = json.loads((tmp_path / "cmp" / "manifest.json").read_text(encoding="utf-8"))
    (row,) = [row for row in manifest["precision_notes"] if row["kind"] == "test-phones"]
    assert row == {"note": line, "kind": "test-phones", "facts": {"phones": 2}}
    assert line in _figure_note(tmp_path / "cmp", "bars", "latency_mean_s")


class _MadeUp:
    """A policy of a family of its own, written here: every task on its source, as ``local``."""

    def decide(self, task, view):
        return Plan.run_on(task.source)


def test_a_note_registered_for_a_made_up_policy_is_called_for_its_runs_alone(tmp_path, capsys):
    """Not called for a run of ``local``; said for the made-up policy, alone or as by-group's inner one."""
    asked: list[object] = []

    def notes(context: NoteContext) -> list[Note]:
        asked.append(context.policies)
        return [Note("test-made-up", "test note: a made-up policy's run")]

    register_policy("test-made-up")(_MadeUp)
    register_note("test-made-up", notes, policies=("test-made-up",))
    try:
        said = {}
        by_group = "{name: by-group, groups: {phone: test-made-up}, default: local}"
        for policy in ("local", "test-made-up", by_group):
            path = tmp_path / f"{len(said)}.yaml"
            path.write_text(SCENARIO.replace("policy: local", f"policy: {policy}"), encoding="utf-8")
            before = len(asked)
            assert main(["validate", str(path)]) == 0
            out = capsys.readouterr().out
            said[policy] = ("test note: a made-up policy's run" in out, len(asked) > before)
    finally:
        unregister_note("test-made-up")
        unregister_policy("test-made-up")
    assert said == {"local": (False, False), "test-made-up": (True, True), by_group: (True, True)}


def test_a_kind_is_registered_once():
    with pytest.raises(ValueError, match="registered already"):
        register_note(PLAIN_SPEED, _test_notes)


def test_a_swept_plain_speed_is_one_line_naming_its_speeds_in_the_table_and_the_figure(tmp_path):
    (tmp_path / "base.yaml").write_text(SCENARIO, encoding="utf-8")
    speeds = ["10 GFLOP/s", "20 GFLOP/s", "40 GFLOP/s", "80 GFLOP/s"]
    (tmp_path / "sweep.yaml").write_text(
        f"name: s\nbase: base.yaml\ngrid:\n  nodes.phone.processor.speed: [{', '.join(speeds)}]\n",
        encoding="utf-8",
    )
    assert main(["sweep", str(tmp_path / "sweep.yaml"), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    rows = [row for row in manifest["precision_notes"] if row.get("kind") == PLAIN_SPEED]
    assert [row["facts"]["speeds"][0]["flops"] for row in rows] == [[10e9], [20e9], [40e9], [80e9]]
    merged = (
        "nodes.phone.processor.speed (10 GFLOP/s to 80 GFLOP/s, 4 values): the scenario's own figures, "
        f"with no profile or stated source behind them {SPEED_DOC}"
    )
    assert [note for note in manifest["notes"] if note.endswith(SPEED_DOC)] == [merged]  # the table's
    note = _figure_note(tmp_path / "out", "sweep", "latency_mean_s", x="nodes.phone.processor.speed")
    assert merged in note and note.count(SPEED_DOC) == 1


def _speed(*speeds: tuple[str, float]) -> Note:
    """A plain-speed note naming each (key, FLOP/s) of ``speeds``, its text made by its provider."""
    bare = Note(PLAIN_SPEED, "", {"speeds": [{"key": k, "flops": [f], "under": []} for k, f in speeds]})
    return merge_plain_speed([bare, bare])  # one note's merge is that note: two alike make its text


def test_swept_speeds_across_a_unit_read_in_the_note_as_on_their_axis():
    """A sweep of an edge's speed over [500 GFLOP/s, 1 TFLOP/s]: its axis read 500 and 1,000 GFLOP/s, the
    note under it "500 GFLOP/s, 1 TFLOP/s", two formatters for one value; both write the axis's unit."""
    from offloadsim.analysis.values import axis_label_for, axis_texts

    swept = ["500 GFLOP/s", "1 TFLOP/s"]
    merged = merge_plain_speed([_speed(("nodes.edge.processor.speed", f)) for f in (5e11, 1e12)])
    assert merged.text.startswith(f"nodes.edge.processor.speed ({', '.join(axis_texts(swept))}): ")
    assert axis_texts(swept) == ["500 GFLOP/s", "1,000 GFLOP/s"]
    assert axis_label_for("nodes.edge.processor.speed", "speed", largest=1e12)[0].endswith("(GFLOP/s)")
    one = _speed(("nodes.edge.processor.speed", 1e12))  # one speed, on no axis: as a scenario writes it
    assert one.text.startswith("nodes.edge.processor.speed (1 TFLOP/s)")


def test_figure_rows_of_a_kind_that_merges_are_said_as_the_merge_recorded_for_the_rows_drawn():
    a, b = _speed(("nodes.phone.processor.speed", 1e9)), _speed(("nodes.phone.processor.speed", 2e9))
    c = _speed(("nodes.phone.processor.speed", 2e9), ("nodes.edge.processor.speed", 1e12))
    int8 = Note("precision", "int8 note")
    rows, merges = figure_notes(
        [(int8.line(), [0, 1, 2]), (a.line(), [0]), (b.line(), [1]), (c.line(), [2]), (a.line(), [3])]
    )
    assert [(row["note"], row["points"]) for row in rows] == [
        ("int8 note", [0, 1, 2]),  # the providers' order: plain speeds after
        (a.text, [0, 3]),
        (b.text, [1]),
        (c.text, [2]),
    ]
    assert [m["of"] for m in merges] == [[1, 2], [1, 3], [2, 3], [1, 2, 3]]  # every set a figure may draw
    manifest = {"figure_notes": rows, "figure_merges": merges}
    said = said_under_figure(manifest, None, energy=False)
    assert said == [
        "int8 note",
        "nodes.phone.processor.speed (1 GFLOP/s, 2 GFLOP/s), nodes.edge.processor.speed (1 TFLOP/s): "
        f"the scenario's own figures, with no profile or stated source behind them {SPEED_DOC}",
    ]
    assert said_under_figure(manifest, {0, 1}, energy=False) == [
        "int8 note",
        merge_plain_speed([a, b]).text,  # the points drawn only: not the edge's speed
    ]
    assert said_under_figure(manifest, {3}, energy=False) == [a.text]  # one row: as written


def test_a_merge_of_several_nodes_speeds_says_those_of_the_nodes_drawn():
    """A sweep of the phones' speed beside the watch's: a figure of the phones' utilisation said
    the merged line with the watch's key too; it says the phones' speeds of every point drawn."""

    def speeds(phone: float) -> Note:
        entries = [
            {"key": "nodes.phone.processor.speed", "flops": [phone], "under": [], "nodes": ["phone-0"]},
            {"key": "nodes.watch.processor.speed", "flops": [5e9], "under": [], "nodes": ["watch"]},
        ]
        bare = Note(PLAIN_SPEED, "", {"speeds": entries})
        return merge_plain_speed([bare, bare])

    rows, merges = figure_notes([(speeds(1e9).line(), [0]), (speeds(2e9).line(), [1])])
    manifest = {"figure_notes": rows, "figure_merges": merges}
    (every,) = said_under_figure(manifest, None, energy=False)
    assert "nodes.watch.processor.speed" in every
    assert said_under_figure(manifest, None, energy=False, nodes={"phone-0"}) == [
        "nodes.phone.processor.speed (1 GFLOP/s, 2 GFLOP/s): the scenario's own figures, with no profile "
        f"or stated source behind them {SPEED_DOC}"
    ]
    assert said_under_figure(manifest, None, energy=False, nodes={"phone-0", "watch"}) == [every]


def test_rows_of_an_older_manifest_are_said_as_written():
    old = [
        {"note": f"nodes.phone.processor.speed ({s}): the scenario's own figure {SPEED_DOC}", "points": [i]}
        for i, s in enumerate("12")
    ]
    # A sweep's from before figure_notes: its precision_notes, a line a row (no provider merges them).
    assert said_under_figure({"precision_notes": old}, None, energy=False) == [row["note"] for row in old]
    assert said_under_figure({"precision_notes": old}, {1}, energy=False) == [old[1]["note"]]
    assert said_under_figure({"notes": ["a run's"]}, None, energy=False) == []  # a run's from before: none


def test_the_shared_note_helpers_and_their_examples_are_in_the_registry():
    """``nodes_text`` was public in the ``nearest-tie`` note's module, which ``peer-devices`` imported
    it from: a helper every note may use lives with ``node_facts`` and ``group_sizes``."""
    import doctest

    import offloadsim.world.notes.registry as registry

    assert "nodes_text" in registry.__all__
    assert registry.nodes_text.__module__ == registry.__name__
    assert doctest.testmod(registry).failed == 0
