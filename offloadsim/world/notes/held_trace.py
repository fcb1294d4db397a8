"""The note that a link trace played once ends long before the run: its last row holds to the end.

A drive test's 120 one-second rows driving a 200 s run left the link at the last second's rate for
the last 80 s: documented (``loop: false``, the default, holds the last row), but neither ``run``
nor a figure said so, and a latency-over-time figure's flat stretch read as measured.  Said where
the time from a ``link-trace``'s last row to the run's end (warm-up included) is more than
:data:`HELD_GAPS` times the trace's median gap between rows, in a trace of three rows or more: a step
written to hold its last value (a rate falling once at 10 s in a 30 s run) is not of them.  So is a
gap inside it of more than as many gaps (a drive test's minute out of coverage, logged as no rows):
the row before it holds through it, where the link may have carried nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from offloadsim.scenario.errors import format_path
from offloadsim.world.notes.registry import Note, NoteContext

__all__ = ["HELD_GAPS", "KIND", "held_gap_text", "held_trace_notes", "held_trace_text"]

KIND = "held-trace"

#: How many of its median gaps a trace's held tail (or a gap inside it) may last before it is said.
HELD_GAPS = 10.0

#: Times in a file are decimals: a gap of ten 0.1 s rows reads 10.000000000000002 of them, not more.
_ROUNDING = 1e-9

DOC = "(docs/scenario-format.md#link-traces-kind-link-trace)"
GAPS_DOC = "(docs/scenario-format.md#traces-from-measurements-a-drive-test-an-outage-log-a-cell-log)"


def held_trace_text(index: int, file: str, times: np.ndarray, end_s: float) -> str | None:
    """The note for ``dynamics[index]``'s trace of row ``times`` in a run ending at ``end_s``; None if none.

    >>> text = held_trace_text(0, "drive.csv", np.arange(120.0), 200.0)
    >>> text.split(": its")[0]
    'dynamics[0].file: drive.csv ends at 119 s (rows every 1 s) and is played once'
    >>> text.split("; ")[0].split("values ")[1]
    'hold for the last 81 s of the run (to 200 s, warm-up included, 40 % of it)'
    >>> held_trace_text(0, "step.csv", np.array([0.0, 10.5]), 30.0) is None
    True
    """
    if len(times) < 3:
        return None  # one row, a constant; two, a step: meant to hold, with no spacing of rows to read
    last = float(times[-1])
    held = end_s - last
    gap = float(np.median(np.diff(times)))
    if held <= HELD_GAPS * gap * (1 + _ROUNDING):
        return None
    where = format_path(("dynamics", index, "file"))
    return (
        f"{where}: {file} ends at {last:g} s (rows every {gap:g} s) and is played once: its last row's "
        f"values hold for the last {held:g} s of the run (to {end_s:g} s, warm-up included, "
        f"{100 * held / end_s:.0f} % of it); loop: true plays it again {DOC}"
    )


def held_gap_text(index: int, file: str, times: np.ndarray, lines: Sequence[int]) -> str | None:
    """The note on the gaps of ``dynamics[index]``'s trace longer than ten of its rows' spacing; None if none.

    ``lines``: each row's line in the file.

    >>> times = np.array([0.0, 1, 2, 3, 63, 64, 65, 165, 166])
    >>> text = held_gap_text(0, "drive.csv", times, range(2, 11))
    >>> text.split(" (the first")[0]
    'dynamics[0].file: drive.csv has rows every 1 s but 2 gaps longer than ten of them'
    >>> text.split(" of them ")[1].split(":")[0]
    '(the first 60 s from 3 s, line 5 to line 6)'
    >>> held_gap_text(0, "step.csv", np.array([0.0, 10.5, 11.0]), range(2, 5)) is None
    True
    """
    if len(times) < 3:
        return None
    gaps = np.diff(times)
    gap = float(np.median(gaps))
    long = np.flatnonzero(gaps > HELD_GAPS * gap * (1 + _ROUNDING))
    if not long.size:  # never with three rows: neither of two gaps passes ten times their mean
        return None
    first = int(long[0])
    count = f"{long.size} gaps" if long.size > 1 else "a gap"
    which = "the first " if long.size > 1 else ""
    where = format_path(("dynamics", index, "file"))
    return (
        f"{where}: {file} has rows every {gap:g} s but {count} longer than ten of them ({which}"
        f"{float(gaps[first]):g} s from {float(times[first]):g} s, line {lines[first]} to line "
        f"{lines[first + 1]}): the row before a gap holds through it; a row of 0 bps at its start says the "
        f"link carried nothing {GAPS_DOC}"
    )


def held_trace_notes(context: NoteContext) -> list[Note]:
    """The provider: one note per ``link-trace`` entry played once whose last row holds long."""
    if context.world is None:
        return []
    end_s = context.scenario.end_s
    notes = []
    for entry in context.world.dynamics:
        if entry.kind.name != "link-trace" or entry.spec.period_s is not None:
            continue
        file = Path(str(context.scenario.dynamics[entry.index]["file"])).name
        rows = entry.spec.rows
        times = np.asarray(rows.times, dtype=float)
        if (text := held_gap_text(entry.index, file, times, rows.lines)) is not None:
            notes.append(Note(KIND, text, {"dynamics": entry.index}))
        if (text := held_trace_text(entry.index, file, times, end_s)) is not None:
            facts = {"dynamics": entry.index, "last_s": float(rows.times[-1]), "end_s": end_s}
            notes.append(Note(KIND, text, facts))
    return notes
