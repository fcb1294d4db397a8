"""The note on applications run in another precision than their model's, or compressed: accuracy not modelled.

:func:`~offloadsim.world.precision_note.precision_note` has the wording (the peak ratios a
precision's speed-up rests on, the plain speeds it does not speed up); said once for every run
noted, naming the runs that may place where it speaks of.
"""

from __future__ import annotations

from offloadsim.world.notes.registry import Note, NoteContext
from offloadsim.world.precision_note import precision_note

__all__ = ["KIND", "accuracy_notes"]

KIND = "precision"


def accuracy_notes(context: NoteContext) -> list[Note]:
    """The one line, or []."""
    lines = precision_note(context.apps, context.processors, context.under, context.groups)
    return [Note(KIND, line) for line in lines]  # nothing merges it: its wording is its facts
