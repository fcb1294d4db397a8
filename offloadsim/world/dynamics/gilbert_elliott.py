"""``kind: gilbert-elliott``: a link that switches between a good and a bad state (a Markov chain).

.. code-block:: yaml

    dynamics:
      - kind: gilbert-elliott
        link: [phone, ap]
        good: {bandwidth: 20 Mbps, loss: 0.001, mean: 10 s}
        bad: {bandwidth: 2 Mbps, loss: 0.05, mean: 2 s}

The Gilbert–Elliott channel (Gilbert 1960; Elliott 1963) in continuous
time: the link stays in a state for an exponential time of that state's
``mean``, then switches to the other.  Each state sets what it gives:
``bandwidth`` (A→B), ``reverse_bandwidth`` (B→A), ``latency`` and ``loss``
(each way); both states give the same settings.  The chain starts in its
stationary law (good with probability ``good.mean / (good.mean +
bad.mean)``) unless ``start`` names a state, so the time-average rate over
any window has the stationary mean
``(good.mean·good.bandwidth + bad.mean·bad.bandwidth) / (good.mean + bad.mean)``.
All links the entry names switch together (one chain: a shared medium);
give each link its own entry for independent chains.  Draws come from the
entry's own stream, lazily: the chain runs as far as the run does.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from offloadsim.suggest import quoted
from offloadsim.world.dynamics.base import (
    LINK_SETTINGS,
    LINKS_ONLY,
    LinkSettings,
    NodeChanges,
    SpecReader,
    WorldChange,
    rated,
)

__all__ = ["GilbertElliott", "LinkState", "Chain", "stationary_mean"]


@dataclass(frozen=True, slots=True)
class LinkState:
    """One state: its mean sojourn (s) and what it sets."""

    mean_s: float
    sets: LinkSettings


@dataclass(frozen=True, slots=True)
class Chain:
    """A parsed entry: the links it drives, its two states, and where it starts (None: stationary)."""

    links: tuple[tuple[int, bool], ...]
    good: LinkState
    bad: LinkState
    start: str | None


def stationary_mean(chain: Chain) -> float:
    """The long-run time-average A→B rate (bit/s).

    >>> good = LinkState(3.0, LinkSettings(forward_bps=20e6))
    >>> bad = LinkState(1.0, LinkSettings(forward_bps=4e6))
    >>> stationary_mean(Chain(((0, True),), good, bad, None))
    16000000.0
    """
    good, bad = chain.good, chain.bad
    assert good.sets.forward_bps is not None and bad.sets.forward_bps is not None
    weighted = good.mean_s * good.sets.forward_bps + bad.mean_s * bad.sets.forward_bps
    return weighted / (good.mean_s + bad.mean_s)


class GilbertElliott:
    """The ``gilbert-elliott`` kind."""

    name = "gilbert-elliott"
    #: Each state's latency and bandwidths, for the ``plain-latencies`` and ``plain-bandwidths`` checks.
    quantity_keys: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "latency": ("good.latency", "bad.latency"),
        "bandwidth": ("good.bandwidth", "good.reverse_bandwidth", "bad.bandwidth", "bad.reverse_bandwidth"),
    }

    def parse(self, entry: SpecReader) -> Chain:
        """Read ``link``, ``good`` and ``bad`` (each ``mean`` and what it sets), and ``start``."""
        entry.keys(required=("link", "good", "bad"), optional=("start",))
        links = entry.links("link")
        good, bad = _state(entry.mapping("good")), _state(entry.mapping("bad"))
        if good.sets.given() != bad.sets.given():
            sets, expected = ", ".join(bad.sets.given()), ", ".join(good.sets.given())
            raise entry.fail("bad", f"sets {sets}; expected what good sets: {expected}")
        start = entry.entry.get("start", "stationary")
        if start not in ("good", "bad", "stationary"):
            raise entry.fail("start", f"expected good, bad or stationary, got {quoted(start)}")
        return Chain(links, good, bad, None if start == "stationary" else start)

    def changes(self, spec: Chain, end_s: float) -> tuple[str, float]:
        """About how many changes the chain makes before ``end_s``, and the shorter state's ``mean``."""
        per_switch = sum(1 for _ in spec.good.sets.changes(spec.links))
        key = "good.mean" if spec.good.mean_s <= spec.bad.mean_s else "bad.mean"
        return key, per_switch * (2.0 * end_s / (spec.good.mean_s + spec.bad.mean_s) + 1.0)

    def rate_keys(self, spec: Chain) -> dict[int, str]:
        """The channels of its links whose rates its states set (both states set the same), by ``link``."""
        return rated(spec.good.sets, spec.links, "link")

    def route_links(self, spec: Chain) -> tuple[int, ...]:
        """Its links where a state sets a latency: what may move a route."""
        moves = spec.good.sets.latency_s is not None or spec.bad.sets.latency_s is not None
        return tuple(link for link, _ in spec.links) if moves else ()

    def node_changes(self, spec: Chain) -> NodeChanges:
        """None: it changes links only, so the ``servers-down`` check holds with it."""
        return LINKS_ONLY

    def timeline(self, spec: Chain, rng: np.random.Generator) -> Iterator[tuple[float, WorldChange]]:
        """The state at 0, then a switch after each exponential sojourn, for as long as it is read."""
        p_good = spec.good.mean_s / (spec.good.mean_s + spec.bad.mean_s)
        good = spec.start == "good" if spec.start is not None else bool(rng.random() < p_good)
        at = 0.0
        while True:
            state = spec.good if good else spec.bad
            yield from ((at, change) for change in state.sets.changes(spec.links))
            at += float(rng.exponential(state.mean_s))
            good = not good


def _state(entry: SpecReader) -> LinkState:
    entry.keys(required=("mean",), optional=tuple(LINK_SETTINGS))
    if not any(entry.has(key) for key in LINK_SETTINGS):
        raise entry.fail("", f"expected at least one of {', '.join(LINK_SETTINGS)} besides mean")
    return LinkState(entry.quantity("mean", "time", positive=True), entry.link_settings())
