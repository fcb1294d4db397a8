"""The load offered to each node by the arrival rates a scenario gives: what a settling warning reads.

A run's settling warning asks for a run of five relaxation times of a node's queue, and the
relaxation time ``S / (c (1 - sqrt(rho))^2)`` grows without bound as ``rho`` nears 1.  Read ``rho``
from the busiest node's busy share over 60 s and it is noise: 20 phones offered 0.81 each
(``compare-load`` under ``local``: 1.5 requests/s x 0.538 s) measured 0.91 to 1.00 at their busiest,
and the length asked went from 2,518 s at 3 replications to 25,394 s at 5.  The offered load is the
scenario's rates read with the run's placements and times: each (source, application) pair's mean
arrival rate (Poisson's rate, one a period), times the share of its completed tasks the node ran
whole, times the mean compute time they took there, as measured (not a profile's nominal time: an
M/M/1 queue offered 85 % reads 77 % over 120 s, its completed tasks' mean 0.902 s).
Offered 99 % or more per core (``settling.CRITICAL_LOAD``), a node is critically loaded: the warning
asks for no length, as none practical settles it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from offloadsim.analysis.metric_registry import TaskChunk, task_chunks
from offloadsim.scenario.offered_rates import offered_rates

if TYPE_CHECKING:
    from offloadsim.scenario.model import WorkloadSpec

__all__ = [
    "RATE_UNKNOWN",
    "SPLIT_UNKNOWN",
    "closed_fed",
    "closed_loops",
    "loads_and_unknowns",
    "offered_loads",
    "offered_rates",
]

#: (source node, application) -> its mean arrival rate (requests/s), where the scenario fixes it.
Rates = Mapping[tuple[str, str], float]


def closed_loops(workload: Iterable[WorkloadSpec]) -> dict[tuple[str, str], tuple[int, float]]:
    """(source, app) -> the users per source and mean think time (s) of the closed loops feeding it.

    Told by the arrival process's own contract (``closed_loop``), the one answer every reader
    of a closed loop takes: its pairs' keys are the paced pairs (each request waits on the last
    one's service, so a node busy all run under them is at its capacity, not past it: what the
    ``overloaded`` warning asks a user to measure), its numbers what the ``closed_loop`` warning
    reads (a loop's throughput is its users over latency plus think time).  Two loops of one
    pair add their users, their think times weighed by them.
    """
    loops: dict[tuple[str, str], tuple[int, float]] = {}
    for entry in workload:
        loop = entry.arrivals.closed_loop()
        if loop is None:
            continue
        users, think = loop
        for source in entry.sources:
            had, mean = loops.get((source, entry.app), (0, 0.0))
            loops[(source, entry.app)] = (had + users, (had * mean + users * think) / (had + users))
    return loops


#: A chunk's compute nanoseconds up to which they are summed as int64, exactly.
_INT64_NS = 9.0e18


#: Why a node's offered load is not known (:func:`loads_and_unknowns`), as a warning says it.
SPLIT_UNKNOWN = "it ran part of a split task"
RATE_UNKNOWN = (
    "some of its tasks arrive at no rate the scenario fixes: a trace, "
    "or a workload not sending all the measured time"
)


def offered_loads(tasks: Any, rates: Rates) -> dict[str, float]:
    """Node -> the compute seconds a second offered it by the tasks it ran whole (its load times its cores).

    ``tasks``: a run's task records, a table in memory or records read a chunk at a time
    (``blocks()``); ``rates``: the mean arrival rate of each (source, app) pair whose rate the
    scenario fixes over the measured time.  A node is left out where some of its work is not
    known so: it ran part of a split task (``phone>edge``), or a task of a pair without a rate
    (:func:`loads_and_unknowns` says which and why).
    """
    return loads_and_unknowns(tasks, rates)[0]


def loads_and_unknowns(
    tasks: Any, rates: Rates, paced: frozenset[tuple[str, str]] = frozenset()
) -> tuple[dict[str, float], dict[str, str]]:
    """:func:`offered_loads`, and node -> why its offered load is not known (:func:`closed_fed`)."""
    loads, unknown, _, _ = closed_fed(tasks, rates, paced)
    return loads, unknown


def closed_fed(
    tasks: Any, rates: Rates, paced: frozenset[tuple[str, str]] = frozenset()
) -> tuple[dict[str, float], dict[str, str], frozenset[str], dict[str, float | None]]:
    """:func:`offered_loads`, and node -> why its offered load is not known, for the nodes it leaves out.

    A warning that reads offered loads says a busy node it cannot load rather than leaving it out
    silently (the ``overloaded`` kind): why is ``SPLIT_UNKNOWN`` or ``RATE_UNKNOWN``.  A node all
    of whose tasks without a rate come from ``paced`` pairs (closed loops: :func:`closed_loops`) is
    in neither: it is offered no more than it serves.  So is a node that ran part of a split task
    where every task it ran came from a closed loop: a pipeline's first stage busy all run under
    one was said overloaded, and told to run the closed loop it already was.  Third, the nodes
    every task of which (whole or a part of a split one) came from ``paced`` pairs: fed only by
    closed loops, they are no open queue, and the settling warning's M/M/1 relaxation time is not
    theirs (a 1-user loop, no queue at all, was told to run 8,289 s).  Fourth, the nodes fed by
    both (mixed): node -> the load its open-loop pairs alone offer it (their rates times the compute
    seconds of their tasks it ran whole, as above), None where that is not known (a pair without a
    rate, or part of a split task from an open loop): its busy share counts the closed loops' work
    too, which is no open queue's.
    """
    done: dict[tuple[str, str], int] = {}  # pair -> its completed tasks
    work: dict[str, dict[tuple[str, str], float]] = {}  # node -> pair -> compute ns of those it ran whole
    split: dict[str, set[tuple[str, str]]] = {}  # node -> the pairs of the split tasks it ran part of
    for chunk in task_chunks(tasks, ("source", "app", "placement", "status", "compute_time")):
        for node, pair, count, total in _chunk_work(chunk):
            done[pair] = done.get(pair, 0) + count
            if ">" in node or ":" in node:  # a split task: its nodes' share of the work is not one task's
                for part in node.split(">"):
                    split.setdefault(part.split(":", 1)[0], set()).add(pair)
            elif node:
                work.setdefault(node, {})
                work[node][pair] = work[node].get(pair, 0) + total
    nodes = set(work) | set(split)
    fed = {node: split.get(node, set()) | set(work.get(node, ())) for node in nodes}
    closed = frozenset(node for node in nodes if fed[node] <= paced)
    paced_only = closed & set(split)

    def load(node: str, pairs: Iterable[tuple[str, str]]) -> float:
        """The compute seconds a second ``pairs`` offer ``node``: their rates times those it ran whole."""
        return sum(rates[pair] * (float(work[node][pair]) / 1e9) / done[pair] for pair in sorted(pairs))

    mixed: dict[str, float | None] = {}
    for node in nodes:
        if fed[node] & paced and fed[node] - paced:
            open_pairs = [pair for pair in work.get(node, {}) if pair not in paced]
            known = not (split.get(node, set()) - paced) and all(pair in rates for pair in open_pairs)
            mixed[node] = load(node, open_pairs) if known else None
    loads, unknown = {}, dict.fromkeys(sorted(set(split) - paced_only), SPLIT_UNKNOWN)
    for node, pairs in work.items():
        if node in paced_only:
            continue
        if node in unknown:
            continue
        unrated = [pair for pair in pairs if pair not in rates]
        if unrated:
            if not all(pair in paced for pair in unrated):
                unknown[node] = RATE_UNKNOWN
            continue
        loads[node] = load(node, pairs)
    return loads, unknown, closed, mixed


def _chunk_work(chunk: TaskChunk) -> list[tuple[str, tuple[str, str], int, float]]:
    """(placement, (source, app), completed tasks, their compute nanoseconds) of a chunk, a row a group.

    Grouped by the columns' integer codes, not their strings (a string a task, sorted, cost some
    7k instructions a task of (b), issue 12); the groups come in the order of their joined names
    (placement, RS, source, US, app: the separators sort before any name), as when they were grouped
    by those strings.  Their compute time is whole nanoseconds (int64, exact, so chunks add up to the
    whole column's sum; floats only past about 285 years of compute in one chunk).  ``""``: no value.
    """
    status, states = chunk.codes("status")
    completed = status == states.index("completed") if "completed" in states else np.zeros(chunk.rows, bool)
    key = np.zeros(int(completed.sum()), dtype=np.int64)
    names: list[list[str]] = []
    for column in ("placement", "source", "app"):
        codes, labels = chunk.codes(column)
        position = {label: at for at, label in enumerate(dict.fromkeys(["", *labels]))}  # labels repeat
        dense = np.array([0, *(position[label] for label in labels)], dtype=np.int64)
        key = key * len(position) + dense[codes[completed] + 1]  # code -1 (no value) reads ""
        names.append(list(position))
    seconds = chunk.floats("compute_time")[completed]
    # Whole nanoseconds, summed exactly: a node's load is then the same however the records were
    # chunked (float sums a chunk at a time differed in the last bits from one over a whole column).
    nanoseconds = np.rint(np.where(np.isfinite(seconds), seconds, 0.0) * 1e9)
    exact = float(nanoseconds.sum()) < _INT64_NS  # else (some 290 years of compute) floats, chunk-dependent
    weights = nanoseconds.astype(np.int64) if exact else nanoseconds
    size = len(names[0]) * len(names[1]) * len(names[2])
    if size <= 4 * len(key) + 4096:  # few groups: counted in place, without a sort
        counts = np.bincount(key, minlength=size)
        keys = np.flatnonzero(counts)
        group = key
    else:
        keys, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
        group, size = inverse.ravel(), len(keys)
    sums = np.zeros(size, dtype=weights.dtype)
    np.add.at(sums, group, weights)
    if size != len(keys):
        counts, sums = counts[keys], sums[keys]
    rows = []
    for code, count, total in zip(keys.tolist(), counts.tolist(), sums.tolist(), strict=True):
        rest, app = divmod(code, len(names[2]))
        place, source = divmod(rest, len(names[1]))
        rows.append((names[0][place], (names[1][source], names[2][app]), count, total))
    rows.sort(key=lambda row: f"{row[0]}\x1e{row[1][0]}\x1f{row[1][1]}")
    return rows
