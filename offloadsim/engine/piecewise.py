"""Values that change at instants (a capacity, a loss probability, up or down), integrated over windows.

A run's statistics of a changing world are time integrals of step
functions: the capacity in force (utilisation against it), the time a link
was up (availability), the loss probability in force.  Only the keys that
changed keep a log; the others are their initial value all along.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence

__all__ = ["PiecewiseLog", "down_text"]


def down_text(spans: Sequence[tuple[float, float | None]]) -> str:
    """A node's ``down`` record: its stretches down as JSON ``[[since, until], ...]`` (``null``: to the end).

    Empty where it never went down.  Kept as text so that the nodes table stays one row a node.

    >>> down_text([(2.0, 3.5), (9.0, None)]), down_text([])
    ('[[2.0, 3.5], [9.0, null]]', '')
    """
    return json.dumps([[since, until] for since, until in spans]) if spans else ""


class PiecewiseLog:
    """Step functions of time, one per key ``0 … n-1``, starting at ``start_s`` with ``initial``.

    >>> log = PiecewiseLog(0.0, [10.0, 1.0])
    >>> log.set(0, 2.0, 4.0)
    >>> log.integral(0, 1.0, 3.0), log.integral(1, 1.0, 3.0), log.value(0)
    (14.0, 2.0, 4.0)
    """

    def __init__(self, start_s: float, initial: Sequence[float]):
        self._start_s = start_s
        self._initial = list(initial)
        self._log: dict[int, list[tuple[float, float]]] = {}  # key -> [(since, value), ...]

    def set(self, key: int, now: float, value: float) -> None:
        """From ``now`` on, ``key`` has ``value`` (a second change at the same instant replaces the first)."""
        log = self._log.get(key)
        if log is None:
            log = self._log[key] = [(self._start_s, self._initial[key])]
        if log[-1][0] == now:
            log[-1] = (now, value)
        else:
            log.append((now, value))

    def value(self, key: int) -> float:
        """The value in force now (the last set)."""
        log = self._log.get(key)
        return self._initial[key] if log is None else log[-1][1]

    def changed(self, key: int) -> bool:
        """True once ``key`` has been set."""
        return key in self._log

    def spans_at(self, key: int, value: float) -> list[tuple[float, float | None]]:
        """Each stretch of time ``key`` held ``value``: ``(since, until)``, ``until`` None if it still does.

        >>> log = PiecewiseLog(0.0, [1.0])
        >>> log.set(0, 2.0, 0.0); log.set(0, 3.5, 1.0); log.set(0, 9.0, 0.0)
        >>> log.spans_at(0, 0.0)
        [(2.0, 3.5), (9.0, None)]
        """
        log = self._log.get(key) or [(self._start_s, self._initial[key])]
        spans: list[tuple[float, float | None]] = []
        for i, (since, held) in enumerate(log):
            if held == value and not (spans and spans[-1][1] == since):
                spans.append((since, log[i + 1][0] if i + 1 < len(log) else None))
            elif held == value:  # the same value set again: one stretch
                spans[-1] = (spans[-1][0], log[i + 1][0] if i + 1 < len(log) else None)
        return spans

    def integral(self, key: int, t0: float, t1: float) -> float:
        """The value integrated over ``[t0, t1]`` (value × seconds)."""
        log = self._log.get(key)
        if log is None:
            return self._initial[key] * (t1 - t0)
        total = 0.0
        for i, (since, value) in enumerate(log):
            until = log[i + 1][0] if i + 1 < len(log) else math.inf
            lo, hi = max(since, t0), min(until, t1)
            if hi > lo:
                total += value * (hi - lo)
        return total
