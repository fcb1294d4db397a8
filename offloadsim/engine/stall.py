"""A count of events in a row at one simulated instant: how the engine stops a run that never advances.

A timeline, or a chain of arrivals, that keeps yielding times equal to the last one holds SimPy's
clock where it is, and the run would never end.  Three guards count such a streak (a plug-in's
timeline, a built-in kind of dynamics whose draws round to 0 s, an arrival process's zero gaps):
each asks :meth:`Streak.past` and, past its limit, raises its own error naming what stalled.
"""

from __future__ import annotations

__all__ = ["Streak"]


class Streak:
    """Events in a row at one instant, past ``limit`` of them a stall.

    >>> streak = Streak(2)
    >>> [streak.past(t) for t in (0.0, 0.0, 1.0, 1.0, 1.0)], streak.count
    ([False, False, False, False, True], 3)
    """

    __slots__ = ("at", "count", "limit")

    def __init__(self, limit: int):
        self.limit = limit
        self.at = float("nan")  # no instant yet: the first event starts a streak of one
        self.count = 0

    def past(self, now: float) -> bool:
        """Count an event at ``now``: True once more than ``limit`` fell in a row at that instant."""
        if now == self.at:
            self.count += 1
        else:
            self.at, self.count = now, 1
        return self.count > self.limit
