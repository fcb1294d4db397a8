"""The notes under a result's table reach Python users, the manifest and the results read back.

A user of ``compare`` from Python saw none of what the command line prints under the table
("4 of 15 runs ended with 5% or more of their tasks still in flight ...", the GPU batch-1
note): the results had no notes, and the manifest's ``run_notes`` holds the runs' own only.
"""

from __future__ import annotations

import json
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
#: The phones 10 times slower: their queues grow, and local runs end with tasks in flight.
SLOW = ["duration=5 s", "nodes.phone.processor.speed=1 GFLOP/s"]


def _printed_notes(text: str) -> list[str]:
    return [line.removeprefix("note: ") for line in text.splitlines() if line.startswith("note: ")]


def test_compare_keeps_the_notes_its_command_prints(cli_main, tiny, tmp_path, capsys):
    from offloadsim.experiments import compare, read_results

    result = compare(str(tiny), ["local", "edge"], 2, workers=1, overrides=SLOW, out=tmp_path / "py")
    assert any("still in flight" in note for note in result.notes), result.notes
    table = result.format_table()
    assert table.endswith("\n".join(f"note: {note}" for note in result.notes))
    assert "note: " not in result.format_table(notes=False)
    manifest = json.loads((tmp_path / "py" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["notes"] == list(result.notes)
    assert read_results(tmp_path / "py").notes == result.notes
    assert "note: " not in (tmp_path / "py" / "summary.txt").read_text(encoding="utf-8")  # the table alone

    argv = ["compare", str(tiny), "--policies", "local,edge", "-n", "2", "--workers", "1"]
    for override in SLOW:
        argv += ["--set", override]
    assert cli_main([*argv, "--out", str(tmp_path / "cli")]) == 0
    assert _printed_notes(capsys.readouterr().out) == list(result.notes)
    assert read_results(tmp_path / "cli").notes == result.notes


def test_a_run_keeps_the_notes_its_command_prints(tmp_path, capsys):
    """Two applications pooled in one table: the note said it on the terminal only."""
    import offloadsim
    from offloadsim.cli import main
    from offloadsim.experiments import read_results
    from offloadsim.records.results import read_run

    scenario = str(REPO / "scenarios" / "neurosurgeon.yaml")
    result = offloadsim.run(scenario, overrides=["duration=10 s"], out=tmp_path / "py")
    assert any(note.startswith("the table pools the tasks of 2 applications") for note in result.notes)
    assert result.format_table().endswith("\n".join(f"note: {note}" for note in result.notes))
    assert read_run(tmp_path / "py").notes == result.notes
    assert read_results(tmp_path / "py").notes == result.notes
    assert offloadsim.run(scenario, overrides=["duration=10 s"]).notes == result.notes  # nothing written

    assert main(["run", scenario, "--set", "duration=10 s", "--out", str(tmp_path / "cli")]) == 0
    assert _printed_notes(capsys.readouterr().out) == list(result.notes)


def test_a_sweep_keeps_the_notes_its_command_prints(cli_main, tiny, tmp_path, capsys):
    from offloadsim.experiments import read_results, sweep

    file = tiny.parent / "slow.yaml"
    file.write_text(
        "base: tiny.yaml\nset: {duration: 5 s}\n"
        "grid:\n  nodes.phone.processor.speed: [1 GFLOP/s, 10 GFLOP/s]\npolicies: [local]\n",
        encoding="utf-8",
    )
    result = sweep(str(file), out=tmp_path / "py", workers=1)
    assert any("still in flight" in note for note in result.notes), result.notes
    manifest = json.loads((tmp_path / "py" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["notes"] == list(result.notes)
    assert read_results(tmp_path / "py").notes == result.notes

    assert cli_main(["sweep", str(file), "--workers", "1", "--out", str(tmp_path / "cli")]) == 0
    assert _printed_notes(capsys.readouterr().out) == list(result.notes)


def test_compare_keeps_the_world_notes_and_the_pooling_of_applications(cli_main, tmp_path, capsys):
    """The world's notes (a GPU profile's rate, not measured at a batch of one) came from the CLI."""
    from offloadsim.experiments import compare

    scenario = str(REPO / "scenarios" / "neurosurgeon.yaml")
    result = compare(scenario, ["local", "edge"], 1, workers=1, overrides=["duration=10 s"])
    assert any("a built-in GPU profile" in note for note in result.notes), result.notes
    assert any(note.startswith("the table pools the tasks of 2 applications") for note in result.notes)
    argv = ["compare", scenario, "--policies", "local,edge", "-n", "1", "--workers", "1"]
    assert cli_main([*argv, "--set", "duration=10 s", "--out", str(tmp_path / "cli")]) == 0
    assert _printed_notes(capsys.readouterr().out) == list(result.notes)
