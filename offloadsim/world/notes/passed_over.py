"""The note on a profile name whose lookup passed over a file: a shipped profile shadowed, or a file not read.

Both follow the documented lookup order, and both were silent (docs/profiles.md).
"""

from __future__ import annotations

from offloadsim.world.notes.registry import Note, NoteContext

__all__ = ["KIND", "passed_over_notes"]

KIND = "passed-over-profile"


def passed_over_notes(context: NoteContext) -> list[Note]:
    """One line per profile name the processors give whose lookup passed over a file."""
    named = {
        proc.spec.profile: getattr(proc.costs, "path", None) or None
        for proc in context.processors
        if proc.spec.profile
    }
    if not named:
        return []
    from functools import partial

    from offloadsim.world.profiles.builtin import kept_while_planning
    from offloadsim.world.profiles.search import passed_over, profile_search_path

    dirs = profile_search_path(context.scenario.base_dir or None)
    notes = []
    for name, read in named.items():  # at every point of a sweep's planning, the same files: looked for once
        about = ("passed-over", name, str(read), *map(str, dirs))
        line = kept_while_planning(about, (), partial(passed_over, name, read, dirs))
        if line is not None:
            notes.append(Note(KIND, line, {"profile": name, "read": None if read is None else str(read)}))
    return notes
