"""Nodes the scenario's ``dynamics`` take down for good: known before the run, from the schedules alone.

A scenario check warns of a server a policy needs that is down all the
measured time; this says which nodes are, without running.  Each kind
says what its entries do to nodes (``node_changes``, a
:class:`~offloadsim.world.dynamics.base.NodeChanges`): ``node-schedule``
steps take a node down or up at stated times, a ``failures`` entry's
take its nodes down at random (its repairs end its own outages only, never
a schedule's), and the link kinds leave nodes alone.  A kind that does not
say (a plug-in's, unless it declares it) might do anything to a node, so
with one nothing is known here.
"""

from __future__ import annotations

from collections.abc import Sequence

from offloadsim.scenario.errors import KeyPathError
from offloadsim.world.dynamics.base import Dynamics, NodeChanges
from offloadsim.world.dynamics.plugin_kind import KindFailed

__all__ = ["NodeChangesFailed", "down_for_good", "node_changes", "unchanging_steps"]


class NodeChangesFailed(KeyPathError):
    """A plug-in kind's ``node_changes`` raised, or gave no :class:`NodeChanges`: its bug, at its entry.

    ``index``: the entry's (``dynamics[index]``), for its reader to say the problem about each of its keys
    (:func:`~offloadsim.world.dynamics.plugin_kind.entry_keys`), which it has and this does not.
    """

    def __init__(self, index: int, message: str):
        super().__init__(f"dynamics[{index}]", message)
        self.index = index

    # Rebuilt from what __init__ takes, which differs from KeyPathError's (hence the ignore).
    def __reduce__(self) -> tuple[type[NodeChangesFailed], tuple[int, str]]:  # type: ignore[override]
        return (type(self), (self.index, self.message))


def node_changes(entry: Dynamics) -> NodeChanges | None:
    """What ``entry`` does to nodes, as its kind declares (``node_changes``); None where it does not say.

    Raises :class:`NodeChangesFailed` (at ``dynamics[i]``, naming the kind, and its line where it
    raised) when a plug-in kind's ``node_changes`` raises or returns what it may not (its adapter,
    :class:`~offloadsim.world.dynamics.plugin_kind.PluginDynamicsKind`, says which).
    """
    declared = getattr(entry.kind, "node_changes", None)
    if declared is None:
        return None
    try:
        said: NodeChanges = declared(entry.spec)
    except KindFailed as fault:
        raise NodeChangesFailed(entry.index, str(fault)) from fault.__cause__
    return said


def down_for_good(dynamics: Sequence[Dynamics], end_s: float) -> dict[str, tuple[float, str]] | None:
    """``{node: (time, key path)}``: from ``time`` to ``end_s`` the node is down, taken so by the step there.

    Nodes start up; a node-schedule step before ``end_s`` sets one down or up.  A node is down while
    any entry holds it down, as in the run (:func:`offloadsim.engine.dynamics.start_dynamics`): one
    entry's coming up ends its own outage only, so neither another schedule's step nor a
    ``failures`` entry's repair brings back a node a schedule holds down.  None where an entry's
    kind does not declare what it does to nodes (``node_changes``): that is not known before the run.

    >>> from offloadsim.world.dynamics.failures import NodeSchedule, UpSchedule
    >>> schedule = UpSchedule(("edge",), ((0.0, False), (5.0, True), (8.0, False)))
    >>> down_for_good([Dynamics(0, NodeSchedule(), schedule)], 60.0)
    {'edge': (8.0, 'dynamics[0].steps[2].at')}
    >>> window = UpSchedule(("edge",), ((1.0, False), (9.0, True)))  # another entry's, over the gap
    >>> down_for_good([Dynamics(0, NodeSchedule(), schedule), Dynamics(1, NodeSchedule(), window)], 60.0)
    {'edge': (0.0, 'dynamics[0].steps[0].at')}
    """
    steps: dict[str, list[tuple[float, int, bool, str]]] = {}
    for entry in dynamics:
        declared = node_changes(entry)
        if declared is None:
            return None
        for step in declared.steps:
            if step.at < end_s:
                steps.setdefault(step.node, []).append(
                    (step.at, entry.index, step.up, f"dynamics[{entry.index}].{step.key}")
                )
    down: dict[str, tuple[float, str]] = {}
    for node, changes in steps.items():
        changes.sort(key=lambda step: step[0])  # stable: equal times keep the order they apply in
        holders: set[int] = set()
        since: tuple[float, str] | None = None
        for at, index, up, path in changes:
            was_up = not holders
            if up:
                holders.discard(index)
            else:
                holders.add(index)
            if was_up and holders:
                since = (at, path)
        if holders and since is not None:
            down[node] = since
    return down


def unchanging_steps(
    dynamics: Sequence[Dynamics], end_s: float
) -> dict[str, tuple[tuple[str, ...], bool, str | None]] | None:
    """``{key path: (nodes, up, previous)}``: each stated step before ``end_s`` that changes nothing.

    A step sets its nodes to what its entry already holds them at: ``up: true`` where the entry
    holds none of them down (nodes start up, and an entry's coming up ends its own outage only,
    as :func:`down_for_good` reads it), or the ``up`` of the entry's previous step on them, whose
    key path is ``previous`` (None: the nodes' start).  Such a step is a mistyped time or state
    more often than meant.  ``nodes``: those it changes nothing for, in the order it names them.
    A step at or after ``end_s`` is the ``late-dynamics`` check's, and passed over.  None where an
    entry's kind does not declare what it does to nodes.

    >>> from offloadsim.world.dynamics.failures import NodeSchedule, UpSchedule
    >>> steps = UpSchedule(("edge",), ((0.0, True), (5.0, False), (8.0, False), (9.0, True)))
    >>> for path, said in unchanging_steps([Dynamics(0, NodeSchedule(), steps)], 60.0).items():
    ...     print(path, said)
    dynamics[0].steps[0].at (('edge',), True, None)
    dynamics[0].steps[2].at (('edge',), False, 'dynamics[0].steps[1].at')
    """
    found: dict[str, tuple[tuple[str, ...], bool, str | None]] = {}
    for entry in dynamics:
        declared = node_changes(entry)
        if declared is None:
            return None
        held: dict[str, tuple[bool, str | None]] = {}  # node: (held down, by the step at this path)
        for step in sorted(declared.steps, key=lambda step: step.at):  # stable: equal times in order
            if step.at >= end_s:
                continue
            path = f"dynamics[{entry.index}].{step.key}"
            down, previous = held.get(step.node, (False, None))
            if down != step.up:  # down and now down, or up and now up
                nodes, _, _ = found.get(path, ((), step.up, previous))
                found[path] = ((*nodes, step.node), step.up, previous)
            else:
                held[step.node] = (not step.up, path)
    return found
