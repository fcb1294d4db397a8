"""The notes a sweep's or comparison's manifest keeps (``precision_notes``), as a figure says them.

Each row holds a note's text, the points it holds for, its ``kind`` and its ``facts``; several
rows of a kind that merges (a plain ``speed:`` swept, or named under several policies) are said
as one line made from their facts, never from their wording.  Rows written before the facts
were kept (text only), or whose facts are not of their kind's shape, are said as written.
A leaf module: the figures read it without the world.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from offloadsim.world.notes import plain_speed
from offloadsim.world.notes.registry import Note

__all__ = ["FIGURE_MERGES", "said_of_rows"]

#: For each kind of kept note that merges: (what is wrong with a row's facts or None, the merge).
FIGURE_MERGES: dict[str, tuple[Callable[[Any], str | None], Callable[[Sequence[Note]], Note]]] = {
    plain_speed.KIND: (plain_speed.facts_problem, plain_speed.merge_plain_speed),
}


def said_of_rows(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """The lines of ``rows`` (a manifest's ``precision_notes``), each kind that merges as one line.

    The merged line stands at the first of its rows' place; distinct lines, in order.
    """
    notes: list[Note | str] = []
    for row in rows:
        kind, facts = row.get("kind"), row.get("facts")
        merge = FIGURE_MERGES.get(kind) if isinstance(kind, str) else None
        if merge is not None and merge[0](facts) is None:
            notes.append(Note(str(kind), str(row["note"]), facts))  # type: ignore[arg-type]
        else:
            notes.append(str(row["note"]))
    said: list[str] = []
    for note in notes:
        if isinstance(note, str):
            said.append(note)
            continue
        same = [n for n in notes if isinstance(n, Note) and n.kind == note.kind]
        if note is same[0]:
            said.append(FIGURE_MERGES[note.kind][1](same).text)
    return list(dict.fromkeys(said))
