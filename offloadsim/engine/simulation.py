"""One simulation run: the world, a policy and a seed in; columnar records out.

The hot path is callback-driven: an arrival draws the task's attributes,
asks the policy for a plan, and walks the compiled steps; each compute step
is one processor event and each transfer one flow in the network.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import simpy

from offloadsim.distributions import Dist
from offloadsim.engine.llm import TOKEN_BYTES, start_llm_request, tpot
from offloadsim.engine.network import FlowNetwork
from offloadsim.engine.processor import Processor
from offloadsim.engine.records import RawRun, RecordLog, StageLog
from offloadsim.engine.streams import stream
from offloadsim.engine.tasks import NAN, CompiledPlan, ComputeStep, Task, TransferStep
from offloadsim.engine.view import EngineView
from offloadsim.engine.workload import start_arrivals
from offloadsim.models.llm_cost import LLMCost
from offloadsim.policies.base import Plan, PlanError, Policy, TaskView, validate_plan
from offloadsim.scenario.model import AppSpec, WorkloadSpec
from offloadsim.world import AppTemplate, World

__all__ = ["EngineError", "Simulation", "reordered_cut_bytes"]

Progress = Callable[[float], None]


@dataclass(frozen=True, slots=True)
class Codec:
    """Activation compression: bytes kept per fp32 byte, and FLOPs per element to encode and decode."""

    size_factor: float
    encode_flops: float
    decode_flops: float


# fp16: one conversion each way; int8: scale, round and clamp to encode, scale to decode.
CODECS = {"fp16": Codec(0.5, 1.0, 1.0), "int8": Codec(0.25, 4.0, 2.0)}


class EngineError(RuntimeError):
    """A problem found while building or running a simulation (one-line, user-facing)."""


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
    ):
        scenario = world.scenario
        self.world = world
        self.policy = policy
        self.policy_name = policy_name
        self.seed = seed
        self.replication = replication
        self.warmup_s = scenario.warmup_s
        self.end_s = scenario.end_s
        self.env = simpy.Environment()
        self.processors: dict[str, Processor] = {
            name: Processor(self.env, name, p.spec.name, p.cores, p.speed_flops, p.spec.queue_limit)
            for name, p in world.processors.items()
        }
        self.network = FlowNetwork(self.env, world.topology.channel_capacity_bps)
        self.view = EngineView(self, stream(seed, replication, "policy"))
        self.records = RecordLog()
        self._appenders = tuple(values.append for values in self.records.floats.values())
        self.stages: StageLog | None = StageLog(scenario.warmup_s) if record_stages else None
        self.in_flight: dict[int, Task] = {}
        self._next_id = 0
        self._compiled: dict[tuple[Plan, str, str], CompiledPlan] = {}
        self._power = {name: node.power for name, node in world.nodes.items() if node.power is not None}
        self._tx_s: dict[str, float] = dict.fromkeys(world.nodes, 0.0)
        self._rx_s: dict[str, float] = dict.fromkeys(world.nodes, 0.0)
        self._tail_s: dict[str, float] = dict.fromkeys(world.nodes, 0.0)
        self._tails = {name: p.tail_s for name, p in self._power.items() if p.tail_s > 0}
        self._radio_until: dict[str, float] = {}
        self._battery = {name: p.battery_j for name, p in self._power.items() if p.battery_j is not None}
        self._noise: dict[str, Callable[[], float]] = {}
        self.drained_at: dict[str, float] = {}
        self._snapshot: dict[str, Any] = {}
        self.counters = {"arrived": 0, "dropped": 0, "completed": 0}

    # -- building ---------------------------------------------------------
    def _start_workloads(self) -> None:
        node_index = {name: i for i, name in enumerate(self.world.nodes)}
        for workload in self.world.scenario.workload:
            app = self.world.apps[workload.app]
            for source in workload.sources:
                key = (workload.index, node_index[source])
                arrive = self._arrival_function(app, source, workload, key)
                start_arrivals(self, workload, source, arrive, key)

    def _arrival_function(
        self, app: AppTemplate, source: str, workload: WorkloadSpec, key: tuple[int, int]
    ) -> Callable[[], Task | None]:
        """A closure creating one task of ``app`` at ``source`` with its attributes drawn."""
        spec: AppSpec = app.spec
        rng = stream(self.seed, self.replication, "attributes", *key)
        deadline = spec.deadline_s if spec.deadline_s is not None else NAN
        draw_input = spec.input.sampler(rng)
        draw_output = spec.output.sampler(rng)
        env = self.env
        name = spec.name
        if app.llm is not None:
            return self._llm_arrival_function(app, source, rng, deadline)
        if app.flops is not None:
            flops = app.flops
            fixed_cuts = app.cut_bytes
            assert fixed_cuts is not None
            varies_in = spec.input.kind != "deterministic"
            varies_out = spec.output.kind != "deterministic"

            def make() -> Task:
                cuts: tuple[float, ...] | list[float] = fixed_cuts
                if varies_in or varies_out:
                    cuts = list(fixed_cuts)
                    if varies_in:
                        cuts[0] = draw_input()
                    if varies_out:
                        cuts[-1] = draw_output()
                return Task(self._next_id, name, source, env.now, deadline, flops, cuts, None)

        else:
            stages = spec.stages
            works = [s.work.sampler(rng) if s.work is not None else None for s in stages]
            services = [s.service.sampler(rng) if s.service is not None else None for s in stages]
            outputs = [s.output.sampler(rng) if s.output is not None else None for s in stages[:-1]]
            by_service = services[0] is not None
            if len(stages) == 1:
                work0 = works[0] if works[0] is not None else services[0]
                assert work0 is not None

                def make() -> Task:
                    size_in = draw_input()
                    amount = work0()
                    size_out = draw_output()
                    if by_service:
                        return Task(
                            self._next_id,
                            name,
                            source,
                            env.now,
                            deadline,
                            (0.0,),
                            [size_in, size_out],
                            [amount],
                        )
                    return Task(
                        self._next_id, name, source, env.now, deadline, (amount,), [size_in, size_out], None
                    )

            else:
                is_service = [draw is not None for draw in services]
                any_service = any(is_service)

                def make() -> Task:
                    cuts = [draw_input()]
                    work: list[float] = []
                    seconds: list[float] = []
                    for i in range(len(stages)):
                        draw = services[i] if is_service[i] else works[i]
                        assert draw is not None
                        amount = draw()
                        # A stage is costed by its work (FLOP) or its service time (s): the other is 0 / NaN.
                        work.append(0.0 if is_service[i] else amount)
                        seconds.append(amount if is_service[i] else NAN)
                        if i < len(stages) - 1:
                            out = outputs[i]
                            cuts.append(out() if out is not None else 0.0)
                    cuts.append(draw_output())
                    service = seconds if any_service else None
                    return Task(self._next_id, name, source, env.now, deadline, work, cuts, service)

        return self._arrival(make, source)

    def _llm_arrival_function(
        self, app: AppTemplate, source: str, rng: Any, deadline: float
    ) -> Callable[[], Task | None]:
        """Arrivals of LLM requests: prompt and output token counts drawn per request."""
        cost = app.llm
        assert cost is not None
        spec = app.spec
        draw_prompt = (spec.prompt_tokens or Dist.fixed(128)).sampler(rng)
        draw_output = (spec.output_tokens or Dist.fixed(64)).sampler(rng)
        env = self.env

        def make() -> Task:
            prompt = max(1, round(draw_prompt()))
            output = max(1, round(draw_output()))
            flops, cuts = _llm_chain(cost, prompt, output)
            task = Task(self._next_id, spec.name, source, env.now, deadline, flops, cuts, None)
            task.llm = (prompt, output)
            return task

        return self._arrival(make, source)

    def _arrival(self, make: Callable[[], Task], source: str) -> Callable[[], Task | None]:
        """The arrival callback: create a task (unless the source's battery is flat) and dispatch it."""
        battery = self._battery.get(source)

        def arrive() -> Task | None:
            if battery is not None and self._drained(source, battery):
                return None
            task = make()
            self._next_id += 1
            self.counters["arrived"] += 1
            return self._dispatch(task)

        return arrive

    def _drained(self, node: str, capacity_j: float) -> bool:
        if node in self.drained_at:
            return True
        if self._energy_since(node, 0.0, None) < capacity_j:
            return False
        self.drained_at[node] = self.env.now
        return True

    # -- the hot path -----------------------------------------------------
    def _dispatch(self, task: Task) -> Task | None:
        """Ask the policy, compile its plan, start the first step; None if the task ended at once."""
        plan = self.policy.decide(task, self.view)
        served_by = getattr(plan, "app", None)
        if served_by is not None and served_by != task.app:
            self._serve_with(task, served_by)
        key = (plan, task.source, task.app)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compile(plan, task)
            self._compiled[key] = compiled
        task.plan = compiled
        self.in_flight[task.id] = task
        if compiled.drop:
            self._end(task, "dropped")
            return None
        if task.llm is not None:
            llm = self.world.apps[task.app].llm
            assert llm is not None
            start_llm_request(self, task, llm, list(compiled.segments))
        else:
            self._advance(task)
        return task if task.id in self.in_flight else None

    def _serve_with(self, task: Task, app_name: str) -> None:
        """Turn ``task`` into a request of ``app_name``, one of its application's alternatives."""
        if app_name not in self.world.apps[task.app].spec.alternatives:
            raise EngineError(
                f"policy {self.policy_name!r} served a request of {task.app!r} with {app_name!r}, "
                f"which is not among {task.app!r}'s alternatives"
            )
        task.flops, task.cut_bytes = self.as_app(task, app_name)
        task.layers = len(task.flops)
        task.app = app_name

    def as_app(self, task: TaskView | Task, app_name: str) -> tuple[list[float], list[float]]:
        """Per-layer work and cut sizes of ``task``'s request served by ``app_name``.

        The request keeps what the source holds and wants back: its prompt and
        output tokens (LLMs), or its input and output sizes (other models).
        """
        app = self.world.apps[app_name]
        tokens = getattr(task, "llm", None)
        if app.llm is not None and tokens is not None:
            return _llm_chain(app.llm, *tokens)
        assert app.flops is not None and app.cut_bytes is not None
        cuts = list(app.cut_bytes)
        cuts[0], cuts[-1] = task.cut_bytes[0], task.cut_bytes[-1]
        return list(app.flops), cuts

    def _advance(self, task: Task) -> None:
        steps = task.plan.steps
        k = task.step
        if k == len(steps):
            self._end(task, "completed")
            return
        task.step = k + 1
        step = steps[k]
        if type(step) is ComputeStep:
            service = step.service_s
            if service < 0.0:
                service = self.stage_time(task, step.processor, step.start, step.stop)
            if step.noise_sigma:
                service *= self._noise_factor(step.processor.node, step.noise_sigma)
            if not step.processor.submit(service, self._compute_done, task):
                self._end(task, "dropped")
        else:
            now = self.env.now
            task.t0 = now
            if task.start != task.start:  # NaN: first step
                task.start = now
            size = step.size_bytes if step.size_bytes >= 0.0 else task.cut_bytes[step.cut]
            self.network.start(step.channels, size, step.latency_s, self._transfer_done, task)

    def _compute_done(self, task: Task, wait_s: float, service_s: float) -> None:
        task.wait += wait_s
        task.compute_time += service_s
        if task.start != task.start:
            task.start = self.env.now - service_s
        step = task.plan.steps[task.step - 1]
        if step.power_w:
            task.energy += step.power_w * service_s
        if self.stages is not None:
            now = self.env.now
            self.stages.add(
                task, "compute", step.processor.node, now - service_s - wait_s, now - service_s, now, 0.0
            )
        self._advance(task)

    def _transfer_done(self, task: Task) -> None:
        step: TransferStep = task.plan.steps[task.step - 1]
        elapsed = self.env.now - task.t0
        size = step.size_bytes if step.size_bytes >= 0.0 else task.cut_bytes[step.cut]
        task.transfer_time += elapsed
        task.bytes_sent += size
        sending = max(0.0, elapsed - step.latency_s)
        self.account_radio(step.source, step.target, sending)
        if self.stages is not None:
            hop = f"{step.source}>{step.target}"
            self.stages.add(task, "transfer", hop, task.t0, task.t0, self.env.now, size)
        if step.power_w:
            task.energy += step.power_w * sending
        self._advance(task)

    def stage_time(self, task: TaskView | Task, processor: Processor, start: int, stop: int) -> float:
        """Service time of layers ``[start, stop)`` of ``task`` on ``processor``.

        The one place compute cost is decided: an LLM request by its roofline
        cost model; a zoo or ONNX model by the per-layer times of the node's
        profile; synthetic work by the service seconds the application
        states, else work ÷ the processor's speed.
        """
        app = self.world.apps[task.app]
        llm_tokens = getattr(task, "llm", None)
        if llm_tokens is not None:
            assert app.llm is not None
            memory = self.memory_bandwidth(processor.node)
            return app.llm.request_s(processor.speed_flops, memory, start, stop, *llm_tokens)
        if app.graph is not None:
            times = self.world.layer_seconds(task.app, processor.node)
            order = getattr(task, "order", None)
            if order is not None:
                return float(times[list(order[start:stop])].sum())
            return float(times[start:stop].sum())
        service = getattr(task, "service", None)
        if service is not None:
            # Seconds where a stage states them (NaN where it gives work instead).
            total = 0.0
            for i in range(start, stop):
                seconds = service[i]
                total += seconds if seconds == seconds else task.flops[i] / processor.speed_flops
            return total
        flops = task.flops
        work = flops[start] if stop - start == 1 else math.fsum(flops[start:stop])
        return work / processor.speed_flops

    def memory_bandwidth(self, node: str) -> float:
        """Memory bandwidth of ``node``'s processor in bytes/s (0 when unknown)."""
        return self.world.processors[node].memory_Bps

    def radio_power(self, source: str, a: str, b: str) -> float:
        """Power the source device draws while bytes flow from ``a`` to ``b``."""
        power = self._power.get(source)
        if power is None:
            return 0.0
        return (power.transmit_w if a == source else 0.0) + (power.receive_w if b == source else 0.0)

    def account_radio(self, a: str, b: str, sending_s: float) -> None:
        """Add a transfer that just ended to both endpoints' radio time, tails merged."""
        self._tx_s[a] += sending_s
        self._rx_s[b] += sending_s
        if self._tails:
            now = self.env.now
            for node in (a, b):
                tail = self._tails.get(node)
                if tail:
                    until = self._radio_until.get(node, 0.0)
                    self._tail_s[node] += min(tail, now + tail - until) if until > now else tail
                    self._radio_until[node] = now + tail

    def _energy_since(self, node: str, measured_s: float, snapshot: dict[str, Any] | None) -> float:
        """Energy a node drew since the snapshot (whole run when None): idle plus state increments."""
        power = self.world.nodes[node].power
        if power is None:
            return 0.0
        proc = self.processors.get(node)
        busy = proc.busy_core_seconds() / proc.cores if proc is not None else 0.0
        tx, rx, tail = self._tx_s[node], self._rx_s[node], self._tail_s[node]
        if snapshot is None:
            elapsed = self.env.now
        else:
            elapsed = measured_s
            busy -= snapshot["busy"].get(node, 0.0) / proc.cores if proc is not None else 0.0
            tx -= snapshot["tx"][node]
            rx -= snapshot["rx"][node]
            tail -= snapshot["tail"][node]
        return (
            power.idle_w * elapsed
            + (power.busy_w - power.idle_w) * busy
            + (power.transmit_w - power.idle_w) * (tx + tail)
            + (power.receive_w - power.idle_w) * rx
        )

    def finish_llm(self, task: Task, first_token: float, last_token: float, tokens: int) -> None:
        """An LLM request's last token reached its source."""
        if task.id not in self.in_flight:
            return
        task.ttft = first_token - task.arrival
        task.tpot = tpot(first_token, last_token, tokens)
        self._end(task, "completed")

    def drop_llm(self, task: Task) -> None:
        """An LLM request met a full queue on the way."""
        if task.id in self.in_flight:
            self._end(task, "dropped")

    def _end(self, task: Task, status: str) -> None:
        if task.transfer_time > 0.0 and self._tails:
            tail = self._tails.get(task.source)
            if tail:
                power = self._power[task.source]
                task.energy += power.transmit_w * tail  # the radio stays up after the task's last transfer
        del self.in_flight[task.id]
        self.counters[status] += 1
        if task.arrival >= self.warmup_s:
            self._record(task, status, self.env.now if status == "completed" else NAN)
        if task.on_done is not None:
            task.on_done(task)

    def _record(self, task: Task, status: str, finish: float) -> None:
        log = self.records
        f = self._appenders
        f[0](task.arrival)
        f[1](task.start)
        f[2](finish)
        f[3](task.wait)
        f[4](task.compute_time)
        f[5](task.transfer_time)
        f[6](task.bytes_sent)
        f[7](task.deadline)
        f[8](task.energy)
        f[9](task.ttft)
        f[10](task.tpot)
        tokens = task.llm
        if tokens is None:
            f[11](NAN)
            f[12](NAN)
            f[13](NAN)
        else:
            f[11](tokens[0])
            f[12](tokens[1])
            cost = self.world.apps[task.app].llm
            f[13]((tokens[0] + tokens[1]) * cost.kv_bytes_per_token if cost is not None else NAN)
        log.task_ids.append(task.id)
        log.plan_codes.append(task.plan.code)
        log.status_codes.append(log.status_code(status))

    # -- plan compilation -------------------------------------------------
    def _compile(self, plan: Any, task: Task) -> CompiledPlan:
        try:
            plan = validate_plan(plan, task, self.view, self.policy_name)
        except PlanError as error:
            raise EngineError(str(error)) from None
        if plan.drop:
            code = self.records.add_plan(task.app, task.source, "", 0, False)
            return CompiledPlan((), "", 0, False, drop=True, code=code)
        world = self.world
        app = world.apps[task.app]
        fixed_sizes: list[float] | None = None
        costed: Any = task
        if plan.order is not None:
            if app.graph is None:
                raise EngineError(
                    f"policy {self.policy_name!r} gave a layer order for non-model app {task.app!r}"
                )
            try:
                fixed_sizes = reordered_cut_bytes(
                    app.graph, plan.order, task.cut_bytes[0], task.cut_bytes[-1]
                )
            except ValueError as error:
                raise EngineError(f"policy {self.policy_name!r}: {error}") from None
            costed = _Reordered(task.app, plan.order)
        source = task.source
        power = self._power.get(source)
        topology = world.topology
        # Activation codecs apply to zoo models, whose stage times are fixed at compile time.
        codec = CODECS.get(app.spec.compression) if app.flops is not None else None
        steps: list[Any] = []
        location = source
        placement: list[str] = []
        split = 0
        raw_input_offloaded = False
        for node, start, stop in plan.segments(task.layers):
            if stop <= start:
                continue
            decode_s = 0.0
            if node != location:
                transfer = self._transfer_step(location, node, start, source, power, topology, fixed_sizes)
                if codec is not None and 0 < start < task.layers:
                    transfer, encode_s, decode_s = self._compress(transfer, task, codec, steps[-1], node)
                    steps[-1] = replace(steps[-1], service_s=steps[-1].service_s + encode_s)
                steps.append(transfer)
                if start == 0 and location == source:
                    raw_input_offloaded = True
                location = node
            processor = self.processors[node]
            fixed = -1.0
            if app.flops is not None:
                fixed = self.stage_time(costed, processor, start, stop) + decode_s
            busy_w = power.busy_w if power is not None and node == source else 0.0
            sigma = (
                self._stage_sigma(task.app, node, plan.order, start, stop) if app.graph is not None else 0.0
            )
            steps.append(ComputeStep(processor, start, stop, fixed, busy_w, sigma))
            if not placement or placement[-1] != node:
                placement.append(node)
            if node == source:
                split += stop - start
        if location != source:
            steps.append(
                self._transfer_step(location, source, task.layers, source, power, topology, fixed_sizes)
            )
        segments = tuple(plan.segments(task.layers))
        placed = ">".join(placement)
        code = self.records.add_plan(task.app, task.source, placed, split, raw_input_offloaded)
        return CompiledPlan(tuple(steps), placed, split, raw_input_offloaded, segments=segments, code=code)

    def _stage_sigma(
        self, app: str, node: str, order: tuple[int, ...] | None, start: int, stop: int
    ) -> float:
        """Lognormal sigma of a model stage's time on a noisy processor (0 when not noisy).

        Layers vary independently: the stage's relative spread is the root of
        the summed squared per-layer spreads (in seconds) over its mean time.
        An IQR/median spread s gives sigma = s / 1.349 (the normal's IQR).
        """
        if not self.world.processors[node].spec.noise:
            return 0.0
        times = self.world.layer_seconds(app, node)
        spread = self.world.layer_spread(app, node)
        layers = list(order[start:stop]) if order is not None else list(range(start, stop))
        total = float(times[layers].sum())
        if total <= 0.0:
            return 0.0
        return math.sqrt(float(np.sum((times[layers] * spread[layers]) ** 2))) / total / 1.349

    def _noise_factor(self, node: str, sigma: float) -> float:
        """A lognormal factor with mean 1, from the node's own noise stream."""
        draw = self._noise.get(node)
        if draw is None:
            index = list(self.world.nodes).index(node)
            draw = self._noise[node] = _standard_normal(stream(self.seed, self.replication, "noise", index))
        return math.exp(sigma * draw() - 0.5 * sigma * sigma)

    def _compress(
        self, transfer: TransferStep, task: Task, codec: Codec, sender: ComputeStep, receiver: str
    ) -> tuple[TransferStep, float, float]:
        """Shrink an activation transfer by ``codec``; return it with encode and decode seconds."""
        size = transfer.size_bytes if transfer.size_bytes >= 0.0 else task.cut_bytes[transfer.cut]
        elements = size / 4.0  # fp32 activations
        encode_s = elements * codec.encode_flops / sender.processor.speed_flops
        decode_s = elements * codec.decode_flops / self.processors[receiver].speed_flops
        return replace(transfer, size_bytes=size * codec.size_factor), encode_s, decode_s

    @staticmethod
    def _transfer_step(
        a: str, b: str, cut: int, source: str, power: Any, topology: Any, sizes: list[float] | None
    ) -> TransferStep:
        route = topology.route(a, b)
        watts = 0.0
        if power is not None:
            if a == source:
                watts += power.transmit_w
            if b == source:
                watts += power.receive_w
        return TransferStep(a, b, route.channels, route.latency_s, cut, watts, sizes[cut] if sizes else -1.0)

    # -- running ----------------------------------------------------------
    def _take_snapshot(self, _: object = None) -> None:
        self.network.close_statistics()
        self._snapshot = {
            "busy": {name: p.busy_core_seconds() for name, p in self.processors.items()},
            "completed": {name: p.completed for name, p in self.processors.items()},
            "channel_busy": list(self.network.busy_s),
            "channel_bytes": list(self.network.bytes_carried),
            "tx": dict(self._tx_s),
            "rx": dict(self._rx_s),
            "tail": dict(self._tail_s),
        }

    def run(self, progress: Progress | None = None) -> RawRun:
        """Simulate until warm-up + duration and return the records."""
        wall_start = time.perf_counter()
        env = self.env
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
        for task in list(self.in_flight.values()):
            if task.arrival >= self.warmup_s:
                self._record(task, "in_flight", NAN)
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
                "drained_at",
            )
        }
        for name, spec in world.nodes.items():
            proc = self.processors.get(name)
            busy_core_s = proc.busy_core_seconds() - snap["busy"][name] if proc is not None else 0.0
            cores = proc.cores if proc is not None else 0
            busy_s = busy_core_s / cores if cores else 0.0
            nodes["node"].append(name)
            nodes["tier"].append(spec.tier)
            nodes["processor"].append(proc.name if proc is not None else "")
            nodes["cores"].append(cores)
            nodes["busy_s"].append(busy_s)
            nodes["utilisation"].append(busy_s / measured if measured > 0 and cores else 0.0)
            nodes["stages_completed"].append(
                proc.completed - snap["completed"][name] if proc is not None else 0
            )
            nodes["energy_j"].append(self._energy_since(name, measured, snap))
            nodes["drained_at"].append(self.drained_at.get(name, NAN))
        links: dict[str, list[Any]] = {k: [] for k in ("a", "b", "bytes", "busy_s", "utilisation")}
        network = self.network
        for channel, capacity in enumerate(world.topology.channel_capacity_bps):
            a, b = world.topology.channel_ends(channel)
            carried = network.bytes_carried[channel] - snap["channel_bytes"][channel]
            links["a"].append(a)
            links["b"].append(b)
            links["bytes"].append(carried)
            links["busy_s"].append(network.busy_s[channel] - snap["channel_busy"][channel])
            links["utilisation"].append(
                carried * 8.0 / (capacity * measured) if measured > 0 and capacity > 0 else 0.0
            )
        return RawRun(
            tasks=self.records.columns(self.policy_name, self.replication, self.seed),
            nodes=nodes,
            links=links,
            warmup_s=self.warmup_s,
            duration_s=measured,
            end_s=self.end_s,
            wall_s=wall_s,
            scenario_name=world.scenario.name,
            policy_name=self.policy_name,
            seed=self.seed,
            replication=self.replication,
            counters=dict(self.counters),
            stages=self.stages.columns() if self.stages is not None else None,
        )


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


