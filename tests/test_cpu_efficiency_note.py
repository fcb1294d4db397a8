"""A run on a built-in CPU profile says its assumed efficiency and that a stage uses one core.

The LLM-serving trial read a phone's tokens/s resting on an assumed 0.35 of the Cortex-A76's peak
that no note stated (the GPUs' "assumed 0.40 of peak" has its note), and took "10 phones" of one
core each for more capacity than they have: a request uses one core.
"""

from __future__ import annotations

from pathlib import Path

from offloadsim.cli import main
from offloadsim.world.profiles.builtin import BUILTIN_PROFILES, CPU_EFFICIENCY

ASSISTANT = Path(__file__).resolve().parents[1] / "scenarios" / "llm-assistant.yaml"
SAID = "a built-in CPU profile runs each layer"
SHORT = ["--set", "duration=100 s", "--set", "applications.chat-1b.params.precision=int4"]


def _notes(capsys, *argv: str) -> list[str]:
    assert main(list(argv)) == 0
    return [line for line in capsys.readouterr().out.splitlines() if SAID in line]


def test_a_run_on_the_phones_says_the_assumed_efficiency_and_one_core(capsys, tmp_path):
    (note,) = _notes(capsys, "run", str(ASSISTANT), *SHORT, "--out", str(tmp_path / "r"))
    assert BUILTIN_PROFILES["cortex-a76"].efficiency == CPU_EFFICIENCY == 0.35
    assert note.startswith("note: applications.chat-1b (llama-3.2-1b, fp16) on cortex-a76 (1 core): ")
    assert "at an assumed 0.35 of its data-sheet peak" in note and "a stage uses one core" in note


def test_nothing_is_said_where_no_cpu_profile_may_run_the_work(capsys, tmp_path):
    edge = ["--set", "policy={name: fixed, node: edge}"]
    assert _notes(capsys, "run", str(ASSISTANT), *SHORT, *edge, "--out", str(tmp_path / "r")) == []
    assert _notes(capsys, "validate", str(ASSISTANT)) == []  # a check of the file has no times to qualify


def test_a_dry_run_says_where_a_cpu_would_be_allowed_to_run_it(capsys, tmp_path):
    """A dry run runs nothing: "on cortex-a76" read as if the phones had run it."""
    (note,) = _notes(capsys, "run", str(ASSISTANT), *SHORT, "--dry-run", "--out", str(tmp_path / "r"))
    assert note.startswith(
        "note: applications.chat-1b (llama-3.2-1b, fp16) would be allowed to run on cortex-a76 (1 core): "
    )
