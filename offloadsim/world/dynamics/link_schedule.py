"""``kind: link-schedule``: a link's rate, latency or state changes at stated times (a step schedule).

.. code-block:: yaml

    dynamics:
      - kind: link-schedule
        link: [phone, edge]          # or 0: every link of the scenario's links[0] entry
        steps:
          - {at: 10 s, bandwidth: 5 Mbps}                 # both ways, unless reverse_bandwidth
          - {at: 20 s, latency: 30 ms, reverse_bandwidth: 1 Mbps}
          - {at: 30 s, up: false}                         # down: its flows are aborted
          - {at: 40 s, up: true, bandwidth: 20 Mbps}

``bandwidth`` is the A→B rate of the link as written (``[A, B]``, or the
entry's own ``between``) and also B→A unless ``reverse_bandwidth`` is given;
a rate of 0 stalls the link's flows, ``up: false`` aborts them.  Times count
from the run's start (warm-up included) and must not go back.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from offloadsim.world.dynamics.base import (
    LINKS_ONLY,
    LinkSettings,
    NodeChanges,
    SetCapacity,
    SetLatency,
    SetLinkUp,
    SpecReader,
    WorldChange,
    directed,
    rated,
)

if TYPE_CHECKING:
    import numpy as np

__all__ = ["LinkSchedule", "Step", "Schedule"]

_SETTINGS = ("bandwidth", "reverse_bandwidth", "latency", "up")


@dataclass(frozen=True, slots=True)
class Step:
    """What changes at ``at_s`` (None: unchanged)."""

    at_s: float
    forward_bps: float | None
    reverse_bps: float | None
    latency_s: float | None
    up: bool | None


@dataclass(frozen=True, slots=True)
class Schedule:
    """The links a schedule drives (``(link, written the scenario's way round)``) and its steps."""

    links: tuple[tuple[int, bool], ...]
    steps: tuple[Step, ...]


class LinkSchedule:
    """The ``link-schedule`` kind."""

    name = "link-schedule"
    #: A step's latency and bandwidths, for the ``plain-latencies`` and ``plain-bandwidths`` checks.
    quantity_keys: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "latency": ("steps[].latency",),
        "bandwidth": ("steps[].bandwidth", "steps[].reverse_bandwidth"),
    }
    #: When each step changes the link, for the ``late-dynamics`` check.
    change_time_keys = ("steps[].at",)
    #: Two schedules setting one link's rate act as one: each step's rate holds until the next of
    #: either (:mod:`~offloadsim.world.dynamics.rates`).
    merges_rates = True

    def parse(self, entry: SpecReader) -> Schedule:
        """Read ``link`` and ``steps`` (each sets bandwidth, reverse_bandwidth, latency or up)."""
        entry.keys(required=("link", "steps"))
        links = entry.links("link")
        steps: list[Step] = []
        previous: tuple[SpecReader, float] | None = None
        for step in entry.mappings("steps"):
            step.keys(required=("at",), optional=_SETTINGS)
            at = step.time_after("at", previous)
            previous = step, at
            if not any(step.has(key) for key in _SETTINGS):
                raise step.fail("", f"expected at least one of {', '.join(_SETTINGS)} besides at")
            forward = step.quantity("bandwidth", "bandwidth") if step.has("bandwidth") else None
            reverse = (
                step.quantity("reverse_bandwidth", "bandwidth") if step.has("reverse_bandwidth") else forward
            )
            latency = step.quantity("latency", "time") if step.has("latency") else None
            up = step.boolean("up") if step.has("up") else None
            steps.append(Step(at, forward, reverse, latency, up))
        return Schedule(links, tuple(steps))

    def rate_keys(self, spec: Schedule) -> dict[int, str]:
        """The channels of its links whose rates a step sets (A→B, B→A or both), by ``link``."""
        forward = any(step.forward_bps is not None for step in spec.steps)
        reverse = any(step.reverse_bps is not None for step in spec.steps)
        some = LinkSettings(forward_bps=0.0 if forward else None, reverse_bps=0.0 if reverse else None)
        return rated(some, spec.links, "link")

    def route_links(self, spec: Schedule) -> tuple[int, ...]:
        """Its links where a step sets ``up`` or ``latency``: what may move a route."""
        moves = any(step.up is not None or step.latency_s is not None for step in spec.steps)
        return tuple(link for link, _ in spec.links) if moves else ()

    def node_changes(self, spec: Schedule) -> NodeChanges:
        """None: it changes links only, so the ``servers-down`` check holds with it."""
        return LINKS_ONLY

    def timeline(self, spec: Schedule, rng: np.random.Generator) -> Iterator[tuple[float, WorldChange]]:
        """Each step's changes on each link (a schedule draws nothing from ``rng``)."""
        for step in spec.steps:
            for link, forward in spec.links:
                ahead, back = directed(link, forward)
                if step.forward_bps is not None:
                    yield step.at_s, SetCapacity(ahead, step.forward_bps)
                if step.reverse_bps is not None:
                    yield step.at_s, SetCapacity(back, step.reverse_bps)
                if step.latency_s is not None:
                    yield step.at_s, SetLatency(link, step.latency_s)
                if step.up is not None:
                    yield step.at_s, SetLinkUp(link, step.up)
