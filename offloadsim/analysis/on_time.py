"""Tasks completed by their deadline per second: the frame rate a camera or AR headset gets in time.

The throughput counts every completed task, a frame that finished too late to be used too, so an
overloaded edge that serves every frame seconds late reads as fast as one that serves them all in
time.  This counts the completed tasks whose ``deadline_met`` is true, over the measured time: the
useful frame rate.  It is NaN (no column) where no task has a deadline.
"""

from __future__ import annotations

import math

import numpy as np

from offloadsim.analysis.metric_display import Metric
from offloadsim.analysis.metric_registry import RunTables, SummaryMetric

__all__ = ["ON_TIME_THROUGHPUT", "on_time_per_s"]


def on_time_per_s(run: RunTables) -> float:
    """Completed tasks that met their deadline ÷ the measured time; NaN where no task has a deadline."""
    on_time, with_deadline = 0, 0
    for chunk in run.task_columns(("status", "deadline", "deadline_met")):
        if chunk.absent:
            return math.nan
        has_deadline = np.isfinite(chunk.floats("deadline"))
        completed = chunk.texts("status") == "completed"
        with_deadline += int(has_deadline.sum())
        on_time += int((has_deadline & completed & (chunk.floats("deadline_met") == 1.0)).sum())
    if with_deadline == 0 or run.duration_s <= 0:
        return math.nan
    return on_time / run.duration_s


#: The registered metric (:mod:`offloadsim.analysis.metric_registry`): in summary.json and every
#: run's metrics row (so compare's and sweep's ``metrics.parquet`` and ``summary.csv``, and ``plot
#: --metric on_time_per_s``) and the run's printed table, after the record columns'; compare's printed
#: table shows it when asked (it would widen every comparison with a deadline).
ON_TIME_THROUGHPUT = SummaryMetric(
    name="on_time_per_s",
    description="completed tasks that met their deadline per second of measured time (late ones left out)",
    columns={"on_time_per_s": Metric("on-time throughput", "tasks/s", 1.0, "higher", overload_marked=True)},
    compute=on_time_per_s,
    compare=False,
    table_note="  completed by their deadline (the throughput counts late ones too)",
)
