"""The note that a ``links:`` entry over a pattern gives each device a link of its own: no shared cell.

``between: [phone-*, ap], bandwidth: 20 Mbps`` is 20 Mbit/s for each phone, so 70 phones drew
1.4 Gbit/s of "Wi-Fi" from one access point, and nothing said that no medium is shared
(docs/scenario-format.md, "A shared cell").  Said once per entry, where one node is linked to
many devices by it, by ``validate`` and under a run's or comparison's table with its other notes.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from offloadsim.scenario.model import LinkSpec, NodeSpec
from offloadsim.scenario.units import format_quantity
from offloadsim.suggest import quoted
from offloadsim.world.notes.registry import Note, NoteContext

__all__ = ["KIND", "MANY_DEVICES", "unshared_link_note_provider", "unshared_link_notes"]

KIND = "unshared-links"

#: One node linked to this many devices by one entry is a cell or access point, as a reader takes it.
MANY_DEVICES = 10

DOC = "(docs/scenario-format.md#a-shared-cell-links-are-not-a-shared-medium)"


def unshared_link_notes(links: Iterable[LinkSpec], nodes: Iterable[NodeSpec]) -> list[str]:
    """One line per ``links[]`` entry linking a node to :data:`MANY_DEVICES` devices or more.

    ``links``: the resolved links (one per pair, each with its entry's ``index``).
    """
    devices = {node.name for node in nodes if node.tier == "device"}
    by_entry: dict[int, list[LinkSpec]] = defaultdict(list)
    for link in links:
        by_entry[link.index].append(link)
    lines = []
    for index, pairs in sorted(by_entry.items()):
        partners = Counter(
            hub for link in pairs for hub, other in ((link.a, link.b), (link.b, link.a)) if other in devices
        )
        if not partners:
            continue
        hub, count = partners.most_common(1)[0]
        if count < MANY_DEVICES:
            continue
        rate = pairs[0].bandwidth_bps
        same = all(link.bandwidth_bps == rate for link in pairs)
        each = f"its own {format_quantity(rate, 'bandwidth')}" if same else "a link of its own"
        total = f" ({format_quantity(rate * count, 'bandwidth')} in all)" if same else ""
        lines.append(
            f"links[{index}] gives each of the {count} devices it links to {quoted(hub)} {each}{total}, "
            f"not a share of one medium: to model a shared cell, route them through one hop {DOC}"
        )
    return lines


def unshared_link_note_provider(context: NoteContext) -> list[Note]:
    """The provider: what the scenario's links describe, said by ``validate``, ``run`` and ``compare``.

    A run's latencies rest on those links as much as a check of the file does: each device's
    transfer at the entry's full rate, whatever the others send.
    """
    scenario = context.scenario
    return [Note(KIND, text) for text in unshared_link_notes(scenario.links, scenario.nodes)]
