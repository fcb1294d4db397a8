"""The note on ``random`` and ``round-robin`` without ``tiers``: other devices are among their candidates.

Without ``tiers`` both spread a source's tasks over every computing node it reaches, other phones
included (docs/policies.md), blind to their speed: 100 phones and 4 edge servers behind one access
point gave each phone's tasks to the edges 4 times in 103, and under ``round-robin`` over 30 s
never, every source's cycle still among the phones. Said before the run, with the ``tiers`` that
keeps them on the servers.
"""

from __future__ import annotations

from typing import Any

from offloadsim.policies.base import may_host
from offloadsim.world.notes.registry import Note, NoteContext, nodes_text
from offloadsim.world.placed import policy_objects

__all__ = ["KIND", "POLICIES", "peer_device_notes"]

KIND = "peer-devices"

#: What the note is registered for: a run of neither never calls it, nor imports their module.
POLICIES = ("random", "round-robin")


def peer_device_notes(context: NoteContext) -> list[Note]:
    """One line for ``random`` and ``round-robin`` with no ``tiers`` where sources reach other devices."""
    from offloadsim.policies.balancing import RandomPolicy, RoundRobinPolicy  # the run made one: loaded

    made = policy_objects(context.scenario.policy if context.policies is None else context.policies) or []
    names = {RandomPolicy: "random", RoundRobinPolicy: "round-robin"}
    blind = list(dict.fromkeys(names[type(p)] for p in made if type(p) in names and p.tiers is None))
    if not blind:
        return []
    peers, servers = _candidates(context)
    if not peers:
        return []
    most, least = max(peers.values()), min(peers.values())
    others = max(servers.get(src, 0) for src in peers)
    facts: dict[str, Any] = {"policies": blind, "sources": list(peers), "peer_devices": most}
    facts["servers"] = others
    upto = "" if most == least else "up to "
    text = (
        f"policy {' and '.join(blind)} without tiers spreads the tasks of {nodes_text(context, list(peers))} "
        f"over every computing node their source reaches, whatever its speed: {upto}"
        f"{most} other {'device' if most == 1 else 'devices'} beside {others} "
        f"{'server' if others == 1 else 'servers'} (edge or cloud); tiers: [edge] (or [edge, cloud]) keeps "
        f"them on the servers (docs/policies.md#random)"
    )
    return [Note(KIND, text, facts)]


def _candidates(context: NoteContext) -> tuple[dict[str, int], dict[str, int]]:
    """Each source reaching other computing devices that may run its requests -> how many; and its servers.

    Counted per connected component of the network as it starts; a source sending several
    applications counts the most any of them allows it.
    """
    import networkx as nx

    world, tiers = context.world, {name: node.tier for name, node in context.nodes.items()}
    pools: dict[str, set[str]] = {}  # node -> the computing nodes of its component (one set per component)
    for component in nx.connected_components(world.topology.graph):
        pool = {node for node in component if node in world.processors}
        for node in component:
            pools[node] = pool
    peers: dict[str, int] = {}
    servers: dict[str, int] = {}
    counts: dict[int, tuple[int, int]] = {}
    for entry in context.scenario.workload:
        hosts = world.apps[entry.app].spec.hosts
        for src in entry.sources:
            pool = pools.get(src, set())
            if hosts is None:  # every computing node of the component: counted once for all its sources
                if id(pool) not in counts:
                    counts[id(pool)] = _count(pool, tiers)
                devices, served = counts[id(pool)]
                devices -= src in pool and tiers[src] == "device"
            else:
                allowed = [n for n in hosts if n in pool and n != src and may_host(hosts, n, src)]
                devices, served = _count(allowed, tiers)
            if devices:
                peers[src] = max(peers.get(src, 0), devices)
                servers[src] = max(servers.get(src, 0), served)
    return peers, servers


def _count(nodes: Any, tiers: dict[str, str]) -> tuple[int, int]:
    """How many of ``nodes`` are devices, and how many are not (servers: edge or cloud)."""
    devices = sum(tiers[n] == "device" for n in nodes)
    return devices, len(nodes) - devices
