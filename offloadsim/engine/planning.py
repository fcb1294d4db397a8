"""Plan compilation: a policy's Plan for a task becomes the engine's compute and transfer steps.

Compiled once per (plan, source, application) and cached by the simulation,
so executing a task is a walk down a tuple.  Here the plan is validated,
each model stage costed (per layer, in the plan's layer order), activation
codecs applied at cuts, and the record fields fixed (placement, split,
whether the raw input left the device).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from offloadsim.engine.errors import EngineError
from offloadsim.engine.processor_models import ProcessorLike as Processor
from offloadsim.engine.tasks import REJECTED, CompiledPlan, ComputeStep, Task, TransferStep
from offloadsim.models.precision import BYTES
from offloadsim.policies.base import InfeasiblePlan, PlanError, validate_plan
from offloadsim.records.schema import placement_label
from offloadsim.suggest import quoted

if TYPE_CHECKING:
    from offloadsim.engine.context import RunContext
    from offloadsim.engine.work import Price
    from offloadsim.policies.base import SystemView

__all__ = ["CompiledPlans", "LastPlan", "PlanCompiler"]


class LastPlan:
    """A source's last answer: the policy's plan, the application it served and the plan compiled.

    One object per source, kept by :class:`CompiledPlans` and handed to the
    kernel with each of the source's arrivals: reading it is one object,
    where a look-up by the source's name reads a dict's entry besides, and
    in a city each source's entry is touched once in a thousand tasks (cold
    in the cache).  Emptied in place, never replaced, so the arrivals' copy
    stays the source's.
    """

    __slots__ = ("app", "compiled", "plan")

    def __init__(self) -> None:
        self.plan: Any = None
        self.app: str | None = None
        self.compiled: CompiledPlan | None = None


class CompiledPlans:
    """A run's compiled plans by (plan, source, application), bounded, with each source's last one at hand.

    The full key hashes the plan (a dataclass's hash: a Python call hashing
    each field) at every decision.  A policy usually answers a source with
    the very Plan object it answered last (the static policies keep their
    answers), so each source's last (plan, application, compiled plan) is
    looked at first (:meth:`record`, a :class:`LastPlan`), and the plan
    matched by identity; the kernel reads it inline.
    """

    def __init__(self, compile: Callable[[Any, Task], CompiledPlan], limit: int):
        self._compile = compile
        self._limit = limit  # entries kept at once (random placement over many nodes rarely repeats)
        self._by_key: dict[tuple[Any, str, str], CompiledPlan] = {}
        self._last: dict[str, LastPlan] = {}

    def record(self, source: str) -> LastPlan:
        """``source``'s :class:`LastPlan` (the same object all run)."""
        last = self._last.get(source)
        if last is None:
            last = self._last[source] = LastPlan()
        return last

    def get(self, plan: Any, task: Task, last: LastPlan | None = None) -> CompiledPlan:
        """``plan`` compiled for ``task``'s source and application (compiled now if not kept).

        ``last``: the source's :meth:`record`, if the caller holds it.
        """
        source, app = task.source, task.app
        if last is None:
            last = self.record(source)
        if last.plan is plan and last.app == app and last.compiled is not None:
            return last.compiled
        key = (plan, source, app)
        try:
            compiled = self._by_key.get(key)
        except TypeError:  # unhashable: not a Plan (a list), or a Plan holding lists (Plan(["edge"]))
            compiled = self._compile(plan, task)  # refuses a malformed plan, naming the policy
            last.plan, last.app, last.compiled = plan, app, compiled  # not kept by key: it has none
            return compiled
        if compiled is None:
            compiled = self._compile(plan, task)
            if len(self._by_key) >= self._limit:
                self.clear()
            self._by_key[key] = compiled
        last.plan, last.app, last.compiled = plan, app, compiled
        return compiled

    def clear(self) -> None:
        """Forget every compiled plan (a route moved: they were routed on the old ones)."""
        self._by_key.clear()
        for last in self._last.values():
            last.plan = last.app = last.compiled = None

    def forget_source(self, source: str) -> None:
        """Forget the plans compiled for ``source`` (its own routes moved: a handover)."""
        for key in [key for key in self._by_key if key[1] == source]:
            del self._by_key[key]
        last = self._last.get(source)
        if last is not None:
            last.plan = last.app = last.compiled = None


