"""Jain's fairness index over the task sources' mean latencies: whether a policy serves every device alike.

A mean latency over every task hides a policy that serves the phones near the edge well and the
cameras behind a slow radio badly.  Jain, Chiu and Hawe's index (DEC-TR-301, Digital Equipment
Corporation, 1984) of the sources' mean latencies ``x_1 … x_n``,
``J = (Σ x_i)² / (n Σ x_i²)``, is 1 when every source's tasks took as long on average and falls
towards ``1/n`` as one source's mean dominates; it does not depend on the unit, and reads the
same for latencies twice as long.  A source is each task's ``source`` device; its mean is over
its completed tasks, as the summary's mean latency is, and a source none of whose tasks completed
has no mean and is left out.  Fewer than two sources with a mean: not defined (NaN).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from offloadsim.analysis.metric_display import Metric
from offloadsim.analysis.metric_registry import RunTables, SummaryMetric, task_chunks

__all__ = ["jain_index", "source_latency_fairness", "LATENCY_FAIRNESS"]


def jain_index(values: Iterable[float]) -> float:
    """Jain's fairness index ``(Σ x)² / (n Σ x²)`` of the finite ``values``; NaN for fewer than two.

    >>> jain_index([1.0, 1.0, 1.0]), round(jain_index([10.0, 20.0, 30.0]), 3), jain_index([4.0, 0.0])
    (1.0, 0.857, 0.5)
    """
    x = np.asarray(list(values), dtype=np.float64)
    x = x[np.isfinite(x)]
    if x.size < 2:
        return math.nan
    squares = float((x * x).sum())
    return float(x.sum()) ** 2 / (x.size * squares) if squares > 0 else 1.0  # all 0: all alike


def source_latency_fairness(tasks: Any) -> float:
    """:func:`jain_index` of each source's mean latency over its completed tasks; NaN below two sources.

    ``tasks``: a DataFrame, a mapping of columns (``source``, ``status``, ``latency``), or the
    engine's records, read a chunk at a time with ``blocks()`` (:func:`task_chunks`).  Without one
    of those columns: NaN.
    """
    index: dict[str, int] = {}  # source -> its place in the totals
    totals, counts = np.zeros(0), np.zeros(0)
    for chunk in task_chunks(tasks, ("source", "status", "latency")):
        if chunk.absent:
            return math.nan
        codes, labels = chunk.codes("source")
        where = np.array([index.setdefault(str(label), len(index)) for label in labels], dtype=np.int64)
        if len(index) > totals.size:
            totals = np.concatenate([totals, np.zeros(len(index) - totals.size)])
            counts = np.concatenate([counts, np.zeros(len(index) - counts.size)])
        status, states = chunk.codes("status")
        completed = status == (states.index("completed") if "completed" in states else -2)  # -2: none
        latency = chunk.floats("latency")
        keep = completed & np.isfinite(latency) & (codes >= 0)
        # Added one task at a time in the tasks' order, whatever the chunks: the same sums (to the
        # last bit) from the engine's records read a chunk at a time as from a whole column.
        np.add.at(totals, where[codes[keep]], latency[keep])
        np.add.at(counts, where[codes[keep]], 1.0)
    order = [index[source] for source in sorted(index)]  # summed in one order, however they came
    totals, counts = totals[order], counts[order]
    served = counts > 0
    return jain_index(totals[served] / counts[served])


def _of_run(run: RunTables) -> float:
    """The run's :func:`source_latency_fairness` (the tasks as the run's tables hold them)."""
    return source_latency_fairness(run.tasks)


#: The registered metric (:mod:`offloadsim.analysis.metric_registry`): in the summary, and in a
#: run's metrics row (so compare's and sweep's tables) only where two sources or more have a
#: completed task.  Its places keep where it was before the registry (under the latency rows).
LATENCY_FAIRNESS = SummaryMetric(
    name="latency_fairness",
    description="Jain's fairness index of the task sources' mean latencies (1: every source alike)",
    # "Jain" as its unit: headings read "latency fairness (Jain)", the run's table "0.953  Jain's index ...".
    columns={"latency_fairness": Metric("latency fairness", "Jain", 1.0, "higher", digits=3)},
    compute=_of_run,
    sweep=("latency_fairness",),
    table_note="'s index of the sources' mean latencies (1: all alike)",
    table_place="latency",
    row_place="elsewhere",
    catalogue_place="elsewhere",
    of_completed=True,
)
