"""Exact reductions of a column read a chunk at a time: numpy's sums, means and percentiles, bit for bit.

A run's records are read back from disk a chunk at a time, so its summary
must not need a whole column in memory, yet its numbers must be the ones
numpy gives over the whole column (a summary of the same records is the
same summary, however they were stored).

* numpy sums float64 pairwise: runs of at most 128 values with eight
  accumulators, longer runs split in two at a multiple of 8.  A sum of
  per-chunk sums would differ in the last bits.  :class:`PairwiseSum` takes
  the values in order and adds them in numpy's own tree, handing to numpy
  every subtree that lies within what it holds (``np.add.reduce`` of a
  slice is that subtree's sum), so it returns what ``np.add.reduce`` gives
  over the concatenated values, holding about one chunk.
* :class:`OrderStatistics` finds the k-th smallest values by radix
  selection over the floats' bit patterns (ordered as the floats are): a
  histogram of 16 bits per pass narrows each wanted value to one bin, whose
  values are gathered and sorted once they are few (:data:`GATHER`).  The
  first pass needs no ranks (it counts the values as it goes), so it can
  share a pass with whatever else counts them.
  :func:`linear_percentile` interpolates between them as ``np.percentile``
  does (its default, linear method).

The values handed in must not contain NaN (the summary filters them first,
as numpy's callers there do).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator, Iterable
from typing import Any

import numpy as np

__all__ = ["GATHER", "OrderStatistics", "PairwiseSum", "linear_percentile", "order_keys"]

_LEAF = 128  # numpy sums runs of up to this many values in one unrolled loop (PW_BLOCKSIZE)
_BITS = 16  # bits of the key narrowed per histogram pass (65,536 bins)
#: A wanted order statistic's candidates are gathered (and sorted) once at most this many remain.
GATHER = 1 << 19
_SIGN = np.uint64(1 << 63)
_TOP = (1 << 64) - 1  # the largest key


class PairwiseSum:
    """The sum of ``n`` float64 values, fed in order a chunk at a time, exactly as numpy sums them.

    >>> values = np.random.default_rng(0).exponential(size=10_000)
    >>> total = PairwiseSum(len(values))
    >>> for part in np.array_split(values, 7):
    ...     total.add(part)
    >>> bool(total.value == np.add.reduce(values))
    True
    """

    def __init__(self, n: int) -> None:
        self.n = int(n)
        self._start = 0  # the position of _held[0] among the n values
        self._held: np.ndarray = np.empty(0)
        self._seen = 0
        self._walk = self._node(0, self.n)
        self._value: np.float64 | None = None
        self._resume(None)

    def add(self, values: np.ndarray) -> None:
        """Take the next values (in order; an empty chunk is fine)."""
        values = np.asarray(values, dtype=np.float64)
        self._seen += len(values)
        if self._seen > self.n:
            raise ValueError(f"more than the {self.n} values announced")
        if self._value is None and len(values):
            self._resume(values)

    @property
    def pending(self) -> bool:
        """Whether values are still to come."""
        return self._value is None

    @property
    def value(self) -> float:
        """The sum (a numpy float64), once all ``n`` values were added."""
        if self._value is None:
            raise ValueError(f"{self._seen} of the {self.n} values announced were added")
        return self._value

    def _resume(self, values: np.ndarray | None) -> None:
        try:
            self._walk.send(values)  # type: ignore[arg-type]  # the first send must be None
        except StopIteration as finished:
            self._value = finished.value
            self._held = np.empty(0)

    def _holds(self, end: int) -> bool:
        return self._start + len(self._held) >= end

    def _node(self, lo: int, hi: int) -> Generator[None, np.ndarray, Any]:
        """The pairwise sum of positions [lo, hi) as numpy adds them; a subtree held is numpy's to sum."""
        size = hi - lo
        if size > _LEAF and not self._holds(hi):
            half = size // 2
            half -= half % 8
            left = yield from self._node(lo, lo + half)
            right = yield from self._node(lo + half, hi)
            return left + right
        while not self._holds(hi):
            more = yield  # the next chunk's values
            kept = self._held[lo - self._start :]
            self._held = np.concatenate((kept, more)) if len(kept) else more
            self._start = lo
        return np.add.reduce(self._held[lo - self._start : hi - self._start])


def order_keys(values: np.ndarray) -> np.ndarray:
    """Unsigned 64-bit keys ordered as the float64 ``values`` are (negative floats' bits flipped)."""
    bits = np.ascontiguousarray(values, dtype=np.float64).view(np.uint64)
    return np.where(bits & _SIGN, ~bits, bits | _SIGN)


def _float_of(key: int) -> np.float64:
    bits = key & ~(1 << 63) if key >> 63 else ~key & _TOP
    return np.array([bits], dtype=np.uint64).view(np.float64)[0]


class _Wanted:
    """One wanted order statistic: its key lies in [lo, hi], the rank-th smallest (from 0) there."""

    __slots__ = ("count", "found", "hi", "lo", "rank")

    def __init__(self, rank: int, count: int) -> None:
        self.rank = rank
        self.count = count  # how many values have keys in [lo, hi]
        self.lo, self.hi = 0, _TOP
        self.found: np.float64 | None = None


