"""What a run records per link direction beyond bytes: availability and the loss probability in force.

The link model integrates the capacity in force (utilisation against it);
this listener on the run's own topology integrates the time each channel
carried traffic (it and both its ends up) and its packet loss probability,
so the ``links`` table can report availability, mean capacity and loss rate.
A run whose world never changes has none: every link was up all along at
its scenario loss.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from offloadsim.engine.piecewise import PiecewiseLog

if TYPE_CHECKING:
    import simpy

    from offloadsim.world.topology import Change, Topology

__all__ = ["LinkStatistics"]


class LinkStatistics:
    """Per directed channel: time up and loss probability in force, from the run's start."""

    def __init__(self, env: simpy.Environment, topology: Topology):
        channels = len(topology.channel_capacity_bps)
        self._env = env
        self._topology = topology
        self._up = PiecewiseLog(env.now, [1.0 if topology.carries(c // 2) else 0.0 for c in range(channels)])
        self._loss = PiecewiseLog(env.now, [topology.loss(c) for c in range(channels)])
        topology.watch(self._heard)

    def _heard(self, change: Change) -> None:
        now = self._env.now
        if change.what == "loss":
            self._loss.set(change.channel, now, change.value)
        elif change.what in ("link-up", "node-up", "handover"):  # a handover takes links down and up
            for channel in change.channels:
                self._up.set(channel, now, 1.0 if self._topology.carries(channel // 2) else 0.0)

    def up_s(self, channel: int, t0: float, t1: float) -> float:
        """Seconds of ``[t0, t1]`` the channel carried traffic."""
        return self._up.integral(channel, t0, t1)

    def loss_s(self, channel: int, t0: float, t1: float) -> float:
        """The loss probability in force integrated over ``[t0, t1]`` (probability × seconds)."""
        return self._loss.integral(channel, t0, t1)
