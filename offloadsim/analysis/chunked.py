"""A run's task statistics from its records a chunk at a time: the summary's numbers in flat memory.

The engine's records are read back from disk a chunk at a time
(``TaskRecords.blocks()``).  :func:`task_stats` computes every number the
summary takes from them, the very floats
:func:`offloadsim.analysis.summary.summarize` computes over whole columns
(tests compare the two on runs of many chunks), while holding one chunk and
a few histograms: counts in a first pass over the chunks, then sums in
numpy's pairwise order and percentiles by radix selection
(:mod:`offloadsim.analysis.exact`) in a second, rarely more.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from offloadsim.analysis import catalogue
from offloadsim.analysis.exact import OrderStatistics, PairwiseSum, linear_percentile, percentile_ranks
from offloadsim.analysis.metric_list import registered_metrics
from offloadsim.analysis.tokens import decode_rate, output_token_rate
from offloadsim.analysis.warning_kinds.backlog import BacklogTally
from offloadsim.records.schema import STATUSES, Column, counted

__all__ = ["task_stats", "SPENT", "spent", "deadline_outcomes"]

_NAN = math.nan  # the summary's own NaN object (Summary equality compares fields by identity first)
_QUANTILES = {"p50": 50, "p95": 95, "p99": 99}  # the record-column aggregates that are percentiles

#: Picks a chunk's values for a statistic: (the chunk's columns, its status masks) -> values.
Pick = Callable[[Mapping[str, np.ndarray], Mapping[str, np.ndarray]], np.ndarray]


class _Series:
    """Values picked from each chunk, kept as the summary keeps them, reduced without holding them.

    ``keep`` is ``present`` (NaN left out, as a NaN-ignoring mean or
    percentile does), ``finite`` (infinities left out too) or ``zeroed``
    (NaN counted as 0, as ``np.nansum`` does).  ``finite`` tells whether any
    picked value (before keeping) was finite.
    """

    def __init__(
        self, pick: Pick, keep: str = "present", total: bool = False, quantiles: Sequence[float] = ()
    ) -> None:
        self.pick = pick
        self.keep = keep
        self.n = 0
        self.finite = False
        self.quantiles = tuple(quantiles)
        self._total = total
        self._sum: PairwiseSum | None = None
        self._order = OrderStatistics(self._ranks) if self.quantiles else None

    def _ranks(self, n: int) -> list[int]:
        return sorted({rank for q in self.quantiles for rank in percentile_ranks(n, q)})

    def _kept(self, values: np.ndarray) -> np.ndarray:
        if not self.finite and values.size:
            self.finite = bool(np.isfinite(values).any())
        if self.keep == "zeroed":
            return np.where(np.isnan(values), 0.0, values)
        return values[(np.isfinite if self.keep == "finite" else _not_nan)(values)]

    def scan(self, values: np.ndarray) -> None:
        """The first pass: count (and histogram, for percentiles)."""
        kept = self._kept(values)
        self.n += len(kept)
        if self._order is not None:
            self._order.add(kept)

    def start(self) -> None:
        """After the first pass: the sum's tree is known from the count; percentiles narrow."""
        if self._total:
            self._sum = PairwiseSum(self.n)
        if self._order is not None:
            self._order.end_pass()

    @property
    def pending(self) -> bool:
        """Whether another pass over the chunks is needed."""
        summing = self._sum is not None and self._sum.pending
        return summing or (self._order is not None and self._order.pending)

    def feed(self, values: np.ndarray) -> None:
        kept = self._kept(values)
        if self._sum is not None and self._sum.pending:
            self._sum.add(kept)
        if self._order is not None and self._order.pending:
            self._order.add(kept)

    def end_pass(self) -> None:
        if self._order is not None and self._order.pending:
            self._order.end_pass()

    @property
    def total(self) -> float:
        """The sum, as ``np.add.reduce`` gives it over all kept values."""
        assert self._sum is not None
        return float(self._sum.value)

    def mean(self) -> float:
        """The mean of the kept values (NaN when none), as ``ndarray.mean`` gives it."""
        assert self._sum is not None
        return float(self._sum.value / self.n) if self.n else _NAN

    def percentile(self, q: float) -> float:
        """``np.percentile`` of the kept values (NaN when none)."""
        assert self._order is not None
        return linear_percentile(self.n, q, self._order.value)


#: The outcomes whose tasks count in the device energy per task: those that ended, their energy all spent.
SPENT = ("completed", "dropped", "failed")


