"""When each link changed in a run: the rows of ``link_changes.parquet``, heard from the run's topology.

The links table keeps each direction's totals over the measured time (availability, mean
capacity), which say that a link changed but not when.  This listener on the run's own topology
writes one row per direction whose state moved (capacity, latency, loss probability, up or down),
with the state in force after the change and the dynamics entry that made it.  Changes are rare
next to tasks and are heard outside the per-task path; a run whose world never changes has none.
A node's outage is not a link change (its links' own state stands): the nodes' ``down`` says it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from offloadsim.records.schema import LINK_CHANGE_COLUMNS

if TYPE_CHECKING:
    import simpy

    from offloadsim.world.topology import Change, Topology

__all__ = ["LinkChanges", "link_changes"]

#: The topology's changes that can move a link direction's own state.
_HEARD = frozenset(("capacity", "loss", "latency", "link-up", "handover"))


class LinkChanges:
    """The run's link changes, as columns (:data:`~offloadsim.records.schema.LINK_CHANGES`)."""

    def __init__(self, env: simpy.Environment, topology: Topology, kinds: Mapping[int, str]) -> None:
        """``kinds``: each dynamics entry's kind name, by the entry's index."""
        self._env = env
        self._topology = topology
        self._kinds = dict(kinds)
        channels = len(topology.channel_capacity_bps)
        self._state = [self._now(channel) for channel in range(channels)]
        self._scenario = [state[0] for state in self._state]  # each direction's capacity before any change
        self.columns: dict[str, list[Any]] = {name: [] for name in LINK_CHANGE_COLUMNS}
        topology.watch(self._heard)

    def _now(self, channel: int) -> tuple[float, float, float, bool]:
        """Channel ``channel``'s capacity, latency, loss probability and whether its link is up."""
        topology, link = self._topology, channel // 2
        return (
            topology.capacity_bps(channel),
            topology.latency_s(link),
            topology.loss(channel),
            topology.link_up(link),
        )

    def _heard(self, change: Change) -> None:
        what = change.what
        if what not in _HEARD:
            return
        if what == "latency":
            channels: tuple[int, ...] = (2 * change.link, 2 * change.link + 1)
        elif what in ("capacity", "loss"):
            channels = (change.channel,)
        else:
            channels = change.channels
        for channel in channels:
            now = self._now(channel)
            before = self._state[channel]
            if now != before:
                self._state[channel] = now
                self._add(channel, now, before)

    def _add(
        self, channel: int, now: tuple[float, float, float, bool], before: tuple[float, float, float, bool]
    ) -> None:
        capacity, latency, loss, up = now
        if up != before[3]:
            moved = "up" if up else "down"
        elif capacity != before[0]:
            moved = "capacity"
        elif latency != before[1]:
            moved = "latency"
        else:
            moved = "loss"
        a, b = self._topology.channel_ends(channel)
        entry = self._topology.holder
        columns = self.columns
        columns["time"].append(float(self._env.now))
        columns["a"].append(a)
        columns["b"].append(b)
        columns["change"].append(moved)
        columns["capacity"].append(capacity)
        columns["scenario_capacity"].append(self._scenario[channel])
        columns["latency"].append(latency)
        columns["loss"].append(loss)
        columns["up"].append(up)
        columns["dynamics"].append(entry)
        columns["kind"].append(self._kinds.get(entry, ""))


def link_changes(run: Any) -> LinkChanges | None:
    """The ``link_changes`` table's collector on ``run`` (a ``Simulation``); None: its world never changes.

    Registered in :mod:`offloadsim.records.tables`; it reads the run's ``env``, its own ``topology``
    and its ``world``'s dynamics entries (each entry's kind names the rows it made).
    """
    world = run.world
    if run.topology is world.topology:  # the world's own never changes: nothing to hear
        return None
    kinds = {entry.index: str(getattr(entry.kind, "name", "")) for entry in world.dynamics}
    return LinkChanges(run.env, run.topology, kinds)
