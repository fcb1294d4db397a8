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
from typing import cast

from offloadsim.policies.base import Plan, SystemView, TaskView
from offloadsim.policies.candidates import (
    candidates,
    computing_nodes,
    normalise_tiers,
    processor_choices,
    usable,
)
from offloadsim.policies.committed import Committed, CommittedView
from offloadsim.policies.costs import TOKEN_BYTES
from offloadsim.policies.params import Requirement, Tier
from offloadsim.policies.registry import register_policy
from offloadsim.suggest import quoted

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

    Each source keeps its own position in the cycle; the k-th source to send a task starts at
    the k-th node in the view's order (counted round the cycle), so that many sources do not all
    begin on the first node; nodes that are down or unreachable are skipped.

    Parameters
    ----------
    tiers : list[str]
        Only nodes of these tiers, e.g. ``[edge]``; all tiers if omitted.

    """

    _turn: dict[str, int] = field(default_factory=dict, init=False, repr=False)

    def reset(self, view: SystemView) -> None:
        """A new run: every source starts again, the k-th to send at the k-th node."""
        super().reset(view)
        self._turn = {}

    def decide(self, task: TaskView, view: SystemView) -> Plan:
        """The source's next usable node in the cycle, or drop if there is none."""
        choices = self._candidates(task, view, "round-robin")
        if not choices:
            return Plan.reject()
        turns = self._turn
        # A source's first task starts it where the sources before it did not: 100 phones began in
        # step on the first node, a burst of 100 tasks on edge-0 (in step for good, sent periodically).
        turn = turns.get(task.source, len(turns))
        turns[task.source] = turn + 1
        return Plan.run_on(choices[turn % len(choices)])


def expected_completion_s(
    task: TaskView, view: SystemView, node: str, app: str | None = None, processor: str | None = None
) -> float:
    """Predicted time to run ``task`` whole on ``node`` if it were sent now.

    Upload of the input (none if ``node`` is the source) + expected queueing
    delay + service time (of ``app``'s model, one of the task's alternatives,
    if given) + return of the output.  On the node's first processor, or the
    one named by ``processor`` (its wait and its service time).  NaN counts as
    infinite.
    """
    source = task.source
    if processor is None:  # asked as a view without processors takes it (a plug-in's, a test's), no call more
        compute = view.compute_time_s(task, node) if app is None else view.compute_time_s(task, node, app=app)
        total = view.expected_wait_s(node) + compute
    else:
        total = _named_service_s(task, view, node, app, processor)
    if node != source:
        total += view.transfer_time_s(source, node, task.cut_bytes[0])
        total += view.transfer_time_s(node, source, returned_bytes(task))
    return total if total == total else math.inf  # NaN is the one float unequal to itself


def returned_bytes(task: TaskView) -> float:
    """The bytes whose trip home ends ``task``: its output, or an LLM request's last token.

    An LLM request's tokens stream home as each is made (the engine's, and
    :func:`~offloadsim.policies.costs.llm_request_cost`'s walk): only the last one's trip
    follows its decoding.  Priced as the whole answer (256 bytes for 32 tokens) sent after it,
    model-select's price of one Llama request alone on an a100 read 40 µs over the engine's.
    """
    if getattr(task, "llm", None) is not None:
        return TOKEN_BYTES
    return task.cut_bytes[task.layers]


def _named_service_s(task: TaskView, view: SystemView, node: str, app: str | None, processor: str) -> float:
    """``node``'s processor ``processor``'s expected wait + ``task``'s compute time there."""
    compute = view.compute_time_s(task, node, app=app, processor=processor)
    return view.expected_wait_s(node, processor) + compute


def several_processors(view: SystemView, nodes: Sequence[str]) -> dict[str, tuple[str | None, ...]]:
    """Those of ``nodes`` with more than one processor -> their :func:`processor_choices`.

    How least-loaded and model-select price a node's processors (see :meth:`_Pruned._fastest`).
    """
    found: dict[str, tuple[str | None, ...]] = {}
    for node in nodes:
        choices = processor_choices(view, node)
        if len(choices) > 1:
            found[node] = choices
    return found


