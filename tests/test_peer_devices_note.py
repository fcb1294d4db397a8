"""``random`` and ``round-robin`` without ``tiers`` give a phone's tasks to other phones: said before the run.

A user balancing 100 phones over 4 edge servers with ``policy: round-robin`` got every task run
on other phones (edge utilisation 0.0 %, each source's cycle still among the phones after 30 s)
and no line saying why; docs/policies.md says that without ``tiers`` other devices are candidates.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from offloadsim.cli import main

QUICKSTART = str(Path(__file__).resolve().parents[1] / "scenarios" / "quickstart.yaml")
SAID = "without tiers spreads the tasks of"


def _notes(capsys, *argv: str) -> list[str]:
    assert main([*argv]) == 0
    captured = capsys.readouterr()
    return [line for line in (captured.out + captured.err).splitlines() if SAID in line]


@pytest.mark.parametrize("policy", ["random", "round-robin"])
def test_a_blind_policy_without_tiers_says_other_devices_are_candidates(policy, capsys):
    # the quickstart: 20 phones, one edge, one cloud, all behind one access point
    (note,) = _notes(capsys, "validate", QUICKSTART, "--policy", policy)
    assert note == (
        f"note: policy {policy} without tiers spreads the tasks of phone-* over every computing node "
        "their source reaches, whatever its speed: 19 other devices beside 2 servers (edge or cloud); "
        "tiers: [edge] (or [edge, cloud]) keeps them on the servers (docs/policies.md#random)"
    )
    assert _notes(capsys, "run", QUICKSTART, "--dry-run", "--policy", policy) == [note]


def test_the_note_says_what_the_run_did(tmp_path, capsys):
    """Its claim on the records: under round-robin without tiers the phones ran other phones' tasks."""
    out = tmp_path / "run"
    argv = ["run", QUICKSTART, "--policy", "round-robin", "--set", "duration=5 s", "--out", str(out)]
    assert len(_notes(capsys, *argv)) == 1
    tasks = pd.read_parquet(out / "tasks.parquet")
    on_phones = tasks[tasks["placement"].astype(str).str.startswith("phone")]
    assert len(tasks) > 50 and len(on_phones) > len(tasks) / 2
    assert (on_phones["placement"].astype(str) != on_phones["source"].astype(str)).any()


@pytest.mark.parametrize(
    "argv",
    [
        ["--policy", "round-robin(tiers=[edge])"],
        ["--policy", "random(tiers=[edge, cloud])"],
        ["--policy", "least-loaded"],  # prices each candidate: a phone only where it is fastest
        ["--policy", "local"],
        # one phone: no other device to give its tasks to
        ["--policy", "random", "--set", "nodes.phone.count=1", "--set", "links[0].between=[phone, ap]"],
        # the servers alone may host it
        ["--policy", "random", "--set", "applications.classify.hosts=[edge, cloud]"],
        # each phone its own requests alone: $source brings the phones in for themselves
        ["--policy", "round-robin", "--set", "applications.classify.hosts=[$source, edge]"],
    ],
    ids=["tiers-edge", "tiers-servers", "least-loaded", "local", "one-phone", "hosts-servers", "hosts-own"],
)
def test_no_note_where_no_other_device_may_get_a_task(argv, capsys):
    assert _notes(capsys, "run", QUICKSTART, "--dry-run", *argv) == []


def test_compare_says_under_which_policies(capsys):
    argv = ["compare", QUICKSTART, "--policies", "round-robin,round-robin(tiers=[edge])", "--dry-run"]
    (note,) = _notes(capsys, *argv)
    assert note.endswith("(docs/policies.md#random) (under round-robin only)")
