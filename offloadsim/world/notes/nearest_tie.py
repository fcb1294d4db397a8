"""The note on sources with several equally near nodes of a tier under ``edge`` (``cloud``): all go to one.

Ties go to the first node (docs/policies.md), so two edge servers as near as each other are one
server and a spare: said, with the policy that spreads them.
"""

from __future__ import annotations

import math
from typing import Any

from offloadsim.scenario.units import format_quantity
from offloadsim.suggest import listed, quoted
from offloadsim.world.notes.registry import Note, NoteContext, nodes_text
from offloadsim.world.placed import policy_objects

__all__ = ["KIND", "nearest_tie_notes"]

KIND = "nearest-tie"


def nearest_tie_notes(context: NoteContext) -> list[Note]:
    """One line per tier, chosen node and tied nodes where the policies noted send every task to one."""
    from offloadsim.policies.basic import NearestTierPolicy

    scenario, world = context.scenario, context.world
    made = policy_objects(scenario.policy if context.policies is None else context.policies) or []
    notes = []
    sources = list(dict.fromkeys(src for entry in scenario.workload for src in entry.sources))
    # The hosts of the applications each source sends: a tie holds for its tasks only where they allow it.
    hosts: dict[str, list[Any]] = {}
    for entry in scenario.workload:
        for src in entry.sources:
            hosts.setdefault(src, []).append(world.apps[entry.app].spec.hosts)
    # Each tier a nearest-tier policy sends to, with the sources it decides: a run's own policy's,
    # every source; a composite's inner one's (by-group's edge for a group), its group's alone.
    deciders: dict[tuple[str, str | None], list[str]] = {}
    for policy in made:
        if isinstance(policy, NearestTierPolicy):
            deciders.setdefault((policy.tier, None), []).extend(sources)
        if not getattr(policy, "delegates", None):
            continue
        from offloadsim.policies.grouped import innermost_delegate  # a composite's: by-group's module

        for src in sources:
            group = context.nodes[src].group
            inner = innermost_delegate(policy, group)
            if inner is not None and isinstance(inner.policy, NearestTierPolicy):
                deciders.setdefault((inner.policy.tier, group), []).append(src)
    for (tier, group), decided in deciders.items():
        candidates = tuple(node for node in world.processors if context.nodes[node].tier == tier)
        if len(candidates) < 2:
            continue
        nearest = _equally_nearest(world.topology.graph, candidates)
        chosen = world.topology.nearest(tier, candidates)
        ties: dict[tuple[str, tuple[str, ...]], list[str]] = {}
        for src in dict.fromkeys(decided):
            if src not in chosen:
                continue
            node = chosen[src][0]
            same = tuple(c for c in nearest.get(src, ()) if c != node)
            if same and all(allowed is None or {node, *same} <= set(allowed) for allowed in hosts[src]):
                ties.setdefault((node, same), []).append(src)
        for (node, same), tied in ties.items():
            latency = format_quantity(world.topology.route(tied[0], node).latency_s, "time")
            idle, one = nodes_text(context, list(same)), len(same) == 1
            verb, gets = ("is", "gets") if one else ("are", "get")
            named = tier if group is None else f"{tier} (of group {quoted(group)})"
            down, way = _held_off(world, node, tied)
            kept = " and the way to it is as written" if way else ""
            while_up = f" while it is up{kept} ({down})" if down else ""
            text = (
                f"policy {named} sends every task of {nodes_text(context, tied)} to {node}{while_up}: {idle} "
                f"{verb} as near ({latency}) and ties go to the first node, so {idle} {gets} none of them"
                f"{' then' if down else ''}; least-loaded (tiers: [{tier}]) spreads them"
            )
            facts = {"tier": tier, "node": node, "tied": list(same), "sources": tied}
            notes.append(Note(KIND, text, {**facts, "down": down} if down else facts))
    return notes


def _held_off(world: Any, node: str, sources: list[str]) -> tuple[str, bool]:
    """``dynamics[0] takes it down``: the entries that may send ``sources``' tasks elsewhere than ``node``.

    While ``node`` is down, or a change on the way to it (a link or router down, a latency)
    holds, the policy sends its tasks to a tied node, which the note's "none of them" must not
    deny.  An entry of a kind that does not say what it does to nodes may take it down, and one of
    a plug-in kind may change the way (a built-in kind says where it does: ``route_links``, or a
    router taken down).  Also whether any entry (may) change the way; "" where none does.
    """
    from offloadsim.world.dynamics.outages import NodeChangesFailed, node_changes
    from offloadsim.world.dynamics.plugin_kind import PluginDynamicsKind

    routes = [world.topology.route(src, node) for src in sources]
    links = {channel // 2 for route in routes for channel in route.channels}
    between = {hop for route in routes for hop in route.nodes[1:-1]}
    takes, way, may, may_way = [], [], [], []
    for entry in world.dynamics:
        name = f"dynamics[{entry.index}]"
        try:
            changes = node_changes(entry)
        except NodeChangesFailed:  # a plug-in kind's bug: the servers-down check says it at its entry
            changes = None
        downed = None if changes is None else {*changes.random, *(s.node for s in changes.steps if not s.up)}
        route_links = getattr(entry.kind, "route_links", None)
        if downed is None:
            may.append(name)
        elif node in downed:
            takes.append(name)
        elif downed & between or (route_links is not None and links & set(route_links(entry.spec))):
            way.append(name)
        elif isinstance(entry.kind, PluginDynamicsKind):  # its route_links, if any, is not read
            may_way.append(name)
    said = [f"{listed(takes)} {'takes' if len(takes) == 1 else 'take'} it down"] if takes else []
    said += [f"{listed(way)} {'changes' if len(way) == 1 else 'change'} the way to it"] if way else []
    said += [f"{listed(may)} may take it down"] if may else []
    said += [f"{listed(may_way)} may change the way to it"] if may_way else []
    return "; ".join(said), bool(way or may_way)


def _equally_nearest(graph: Any, candidates: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """For every node, the candidates nearest it by route weight, all of them where several tie.

    One search from every candidate at once (as :meth:`Topology.nearest`), keeping each node's
    tied candidates: a node's predecessors on its shortest routes are nearer (every link weighs
    more than 0), so its set is whole when it is taken from the heap.
    """
    import heapq

    best: dict[str, float] = {}
    sets: dict[str, tuple[str, ...]] = {}  # shared, not copied: a thousand phones behind one access point
    heap = [(0.0, i, c) for i, c in enumerate(candidates)]
    for _, _, c in heap:
        best[c], sets[c] = 0.0, (c,)
    heapq.heapify(heap)
    done: set[str] = set()
    count = len(heap)
    while heap:
        dist, _, node = heapq.heappop(heap)
        if node in done or dist > best[node]:
            continue
        done.add(node)
        found = sets[node]
        for neighbour, attrs in graph[node].items():
            if neighbour in done:
                continue
            new = dist + attrs["weight"]
            old = best.get(neighbour, math.inf)
            if new < old and not math.isclose(new, old, rel_tol=1e-9):
                best[neighbour], sets[neighbour] = new, found
                count += 1
                heapq.heappush(heap, (new, count, neighbour))
            elif math.isclose(new, old, rel_tol=1e-9) and sets[neighbour] is not found:
                sets[neighbour] = tuple(dict.fromkeys((*sets[neighbour], *found)))
    return sets
