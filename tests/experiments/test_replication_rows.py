"""Which column tells a comparison's runs apart, as docs/experiments.md says ("From Python").

``seed`` is the base seed in every row; ``replication`` names the run, and ``offloadsim.run`` with
that seed and replication repeats its records.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import offloadsim
from offloadsim.experiments import compare

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "quickstart.yaml"
SHORT = ["duration=2 s", "warmup=0 s"]


def test_replication_tells_runs_apart_and_run_repeats_one():
    result = compare(SCENARIO, ["local", "edge"], replications=3, workers=1, overrides=SHORT, seed=5)
    for table in (result.metrics, result.tasks):
        assert set(table["seed"]) == {5}  # the base seed: it tells no run apart
    assert sorted(result.metrics["replication"]) == [0, 0, 1, 1, 2, 2]
    tasks = result.tasks
    arrivals = [tasks[(tasks["policy"] == "edge") & (tasks["replication"] == r)]["arrival"] for r in range(3)]
    assert not arrivals[0].reset_index(drop=True).equals(arrivals[1].reset_index(drop=True))
    again = offloadsim.run(SCENARIO, policy="edge", seed=5, replication=1, overrides=SHORT).tasks
    ran = tasks[(tasks["policy"] == "edge") & (tasks["replication"] == 1)]
    columns = ["task_id", "source", "arrival", "finish", "latency"]
    pd.testing.assert_frame_equal(
        ran[columns].reset_index(drop=True), again[columns].reset_index(drop=True), check_categorical=False
    )
