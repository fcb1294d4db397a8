"""A note on a processor's numbers is said of the runs that computed on it, not those that only may.

The instructor trial's plain ``offloadsim run scenarios/quickstart.yaml`` (``neurosurgeon``, cloud
utilisation 0.0 %) printed the A100's assumed-efficiency note, and ``compare`` credited it "(under
... neurosurgeon ... and dads)", runs that put no task on the cloud: the note was decided from the
world before the run, by where a policy *may* place layers.  A run now tells the world's notes the
processors it computed on (its processors table), and a comparison each entry's.
"""

from __future__ import annotations

from pathlib import Path

from offloadsim.cli import main

QUICKSTART = str(Path(__file__).resolve().parents[1] / "scenarios" / "quickstart.yaml")
GPU = "a built-in GPU profile runs each layer at an assumed 0.40"
CPU = "a built-in CPU profile runs each layer"
SHORT = ["--set", "duration=20 s", "--set", "warmup=0 s"]


def _said(capsys, *argv: str) -> list[str]:
    assert main(list(argv)) == 0
    return [line for line in capsys.readouterr().out.splitlines() if GPU in line or CPU in line]


def test_a_run_that_never_computes_on_the_a100_or_the_phones_says_neither(capsys, tmp_path):
    assert _said(capsys, "run", QUICKSTART, *SHORT, "--out", str(tmp_path / "n")) == []
    (note,) = _said(capsys, "run", QUICKSTART, *SHORT, "--policy", "cloud", "--out", str(tmp_path / "c"))
    assert "applications.classify (resnet50, fp32) on a100" in note
    (note,) = _said(capsys, "run", QUICKSTART, *SHORT, "--policy", "local", "--out", str(tmp_path / "l"))
    assert "on cortex-a76 (1 core)" in note


def test_a_comparison_credits_the_a100_note_to_the_entries_that_computed_there(capsys, tmp_path):
    argv = ["compare", QUICKSTART, "--policies", "neurosurgeon,cloud,dads", "-n", "1", "--workers", "1"]
    (note,) = _said(capsys, *argv, *SHORT, "--out", str(tmp_path / "cmp"))
    assert note.endswith("(under cloud only)")