_MAX_DECISIONS = 65_536  # per run; beyond it the decision cache starts again (bounded memory)
_MAX_HELD = 4 * _MAX_DECISIONS  # nodes' detours kept over all sources; beyond it they are found afresh
_SIZES = 64  # (input, output) sizes whose transfer floors a source keeps


class _Source:
    """What least-loaded keeps about one source between decisions; none of it is a guess.

    Positions are indices into the policy's nodes.  ``detours`` holds each
    node's detour once found (-1: not yet, counted as none); ``order`` the
    other nodes (not the source itself) by detour, the unknown ones first:
    the order in which their cheapest bounds grow.  The transfer floors are
    those of the last task's sizes, on topology ``version``.
    """

    __slots__ = (
        "detours",
        "down",
        "here",
        "hint",
        "hints",
        "order",
        "size_in",
        "size_out",
        "sizes",
        "up",
        "usable",
        "version",
    )

    def __init__(self, nodes: Sequence[str], source: str) -> None:
        self.hint = -1  # the node chosen last time (-1: none yet)
        self.hints: dict[str, int] = {}  # the same, per model, for model-select
        self.usable: _Usable | None = None  # which nodes are usable from here, on the view's up_version
        self.here = nodes.index(source) if source in nodes else -1  # the source's own position
        self.detours = [-1.0] * len(nodes)
        self.order: list[int] | None = None
        self.version = -1  # topology_version the floors below were found on
        self.sizes: dict[tuple[float, float], tuple[float, float]] = {}
        self.size_in = self.size_out = math.nan
        self.up = self.down = 0.0

    def usable_on(self, view: SystemView, source: str, nodes: Sequence[str]) -> _Usable:
        """Which of ``nodes`` are usable from ``source``: each asked once while ``view.up_version`` stands."""
        known = self.usable
        if known is None or known.version != view.up_version:
            known = self.usable = _Usable(view, source, nodes)
        return known

    def ordered(self) -> list[int]:
        """The other nodes' positions by (detour, position): their bounds without the queues, ascending."""
        order = self.order
        if order is None:
            detours, here = self.detours, self.here
            order = self.order = sorted(
                (i for i in range(len(detours)) if i != here), key=detours.__getitem__
            )
        return order


class _Usable(dict[int, bool]):
    """Whether each node (by position) is usable from one source: asked on first look, kept after.

    Valid while the view's ``up_version`` is ``version``: nothing went down or
    up and no route moved, so ``usable`` would answer the same.  A look-up of
    a node already asked is a plain dict look-up, not five calls.
    """

    __slots__ = ("nodes", "source", "version", "view")

    def __init__(self, view: SystemView, source: str, nodes: Sequence[str]) -> None:
        super().__init__()
        self.view, self.source, self.nodes, self.version = view, source, nodes, view.up_version

    def __missing__(self, i: int) -> bool:
        answer = self[i] = usable(self.view, self.source, self.nodes[i])
        return answer


class _Hosting:
    """Whether each node (by position) is usable from a source and hosts the model asked about."""

    __slots__ = ("hosts", "usable")

    def __init__(self, usable: _Usable, hosts: frozenset[int]) -> None:
        self.usable, self.hosts = usable, hosts

    def __getitem__(self, i: int) -> bool:
        return i in self.hosts and self.usable[i]


