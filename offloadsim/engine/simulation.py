"""One simulation run: the world, a policy and a seed in; columnar records out.

The hot path is callback-driven: an arrival draws the task's attributes,
asks the policy for a plan, and walks the compiled steps; each compute step
is one processor event and each transfer one flow in the network.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from typing import Any, cast

import numpy as np

from offloadsim.engine.context import RunContext
from offloadsim.engine.dynamics import connect, live_topology, start_dynamics
from offloadsim.engine.energy import NodeMeter, radios_aborted, radios_on, radios_received, radios_sent
from offloadsim.engine.environment import RunEnvironment
from offloadsim.engine.errors import EngineError
from offloadsim.engine.inner_policies import (
    composite_decide,
    deciding_name,
    inner_of_groups,
    seat_inner,
    unseat_inner,
)
from offloadsim.engine.late import dropping_late, past_deadline
from offloadsim.engine.ledger import Ledger
from offloadsim.engine.link_changes import LinkChanges
from offloadsim.engine.link_stats import LinkStatistics
from offloadsim.engine.llm import LLMWork
from offloadsim.engine.network import abort_reason, make_link_model, no_route
from offloadsim.engine.piecewise import PiecewiseLog, down_text
from offloadsim.engine.planning import CompiledPlans, LastPlan, PlanCompiler
from offloadsim.engine.plugin_adapters import PluginKind, PluginLinkModel, PluginProcessor
from offloadsim.engine.plugin_faults import blame_plugin
from offloadsim.engine.policy_faults import blame_policy
from offloadsim.engine.policy_guard import decide_of
from offloadsim.engine.policy_watch import POLICY_TIMEOUT_S, policy_watched
from offloadsim.engine.processor import Processor as FifoProcessor
from offloadsim.engine.processor import fifo, refused
from offloadsim.engine.processor_models import ProcessorLike as Processor
from offloadsim.engine.processor_models import build_processor
from offloadsim.engine.record_tables import collected, collector_plugins, start_collectors
from offloadsim.engine.records import RawRun, RecordLog
from offloadsim.engine.recovery import Recovery
from offloadsim.engine.streams import stream, workload_name
from offloadsim.engine.tasks import NAN, CompiledPlan, ComputeStep, Task, TransferStep
from offloadsim.engine.view import EngineView
from offloadsim.engine.work import Maker, WorkKind, get_kind
from offloadsim.engine.work_model import ModelWork
from offloadsim.engine.work_synthetic import SyntheticWork
from offloadsim.engine.workload import arrivals_of, start_arrivals
from offloadsim.plugins import dotted_name, shipped_module
from offloadsim.policies.base import Plan, Policy, reset_policy
from offloadsim.policies.deciders import Decider, deciding
from offloadsim.records.schema import FIRST_PROCESSOR_ONLY, LINK_COLUMNS, PROCESSOR_COLUMNS
from offloadsim.scenario.errors import format_path
from offloadsim.suggest import quoted
from offloadsim.world import World
from offloadsim.world.topology import Change, NoRouteError

__all__ = ["COMPILED_CACHE", "EngineError", "Simulation", "work_kind"]

Progress = Callable[[float], None]

#: The built-in kinds of work (each module registers its kind when imported).
BUILTIN_KINDS = (ModelWork, LLMWork, SyntheticWork)
#: The built-in processor models (registered when their module is imported).
BUILTIN_PROCESSORS = (fifo,)

#: Compiled plans kept at once, per run (each holds its steps and routes: about a kilobyte).
COMPILED_CACHE = 1 << 16


class Simulation:
    """A single replication of a scenario under one policy."""

    def __init__(
        self,
        world: World,
        policy: Policy,
        policy_name: str,
        seed: int,
        replication: int = 0,
        record_stages: bool = False,
        records: RecordLog | None = None,
    ):
        scenario = world.scenario
        self.world = world
        self.policy = policy
        self.policy_name = policy_name
        self.seed = seed
        self.replication = replication
        self.warmup_s = scenario.warmup_s
        self.end_s = scenario.end_s
        self.env = RunEnvironment()
        # Who decides the run's tasks, as every fault's line names it: the run's policy, or a
        # composite's inner one with its task's group (its seated inner policies tell it).
        self.decider = Decider(policy, policy_name, self._group, self._deciding)
        # The policy's decide; a plug-in's is checked to leave the task it is given as it was, and a
        # composite's tells the decider whose plan it gave (an inner policy's, or its own).
        self._decide = composite_decide(
            policy, decide_of(policy, policy_name, lambda: self.env.now, self.decider), self.decider
        )
        self.resources: dict[tuple[str, str], Processor] = {}
        self.processors: dict[str, Processor] = {}  # each node's first processor
        self.node_processors: dict[str, tuple[Processor, ...]] = {}  # all of each node's, first first
        for node in world.processors:
            built = []
            for model in world.processors_of(node):
                processor = build_processor(self.env, model, world)  # WorldError: a plug-in not built
                self.resources[(node, processor.name)] = processor
                built.append(processor)
            self.processors[node] = built[0]
            self.node_processors[node] = tuple(built)
        # The run's network: routes from its topology (a fork of the world's when the world
        # changes during the run, or a battery can run flat), flows shared by its link model.
        self.topology = live_topology(world)
        self.network = make_link_model(world, self.env)  # WorldError: a plug-in not built
        self.ledger = ledger = Ledger(self.env, scenario.warmup_s, record_stages, records)
        self.records = ledger.records
        self.in_flight = ledger.in_flight
        self.counters = ledger.counters
        self._end = ledger.end
        self.drained_at: dict[str, float] = {}  # each node whose battery ran flat -> when
        self.meters: dict[str, NodeMeter] = {
            name: NodeMeter(
                self.env,
                name,
                node.power,
                self.node_processors.get(name, ()),
                self.records,
                self._on_drained,
                tuple(model.spec.busy_w for model in world.processors_of(name)),
            )
            for name, node in world.nodes.items()
            if node.power is not None
        }
        # Each kind looked up once: a plug-in's is wrapped once in its checking adapter (PluginKind).
        by_name = {kind: work_kind(kind) for kind in dict.fromkeys(app.kind for app in world.apps.values())}
        self.kinds: dict[str, WorkKind] = {name: by_name[app.kind] for name, app in world.apps.items()}
        # Each workload entry's arrival process: a plug-in's in its checking adapter (PluginArrivals).
        self.arrivals: list[Any] = [arrivals_of(scenario, workload) for workload in scenario.workload]
        self.context = RunContext(
            self.env,
            world,
            self.processors,
            self.network,
            self.meters,
            ledger,
            seed,
            replication,
            self.end_s,
            policy_name,
            self.kinds,
            self.resources,
            self.spawn,
            self.node_down,
            self.topology,
            self.fail_task,
            self.drained_at,
            self.decider,
        )
        self.view = EngineView(self.context, stream(seed, replication, "policy", policy_name))
        self._compiler = PlanCompiler(self.context, self.view)
        self._next_id = 0
        self._trying = False  # a dry run's trial decisions began (trial_plan): the policy seated and reset
        # The step callbacks, bound once (a bound method is a new object at every attribute read).
        self._on_computed = self._compute_done
        self._on_transferred = self._transfer_done
        self._on_aborted = self._transfer_aborted
        self._on_sent = self._radios_off
        self._on_received = self._radio_received
        self._stages = ledger.stages
        # Each application's kind's start, or None where it only walks the compiled steps: the kernel
        # walks those itself (one call less per task).
        self._starts = {name: None if _walks_only(kind) else kind.start for name, kind in self.kinds.items()}
        self._compiled = CompiledPlans(self._compiler.compile, COMPILED_CACHE)
        # The applications whose requests past their deadline are dropped (late: drop), else None.
        self._drop_late = dropping_late(world.apps, lambda name: self._starts[name] is None)
        if self._drop_late is not None:
            for processor in self.resources.values():
                if isinstance(processor, FifoProcessor):  # a plug-in model's queue is its own
                    processor.stale, processor.expire = self._stale, self._expire
        self._noise: dict[str, Callable[[], float]] = {}
        self._makers: dict[str, list[Maker]] = {}  # by application: its makers, one per entry and source
        # Each node's state, 1 up and 0 down, as a step function of time (its availability).
        self._node_row = {name: row for row, name in enumerate(world.nodes)}
        self._node_states = PiecewiseLog(0.0, [1.0] * len(self._node_row))
        self._snapshot: dict[str, Any] = {}
        # Stages cut short, by (node, processor), on powered processors that cannot say what they ran.
        self._untold: dict[tuple[str, str], int] = {}
        self.link_stats: LinkStatistics | None = None
        self.link_changes: LinkChanges | None = None  # when each link changed (a world that changes)
        spec = scenario.recovery
        self.recovery = (
            Recovery(spec, self.context, self.view, self._decide, self._launch) if spec is not None else None
        )
        # A recovery timeout: a first attempt's timer starts as it is dispatched (a retry's is recovery's).
        self._arm = (
            self.recovery.arm if self.recovery is not None and self.recovery.timeout_s is not None else None
        )
        # Handovers per task in flight, by task id, in a world whose devices move (else None).
        self.handovers: dict[int, int] | None = (
            {} if any(getattr(entry.kind, "hands_over", False) for entry in world.dynamics) else None
        )
        if self.topology is not world.topology:  # the world's own never changes: nothing to hear
            connect(self.topology, self.network, self._world_changed)
            self.link_stats = LinkStatistics(self.env, self.topology)
        # Each registered record table's collector (offloadsim.records.tables), by table.
        self.collectors: dict[str, Any] = start_collectors(self)
        self.link_changes = cast("LinkChanges | None", self.collectors.get("link_changes"))

    def trial_plan(self, task: Task, policy_timeout_s: float | None = POLICY_TIMEOUT_S) -> CompiledPlan:
        """The plan the run's policy gives ``task`` now, compiled: a dry run's trial decision.

        Decided as a run decides, on a run built and not started (``run --dry-run``'s stations):
        the policy reset before its first decision, a composite's inner policies seated in the
        guards on their own streams, a plug-in's decide checked (task unchanged, a Plan returned)
        and watched (``policy_timeout_s``, as :meth:`run`'s); a plug-in's fault, the policy's or a
        processor model's pricing, is its one line (exit 2), as in a run, not an internal error.
        """
        try:
            first = not self._trying
            if first:
                self._trying = True
                seat_inner(self.policy, self._now, self.view, self._inner_stream, self.decider)
            with policy_watched(
                deciding(self.policy, self.policy_name), self._now, policy_timeout_s, self.decider
            ):
                if first:
                    reset_policy(self.policy, self.view)
                return self._compiler.compile(self._decide(task, self.view), task)
        except (Exception, SystemExit) as error:  # a plug-in's sys.exit() too, as in a run
            blamed = self._blamed(error)
            if blamed is None:
                raise
            raise blamed from error

    def _world_changed(self, change: Change) -> None:
        """The run's topology changed: the caches built on it go (plans compiled over old routes)."""
        self.view.topology_version = self.topology.version
        self.view.routes_version = self.topology.routes_version
        if change.what in ("capacity", "loss"):
            return  # routes and their latencies stand; rates are read live
        self.view.up_version += 1  # a route moved, or a link or node went down or up
        if change.what == "handover":
            self._handed_over(change.node)
            return
        self._compiled.clear()
        if change.leaf:  # a device on its access point went down: the view forgets it, as at a handover
            self.view.moved(change.node)
        else:
            self.view.forget_routes()
        if change.what == "node-up" and change.node is not None:
            if change.value:
                self._node_up(change.node)
            elif change.node in self.drained_at:  # taken down for good by _on_drained
                self.node_down(change.node, f"battery flat at {change.node}")
            else:
                self.node_down(change.node, f"{change.node} went down")

    def _node_up(self, node: str) -> None:
        """``node`` came back: its processors take stages again (never a flat battery's: it stays down)."""
        self.view.up_version += 1
        self._node_states.set(self._node_row[node], self.env.now, 1.0)
        for (where, _), processor in self.resources.items():
            if where == node:
                processor.up = True
        meter = self.meters.get(node)
        if meter is not None:
            meter.came_up()

    def _handed_over(self, device: str) -> None:
        """``device`` moved to another access point (or out of reach): only its own routes changed.

        Its tasks in flight count the handover; the plans compiled for it and
        the view's answers about it go (other sources' stand: a device hangs
        off the network, so no other route crosses it).
        """
        counts = self.handovers
        if counts is not None:
            for task in self.in_flight.values():
                if task.source == device:
                    counts[task.id] = counts.get(task.id, 0) + 1
        self._compiled.forget_source(device)
        self.view.moved(device)

    # -- building ---------------------------------------------------------
    def _start_workloads(self) -> None:
        apps = [workload.app for workload in self.world.scenario.workload]
        for workload, process in zip(self.world.scenario.workload, self.arrivals, strict=True):
            app = self.world.apps[workload.app]
            entry = workload_name(apps, workload.index)
            for source in workload.sources:
                key = (*entry, source)  # names, not positions: another node or entry leaves it alone
                rng = stream(self.seed, self.replication, "attributes", *key)
                make = self.kinds[app.name].maker(app, source, rng, self.world.apps)
                measure = getattr(make, "measure_from", None)  # optional: see WorkKind
                if measure is not None:
                    measure(self.warmup_s)
                self._makers.setdefault(app.name, []).append(make)
                arrive = self._arrival(make, source)
                start_arrivals(self.context, workload, process, source, arrive, key)

    def _arrival(self, make: Maker, source: str) -> Callable[[], Task | None]:
        """The arrival callback: create a task (unless the source's battery is flat) and dispatch it."""
        meter = self.meters.get(source)
        battery = meter if meter is not None and meter.battery_j is not None else None
        return _Arrival(self, make, battery, self._compiled.record(source)).arrive

    # -- the hot path -----------------------------------------------------
    def _dispatch(self, task: Task, plan: Plan | None = None, last: LastPlan | None = None) -> Task | None:
        """Ask the policy, compile its plan, start the first step; None if the task ended at once.

        A retry or fallback attempt comes with its ``plan`` (engine/recovery.py);
        one that cannot run fails, and recovery decides again.  ``last``: the
        source's last plan (``CompiledPlans.record``), which its arrivals hold.
        """
        retry = plan is not None
        if plan is None:
            if self._arm is not None:
                self._arm(task)
            plan = self._decide(task, self.view)
        if last is None:
            last = self._compiled.record(task.source)
        if last.plan is plan and last.app == task.app and last.compiled is not None:
            compiled = last.compiled  # this source's last answer: CompiledPlans.get's first look, inline
        else:  # (a plan serving another application is never matched here: the task's app was the other)
            served_by = getattr(plan, "app", None)
            if served_by is not None and served_by != task.app:
                self._serve_with(task, served_by)
            compiled = self._compiled.get(plan, task, last)
        task.plan = compiled
        self.in_flight[task.id] = task
        if compiled.drop:
            if retry:
                self.fail_task(task, compiled.reason)
            else:
                self._end(task, "dropped", compiled.reason)
            return None
        start = self._starts[task.app]
        if start is None:
            self._advance(task)
        else:
            start(self.context, task, self._advance)
        return task if task.id in self.in_flight else None

    def _launch(self, task: Task, plan: Plan) -> None:
        """Start a retry or fallback attempt on ``plan`` (its timer, if any, is recovery's)."""
        self._dispatch(task, plan)

    def _group(self, node: str) -> str:
        """``node``'s group (its ``count:`` entry's key, else its name): the decider's, for a fault's line."""
        return self.world.nodes[node].group

    def _deciding(self, group: str) -> str | None:
        """The innermost inner policy deciding ``group``'s tasks (None: no composite): the decider's."""
        return deciding_name(self.policy, group)

    def _serve_with(self, task: Task, app_name: str) -> None:
        """Turn ``task`` into a request of ``app_name``, one of its application's alternatives."""
        if app_name not in self.world.apps[task.app].spec.alternatives:
            raise EngineError(
                f"policy {self.decider.of_source(task.source)} served a request of {quoted(task.app)} with "
                f"{quoted(app_name)}, which is not among {quoted(task.app)}'s alternatives"
            )
        task.flops, task.cut_bytes = self.kinds[app_name].served_as(task, self.world.apps[app_name])
        task.layers = len(task.flops)
        task.app = app_name

    def _advance(self, task: Task) -> None:
        plan = task.plan
        steps = plan.steps
        k = task.step
        if k == len(steps):
            self._end(task, "completed")
            return
        step = steps[k]
        late = self._drop_late
        if late is not None and task.app in late and self.env.now - task.arrival > task.deadline:
            self._expire(task, step.processor.node if type(step) is ComputeStep else step.source)
            return
        task.step = k + 1
        if type(step) is ComputeStep:
            service = step.service_s
            if service < 0.0:
                service = step.price(task, step.start, step.stop)  # type: ignore[misc]
            if step.noise_sigma:
                service *= self._noise_factor(step.processor.node, step.noise_sigma)
            if not step.processor.submit(service, self._on_computed, task):
                self._end(task, "dropped", refused(step.processor))
        else:
            transfer: TransferStep = step  # typed: a build compiled by mypyc reads its fields natively
            now = self.env.now
            task.t0 = now
            if task.start != task.start:  # NaN: first step
                task.start = now
            size = transfer.size_bytes if transfer.size_bytes >= 0.0 else task.cut_bytes[transfer.cut]
            channels, latency = transfer.channels, transfer.latency_s
            if plan.routes != self.topology.routes_version:  # a route moved since the plan was compiled
                try:
                    route = self.topology.route(transfer.source, transfer.target)
                except NoRouteError:
                    self.fail_task(task, no_route(transfer.source, transfer.target))
                    return
                channels, latency = route.channels, route.latency_s
            sent, done = None, self._on_transferred
            # Radios on: the sender's from now to the last byte leaving (_radios_off), the receiver's
            # a route latency later, to the delivery (_radio_received).
            if transfer.radios and size > 0.0 and channels:
                meter: NodeMeter | None = transfer.meter
                if meter is None:  # both ends powered, or one not charged to the task
                    radios_on(transfer.radios, task, task, now + latency)
                    sent, done = self._on_sent, self._on_received
                elif transfer.sending:  # the task's own device sends (an upload): the common case
                    meter.flow_started(True, task)
                    sent = self._on_sent
                else:  # ... or receives (a download)
                    meter.expect(now + latency, task, task)
                    done = self._on_received
            self.network.start(channels, size, latency, done, task, sent, self._on_aborted)

    def _stale(self, task: Any) -> bool:
        """Whether ``task``, at the head of a processor's queue, is to be dropped as past its deadline.

        An attempt already given up (its stage is served all the same) and another kind's payload
        are not.
        """
        return (
            type(task) is Task
            and task.alive
            and task.app in cast("frozenset[str]", self._drop_late)
            and self.env.now - task.arrival > task.deadline
        )

    def _expire(self, task: Task, node: str) -> None:
        """End ``task`` dropped: its deadline passed before its next stage started at ``node``."""
        task.alive = False
        self._end(task, "dropped", past_deadline(node))

    def _radios_off(self, task: Task) -> None:
        """The last byte of ``task``'s transfer step left: its sending end's radio hears it.

        The step's meters are called directly, not through callables bound
        per step (a device's would be objects of its own, cold at each of its
        tasks in a big scenario, where the task and its step are at hand).
        """
        step: TransferStep = task.plan.steps[task.step - 1]
        meter: NodeMeter | None = step.meter
        size = step.size_bytes if step.size_bytes >= 0.0 else task.cut_bytes[step.cut]  # inline, no call
        if meter is not None:  # the task's own device, sending (a receiving one has no `sent`)
            meter.flow_sent(True, task, None, size)
        else:
            radios_sent(step.radios, task, size)

    def _radio_received(self, task: Task) -> None:
        """``task``'s transfer step was delivered: its receiving end's radio falls silent; the step ends."""
        step: TransferStep = task.plan.steps[task.step - 1]
        meter: NodeMeter | None = step.meter
        size = step.size_bytes if step.size_bytes >= 0.0 else task.cut_bytes[step.cut]
        if meter is not None:  # keyed by the task: received(task, task)
            meter.flow_sent(False, task, None, size)
        else:
            radios_received(step.radios, task, task, size)
        self._transfer_done(task)

    def _transfer_aborted(self, task: Task) -> None:
        """A link or node of a transfer step went down under it: its radios fall silent and the task fails."""
        step: TransferStep = task.plan.steps[task.step - 1]
        if step.radios:
            radios_aborted(step.radios, task, task)
        reason = abort_reason(self.topology, step.channels, step.source, step.target, self.drained_at)
        self.fail_task(task, reason)

    def fail_task(self, task: Task, reason: str) -> None:
        """``task``'s work was aborted: retry it per the scenario's ``recovery``, else end it failed now.

        The one function every abort goes through (a node or link down, a
        timeout, a handover's ``fail`` rule).  Its pending events are ignored
        from here on; a retry is a new attempt object (engine/recovery.py).
        """
        if not task.alive or self.in_flight.get(task.id) is not task:
            return  # ended already, or a dead attempt of a retried task
        if self.recovery is None or not self.recovery.take(task, reason):
            task.alive = False
            self._end(task, "failed", reason)

    # The two step ends below book the stage and take the next step; each does inline, for speed, what
    # the ledger's book_compute / book_transfer do when no stage rows are kept, and what _advance does
    # after a task's last step: a call fewer apiece, at every stage.
    def _compute_done(self, task: Task, wait_s: float, service_s: float) -> None:
        if not task.alive:  # given up while its stage ran on (a timeout, a failure elsewhere)
            spent: ComputeStep = task.plan.steps[task.step - 1]
            if spent.power_w:
                self.ledger.charge_late(task, spent.power_w * service_s)
            elif spent.other_w:
                spent.other.charge_other(task, spent.other_w * service_s)
            return
        steps = task.plan.steps
        step: ComputeStep = steps[task.step - 1]
        if step.other_w:  # another powered node computed it
            step.other.charge_other(task, step.other_w * service_s)
        if self._stages is None:  # Ledger.book_compute, inline
            task.wait += wait_s
            task.compute_time += service_s
            if task.start != task.start:  # NaN: the task's first step
                task.start = self.env.now - service_s
            if step.power_w:
                joules = step.power_w * service_s
                task.energy += joules
                task.compute_energy += joules
        else:
            processor = step.processor
            self.ledger.book_compute(task, processor.node, wait_s, service_s, step.power_w, processor.name)
        if task.step == len(steps):
            self._end(task, "completed")
        else:
            self._advance(task)

    def _transfer_done(self, task: Task) -> None:
        if not task.alive:
            return
        steps = task.plan.steps
        step: TransferStep = steps[task.step - 1]
        size = step.size_bytes if step.size_bytes >= 0.0 else task.cut_bytes[step.cut]
        if self._stages is None:  # Ledger.book_transfer, inline
            task.transfer_time += self.env.now - task.t0
            task.bytes_sent += size
        else:
            self.ledger.book_transfer(task, step.source, step.target, size, task.t0, step.latency_s)
        if task.step == len(steps):
            self._end(task, "completed")
        else:
            self._advance(task)

    def _on_drained(self, meter: NodeMeter) -> None:
        """A battery ran flat: its device goes down in the run's topology, for good.

        The run's topology is its own when a battery can run flat (``live_topology``),
        so what follows a node going down follows here: its links carry nothing (the
        transfers still sending to, from or through it are aborted, their bytes sent
        so far counted on the links they crossed, as is any the kernel hands the
        network after the drain: a drain found as a flow's radio turns on comes
        before the flow starts), no route crosses it, the links table's availability
        drops, and ``_world_changed`` stops its processors and fails the tasks that
        need it (:meth:`node_down`), with the flat battery's reason.  No later change
        (a ``node-schedule`` window ending, a repair) brings it back up.
        """
        node = meter.node
        self.drained_at[node] = self.env.now
        self.topology.take_down_for_good(node)

    def node_down(self, node: str, reason: str) -> None:
        """``node`` went down: its processors abort their stages; every task that needs it fails.

        The stage-abort hook: a task whose source is ``node`` ends ``failed``
        with ``reason``; one whose plan runs layers there goes through
        :meth:`fail_task` (retried if the scenario's ``recovery`` says so).
        Their pending events are ignored from then on.  On a powered node, each
        stage it cut short is then told, as one that ran on after its task was
        given up is, the time it ran: its callback charges that to its task
        (the device drew it, so a device's tasks add up to its energy less idle).
        Its meter then draws the node's ``down`` power until :meth:`_node_up`.
        A processor model without ``in_service`` cannot say what its stages ran:
        a powered node's going down with stages in service there is counted,
        and the run says so in a note (:meth:`_untold_notes`).
        """
        self.view.up_version += 1  # its processors stop: is_up answers otherwise from now
        self._node_states.set(self._node_row[node], self.env.now, 0.0)
        powered = node in self.meters
        cut: list[tuple[Any, Any, float, float]] = []
        for (where, _), processor in self.resources.items():
            if where == node:
                serving = getattr(processor, "in_service", None) if powered else None
                if serving is not None:
                    cut.extend(serving())
                elif powered and processor.busy:  # a model without it: its cut stages are nobody's
                    key = (node, processor.name)
                    self._untold[key] = self._untold.get(key, 0) + 1
                processor.abort()
        for task in list(self.in_flight.values()):
            if self.in_flight.get(task.id) is not task:
                continue  # ended, or retried, while this loop ran
            if task.source == node:
                task.alive = False  # its requester is gone: nothing to retry for
                self._end(task, "failed", reason)
            elif any(where == node and stop > start for where, start, stop in task.plan.segments):
                self.fail_task(task, reason)
        for callback, payload, wait_s, ran_s in cut:  # their tasks are given up now: charged, not booked
            callback(payload, wait_s, ran_s)
        meter = self.meters.get(node)
        if meter is not None:  # from now its draw is its `down` power (not a flat battery's: none)
            meter.went_down()

    def spawn(self, task: Task) -> Task | None:
        """Run ``task`` as if it had just arrived (a member of a group): number it, plan it, start it."""
        task.id = self._next_id
        self._next_id += 1
        self.counters["arrived"] += 1
        return self._dispatch(task)

    def _noise_factor(self, node: str, sigma: float) -> float:
        """A lognormal factor with mean 1, from the node's own noise stream."""
        draw = self._noise.get(node)
        if draw is None:
            draw = self._noise[node] = _standard_normal(stream(self.seed, self.replication, "noise", node))
        return math.exp(sigma * draw() - 0.5 * sigma * sigma)

    # -- running ----------------------------------------------------------
    def _take_snapshot(self, _: object = None) -> None:
        self.network.close_statistics()
        # A plug-in's counters come through its adapter (engine/plugin_adapters.py): checked, typed.
        firsts = self.processors
        every = list(self._every_processor())
        self._snapshot = {
            "busy": {name: p.busy_core_seconds() for name, p in firsts.items()},
            # Every processor of every node, for the processors table (the nodes table's is the first's).
            "busy_each": {(node, p.name): p.busy_core_seconds() for node, p in every},
            "completed_each": {(node, p.name): p.completed for node, p in every},
            "completed": {name: p.completed for name, p in firsts.items()},
            "queued": {name: p.queued() for name, p in self.processors.items()},
            "refused": {name: p.refused for name, p in self.processors.items()},
            "channel_busy": list(self.network.busy_s),
            "channel_bytes": self.network.bytes_carried_now(),
            "energy": {name: meter.energy_j() for name, meter in self.meters.items()},
            "others": {name: meter.others_j for name, meter in self.meters.items()},
            "tokens": dict(self.context.tokens_generated),
        }

    def _every_processor(self) -> Iterator[tuple[str, Processor]]:
        """Each computing node's processors, node by node, a node's first first."""
        for node, built in self.node_processors.items():
            for processor in built:
                yield node, processor

    def run(
        self, progress: Progress | None = None, policy_timeout_s: float | None = POLICY_TIMEOUT_S
    ) -> RawRun:
        """Simulate until warm-up + duration and return the records.

        An exception raised in a plug-in policy's code ends the run with a
        ``PolicyFailed`` naming the policy and its line (``policy_faults``), one raised in
        another plug-in's (a processor model, the link model, an arrival process, a kind of
        work) with a ``PluginFailed`` naming it (``plugin_faults``); a call of a plug-in
        policy's code still running after ``policy_timeout_s`` s of wall time (None, 0: no
        limit) with a ``PolicyTimedOut`` (``policy_watch``, outside the loop).
        """
        now = self._now
        # A composite's inner policies (by-group's), guarded as the run's own, each on its own stream.
        seat_inner(self.policy, now, self.view, self._inner_stream, self.decider)
        try:
            with policy_watched(deciding(self.policy, self.policy_name), now, policy_timeout_s, self.decider):
                return self._run(progress)
        except (Exception, SystemExit) as error:  # a plug-in's sys.exit() too: said as its failure
            blamed = self._blamed(error)
            if blamed is None:
                raise
            raise blamed from error
        finally:
            unseat_inner(self.policy)  # the policy object holds nothing of this run after it

    def _now(self) -> float:
        """The simulated time, for a guard's line."""
        return self.env.now

    def _inner_stream(self, at: tuple[str, ...]) -> np.random.Generator:
        """The random stream of the inner policy given at ``at`` under ``policy`` (a composite's)."""
        return stream(self.seed, self.replication, "policy", self.policy_name, *at)

    def _plugins(self) -> list[tuple[object, str]]:
        """The run's objects a plug-in may have made, each with the words naming it (for its exception).

        Shipped ones among them have no code of a plug-in's: ``blame_plugin`` passes them by.
        """
        found: list[tuple[object, str]] = [
            (processor.plugin, processor.words)
            for processor in self.resources.values()
            if isinstance(processor, PluginProcessor)
        ]
        network = self.network
        if isinstance(network, PluginLinkModel):
            found.append((network.plugin, network.words))
        for workload in self.world.scenario.workload:
            arrivals = workload.arrivals
            found.append(
                (
                    arrivals,
                    f"arrival process {quoted(arrivals.kind)} ({dotted_name(type(arrivals))}) "
                    f"of workload[{workload.index}]",
                )
            )
        for kind in {id(kind): kind for kind in self.kinds.values()}.values():
            if isinstance(kind, PluginKind):  # a shipped kind has no code of a plug-in's
                found.append((kind.plugin, kind.words))
        found.extend(collector_plugins(self.collectors))  # a record table's (shipped ones: passed by)
        return found

    def _start_dynamics(self) -> None:
        """Start applying the world's ``dynamics`` entries to the run's topology, each from its own stream."""
        start_dynamics(
            self.env,
            self.world.scenario,
            self.world.dynamics,
            self.topology,
            # Entry i's stream is named by its kind and how many earlier entries are of that kind.
            lambda index: stream(
                self.seed,
                self.replication,
                "dynamics",
                *workload_name([entry.kind.name for entry in self.world.dynamics], index),
            ),
            self.end_s,
        )

    def at_start(self) -> None:
        """The world as this run has it at 0 s: the ``dynamics`` changes due at 0 s applied, nothing else.

        For ``run --dry-run`` (:mod:`offloadsim.engine.stations`), on a run built and not started:
        each entry's timeline is read from its own stream, as :meth:`run` reads it, up to the first
        instant after 0 s; no workload is started.  A plug-in's fault is its line, as in a run.
        """
        try:
            self._start_dynamics()
            self.env.run(until=math.nextafter(0.0, 1.0))
        except Exception as error:
            blamed = self._blamed(error)
            if blamed is None:
                raise
            raise blamed from error

    def _blamed(self, error: BaseException) -> EngineError | None:
        """``error`` as the plug-in's or the policy's fault that raised it, or None (the engine's own)."""
        # The innermost plug-in's: a processor's method a policy called (expected_wait_s) is its own.
        blamed: EngineError | None = blame_plugin(
            error, self._plugins(), self.env.now, self.policy
        ) or blame_policy(error, self.policy, self.policy_name, self.env.now, self.decider)
        if blamed is not None:
            blamed.__cause__ = error  # what `from error` sets, which a build compiled by mypyc drops
        return blamed

    def _run(self, progress: Progress | None) -> RawRun:
        wall_start = time.perf_counter()
        env = self.env
        reset_policy(self.policy, self.view)  # before the first decision: nothing cached from another run
        self._start_dynamics()
        for meter in self.meters.values():  # a battery that only idles runs flat too: when, looked at now
            meter.changed()
        self._start_workloads()
        if self.warmup_s > 0:
            env.timeout(self.warmup_s).callbacks.append(self._take_snapshot)
        else:
            self._take_snapshot()
        if progress is not None:
            step = self.end_s / 200.0

            def tick(_: object) -> None:
                progress(env.now)
                if env.now + step < self.end_s:
                    env.timeout(step).callbacks.append(tick)

            env.timeout(step).callbacks.append(tick)
        env.run(until=self.end_s)
        for meter in self.meters.values():
            meter.settle()
        for task in list(self.in_flight.values()):
            if task.arrival >= self.warmup_s:
                self.ledger.record(task, "in_flight", NAN)
        if self.recovery is not None:
            self.recovery.record()
        if progress is not None:
            progress(self.end_s)
        return self._collect(time.perf_counter() - wall_start)

    def _collect(self, wall_s: float) -> RawRun:
        self.network.close_statistics()
        measured = self.end_s - self.warmup_s
        snap = self._snapshot
        world = self.world
        nodes: dict[str, list[Any]] = {
            k: []
            for k in (
                "node",
                "tier",
                "processor",
                "cores",
                "busy_s",
                "utilisation",
                "stages_completed",
                "energy_j",
                "energy_for_others_j",
                "drained_at",
                "queued_at_start",
                "queued_at_end",
                "refused_full",
                "availability",
                "battery_left",
                "down",
                "group",
                "tokens_generated",
            )
        }
        for name, spec in world.nodes.items():
            proc = self.processors.get(name)
            busy_core_s = proc.busy_core_seconds() - snap["busy"][name] if proc is not None else 0.0
            cores = proc.cores if proc is not None else 0
            busy_s = busy_core_s / cores if cores else 0.0
            nodes["node"].append(name)
            nodes["group"].append(spec.group)
            nodes["tier"].append(spec.tier)
            nodes["processor"].append(proc.name if proc is not None else "")
            nodes["cores"].append(cores)
            nodes["busy_s"].append(busy_s)
            nodes["utilisation"].append(busy_s / measured if measured > 0 and cores else 0.0)
            nodes["stages_completed"].append(
                proc.completed - snap["completed"][name] if proc is not None else 0
            )
            tokens = self.context.tokens_generated.get(name, 0) - snap["tokens"].get(name, 0)
            nodes["tokens_generated"].append(tokens)
            meter = self.meters.get(name)
            nodes["energy_j"].append(meter.energy_j() - snap["energy"][name] if meter is not None else 0.0)
            nodes["energy_for_others_j"].append(
                meter.others_j - snap["others"][name] if meter is not None else 0.0
            )
            nodes["drained_at"].append(self.drained_at.get(name, NAN))
            nodes["queued_at_start"].append(snap["queued"][name] if proc is not None else 0)
            nodes["queued_at_end"].append(proc.queued() if proc is not None else 0)
            nodes["refused_full"].append(proc.refused - snap["refused"][name] if proc is not None else 0)
            up_s = self._node_states.integral(self._node_row[name], self.warmup_s, self.end_s)
            nodes["availability"].append(up_s / measured if measured > 0 else 1.0)
            nodes["battery_left"].append(_battery_left(meter))
            nodes["down"].append(down_text(self._node_states.spans_at(self._node_row[name], 0.0)))
        processors = self._processor_rows(measured)
        links: dict[str, list[Any]] = {k: [] for k in LINK_COLUMNS}
        network = self.network
        carried_now, busy_now = network.bytes_carried_now(), network.busy_s
        stats, t0, t1 = self.link_stats, self.warmup_s, self.end_s
        for channel, capacity in enumerate(world.topology.channel_capacity_bps):
            a, b = world.topology.channel_ends(channel)
            carried = carried_now[channel] - snap["channel_bytes"][channel]
            links["a"].append(a)
            links["b"].append(b)
            links["bytes"].append(carried)
            links["busy_s"].append(busy_now[channel] - snap["channel_busy"][channel])
            # Against the capacity in force over the measured window (0 while down).
            offered = network.capacity_bit_seconds(channel, t0, t1)
            links["utilisation"].append(carried * 8.0 / offered if measured > 0 and offered > 0 else 0.0)
            links["capacity"].append(capacity)
            links["mean_capacity"].append(offered / measured if measured > 0 else capacity)
            if stats is None:  # the world never changed: up all along, at the scenario's loss
                links["availability"].append(1.0)
                links["loss_rate"].append(world.topology.loss(channel))
            else:
                up, loss = stats.up_s(channel, t0, t1), stats.loss_s(channel, t0, t1)
                links["availability"].append(up / measured if measured > 0 else float(up > 0))
                links["loss_rate"].append(loss / measured if measured > 0 else world.topology.loss(channel))
        own_notes = (  # what only this run measured
            *_processor_notes(processors),
            *self._untold_notes(),
            *self._codec_notes(),
        )
        tasks = self.records.records(self.policy_name, self.replication, self.seed)
        tasks.groups = {name: spec.group for name, spec in world.nodes.items()}
        if self.handovers is not None:
            counts = self.handovers
            tasks.extra["handovers"] = lambda block: handover_counts(block["task_id"], counts)
        computed = _computed_on(processors, self._compiler.ran_on)
        return RawRun(
            tasks=tasks,
            nodes=nodes,
            links=links,
            processors=processors,
            warmup_s=self.warmup_s,
            duration_s=measured,
            end_s=self.end_s,
            wall_s=wall_s,
            scenario_name=world.scenario.name,
            policy_name=self.policy_name,
            seed=self.seed,
            replication=self.replication,
            counters=dict(self.counters),
            stages=self.ledger.stages.columns() if self.ledger.stages is not None else None,
            notes=(
                *world.notes_under(self.policy, computed=computed),
                *self._policy_notes(),
                *self._work_notes(),
                *own_notes,
            ),
            own_notes=own_notes,
            computed=tuple(sorted(each for each in computed if len(each) == 3)),
            context_cuts=tuple(self._context_cuts()),
            tables=collected(self.collectors),
            decode_ceilings=world.decode_ceilings(self.context.decoded_on),
            ceiling_decoders=world.ceiling_decoders(self.context.decoded_on),
            prefill_at_efficiency=bool(self.context.prefilled_at_efficiency),
            inner_policies=inner_of_groups(self.policy, self._source_groups()),
        )

    def _source_groups(self) -> Iterator[str]:
        """The group of each task source (``count:`` entry's key, or the node's own name)."""
        nodes = self.world.nodes
        for entry in self.world.scenario.workload:
            yield from (nodes[s].group for s in entry.sources if s in nodes)

    def _processor_rows(self, measured: float) -> dict[str, list[Any]]:
        """The processors table: one row per processor of every computing node, its first first."""
        snap, world = self._snapshot, self.world
        rows: dict[str, list[Any]] = {k: [] for k in PROCESSOR_COLUMNS}
        for node, built in self.node_processors.items():
            for processor, model in zip(built, world.processors_of(node), strict=True):
                key = (node, processor.name)
                cores = processor.cores
                busy_s = (processor.busy_core_seconds() - snap["busy_each"][key]) / cores if cores else 0.0
                rows["node"].append(node)
                rows["tier"].append(world.nodes[node].tier)
                rows["processor"].append(processor.name)
                rows["profile"].append(model.spec.profile or "")
                rows["cores"].append(cores)
                rows["busy_s"].append(busy_s)
                rows["utilisation"].append(busy_s / measured if measured > 0 and cores else 0.0)
                rows["stages_completed"].append(processor.completed - snap["completed_each"][key])
        return rows

    def _work_notes(self) -> list[str]:
        """What the kinds of work say of the measured requests their makers drew (LLM draws cut to fit).

        A kind's ``notes(makers, warmup_s)`` is optional (a plug-in's kind may have none).
        """
        notes = []
        for app, makers in self._makers.items():
            describe = getattr(self.kinds[app], "notes", None)
            if describe is not None:
                notes.extend(describe(makers, self.warmup_s))
        return notes

    def _untold_notes(self) -> list[str]:
        """A note per powered processor without ``in_service`` whose node went down while it served.

        The energy those stages drew is in the node's ``energy_j`` and in no
        task's ``device_energy``: the node's tasks do not add up to it.
        """
        notes = []
        for (node, name), times in self._untold.items():
            models = [m.spec.model for m in self.world.processors_of(node) if m.spec.name == name]
            model = models[0] if models else type(self.resources[(node, name)]).__name__
            notes.append(
                f"processor model {quoted(model)} (processor {quoted(name)} at {quoted(node)}) has no "
                f"in_service(): the stages it was serving as the node went down ({times} "
                f"time{'s' if times != 1 else ''}) drew energy in the node's energy_j but in no task's "
                "device_energy, so its tasks do not add up to its energy"
            )
        return notes

    def _codec_notes(self) -> list[str]:
        """A note per application whose ``compression`` no plan of the run applied.

        A codec acts only on activations crossing a cut between two nodes: where every plan ran the
        model whole, or uploaded its raw input, it changed nothing, and a sweep of it reads the same
        at every value with no word of why.  A codec no narrower than the model's precision has the
        world's note instead (it could never compress).  Worded for one run and for several alike: a
        sweep says it once with the runs it held for (``(8 of 36 runs: ...)``), where "in this run" misread.
        """
        from offloadsim.models.precision import BYTES

        notes = []
        for name in self._makers:
            app = self.world.apps[name]
            codec = app.spec.compression
            # As the plan compiler: codecs apply to models, whose stage times are fixed at compile time.
            model = app.graph is not None and app.llm is None and self.kinds[name].fixed_cost
            acts = codec != "none" and model
            if not acts or BYTES[codec] >= BYTES[app.precision] or name in self._compiler.compressed:
                continue
            key = format_path(("applications", name, "compression"))
            notes.append(
                f"{key}: {codec} compressed nothing: no plan cut {name} between two nodes "
                "(a codec acts on the activations crossing a cut; the raw input and the result are never "
                "compressed): the records' split and placement say where the cuts fell"
            )
        return notes

    def _context_cuts(self) -> list[dict[str, Any]]:
        """The counts behind the ``llm`` kind's note, as plain values: experiments add them up over runs."""
        counts: list[dict[str, Any]] = []
        for app, makers in self._makers.items():
            count = getattr(self.kinds[app], "context_cuts", None)
            if count is not None:
                counts.extend(cut.to_dict() for cut in count(makers, self.warmup_s))
        return counts

    def _policy_notes(self) -> list[str]:
        """What the policy, as configured, does to this world's applications (a cut clamped for some)."""
        from offloadsim.scenario.policy_check import layer_notes

        return layer_notes(self.world.scenario, self.policy, self.policy_name, self.world.layer_counts)


class _Arrival:
    """An arrival at one source: a task made (unless the source's battery is flat) and dispatched.

    An object whose bound ``arrive`` the arrival chain calls, not a closure:
    each source's arrival touches this one object rather than a function,
    its cells' tuple and its cells (see engine/workload.py's ``_Chain``).
    It hands the kernel the source's last plan (``last``), found once here
    rather than by the source's name at every task.
    """

    __slots__ = ("battery", "last", "make", "sim")

    def __init__(self, sim: Simulation, make: Maker, battery: NodeMeter | None, last: LastPlan):
        self.sim = sim
        self.make = make
        self.battery = battery
        self.last = last

    def arrive(self) -> Task | None:
        """Make a task now and dispatch it; None if it ended at once (or was never made)."""
        battery = self.battery
        if battery is not None and battery.drained_at is not None:
            return None
        sim, make = self.sim, self.make  # a slot read into a local, then called (see _Chain.fire)
        task = make(sim._next_id, sim.env.now)
        sim._next_id += 1
        sim.counters["arrived"] += 1
        return sim._dispatch(task, None, self.last)


def _computed_on(
    processors: Mapping[str, Sequence[Any]], planned: Collection[tuple[str, str, str]] = ()
) -> set[tuple[str, ...]]:
    """The ``(node, processor)`` pairs of the processors table that computed in the measured time.

    Busy, or a stage completed: the world's notes on a processor's numbers are said of a run only
    where it computed (:meth:`~offloadsim.world.build.World.notes_under`).  With them, each
    ``(application, node, processor)`` of ``planned`` (the compiled plans' segments) on one of
    those: a note on an application there is said only where one of its plans put it, not where
    another application's did (the processors table counts the work of every application alike).
    """
    columns = ("node", "processor", "busy_s", "stages_completed")
    rows = zip(*(processors[column] for column in columns), strict=True)
    pairs: set[tuple[str, ...]] = {
        (node, name) for node, name, busy, completed in rows if busy > 0 or completed > 0
    }
    return pairs | {each for each in planned if each[1:] in pairs}


def _processor_notes(processors: Mapping[str, Sequence[Any]]) -> list[str]:
    """The utilisation of the processors after a node's first, which the nodes table does not report.

    A node's row (and so the summary's utilisation and busiest nodes) is
    its first processor's: where the policy ran stages on a node's NPU or
    GPU only, the run read as idle without it.  ``processors`` is the
    processors table's columns (every processor's row, a node's first first).
    """
    shares: list[tuple[float, str]] = []
    seen: set[str] = set()
    for node, name, share in zip(
        processors["node"], processors["processor"], processors["utilisation"], strict=True
    ):
        if node in seen and share > 0.0:  # not the node's first row
            shares.append((share, f"{node} {name}"))
        seen.add(node)
    if not shares:
        return []
    shares.sort(key=lambda share: (-share[0], share[1]))
    shown = ", ".join(f"{where} {share * 100.0:.1f} %" for share, where in shares[:5])
    more = f" and {len(shares) - 5} more" if len(shares) > 5 else ""
    return [
        f"{FIRST_PROCESSOR_ONLY}; other processors computed too: {shown}{more} (busy time per core over "
        "the measured time; processors.parquet and summary.json's processors have every processor's row, "
        "and the metrics' utilisation_<tier>_<processor> each tier's processors of a name, averaged)"
    ]


def handover_counts(task_ids: np.ndarray, counts: dict[int, int]) -> np.ndarray:
    """The ``handovers`` column: each recorded task's count (0 for a task no handover met)."""
    return np.array([counts.get(task_id, 0) for task_id in task_ids.tolist()], dtype=np.float64)


def _walks_only(kind: WorkKind) -> bool:
    """Whether ``kind``'s start only walks the compiled steps (the built-in model and synthetic kinds).

    A plug-in's kind is read through its adapter: its start is its own, even one it inherits.
    """
    return getattr(type(kind), "start", None) in (ModelWork.start, SyntheticWork.start)


def _battery_left(meter: NodeMeter | None) -> float:
    """The share of a node's battery left at the run's end: 0 once flat, NaN without a battery."""
    if meter is None or meter.battery_j is None:
        return NAN
    if meter.drained_at is not None:
        return 0.0
    return max(0.0, 1.0 - meter.energy_j() / meter.battery_j)


def work_kind(name: str) -> WorkKind:
    """The registered kind of work ``name`` (an application naming an unknown one is a bad world).

    A plug-in's kind is handed over in its checking adapter (``plugin_adapters.PluginKind``),
    which every reader then goes through; its ``fixed_cost`` that is not a bool is refused as it
    is wrapped, in one line, before a run reads it: as the run is set up, and by ``validate``
    (``engine.check_world``).  A shipped kind, as it is.
    """
    try:
        kind = get_kind(name)
    except KeyError as error:
        raise EngineError(str(error.args[0])) from None
    if shipped_module(type(kind).__module__):
        return kind
    return cast("WorkKind", PluginKind(kind, Task))


def _standard_normal(rng: Any) -> Callable[[], float]:
    """Standard normal draws from ``rng``, batched like the distributions' samplers."""
    buffer: list[float] = []

    def draw() -> float:
        if not buffer:
            values = rng.standard_normal(256).tolist()
            values.reverse()
            buffer.extend(values)
        return buffer.pop()

    return draw
