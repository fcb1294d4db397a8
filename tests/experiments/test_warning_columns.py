"""A run's summary warnings reach the comparison's and the sweep's DataFrames, not only the notes.

On compare-load.yaml at 10 Mbit/s, local's p95 was "too short to settle" in ``notes`` and
``format_table()`` alone: ``metrics`` and ``summary`` had no flag for a script to filter on.
"""

from __future__ import annotations

import pytest

from offloadsim.experiments import compare
from offloadsim.experiments.sweep import sweep
from offloadsim.experiments.sweep_spec import sweep_from_data

BUSY = ["workload[0].rate=9.5 /s", "duration=20 s"]  # the phone's one core 95 % busy: far from settled


@pytest.fixture
def busy(tiny_scenario):
    return tiny_scenario


def test_compare_tables_say_which_runs_warned(busy):
    result = compare(busy, ["local", "edge"], 2, workers=1, overrides=BUSY)
    assert any("too short to settle" in note for note in result.notes)
    metrics = result.metrics.set_index(["policy", "replication"])
    assert all("settling" in metrics.loc[("local", r), "warnings"] for r in (0, 1))
    assert (metrics.loc["edge", "warnings"] == "").all()  # the edge, ten times faster, settles
    warned = result.summary.groupby("policy")["warned"].agg(["min", "max"])
    assert warned.loc["local"].tolist() == [2, 2] and warned.loc["edge"].tolist() == [0, 0]
    assert list(result.summary.columns)[-3:] == ["diff_n", "warned", "overloaded"]  # added last: none moved


def test_sweep_tables_say_which_runs_warned(busy, tmp_path):
    spec = sweep_from_data(
        {
            "base": busy.name,
            "set": {"duration": "20 s"},
            "grid": {"workload[0].rate": ["1 /s", "9.5 /s"]},
            "policies": ["local"],
            "replications": 1,
        },
        base_dir=busy.parent,
    )
    result = sweep(spec, out=tmp_path / "sweep", workers=1)
    by_rate = dict(zip(result.metrics["workload[0].rate"], result.metrics["warnings"], strict=True))
    assert by_rate["1 /s"] == "" and "settling" in by_rate["9.5 /s"]
    warned = result.summary.groupby("workload[0].rate")["warned"].max()
    assert warned.to_dict() == {"1 /s": 0, "9.5 /s": 1}