def spent(masks: Mapping[str, np.ndarray]) -> np.ndarray:
    """The tasks the device energy per task averages over: completed, dropped or failed.

    A task still in flight at the end holds only the energy of the steps it
    finished (0 J while its first stage runs), so counting it would read low
    under overload; its outcome is unknown, as for the deadline-miss rate.
    Both summary paths (whole columns and chunks) take the tasks from here.
    """
    return np.logical_or.reduce([masks[status] for status in SPENT])


def deadline_outcomes(
    masks: Mapping[str, np.ndarray],
    deadline: np.ndarray,
    met: np.ndarray,
    arrival: np.ndarray,
    end_s: float | None,
) -> tuple[np.ndarray, np.ndarray]:
    """The tasks with a deadline and a known outcome, and those of them that missed it.

    Known: completed, dropped or failed, or still in flight past its deadline at ``end_s`` (None:
    not known, such a task is left out); missed: completed late, dropped, failed, or in flight past
    it.  The deadline-miss rate is the second's count over the first's (the summary, chunk by
    chunk; ``latency-time`` bin by bin).
    """
    done, dropped, failed, flying = (masks[s] for s in ("completed", "dropped", "failed", "in_flight"))
    has_deadline = ~np.isnan(deadline)
    known = has_deadline & (done | dropped | failed)
    misses = (done & has_deadline & (met == 0.0)) | (has_deadline & (dropped | failed))
    if end_s is not None:
        expired = flying & has_deadline & (arrival + deadline < end_s)
        known |= expired
        misses |= expired
    return known, misses


def _not_nan(values: np.ndarray) -> np.ndarray:
    return ~np.isnan(values)


def task_stats(records: Any, duration_s: float, end_s: float | None) -> dict[str, Any]:
    """The summary's numbers about tasks, from records read with ``records.blocks()`` (one chunk at a time).

    The keys are :class:`~offloadsim.analysis.summary.Summary` fields
    (counts, latency and wait statistics, deadline counts, bytes, energy,
    LLM timings, ``drop_reasons``, ``column_metrics``) and the registered metrics that are a task
    column's mean (:class:`~offloadsim.analysis.metric_registry.TaskMean`), plus ``backlog``
    (the tasks in the system at the end of each quarter of the measured
    time, or None when not asked for) and ``in_flight_share``.
    """
    names = set(records.names)

    def floats(block: Mapping[str, np.ndarray], name: str) -> np.ndarray:
        if name not in names:
            return np.full(len(block["task_id"]), _NAN)
        return np.asarray(block[name], dtype=np.float64)

    def of_done(name: str) -> Pick:
        return lambda block, masks: floats(block, name)[masks["completed"]]

    def counted_done(col: Column) -> Pick:  # as the summary counts it (Column.counted_if)
        if not col.counted_if:
            return of_done(col.name)
        gate = col.counted_if
        return lambda block, masks: counted(floats(block, col.name), floats(block, gate))[masks["completed"]]

    def of_all(name: str) -> Pick:
        return lambda block, _masks: floats(block, name)

    def of_spent(name: str) -> Pick:
        return lambda block, masks: floats(block, name)[spent(masks)]

    def other_spent(block: Mapping[str, np.ndarray], masks: Mapping[str, np.ndarray]) -> np.ndarray:
        other = floats(block, "other_device_energy")[spent(masks)]  # NaN: written before the column
        return other[other > 0.0]

    series = {
        "latency": _Series(of_done("latency"), total=True, quantiles=(50, 95, 99)),
        "wait": _Series(of_done("wait"), total=True),
        "bytes": _Series(of_all("bytes_sent"), keep="zeroed", total=True),
        "energy": _Series(of_spent("device_energy"), total=True),
        "other": _Series(other_spent, total=True),
        "ttft": _Series(of_done("ttft"), total=True),
        "ttft_finite": _Series(of_done("ttft"), keep="finite", quantiles=(50, 95)),
        "tpot": _Series(of_done("tpot"), total=True),
        "rate": _Series(lambda block, masks: decode_rate(of_done("tpot")(block, masks)), total=True),
        "output": _Series(of_done("output_tokens"), keep="zeroed", total=True),
    }
    # The registered metrics that are a task column's mean (metric_registry.TaskMean), chunk by chunk.
    means = {metric.name: metric.task_mean for metric in registered_metrics() if metric.task_mean is not None}
    for name, mean in means.items():
        of = of_done if mean.over == "completed" else of_spent
        series[f"mean:{name}"] = _Series(of(mean.column), total=True)
    metrics = catalogue.column_metrics()
    for name, (col, aggregate, _) in metrics.items():
        series[f"every:{name}"] = _Series(of_all(col.name), keep="finite")
        quantiles = (_QUANTILES[aggregate],) if aggregate in _QUANTILES else ()
        keep = "zeroed" if aggregate == "sum" else "present"
        series[f"done:{name}"] = _Series(counted_done(col), keep, total=not quantiles, quantiles=quantiles)

    counts = _Counts(end_s, duration_s, records.rows, placed={"placement", "compute_time"} <= names)
    for block in records.blocks():
        masks = _status_masks(block)
        counts.add(block, masks, floats)
        for one in series.values():
            one.scan(one.pick(block, masks))
    for one in series.values():
        one.start()
    while any(one.pending for one in series.values()):
        active = [one for one in series.values() if one.pending]
        for block in records.blocks():
            masks = _status_masks(block)
            for one in active:
                one.feed(one.pick(block, masks))
        for one in active:
            one.end_pass()

    latency, ttft, finite_ttft, tpot = (series[k] for k in ("latency", "ttft", "ttft_finite", "tpot"))
    has_ttft = finite_ttft.n > 0
    column_metrics: dict[str, float] = {}
    for name, (_, aggregate, _) in metrics.items():
        if series[f"every:{name}"].n == 0:
            continue  # no task of the run has a value in the column
        done = series[f"done:{name}"]
        if not done.finite:
            column_metrics[name] = _NAN
        elif aggregate == "sum":
            column_metrics[name] = done.total
        elif aggregate == "mean":
            column_metrics[name] = done.mean()
        else:
            column_metrics[name] = done.percentile(_QUANTILES[aggregate])
    return {
        **counts.stats(),
        "latency_mean_s": latency.mean(),
        "latency_p50_s": latency.percentile(50),
        "latency_p95_s": latency.percentile(95),
        "latency_p99_s": latency.percentile(99),
        "wait_mean_s": series["wait"].mean(),
        "bytes_sent": series["bytes"].total if records.rows else 0.0,
        "device_energy_mean_j": series["energy"].mean(),
        **{name: series[f"mean:{name}"].mean() for name in means},
        "other_device_energy_j": series["other"].total if series["other"].n else 0.0,
        "other_device_energy_tasks": series["other"].n,
        "ttft_mean_s": ttft.mean() if has_ttft else _NAN,
        "ttft_p50_s": finite_ttft.percentile(50) if has_ttft else _NAN,
        "ttft_p95_s": finite_ttft.percentile(95) if has_ttft else _NAN,
        "tpot_mean_s": tpot.mean() if tpot.finite else _NAN,
        "decode_tokens_per_s_mean": series["rate"].mean() if series["rate"].finite else _NAN,
        "output_tokens_per_s": output_token_rate(series["output"].total, duration_s) if has_ttft else _NAN,
        "column_metrics": column_metrics,
    }