@dataclass(eq=False)
class _Pruned(_TierRestricted):
    """Common part of least-loaded and model-select: the least expected completion, found by bounds.

    What is kept per source between decisions (:class:`_Source`) lets a
    decision price only the nodes that can still win, not every node: with
    a thousand devices that can compute, a full scan asks a route for each
    pair of them, more than the view's route cache holds.
    """

    in_transit: bool = False
    _sources: dict[str, _Source] = field(default_factory=dict, init=False, repr=False)
    _held: int = field(default=0, init=False, repr=False)  # detours the sources hold between them
    _routes: int = field(default=0, init=False, repr=False)  # routes_version the sources were found on
    _committed: Committed | None = field(default=None, init=False, repr=False)  # with in_transit only
    # The allowed nodes with several processors -> theirs (the first as None), found once a run: the
    # others are priced as they always were, with no call more per candidate.
    _several: dict[str, tuple[str | None, ...]] | None = field(default=None, init=False, repr=False)
    _processor: str | None = field(default=None, init=False, repr=False)  # the last _least's (None: first)
    #: least-loaded and model-select price each processor of a node and run on the fastest: the
    #: scenario check of idle processors and the notes on hardware read it.
    chooses_processors = True

    def __post_init__(self) -> None:
        super().__post_init__()
        if not isinstance(self.in_transit, bool):
            raise ValueError(f"in_transit must be true or false, got {quoted(self.in_transit)}")

    def reset(self, view: SystemView) -> None:
        """A new run: forget the allowed nodes, what was kept about each source and the work in transit."""
        super().reset(view)
        self._sources, self._held, self._routes = {}, 0, view.routes_version
        self._committed = Committed() if self.in_transit else None
        self._several, self._processor = None, None

    def _counted(self, task: TaskView, view: SystemView) -> Plan:
        """``decide`` on ``view`` with the work in transit counted in each wait, then the task sent counted.

        What ``in_transit`` does, apart from ``decide``'s own body so that a
        policy without it pays no call for it.
        """
        committed = self._committed
        if committed is None:  # decided without a reset, as a test may
            committed = self._committed = Committed()
        counting = CommittedView(view, committed)
        plan = self.decide(task, cast(SystemView, counting))  # type: ignore[attr-defined]
        if plan.nodes:
            counting.record(task, plan.nodes[0], plan.app, plan.processors[0] if plan.processors else None)
        return plan

    def _least(
        self, task: TaskView, view: SystemView, app: str | None = None, only: frozenset[int] | None = None
    ) -> int:
        """The position of the first usable node with the least expected completion time (-1: none usable).

        With ``app`` (the task's own application or one of its
        ``alternatives``), the time served by that model, and only the
        positions in ``only`` (its hosts) if given: what model-select asks
        once per model.  A node with several processors counts as its fastest
        (:meth:`_fastest`), which ``self._processor`` holds for the node
        returned (None: its first).

        Exactly the node a scan of every usable candidate would pick, found
        cheaper, by lower bounds on each node's total: the least any transfer
        from and back to the source takes (its fastest link's latency, the
        size over its widest link), plus the node's *detour* once known (how
        much longer its routes there and back are than those fastest links),
        plus its wait and compute time.  The node chosen last time for this
        source is priced first (the node with the least bound when there is
        none, or it is not usable).  The others are visited by detour, so by
        the bound of their transfers and detour alone, which grows along the
        way: the first that cannot beat the best so far ends the search.  A
        node is asked whether it is up and reachable, then its wait and
        compute time, only when its bounds do not rule it out (a node that
        cannot win need not be usable); routes and transfers are estimated
        only for nodes that can still win.  A detour is found the first time
        a node's bound without it does not rule it out, and kept until a
        route moves: no route is asked for a pair of nodes that never
        competed.
        """
        source = task.source
        nodes = self._allowed
        if nodes is None:
            nodes = self._allowed_nodes(view, "least-loaded")
        several = self._several
        if several is None:
            several = self._several = several_processors(view, nodes)
        best_p: str | None = None
        state = self._sources.get(source) if view.routes_version == self._routes else None
        if state is None:
            state = self._source(view, source, nodes)
        if (
            state.version != view.topology_version
            or state.size_in != task.cut_bytes[0]
            or state.size_out != returned_bytes(task)
        ):
            self._floors(state, task, view)
        up, down = state.up, state.down
        detours = state.detours
        floors: list[float | None] | None = None  # each node's bound with its queue, None: not usable
        usable_here = state.usable_on(view, source, nodes)
        ok: _Usable | _Hosting = usable_here if only is None else _Hosting(usable_here, only)
        best = state.hint if app is None else state.hints.get(app, -1)
        if best < 0 or not ok[best]:  # start from the node with the least bound
            floors = [
                (
                    (
                        _floor(view, task, node, up, down, app)
                        if node not in several
                        else self._fastest_floor(view, task, node, up, down, app)
                    )
                    if ok[i]
                    else None
                )
                for i, node in enumerate(nodes)
            ]
            bounds = [math.inf if f is None else _with_detour(f, detours[i]) for i, f in enumerate(floors)]
            best = min((i for i, f in enumerate(floors) if f is not None), key=bounds.__getitem__, default=-1)
            if best < 0:
                return -1
        if nodes[best] not in several:
            best_s = expected_completion_s(task, view, nodes[best], app)
        else:
            best_s, best_p = self._fastest(task, view, nodes[best], app)
        here = state.here
        if here >= 0 and here != best and (ok[here] if floors is None else floors[here] is not None):
            # no transfer: a likely winner
            if source not in several:
                here_s, here_p = expected_completion_s(task, view, source, app), None
            else:
                here_s, here_p = self._fastest(task, view, source, app)
            if (here_s, here) < (best_s, best):
                best, best_s, best_p = here, here_s, here_p
        transfers = up + down
        slack = _ROUNDING * transfers
        for i in state.order or state.ordered():
            # The total is at least each bound: a node whose (bound, position) cannot beat the best is out.
            detour = detours[i]
            bound = transfers + detour if detour > slack else transfers  # _with_detour, inline
            if bound > best_s:
                break  # and so is every node after it: their bounds are no less
            if i == best or (bound == best_s and i > best):
                continue
            node = nodes[i]
            if floors is None:
                if not ok[i]:
                    continue
                floor = (
                    _floor(view, task, node, up, down, app)
                    if node not in several
                    else self._fastest_floor(view, task, node, up, down, app)
                )
            else:
                known = floors[i]
                if known is None:
                    continue
                floor = known
            if floor > best_s or (floor == best_s and i > best):
                continue  # out on its wait and compute alone: its detour, two routes, is not asked
            if detour < 0.0:
                detour = self._detour(view, state, source, i, node)
            bound = _with_detour(floor, detour)
            if bound > best_s or (bound == best_s and i > best):
                continue
            if node not in several:
                cost, cost_p = expected_completion_s(task, view, node, app), None
            else:
                cost, cost_p = self._fastest(task, view, node, app)
            if cost < best_s or (cost == best_s and i < best):
                best, best_s, best_p = i, cost, cost_p
        self._processor = best_p
        if app is None:
            state.hint = best
        else:
            state.hints[app] = best
        return best

    def _fastest(
        self, task: TaskView, view: SystemView, node: str, app: str | None
    ) -> tuple[float, str | None]:
        """The least expected completion time over ``node``'s processors, and whose (None: its first).

        Each priced as :func:`expected_completion_s` prices a node (the same transfers, its own wait
        and compute time); a tie keeps the processor listed first, so the first wins unless
        another is strictly faster.  Asked only of a node with several processors.
        """
        assert self._several is not None
        best_s, best_p = math.inf, None
        for j, processor in enumerate(self._several[node]):
            cost = expected_completion_s(task, view, node, app, processor)
            if j == 0 or cost < best_s:
                best_s, best_p = cost, processor
        return best_s, best_p

    def _fastest_floor(
        self, view: SystemView, task: TaskView, node: str, up: float, down: float, app: str | None
    ) -> float:
        """The least :func:`_floor` over ``node``'s processors: at most :meth:`_fastest`'s time."""
        assert self._several is not None
        return min(_floor(view, task, node, up, down, app, processor) for processor in self._several[node])

    def _source(self, view: SystemView, source: str, nodes: Sequence[str]) -> _Source:
        """What is kept about ``source``: dropped for every source when a route moves (``routes_version``)."""
        if view.routes_version != self._routes:
            self._sources, self._held, self._routes = {}, 0, view.routes_version
        state = self._sources.get(source)
        if state is None:
            if self._held + len(nodes) > _MAX_HELD:  # bounded memory: start afresh
                self._sources, self._held = {}, 0
            state = self._sources[source] = _Source(nodes, source)
            self._held += len(nodes)
        return state

    def _floors(self, state: _Source, task: TaskView, view: SystemView) -> None:
        """The least the task's upload and return can take (``view.transfer_floor_s``), into ``state``.

        They depend on the source's links' latencies and capacities alone, so
        they are kept per (input size, output size) until the topology
        changes (``topology_version``).
        """
        version = view.topology_version
        if state.version != version:
            state.sizes, state.version = {}, version
        sizes = (task.cut_bytes[0], returned_bytes(task))
        floors = state.sizes.get(sizes)
        if floors is None:
            if len(state.sizes) >= _SIZES:
                state.sizes = {}
            source = task.source
            floors = state.sizes[sizes] = (
                view.transfer_floor_s(source, sizes[0]),
                view.transfer_floor_s(source, sizes[1], inbound=True),
            )
        state.size_in, state.size_out = sizes
        state.up, state.down = floors

    def _detour(self, view: SystemView, state: _Source, source: str, i: int, node: str) -> float:
        """``node``'s route latency from and back to ``source`` beyond the source's fastest links, shaved.

        A route out of the source starts on one of its links, so its latency
        is at least their least; the excess is a fixed part of any transfer
        there, known without the flows in flight.  Kept in ``state`` until a
        route moves (``routes_version``); ``node`` is not the source.
        """
        out = view.transfer_floor_s(source, 0.0)
        back = view.transfer_floor_s(source, 0.0, inbound=True)
        excess = view.route_latency_s(source, node) - out + view.route_latency_s(node, source) - back
        # Shaved by a millionth: see _SHAVE.
        detour = state.detours[i] = excess * (1.0 - _SHAVE) if 0.0 < excess < math.inf else 0.0
        state.order = None  # sorted afresh at the next decision
        return detour


