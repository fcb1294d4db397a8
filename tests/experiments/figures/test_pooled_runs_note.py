"""A CDF's note says how many replications each line pools where some completed no task.

A comparison whose edge runs piled up (3 of 5 completed nothing) drew edge's CDF from 2 runs'
tasks under "each line pools the completed tasks of 5 replications".
"""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from offloadsim.plots.figure_notes import pooled_note

_VIEW = SimpleNamespace(results=SimpleNamespace(manifest={}))


def _tasks(completing: dict[str, int], runs: int = 5) -> pd.DataFrame:
    """Two tasks a run of each policy; ``completing[policy]`` of its runs complete theirs, the rest none."""
    rows = [
        (policy, replication, "completed" if replication < completing[policy] else "in_flight")
        for policy in completing
        for replication in range(runs)
        for _ in range(2)
    ]
    return pd.DataFrame(rows, columns=["policy", "replication", "status"])


def test_a_line_drawn_from_fewer_runs_says_how_many():
    note = pooled_note(_VIEW, _tasks({"local": 5, "edge": 2}), ["policy"])
    assert note == "each line pools the completed tasks of 5 replications; edge's of 2 (3 completed no task)"


def test_every_run_completing_some_task_says_only_the_count():
    assert pooled_note(_VIEW, _tasks({"local": 5, "edge": 5}), ["policy"]) == (
        "each line pools the completed tasks of 5 replications"
    )


def test_a_policy_none_of_whose_runs_completed_is_left_to_the_undrawn_note():
    """No line is drawn for it at all: the undrawn note names it, this one does not count it."""
    note = pooled_note(_VIEW, _tasks({"local": 5, "edge": 0, "cloud": 4}), ["policy"])
    assert note == "each line pools the completed tasks of 5 replications; cloud's of 4 (1 completed no task)"