class PlanCompiler:
    """Compiles the plans of one simulation run."""

    def __init__(self, ctx: RunContext, view: SystemView):
        self.sim = ctx
        self.view = view
        self._prices: dict[tuple[str, str, str], Price] = {}
        # The applications whose activation codec some compiled plan applied (a cut between two nodes).
        self.compressed: set[str] = set()
        # (application, node, processor) of every compiled plan's compute segments: which processors
        # each application may have run on, for the notes said of the processors a run computed on.
        self.ran_on: set[tuple[str, str, str]] = set()

    def compile(self, plan: Any, task: Task) -> CompiledPlan:
        """Validate ``plan`` for ``task`` and turn it into steps with their record fields."""
        sim = self.sim
        records = sim.ledger.records
        try:
            # Named as a fault's line names it: a composite's inner policy, with its group, in a reason.
            plan = validate_plan(plan, task, self.view, sim.policy_name, sim.decider)
        except InfeasiblePlan as error:
            code = records.add_plan(task.app, task.source, "", 0, False)
            return CompiledPlan((), drop=True, code=code, reason=str(error), decided=plan)
        except PlanError as error:
            raise EngineError(str(error)) from None
        if plan.drop:
            code = records.add_plan(task.app, task.source, "", 0, False)
            return CompiledPlan((), drop=True, code=code, reason=REJECTED, decided=plan)
        world = sim.world
        app = world.apps[task.app]
        fixed_sizes: list[float] | None = None
        costed: Any = task
        if plan.order is not None:
            if app.graph is None:
                raise EngineError(
                    f"policy {sim.decider.of_source(task.source)} gave a layer order for non-model app "
                    f"{quoted(task.app)}"
                )
            # Imported where used, as the codecs below: a run whose plans name no layer order and
            # whose apps are not models (the 0-task run too) never makes the cost module's classes.
            from offloadsim.policies.costs import reordered_cut_bytes

            try:
                fixed_sizes = reordered_cut_bytes(
                    app.graph, plan.order, task.cut_bytes[0], task.cut_bytes[-1]
                )
            except ValueError as error:
                raise EngineError(f"policy {sim.decider.of_source(task.source)}: {error}") from None
            costed = _Reordered(task.app, plan.order)
        source = task.source
        meter = sim.meters.get(source)
        # What a busy core of each source processor draws above idle (its meter's rates).
        busy_w = meter.core_w_by_name if meter is not None and source in sim.processors else {}
        # Activation codecs apply to kinds of work whose stage times are fixed at compile time (models).
        fixed_cost = sim.kinds[task.app].fixed_cost
        codec = None
        if fixed_cost:
            from offloadsim.policies.costs import CODECS

            codec = CODECS.get(app.spec.compression)
        dtype_bytes = BYTES[app.precision] if codec is not None else 4.0
        steps: list[Any] = []
        location = source
        placement: list[str] = []
        handovers: list[int] = []  # the layer at which each node after the first takes over
        split = 0
        raw_input_offloaded = False
        names = plan.processors or (None,) * len(plan.nodes)
        stations: list[Processor | None] = []
        for (node, start, stop), name in zip(plan.segments(task.layers), names, strict=True):
            if stop <= start:
                stations.append(None)
                continue
            processor = self._processor(node, name, source)
            self._refuse_repeat(plan, task, stations, processor)
            stations.append(processor)
            self.ran_on.add((task.app, node, processor.name))
            decode_s = 0.0
            if node != location:
                transfer = self._transfer_step(location, node, start, source, fixed_sizes)
                if codec is not None and 0 < start < task.layers:
                    self.compressed.add(task.app)
                    transfer, encode_s, decode_s = self._compress(
                        transfer, task, app.spec.compression, steps[-1], processor, dtype_bytes
                    )
                    steps[-1] = replace(steps[-1], service_s=steps[-1].service_s + encode_s)
                steps.append(transfer)
                if start == 0 and location == source:
                    raw_input_offloaded = True
                location = node
            price = self._price(task.app, processor)
            fixed = -1.0
            if fixed_cost:
                fixed = price(costed, start, stop) + decode_s
            sigma = (
                self._stage_sigma(task.app, processor, plan.order, start, stop)
                if app.graph is not None
                else 0.0
            )
            power_w = busy_w.get(processor.name, 0.0) if node == source else 0.0
            # Another powered node computing this task: its draw is the task's other_energy.
            other = sim.meters.get(node) if node != source else None
            other_w = (
                other.core_w_by_name.get(processor.name, 0.0)
                if other is not None and node in sim.processors
                else 0.0
            )
            steps.append(
                ComputeStep(
                    processor,
                    start,
                    stop,
                    fixed,
                    power_w,
                    sigma,
                    None if fixed_cost else price,
                    other_w,
                    other if other_w else None,
                )
            )
            if not placement or placement[-1] != node:
                if placement:
                    handovers.append(start)
                placement.append(node)
            if node == source:
                split += stop - start
        if location != source:
            steps.append(self._transfer_step(location, source, task.layers, source, fixed_sizes))
        segments = tuple(plan.segments(task.layers))
        placed = placement_label(placement, handovers, source)
        code = records.add_plan(task.app, task.source, placed, split, raw_input_offloaded)
        return CompiledPlan(
            tuple(steps),
            segments=segments,
            code=code,
            stations=tuple(stations),
            decided=plan,
            routes=sim.topology.routes_version,
        )

    def _refuse_repeat(
        self, plan: Any, task: Task, stations: list[Processor | None], processor: Processor
    ) -> None:
        """Refuse a segment on the processor the plan's last segment that runs layers ran on.

        The engine ran the two as two stages queueing there one after the other, nothing sent
        between: the plan of one segment with one more wait in the queue, which no policy means
        (``fixed`` refuses the same at its ``nodes`` before the run).  On two different processors
        of one node it is a hand-over inside the node (a GPU, then a CPU), and runs.  Checked where
        a plan is compiled, once per plan, source and application: nothing per task.
        """
        before = next((i for i in range(len(stations) - 1, -1, -1) if stations[i] is not None), None)
        if before is None or stations[before] is not processor:
            return
        raise EngineError(
            f"policy {self.sim.decider.of_source(task.source)} ran two segments in a row of task {task.id} "
            f"({quoted(task.app)}) on one processor, {quoted(processor.name)} of {quoted(processor.node)} "
            f"(plan nodes[{before}] and nodes[{len(stations)}] of {plan.nodes}, cuts {plan.cuts}): two "
            "stages queueing there one after the other, nothing sent between; give the node once, or "
            "two different processors of it in Plan.processors"
        )

    def _processor(self, node: str, name: str | None, source: str) -> Processor:
        """Processor ``name`` of ``node`` (None: the node's first); EngineError if it has none so named.

        ``source``: the task's, whose policy the error names (a composite's inner one).
        """
        if name is None:
            return self.sim.processors[node]
        processor = self.sim.resources.get((node, name))
        if processor is None:
            names = sorted(n for where, n in self.sim.resources if where == node)
            said = self.sim.decider.of_source(source)
            raise EngineError(
                f"policy {said} named processor {quoted(name)} at {quoted(node)}, "
                f"which has {', '.join(map(quoted, names))}"
            )
        return processor

    def _price(self, app: str, processor: Processor) -> Price:
        """How ``processor`` prices stages of ``app`` (asked once per pair and run)."""
        key = (app, processor.node, processor.name)
        price = self._prices.get(key)
        if price is None:
            price = self._prices[key] = self.sim.pricer(app, processor)
        return price

    def _stage_sigma(
        self, app: str, processor: Processor, order: tuple[int, ...] | None, start: int, stop: int
    ) -> float:
        """Lognormal sigma of a model stage's time on a noisy processor (0 when not noisy).

        Layers vary independently: the stage's relative spread is the root of
        the summed squared per-layer spreads (in seconds) over its mean time.
        An IQR/median spread s gives sigma = s / 1.349 (the normal's IQR).
        """
        world, node, name = self.sim.world, processor.node, processor.name
        if not world.processor(node, name).spec.noise:
            return 0.0
        times = world.layer_seconds(app, node, name)
        spread = world.layer_spread(app, node, name)
        layers = list(order[start:stop]) if order is not None else list(range(start, stop))
        total = float(times[layers].sum())
        if total <= 0.0:
            return 0.0
        return math.sqrt(float(np.sum((times[layers] * spread[layers]) ** 2))) / total / 1.349

    def _compress(
        self,
        transfer: TransferStep,
        task: Task,
        name: str,
        sender: ComputeStep,
        receiver: Processor,
        dtype_bytes: float,
    ) -> tuple[TransferStep, float, float]:
        """Shrink an activation transfer by codec ``name``; return it with encode and decode seconds.

        The step names the codec and the size before it where the codec shrinks the tensor (not
        one no narrower than the model's precision), for ``run --dry-run``'s table of cuts.
        """
        size = transfer.size_bytes if transfer.size_bytes >= 0.0 else task.cut_bytes[transfer.cut]
        from offloadsim.policies.costs import CODECS, codec_cost

        wire, encode_s, decode_s = codec_cost(
            size, CODECS[name], sender.processor.speed_flops, receiver.speed_flops, dtype_bytes
        )
        if wire >= size:
            return replace(transfer, size_bytes=wire), encode_s, decode_s
        return replace(transfer, size_bytes=wire, codec=name, raw_bytes=size), encode_s, decode_s

    def _transfer_step(
        self, a: str, b: str, cut: int, source: str, sizes: list[float] | None
    ) -> TransferStep:
        route = self.sim.topology.route(a, b)
        radios = self.sim.radios(source, a, b)
        size = sizes[cut] if sizes else -1.0
        # One powered end charged to the task (a device's own transfer): the kernel calls its meter directly.
        meter, sending = radios[0][:2] if len(radios) == 1 and radios[0][2] else (None, False)
        return TransferStep(a, b, route.channels, route.latency_s, cut, radios, size, meter, sending)


class _Reordered:
    """A model task seen in a plan's layer order (for costing its stages)."""

    __slots__ = ("app", "order")

    def __init__(self, app: str, order: tuple[int, ...]):
        self.app = app
        self.order = order
