"""The note that a ``links:`` entry over a pattern gives each device a link of its own: no shared cell.

``between: [phone-*, ap], bandwidth: 20 Mbps`` is 20 Mbit/s for each phone, so 70 phones drew
1.4 Gbit/s of "Wi-Fi" from one access point, and nothing said that no medium is shared
(docs/scenario-format.md, "A shared cell").  Said once per entry, where one node is linked to
many devices by it, by ``validate`` and under a run's or comparison's table with its other notes.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from offloadsim.scenario.model import LinkSpec, NodeSpec
from offloadsim.scenario.units import format_quantity
from offloadsim.suggest import quoted
from offloadsim.world.notes.registry import Note, NoteContext

__all__ = [
    "KIND",
    "MANY_DEVICES",
    "merge_unshared_links",
    "unshared_link_note_provider",
    "unshared_link_notes",
]

KIND = "unshared-links"

#: One node linked to this many devices by one entry is a cell or access point, as a reader takes it.
MANY_DEVICES = 10

DOC = "(docs/scenario-format.md#a-shared-cell-links-are-not-a-shared-medium)"


def unshared_link_notes(links: Iterable[LinkSpec], nodes: Iterable[NodeSpec]) -> list[str]:
    """One line per ``links[]`` entry linking a node to :data:`MANY_DEVICES` devices or more.

    ``links``: the resolved links (one per pair, each with its entry's ``index``).
    """
    return [note.text for note in _entry_notes(links, nodes)]


def _entry_notes(links: Iterable[LinkSpec], nodes: Iterable[NodeSpec]) -> list[Note]:
    """:func:`unshared_link_notes` as notes, each keeping its entry, node, device count and rate as facts."""
    devices = {node.name for node in nodes if node.tier == "device"}
    by_entry: dict[int, list[LinkSpec]] = defaultdict(list)
    for link in links:
        by_entry[link.index].append(link)
    notes = []
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
        entry = {"entry": index, "hub": hub, "counts": [count], "rates": [rate] if same else []}
        notes.append(Note(KIND, _text([entry]), {"entries": [entry]}))
    return notes


def _text(entries: list[dict[str, Any]]) -> str:
    """The line on ``entries`` (one, or a sweep's several points' merged): each entry's links, then why."""
    said = []
    for entry in entries:
        counts, rates = entry["counts"], entry["rates"]
        devices = _either([f"{count:,}" for count in counts])
        each = (
            f"its own {_either([format_quantity(rate, 'bandwidth') for rate in rates])}"
            if rates
            else "a link of its own"
        )
        total = (
            f" ({format_quantity(rates[0] * counts[0], 'bandwidth')} in all)"
            if len(rates) == 1 and len(counts) == 1
            else ""
        )
        said.append(
            f"links[{entry['entry']}] gives each of the {devices} devices it links to {quoted(entry['hub'])} "
            f"{each}{total}"
        )
    why = f"not a share of one medium: to model a shared cell, route them through one hop {DOC}"
    return f"{'; '.join(said)}, {why}"


def _either(values: list[str]) -> str:
    """``a``, ``a or b``, ``a, b or c``: a sweep's points' values of one entry."""
    return f"{', '.join(values[:-1])} or {values[-1]}" if len(values) > 1 else values[0]


def merge_unshared_links(notes: Sequence[Note]) -> Note:
    """Several worlds' lines (a sweep's points) as one, from their facts: each entry, its counts and rates.

    A sweep of ``links[0].bandwidth`` said a line a point, alike but for the rate.
    """
    if len(notes) == 1:
        return notes[0]
    merged: dict[tuple[int, str], dict[str, Any]] = {}
    for note in notes:
        for entry in note.facts["entries"]:
            into = merged.setdefault((entry["entry"], entry["hub"]), {**entry, "counts": [], "rates": []})
            into["counts"] += [c for c in entry["counts"] if c not in into["counts"]]
            if not entry["rates"]:
                into["mixed"] = True  # some point's links differ in rate: no rate is each one's
            into["rates"] += [r for r in entry["rates"] if r not in into["rates"]]
    entries = []
    for _, entry in sorted(merged.items()):
        mixed = entry.pop("mixed", False)
        entries.append(
            {**entry, "counts": sorted(entry["counts"]), "rates": [] if mixed else sorted(entry["rates"])}
        )
    return Note(KIND, _text(entries), {"entries": entries})


def unshared_link_note_provider(context: NoteContext) -> list[Note]:
    """The provider: what the scenario's links describe, said by ``validate``, ``run`` and ``compare``.

    A run's latencies rest on those links as much as a check of the file does: each device's
    transfer at the entry's full rate, whatever the others send.
    """
    scenario = context.scenario
    return _entry_notes(scenario.links, scenario.nodes)
