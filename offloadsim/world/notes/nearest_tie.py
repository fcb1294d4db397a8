"""The note on sources with several equally near nodes of a tier: a policy sends all their tasks to one.

Ties go to the first node (docs/policies.md), so two edge servers as near as each other are one
server and a spare under ``edge`` (``cloud``), and under a split policy left to find its server
(``neurosurgeon`` and ``dads`` without ``server``, ``multi-tier`` without ``edge`` or ``cloud``):
said, with what spreads them or names another.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from offloadsim.field_values import FieldValues
from offloadsim.scenario.units import format_quantity
from offloadsim.suggest import listed, quoted
from offloadsim.world.notes.registry import Note, NoteContext, nodes_text
from offloadsim.world.placed import named_policies

__all__ = ["KIND", "POLICIES", "nearest_tie_notes"]

KIND = "nearest-tie"

#: The policies sending a source's every task to a tier's nearest node: ``edge`` and ``cloud``
#: (``offloadsim.policies.basic``), and the split ones left to find their server.
_TIERED = ("edge", "cloud")
_SPLIT = ("neurosurgeon", "dads", "multi-tier")
#: What the note is registered for: a run of none of these (a one-node ``local``) never calls it,
#: nor imports the split policies' module, which brings the graph library.
POLICIES = (*_TIERED, *_SPLIT)


def nearest_tie_notes(context: NoteContext) -> list[Note]:
    """One line per tier, chosen node and tied nodes where the policies noted send every task to one."""
    scenario, world = context.scenario, context.world
    runs = named_policies(scenario.policy if context.policies is None else context.policies)
    notes = []
    sources = list(dict.fromkeys(src for entry in scenario.workload for src in entry.sources))
    # The hosts of the applications each source sends: a tie holds for its tasks only where they allow it.
    hosts: dict[str, list[Any]] = {}
    for entry in scenario.workload:
        for src in entry.sources:
            hosts.setdefault(src, []).append(world.apps[entry.app].spec.hosts)
    # Each way a policy takes a tier's nearest node, with the sources it decides: a run's own policy's,
    # every source; a composite's inner one's (by-group's edge for a group), its group's alone.
    deciders: dict[tuple[_Nearest, str | None], list[str]] = {}
    for policy, name in runs:
        for way in _nearest_ways(policy, name):
            deciders.setdefault((way, None), []).extend(sources)
        if not getattr(policy, "delegates", None):
            continue
        from offloadsim.policies.grouped import innermost_delegate  # a composite's: by-group's module

        for src in sources:
            group = context.nodes[src].group
            inner = innermost_delegate(policy, group)
            for way in _nearest_ways(inner.policy, inner.name) if inner is not None else ():
                deciders.setdefault((way, group), []).append(src)
    # Each tier's nearest node of every source, and its equally nearest ones (one search a tier).
    chosen_in: dict[str, dict[str, Any]] = {}
    nearest_in: dict[str, dict[str, tuple[str, ...]]] = {}
    for tier in dict.fromkeys(tier for way, _ in deciders for tier in way.tiers):
        candidates = tuple(node for node in world.processors if context.nodes[node].tier == tier)
        chosen_in[tier] = world.topology.nearest(tier, candidates) if candidates else {}
        nearest_in[tier] = _equally_nearest(world.topology.graph, candidates) if len(candidates) > 1 else {}
    attached_via = _access_points_of_moved(world)
    for (way, group), decided in deciders.items():
        ties: dict[tuple[str, str, tuple[str, ...]], list[str]] = {}
        for src in dict.fromkeys(decided):
            # The first of the way's tiers whose nodes the source reaches (a split policy's edge, else cloud).
            reached = next((tier for tier in way.tiers if src in chosen_in[tier]), None)
            if reached is None:
                continue
            node = chosen_in[reached][src][0]
            same = tuple(c for c in nearest_in[reached].get(src, ()) if c != node)
            # A moving device reaches the tier through the one access point it is attached to, never
            # through all at once as the written graph has it: its tie holds only where every
            # access point it may attach to sees the same one.
            points = attached_via.get(src, ())
            if any(_tie_from(chosen_in[reached], nearest_in[reached], ap) != (node, same) for ap in points):
                continue
            if same and all(allowed is None or {node, *same} <= set(allowed) for allowed in hosts[src]):
                ties.setdefault((reached, node, same), []).append(src)
        for (tier, node, same), tied in ties.items():
            latency = format_quantity(world.topology.route(tied[0], node).latency_s, "time")
            idle, one = nodes_text(context, list(same)), len(same) == 1
            verb, gets = ("is", "gets") if one else ("are", "get")
            named = way.policy if group is None else f"{way.policy} (of group {quoted(group)})"
            down, way_changes = _held_off(world, node, tied)
            kept = " and the way to it is as written" if way_changes else ""
            while_up = f" while it is up{kept} ({down})" if down else ""
            remedy = (
                f"least-loaded (tiers: [{tier}]) spreads them"
                if way.param is None
                else f"name the {way.param} to use: {way.policy}({way.param}={same[0]})"
            )
            sends = f"policy {named} {way.does} every task of {nodes_text(context, tied)} {way.to} {node}"
            text = (
                f"{sends}{while_up}: {idle} {verb} as near ({latency}) and ties go to the first node, "
                f"so {idle} {gets} none of them{' then' if down else ''}; {remedy}"
            )
            facts = {"tier": tier, "node": node, "tied": list(same), "sources": tied}
            facts = facts if way.param is None else {**facts, "policy": way.policy}
            notes.append(Note(KIND, text, {**facts, "down": down} if down else facts))
    return notes


def _access_points_of_moved(world: Any) -> dict[str, tuple[str, ...]]:
    """Each device a dynamics entry moves among access points (``mobility``'s), with those access points."""
    via: dict[str, tuple[str, ...]] = {}
    for entry in world.dynamics:
        moved, placed = (getattr(entry.kind, key, None) for key in ("moved_devices", "placed_nodes"))
        if moved is None or placed is None:
            continue
        points = tuple(placed(entry.spec))
        for device in moved(entry.spec):
            via[device] = points
    return via


def _tie_from(
    chosen: dict[str, Any], tied: dict[str, tuple[str, ...]], ap: str
) -> tuple[str | None, tuple[str, ...]]:
    """The node chosen from ``ap`` and the others as near: what a device attached to it alone sees."""
    if ap not in chosen:
        return None, ()
    node = chosen[ap][0]
    return node, tuple(c for c in tied.get(ap, ()) if c != node)


@dataclass(frozen=True, eq=False, repr=False)
class _Nearest(FieldValues):
    """How a policy takes a tier's nearest node: the tiers in the order it tries them, its wording."""

    policy: str
    tiers: tuple[str, ...]
    does: str = "sends"
    to: str = "to"
    param: str | None = None  # the parameter that names another node instead; None: edge's (cloud's)


def _nearest_ways(policy: Any, name: str | None) -> list[_Nearest]:
    """Each nearest node ``policy`` (registered as ``name``) sends a source's every task to.

    Edge's (cloud's), a split's server, a plug-in subclass's of one of them too (named as it
    runs).  Its family's module is imported by name, the split one (and its graph library) only
    for a split policy or one derived from it, as the registry made it.
    """
    from offloadsim.policies.registry import registered_names

    family = {name, *registered_names(policy)} if policy is not None else {name}
    if family & set(_TIERED):
        from offloadsim.policies.basic import NearestTierPolicy

        if not isinstance(policy, NearestTierPolicy):
            return []
        said = name if name and name not in _TIERED else policy.tier
        return [_Nearest(said, (policy.tier,))]
    if not family & set(_SPLIT):
        return []
    from offloadsim.policies import split

    said = name if name and name not in _SPLIT else policy.name
    if isinstance(policy, split.NeurosurgeonPolicy | split.DadsPolicy) and policy.server is None:
        return [_Nearest(said, ("edge", "cloud"), "splits", "with", "server")]
    if isinstance(policy, split.MultiTierPolicy):
        named = (("edge", policy.edge), ("cloud", policy.cloud))
        return [_Nearest(said, (tier,), "splits", "with", tier) for tier, at in named if at is None]
    return []


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