def _llm_chain(cost: LLMCost, prompt: int, output: int) -> tuple[list[float], list[float]]:
    """Per-block prefill FLOPs and the bytes crossing each block cut of one LLM request."""
    layers = cost.layers
    block = (cost.per_token_flops * prompt + cost.per_pair_flops * prompt * (prompt + 1) / 2) / layers
    cuts = [prompt * TOKEN_BYTES] + [prompt * cost.hidden_bytes] * (layers - 1) + [output * TOKEN_BYTES]
    return [block] * layers, cuts


class _Reordered:
    """A model task seen in a plan's layer order (for costing its stages)."""

    __slots__ = ("app", "order")

    def __init__(self, app: str, order: tuple[int, ...]):
        self.app = app
        self.order = order


def reordered_cut_bytes(
    graph: Any, order: tuple[int, ...], input_bytes: float, output_bytes: float
) -> list[float]:
    """Bytes crossing each cut ``k`` when layers run in ``order`` (a topological order).

    A tensor crosses cut ``k`` when its producer is among the first ``k``
    layers of ``order`` (the input counts as produced before them all) and
    some consumer is not.  Raises ValueError if ``order`` breaks a dependency.
    """
    n = len(order)
    position = [0] * n
    for index, layer in enumerate(order):
        position[layer] = index
    last_use = [-1] * (n + 1)  # slot p + 1 for producer p; slot 0 is the model input
    for producer, consumer in graph.edges:
        consumer_position = n if consumer >= n else position[consumer]
        if producer >= 0 and position[producer] >= consumer_position:
            raise ValueError(f"layer order runs layer {consumer} before its input {producer}")
        last_use[producer + 1] = max(last_use[producer + 1], consumer_position)
    sizes = [input_bytes] + [float(layer.output_bytes) for layer in graph.layers]
    diff = [0.0] * (n + 2)
    for slot in range(n + 1):
        if last_use[slot] < 0:
            continue
        first_cut = 0 if slot == 0 else position[slot - 1] + 1
        diff[first_cut] += sizes[slot]
        diff[last_use[slot] + 1] -= sizes[slot]
    crossing, running = [], 0.0
    for k in range(n + 1):
        running += diff[k]
        crossing.append(running)
    crossing[n] = output_bytes
    return crossing
