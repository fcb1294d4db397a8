"""When each node was down during a run, for its availability (the fraction of the measured time up).

The kernel tells :class:`Uptime` when a node goes down (a failure, a flat
battery) and comes back; :meth:`Uptime.availability` integrates over any
window once the run is over.  Nothing here runs per task.
"""

from __future__ import annotations

__all__ = ["Uptime"]


class Uptime:
    """Each node's down intervals, as ``[start, end)`` (``end`` infinite while still down)."""

    __slots__ = ("_down",)

    def __init__(self) -> None:
        self._down: dict[str, list[list[float]]] = {}

    def down(self, node: str, at: float) -> None:
        """``node`` went down at ``at`` (again while down: no change)."""
        spans = self._down.setdefault(node, [])
        if not spans or spans[-1][1] != float("inf"):
            spans.append([at, float("inf")])

    def up(self, node: str, at: float) -> None:
        """``node`` came back up at ``at`` (while up: no change)."""
        spans = self._down.get(node)
        if spans and spans[-1][1] == float("inf"):
            spans[-1][1] = at

    def availability(self, node: str, t0: float, t1: float) -> float:
        """The fraction of ``[t0, t1]`` that ``node`` was up (1.0 for an empty window).

        >>> uptime = Uptime()
        >>> uptime.down("edge", 2.0); uptime.up("edge", 4.0); uptime.down("edge", 9.0)
        >>> uptime.availability("edge", 0.0, 10.0)
        0.7
        """
        if t1 <= t0:
            return 1.0
        lost = sum(max(0.0, min(end, t1) - max(start, t0)) for start, end in self._down.get(node, ()))
        return 1.0 - lost / (t1 - t0)