@register_policy("least-loaded")
@dataclass(eq=False)
class LeastLoadedPolicy(_Pruned):
    """Run each task whole where it is expected to finish first, counting queues and transfers.

    For every usable node: input upload + expected wait + compute time +
    output return (see :func:`expected_completion_s`); the smallest wins, ties
    going to the node that comes first in the view's order.  A node with
    several processors (a phone's CPU and NPU) is priced on each, with that
    processor's wait and compute time, and the task runs on the cheapest,
    ties going to the processor listed first.

    Parameters
    ----------
    tiers : list[str]
        Only nodes of these tiers, e.g. ``[edge, cloud]``; all tiers if omitted.
    in_transit : bool
        Off if omitted.  On: a node's expected wait also counts the tasks
        this policy sent there whose input is still uploading (until the
        upload time priced at the decision has passed), which its queue
        does not show yet; without it, phones deciding during one another's
        uploads all see the same idle node (docs/policies.md).
    load_bucket : float
        Off if omitted (every decision exact).  A width in seconds, e.g.
        0.02: reuse a source's decision while every candidate's expected
        wait, the task's service time and its transfers' floors stay in the
        same buckets of this width (an approximation; see docs/policies.md).

    """

    load_bucket: float | None = None
    _decisions: dict[tuple[object, ...], Plan] = field(default_factory=dict, init=False, repr=False)
    _version: int = field(default=0, init=False, repr=False)  # topology_version the cache was built on
    _plans: tuple[Plan, ...] | None = field(default=None, init=False, repr=False)  # one per node
    # (position, processor) -> the plan running there on a processor after the node's first
    _named: dict[tuple[int, str], Plan] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        width = self.load_bucket
        if width is not None and (
            isinstance(width, bool) or not isinstance(width, int | float) or not 0.0 < width < math.inf
        ):
            raise ValueError(
                f"load_bucket must be a positive number of seconds (e.g. 0.02 for 20 ms), got {quoted(width)}"
            )

    def reset(self, view: SystemView) -> None:
        """A new run: forget the allowed nodes and every cached decision."""
        super().reset(view)
        self._decisions = {}
        self._version = view.topology_version
        self._plans = None
        self._named = {}

    def decide(self, task: TaskView, view: SystemView) -> Plan:
        """The usable node with the least expected completion time, or drop if there is none.

        With ``load_bucket``, a decision cached under the same key (see
        :meth:`_key`) is reused instead.  With ``in_transit``, decided on a
        view whose waits count the work in transit, and the task sent is
        counted there until its input arrives.
        """
        if self.in_transit and not isinstance(view, CommittedView):
            return self._counted(task, view)
        if self.load_bucket is None:
            best = self._least(task, view)
            plans = self._plans
            if plans is None or best < 0 or self._processor is not None:
                return self._plan(view, best)  # not the common case: a drop, a later processor
            return plans[best]  # one plan per node, made once a run: a decision allocates nothing
        nodes = self._candidates(task, view, "least-loaded")
        if not nodes:
            return Plan.reject()
        if view.topology_version != self._version or len(self._decisions) >= _MAX_DECISIONS:
            # A rate, a latency or a link or node down/up changed the transfers: start afresh.
            self._decisions, self._version = {}, view.topology_version
        key = self._key(task, view, nodes, self.load_bucket)
        plan = self._decisions.get(key)
        if plan is None:  # the candidates are usable and not empty, so there is a least
            plan = self._decisions[key] = self._plan(view, self._least(task, view))
        return plan

    def _plan(self, view: SystemView, best: int) -> Plan:
        """The plan running a task whole at position ``best`` (on ``_least``'s processor), or a drop."""
        if best < 0:
            return Plan.reject()
        processor = self._processor
        if processor is not None:  # a processor after the node's first (an NPU, a GPU)
            plan = self._named.get((best, processor))
            if plan is None:
                node = self._allowed_nodes(view, "least-loaded")[best]
                plan = self._named[(best, processor)] = Plan((node,), processors=(processor,))
            return plan
        plans = self._plans
        if plans is None:  # one plan per node, made once a run: a decision allocates nothing
            plans = self._plans = tuple(map(Plan.run_on, self._allowed_nodes(view, "least-loaded")))
        return plans[best]

    def _key(self, task: TaskView, view: SystemView, nodes: list[str], width: float) -> tuple[object, ...]:
        """What the decision depends on, the load signal in buckets of ``width`` seconds.

        Exact: the source, the application and the usable candidates (up and
        reachable now; the cache itself is dropped when the topology
        changes).  Bucketed: each candidate's expected wait (of each of its
        processors, for a node with several), the task's
        service time on the first candidate (its size, for work drawn per
        task) and the floors of its upload and return (its input and output
        sizes over the source's links).  Left out: the bandwidth shares of
        the flows in flight on each route, which the exact policy reads.
        """
        source = task.source
        state = self._source(view, source, self._allowed_nodes(view, "least-loaded"))
        self._floors(state, task, view)
        return (
            source,
            task.app,
            tuple(nodes),
            _bucket(view.compute_time_s(task, nodes[0]), width),
            _bucket(state.up, width),
            _bucket(state.down, width),
            *[_bucket(view.expected_wait_s(node), width) for node in nodes],
            *self._later_waits(view, nodes, width),
        )

    def _later_waits(self, view: SystemView, nodes: list[str], width: float) -> list[float]:
        """The buckets of the waits of the candidates' processors after their first (none: one each)."""
        several = self._several
        if several is None:
            several = self._several = several_processors(view, self._allowed_nodes(view, "least-loaded"))
        if not several:
            return []
        return [
            _bucket(view.expected_wait_s(node, processor), width)
            for node in nodes
            for processor in several.get(node, (None,))[1:]
            if processor is not None
        ]


