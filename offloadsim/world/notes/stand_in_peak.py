"""The note on a model's precision costed at another precision's rate on a processor it may run on.

A derived profile that states no peak for the precision uses the nearest it states along the
fallback rule (:mod:`offloadsim.models.precision`); a calibrated profile timed fp32 kernels, so
a layer in another precision is costed by its fit alone.
"""

from __future__ import annotations

from offloadsim.scenario.errors import format_path
from offloadsim.world.notes.registry import Note, NoteContext
from offloadsim.world.precision_speed import calibrated, fit_alone_note, precision_speed

__all__ = ["KIND", "stand_in_peak_notes"]

KIND = "precision-rate"


def stand_in_peak_notes(context: NoteContext) -> list[Note]:
    """One line per application and processor its hosts allow whose rate is not its precision's own."""
    notes = []
    for app in context.apps:
        if not app.precision:
            continue
        hosts = app.spec.hosts
        for proc in context.processors:
            if hosts is not None and proc.node not in hosts:
                continue
            note = precision_speed(proc, app.precision)[1]
            if note is not None and calibrated(proc) and app.graph is not None:
                note = fit_alone_note(proc, app.graph, app.precision)
            if note is not None:
                where = format_path(("applications", app.name))
                facts = {"application": app.name, "precision": app.precision, "profile": proc.profile}
                # about it and its processor alone: a figure of other applications or hardware leaves it out
                facts |= {"apps": [app.name], "profiles": [proc.profile]}
                notes.append(Note(KIND, f"{where} ({app.precision_label}) on {proc.profile}: {note}", facts))
    return notes
