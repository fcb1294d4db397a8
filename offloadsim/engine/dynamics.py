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

from offloadsim.world.topology import NoRouteError

if TYPE_CHECKING:
    import numpy as np

    from offloadsim.engine.network import LinkModel
    from offloadsim.world.dynamics import Dynamics, WorldChange
    from offloadsim.world.topology import Change, Topology

__all__ = ["connect", "flow_ends", "live_topology", "move_flows", "start_changes", "start_dynamics"]


def live_topology(world: Any) -> Topology:
    """The topology a run routes over: the world's own, or a fork when the run changes it."""
    topology: Topology = world.topology
    return topology.fork() if getattr(world, "dynamics", ()) else topology


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
    dynamics: tuple[Dynamics, ...],
    topology: Topology,
    rng_for: Callable[[int], np.random.Generator],
    end_s: float,
) -> None:
    """Apply the world's ``dynamics`` entries to the run's ``topology``; entry i draws from ``rng_for(i)``."""
    if not dynamics:
        return
    timelines = [entry.timeline(rng_for(entry.index)) for entry in dynamics]

    def apply(change: WorldChange) -> None:
        change.apply(topology)

    start_changes(env, timelines, apply, end_s)
