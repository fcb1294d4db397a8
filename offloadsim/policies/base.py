"""The policy contract: what a policy sees (a task, a read-only view) and returns (a Plan).

A policy is a small object with a ``decide(task, view) -> Plan`` method,
and optionally ``reset(view)``, which the engine calls at the start of every
run before the first decision: whatever the policy cached in an earlier run
is forgotten there, and ``view.rng`` is its own random stream for the run.
Its constructor takes the scenario's ``policy:`` parameters as keyword
arguments, so ``policy: {name: fixed, node: edge-0}`` becomes
``FixedPolicy(node="edge-0")``.  A policy never mutates the world: the view
only reads, and the engine validates every plan before acting on it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from numbers import Integral
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np

from offloadsim.field_values import FieldValues
from offloadsim.suggest import counted, did_you_mean_name, quoted

if TYPE_CHECKING:
    from offloadsim.models.graph import LayerGraph
    from offloadsim.policies.costs import LLMStage
    from offloadsim.policies.deciders import Decider
    from offloadsim.policies.splitting import CutCodec
    from offloadsim.scenario.model import PowerSpec

__all__ = [
    "Placement",
    "Plan",
    "PlanError",
    "InfeasiblePlan",
    "TaskView",
    "SystemView",
    "Policy",
    "reset_policy",
    "validate_plan",
    "may_host",
    "placement_of",
]


class PlanError(ValueError):
    """A policy returned a plan the engine cannot carry out."""


class InfeasiblePlan(PlanError):
    """A well-formed plan this task cannot run by: a node outside its application's hosts, or unreachable.

    The engine drops the task with this message as its ``reason`` and the
    run goes on: a policy that cannot serve some tasks is a finding, not a
    crash.
    """


@dataclass(frozen=True, slots=True)
class Plan:
    """Where each segment of a task's layer chain runs.

    ``nodes[i]`` runs layers ``cuts[i-1] .. cuts[i]-1`` (with ``cuts[-1]``
    taken as 0 and the last segment running to the end).  So a single-stage
    task runs with ``Plan(("edge-0",))`` and a Neurosurgeon split after layer
    ``k`` is ``Plan((device, server), (k,))``.  Empty segments are skipped.
    ``processors`` optionally names the processor per segment (default: the
    node's first).  A plan with ``drop=True`` rejects the task (admission
    control); it is recorded with status ``dropped``.  ``order`` (models
    only) is another topological order of the layer indices in which the
    cuts apply, for partitions of a DAG that are not a prefix of the
    model's own order (a min-cut device set, say); the bytes crossing each
    cut are then recomputed from the layer graph.  ``app`` serves the
    request with one of its application's ``alternatives`` (a larger cloud
    model, say) instead; the cuts then refer to that model's layers.
    """

    nodes: tuple[str, ...]
    cuts: tuple[int, ...] = ()
    processors: tuple[str | None, ...] | None = None
    drop: bool = False
    order: tuple[int, ...] | None = None
    app: str | None = None

    @staticmethod
    def run_on(node: str) -> Plan:
        """The whole task on one node."""
        return Plan((node,))

    @staticmethod
    def split(first: str, second: str, cut: int) -> Plan:
        """Layers ``[0, cut)`` on ``first``, the rest on ``second``."""
        return Plan((first, second), (cut,))

    @staticmethod
    def reject() -> Plan:
        """Drop the task."""
        return _DROP

    def segments(self, layers: int) -> list[tuple[str, int, int]]:
        """``(node, start, stop)`` for each segment, empty ones included."""
        bounds = (0, *self.cuts, layers)
        return [(node, bounds[i], bounds[i + 1]) for i, node in enumerate(self.nodes)]


_DROP = Plan((), drop=True)


# eq=False, repr=False: FieldValues's __eq__, __hash__ and __repr__ (issue 12 e: see offloadsim.field_values).
@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Placement(FieldValues):
    """Where a policy may ever run layers: a policy's optional ``may_place`` attribute.

    ``source``: on each task's own source; ``nodes``: on these nodes by name; ``tiers``: on any
    computing node of these tiers.  A policy without ``may_place`` (a plug-in) may place anywhere
    an application's hosts allow and its sources reach.  What a run says of how it costs work
    reads it: the note on a GPU profile's assumed efficiency is left out of a run whose policy
    never places on that GPU's node (``local``, ``fixed(node=edge)``, ``edge`` beside a cloud GPU).
    """

    source: bool = False
    nodes: tuple[str, ...] = ()
    tiers: tuple[str, ...] = ()

    def allows(self, node: str, tier: str, sources: Collection[str]) -> bool:
        """Whether ``node`` (of ``tier``) may run layers of tasks from ``sources``."""
        return node in self.nodes or tier in self.tiers or (self.source and node in sources)


def placement_of(policy: object) -> Placement | None:
    """A policy's :class:`Placement` (its ``may_place``), or None: anywhere (a plug-in that says nothing)."""
    placement = getattr(policy, "may_place", None)
    return placement if isinstance(placement, Placement) else None


