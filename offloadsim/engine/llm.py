"""LLM requests: prefill over the prompt, then token-by-token decode, tokens streamed back.

A request's layer chain is its transformer blocks; a plan may split them
between nodes (the hidden state of every token crosses each cut).  Prefill
is one compute stage per segment over the whole prompt; each decode step is
one stage per segment whose cost grows with the context (KV-cache reads).
Stage times come from :class:`~offloadsim.models.llm_cost.LLMCost`.

When the whole model runs on one node, generated tokens stream back to the
source while the next token is computed.  When it is split, the next step
cannot start until the previous token has returned to the first segment, so
every token crosses the network on the critical path.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from offloadsim.engine.network import link_down
from offloadsim.engine.processor import Processor
from offloadsim.policies.costs import TOKEN_BYTES, DeviceEnergy

if TYPE_CHECKING:
    from offloadsim.engine.simulation import Simulation
    from offloadsim.engine.tasks import Task
    from offloadsim.models.llm_cost import LLMCost

__all__ = ["TOKEN_BYTES", "LLMRequest", "start_llm_request"]


@dataclass(frozen=True, slots=True)
class _Segment:
    node: str
    processor: Processor
    speed_flops: float  # the processor's rate in the model's precision
    memory_Bps: float
    start: int
    stop: int
    busy_w: float  # what the source device draws above idle per busy core when this segment runs on it


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
            segment.speed_flops, segment.memory_Bps, segment.start, segment.stop, prompt
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
            segment.speed_flops, segment.memory_Bps, segment.start, segment.stop, context
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
        task = self.task

        def done(_: object, wait_s: float, service_s: float) -> None:
            if task.alive:
                self.sim.book_compute(task, segment.node, wait_s, service_s, segment.busy_w)
                then(index)

        if not segment.processor.submit(service, done, None):
            self.sim.drop_llm(task, segment.processor)

    def _send(self, a: str, b: str, size: float, then: Any, payload: Any) -> None:
        if a == b:
            then(payload)
            return
        sim = self.sim
        route = sim.topology.route(a, b)
        started = sim.env.now
        task = self.task
        if task.start != task.start:
            task.start = started
        radios = sim.radios(task.source, a, b) if size > 0.0 and route.channels else ()
        for meter, sending, mine in radios:
            meter.flow_started(task if mine else None, sending)

        def left(_: object) -> None:
            for meter, sending, mine in radios:
                meter.flow_sent(task if mine else None, sending)

        def arrived(_: object) -> None:
            if task.alive:
                sim.book_transfer(task, a, b, size, started, route.latency_s)
                then(payload)

        def aborted(_: object) -> None:
            left(None)
            sim.fail_task(task, link_down(a, b))

        sim.network.start(
            route.channels, size, route.latency_s, arrived, None, left if radios else None, aborted
        )


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
        busy = (
            DeviceEnergy.of(power, processor.cores).busy_w
            if power is not None and node == task.source
            else 0.0
        )
        speed = sim.world.app_speed(task.app, node)
        segments.append(_Segment(node, processor, speed, sim.memory_bandwidth(node), start, stop, busy))
    LLMRequest(sim, task, cost, tuple(segments)).start()


def tpot(first: float, last: float, tokens: int) -> float:
    """Time per output token after the first; NaN for a one-token answer."""
    return (last - first) / (tokens - 1) if tokens > 1 else math.nan