def add_whole_compute(
    whole: dict[str, tuple[float, int]], codes: np.ndarray, labels: Sequence[str], compute: np.ndarray
) -> None:
    """Add to ``whole`` (placement -> compute seconds, tasks) the tasks ``codes`` that ran on one node.

    ``codes`` index ``labels``, the placements of completed tasks, with their ``compute`` times; a
    split task's placement (``pi-0>edge``) is left out: its compute is not one node's.  The
    summary's settling warning reads a node's mean time serving a task from it.  Each node's
    seconds are added one task at a time in row order onto its total so far, so that the sum is
    the same float however the rows are cut into chunks (a chunk's own sum added on is not).
    """
    finite = np.isfinite(compute)
    codes, compute = codes[finite], compute[finite]
    if not codes.size:
        return
    names = list(dict.fromkeys(str(label) for label in labels))  # several plans share a placement
    index = {name: code for code, name in enumerate(names)}
    codes = np.array([index[str(label)] for label in labels], dtype=np.intp)[codes]
    sums = np.array([whole.get(name, (0.0, 0))[0] for name in names], dtype=np.float64)
    np.add.at(sums, codes, compute)  # unbuffered: in row order, each onto the node's running total
    counts = np.bincount(codes, minlength=len(names))
    for code in np.flatnonzero(counts):
        label = names[int(code)]
        if label and ">" not in label:
            whole[label] = (float(sums[code]), whole.get(label, (0.0, 0))[1] + int(counts[code]))


