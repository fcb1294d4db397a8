"""The note on the ``power:`` values a run's device energy rests on: shipped illustrative ones, or own.

The shipped ``power:`` values are illustrative (docs/scenario-format.md, "Where the shipped power
values come from"), and a run's device energy, its table's and its figures', said nothing of it.
Said by a run (its energy rests on them) and, kept in a sweep's or comparison's manifest, under
a figure of energy (``about: energy``), of the nodes it names (its facts' ``nodes``): a figure of
other nodes' energy (``--where node=edge``) leaves it out.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from offloadsim.scenario.errors import format_path
from offloadsim.world.doc_links import POWER_DOC
from offloadsim.world.notes.registry import Note, NoteContext, node_facts

__all__ = ["KIND", "SHIPPED_POWER", "power_note", "power_notes"]

KIND = "power"

_ILLUSTRATIVE = "the shipped illustrative values, not a measured device's"

#: The shipped scenarios' ``power:`` values (idle, busy, transmit, receive in W) and what the docs'
#: table says of them: three illustrative phones, and camera-multitier's Raspberry Pi.
SHIPPED_POWER: dict[tuple[float, float, float, float], str] = {
    (0.5, 3.0, 1.3, 1.0): _ILLUSTRATIVE,
    (0.3, 2.5, 1.5, 1.0): _ILLUSTRATIVE,
    (0.3, 2.5, 1.2, 0.9): _ILLUSTRATIVE,
    (2.7, 6.4, 3.7, 3.3): (
        "camera-multitier's values (idle and busy from a Raspberry Pi 4 B table of unidentified "
        "origin, the radio's illustrative)"
    ),
}


def power_notes(context: NoteContext) -> list[Note]:
    """The one line on the nodes' ``power:`` values; [] where none draws any, or for ``validate``.

    Facts: its ``keys`` and the ``nodes`` whose values it speaks of, so that a figure of other
    nodes (the edge server's energy alone) leaves out the phones' power note; a ``count:`` group
    all of whose nodes draw is named as the group, its size in ``node_groups``
    (:func:`~offloadsim.world.notes.registry.node_facts`).
    """
    if not context.here:
        return []
    drawing = [node for node in context.scenario.nodes if _draws(node.power)]
    keys = [format_path(("nodes", node.group, "power")) for node in drawing]
    nodes, sizes = node_facts((node.name for node in drawing), context.groups)  # a whole group: its name
    facts = {"keys": list(dict.fromkeys(keys)), "nodes": nodes, **({"node_groups": sizes} if sizes else {})}
    return [Note(KIND, line, facts, about="energy") for line in power_note(drawing)]


def power_note(nodes: Iterable[Any]) -> list[str]:
    """One line on the ``power:`` values a run's device energy rests on; [] where no node draws any.

    Each node group's values are said to be the shipped illustrative ones where they are (the
    docs' table), else the scenario's own, which offloadsim cannot say the source of.
    """
    said: dict[str, list[str]] = {}  # what they are -> the groups' key paths
    for node in nodes:
        power = node.power
        if not _draws(power):
            continue
        states = (power.idle_w, power.busy_w, power.transmit_w, power.receive_w)
        what = SHIPPED_POWER.get(states, "the scenario's own values, no source stated")
        key = format_path(("nodes", node.group, "power"))
        if key not in said.setdefault(what, []):
            said[what].append(key)
    if not said:
        return []
    each = "; ".join(f"{', '.join(keys)}, {what}" for what, keys in said.items())
    return [f"energy rests on {each} {POWER_DOC}"]


def _draws(power: Any) -> bool:
    """Whether a node's ``power:`` (None: none) draws anything in any state."""
    return power is not None and any((power.idle_w, power.busy_w, power.transmit_w, power.receive_w))
