"""A figure's warned-runs note counts an overloaded run none of whose tasks completed.

Such a run's metrics row gives no measured time (completed tasks over throughput: 0 / 0), so the
backlog's own test on its tasks read no quarter and found no growth: a comparison whose edge runs
all piled up said ``edge (2 of 5 runs)``, naming only the two that completed a few tasks.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from offloadsim.analysis.warning_facts import WarningFacts
from offloadsim.analysis.warning_groups import warned_groups
from offloadsim.plots.warned_runs import group_attribution, warned_runs

BACKLOG = "the tasks in the system grew through the run: it looks overloaded"


def _tasks(replication: int, completed: int) -> pd.DataFrame:
    """200 tasks arriving over a 30 s measured window (5 s to 35 s), the first ``completed`` done."""
    arrival = np.linspace(5.0, 34.0, 200)
    status = np.array(["completed"] * completed + ["in_flight"] * (200 - completed))
    finish = np.where(status == "completed", arrival + 0.5, math.nan)
    return pd.DataFrame(
        {
            "policy": "edge",
            "replication": replication,
            "arrival": arrival,
            "finish": finish,
            "latency": finish - arrival,
            "status": status,
            "source_group": "phone",
        }
    )


def test_a_run_that_completed_nothing_is_named_among_the_warned():
    tasks = pd.concat([_tasks(0, 10), _tasks(1, 0)], ignore_index=True)
    metrics = pd.DataFrame(
        {
            "policy": ["edge", "edge"],
            "replication": [0, 1],
            "completed": [10, 0],
            "throughput_per_s": [10 / 30.0, 0.0],  # the run that completed nothing: no measured time
            "end_s": [35.0, 35.0],
        }
    )
    facts = WarningFacts("backlog")
    manifest = {
        "run_warnings": [
            {"policy": "edge", "replication": r, "warning": BACKLOG, "facts": facts.to_dict()} for r in (0, 1)
        ]
    }
    # Its time unknown, the warning cannot be placed among the run's groups: every group, not none.
    assert warned_groups(facts, _tasks(1, 0), None, math.nan, 35.0) is None
    assert warned_groups(facts, _tasks(1, 0), None, 30.0, 35.0) == {"phone"}  # known: its own test
    attribute = group_attribution(tasks, None, metrics)
    note = warned_runs(manifest, tasks, ["policy"], str, attribute).note
    assert "edge (2 of 2 runs)" in note, note