class TaskView(Protocol):
    """What a policy may read about a task (the engine's task object satisfies it)."""

    id: int
    app: str
    source: str
    arrival: float
    deadline: float
    layers: int
    flops: Sequence[float]
    cut_bytes: Sequence[float]


class SystemView(Protocol):
    """A read-only view of the running system, handed to every decision."""

    @property
    def now(self) -> float:
        """Current simulated time, seconds."""
        ...

    @property
    def rng(self) -> np.random.Generator:
        """The policy's own random stream in this run, keyed by the policy's name and the run's seed."""
        ...

    @property
    def topology_version(self) -> int:
        """Bumped by every change of the network (a rate, a latency, a link or node down/up).

        A policy that caches answers built on routes or rates keys them on it.
        """
        ...

    @property
    def routes_version(self) -> int:
        """Bumped by every change that can move a route or its latency (a latency, a link or node down/up).

        A rate change leaves it alone: a policy whose cached answers read the
        rates live (``available_bandwidth_bps``, ``transfer_time_s``, or a
        bucket of them in the cache key) keys its caches on this instead, and
        keeps them across a bandwidth trace's every step.
        """
        ...

    @property
    def up_version(self) -> int:
        """Bumped whenever ``is_up`` or ``reachable`` may answer otherwise (and with ``routes_version``).

        A node, its processor or a link going down or up, a route moving.
        While it stands, a decision checked against ``is_up`` and
        ``reachable`` still holds: a policy keeps it and skips the checks
        (the static policies do, one comparison per decision).
        """
        ...

    def nodes(self, tier: str | None = None) -> tuple[str, ...]:
        """Nodes that can compute, optionally only those of one tier."""
        ...

    def tier(self, node: str) -> str:
        """The node's tier: device, edge, cloud or network."""
        ...

    def group(self, node: str) -> str:
        """The scenario key a node came from: ``phone`` for ``phone-3`` of a ``count:``, else its own name."""
        ...

    def is_up(self, node: str) -> bool:
        """False while the node is failed."""
        ...

    def processors(self, node: str) -> tuple[str, ...]:
        """The names of the node's processors, its first (default) first; () if it cannot compute.

        The calls below that ask about a node's processor ask about its first unless given
        ``processor``, one of these names (a phone's ``npu``); a plan runs a segment there with
        ``Plan.processors``.
        """
        ...

    def cores(self, node: str, processor: str | None = None) -> int:
        """Parallel servers of the node's processor (0 if it cannot compute)."""
        ...

    def busy_cores(self, node: str, processor: str | None = None) -> int:
        """Cores serving a stage now."""
        ...

    def queue_length(self, node: str, processor: str | None = None) -> int:
        """Stages waiting (not in service) at the node's processor."""
        ...

    def expected_wait_s(self, node: str, processor: str | None = None) -> float:
        """Expected queueing delay of a stage submitted now: the work queued and in service / cores.

        LLM requests in progress there add the decode steps they have not yet queued (one step
        of each is in the queue at a time; docs/policies.md, "An LLM server's wait").
        """
        ...

    def compute_time_s(
        self,
        task: TaskView,
        node: str,
        start: int = 0,
        stop: int | None = None,
        app: str | None = None,
        processor: str | None = None,
    ) -> float:
        """Predicted service time of layers ``[start, stop)`` of ``task`` on ``node``.

        With ``app``, as if one of the task's alternatives served it.
        """
        ...

    def llm_stage(
        self, task: TaskView, node: str, start: int, stop: int, processor: str | None = None
    ) -> LLMStage | None:
        """An LLM request's prefill and decode step times on blocks ``[start, stop)`` of ``node``.

        On its first processor, or the one named.  None when ``task`` is not an LLM request.
        """
        ...

    def reachable(self, a: str, b: str) -> bool:
        """True if a route joins ``a`` and ``b``."""
        ...

    def route_latency_s(self, a: str, b: str) -> float:
        """Propagation latency along the route from ``a`` to ``b``."""
        ...

    def route_bandwidth_bps(self, a: str, b: str) -> float:
        """Bottleneck capacity along the route, ignoring other traffic."""
        ...

    def available_bandwidth_bps(self, a: str, b: str) -> float:
        """Estimated share a new flow would get now (capacity / (flows + 1) at the bottleneck)."""
        ...

    def transfer_time_s(self, a: str, b: str, size_bytes: float) -> float:
        """Estimated latency + size / available bandwidth for a new flow."""
        ...

    def transfer_floor_s(self, node: str, size_bytes: float, inbound: bool = False) -> float:
        """A lower bound on :meth:`transfer_time_s` from ``node`` to any other node (to it, if ``inbound``).

        Any such transfer crosses one of the node's own links, so it takes at
        least the least latency of those links plus the size over the largest
        capacity: a policy can rule out far nodes without asking for routes.
        """
        ...

    def nearest(self, source: str, tier: str) -> str | None:
        """The computing node of ``tier`` with the lowest route latency from ``source``."""
        ...

    def attachment(self, device: str) -> str | None:
        """The access point a moving device is attached to now (``dynamics: [{kind: mobility}]``).

        None while it is out of every access point's reach, and for a node
        that does not move.
        """
        ...

    def power(self, node: str) -> PowerSpec | None:
        """The node's power draw by state (None when the scenario gives none)."""
        ...

    def core_busy_w(self, node: str, processor: str | None = None) -> float:
        """Watts above idle a busy core of the node's processor (its first, or the one named) draws."""
        ...

    def layer_graph(self, app: str) -> LayerGraph | None:
        """The layer graph of ``app``'s model (None for synthetic work)."""
        ...

    def alternatives(self, app: str) -> tuple[str, ...]:
        """Applications that may serve ``app``'s requests instead (``Plan.app``)."""
        ...

    def hosts(self, app: str) -> tuple[str, ...] | None:
        """Nodes allowed to run ``app``'s layers (None: any computing node).

        Those that a ``$source`` in the scenario's ``hosts`` brought in serve their own requests
        alone: ask :func:`may_host` (hosts, node, task.source) rather than ``node in hosts``.
        """
        ...

    def cut_codec(
        self, app: str, nodes: Sequence[str], processors: Sequence[str | None] | None = None
    ) -> CutCodec | None:
        """``app``'s activation codec priced on ``nodes`` (seconds per byte each), or None without one.

        At each node's first processor's speed, or the one ``processors`` names (None: its first).
        """
        ...


