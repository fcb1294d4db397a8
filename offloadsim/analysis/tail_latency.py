"""p99.9 latency, with a 95 % CI only where the sample holds one: the tail a headset's frames see.

The p99 hides the one frame in a thousand an AR user notices.  ``latency_p999_s`` is the 99.9th
percentile of the completed tasks' latencies (numpy's linear method, as the summary's p99), and
``latency_p999_low_s`` / ``latency_p999_high_s`` bound it: the distribution-free order-statistic
interval (:func:`~offloadsim.analysis.statistics.quantile_ci_ranks`), which assumes nothing of the
latencies' shape.  That interval needs :data:`LEAST_FOR_CI` completed tasks (3,688): with fewer,
even the largest latency is below the true p99.9 with probability over 2.5 % (``0.999^n > 0.025``),
so no latency of the run bounds it from above, and the bounds are NaN (no column) rather than a
number that claims more than the run shows.  Consecutive tasks' latencies are correlated (one
queue serves them), so the interval is narrower than a long run's spread across seeds; compare's
CI over replications (``summary.csv``) is the one to quote.
"""

from __future__ import annotations

import math
import weakref
from typing import Any

import numpy as np

from offloadsim.analysis.exact import OrderStatistics, linear_percentile, percentile_ranks
from offloadsim.analysis.metric_display import Metric, table_number
from offloadsim.analysis.metric_registry import RunTables, SummaryMetric, task_chunks
from offloadsim.analysis.statistics import quantile_ci_least_n, quantile_ci_ranks

__all__ = ["LATENCY_P999", "LATENCY_P999_HIGH", "LATENCY_P999_LOW", "LEAST_FOR_CI", "p999_with_ci"]

QUANTILE = 99.9
#: The fewest completed tasks whose p99.9 has a 95 % CI inside the sample.
LEAST_FOR_CI = quantile_ci_least_n(QUANTILE / 100)
_NONE = (math.nan, math.nan, math.nan)
_BELOW = f"none below {LEAST_FOR_CI:,} completed tasks"


def p999_with_ci(tasks: Any) -> tuple[float, float, float]:
    """(p99.9, CI low, CI high) of the completed tasks' latencies: NaN bounds below LEAST_FOR_CI.

    ``tasks``: the engine's records (read a chunk at a time) or a table; all NaN without a
    completed task or without the ``status`` and ``latency`` columns.
    """
    ci: list[tuple[int, int] | None] = [None]

    def ranks(n: int) -> list[int]:
        ci[0] = quantile_ci_ranks(n, QUANTILE / 100)
        return sorted({*percentile_ranks(n, QUANTILE), *(ci[0] or ())})

    order = OrderStatistics(ranks)
    while order.pending:
        for chunk in task_chunks(tasks, ("status", "latency")):
            if chunk.absent:
                return _NONE
            status, states = chunk.codes("status")
            completed = status == (states.index("completed") if "completed" in states else -2)
            latency = chunk.floats("latency")[completed]
            order.add(latency[np.isfinite(latency)])
        order.end_pass()
    if order.n == 0:
        return _NONE
    p999 = linear_percentile(order.n, QUANTILE, order.value)
    if ci[0] is None:
        return p999, math.nan, math.nan
    low, high = ci[0]
    return p999, float(order.value(low)), float(order.value(high))


#: Each run's (p99.9, low, high), computed once for its three metrics: weakly keyed by the run's
#: tables, so it holds no run past its summary.
_OF_RUN: weakref.WeakKeyDictionary[RunTables, tuple[float, float, float]] = weakref.WeakKeyDictionary()


def _of_run(run: RunTables, part: int) -> float:
    """One of the run's (p99.9, CI low, CI high), the three read in one go (a few passes over the tasks)."""
    found = _OF_RUN.get(run)
    if found is None:
        found = _OF_RUN[run] = p999_with_ci(run.tasks)
    return found[part]


def _table_row(summary: Any) -> tuple[str, str, str] | None:
    """``p99.9 latency  14.1  ms  (95 % CI 13.9 to 14.6 ms)``, or why the run has no CI of it."""
    value = summary.metric("latency_p999_s")
    if math.isnan(value):
        return None
    low, high = summary.metric("latency_p999_low_s"), summary.metric("latency_p999_high_s")
    if math.isnan(low):
        said = f"no CI: {summary.completed:,} completed tasks, a p99.9's needs {LEAST_FOR_CI:,}"
    else:
        said = f"95 % CI {table_number(low * 1e3)} to {table_number(high * 1e3)} ms"
    return ("p99.9 latency", table_number(value * 1e3), f"ms  ({said})")


def _metric(name: str, part: int, label: str, description: str, **more: Any) -> SummaryMetric:
    return SummaryMetric(
        name=name,
        description=description,
        columns={name: Metric(label, "ms", 1e3, "lower", overload_marked=True)},
        compute=lambda run: _of_run(run, part),
        of_completed=True,
        **more,
    )


#: The registered metrics (:mod:`offloadsim.analysis.metric_registry`): in summary.json and every
#: run's metrics row (so compare's ``summary.csv`` and ``plot --metric latency_p999_s``); the run's
#: table shows the p99.9 with its CI on one row under the latencies, compare's when asked.
LATENCY_P999 = _metric(
    "latency_p999_s",
    0,
    "p99.9 latency",
    "99.9th percentile of the completed tasks' latencies",
    compare=False,
    table_row=_table_row,
    table_place="latency",
)
LATENCY_P999_LOW = _metric(
    "latency_p999_low_s",
    1,
    "p99.9 latency 95 % CI low",
    f"lower end of the p99.9 latency's distribution-free 95 % CI ({_BELOW})",
    compare=False,
)
LATENCY_P999_HIGH = _metric(
    "latency_p999_high_s",
    2,
    "p99.9 latency 95 % CI high",
    f"upper end of the p99.9 latency's distribution-free 95 % CI ({_BELOW})",
    compare=False,
)
