"""Static placement policies: everything local, the nearest edge or cloud, or a fixed plan.

Their answer for a source does not depend on load, so it is computed once per
source and run and then reused; whether the chosen node is still up and
reachable is checked again only after the view's ``up_version`` moved.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Literal

from offloadsim.globs import is_glob
from offloadsim.policies.base import Placement, Plan, PlanError, SystemView, TaskView, may_host
from offloadsim.policies.candidates import usable
from offloadsim.policies.params import SOURCE, Requirement, Station
from offloadsim.policies.registry import register_policy
from offloadsim.suggest import counted, quoted

__all__ = ["SOURCE", "LocalPolicy", "NearestTierPolicy", "EdgePolicy", "CloudPolicy", "FixedPolicy"]

Fallback = Literal["local", "drop"]


def _local_plan(view: SystemView, source: str) -> Plan | None:
    """Run on the source if it can compute, else None."""
    return Plan.run_on(source) if source in view.nodes() else None


@register_policy("local")
@dataclass(eq=False)
class LocalPolicy:
    """Run every task whole on its source device.

    The baseline with no network at all.  A source that cannot compute (a
    sensor, a node without a processor) is a scenario error: PlanError.

    >>> LocalPolicy()
    LocalPolicy()
    """

    _plans: dict[str, Plan] = field(default_factory=dict, init=False, repr=False)
    #: Every layer runs on the task's source: no other node's processor computes (the run's notes read it).
    may_place: ClassVar[Placement] = Placement(source=True)

    def requirements(self) -> tuple[Requirement, ...]:
        """Every source must compute: checked against the scenario before a run."""
        reason = "runs every task on its source"
        return (Requirement.sources_compute(reason), Requirement.hosted_on((), reason))

    def reset(self, view: SystemView) -> None:
        """A new run: forget the last run's plans."""
        self._plans = {}

    def decide(self, task: TaskView, view: SystemView) -> Plan:
        """The whole task on ``task.source``."""
        plans = self._plans
        plan = plans.get(task.source)
        if plan is None:
            plan = _local_plan(view, task.source)
            if plan is None:
                raise PlanError(
                    f'policy "local": source {quoted(task.source)} (tier {quoted(view.tier(task.source))}) '
                    "cannot compute; give it a processor or choose a policy that offloads"
                )
            plans[task.source] = plan
        return plan


