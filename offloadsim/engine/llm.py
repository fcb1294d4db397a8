"""LLM requests: prefill over the prompt, then token-by-token decode, tokens streamed back.

A request's layer chain is its transformer blocks; a plan may split them
between nodes (the hidden state of every token crosses each cut).  Prefill
is one compute stage per segment over the whole prompt; each decode step is
one stage per segment whose cost grows with the context (KV-cache reads).
Service time of a stage is the roofline bound ``max(FLOPs / speed, bytes /
memory bandwidth)``: prefill comes out compute-bound, decode memory-bound.

When the whole model runs on one node, generated tokens stream back to the
source while the next token is computed.  When it is split, the next step
cannot start until the previous token has returned to the first segment, so
every token crosses the network on the critical path.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from offloadsim.engine.processor import Processor

if TYPE_CHECKING:
    from offloadsim.engine.simulation import Simulation
    from offloadsim.engine.tasks import Task
    from offloadsim.models.zoo.llm import LLMConfig

__all__ = ["LLMCost", "LLMRequest", "start_llm_request"]

TOKEN_BYTES = 8.0  # one token id on the wire


@dataclass(frozen=True, slots=True)
class LLMCost:
    """Per-block costs of a decoder-only model, from the zoo's closed forms."""

    config: LLMConfig
    per_token_flops: float  # all blocks, per token, excluding attention scores and the LM head
    per_pair_flops: float  # all blocks, per attended (query, key) pair
    head_flops: float
    block_weight_bytes: float  # one block's weights, read once per decode step
    head_weight_bytes: float  # LM head (+ final norm), read once per decode step
    hidden_bytes: float  # one token's hidden state crossing a cut
    kv_bytes_per_token: float  # all blocks

    @classmethod
    def of(cls, config: LLMConfig) -> LLMCost:
        """Derive the costs from the zoo's LLM formulas."""
        from offloadsim.models.zoo.llm import _flop_coefficients, decode_weight_bytes

        per_token, per_pair, head = _flop_coefficients(config)
        head_bytes = float(config.vocab * config.d_model * config.dtype_bytes)
        blocks_bytes = float(decode_weight_bytes(config)) - head_bytes
        return cls(
            config,
            per_token,
            per_pair,
            head,
            blocks_bytes / config.layers,
            head_bytes,
            float(config.d_model * config.dtype_bytes),
            float(config.kv_bytes_per_token),
        )

    @property
    def layers(self) -> int:
        """Transformer blocks: the units a plan cuts between."""
        return self.config.layers

    def prefill_s(self, processor: Processor, memory_Bps: float, start: int, stop: int, prompt: int) -> float:
        """Time to prefill ``prompt`` tokens through blocks ``[start, stop)`` (+ LM head at the end)."""
        share = (stop - start) / self.layers
        flops = share * (self.per_token_flops * prompt + self.per_pair_flops * prompt * (prompt + 1) / 2)
        weights = (stop - start) * self.block_weight_bytes
        if stop == self.layers:
            flops += self.head_flops
            weights += self.head_weight_bytes
        return _roofline(flops, weights, processor.speed_flops, memory_Bps)

    def decode_s(self, processor: Processor, memory_Bps: float, start: int, stop: int, context: int) -> float:
        """Time of one decode step through blocks ``[start, stop)`` with ``context`` tokens cached."""
        share = (stop - start) / self.layers
        flops = share * (self.per_token_flops + self.per_pair_flops * (context + 1))
        moved = (stop - start) * self.block_weight_bytes + share * self.kv_bytes_per_token * context
        if stop == self.layers:
            flops += self.head_flops
            moved += self.head_weight_bytes
        return _roofline(flops, moved, processor.speed_flops, memory_Bps)

    def request_s(
        self, processor: Processor, memory_Bps: float, start: int, stop: int, prompt: int, output: int
    ) -> float:
        """Compute time of a whole request (prefill + all decode steps) on blocks ``[start, stop)``."""
        total = self.prefill_s(processor, memory_Bps, start, stop, prompt)
        if output > 1:
            share = (stop - start) / self.layers
            contexts = np.arange(prompt, prompt + output - 1, dtype=np.float64)
            flops = share * (self.per_token_flops + self.per_pair_flops * (contexts + 1))
            moved = (stop - start) * self.block_weight_bytes + share * self.kv_bytes_per_token * contexts
            if stop == self.layers:
                flops = flops + self.head_flops
                moved = moved + self.head_weight_bytes
            times = flops / processor.speed_flops
            if memory_Bps > 0:
                times = np.maximum(times, moved / memory_Bps)
            total += float(times.sum())
        return total


def _roofline(flops: float, moved_bytes: float, speed: float, memory_Bps: float) -> float:
    compute = flops / speed
    if memory_Bps > 0:
        return max(compute, moved_bytes / memory_Bps)
    return compute


@dataclass(frozen=True, slots=True)
class _Segment:
    node: str
    processor: Processor
    memory_Bps: float
    start: int
    stop: int
    busy_w: float  # source device's busy power when this segment runs on it


