"""The note on ``least-loaded`` or ``model-select`` without ``in_transit``: many tasks decided per upload.

A node's expected wait counts the stages queued there, not the tasks sent to it whose input is still
on its way (docs/policies.md, "What least-loaded sees"): where the sources together decide several
tasks while one input uploads, those decisions see the same free core and herd onto one node.  500
cameras at 1 frame/s over 4 edges, each 50 KB frame 20 ms on its way, read 21.5 % of their deadlines
missed and 42.8 ms of mean wait, where ``in_transit: true`` read 0.0 % and 8.3 ms and ``random``
16.8 % (a new user's capacity-planning trial, 2026-12-07): the planner would have bought a fifth
edge the policy did not need.  Said before the run, with the parameter that counts those tasks.
``model-select`` prices a node's wait alike: on 40 cameras at 5 frames/s over 2 edges it placed
every task as ``least-loaded`` did (mean wait 7.5 ms, 2.5 ms with ``in_transit: true``).  Inside
``by-group``, another group's uploads to the same nodes go unseen too, and are counted.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from offloadsim.scenario.units import format_quantity
from offloadsim.suggest import listed, quoted
from offloadsim.world.notes.registry import Note, NoteContext, nodes_text
from offloadsim.world.placed import policy_objects

__all__ = ["KIND", "POLICIES", "unseen_upload_notes"]

KIND = "unseen-uploads"

#: What the note is registered for: a run of another policy never calls it, nor imports its module.
#: Both price a node's wait without the tasks on their way to it, unless ``in_transit`` is on.
POLICIES = ("least-loaded", "model-select")

#: Other tasks decided, on average, while one task's input uploads, from which the note is said.
DECISIONS = 1.0


def unseen_upload_notes(context: NoteContext) -> list[Note]:
    """One line per blind policy (no ``in_transit``) seeing a task or more decided during one upload.

    The run's own policy decides every source's tasks; a composite's inner one (``by-group``'s, at
    any depth) its group's alone, and is named with its group.  It sees none of the uploads of
    another group's policy either, where those go to its candidates: counted with its own.
    """
    if context.world is None:
        return []
    notes = []
    for blind in _blind(context):
        note = _herding(context, blind)
        if note is not None:
            notes.append(note)
    return notes


class _Blind(NamedTuple):
    """A policy without ``in_transit`` deciding tasks, its registered name and groups, and whose tasks.

    ``groups``: those it decides for, inside a composite (none: the run's own policy);
    ``decided``: the sources it decides for; ``deciders``: every source's deciding policy in the
    same run (None: none found), from which the other groups' uploads to its candidates are read.
    """

    policy: Any
    name: str
    groups: list[str]
    decided: list[str]
    deciders: dict[str, Any]


def _blind(context: NoteContext) -> list[_Blind]:
    """Each ``least-loaded`` or ``model-select`` without ``in_transit`` deciding tasks, run by run.

    An inner one is found as by-group's ``decide`` finds it: each source's group's innermost policy.
    """
    from offloadsim.policies.registry import registered_name  # the run's policy made: loaded

    scenario = context.scenario
    sources = list(dict.fromkeys(src for entry in scenario.workload for src in entry.sources))
    found: dict[int, _Blind] = {}  # by the policy object: a default serves many
    for policy in policy_objects(scenario.policy if context.policies is None else context.policies) or []:
        deciders: dict[str, Any] = dict.fromkeys(sources, policy)
        composite = bool(getattr(policy, "delegates", None))
        if composite:
            from offloadsim.policies.grouped import innermost_delegate  # a composite's: by-group's module

            for src in sources:
                inner = innermost_delegate(policy, context.nodes[src].group)
                deciders[src] = None if inner is None else inner.policy
        # Each deciding policy's name, once: not once a source (a group of 500,000 phones).
        each = {id(decider): decider for decider in deciders.values() if decider is not None}
        names = {key: registered_name(decider) for key, decider in each.items()}
        for src, decider in deciders.items():
            name = names.get(id(decider))
            if name not in POLICIES or decider.in_transit:
                continue
            blind = found.setdefault(id(decider), _Blind(decider, name, [], [], deciders))
            blind.decided.append(src)
            group = context.nodes[src].group
            blind.groups.extend([group] if composite and group not in blind.groups else [])
    return list(found.values())


def _herding(context: NoteContext, blind: _Blind) -> Note | None:
    """The note on ``blind``'s policy and the tasks it does not see on their way, or None: no herding."""
    world, tiers = context.world, blind.policy.tiers
    servers = _servers(context, tiers)
    if len(servers) + (not tiers or "device" in tiers) < 2:  # one candidate: nothing to herd onto
        return None
    nearest = world.topology.nearest("server", servers)
    decided, unseen = set(blind.decided), _unseen(context, blind, set(servers))
    own = others = 0.0  # tasks decided a second: by the policy (every source it decides), by others
    uploads: list[tuple[float, float, str, str, float]] = []  # rate, seconds, source, server, bytes
    for entry in context.scenario.workload:
        rate = entry.arrivals.mean_rate_per_s()
        if rate is None:  # a closed loop or a trace: its rate is not the scenario's to say
            continue
        size = _input_bytes(world.apps[entry.app])
        for src in entry.sources:
            mine = src in decided
            if not mine and src not in unseen:
                continue
            own += rate if mine else 0.0
            if src in servers or src not in nearest or size <= 0:
                continue
            others += 0.0 if mine else rate
            route = world.topology.route(src, nearest[src][0])
            uploads.append((rate, size * 8 / route.bottleneck_bps + route.latency_s, src, route.target, size))
    sending = sum(rate for rate, *_ in uploads)
    if not sending:
        return None
    upload_s = sum(rate * seconds for rate, seconds, *_ in uploads) / sending  # weighed by rate
    during = (own + others) * upload_s
    if during < DECISIONS:
        return None
    uploads.sort(key=lambda upload: upload[2] not in decided)  # its own first: the one named
    _, seconds, first, server, size = uploads[0]
    sources = list(dict.fromkeys(src for *_, src, _, _ in uploads))
    named = f"{blind.name} (of {_groups(blind.groups)})" if blind.groups else blind.name
    other_groups = list(dict.fromkeys(context.nodes[src].group for src in sources if src not in decided))
    whose = f"{_groups(other_groups)}'s polic{'ies' if len(other_groups) > 1 else 'y'}"
    more = f", and {whose} about {_many(others * upload_s)} more" if others else ""
    text = (
        f"policy {named} decides about {_many(own * upload_s)} tasks while one task's input is on its way"
        f"{more} "
        f"({nodes_text(context, [first])}'s {format_quantity(size, 'size')} takes "
        f"{format_quantity(seconds, 'time')} to {server}; {own + others:,.4g} tasks/s in all), and "
        f"{f'policy {named} ' if others else ''}counts none of them in a node's wait until its input "
        "arrives, "
        "so they may all go to the node that looks free (herding: docs/policies.md#what-least-loaded-sees); "
        + (
            f"in_transit: true counts its own alone, one {blind.name} with in_transit: true deciding "
            f"{_groups(blind.groups + other_groups)} counts them all"
            if others
            else "in_transit: true counts them"
        )
    )
    facts: dict[str, Any] = {"sources": sources, "decisions_per_upload": during, "upload_s": upload_s}
    facts |= {"groups": blind.groups} if blind.groups else {}
    return Note(KIND, text, {**facts, "unseen_groups": other_groups} if other_groups else facts)


def _servers(context: NoteContext, tiers: Any) -> tuple[str, ...]:
    """The computing nodes of ``tiers`` (None: every tier but the devices'): where a policy may send."""
    return tuple(
        node
        for node in context.world.processors
        if (context.nodes[node].tier in tiers if tiers else context.nodes[node].tier != "device")
    )


def _unseen(context: NoteContext, blind: _Blind, servers: set[str]) -> set[str]:
    """The sources another policy of the run decides for that may upload to ``servers``.

    Read from the policy's ``tier`` (``edge``, ``cloud``: the nearest of one tier) or ``tiers``
    (``least-loaded``, ``random``, ...); a policy with neither (``local``, a split) is not counted.
    """
    sends: dict[int, bool] = {}  # by the deciding policy: one per policy, not per source (500,000 phones)
    unseen = set()
    for src, decider in blind.deciders.items():
        if decider is None or decider is blind.policy:
            continue
        if id(decider) not in sends:
            sends[id(decider)] = _may_send(context, decider, servers)
        if sends[id(decider)]:
            unseen.add(src)
    return unseen


def _may_send(context: NoteContext, policy: Any, servers: set[str]) -> bool:
    """Whether ``policy`` may send a task to one of ``servers``, by its ``tier`` or ``tiers``."""
    tier = getattr(type(policy), "tier", None)
    if isinstance(tier, str) and tier:
        tiers: Any = (tier,)
    elif hasattr(policy, "tiers"):
        tiers = policy.tiers
    else:
        return False
    return bool(servers.intersection(_servers(context, tiers)))


def _groups(groups: list[str]) -> str:
    """``group "cam"``, ``groups "cam" and "cam2"``: the groups a note names."""
    return f"group{'s' if len(groups) > 1 else ''} {listed([quoted(group) for group in groups])}"


def _many(count: float) -> str:
    """A count of tasks as the note says it: ``11``, ``4.5``."""
    return f"{count:,.0f}" if count >= 10 else f"{count:.1f}"


def _input_bytes(app: Any) -> float:
    """What one request of ``app`` uploads where its first layer runs off its source (mean bytes)."""
    if app.cut_bytes:
        return float(app.cut_bytes[0])
    return float(getattr(app.spec.input, "mean", 0.0))  # a size distribution's mean (a property)
