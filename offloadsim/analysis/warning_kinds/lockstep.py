"""The ``lockstep`` warning: a closed loop whose users still move as one bunch from their common start.

A closed loop's users send their first requests one think draw after the loop starts: with no think
time (or a fixed one) all at once. Through a pipeline of equal transfers on links shared fairly,
requests that start together end together, so the users move as one bunch, each stage's link busy
in turn while the others idle, and only the nodes' queues (a few ms a stage) spread them, slowly.
Sixteen users on six Jetsons at 100 Mbit/s completed 6.0 tasks/s over 20 s, 8.8 over 60 s and 17.4
over 60 s after a 120 s warm-up, every link far from full: the throughput was the start's, not the
system's. A random think time of 1 µs changed nothing (8.1 over 60 s), so it is no tie-break of
events at one instant but the bunch the fair shares keep.

Two signs, either enough, where a loop has two users or more, no node was busy all the time and no
link carried its capacity (there the full one's capacity is the throughput, however the users are
spread): its completions came in bunches, their counts in bins of a quarter of its cycle (mean
latency plus think) at least :data:`BUNCHED` times as dispersed as independent users' (Poisson
counts: variance over mean 1; over 8 bins or more, a dispersion of 4 has a chance under 0.001 by
the chi-squared test of dispersion); or its completions climbed from the first quarter of the
measured time to the last by :data:`RISE` times, more than :data:`Z` Poisson deviations.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from offloadsim.analysis.metric_registry import task_chunks
from offloadsim.analysis.warning_kinds.closed_loop import loops_said, nothing_full, served
from offloadsim.analysis.warning_registry import Said, WarningInputs, WarningKind

__all__ = ["BUNCHED", "KIND", "LOCKSTEP", "RISE", "Z"]

#: The kind's name (``WarningFacts.kind``): a closed loop whose users moved in lockstep.
LOCKSTEP = "lockstep"
#: The dispersion (variance over mean) of a loop's completions per quarter-cycle called bunched.
BUNCHED = 4.0
#: The least bins of a quarter-cycle for the dispersion to be read.
LEAST_BINS = 8
#: The last quarter's completions over the first's from which a loop's rate is said to climb.
RISE = 1.25
#: The standard scores the rise must exceed: the two counts' difference over its Poisson deviation.
Z = 3.0

Pair = tuple[str, str]


def _binned(tasks: object, start_s: float, widths: Mapping[Pair, float], bins: Mapping[Pair, int]) -> dict:
    """(source, app) -> its completed tasks per bin of its width from ``start_s``, by finish time.

    One bincount a chunk over every pair's bins laid end to end, not a mask a pair: a loop on each
    of a thousand phones is a thousand pairs.
    """
    pairs = list(bins)
    index_of = {pair: i for i, pair in enumerate(pairs)}
    width = np.array([widths[pair] for pair in pairs], dtype=np.float64)
    count = np.array([bins[pair] for pair in pairs], dtype=np.int64)
    offset = np.concatenate(([0], np.cumsum(count)))
    total = np.zeros(int(offset[-1]), np.int64)
    for chunk in task_chunks(tasks, ("source", "app", "status", "finish")):
        status, states = chunk.codes("status")
        if "completed" not in states or not pairs:
            continue
        source, sources = chunk.codes("source")
        app, apps = chunk.codes("app")
        known = np.array([index_of.get((s, a), -1) for s in sources for a in apps], dtype=np.int64)
        which = known[source.astype(np.int64) * len(apps) + app] if len(known) else known
        keep = (status == states.index("completed")) & (which >= 0)
        which = which[keep]
        bin_ = np.floor((chunk.floats("finish")[keep] - start_s) / width[which])
        inside = (bin_ >= 0) & (bin_ < count[which])
        flat = offset[which[inside]] + bin_[inside].astype(np.int64)
        total += np.bincount(flat, minlength=len(total))
    return {pair: total[offset[i] : offset[i + 1]] for i, pair in enumerate(pairs)}


def _dispersion(counts: np.ndarray) -> float:
    """Variance over mean of the counts (1 for Poisson ones; 0 where there are none)."""
    mean = float(counts.mean())
    return float(counts.var()) / mean if mean > 0 else 0.0


def _climbed(first: int, last: int) -> bool:
    """Whether ``last`` is at least :data:`RISE` times ``first`` and beyond counting noise of it."""
    return last >= RISE * first and last - first > Z * math.sqrt(first + last)


def _detect(inputs: WarningInputs) -> list[Said]:
    """One warning naming the closed loops whose completions were bunched or climbed through the run."""
    if inputs.end_s is None or not nothing_full(inputs):
        return []
    widths: dict[Pair, float] = {}
    for pair, (count, total) in served(inputs.tasks).items():
        users, think = inputs.loops.get(pair, (0, math.nan))
        if users >= 2 and count and total / count + think > 0:
            widths[pair] = (total / count + think) / 4.0
    bins = {pair: max(int(inputs.duration_s / width), 4) for pair, width in widths.items()}
    start_s = inputs.end_s - inputs.duration_s
    fine = _binned(inputs.tasks, start_s, widths, {p: n for p, n in bins.items() if n >= LEAST_BINS})
    quarters = _binned(
        inputs.tasks, start_s, dict.fromkeys(widths, inputs.duration_s / 4.0), dict.fromkeys(widths, 4)
    )
    quarter_s = inputs.duration_s / 4.0
    said, numbers = [], []
    for pair in sorted(widths):
        dispersion = _dispersion(fine[pair]) if pair in fine else 0.0
        first, last = int(quarters[pair][0]), int(quarters[pair][3])
        if dispersion < BUNCHED and not _climbed(first, last):
            continue
        users, think = inputs.loops[pair]
        said.append(
            f"{pair[1]} from {pair[0]} ({users:,} users, mean think {think:.3g} s: completions per "
            f"{widths[pair]:.3g} s {dispersion:.3g} times as dispersed as independent users'; "
            f"{first / quarter_s:.3g} tasks/s in the first quarter of the measured time, "
            f"{last / quarter_s:.3g} in the last)"
        )
        numbers.append((f"{pair[0]}/{pair[1]}", dispersion))
    why = (
        "Its users sent their first requests together and stayed bunched (requests that start "
        "together on fairly shared links end together), so its stages took turns rather than "
        "overlapping: its throughput and latency depend on how long the run was, not only on what "
        "the nodes and links could serve. Spread the users (a random think time, such as think: "
        "{exponential: 20 ms}) or measure later (a longer warmup), until the quarters agree"
    )
    return loops_said("closed loop in lockstep from its users' common start", said, why, LOCKSTEP, numbers)


KIND = WarningKind(
    name=LOCKSTEP,
    detect=_detect,
    legend="a closed loop still bunched from its users' common start: it depends on the run's length",
    opening="closed loop in lockstep",
    legend_rank=6,
    length_dependent=True,
)
