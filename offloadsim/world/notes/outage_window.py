"""The note that an operator's outage log reached past the run: its rows before ``start`` or after the end.

A month's log read for a one-day run is cut to the run (:mod:`~offloadsim.scenario.outage_window`):
its rows before ``start`` are skipped, an outage across ``start`` begins at 0 s, and its rows from
the run's end on change nothing.  Said so, with how many rows, that a reader of a run's outages
can tell a log cut to the run from one that held only these rows, and a ``start`` a day off (most
rows outside) shows.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from offloadsim.scenario.errors import format_path
from offloadsim.suggest import listed, quoted
from offloadsim.world.notes.registry import Note, NoteContext

if TYPE_CHECKING:
    from offloadsim.scenario.outage_window import WindowedLog

__all__ = ["KIND", "outage_window_notes", "outage_window_text"]

KIND = "outage-window"

DOC = "(docs/scenario-format.md#an-operators-outage-log)"


def outage_window_text(index: int, file: str, window: WindowedLog, end_s: float) -> str | None:
    """The note for ``dynamics[index]``'s log ``file`` cut to a run ending at ``end_s``; None: all in it.

    >>> from offloadsim.scenario.csvdata import OutageStep
    >>> from offloadsim.scenario.outage_window import WindowedLog
    >>> cut = WindowedLog((OutageStep(0.0, "edge-1", False, 3),), 40, ("edge-1",), (0.0, 30.0, 500.0))
    >>> text = outage_window_text(0, "ops.csv", cut, 120.0)
    >>> text.split(" (docs")[0].split("; ")
    ["dynamics[0].file: 41 of ops.csv's 43 rows fall outside the run: 40 wholly before start, 1 from \
the run's end (120 s, warm-up included) on", '"edge-1" is down at start, so starts the run down']
    """
    after = sum(at >= end_s for at in window.row_starts)
    if not (window.before or after or window.spanning):
        return None
    rows = window.before + len(window.row_starts)
    parts = [f"{window.before} wholly before start"] if window.before else []
    parts += [f"{after} from the run's end ({end_s:g} s, warm-up included) on"] if after else []
    outside = f"{window.before + after} of {file}'s {rows} rows fall outside the run: {', '.join(parts)}"
    nodes = listed([quoted(node) for node in window.spanning])
    spanning = (
        f"{nodes} {'is' if len(window.spanning) == 1 else 'are'} down at start, so starts the run down"
        if window.spanning
        else ""
    )
    said = "; ".join(text for text in (outside if parts else "", spanning) if text)
    return f"{format_path(('dynamics', index, 'file'))}: {said} {DOC}"


def outage_window_notes(context: NoteContext) -> list[Note]:
    """The provider: one note per ``node-schedule`` outage log with rows outside the run."""
    if context.world is None:
        return []
    notes = []
    for entry in context.world.dynamics:
        window = getattr(entry.spec, "window", None)
        if entry.kind.name != "node-schedule" or window is None:
            continue
        file = Path(str(context.scenario.dynamics[entry.index]["file"])).name
        if (text := outage_window_text(entry.index, file, window, context.scenario.end_s)) is not None:
            facts = {"dynamics": entry.index, "before": window.before, "spanning": list(window.spanning)}
            notes.append(Note(KIND, text, facts))
    return notes
