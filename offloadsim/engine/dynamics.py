"""A world that changes during a run: the timed changes applied by one SimPy process.

The scenario's ``dynamics:`` entries were turned into timed changes by their
kinds (:mod:`offloadsim.world.dynamics`); here one process per run applies
them in time order to the run's own topology, whose listeners keep the rest
in step: the link model re-rates or aborts flows, and the caches built on
routes (compiled plans, the policy view's) are dropped.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Generator, Iterator
from typing import TYPE_CHECKING, Any

import simpy

from offloadsim.engine.errors import EngineError, at_scenario, has_own_cause
from offloadsim.engine.stall import Streak
from offloadsim.world.topology import NoRouteError

if TYPE_CHECKING:
    import numpy as np

    from offloadsim.engine.network import LinkModel
    from offloadsim.scenario.model import Scenario
    from offloadsim.world.dynamics import Dynamics, WorldChange
    from offloadsim.world.topology import Change, Topology

__all__ = [
    "DynamicsFailed",
    "connect",
    "flow_ends",
    "live_topology",
    "move_flows",
    "start_changes",
    "start_dynamics",
]


class DynamicsFailed(EngineError):
    """A plug-in kind of timed change failed in the run (its timeline or a change): its bug, not the engine's.

    Its timeline raised, or yielded what a timeline may not (not ``(time, change)``, a time that
    is not a number, negative or earlier than the one before, a change without ``apply``, or one
    holding a value not of its type), or a change it yielded failed when applied: what its adapter
    (:class:`~offloadsim.world.dynamics.plugin_kind.PluginDynamicsKind`) said, at its entry.  The
    command line shows its one line (exit 2) and, with ``--debug``, the traceback of the plug-in's
    exception (chained as its ``__cause__``).
    """

    @property
    def show_cause_with_debug(self) -> bool:
        """Whether there is a plug-in's exception to show (not for a timeline's item refused here)."""
        return has_own_cause(self)


def live_topology(world: Any) -> Topology:
    """The topology a run routes over: the world's own, or a fork when the run can change it.

    A run changes it when its world changes (``dynamics:``) or a battery can run
    flat (its device then goes down for good): the world's topology is shared by
    every run of one built world (compare, sweep), so no run may write to it.
    """
    topology: Topology = world.topology
    if getattr(world, "dynamics", ()) or any(
        getattr(node.power, "battery_j", None) is not None for node in world.nodes.values()
    ):
        return topology.fork()
    return topology


def connect(topology: Topology, network: LinkModel, changed: Callable[[Change], None]) -> None:
    """Keep ``network`` in step with ``topology``'s changes, then tell ``changed`` (for the caches).

    ``topology`` is the run's own (a fork): a listener on the world's shared
    topology would outlive the run.
    """

    def heard(change: Change) -> None:
        if change.what == "capacity":
            network.set_capacity(change.channel, change.value)
        elif change.what == "handover":
            changed(change)  # first: the tasks of the device are told before any flow of theirs ends
            up = [channel for channel in change.channels if topology.carries(channel // 2)]
            for channel in up:
                network.set_up(channel, True)
            if change.in_flight != "fail":
                move_flows(topology, network, change, restart=change.in_flight == "restart")
            for channel in change.channels:  # flows left on a link taken down are aborted
                if channel not in up:
                    network.set_up(channel, False)
            return
        elif change.what != "loss":  # a loss probability is recorded, not applied to the flows
            for channel in change.channels:  # a link or node went down or came back
                network.set_up(channel, topology.carries(channel // 2))
        changed(change)

    topology.watch(heard)


def move_flows(topology: Topology, network: LinkModel, change: Change, restart: bool) -> None:
    """A handover: flows still sending over the links it took down go on along their new routes.

    Each keeps its bytes left (``restart``: sends them all again) and is
    delivered after the new route's latency; a flow with no route left is
    not moved (taking the link down aborts it).  The handed-over links are
    the change's channels but the last two (the link brought up), or all
    of them when the device attached to nothing.
    """
    taken_down = change.channels if change.link < 0 else change.channels[:-2]
    for channel in taken_down:
        for flow, channels in network.sending_over(channel):
            ends = flow_ends(topology, channels)
            try:
                route = topology.route(*ends)
            except NoRouteError:
                continue
            network.move(flow, route.channels, route.latency_s, restart)


def flow_ends(topology: Topology, channels: tuple[int, ...]) -> tuple[str, str]:
    """The nodes a route over ``channels`` joins."""
    return topology.channel_ends(channels[0])[0], topology.channel_ends(channels[-1])[1]


def start_changes(
    env: simpy.Environment,
    timelines: list[Iterator[tuple[float, Any]]],
    apply: Callable[[Any], None],
    end_s: float,
) -> None:
    """Apply each ``(time, change)`` of ``timelines`` at its time, in time order, up to ``end_s``.

    Each timeline is sorted by time and may be endless (a random process);
    they are merged lazily, so one pending event stands for all of them.
    Changes due at the same time apply in timeline order.
    """
    merged = heapq.merge(*timelines, key=lambda item: item[0])

    def run() -> Generator[simpy.events.Event, Any, None]:
        for at, change in merged:
            if at > end_s:
                return
            if at > env.now:
                yield env.timeout(at - env.now)
            apply(change)

    env.process(run())


def start_dynamics(
    env: simpy.Environment,
    scenario: Scenario,
    dynamics: tuple[Dynamics, ...],
    topology: Topology,
    rng_for: Callable[[int], np.random.Generator],
    end_s: float,
) -> None:
    """Apply the world's ``dynamics`` entries to the run's ``topology``; entry i draws from ``rng_for(i)``.

    Each change is applied as its entry's (:meth:`Topology.applying`): the
    topology keeps who holds each node or link down, so one entry's coming up
    ends its own outage, not another's that overlaps it (a scheduled window
    and a random failure, two windows, a handover's link to an access point
    the device left), whatever kind of change, a plug-in's included, made it.  A run stopped by an
    entry (a plug-in's fault, a timeline stuck at one instant) says so at ``scenario``'s file.
    """
    if not dynamics:
        return
    from offloadsim.world.dynamics.plugin_kind import KindFailed, PluginDynamicsKind, entry_keys

    limit = _stall_limit(topology)
    timelines = [
        _tagged(
            entry.index,
            _plugin_checked(scenario, entry, entry.timeline(rng_for(entry.index)), limit)
            if isinstance(entry.kind, PluginDynamicsKind)
            else _stall_checked(scenario, entry, entry.timeline(rng_for(entry.index)), limit),
        )
        for entry in dynamics
    ]

    # One context per entry, entered for each of its changes: mobility makes tens of thousands.
    holding = {entry.index: topology.applying(entry.index) for entry in dynamics}

    def apply(item: tuple[int, Any]) -> None:
        """Entry ``index``'s ``change`` applied: what it takes down, or lets up, is that entry's hold."""
        index, change = item
        try:
            with holding[index]:
                change.apply(topology)
        except KindFailed as fault:  # a plug-in's change failed: its adapter said so, naming it
            about = entry_keys(index, scenario.dynamics[index])
            said = at_scenario(scenario, f"dynamics[{index}]", str(fault), about)
            raise DynamicsFailed(said) from fault.__cause__

    start_changes(env, timelines, apply, end_s)


#: Changes in a row at one instant a plug-in kind may yield, besides a few per link and node (all of
#: them changed at once), before the run is declared stalled: simulated time would never advance.
STALL_LIMIT = 10_000


def _stall_limit(topology: Topology) -> int:
    """How many changes in a row one plug-in timeline may yield at one instant in ``topology``."""
    return STALL_LIMIT + 8 * len(topology.links) + 2 * len(topology.nodes)


def _stall_checked(scenario: Scenario, entry: Dynamics, timeline: Iterator[Any], limit: int) -> Iterator[Any]:
    """A built-in kind's ``timeline``, stopped past ``limit`` changes in a row at one instant.

    Only for a kind whose times are drawn from distributions the scenario writes (its
    ``stall_keys``, ``failures``' ``mtbf`` and ``mttr``): a mean above 0 passes validation, yet
    its draws may round to 0 s nearly always (``{lognormal: {mean: 1 s, sigma: 40}}``, whose
    median is 1e-348 s, refused by the scenario's reading since: ``LOGNORMAL_MAX_SIGMA``), so the
    run would never end.  Another kind's timeline is returned as it is.  The error says it at the
    scenario's file (:func:`~offloadsim.engine.errors.at_scenario`), as validation says a problem.
    """
    keys: tuple[str, ...] = getattr(entry.kind, "stall_keys", ())
    if not keys:
        return timeline
    return _stalls(scenario, entry.index, keys, timeline, limit)


def _stalls(
    scenario: Scenario, index: int, keys: tuple[str, ...], timeline: Iterator[Any], limit: int
) -> Iterator[Any]:
    streak = Streak(limit)
    for at, change in timeline:
        if streak.past(at):
            drawn = [f"dynamics[{index}].{key}" for key in keys]
            raise EngineError(
                at_scenario(
                    scenario,
                    f"dynamics[{index}]",
                    f"changed the world {streak.count:,} times in a row at {at:g} s: simulated time "
                    f"stopped advancing, so the run could never end; {' and '.join(drawn)} draw times "
                    "the clock cannot tell from 0 s nearly always: give them distributions whose draws "
                    "are mostly longer",
                    also=drawn,
                )
            )
        yield at, change


def _plugin_checked(
    scenario: Scenario, entry: Dynamics, timeline: Iterator[tuple[float, Any]], limit: int
) -> Iterator[tuple[float, Any]]:
    """A plug-in kind's ``timeline``: its faults said at its entry; stopped past ``limit`` at one instant.

    Its adapter (:class:`~offloadsim.world.dynamics.plugin_kind.PluginDynamicsKind`) checks each
    item (a time out of order, or NaN, was applied at once) and says what the plug-in raised or
    yielded that it may not as ``KindFailed``; here it becomes a :class:`DynamicsFailed` at the
    entry of the scenario's file (:func:`~offloadsim.engine.errors.at_scenario`), as a run that
    would never end does (more than ``limit`` changes in a row at one instant, which only the
    run's topology sizes).
    """
    from offloadsim.world.dynamics.plugin_kind import KindFailed, entry_keys, kind_named

    key = f"dynamics[{entry.index}]"
    about = entry_keys(entry.index, scenario.dynamics[entry.index])  # what the plug-in read: each key
    streak = Streak(limit)
    try:
        for at, change in timeline:
            if streak.past(at):
                said = (
                    f"{kind_named(entry.kind)}: its timeline yielded {streak.count:,} changes in a row at "
                    f"{at:g} s: simulated time stopped advancing, so the run could never end"
                )
                raise DynamicsFailed(at_scenario(scenario, key, said, about))
            yield at, change
    except KindFailed as fault:
        raise DynamicsFailed(at_scenario(scenario, key, str(fault), about)) from fault.__cause__


def _tagged(
    index: int, timeline: Iterator[tuple[float, WorldChange]]
) -> Iterator[tuple[float, tuple[int, WorldChange]]]:
    """Entry ``index``'s timeline, each change named by the entry it came from."""
    for at, change in timeline:
        yield at, (index, change)