@runtime_checkable
class Policy(Protocol):
    """Decides where each task runs.

    A policy may also define ``reset(self, view: SystemView) -> None``: called
    once at the start of every run, before the first :meth:`decide`, with
    that run's view (see :func:`reset_policy`).  It drops every per-run cache
    (plans per source, route latencies, turns of a cycle), since the same
    object may serve another run, on another system.  Draw random numbers
    only from ``view.rng``.
    """

    def decide(self, task: TaskView, view: SystemView) -> Plan:
        """Return the plan for ``task`` given the current state of the system."""
        ...


def reset_policy(policy: Policy, view: SystemView) -> None:
    """Start a run: call the policy's ``reset(view)`` if it has one (a plug-in may not)."""
    reset = getattr(policy, "reset", None)
    if reset is not None:
        reset(view)


def may_host(hosts: Collection[str] | None, node: str, source: str) -> bool:
    """Whether ``node`` may run layers of a request from ``source``, by its application's ``hosts``.

    ``hosts`` is ``view.hosts(app)``: None (any computing node), or the nodes allowed, of which
    those a ``$source`` in the scenario's list brought in (its ``own``) serve their own requests
    alone.
    """
    if hosts is None:
        return True
    return node in hosts and (node == source or node not in getattr(hosts, "own", ()))


def no_plan(plan: object, named: str) -> str:
    """The line refusing ``plan``, a policy's answer that is no Plan: ``named`` (the policy) returned what."""
    shown = repr(plan) if len(repr(plan)) <= 60 else f"{repr(plan)[:57]}..."
    return (
        f"{named} returned {type(plan).__name__} {shown}, expected a Plan "
        "(offloadsim.policies.Plan: Plan.run_on(node), Plan.split(device, server, cut), Plan.reject())"
    )


