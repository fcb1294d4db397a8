"""The LLM context-window cut note counts what the metrics count, and compare and sweep add it up.

Through the CLI on the shipped LLM assistant, with prompts long enough that about one request in
ten draws past the 131,072-token window (exponential, mean 60,000 tokens: validation holds only the
mean to the window).  A request cut is served at the window exactly, so the records say which were.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd

from offloadsim.cli import main

ROOT = Path(__file__).resolve().parents[2]
WINDOW = 131_072
LONG = (
    "--set",
    "applications.chat-1b.prompt_tokens={exponential: 60000}",
    "--set",
    "workload[0].rate=0.05 /s",
)
NOTE = re.compile(
    r"note: applications\.chat-1b(?: \((?P<where>[^)]*)\))?: (?P<n>[\d,]+) requests? "
    r"(?P<runs>in \d+ of its \d+ replications )?drew more"
)


def _cut_notes(out: str) -> list[re.Match[str]]:
    lines = [line for line in out.splitlines() if "context window" in line]
    matches = [NOTE.match(line) for line in lines]
    assert all(matches), lines
    return [m for m in matches if m is not None]


def _at_window(tasks: pd.DataFrame) -> int:
    return int((tasks["prompt_tokens"] + tasks["output_tokens"] == WINDOW).sum())


def test_the_cut_note_leaves_out_the_warm_up_as_the_metrics_do(tmp_path, capsys):
    scenario = str(ROOT / "scenarios" / "llm-assistant.yaml")
    # The same 450 s of arrivals (same seed, same end), once with 300 s of them warm-up, once with none.
    run = ("run", scenario, *LONG)
    warm = ("--set", "duration=150 s", "--set", "warmup=300 s")
    assert main([*run, *warm, "--out", str(tmp_path / "warm")]) == 0
    (measured,) = _cut_notes(capsys.readouterr().out)
    assert main([*run, "--set", "warmup=0 s", "--set", "duration=450 s", "--out", str(tmp_path / "all")]) == 0
    (everything,) = _cut_notes(capsys.readouterr().out)
    tasks = pd.read_parquet(tmp_path / "warm" / "tasks.parquet")
    assert int(measured["n"].replace(",", "")) == _at_window(tasks) > 0  # the recorded requests cut, no more
    assert int(everything["n"].replace(",", "")) > _at_window(tasks)  # the warm-up did cut some


def test_compare_and_sweep_print_one_cut_note_per_configuration_not_per_seed(tmp_path, capsys):
    scenario = tmp_path / "llm-assistant.yaml"
    shutil.copy(ROOT / "scenarios" / "llm-assistant.yaml", scenario)
    out = tmp_path / "compare"
    args = ["compare", str(scenario), "--policies", "local,model-select", "-n", "3", *LONG]
    assert main([*args, "--set", "duration=200 s", "--out", str(out)]) == 0
    (note,) = _cut_notes(capsys.readouterr().out)  # the draws do not depend on the policy: one line
    tasks = pd.read_parquet(out / "tasks.parquet")
    per_policy = {p: _at_window(t) for p, t in tasks.groupby("policy", observed=True)}
    assert len(set(per_policy.values())) == 1 and note["where"] == "each policy"
    assert int(note["n"].replace(",", "")) == per_policy["local"] > 0
    runs_cut = tasks[tasks["prompt_tokens"] + tasks["output_tokens"] == WINDOW].groupby(
        "policy", observed=True
    )
    assert note["runs"] == f"in {runs_cut['replication'].nunique()['local']} of its 3 replications "

    (tmp_path / "sweep.yaml").write_text(
        "name: cuts\nbase: llm-assistant.yaml\n"
        "set: {duration: 200 s, warmup: 30 s, applications.chat-1b.prompt_tokens: {exponential: 60000}}\n"
        "grid:\n  workload[0].rate: [0.03 /s, 0.06 /s]\npolicies: [local]\nreplications: 2\n",
        encoding="utf-8",
    )
    assert (
        main(["sweep", str(tmp_path / "sweep.yaml"), "--out", str(tmp_path / "sweep"), "--workers", "1"]) == 0
    )
    notes = _cut_notes(capsys.readouterr().out)
    tasks = pd.read_parquet(tmp_path / "sweep" / "tasks.parquet")
    expected = {p: _at_window(t) for p, t in tasks.groupby("point", observed=True)}
    assert sorted(int(n["n"].replace(",", "")) for n in notes) == sorted(v for v in expected.values() if v)
    assert len(notes) == sum(v > 0 for v in expected.values()) == 2  # one line a point, its 2 seeds added
    assert all(n["runs"] and n["runs"].endswith("of its 2 replications ") for n in notes)
