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
from offloadsim.suggest import quoted
from offloadsim.world.notes.registry import Note, NoteContext, nodes_text
from offloadsim.world.placed import policy_objects

__all__ = ["KIND", "POLICIES", "unseen_upload_notes"]

KIND = "unseen-uploads"

#: What the note is registered for: a run of another policy never calls it, nor imports its module.
POLICIES = ("least-loaded",)

#: Other tasks decided, on average, while one task's input uploads, from which the note is said.
DECISIONS = 1.0


def unseen_upload_notes(context: NoteContext) -> list[Note]:
    """One line per ``least-loaded`` (no ``in_transit``) deciding a task or more during one upload.

    The run's own policy decides every source's tasks; a composite's inner one (``by-group``'s, at
    any depth) its group's alone, and is named with its group.
    """
    if context.world is None:
        return []
    notes = []
    for policy, groups, sources in _blind(context):
        note = _herding(context, policy, groups, sources)
        if note is not None:
            notes.append(note)
    return notes


def _blind(context: NoteContext) -> list[tuple[Any, list[str], list[str]]]:
    """Each ``least-loaded`` without ``in_transit`` deciding tasks, its groups (none: the run's own), sources.

    An inner one is found as by-group's ``decide`` finds it: each source's group's innermost policy.
    """
    from offloadsim.policies.balancing import LeastLoadedPolicy  # the run holds one: loaded

    scenario = context.scenario
    sources = list(dict.fromkeys(src for entry in scenario.workload for src in entry.sources))
    found: dict[int, tuple[Any, list[str], list[str]]] = {}  # by the policy object: a default serves many
    for policy in policy_objects(scenario.policy if context.policies is None else context.policies) or []:
        if type(policy) is LeastLoadedPolicy and not policy.in_transit:
            found[id(policy)] = (policy, [], sources)
        if not getattr(policy, "delegates", None):
            continue
        from offloadsim.policies.grouped import innermost_delegate  # a composite's: by-group's module

        for src in sources:
            group = context.nodes[src].group
            inner = innermost_delegate(policy, group)
            if inner is not None and type(inner.policy) is LeastLoadedPolicy and not inner.policy.in_transit:
                _, groups, decided = found.setdefault(id(inner.policy), (inner.policy, [], []))
                decided.append(src)
                groups.extend([group] if group not in groups else [])
    return list(found.values())


def _herding(context: NoteContext, policy: Any, groups: list[str], decided: list[str]) -> Note | None:
    """The note on ``policy`` deciding ``decided``'s tasks (of ``groups``), or None: no herding."""
    world, tiers = context.world, policy.tiers
    servers = tuple(
        node
        for node in world.processors
        if (context.nodes[node].tier in tiers if tiers else context.nodes[node].tier != "device")
    )
    if len(servers) + (not tiers or "device" in tiers) < 2:  # one candidate: nothing to herd onto
        return None
    nearest = world.topology.nearest("server", servers)
    total = 0.0  # tasks decided a second, every source it decides together
    uploads: list[tuple[float, float, str, str, float]] = []  # rate, seconds, source, server, bytes
    for entry in context.scenario.workload:
        rate = entry.arrivals.mean_rate_per_s()
        if rate is None:  # a closed loop or a trace: its rate is not the scenario's to say
            continue
        size = _input_bytes(world.apps[entry.app])
        for src in entry.sources:
            if src not in decided:
                continue
            total += rate
            if src in servers or src not in nearest or size <= 0:
                continue
            route = world.topology.route(src, nearest[src][0])
            uploads.append((rate, size * 8 / route.bottleneck_bps + route.latency_s, src, route.target, size))
    sending = sum(rate for rate, *_ in uploads)
    if not sending:
        return None
    upload_s = sum(rate * seconds for rate, seconds, *_ in uploads) / sending  # weighed by rate
    during = total * upload_s
    if during < DECISIONS:
        return None
    _, seconds, first, server, size = uploads[0]
    sources = list(dict.fromkeys(src for *_, src, _, _ in uploads))
    many = f"{during:,.0f}" if during >= 10 else f"{during:.1f}"
    of = f" (of group{'s' if len(groups) > 1 else ''} {', '.join(quoted(group) for group in groups)})"
    named = f"least-loaded{of if groups else ''}"
    text = (
        f"policy {named} decides about {many} tasks while one task's input is on its way "
        f"({nodes_text(context, [first])}'s {format_quantity(size, 'size')} takes "
        f"{format_quantity(seconds, 'time')} to {server}; {total:,.4g} tasks/s in all), and counts none of "
        "them in a node's wait until its input arrives, so they may all go to the node that looks free "
        "(herding: docs/policies.md#what-least-loaded-sees); in_transit: true counts them"
    )
    facts: dict[str, Any] = {"sources": sources, "decisions_per_upload": during, "upload_s": upload_s}
    return Note(KIND, text, {**facts, "groups": groups} if groups else facts)


def _input_bytes(app: Any) -> float:
    """What one request of ``app`` uploads where its first layer runs off its source (mean bytes)."""
    if app.cut_bytes:
        return float(app.cut_bytes[0])
    return float(getattr(app.spec.input, "mean", 0.0))  # a size distribution's mean (a property)
