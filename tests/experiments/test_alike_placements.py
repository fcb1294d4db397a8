"""A comparison says where two policies placed every task alike: the same runs, not a measured tie."""

from __future__ import annotations

import pandas as pd
from experiment_data import MIXED

from offloadsim.experiments import compare, read_results


def _placed(tasks: pd.DataFrame, policy: str) -> list[tuple[int, int, str, int]]:
    mine = tasks[tasks["policy"].astype(str) == policy].sort_values(["replication", "task_id"])
    columns = zip(
        mine["replication"], mine["task_id"], mine["placement"].astype(str), mine["split"], strict=True
    )
    return [(int(r), int(t), p, int(s)) for r, t, p, s in columns]


def test_policies_that_placed_every_task_alike_are_named_under_the_table(tmp_path):
    """neurosurgeon == edge task for task read Δ 0.0 ± 0 in every row, and nothing said why."""
    (tmp_path / "mixed.yaml").write_text(MIXED, encoding="utf-8")
    policies = ["edge", "neurosurgeon", "local", "fixed(node=edge-1)"]
    result = compare(tmp_path / "mixed.yaml", policies, replications=2, workers=1)
    result.write(tmp_path / "cmp")
    tasks = pd.read_parquet(tmp_path / "cmp" / "tasks.parquet")
    assert _placed(tasks, "edge") == _placed(tasks, "neurosurgeon")  # what the note says, by hand
    assert _placed(tasks, "edge") != _placed(tasks, "fixed(node=edge-1)")  # the same numbers, not placements
    (note,) = [n for n in result.notes if "placed every task alike" in n]
    assert note.startswith("edge and neurosurgeon placed every task alike, task for task (the same nodes")
    assert "in each of the 2 replications" in note
    assert f"note: {note}" in result.format_table()
    assert note in read_results(tmp_path / "cmp").notes  # kept in the manifest


def test_alike_numbers_from_other_placements_are_not_named(tmp_path):
    """Two alike edges: fixed on edge-0 or edge-1 gives the same numbers, from other placements."""
    (tmp_path / "mixed.yaml").write_text(MIXED, encoding="utf-8")
    result = compare(
        tmp_path / "mixed.yaml", ["fixed(node=edge-0)", "fixed(node=edge-1)"], replications=2, workers=1
    )
    a, b = (result.metrics[result.metrics["policy"] == p] for p in result.policies)
    assert a["latency_mean_s"].tolist() == b["latency_mean_s"].tolist()  # alike numbers ...
    assert not any("placed every task alike" in n for n in result.notes)  # ... but not alike placements
