"""Repeated timed runs kept clear of other processes' noise: interleaved, robust, until the time is known.

On a shared machine a kernel's wall time includes whatever else ran on its
core meanwhile. Three things keep that out of a calibration:

* **the clock**: a run is charged the CPU time of the thread that ran it
  (``time.thread_time``), which does not grow while the thread waits for a
  core; the wall time is kept beside it, and their ratio says how loaded the
  machine was (:class:`SampleSet`);
* **interleaving**: :func:`interleave` visits every runner of a batch once
  per round, so a burst of load hits one sample of many runners, not every
  sample of one;
* **a low quantile**: interference only ever adds time (a busy sibling
  core, caches and memory bandwidth shared with other jobs inflate even
  CPU time), so a kernel's time on a quiet machine is estimated by the 10th
  percentile of its runs (:data:`ESTIMATE_QUANTILE`), not the median. On a
  quiet machine the two differ by a per cent or two; on this project's
  loaded 2-core machine, two calibrations a minute apart predicted whole
  models within 2 % of each other by the 10th percentile and up to 19 %
  apart by the median (docs/calibration.md). Runs far above the median are rejected
  as interference before the spread is taken (:func:`robust_summary`), and
  runners are visited until the distribution-free 95 % confidence interval
  of the estimate is within ``target_ci`` of it, or ``max_repeats`` is reached.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = [
    "ESTIMATE_QUANTILE",
    "REJECT_MADS",
    "Runner",
    "SampleSet",
    "Summary",
    "interleave",
    "quantile_ci",
    "robust_summary",
]

#: One timed run: ``(seconds on the measuring clock, wall seconds)``.
Runner = Callable[[], tuple[float, float]]

#: The quantile of a runner's samples taken as its time on a quiet machine (see the module docstring).
ESTIMATE_QUANTILE = 0.10
#: A sample this many scaled MADs above the median is interference, not the kernel.
REJECT_MADS = 5.0
_Z95 = 1.959963984540054


@dataclass(frozen=True, slots=True)
class Summary:
    """Robust statistics of one runner's samples (seconds; spread and CI relative to the estimate)."""

    value: float  # the estimate: the ESTIMATE_QUANTILE quantile of the samples
    median: float
    spread: float  # IQR / median of the kept samples
    ci: float  # half-width of the 95 % CI of the estimate, / estimate
    kept: int
    rejected: int


def quantile_ci(samples: np.ndarray, q: float = 0.5) -> tuple[float, float]:
    """Distribution-free 95 % confidence interval of the ``q`` quantile: two order statistics.

    The ranks are ``n q ∓ 1.96 √(n q (1 − q))`` (the normal approximation to
    the binomial), so nothing is assumed about the shape of the distribution.

    >>> quantile_ci(np.arange(1.0, 21.0))  # the median of 1..20
    (6.0, 16.0)
    >>> quantile_ci(np.arange(1.0, 101.0), 0.1)
    (5.0, 17.0)
    """
    x = np.sort(np.asarray(samples, dtype=float))
    n = len(x)
    if n == 0:
        return math.nan, math.nan
    half = _Z95 * math.sqrt(n * q * (1 - q))
    lo = max(math.floor(n * q - half), 0)
    hi = min(math.ceil(n * q + half), n - 1)
    return float(x[lo]), float(x[hi])


def robust_summary(samples: np.ndarray, q: float = ESTIMATE_QUANTILE) -> Summary:
    """The ``q`` quantile of ``samples``, with their median, spread and the estimate's CI.

    Samples more than :data:`REJECT_MADS` scaled median absolute deviations
    above the median are interference and are dropped first (only slow
    outliers: nothing makes a kernel faster than itself).

    >>> s = robust_summary(np.array([1.0, 1.01, 0.99, 1.0, 1.02, 0.98, 1.0, 9.0]), q=0.5)
    >>> s.value, s.rejected
    (1.0, 1)
    """
    x = np.asarray(samples, dtype=float)
    x = x[np.isfinite(x)]
    if len(x) == 0:
        return Summary(math.nan, math.nan, math.nan, math.nan, 0, 0)
    median = float(np.median(x))
    mad = 1.4826 * float(np.median(np.abs(x - median)))
    kept = x[x <= median + REJECT_MADS * mad] if mad > 0 else x
    median = float(np.median(kept))
    value = float(np.quantile(kept, q))
    q75, q25 = np.percentile(kept, [75, 25])
    lo, hi = quantile_ci(kept, q)
    rejected = len(x) - len(kept)
    if value <= 0 or median <= 0:
        return Summary(value, median, 0.0, 0.0, len(kept), rejected)
    return Summary(value, median, float((q75 - q25) / median), (hi - lo) / 2 / value, len(kept), rejected)


@dataclass(slots=True)
class SampleSet:
    """Every run of one runner: the measuring clock's seconds and the wall seconds."""

    clock: list[float]
    wall: list[float]

    def summary(self) -> Summary:
        """Robust statistics of the clock samples."""
        return robust_summary(np.asarray(self.clock))

    def wall_summary(self) -> Summary:
        """Robust statistics of the wall samples (how noisy the machine was)."""
        return robust_summary(np.asarray(self.wall))

    @property
    def wall_ratio(self) -> float:
        """Median wall / clock over the runs: 1 on an idle core, 2 when it was shared with one other job."""
        ratios = [w / c for c, w in zip(self.clock, self.wall, strict=True) if c > 0]
        return float(np.median(ratios)) if ratios else math.nan


def interleave(
    runners: Sequence[Runner],
    *,
    min_repeats: int,
    max_repeats: int | None = None,
    target_ci: float = 0.02,
    on_done: Callable[[int], None] | None = None,
) -> list[SampleSet]:
    """Time ``runners`` round-robin, one run each per round, until each one's time is known.

    A runner leaves the rotation once it has ``min_repeats`` samples and the
    95 % CI of its estimate (:func:`robust_summary`) is within ``target_ci``
    of it, or once it has ``max_repeats`` (default ``4 × min_repeats``).
    ``on_done(i)`` is called as runner ``i`` leaves.

    >>> import itertools
    >>> ticks = itertools.count(1)
    >>> sets = interleave([lambda: (1.0, 1.0), lambda: (float(next(ticks) % 2 + 1), 2.0)],
    ...                   min_repeats=3, max_repeats=6, target_ci=0.01)
    >>> [len(s.clock) for s in sets]  # the steady one stops at 3; one alternating 1 and 2 runs on to 6
    [3, 6]
    """
    if min_repeats < 1:
        raise ValueError("min_repeats must be at least 1")
    most = max(max_repeats or 4 * min_repeats, min_repeats)
    sets = [SampleSet([], []) for _ in runners]
    active = list(range(len(runners)))
    while active:
        for i in active:
            clock, wall = runners[i]()
            sets[i].clock.append(clock)
            sets[i].wall.append(wall)
        still = []
        for i in active:
            n = len(sets[i].clock)
            done = n >= most or (n >= min_repeats and sets[i].summary().ci <= target_ci)
            if done and on_done is not None:
                on_done(i)
            if not done:
                still.append(i)
        active = still
    return sets
