"""Load-spreading policies: random, round-robin and least-loaded placement of whole tasks.

Each chooses among the computing nodes that are up and reachable from the
task's source, optionally only those of some ``tiers``, in the view's node
order.  A system with no computing node in those tiers is a scenario error
(PlanError); when such nodes exist but none is usable right now (faults) the
task is dropped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from offloadsim.policies.base import Plan, SystemView, TaskView
from offloadsim.policies.candidates import candidates, computing_nodes, normalise_tiers, usable
from offloadsim.policies.params import Requirement, Tier
from offloadsim.policies.registry import register_policy

__all__ = ["RandomPolicy", "RoundRobinPolicy", "LeastLoadedPolicy", "expected_completion_s"]


@dataclass(eq=False)
class _TierRestricted:
    """Common part: the ``tiers`` parameter and the per-run list of nodes it allows."""

    tiers: Sequence[Tier] | None = None
    _allowed: tuple[str, ...] | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.tiers = normalise_tiers(self.tiers)

    def requirements(self) -> tuple[Requirement, ...]:
        """With ``tiers``, some node of those tiers must compute: checked before a run."""
        if self.tiers is None:
            return ()
        return (Requirement.computing_tier(self.tiers, "chooses among their computing nodes", "tiers"),)

    def reset(self, view: SystemView) -> None:
        """A new run: find the allowed nodes afresh in its system."""
        self._allowed = None

    def _allowed_nodes(self, view: SystemView, policy: str) -> tuple[str, ...]:
        nodes = self._allowed
        if nodes is None:
            tiers = None if self.tiers is None else tuple(self.tiers)
            nodes = self._allowed = computing_nodes(view, tiers, policy)
        return nodes

    def _candidates(self, task: TaskView, view: SystemView, policy: str) -> list[str]:
        return candidates(view, task.source, self._allowed_nodes(view, policy))


@register_policy("random")
@dataclass(eq=False)
class RandomPolicy(_TierRestricted):
    """Run each task whole on a computing node drawn uniformly at random.

    Draws one integer from ``view.rng`` (the policy's own seeded stream) per
    decision, so runs are repeatable and policies compared on common random
    numbers see the same arrivals.

    Parameters
    ----------
    tiers : list[str]
        Only nodes of these tiers, e.g. ``[edge, cloud]``; all tiers if omitted.

    Examples
    --------
    >>> RandomPolicy(tiers=["edge", "cloud"])
    RandomPolicy(tiers=('edge', 'cloud'))

    """

    def decide(self, task: TaskView, view: SystemView) -> Plan:
        """A uniformly drawn usable node, or drop if there is none."""
        choices = self._candidates(task, view, "random")
        if not choices:
            return Plan.reject()
        return Plan.run_on(choices[int(view.rng.integers(len(choices)))])


@register_policy("round-robin")
@dataclass(eq=False)
class RoundRobinPolicy(_TierRestricted):
    """Run each source's tasks whole on the computing nodes in turn.

    Each source keeps its own position in the cycle, starting at the first
    node in the view's order; nodes that are down or unreachable are skipped.

    Parameters
    ----------
    tiers : list[str]
        Only nodes of these tiers, e.g. ``[edge]``; all tiers if omitted.

    """

    _turn: dict[str, int] = field(default_factory=dict, init=False, repr=False)

    def reset(self, view: SystemView) -> None:
        """A new run: every source starts again at the first node."""
        super().reset(view)
        self._turn = {}

    def decide(self, task: TaskView, view: SystemView) -> Plan:
        """The source's next usable node in the cycle, or drop if there is none."""
        choices = self._candidates(task, view, "round-robin")
        if not choices:
            return Plan.reject()
        turns = self._turn
        turn = turns.get(task.source, 0)
        turns[task.source] = turn + 1
        return Plan.run_on(choices[turn % len(choices)])


def expected_completion_s(task: TaskView, view: SystemView, node: str) -> float:
    """Predicted time to run ``task`` whole on ``node`` if it were sent now.

    Upload of the input (none if ``node`` is the source) + expected queueing
    delay + service time + return of the output.  NaN counts as infinite.
    """
    source = task.source
    total = view.expected_wait_s(node) + view.compute_time_s(task, node)
    if node != source:
        total += view.transfer_time_s(source, node, task.cut_bytes[0])
        total += view.transfer_time_s(node, source, task.cut_bytes[task.layers])
    return math.inf if math.isnan(total) else total


_MAX_DECISIONS = 65_536  # per run; beyond it the decision cache starts again (bounded memory)


@register_policy("least-loaded")
@dataclass(eq=False)
class LeastLoadedPolicy(_TierRestricted):
    """Run each task whole where it is expected to finish first, counting queues and transfers.

    For every usable node: input upload + expected wait + compute time +
    output return (see :func:`expected_completion_s`); the smallest wins, ties
    going to the node that comes first in the view's order.

    Parameters
    ----------
    tiers : list[str]
        Only nodes of these tiers, e.g. ``[edge, cloud]``; all tiers if omitted.
    load_bucket : float
        Off if omitted (every decision exact).  A width in seconds, e.g.
        0.02: reuse a source's decision while every candidate's expected
        wait, the task's service time and its transfers' floors stay in the
        same buckets of this width (an approximation; see docs/policies.md).

    """

    load_bucket: float | None = None
    _decisions: dict[tuple[object, ...], str] = field(default_factory=dict, init=False, repr=False)
    _version: int = field(default=0, init=False, repr=False)  # topology_version the cache was built on
    _detours: dict[tuple[str, str], float] = field(default_factory=dict, init=False, repr=False)
    _routes: int = field(default=0, init=False, repr=False)  # routes_version the detours were found on
    _floors: dict[tuple[str, float, float], tuple[float, float]] = field(
        default_factory=dict, init=False, repr=False
    )
    _capacities: int = field(default=0, init=False, repr=False)  # topology_version of the floors
    _hints: dict[str, str] = field(default_factory=dict, init=False, repr=False)  # last choice per source

    def __post_init__(self) -> None:
        super().__post_init__()
        width = self.load_bucket
        if width is not None and (
            isinstance(width, bool) or not isinstance(width, int | float) or not 0.0 < width < math.inf
        ):
            raise ValueError(
                f"load_bucket must be a positive number of seconds (e.g. 0.02 for 20 ms), got {width!r}"
            )

    def reset(self, view: SystemView) -> None:
        """A new run: forget the allowed nodes and every cached decision."""
        super().reset(view)
        self._decisions = {}
        self._version = view.topology_version
        self._detours, self._hints = {}, {}
        self._routes = view.routes_version
        self._floors, self._capacities = {}, view.topology_version

    def decide(self, task: TaskView, view: SystemView) -> Plan:
        """The usable node with the least expected completion time, or drop if there is none.

        With ``load_bucket``, a decision cached under the same key (see
        :meth:`_key`) is reused instead.
        """
        if self.load_bucket is None:
            # Whether a node is usable is asked only of those its bounds do not rule out.
            best = self._least(task, view, self._allowed_nodes(view, "least-loaded"), checked=False)
            return Plan.reject() if best is None else Plan.run_on(best)
        nodes = self._candidates(task, view, "least-loaded")
        if not nodes:
            return Plan.reject()
        if view.topology_version != self._version or len(self._decisions) >= _MAX_DECISIONS:
            # A rate, a latency or a link or node down/up changed the transfers: start afresh.
            self._decisions, self._version = {}, view.topology_version
        key = self._key(task, view, nodes, self.load_bucket)
        node = self._decisions.get(key) or self._least(task, view, nodes)
        if node is None:  # not reached: the candidates are usable and not empty
            return Plan.reject()
        self._decisions[key] = node
        return Plan.run_on(node)

    def _key(self, task: TaskView, view: SystemView, nodes: list[str], width: float) -> tuple[object, ...]:
        """What the decision depends on, the load signal in buckets of ``width`` seconds.

        Exact: the source, the application and the usable candidates (up and
        reachable now; the cache itself is dropped when the topology
        changes).  Bucketed: each candidate's expected wait, the task's
        service time on the first candidate (its size, for work drawn per
        task) and the floors of its upload and return (its input and output
        sizes over the source's links).  Left out: the bandwidth shares of
        the flows in flight on each route, which the exact policy reads.
        """
        source = task.source
        return (
            source,
            task.app,
            tuple(nodes),
            _bucket(view.compute_time_s(task, nodes[0]), width),
            *[_bucket(floor, width) for floor in self._transfer_floors(task, view)],
            *[_bucket(view.expected_wait_s(node), width) for node in nodes],
        )

    def _least(
        self, task: TaskView, view: SystemView, nodes: Sequence[str], checked: bool = True
    ) -> str | None:
        """The first usable node of ``nodes`` with the least expected completion time (None: none usable).

        ``checked``: every one of ``nodes`` is known to be usable (up and
        reachable from the source); otherwise a node is asked whether it is
        only when its bounds do not rule it out, since a node that cannot
        win need not be usable.

        Exactly the node a scan of every usable candidate would pick, found cheaper,
        by lower bounds on each node's total: the least any transfer from
        and back to the source takes (its fastest link's latency, the size
        over its widest link), plus the node's *detour* once known (how much
        longer its routes there and back are than those fastest links), plus
        its wait and compute time.  The node chosen last time for this
        source is priced first; a node whose bound cannot beat the best so
        far is skipped, the cheap parts of the bound asked first, so routes
        and transfers are estimated only for nodes that can still win.  A
        detour is found the first time a node's bound without it does not
        rule it out, and kept until a route moves: no route is asked for a
        pair of nodes that never competed.
        """
        source = task.source
        up, down = self._transfer_floors(task, view)
        if view.routes_version != self._routes or len(self._detours) >= _MAX_DECISIONS:
            self._detours, self._hints, self._routes = {}, {}, view.routes_version
        detours = self._detours

        def floor(node: str) -> float:
            # Summed in the order expected_completion_s sums, so the bound is at most the node's total.
            if node == source:
                return _finite(view.expected_wait_s(node) + view.compute_time_s(task, node))
            return _finite(view.expected_wait_s(node) + view.compute_time_s(task, node) + up + down)

        hint = self._hints.get(source)
        floors: list[float] | None = None
        if hint is not None and hint in nodes and (checked or usable(view, source, hint)):
            best = nodes.index(hint)
        else:  # the node with the least bound, a likely winner
            if not checked:
                nodes, checked = candidates(view, source, nodes), True
                if not nodes:
                    return None
            floors = [floor(node) for node in nodes]
            bounds = [
                _with_detour(b, detours.get((source, n), 0.0)) for b, n in zip(floors, nodes, strict=True)
            ]
            best = min(range(len(nodes)), key=bounds.__getitem__)
        best_s = expected_completion_s(task, view, nodes[best])
        if source in nodes and (checked or usable(view, source, source)):  # no transfer: a likely winner
            here = nodes.index(source)
            here_s = expected_completion_s(task, view, source)
            if (here_s, here) < (best_s, best):
                best, best_s = here, here_s
        transfers = up + down
        for i, node in enumerate(nodes):
            # The total is at least each bound: a node whose (bound, position) cannot beat the best is out.
            detour = detours.get((source, node))
            if node != source:  # first the transfers' floors and the detour alone (_with_detour, inline)
                bound = (
                    transfers + detour if detour is not None and detour > _ROUNDING * transfers else transfers
                )
                if bound > best_s or (bound == best_s and i >= best):
                    continue
            if i == best:  # priced already
                continue
            if not checked and not usable(view, source, node):
                continue
            if detour is None:
                detour = self._detour(view, source, node)
            bound = _with_detour(floor(node) if floors is None else floors[i], detour)
            if bound > best_s or (bound == best_s and i >= best):
                continue
            cost = expected_completion_s(task, view, node)
            if cost < best_s or (cost == best_s and i < best):
                best, best_s = i, cost
        chosen = self._hints[source] = nodes[best]
        return chosen

    def _transfer_floors(self, task: TaskView, view: SystemView) -> tuple[float, float]:
        """The least the task's upload and return can take (``view.transfer_floor_s``), kept per sizes.

        They depend on the source's links' latencies and capacities alone, so
        they are kept per (source, input size, output size) until the
        topology changes (``topology_version``).
        """
        if view.topology_version != self._capacities or len(self._floors) >= _MAX_DECISIONS:
            self._floors, self._capacities = {}, view.topology_version
        source = task.source
        key = (source, task.cut_bytes[0], task.cut_bytes[task.layers])
        floors = self._floors.get(key)
        if floors is None:
            floors = self._floors[key] = (
                view.transfer_floor_s(source, key[1]),
                view.transfer_floor_s(source, key[2], inbound=True),
            )
        return floors

    def _detour(self, view: SystemView, source: str, node: str) -> float:
        """``node``'s route latency from and back to ``source`` beyond the source's fastest links, shaved.

        A route out of the source starts on one of its links, so its latency
        is at least their least; the excess is a fixed part of any transfer
        there, known without the flows in flight.  Kept per (source, node)
        until a route moves (``routes_version``); 0 for the source itself.
        """
        excess = 0.0
        if node != source:
            out = view.transfer_floor_s(source, 0.0)
            back = view.transfer_floor_s(source, 0.0, inbound=True)
            excess = view.route_latency_s(source, node) - out + view.route_latency_s(node, source) - back
        # Shaved by a millionth: see _SHAVE.
        detour = self._detours[(source, node)] = excess * (1.0 - _SHAVE) if 0.0 < excess < math.inf else 0.0
        return detour


# A bound with a detour is exact mathematically, but it and the node's total are each rounded (a few
# parts in 10^16 of them).  Leaving a millionth of the detour out, and adding none below a millionth
# of the bound, keeps a slack of at least 10^-12 of the sum, hundreds of times the rounding: a bound
# never exceeds the total it bounds, so the pruning never skips the node a full scan would pick.
_SHAVE = 1e-6
_ROUNDING = 1e-6


def _with_detour(bound: float, detour: float) -> float:
    """``bound`` raised by ``detour`` where the detour is not lost in the bound's rounding (see _SHAVE)."""
    return bound + detour if detour > _ROUNDING * bound else bound


def _bucket(seconds: float, width: float) -> float:
    """The bucket of width ``width`` that ``seconds`` falls in (NaN counted as infinite)."""
    return seconds // width if seconds < math.inf else math.inf


def _finite(seconds: float) -> float:
    """NaN as infinite, the way :func:`expected_completion_s` counts it."""
    return math.inf if math.isnan(seconds) else seconds
