"""The note on task sources without ``power:`` beside powered ones: their tasks count 0 J.

A node without ``power:`` charges its tasks nothing, so where some of a workload's sources have
``power:`` and others have not, device energy per task pooled the unpowered ones' tasks as 0 J
with the powered ones' (the table's line read low), and the unpowered group's own line (a run's
by-group row, a comparison's per-group table) read ``0.00``, a Δ of 0 to every policy: "offloading
saves them nothing", where nothing was measured.  That line now reads n/a (``summarize``'s
``unpowered_groups``); the pooled mean still counts their tasks, which this note says.  Where no
source has ``power:`` the tables leave the energy out
(:func:`offloadsim.analysis.notes.unpowered_sources_note`); this is the mixed case.
Said by a run, a comparison and a sweep, and under their figures of energy.
"""

from __future__ import annotations

from offloadsim.scenario.errors import format_path
from offloadsim.world.notes.registry import Note, NoteContext, node_facts

__all__ = ["KIND", "unpowered_sources_notes"]

KIND = "unpowered-sources"

#: How many groups the line names before it counts the rest.
_NAMED = 3


def unpowered_sources_notes(context: NoteContext) -> list[Note]:
    """One line where some task sources have ``power:`` and some not; [] otherwise, or for ``validate``."""
    if not context.here:
        return []
    sources = {source for entry in context.scenario.workload for source in entry.sources}
    nodes = [node for node in context.scenario.nodes if node.name in sources]
    bare = [node for node in nodes if node.power is None]
    if not bare or len(bare) == len(nodes):
        return []
    bare_keys = list(dict.fromkeys(format_path(("nodes", node.group)) for node in bare))
    powered_keys = list(
        dict.fromkeys(format_path(("nodes", node.group)) for node in nodes if node.power is not None)
    )
    names, sizes = node_facts((node.name for node in bare), context.groups)
    facts = {
        "keys": [f"{key}.power" for key in bare_keys],
        "nodes": names,
        **({"node_groups": sizes} if sizes else {}),
    }
    return [Note(KIND, unpowered_line(bare_keys, powered_keys), facts, about="energy")]


def unpowered_line(bare: list[str], powered: list[str]) -> str:
    """The note's line: ``bare`` the unpowered sources' node keys, ``powered`` the powered ones'.

    >>> line = unpowered_line(["nodes.pi"], ["nodes.phone"])
    >>> line.startswith("device energy per task counts the tasks of nodes.pi as 0 J: no power: on those")
    True
    >>> line.endswith("nodes.pi's own reads n/a (give nodes.pi a power: entry to measure it)")
    True
    """
    those = _named(bare)
    their, give = (f"{bare[0]}'s own reads", bare[0]) if len(bare) == 1 else ("their own read", "each")
    return (
        f"device energy per task counts the tasks of {those} as 0 J: no power: on those sources, "
        f"so their energy is not measured; pooled with those of {_named(powered)}, the mean reads low, "
        f"and {their} n/a (give {give} a power: entry to measure it)"
    )


def _named(keys: list[str]) -> str:
    """``keys`` joined, the first few named and the rest counted."""
    if len(keys) <= _NAMED:
        return ", ".join(keys)
    return f"{', '.join(keys[:_NAMED])} and {len(keys) - _NAMED} more"
