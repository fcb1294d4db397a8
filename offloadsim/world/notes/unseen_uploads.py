"""The note on ``least-loaded`` without ``in_transit`` where many tasks are decided during one upload.

A node's expected wait counts the stages queued there, not the tasks sent to it whose input is still
on its way (docs/policies.md, "What least-loaded sees"): where the sources together decide several
tasks while one input uploads, those decisions see the same free core and herd onto one node.  500
cameras at 1 frame/s over 4 edges, each 50 KB frame 20 ms on its way, read 21.5 % of their deadlines
missed and 42.8 ms of mean wait, where ``in_transit: true`` read 0.0 % and 8.3 ms and ``random``
16.8 % (a new user's capacity-planning trial, 2026-12-07): the planner would have bought a fifth
edge the policy did not need.  Said before the run, with the parameter that counts those tasks.
"""

from __future__ import annotations

from typing import Any

from offloadsim.scenario.units import format_quantity
from offloadsim.world.notes.registry import Note, NoteContext, nodes_text
from offloadsim.world.placed import policy_objects

__all__ = ["KIND", "POLICIES", "unseen_upload_notes"]

KIND = "unseen-uploads"

#: What the note is registered for: a run of another policy never calls it, nor imports its module.
POLICIES = ("least-loaded",)

#: Other tasks decided, on average, while one task's input uploads, from which the note is said.
DECISIONS = 1.0


def unseen_upload_notes(context: NoteContext) -> list[Note]:
    """One line where ``least-loaded`` (no ``in_transit``) decides a task or more during one upload."""
    from offloadsim.policies.balancing import LeastLoadedPolicy  # the run made one: loaded

    made = policy_objects(context.scenario.policy if context.policies is None else context.policies) or []
    blind = [p for p in made if type(p) is LeastLoadedPolicy and not p.in_transit]
    if not blind or context.world is None:
        return []
    world, tiers = context.world, blind[0].tiers
    servers = tuple(
        node
        for node in world.processors
        if (context.nodes[node].tier in tiers if tiers else context.nodes[node].tier != "device")
    )
    if len(servers) + (not tiers or "device" in tiers) < 2:  # one candidate: nothing to herd onto
        return []
    nearest = world.topology.nearest("server", servers)
    total = 0.0  # tasks decided a second, every source together
    uploads: list[tuple[float, float, str, str, float]] = []  # rate, seconds, source, server, bytes
    for entry in context.scenario.workload:
        rate = entry.arrivals.mean_rate_per_s()
        if rate is None:  # a closed loop or a trace: its rate is not the scenario's to say
            continue
        size = _input_bytes(world.apps[entry.app])
        for src in entry.sources:
            total += rate
            if src in servers or src not in nearest or size <= 0:
                continue
            route = world.topology.route(src, nearest[src][0])
            uploads.append((rate, size * 8 / route.bottleneck_bps + route.latency_s, src, route.target, size))
    sending = sum(rate for rate, *_ in uploads)
    if not sending:
        return []
    upload_s = sum(rate * seconds for rate, seconds, *_ in uploads) / sending  # weighed by rate
    during = total * upload_s
    if during < DECISIONS:
        return []
    _, seconds, first, server, size = uploads[0]
    sources = list(dict.fromkeys(src for *_, src, _, _ in uploads))
    many = f"{during:,.0f}" if during >= 10 else f"{during:.1f}"
    text = (
        f"policy least-loaded decides about {many} tasks while one task's input is on its way "
        f"({nodes_text(context, [first])}'s {format_quantity(size, 'size')} takes "
        f"{format_quantity(seconds, 'time')} to {server}; {total:,.4g} tasks/s in all), and counts none of "
        "them in a node's wait until its input arrives, so they may all go to the node that looks free "
        "(herding: docs/policies.md#what-least-loaded-sees); in_transit: true counts them"
    )
    facts: dict[str, Any] = {"sources": sources, "decisions_per_upload": during, "upload_s": upload_s}
    return [Note(KIND, text, facts)]


def _input_bytes(app: Any) -> float:
    """What one request of ``app`` uploads where its first layer runs off its source (mean bytes)."""
    if app.cut_bytes:
        return float(app.cut_bytes[0])
    return float(getattr(app.spec.input, "mean", 0.0))  # a size distribution's mean (a property)