# A bound with a detour is exact mathematically, but it and the node's total are each rounded (a few
# parts in 10^16 of them).  Leaving a millionth of the detour out, and adding none below a millionth
# of the bound, keeps a slack of at least 10^-12 of the sum, hundreds of times the rounding: a bound
# never exceeds the total it bounds, so the pruning never skips the node a full scan would pick.
_SHAVE = 1e-6
_ROUNDING = 1e-6


def _with_detour(bound: float, detour: float) -> float:
    """``bound`` raised by ``detour`` where the detour is not lost in the bound's rounding (see _SHAVE)."""
    return bound + detour if detour > _ROUNDING * bound else bound


def _floor(
    view: SystemView,
    task: TaskView,
    node: str,
    up: float,
    down: float,
    app: str | None = None,
    processor: str | None = None,
) -> float:
    """``node``'s total without its transfers' shares and detour: at most :func:`expected_completion_s`.

    Summed in the order that function sums, so the bound never exceeds the total.
    """
    if processor is None:
        compute = view.compute_time_s(task, node) if app is None else view.compute_time_s(task, node, app=app)
        service = view.expected_wait_s(node) + compute
    else:
        service = _named_service_s(task, view, node, app, processor)
    if node == task.source:
        return _finite(service)
    return _finite(service + up + down)


def _bucket(seconds: float, width: float) -> float:
    """The bucket of width ``width`` that ``seconds`` falls in (NaN counted as infinite)."""
    return seconds // width if seconds < math.inf else math.inf


def _finite(seconds: float) -> float:
    """NaN as infinite, the way :func:`expected_completion_s` counts it."""
    return math.inf if math.isnan(seconds) else seconds
