"""The note on applications run in another precision than their model's, or compressed: accuracy not modelled.

:func:`~offloadsim.world.precision_note.precision_note` has the wording (the peak ratios a
precision's speed-up rests on, the plain speeds it does not speed up); said once for every run
noted, naming the runs that may place where it speaks of.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import TypeVar

from offloadsim.world.notes.registry import Note, NoteContext, NoteLine
from offloadsim.world.precision_note import (
    merged_facts,
    precision_note_facts,
    precision_note_text,
    without_paired,
)

__all__ = ["KIND", "accuracy_notes", "merge_precision_notes", "paired_dropped"]

KIND = "precision"


def accuracy_notes(context: NoteContext) -> list[Note]:
    """The one line, or []: its facts its ``head`` and its ``plain`` speeds (:func:`paired_dropped`)."""
    facts = precision_note_facts(context.apps, context.processors, context.under, context.groups)
    return [] if facts is None else [Note(KIND, precision_note_text(facts), facts)]


def merge_precision_notes(notes: Sequence[Note]) -> Note:
    """Several runs' precision notes (a sweep's points, one line each) as one, from their facts.

    Each profile's peak ratio once, with the model's time ratios there as a range, and the plain
    speeds joined; a note without this version's facts is kept as the first one's text.
    """
    if not all(_current(note.facts) for note in notes):
        return notes[0]
    facts = merged_facts([note.facts for note in notes])
    return Note(KIND, precision_note_text(facts), facts)


def _current(facts: object) -> bool:
    """Whether ``facts`` are this version's: ``said``, ``ratios`` and ``plain``."""
    return isinstance(facts, dict) and {"said", "ratios", "plain"} <= set(facts)


_Line = TypeVar("_Line", bound=str)


def paired_dropped(lines: Sequence[_Line], paired: Collection[str]) -> list[_Line | NoteLine]:
    """``lines`` with this note's plain speeds that a sweep's ``zip:`` pairs with the precision left out.

    ``paired``: the key paths a sweep varies together; a line that is not this kind's is kept as
    it is.  A sweep zipping ``precision [fp32, int8]`` with ``nodes.phone.processors.npu.speed``
    gives each precision its own rate: "int8 runs no faster than fp32 on ...npu" is then not so.
    """
    if not paired:
        return list(lines)
    kept: list[_Line | NoteLine] = []
    for line in lines:
        note = getattr(line, "note", None)
        if note is None or note.kind != KIND or not _current(note.facts):
            kept.append(line)
            continue
        facts = without_paired(note.facts, paired)
        kept.append(line if facts == note.facts else Note(KIND, precision_note_text(facts), facts).line())
    return kept
