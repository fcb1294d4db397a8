"""``sweep --dry-run`` says its points' world notes, each once, naming the points it is of where not all.

``run --dry-run`` ends its summary with the world's notes (a profile calibrated on another CPU, a
GPU's assumed batch-one efficiency, an LLM's decode ceiling); a sweep's dry run listed points and
no note, so a grid checked before hours of runs never said what its numbers rest on.
"""

from __future__ import annotations

from pathlib import Path

from offloadsim.cli import main

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
CALIBRATED = 'profile "xeon-ort-1t" was calibrated on'  # a CPU named ..., or another CPU than this host's
PROFILE = "nodes.edge.processor.profile"
GPU = "a built-in GPU profile runs each layer at an assumed 0.40"


def _notes(tmp_path: Path, capsys, sweep: str, *extra: str) -> list[str]:
    path = tmp_path / "sweep.yaml"
    path.write_text(f"base: {SCENARIOS / 'quickstart.yaml'}\n{sweep}")
    assert main(["sweep", str(path), "--dry-run", "--out", str(tmp_path / "out"), *extra]) == 0
    return [line for line in capsys.readouterr().out.splitlines() if line.startswith("note: ")]


def test_a_note_of_every_point_is_said_once_as_run_dry_run_says_it(tmp_path, capsys):
    notes = _notes(tmp_path, capsys, "grid:\n  links[0].bandwidth: [5 Mbps, 10 Mbps, 20 Mbps]\n")
    assert main(["run", str(SCENARIOS / "quickstart.yaml"), "--dry-run", "--out", str(tmp_path / "r")]) == 0
    run_notes = [line for line in capsys.readouterr().out.splitlines() if line.startswith("note: ")]
    assert run_notes and any(CALIBRATED in n for n in run_notes) and any(GPU in n for n in run_notes)
    # each once, not once a point, and no point named: all three have it; the swept rate's line merged
    cell = 'note: links[0] gives each of the 20 devices it links to "ap" its own '
    assert [
        n.replace("5 Mbps, 10 Mbps or 20 Mbps,", "20 Mbps (400 Mbps in all),") for n in notes
    ] == run_notes
    assert sum(n.startswith(f"{cell}5 Mbps, 10 Mbps or 20 Mbps, not a share") for n in notes) == 1


def test_a_note_of_some_points_names_them(tmp_path, capsys):
    grid = f"grid:\n  links[0].bandwidth: [5 Mbps, 10 Mbps]\n  {PROFILE}: [xeon-ort-1t, cortex-a76]\n"
    notes = _notes(tmp_path, capsys, grid)
    (calibrated,) = [n for n in notes if CALIBRATED in n]
    assert calibrated.endswith(" (at points 0 and 2)")
    assert next(n for n in notes if GPU in n).endswith("#batch-one-against-published-latencies)")
    grid = (
        f"grid:\n  {PROFILE}: [cortex-a76, xeon-ort-1t]\n  links[0].bandwidth: [5 Mbps, 10 Mbps, 20 Mbps]\n"
    )
    (calibrated,) = [n for n in _notes(tmp_path, capsys, grid) if CALIBRATED in n]
    assert calibrated.endswith(" (at points 3-5)")


def test_many_ranges_are_counted_not_listed(tmp_path, capsys):
    rates = ", ".join(f"{r} Mbps" for r in range(1, 9))
    grid = (
        f"grid:\n  links[0].bandwidth: [{rates}]\n  nodes.edge.processor.profile: [xeon-ort-1t, cortex-a76]\n"
    )
    (calibrated,) = [n for n in _notes(tmp_path, capsys, grid) if CALIBRATED in n]
    assert calibrated.endswith(" (at 8 of the 16 points: 0, 2, 4, 6, 8, 10, ...)")


def test_quiet_dry_run_prints_only_the_directory(tmp_path, capsys):
    path = tmp_path / "sweep.yaml"
    path.write_text(
        f"base: {SCENARIOS / 'quickstart.yaml'}\ngrid:\n  links[0].bandwidth: [5 Mbps, 10 Mbps]\n"
    )
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--dry-run", "--quiet", "--out", str(out)]) == 0
    assert capsys.readouterr().out.splitlines() == [str(out)]
