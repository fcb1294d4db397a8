"""``kind: random-walk``: a link's rate takes a random step up or down at a fixed interval, within bounds.

.. code-block:: yaml

    dynamics:
      - kind: random-walk
        link: [phone, ap]
        every: 1 s          # one step per second
        step: 2 Mbps        # up or down by this much, each with probability 1/2
        min: 2 Mbps
        max: 30 Mbps
        start: 10 Mbps      # default: the link's A→B bandwidth in the scenario

A symmetric random walk of the A→B rate, reflected at ``min`` and ``max``
(a step past a bound comes back from it by the excess, so neither bound is
sticky).  All links the entry names move together; give each its own entry
for independent walks.  Draws come from the entry's own stream, lazily.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from offloadsim.scenario.errors import key_path
from offloadsim.world.dynamics.base import (
    LINKS_ONLY,
    LinkSettings,
    NodeChanges,
    SpecReader,
    WorldChange,
    rated,
)

__all__ = ["RandomWalk", "Walk", "reflect"]

_BATCH = 256  # steps drawn at once


@dataclass(frozen=True, slots=True)
class Walk:
    """A parsed entry: links, step interval (s), step size, bounds and start (bit/s)."""

    links: tuple[tuple[int, bool], ...]
    every_s: float
    step_bps: float
    min_bps: float
    max_bps: float
    start_bps: float


def reflect(value: float, low: float, high: float) -> float:
    """``value`` folded back into ``[low, high]`` at whichever bound it passed.

    >>> reflect(12.0, 0.0, 10.0), reflect(-3.0, 0.0, 10.0), reflect(25.0, 0.0, 10.0)
    (8.0, 3.0, 5.0)
    """
    width = high - low
    if width <= 0.0:
        return low
    offset = (value - low) % (2.0 * width)
    return low + (offset if offset <= width else 2.0 * width - offset)


class RandomWalk:
    """The ``random-walk`` kind."""

    name = "random-walk"
    #: The rates it walks among, for the ``plain-bandwidths`` check.
    quantity_keys: ClassVar[Mapping[str, tuple[str, ...]]] = {"bandwidth": ("step", "min", "max", "start")}

    def parse(self, entry: SpecReader) -> Walk:
        """Read ``link``, ``every``, ``step``, ``min``, ``max`` and ``start``."""
        entry.keys(required=("link", "every", "step", "min", "max"), optional=("start",))
        links = entry.links("link")
        every = entry.quantity("every", "time", positive=True)
        step = entry.quantity("step", "bandwidth", positive=True)
        low = entry.quantity("min", "bandwidth")
        high = entry.quantity("max", "bandwidth", positive=True)
        bounds = (key_path(entry.path, "min"), key_path(entry.path, "max"))  # a --set of either is named
        if high < low:
            raise entry.fail("max", f"{high:g} bit/s is below min, {low:g} bit/s", also=bounds[:1])
        if entry.has("start"):
            start = entry.quantity("start", "bandwidth")
        else:
            assert entry.scenario is not None
            link, forward = links[0]
            spec = entry.scenario.links[link]
            start = spec.bandwidth_bps if forward else spec.reverse_bandwidth_bps
        if not low <= start <= high:
            where = "start" if entry.has("start") else "link"
            raise entry.fail(where, f"the walk starts at {start:g} bit/s, outside [min, max]", also=bounds)
        return Walk(links, every, step, low, high, start)

    def changes(self, spec: Walk, end_s: float) -> tuple[str, float]:
        """How many steps the walk takes before ``end_s`` (on each link), and the key that sets how often."""
        return "every", len(spec.links) * (end_s / spec.every_s + 1.0)

    def rate_keys(self, spec: Walk) -> dict[int, str]:
        """The A→B channel of each of its links, put there by ``link``."""
        return rated(LinkSettings(forward_bps=spec.start_bps), spec.links, "link")

    def node_changes(self, spec: Walk) -> NodeChanges:
        """None: it changes links only, so the ``servers-down`` check holds with it."""
        return LINKS_ONLY

    def timeline(self, spec: Walk, rng: np.random.Generator) -> Iterator[tuple[float, WorldChange]]:
        """The start rate at 0, then one step every ``every`` seconds, for as long as it is read."""
        rate, at = spec.start_bps, 0.0
        yield from ((at, change) for change in LinkSettings(forward_bps=rate).changes(spec.links))
        count = 0
        while True:
            for up in rng.random(_BATCH) < 0.5:
                count += 1
                at = count * spec.every_s  # not a running sum: no drift over long runs
                rate = reflect(rate + (spec.step_bps if up else -spec.step_bps), spec.min_bps, spec.max_bps)
                yield from ((at, change) for change in LinkSettings(forward_bps=rate).changes(spec.links))