def validate_plan(
    plan: object, task: TaskView, view: SystemView, policy_name: str, decider: Decider | None = None
) -> Plan:
    """Check a policy's answer before the engine acts on it; raise PlanError naming the policy.

    ``decider``: the run's, which names the policy deciding the task's source (a composite's inner
    one with its group: ``"my-policy" (by-group's policy of group "old-phone")``); else
    ``policy_name``, quoted.
    """
    named = quoted(policy_name) if decider is None else decider.of_source(task.source)
    if not isinstance(plan, Plan):
        raise PlanError(no_plan(plan, f"policy {named}"))
    if plan.drop:
        return plan
    if not isinstance(plan.nodes, (tuple, list)):  # a lone name would be read as one node per letter
        raise PlanError(
            f"policy {named}: a plan's nodes must be a tuple of node names, got "
            f"{quoted(plan.nodes)} ({type(plan.nodes).__name__}); use Plan.run_on(node) for one node"
        )
    if not plan.nodes:
        raise PlanError(f"policy {named} returned a plan with no nodes for task {task.id}")
    if not isinstance(plan.cuts, (tuple, list)) or not all(
        isinstance(cut, Integral) and not isinstance(cut, bool) for cut in plan.cuts
    ):
        raise PlanError(
            f"policy {named}: a plan's cuts must be a tuple of whole layer counts, got "
            f"{plan.cuts!r} for task {task.id}"
        )
    if len(plan.cuts) != len(plan.nodes) - 1:
        raise PlanError(
            f"policy {named}: a plan over {counted(len(plan.nodes), 'node')} needs "
            f"{counted(len(plan.nodes) - 1, 'cut')}, got {len(plan.cuts)} ({tuple(plan.cuts)}) for task "
            f"{task.id} of app {quoted(task.app)}: nodes[i] runs layers cuts[i-1] .. cuts[i]-1"
        )
    previous = 0
    for cut in plan.cuts:
        if not (previous <= cut <= task.layers):
            raise PlanError(
                f"policy {named}: cuts {plan.cuts} must be non-decreasing within "
                f"[0, {task.layers}] for task {task.id} of app {quoted(task.app)}"
            )
        previous = cut
    computing = set(view.nodes())
    for node, start, stop in plan.segments(task.layers):
        if stop <= start:
            continue  # empty segments are skipped, so they need neither a processor nor a route
        if node not in computing:
            raise PlanError(_not_computing(named, task, node, computing))
        hosts = view.hosts(plan.app or task.app)
        if not may_host(hosts, node, task.source):
            app = plan.app or task.app
            why = "which is not among its hosts"
            if hosts is not None and node in hosts:
                why = f"which hosts it for its own requests only ($source), not {quoted(task.source)}'s"
            raise InfeasiblePlan(f"policy {named} placed {quoted(app)} on {quoted(node)}, {why}")
        if not view.reachable(task.source, node):
            raise InfeasiblePlan(
                f"policy {named} placed a task on {quoted(node)}, unreachable from its source"
            )
    if plan.order is not None and sorted(plan.order) != list(range(task.layers)):
        raise PlanError(f"policy {named}: order must be a permutation of 0..{task.layers - 1}")
    if plan.processors is not None and len(plan.processors) != len(plan.nodes):
        raise PlanError(f"policy {named}: processors must name one per node")
    return _plain_ints(plan)


def _not_computing(named: str, task: TaskView, node: object, computing: set[str]) -> str:
    """Why a plan's node cannot run a segment: not a name, a name of no node, or a node with no processor.

    A misspelt name gets the closest computing node's (``Plan.run_on("egde")``).
    """
    said = f"policy {named} placed task {task.id} on {quoted(node)}"
    if not isinstance(node, str):
        return f"{said} ({type(node).__name__}); expected the name of a computing node (view.nodes())"
    hint = did_you_mean_name(node, sorted(computing))
    return f"{said}, which is not a node with a processor (view.nodes() lists those){hint}"


def _plain_ints(plan: Plan) -> Plan:
    """``plan`` with its cuts and order as Python ints and its fields as tuples.

    A policy may give numpy's integers (``np.argmin``'s): the engine compiled by mypyc types the
    layer indices of its steps ``int`` and refuses a numpy integer there (a TypeError the pure build
    never meets). It may also give lists (``Plan(["phone-0", "edge"], [3])``), which the engine
    could not keep its compiled plans under. A plan is validated once per compiled plan, so the
    copy costs nothing per task.
    """
    order, processors = plan.order, plan.processors
    if (
        type(plan.nodes) is tuple
        and type(plan.cuts) is tuple
        and all(type(cut) is int for cut in plan.cuts)
        and (order is None or (type(order) is tuple and all(type(i) is int for i in order)))
        and (processors is None or type(processors) is tuple)
    ):
        return plan
    return replace(
        plan,
        nodes=tuple(plan.nodes),
        cuts=tuple(int(cut) for cut in plan.cuts),
        processors=None if processors is None else tuple(processors),
        order=None if order is None else tuple(int(i) for i in order),
    )