def add_decode_nodes(
    nodes: set[str], codes: np.ndarray, labels: Sequence[str], output_tokens: np.ndarray
) -> None:
    """Add to ``nodes`` the nodes that decode LLM answers: the last of an LLM task's placement.

    An LLM task (``output_tokens`` given) decodes on the last node of its placement (``phone-0>edge``:
    edge).  The summary's overload warnings say when such a node is overloaded that it serves its
    requests one at a time, with no batching.
    """
    llm = np.isfinite(output_tokens)
    for code in set(codes[llm].tolist()):  # not np.unique: it imports numpy.ma, which a run need not
        label = str(labels[int(code)])
        if label:
            nodes.add(label.rsplit(">", 1)[-1])


def _status_masks(block: Any) -> dict[str, np.ndarray]:
    codes, labels = block.codes("status")
    return {status: codes == labels.index(status) for status in STATUSES}


class _Counts:
    """Everything the summary counts, chunk by chunk: statuses, deadlines, the backlog, drop reasons.

    The backlog is :class:`BacklogTally`'s, the backlog warning's own count per source group, over
    every task: a lost task leaves when it was lost (``lost_at``), as in the whole-table summary.
    """

    def __init__(self, end_s: float | None, duration_s: float, rows: int, *, placed: bool = False) -> None:
        self.end_s = end_s
        self.placed = placed  # the records have placement and compute_time: add up whole_compute
        self.rows = rows
        self.status = dict.fromkeys(STATUSES, 0)
        self.deadline_tasks = 0
        self.deadline_misses = 0
        self.backlog: BacklogTally | None = None
        if end_s is not None and rows and duration_s > 0:
            self.backlog = BacklogTally(duration_s, end_s)
        self.retried = 0  # tasks that recovery: ran again, and those of them that completed
        self.recovered = 0
        self.reasons: dict[int, int] = {}  # reason code -> tasks dropped or failed, as first seen
        self.labels: list[str] = []
        self.whole: dict[str, tuple[float, int]] = {}  # placement on one node -> compute s, tasks
        self.decode_nodes: set[str] = set()  # the nodes that decode LLM answers

    def add(self, block: Any, masks: Mapping[str, np.ndarray], floats: Callable[..., np.ndarray]) -> None:
        done, dropped, failed = (masks[s] for s in ("completed", "dropped", "failed"))
        for status, mask in masks.items():
            self.status[status] += int(np.count_nonzero(mask))
        retried = floats(block, "retries") > 0  # NaN (no such column) compares False
        self.retried += int(np.count_nonzero(retried))
        self.recovered += int(np.count_nonzero(retried & done))
        # Deadline misses among tasks with a deadline and a known outcome (see Summary).
        known, misses = deadline_outcomes(
            masks,
            floats(block, "deadline"),
            floats(block, "deadline_met"),
            floats(block, "arrival"),
            self.end_s,
        )
        self.deadline_tasks += int(np.count_nonzero(known))
        self.deadline_misses += int(np.count_nonzero(misses))
        if self.backlog is not None:
            self.backlog.add(block, masks, np.ones(len(done), dtype=bool))
        if done.any() and self.placed:
            codes, labels = block.codes("placement")
            add_whole_compute(self.whole, codes[done], labels, floats(block, "compute_time")[done])
        if self.placed:
            codes, labels = block.codes("placement")
            add_decode_nodes(self.decode_nodes, codes, labels, floats(block, "output_tokens"))
        ended = dropped | failed
        if ended.any():
            codes, self.labels = block.codes("reason")
            codes = codes[ended]
            present, first = np.unique(codes, return_index=True)
            tally = np.bincount(codes)
            for code in present[np.argsort(first, kind="stable")]:
                self.reasons[int(code)] = self.reasons.get(int(code), 0) + int(tally[code])

    def stats(self) -> dict[str, Any]:
        reasons: dict[str, int] = {}
        for code, count in self.reasons.items():
            label = self.labels[code]
            key = label if label else "unknown"
            reasons[key] = reasons.get(key, 0) + count
        status = self.status
        backlog = None if self.backlog is None else self.backlog.counts()
        return {
            "arrived": self.rows,
            "completed": status["completed"],
            "dropped": status["dropped"],
            "failed": status["failed"],
            "in_flight": status["in_flight"],
            "deadline_tasks": self.deadline_tasks,
            "deadline_misses": self.deadline_misses,
            "retried": self.retried,
            "recovered": self.recovered,
            "drop_reasons": reasons,
            "backlog": backlog,
            "in_flight_share": status["in_flight"] / self.rows if self.rows else 0.0,
            "whole_compute": self.whole,
            "decode_nodes": self.decode_nodes,
        }
