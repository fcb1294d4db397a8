"""``Summary.metric`` reads every metric of the run's metrics row, the headline ones included.

Before: ``summary.metric("latency_mean_s")``, what a user tries first, was a KeyError listing only
the registered metrics (``battery_left_median``, ...), as if the headline ones did not exist.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import offloadsim
from offloadsim.analysis.summary import metrics_row

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def summary():
    return offloadsim.run(
        ROOT / "scenarios/quickstart.yaml", policy="edge", overrides=["duration=2 s"]
    ).summary


def test_every_column_of_the_metrics_row_is_read_by_name(summary) -> None:
    row = metrics_row(summary)
    assert {"latency_mean_s", "drop_rate", "utilisation_edge"} <= set(row)
    for name, value in row.items():
        assert summary.metric(name) == pytest.approx(value, nan_ok=True), name
    assert summary.metric("latency_mean_s") == summary.latency_mean_s
    assert summary.metric("drop_rate") == summary.dropped / summary.arrived
    assert math.isnan(summary.metric("battery_left_median"))  # registered, no battery: its default


def test_an_unknown_name_is_told_the_close_one_and_the_runs_metrics(summary) -> None:
    with pytest.raises(KeyError) as caught:
        summary.metric("latency_mean")
    message = caught.value.args[0]
    assert 'did you mean "latency_mean_s"?' in message
    assert "latency_p95_s, " in message and "utilisation_edge" in message
