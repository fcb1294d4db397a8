"""An operator's outage log cut to the run: rows before ``start`` skipped, an outage across it begun at 0 s.

A month's log read for a one-day run was refused at its first row before ``start``: the log had
to be trimmed by hand.  The entry's ``start`` says where the run begins in the log, and the run's
end where it stops, so the rest is read as the hand-trimmed log would be: a row whose changes
all come before ``start`` (an outage over before it, a ``state`` row before it) changes nothing
the run sees but the state it leaves, and a node down at ``start`` (an outage across it) starts
the run down, as a row ``down`` at ``start`` says.  The whole log is still checked (its order, its
overlapping outages); a log none of whose rows reaches ``start`` is refused, as a ``start`` that is
most likely wrong.  How many rows fell outside the run, a note says
(:mod:`~offloadsim.world.notes.outage_window`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from offloadsim.scenario.csvdata import CsvProblem, OutageStep

__all__ = ["WindowedLog", "windowed"]


@dataclass(frozen=True, slots=True)
class WindowedLog:
    """An outage log's changes from ``start`` on, with what was cut.

    ``before``: its rows wholly before ``start``; ``spanning``: the nodes down at ``start``, which
    start the run down; ``row_starts``: each row's first time from ``start`` on (0 s for a row
    across it), which the note counts the rows at or after the run's end by.
    """

    steps: tuple[OutageStep, ...]
    before: int
    spanning: tuple[str, ...]
    row_starts: tuple[float, ...]


def windowed(steps: Sequence[OutageStep], shown: str, epoch: datetime) -> WindowedLog:
    """``steps`` (in the order they apply, times from ``epoch``, below 0 before it) from 0 s on.

    >>> log = [OutageStep(-9, "a", False, 2), OutageStep(-5, "b", False, 3), OutageStep(-4, "a", True, 2),
    ...        OutageStep(7, "b", True, 3), OutageStep(8, "a", False, 4)]
    >>> cut = windowed(log, "log.csv", datetime(2026, 3, 1))
    >>> [(s.at, s.node, s.up) for s in cut.steps], cut.before, cut.spanning, cut.row_starts
    ([(0.0, 'b', False), (7, 'b', True), (8, 'a', False)], 1, ('b',), (0.0, 8))
    """
    down_at_start: dict[str, OutageStep] = {}  # a node's outage in force at 0 s, by its down's row
    for step in steps:
        if step.at < 0:
            if step.up:
                down_at_start.pop(step.node, None)
            else:
                down_at_start[step.node] = step
    ended_at_start = {s.node for s in steps if s.at == 0 and s.up and s.node in down_at_start}
    kept = [s for s in steps if s.at > 0 or (s.at == 0 and not (s.up and s.node in ended_at_start))]
    begun = [
        OutageStep(0.0, node, False, s.line)
        for node, s in down_at_start.items()
        if node not in ended_at_start
    ]
    firsts: dict[int, float] = {}  # each row's first time: its line's, folded to 0 s where it began before
    for step in [*begun, *kept]:
        firsts.setdefault(step.line, step.at)
    rows = {step.line for step in steps}
    if not firsts:
        last = max(step.at for step in steps)
        when = f"{-last:g} s before it" if last < 0 else "at it"
        raise CsvProblem(
            f"{shown}: every row is before start, {epoch.isoformat()} (simulation time 0), its last "
            f"change {when}: nothing of the log falls in the run (is start the right day?)"
        )
    return WindowedLog(
        tuple([*begun, *kept]),
        len(rows - firsts.keys()),
        tuple(s.node for s in begun),
        tuple(firsts.values()),
    )
