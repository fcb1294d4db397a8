"""The note that a plan's transfer relayed through one hop crosses two links, each its own capacity.

A camera's resnet50 split over three boxes behind one access point (``between: [ap, box-*],
bandwidth: 100 Mbps``, a ``fixed`` plan over ``box-0, box-1, box-2``) sends each cut box -> ap ->
box: in and out of the access point over two links of one entry, each with its own 100 Mbit/s each
way.  On one shared Wi-Fi cell each relayed transfer crosses the medium twice and every transfer
shares it, so the simulated throughput reads far above what such a cell carries; ``validate``
said only ``ok``, and the per-device note (:mod:`~offloadsim.world.notes.unshared_links`) speaks
of 10 devices or more.  Said where a plan's consecutive stations are linked to one hop, and not
to each other, by the same ``links[]`` entry.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence

from offloadsim.scenario.model import LinkSpec
from offloadsim.suggest import quoted
from offloadsim.world.notes.registry import Note, NoteContext
from offloadsim.world.notes.unshared_links import DOC

__all__ = ["KIND", "relayed_link_notes", "relayed_link_note_provider"]

KIND = "relayed-links"


def relayed_link_notes(links: Iterable[LinkSpec], plans: Iterable[Sequence[str]]) -> list[str]:
    """One line per ``links[]`` entry over which some plan's transfer goes into one hop and out again.

    ``links``: the resolved links (one per pair, each with its entry's ``index``); ``plans``: each
    plan's stations in order (a ``fixed`` policy's ``nodes``).  A transfer between consecutive
    stations X and Y is relayed where no link joins them and one entry links both to a hop H.
    """
    entry_of: dict[frozenset[str], int] = {}
    neighbours: dict[str, set[str]] = {}
    for link in links:
        entry_of[frozenset((link.a, link.b))] = link.index
        neighbours.setdefault(link.a, set()).add(link.b)
        neighbours.setdefault(link.b, set()).add(link.a)
    relayed: dict[tuple[int, str], list[str]] = {}  # (entry, hop) -> the transfers, "x -> hop -> y"
    for stations in plans:
        for x, y in itertools.pairwise(stations):
            if x == y or frozenset((x, y)) in entry_of:
                continue
            for hop in sorted(neighbours.get(x, set()) & neighbours.get(y, set())):
                index = entry_of[frozenset((x, hop))]
                if entry_of[frozenset((hop, y))] == index:
                    said = relayed.setdefault((index, hop), [])
                    if (transfer := f"{x} -> {hop} -> {y}") not in said:
                        said.append(transfer)
    return [
        f"links[{index}]: the plan's transfers {', '.join(transfers)} go in and out of {quoted(hop)} over "
        f"two of its links, each with its own capacity each way: on one shared cell (Wi-Fi) each would "
        f"cross the medium twice and share it with every other, so throughput here may read far higher "
        f"than such a cell carries {DOC}"
        for (index, hop), transfers in sorted(relayed.items())
    ]


def relayed_link_note_provider(context: NoteContext) -> list[Note]:
    """The provider: the ``fixed`` plans of the runs noted (the scenario's own policy where none)."""
    from offloadsim.world.placed import policy_objects

    policies = context.scenario.policy if context.policies is None else context.policies
    plans = [
        [str(node) for node in nodes]
        for policy in policy_objects(policies) or ()
        if isinstance(nodes := getattr(policy, "nodes", None), list | tuple)
    ]
    if not plans:
        return []
    return [Note(KIND, text) for text in relayed_link_notes(context.scenario.links, plans)]