@dataclass(eq=False)
class NearestTierPolicy:
    """Run every task whole on the computing node of one tier nearest its source that hosts its app.

    Nearest means lowest route latency (``view.nearest``), fixed per source and application; where
    that node is not among the application's ``hosts``, the nearest of the tier's nodes that is.
    When that node is down or unreachable, the nearest one still usable is
    asked for; when there is none, the ``fallback`` applies.

    Parameters
    ----------
    fallback : 'local' | 'drop'
        With no usable node of the tier: run on the source device (``local``;
        a source that cannot compute then drops the task) or drop the task.

    """

    tier: ClassVar[str] = ""

    fallback: Fallback = "local"
    _plans: dict[tuple[str, str], Plan] = field(default_factory=dict, init=False, repr=False)
    _checked: bool = field(default=False, init=False, repr=False)
    _version: int = field(default=0, init=False, repr=False)  # the routes the plans were found on
    # Each source's last answer per application, kept while the view's up_version stands (nothing went
    # down or up).
    _answers: dict[tuple[str, str], Plan] = field(default_factory=dict, init=False, repr=False)
    _up: int = field(default=0, init=False, repr=False)  # the up_version the answers were checked at

    def __post_init__(self) -> None:
        if self.fallback not in ("local", "drop"):
            raise ValueError(f'fallback must be "local" or "drop", got {quoted(self.fallback)}')

    @property
    def may_place(self) -> Placement:
        """The computing nodes of its tier, and each task's source where it falls back to ``local``."""
        return Placement(source=self.fallback == "local", tiers=(self.tier,))

    def requirements(self) -> tuple[Requirement, ...]:
        """Some node of the policy's tier must compute: checked against the scenario before a run."""
        reason = f"offloads every task to the nearest {self.tier} node"
        hosted = (
            f"{reason} that hosts its application, falling back to its source while none is usable"
            if self.fallback == "local"
            else reason
        )
        local = self.fallback == "local"  # no node of the tier hosts an app: run at their sources
        return (
            Requirement.computing_tier((self.tier,), reason),
            Requirement.hosted_on((self.tier,), hosted, or_source=local),
        )

    def reset(self, view: SystemView) -> None:
        """A new run: forget the last run's nearest nodes (the topology may differ)."""
        self._plans, self._checked, self._version = {}, False, view.routes_version
        self._answers, self._up = {}, view.up_version

    def decide(self, task: TaskView, view: SystemView) -> Plan:
        """The whole task on the nearest usable node of ``self.tier`` hosting its app, else the fallback.

        The answer depends only on what is up and reachable (and on the
        routes, which bump ``up_version`` too), so it is kept per source and app
        until the view's ``up_version`` moves: one comparison and a look-up
        instead of checking the node again at every decision.
        """
        key = (task.source, task.app)
        if view.up_version == self._up:
            plan = self._answers.get(key)
            if plan is not None:
                return plan
        else:
            self._answers, self._up = {}, view.up_version
        plan = self._answers[key] = self._find(task.source, task.app, view)
        return plan

    def _find(self, source: str, app: str, view: SystemView) -> Plan:
        """``source``'s usual node for ``app`` if usable, else the nearest usable host, else the fallback."""
        if not self._checked:
            self._check_tier_exists(view)
            self._checked = True
        if view.routes_version != self._version:  # a route changed: nearest may be another node
            self._plans, self._version = {}, view.routes_version
        plans = self._plans
        plan = plans.get((source, app))
        if plan is not None and usable(view, source, plan.nodes[0]):
            return plan
        nearest = self._nearest(source, app, view)
        if nearest is not None and usable(view, source, nearest):
            fresh = Plan.run_on(nearest)
            if plan is None:  # the first answer for this source and application becomes its usual node
                plans[(source, app)] = fresh
            return fresh
        if self.fallback == "local":
            return _local_plan(view, source) or Plan.reject()
        return Plan.reject()

    def _nearest(self, source: str, app: str, view: SystemView) -> str | None:
        """The tier's node nearest ``source`` if it hosts ``app``, else the nearest usable one that does.

        ``view.nearest`` knows no application: the nearest edge server sent every request of an
        application hosted only on another one there, to be dropped as not among its hosts.  Ties
        go to the first node in the view's order, as ``view.nearest``'s do.
        """
        nearest = view.nearest(source, self.tier)
        hosts = view.hosts(app)
        if nearest is None or may_host(hosts, nearest, source):
            return nearest
        hosting = [n for n in view.nodes(self.tier) if may_host(hosts, n, source) and usable(view, source, n)]
        return min(hosting, key=lambda node: view.route_latency_s(source, node), default=None)

    def _check_tier_exists(self, view: SystemView) -> None:
        if not view.nodes(self.tier):
            raise PlanError(
                f"policy {quoted(self.tier)}: the system has no computing node of tier {quoted(self.tier)}"
            )


@register_policy("edge")
@dataclass(eq=False)
class EdgePolicy(NearestTierPolicy):
    """Offload every task whole to the nearest edge node (by route latency).

    Parameters
    ----------
    fallback : 'local' | 'drop'
        With no usable edge node: run on the source device (``local``; a
        source that cannot compute then drops the task) or drop the task.

    Examples
    --------
    >>> EdgePolicy(fallback="drop")
    EdgePolicy(fallback='drop')

    """

    tier: ClassVar[str] = "edge"


@register_policy("cloud")
@dataclass(eq=False)
class CloudPolicy(NearestTierPolicy):
    """Offload every task whole to the nearest cloud node (by route latency).

    Parameters
    ----------
    fallback : 'local' | 'drop'
        With no usable cloud node: run on the source device (``local``; a
        source that cannot compute then drops the task) or drop the task.

    """

    tier: ClassVar[str] = "cloud"


