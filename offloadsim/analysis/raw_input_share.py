"""The share of tasks whose raw input left its device: what a privacy reader asks of a run first.

The records' ``raw_input_offloaded`` is 1 where a task's plan sent the request's raw input (the
frame, the prompt: before any layer ran) off the source device, and 0 where it kept it there (run
whole on the device, or cut at layer 1 or later, so that only activations left).  Its mean over the
tasks that ended (completed, dropped or failed, as device energy per task is over) is the share of
inputs that left the phone: 1.0 for a whole-task offload, 0.0 for ``local`` or a plan with its
first cut on the device, and between for a policy that decides per task.  A task rejected before
any plan sent nothing and counts as kept; a task still in flight at the end is not counted.
"""

from __future__ import annotations

from offloadsim.analysis.metric_display import Metric
from offloadsim.analysis.metric_registry import SummaryMetric, TaskMean

__all__ = ["RAW_INPUT_OFFLOADED"]

#: The registered metric (:mod:`offloadsim.analysis.metric_registry`): in summary.json and every
#: run's metrics row (so compare's and sweep's ``metrics.parquet`` and ``summary.csv``, ``compare
#: --metric`` and ``plot --metric``) and the run's printed table, after the record columns'; compare's
#: printed table shows it when asked (it would widen every comparison).  NaN (no column): a run
#: written before the records had it, or no task ended.
RAW_INPUT_OFFLOADED = SummaryMetric(
    name="raw_input_offloaded_share",
    description="share of the tasks that ended whose raw input left their source device (privacy)",
    # better: None: neither way is better in itself; a privacy constraint says which share it allows
    columns={"raw_input_offloaded_share": Metric("raw input offloaded", "%", 100.0, None, digits=1)},
    task_mean=TaskMean("raw_input_offloaded", over="spent"),
    compare=False,
    table_note="  of the tasks that ended: their raw input left the device",
)