class _Range:
    """The values with keys in [lo, hi] in one pass: gathered when few, else counted in 16-bit bins."""

    __slots__ = ("gathered", "hi", "histogram", "lo", "shift")

    def __init__(self, lo: int, hi: int, gather: bool) -> None:
        self.lo, self.hi = lo, hi
        self.gathered: list[np.ndarray] = []
        self.shift = max(0, (hi - lo).bit_length() - _BITS)
        self.histogram = None if gather else np.zeros(((hi - lo) >> self.shift) + 1, dtype=np.int64)

    def add(self, keys: np.ndarray) -> None:
        if self.lo != 0 or self.hi != _TOP:
            keys = keys[(keys >= np.uint64(self.lo)) & (keys <= np.uint64(self.hi))]
        if self.histogram is None:
            self.gathered.append(keys)
        else:
            bins = ((keys - np.uint64(self.lo)) >> np.uint64(self.shift)).astype(np.intp)
            self.histogram += np.bincount(bins, minlength=len(self.histogram))


class OrderStatistics:
    """The k-th smallest (k from 0) of values read in passes, a chunk at a time, for the ranks wanted.

    ``ranks_of(n)`` names the ranks once the first pass has counted the
    ``n`` values.  Each pass hands every chunk to :meth:`add`, in any
    order, then calls :meth:`end_pass`; :attr:`pending` says whether
    another pass is needed (one more in most runs, at most four).  Wanted
    values in the same bin share its histogram or its gathered candidates.

    >>> values = np.random.default_rng(1).normal(size=1_000)
    >>> stats = OrderStatistics(lambda n: [0, n // 2, n - 1])
    >>> while stats.pending:
    ...     for part in np.array_split(values, 3):
    ...         stats.add(part)
    ...     stats.end_pass()
    >>> [stats.value(k) for k in (0, 500, 999)] == list(np.sort(values)[[0, 500, 999]])
    True
    """

    def __init__(self, ranks_of: Callable[[int], Iterable[int]]) -> None:
        self.n = 0
        self._ranks_of = ranks_of
        self._wanted: dict[int, _Wanted] | None = None  # known after the first pass
        self._ranges = {(0, _TOP): _Range(0, _TOP, gather=False)}

    @property
    def pending(self) -> bool:
        """Whether another pass over the values is needed."""
        return self._wanted is None or any(w.found is None for w in self._wanted.values())

    def value(self, rank: int) -> np.float64:
        """The rank-th smallest value, once found."""
        found = self._wanted[rank].found if self._wanted is not None and rank in self._wanted else None
        if found is None:
            raise ValueError(f"the value of rank {rank} is not known")
        return found

    def add(self, values: np.ndarray) -> None:
        """Count or gather one chunk's values for this pass."""
        if len(values):
            keys = order_keys(values)
            for span in self._ranges.values():
                span.add(keys)

    def end_pass(self) -> None:
        """Narrow every wanted value to one bin of its range's histogram, or pick it from those gathered."""
        if self._wanted is None:
            self.n = int(self._ranges[0, _TOP].histogram.sum())  # type: ignore[union-attr]
            self._wanted = {}
            for rank in self._ranks_of(self.n):
                if not 0 <= rank < self.n:
                    raise ValueError(f"rank {rank} is not among {self.n} values")
                self._wanted.setdefault(int(rank), _Wanted(int(rank), self.n))
        ordered: dict[tuple[int, int], np.ndarray] = {}
        for wanted in self._wanted.values():
            if wanted.found is not None:
                continue
            span = self._ranges[wanted.lo, wanted.hi]
            if span.histogram is None:
                keys = ordered.get((span.lo, span.hi))
                if keys is None:
                    gathered = span.gathered or [np.empty(0, dtype=np.uint64)]
                    keys = ordered[span.lo, span.hi] = np.sort(np.concatenate(gathered))
                if len(keys) != wanted.count:
                    raise ValueError("a pass did not see the values the first one counted")
                wanted.found = _float_of(int(keys[wanted.rank]))
                continue
            cumulative = np.cumsum(span.histogram)
            if int(cumulative[-1]) != wanted.count:
                raise ValueError("a pass did not see the values the first one counted")
            b = int(np.searchsorted(cumulative, wanted.rank, side="right"))
            wanted.rank -= int(cumulative[b - 1]) if b else 0
            wanted.count = int(span.histogram[b])
            wanted.lo = span.lo + (b << span.shift)
            wanted.hi = min(span.hi, wanted.lo + (1 << span.shift) - 1)
            if wanted.lo == wanted.hi:
                wanted.found = _float_of(wanted.lo)
        self._ranges = {}
        for wanted in self._wanted.values():
            if wanted.found is None and (wanted.lo, wanted.hi) not in self._ranges:
                self._ranges[wanted.lo, wanted.hi] = _Range(wanted.lo, wanted.hi, wanted.count <= GATHER)


def linear_percentile(n: int, q: float, at: Callable[[int], np.float64]) -> float:
    """``np.percentile`` of ``n`` values at ``q`` (0-100), given their ``at(k)``-th smallest.

    numpy's linear method, step for step (its virtual index, bounds and
    interpolation), so the result is the same float.  ``at`` is asked for
    the ranks :func:`percentile_ranks` lists.
    """
    if n == 0:
        return math.nan
    virtual = (n - 1) * np.true_divide(q, 100)
    previous = np.floor(virtual)
    if virtual >= n - 1:  # numpy takes the largest value for both ends, and keeps -1 as the index
        below = above = at(n - 1)
        previous = np.float64(-1.0)
    else:
        below, above = at(int(previous)), at(int(previous) + 1)
    gamma = float(virtual - previous)
    diff = above - below
    if gamma >= 0.5:
        return float(above - diff * (1 - gamma))
    return float(below + diff * gamma)


def percentile_ranks(n: int, q: float) -> tuple[int, ...]:
    """The ranks (from 0) of the values :func:`linear_percentile` reads for ``n`` values at ``q``."""
    if n == 0:
        return ()
    virtual = (n - 1) * np.true_divide(q, 100)
    if virtual >= n - 1:
        return (n - 1,)
    previous = int(np.floor(virtual))
    return (previous, previous + 1)