@register_policy("fixed")
@dataclass(eq=False)
class FixedPolicy:
    """Run every task by one fixed plan: one node, or several nodes split at fixed layers.

    ``nodes[i]`` runs layers ``cuts[i-1] .. cuts[i]-1``; ``$source`` in
    ``nodes`` stands for each task's own source device.  A cut beyond a
    task's layer count is clamped to it, so the segments after it are empty
    and skipped (a run notes it; a cut beyond every application's layers is
    refused before the run, see :meth:`requirements`).  A node that cannot
    compute is a scenario error (PlanError);
    while any node of the plan is down or unreachable, tasks are dropped.
    A node named twice in a row must run on two different ``processors`` of
    it (a GPU, then a CPU: nothing is sent between them); on one processor
    it is refused (two stages queueing there one after the other).

    Parameters
    ----------
    node : str
        Run every task whole on this node.  Give either ``node`` or ``nodes``.
    nodes : list[str]
        The stations of a multi-stage plan, in layer order.
    cuts : list[int]
        The layer index where each next station takes over (one fewer than
        ``nodes``, non-decreasing).
    processors : list[str]
        The processor each station runs on, by name (one per node of
        ``node``/``nodes``; default: each node's first).

    Examples
    --------
    >>> FixedPolicy(nodes=["$source", "edge-0"], cuts=[3]).plan_for("phone-0", layers=10)
    Plan(nodes=('phone-0', 'edge-0'), cuts=(3,), processors=None, drop=False, order=None, app=None)
    >>> FixedPolicy(nodes=["a", "b"], cuts=[12]).plan_for("s", layers=5).cuts
    (5,)
    >>> FixedPolicy(nodes=["$source", "edge-0"], cuts=[3]).plan_for("edge-0", layers=10).cuts  # one stage
    (10,)
    >>> FixedPolicy(node="edge-0", processors=["gpu"]).plan_for("phone-0", layers=10).processors
    ('gpu',)

    """

    node: Station | None = None
    nodes: Sequence[Station] | None = None
    cuts: Sequence[int] | None = None
    processors: Sequence[str] | None = None
    _stations: tuple[str, ...] = field(default=(), init=False, repr=False)
    _cuts: tuple[int, ...] = field(default=(), init=False, repr=False)
    _plans: dict[tuple[str, int], Plan] = field(default_factory=dict, init=False, repr=False)
    # Whether each plan's nodes are all usable, kept while the view's up_version stands.
    _usable: dict[tuple[str, int], bool] = field(default_factory=dict, init=False, repr=False)
    _up: int = field(default=0, init=False, repr=False)  # the up_version they were checked at

    def __post_init__(self) -> None:
        if (self.node is None) == (self.nodes is None):
            # Both given is most often one from the scenario's own fixed policy and one from an
            # entry (NAME(KEY=VALUE)) merged over it: the values say which came from where.
            nodes = self.nodes
            listed = f"[{', '.join(map(str, nodes))}]" if isinstance(nodes, list | tuple) else quoted(nodes)
            both = "" if self.node is None else f", got both: node {quoted(self.node)} and nodes {listed}"
            raise ValueError(f'give exactly one of "node" (one node) or "nodes" (with "cuts"){both}')
        if self.node is not None:
            if not isinstance(self.node, str) or not self.node:
                raise ValueError(f"node must be a node name, got {quoted(self.node)}")
            if self.cuts:
                raise ValueError('"cuts" goes with "nodes", not with a single "node"')
            self._stations = (self.node,)
            self._check_processors()
            return
        nodes = self.nodes
        if (
            nodes is None
            or isinstance(nodes, str)
            or not nodes
            or not all(isinstance(n, str) and n for n in nodes)
        ):
            raise ValueError(f"nodes must be a non-empty list of node names, got {quoted(nodes)}")
        patterns = [(i, n) for i, n in enumerate(nodes) if is_glob(n)]
        if patterns:  # before the cuts: [edge-*] is one node to the count, and then "0 cuts for 1 node"
            i, pattern = patterns[0]
            raise ValueError(  # begins "nodes ": make_policy then blames policy.nodes
                f"nodes name the stations one by one, in layer order, not by a pattern: nodes[{i}] is "
                f"{quoted(pattern)} (a plan over three edges is nodes: [edge-0, edge-1, edge-2], "
                "with two cuts)"
            )
        cuts = tuple(self.cuts or ())
        if len(cuts) != len(nodes) - 1:
            raise ValueError(  # begins "cuts ": make_policy then blames policy.cuts
                f"cuts must be one fewer than nodes ({len(nodes) - 1} for "
                f"{counted(len(nodes), 'node')}), got {list(cuts)}"
            )
        if any(isinstance(c, bool) or not isinstance(c, int) or c < 0 for c in cuts):
            raise ValueError(f"cuts must be non-negative layer indices, got {list(cuts)}")
        if any(b < a for a, b in itertools.pairwise(cuts)):
            raise ValueError(f"cuts must be non-decreasing, got {list(cuts)}")
        self.nodes, self.cuts = tuple(nodes), cuts
        self._stations, self._cuts = tuple(nodes), cuts
        self._check_processors()
        self._check_repeats()

    def _check_repeats(self) -> None:
        """Refuse a node named twice in a row unless ``processors`` gives it two different processors.

        Two stations on one processor ran its layers as two stages that queued there one after the
        other, with nothing sent between: the plan of one station with one more wait in its queue.
        On two processors of one node it hands the layers from one to the other (a GPU, then a CPU).
        """
        names = self.processors
        for i, (a, b) in enumerate(itertools.pairwise(self._stations), start=1):
            if a != b or (names is not None and names[i - 1] != names[i]):
                continue
            on = f" on processor {quoted(names[i])}" if names is not None else ""
            raise ValueError(
                f"nodes must not name a node twice in a row on one processor: nodes[{i - 1}] and "
                f"nodes[{i}] are both {quoted(a)}{on} (two stages queueing there one after the other, "
                "nothing sent between); give it once, or name two different processors of it in processors"
            )
        # The same across stations that run nothing by their cuts (cuts: [k, k]), which the engine skips.
        bounds, last = (0, *self._cuts), len(self._stations) - 1
        running = [i for i in range(last + 1) if i == last or bounds[i + 1] > bounds[i]]
        for i, j in itertools.pairwise(running):
            a, b = self._stations[i], self._stations[j]
            if a != b or (names is not None and names[i] != names[j]):
                continue
            on = f" on processor {quoted(names[j])}" if names is not None else ""
            raise ValueError(
                f"nodes must not name a node twice in a row on one processor: nodes[{i}] and nodes[{j}] are "
                f"both {quoted(a)}{on}, and the cuts leave the stations between them no layers (two stages "
                "queueing there one after the other, nothing sent between); give it once"
            )

    def _check_processors(self) -> None:
        """One processor name per station, if any are named."""
        names = self.processors
        if names is None:
            return
        if isinstance(names, str) or not all(isinstance(n, str) and n for n in names):
            raise ValueError(f"processors must be a list of processor names, got {quoted(names)}")
        if len(names) != len(self._stations):
            raise ValueError(
                f"processors must name one per node ({len(self._stations)}), got {len(names)}: {list(names)}"
            )
        self.processors = tuple(names)

    @property
    def may_place(self) -> Placement:
        """Its stations: the nodes it names, and each task's source where it names ``$source``."""
        named = tuple(dict.fromkeys(station for station in self._stations if station != SOURCE))
        return Placement(source=SOURCE in self._stations, nodes=named)

    def requirements(self) -> tuple[Requirement, ...]:
        """Sources must compute when ``$source`` runs a segment that is not empty by its cuts.

        Each cut must fall within some application's layers: one beyond every application's
        would leave the stations after it nothing to run (clamped, not refused, inside a run).
        """
        bounds = (0, *self._cuts)
        last = len(self._stations) - 1
        needs = []
        for i, station in enumerate(self._stations):
            empty = i < last and bounds[i + 1] <= bounds[i]
            if station == SOURCE and not empty:
                param = "node" if self.node is not None else f"nodes[{i}]"
                needs.append(Requirement.sources_compute("runs layers at the task's source ($source)", param))
            if self.processors is not None and not empty:
                reason = f"runs layers on processor {quoted(self.processors[i])}"
                needs.append(
                    Requirement.processor_named(self.processors[i], station, reason, f"processors[{i}]")
                )
        for i, cut in enumerate(self._cuts):
            needs.append(Requirement.cut_within_layers(cut, f"cuts at layer {cut}", f"cuts[{i}]"))
        return tuple(needs)

    def plan_for(self, source: str, layers: int) -> Plan:
        """The plan for a task from ``source`` with ``layers`` layers (no checks against a system).

        Where ``$source`` stands next to a node that is this task's source (on the same processor),
        the node runs both stations' layers in one stage: the later station's segment is left empty
        (its cut moved to where it ended), as the engine refuses two segments in a row on one
        processor (a second wait in its queue, nothing sent between).
        """
        stations = tuple(source if n == SOURCE else n for n in self._stations)
        processors = tuple(self.processors) if self.processors is not None else None
        bounds = [0, *(min(c, layers) for c in self._cuts), layers]
        before: int | None = None  # the last station with layers to run
        for j, node in enumerate(stations):
            if bounds[j + 1] <= bounds[j]:
                continue
            if (
                before is not None
                and stations[before] == node
                and (processors is None or processors[before] == processors[j])
            ):
                bounds[before + 1 : j + 1] = [bounds[j + 1]] * (j - before)  # station j runs nothing now
                continue
            before = j
        return Plan(stations, tuple(bounds[1:-1]), processors)

    def reset(self, view: SystemView) -> None:
        """A new run: check the plans afresh against its system."""
        self._plans, self._usable, self._up = {}, {}, view.up_version

    def decide(self, task: TaskView, view: SystemView) -> Plan:
        """The fixed plan (checked once per source and layer count), or drop while a node is unavailable."""
        plans = self._plans
        key = (task.source, task.layers)
        plan = plans.get(key)
        if plan is None:
            plan = self.plan_for(task.source, task.layers)
            computing = view.nodes()
            for node, start, stop in plan.segments(task.layers):
                if stop > start and node not in computing:
                    raise PlanError(
                        f'policy "fixed": node {quoted(node)} cannot compute (not a node with a processor); '
                        f"computing nodes: {', '.join(computing)}"
                    )
            plans[key] = plan
        # Every node named must be reachable, even one whose segment is empty (as validate_plan requires);
        # checked again only once something went down or up (the view's up_version moved).
        if view.up_version != self._up:
            self._usable, self._up = {}, view.up_version
        ok = self._usable.get(key)
        if ok is None:
            ok = self._usable[key] = all(usable(view, task.source, node) for node in plan.nodes)
        return plan if ok else Plan.reject()
