"""The note on applications run in another precision than their model's, or compressed: accuracy not modelled.

:func:`~offloadsim.world.precision_note.precision_note` has the wording (the peak ratios a
precision's speed-up rests on, the plain speeds it does not speed up); said once for every run
noted, naming the runs that may place where it speaks of.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any, TypeVar

from offloadsim.world.notes.registry import Note, NoteContext, NoteLine, app_facts
from offloadsim.world.placed import Under, joined
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
    if facts is None:
        return []
    alone = {}  # each application's own line: a figure of it names no other's precision or hardware
    for app in context.apps:
        own = precision_note_facts([app], context.processors, context.under, context.groups)
        if own is not None:
            alone[app.name] = own
    return [Note(KIND, precision_note_text(facts), {**_with_apps(facts, alone), **_policies(context, alone)})]


def _policies(context: NoteContext, alone: Collection[str]) -> dict[str, Any]:
    """``under`` and ``each``, where only some of a comparison's runs place the applications ``alone``.

    The policies whose runs may place them (or, once run, did: an ``alternatives`` entry only
    ``model-select`` served), and the line a figure of each alone says, without "(under ... only)":
    a figure of ``local`` said the int8 alternative it never served.  None of them where every run does.
    """
    apps = [app for app in context.apps if app.name in alone]
    labels = None
    for app in apps:
        for proc in context.processors:
            labels = joined(labels, context.under(app, proc))
    if not labels:
        return {}

    def only(label: str) -> Under:
        def under(app: Any, proc: Any) -> tuple[str, ...] | None:
            of = context.under(app, proc)
            return None if of is None or (of and label not in of) else ()

        return under

    each = {}
    for label in labels:
        own = precision_note_facts(apps, context.processors, only(label), context.groups)
        if own is not None:
            each[label] = precision_note_text(own)
    return {"under": list(labels), "each": each}


def _with_apps(facts: dict[str, Any], alone: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """``facts`` with the applications they speak of, and (``by_app``) each one's own facts and line."""
    texts = {app: precision_note_text(own) for app, own in alone.items()}
    # no profiles: that accuracy is not modelled holds wherever the application runs
    return {**facts, **app_facts(texts), **({"by_app": dict(alone)} if len(alone) > 1 else {})}


def merge_precision_notes(notes: Sequence[Note]) -> Note:
    """Several runs' precision notes (a sweep's points, one line each) as one, from their facts.

    Each profile's peak ratio once, with the model's time ratios there as a range, and the plain
    speeds joined; a note without this version's facts is kept as the first one's text.
    """
    if not all(_current(note.facts) for note in notes):
        return notes[0]
    facts = merged_facts([note.facts for note in notes])
    apps = list(dict.fromkeys(app for note in notes for app in _alone(note.facts)))
    alone = {
        app: merged_facts([_alone(note.facts)[app] for note in notes if app in _alone(note.facts)])
        for app in apps
    }
    return Note(KIND, precision_note_text(facts), _with_apps(facts, alone) if apps else facts)


def _alone(facts: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """Each application's own facts in a note's ``facts`` (one named alone: the facts themselves)."""
    apps: list[Any] = list(facts.get("apps") or [])
    if isinstance(facts.get("by_app"), Mapping):
        return dict(facts["by_app"])
    return {str(apps[0]): facts} if len(apps) == 1 else {}


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
        if facts != note.facts:
            alone = {app: without_paired(own, paired) for app, own in _alone(note.facts).items()}
            facts = _with_apps(facts, alone) if alone else facts
        kept.append(line if facts == note.facts else Note(KIND, precision_note_text(facts), facts).line())
    return kept
