"""Which of a sweep's points a line is of: `` (at points 0-9 and 20-29)``, said by notes and warnings alike.

A sweep's dry run names the points a note is of; its warnings (a check of the base's own key, an
idle processor under some of its policies) said none, though they hold at only some points.
"""

from __future__ import annotations

from offloadsim.suggest import listed

__all__ = ["points_of"]


def points_of(at: list[int], points: int, most: int = 6) -> str:
    """`` (at points 0-9 and 20-29)``: which of a sweep's ``points`` a dry run's note is of; empty: all.

    ``at``: their indices, ascending.  Consecutive points read as a range; more than ``most``
    ranges, the first ``most`` and a count (`` (at 1,500 of the 3,000 points: 0-9, ..., 50-59, ...)``).
    """
    if len(at) == points:
        return ""
    spans: list[list[int]] = []
    for i in at:
        if spans and i == spans[-1][1] + 1:
            spans[-1][1] = i
        else:
            spans.append([i, i])
    said = [said for a, b in spans for said in ([f"{a}-{b}"] if b > a + 1 else map(str, range(a, b + 1)))]
    if len(said) > most:
        return f" (at {len(at):,} of the {points:,} points: {', '.join(said[:most])}, ...)"
    return f" (at point{'s' if len(at) > 1 else ''} {listed(said)})"
