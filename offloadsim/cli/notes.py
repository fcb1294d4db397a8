"""The notes the commands print under their tables: the library's (:mod:`offloadsim.analysis.notes`).

Kept for the command line's imports; a plain run imports neither the other verbs' module nor
anything heavy for them.
"""

from __future__ import annotations

from offloadsim.analysis.notes import (
    UNFINISHED_SHARE,
    carried_run_notes,
    clamped_cut_notes,
    context_cut_notes,
    counted,
    dropped_runs_note,
    pooled_applications_note,
    unfinished_runs_note,
    unpowered_sources_note,
)

__all__ = [
    "counted",
    "UNFINISHED_SHARE",
    "clamped_cut_notes",
    "context_cut_notes",
    "dropped_runs_note",
    "pooled_applications_note",
    "carried_run_notes",
    "unfinished_runs_note",
    "unpowered_sources_note",
]