class LLMRequest:
    """The state of one LLM request as it moves through prefill and decode."""

    __slots__ = ("cost", "generated", "received", "segments", "sim", "task", "token_times")

    def __init__(self, sim: Simulation, task: Task, cost: LLMCost, segments: tuple[_Segment, ...]):
        self.sim = sim
        self.task = task
        self.cost = cost
        self.segments = segments
        self.generated = 0  # tokens produced at the last segment
        self.received = 0  # tokens delivered at the source
        self.token_times: list[float] = []

    # -- steps ------------------------------------------------------------------
    def start(self) -> None:
        """Upload the prompt if the first segment is elsewhere, then prefill."""
        first = self.segments[0].node
        prompt, _ = self.task.llm  # type: ignore[misc]
        self._send(self.task.source, first, prompt * TOKEN_BYTES, self._prefill, 0)

    def _prefill(self, index: int) -> None:
        segment = self.segments[index]
        prompt, _ = self.task.llm  # type: ignore[misc]
        service = self.cost.prefill_s(
            segment.processor, segment.memory_Bps, segment.start, segment.stop, prompt
        )
        self._compute(segment, service, self._prefill_done, index)

    def _prefill_done(self, index: int) -> None:
        prompt, _ = self.task.llm  # type: ignore[misc]
        if index + 1 < len(self.segments):
            hidden = prompt * self.cost.hidden_bytes
            self._send(
                self.segments[index].node, self.segments[index + 1].node, hidden, self._prefill, index + 1
            )
        else:
            self._token_generated()

    def _decode(self, index: int) -> None:
        segment = self.segments[index]
        prompt, _ = self.task.llm  # type: ignore[misc]
        context = prompt + self.generated - 1
        service = self.cost.decode_s(
            segment.processor, segment.memory_Bps, segment.start, segment.stop, context
        )
        self._compute(segment, service, self._decode_done, index)

    def _decode_done(self, index: int) -> None:
        if index + 1 < len(self.segments):
            self._send(
                self.segments[index].node,
                self.segments[index + 1].node,
                self.cost.hidden_bytes,
                self._decode,
                index + 1,
            )
        else:
            self._token_generated()

    def _token_generated(self) -> None:
        """A token exists at the last segment: stream it home and start the next one."""
        self.generated += 1
        _, output = self.task.llm  # type: ignore[misc]
        last, first = self.segments[-1].node, self.segments[0].node
        source = self.task.source
        more = self.generated < output
        if len(self.segments) == 1 or first == last:
            self._send(last, source, TOKEN_BYTES, self._token_home, None)
            if more:
                self._decode(0)
        else:
            # Split: the next step needs this token on the first segment.
            if first == source:
                self._send(last, source, TOKEN_BYTES, self._token_home_then_decode, more)
            else:
                self._send(last, source, TOKEN_BYTES, self._token_home, None)
                if more:
                    self._send(last, first, TOKEN_BYTES, self._decode, 0)

    def _token_home_then_decode(self, more: bool) -> None:
        self._token_home(None)
        if more:
            self._decode(0)

    def _token_home(self, _: object) -> None:
        sim = self.sim
        now = sim.env.now
        self.received += 1
        self.token_times.append(now)
        _, output = self.task.llm  # type: ignore[misc]
        if self.received == output:
            sim.finish_llm(self.task, self.token_times[0], now, output)

    # -- primitives -------------------------------------------------------------
    def _compute(self, segment: _Segment, service: float, then: Any, index: int) -> None:
        def done(_: object, wait_s: float, service_s: float) -> None:
            task = self.task
            task.wait += wait_s
            task.compute_time += service_s
            if task.start != task.start:
                task.start = self.sim.env.now - service_s
            if segment.busy_w:
                task.energy += segment.busy_w * service_s
            stages = self.sim.stages
            if stages is not None:
                now = self.sim.env.now
                stages.add(task, "compute", segment.node, now - service_s - wait_s, now - service_s, now, 0.0)
            then(index)

        if not segment.processor.submit(service, done, None):
            self.sim.drop_llm(self.task)

    def _send(self, a: str, b: str, size: float, then: Any, payload: Any) -> None:
        if a == b:
            then(payload)
            return
        sim = self.sim
        route = sim.world.topology.route(a, b)
        started = sim.env.now
        task = self.task
        if task.start != task.start:
            task.start = started
        watts = sim.radio_power(task.source, a, b)

        def arrived(_: object) -> None:
            elapsed = sim.env.now - started
            sending = max(0.0, elapsed - route.latency_s)
            task.transfer_time += elapsed
            task.bytes_sent += size
            sim.account_radio(a, b, sending)
            if watts:
                task.energy += watts * sending
            if sim.stages is not None:
                sim.stages.add(task, "transfer", f"{a}>{b}", started, started, sim.env.now, size)
            then(payload)

        sim.network.start(route.channels, size, route.latency_s, arrived, None)


def start_llm_request(
    sim: Simulation, task: Task, cost: LLMCost, plan_segments: list[tuple[str, int, int]]
) -> None:
    """Run ``task`` (an LLM request) over the non-empty segments of its plan."""
    power = sim.world.nodes[task.source].power
    segments = []
    for node, start, stop in plan_segments:
        if stop <= start:
            continue
        processor = sim.processors[node]
        busy = power.busy_w if power is not None and node == task.source else 0.0
        segments.append(_Segment(node, processor, sim.memory_bandwidth(node), start, stop, busy))
    LLMRequest(sim, task, cost, tuple(segments)).start()


def tpot(first: float, last: float, tokens: int) -> float:
    """Time per output token after the first; NaN for a one-token answer."""
    return (last - first) / (tokens - 1) if tokens > 1 else math.nan
