"""Nodes the scenario's ``dynamics`` take down for good: known before the run, from the schedules alone.

A scenario check warns of a server a policy needs that is down all the
measured time; this says which nodes are, without running.  Only
``node-schedule`` steps take a node down or up at stated times; a
``failures`` entry's repairs bring its nodes back at random, and a kind
that is not built in might do either, so what it drives is not known here.
"""

from __future__ import annotations

from collections.abc import Sequence

from offloadsim.world.dynamics.base import Dynamics
from offloadsim.world.dynamics.failures import Failures, NodeSchedule, RandomFailures, UpSchedule
from offloadsim.world.dynamics.gilbert_elliott import GilbertElliott
from offloadsim.world.dynamics.link_schedule import LinkSchedule
from offloadsim.world.dynamics.mobility import Mobility
from offloadsim.world.dynamics.random_walk import RandomWalk
from offloadsim.world.dynamics.trace import LinkTrace

__all__ = ["down_for_good"]

#: The built-in kinds that never take a node down or bring one up (only links change under them).
_LINKS_ONLY = (LinkSchedule, LinkTrace, GilbertElliott, RandomWalk, Mobility)


def down_for_good(dynamics: Sequence[Dynamics], end_s: float) -> dict[str, tuple[float, str]] | None:
    """``{node: (time, key path)}``: from ``time`` to ``end_s`` the node is down, taken so by the step there.

    Nodes start up; a node-schedule step before ``end_s`` sets one down or up.  Left out: a node a
    ``failures`` entry drives, and one whose last coming up shares its time with a going down of
    another entry (the order they apply in is the engine's).  None where an entry's kind is not
    built in: whatever it does to nodes is not known before the run.

    >>> from offloadsim.world.dynamics.failures import NodeSchedule, UpSchedule
    >>> schedule = UpSchedule(("edge",), ((0.0, False), (5.0, True), (8.0, False)))
    >>> down_for_good([Dynamics(0, NodeSchedule(), schedule)], 60.0)
    {'edge': (8.0, 'dynamics[0].steps[2].at')}
    """
    steps: dict[str, list[tuple[float, bool, str]]] = {}
    random: set[str] = set()
    for entry in dynamics:
        if isinstance(entry.kind, NodeSchedule) and isinstance(entry.spec, UpSchedule):
            for j, (at, up) in enumerate(entry.spec.steps):
                for node in entry.spec.nodes if at < end_s else ():
                    steps.setdefault(node, []).append((at, up, f"dynamics[{entry.index}].steps[{j}].at"))
        elif isinstance(entry.kind, Failures) and isinstance(entry.spec, RandomFailures):
            random.update(entry.spec.nodes)
        elif not isinstance(entry.kind, _LINKS_ONLY):
            return None
    down: dict[str, tuple[float, str]] = {}
    for node, changes in steps.items():
        changes.sort(key=lambda step: step[0])  # stable: equal times keep the order written
        ups = [at for at, up, _ in changes if up]
        last_up = ups[-1] if ups else None
        after = [(at, path) for at, up, path in changes if not up and (last_up is None or at > last_up)]
        tied = any(at == last_up and not up for at, up, _ in changes)
        if node in random or not after or changes[-1][1] or tied:
            continue
        down[node] = after[0]
    return down
