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
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

from offloadsim.engine.energy import radios_aborted, radios_on, radios_received, radios_sent
from offloadsim.engine.network import abort_reason, no_route
from offloadsim.engine.processor import refused
from offloadsim.engine.processor_models import ProcessorLike as Processor
from offloadsim.engine.tasks import NAN, ComputeStep, Task
from offloadsim.engine.work import Maker, Price, Walk, deadline_of, register_kind
from offloadsim.models.precision import TOKEN_BYTES
from offloadsim.scenario.distributions import Dist
from offloadsim.scenario.errors import format_path
from offloadsim.world.topology import NoRouteError

if TYPE_CHECKING:
    import numpy as np

    from offloadsim.engine.context import RunContext
    from offloadsim.models.llm_cost import LLMCost
    from offloadsim.scenario.model import AppSpec
    from offloadsim.world import AppTemplate, World

__all__ = [
    "TOKEN_BYTES",
    "ContextCuts",
    "LLMMaker",
    "LLMRequest",
    "LLMStep",
    "LLMWork",
    "llm_chain",
    "token_dists",
]


def token_dists(spec: AppSpec) -> tuple[Dist, Dist]:
    """The prompt and output tokens a request of ``spec`` draws: its own, else 128 and 64.

    What the maker draws from, and ``run --dry-run``'s stations table prices at the means of
    (:mod:`offloadsim.engine.llm_stations`).
    """
    return spec.prompt_tokens or Dist.fixed(128), spec.output_tokens or Dist.fixed(64)


class LLMWork:
    """An LLM request (prompt and output tokens drawn): the built-in kind ``llm``."""

    name = "llm"
    fixed_cost = False

    def maker(
        self, app: AppTemplate, source: str, rng: np.random.Generator, apps: Mapping[str, AppTemplate]
    ) -> Maker:
        """Requests with drawn prompt and output token counts; their record gains tokens and KV bytes.

        A draw past the context window (an unbounded distribution's rare long request: validation
        holds only its means to the window) is cut to fit, never costed past it: the prompt to the
        window less one token, the output to what the prompt leaves, as a server stops generating
        once its context is full.  The window is the shortest of the models that may serve the
        request (its own and its ``alternatives``'), as validation checks; the record keeps the
        tokens served.
        """
        cost = app.llm
        assert cost is not None
        spec = app.spec
        deadline, name = deadline_of(app), spec.name
        prompt_tokens, output_tokens = token_dists(spec)
        draw_prompt = prompt_tokens.sampler(rng)
        draw_output = output_tokens.sampler(rng)
        extra = _llm_record(apps)
        window = min(
            model.llm.config.max_context
            for model in (app, *(apps[other] for other in spec.alternatives if other in apps))
            if model.llm is not None
        )
        return LLMMaker(name, source, deadline, window, cost, draw_prompt, draw_output, extra)

    def notes(self, makers: Sequence[Maker], warmup_s: float = 0.0) -> list[str]:
        """One line per application some of whose measured requests this run cut to its context window.

        ``makers`` are those this kind made for the run (one per workload entry and source);
        each counted its cuts where it made them (its ``cuts``).  Requests that arrived during
        the warm-up (before ``warmup_s``) are left out, as the records and metrics leave them.
        """
        return [counted.note() for counted in self.context_cuts(makers, warmup_s)]

    def context_cuts(self, makers: Sequence[Maker], warmup_s: float = 0.0) -> list[ContextCuts]:
        """Per application, the requests arrived from ``warmup_s`` on that ``makers`` cut (none: absent).

        Each maker counted only the requests that arrived from its ``measure_from`` on, which the
        run set to its warm-up: asked of another start, it raises ValueError (a bug, not a count).
        """
        cut: dict[str, ContextCuts] = {}
        for make in makers:
            counted = make.cuts if isinstance(make, LLMMaker) else None
            if counted is None:
                continue
            if counted.from_s != warmup_s:
                raise ValueError(
                    f"the maker of {counted.app!r} counted cuts from {counted.from_s} s, not {warmup_s} s"
                )
            if counted.requests:
                cut.setdefault(counted.app, ContextCuts(counted.app, counted.window, warmup_s)).merge(counted)
        return list(cut.values())

    def pricer(self, world: World, processor: Processor) -> Price:
        """Blocks ``[start, stop)`` by the roofline cost at the processor's own speed and memory bandwidth.

        One prefill or decode step when handed an :class:`LLMStep`, else the
        whole request (what the policies' cost model prices).
        """
        node, name = processor.node, processor.name
        memory = world.processor(node, name).memory_Bps
        known: dict[str, tuple[LLMCost, float]] = {}  # per application: its cost model and speed here

        def price(task: Any, start: int, stop: int) -> float:
            found = known.get(task.app)
            if found is None:
                cost = world.apps[task.app].llm
                assert cost is not None
                found = known[task.app] = (cost, world.app_speed(task.app, node, name))
            cost, speed = found
            if type(task) is LLMStep:
                if task.context < 0:
                    return cost.prefill_s(speed, memory, start, stop, task.llm[0])
                return cost.decode_s(speed, memory, start, stop, task.context)
            return cost.request_s(speed, memory, start, stop, *task.llm)

        return price

    def start(self, ctx: RunContext, task: Task, walk: Walk) -> None:
        """Prefill, then token-by-token decode over the plan's compute steps (see :class:`LLMRequest`)."""
        cost = ctx.world.apps[task.app].llm
        assert cost is not None
        LLMRequest(
            ctx, task, cost, tuple(step for step in task.plan.steps if type(step) is ComputeStep)
        ).start()

    def served_as(self, task: Any, app: AppTemplate) -> tuple[Sequence[float], Sequence[float]]:
        """The same prompt and output tokens through ``app``'s model."""
        assert app.llm is not None
        return llm_chain(app.llm, *task.llm)


class LLMStep:
    """One stage of an LLM request as its processor prices it: the prefill, or one decode step.

    A processor's price function receives it in place of the task: ``app``
    and ``llm`` (prompt, output tokens) are the request's, ``context`` is the
    tokens in the KV cache of a decode step (-1: the prefill over the
    prompt).  A processor model may batch decode steps by ``app`` (see
    ``ProcessorLike.pricer``).
    """

    __slots__ = ("app", "context", "llm")

    def __init__(self, task: Task):
        self.app = task.app
        self.llm: tuple[int, int] = task.llm  # type: ignore[assignment]
        self.context = -1

    @property
    def phase(self) -> str:
        """``prefill`` or ``decode``."""
        return "prefill" if self.context < 0 else "decode"


def llm_chain(cost: LLMCost, prompt: int, output: int) -> tuple[list[float], list[float]]:
    """Per-block prefill FLOPs and the bytes crossing each block cut of one LLM request."""
    layers = cost.layers
    block = (cost.per_token_flops * prompt + cost.per_pair_flops * prompt * (prompt + 1) / 2) / layers
    cuts = [prompt * TOKEN_BYTES] + [prompt * cost.hidden_bytes] * (layers - 1) + [output * TOKEN_BYTES]
    return [block] * layers, cuts


class LLMMaker:
    """One (application, source) pair's requests: the ``llm`` kind's maker, called once per arrival.

    It draws a request's prompt and output tokens, cuts a draw past the context ``window`` to fit,
    and counts the cuts in its own :class:`ContextCuts` (``cuts``): the run holds its makers, so
    each run counts its own requests.  The run calls :meth:`measure_from` with its warm-up before
    any arrival, so that only the requests the records keep are counted.
    """

    __slots__ = (
        "cost",
        "cuts",
        "deadline",
        "draw_output",
        "draw_prompt",
        "extra",
        "name",
        "source",
        "window",
    )

    def __init__(
        self,
        name: str,
        source: str,
        deadline: float,
        window: int,
        cost: LLMCost,
        draw_prompt: Callable[[], float],
        draw_output: Callable[[], float],
        extra: Callable[[Task], tuple[float, float, float]],
    ):
        self.name, self.source, self.deadline, self.window, self.cost = name, source, deadline, window, cost
        self.draw_prompt, self.draw_output, self.extra = draw_prompt, draw_output, extra
        self.cuts = ContextCuts(name, window)

    def measure_from(self, start_s: float) -> None:
        """Count only the cuts of requests arriving at ``start_s`` or later (the run's warm-up)."""
        self.cuts = ContextCuts(self.name, self.window, start_s)

    def __call__(self, task_id: int, now: float) -> Task:
        """A request arriving ``now``: its tokens drawn (and cut to the window), its chain costed."""
        prompt = max(1, round(self.draw_prompt()))
        output = max(1, round(self.draw_output()))
        window = self.window
        if prompt + output > window:
            fitted = min(prompt, window - 1)
            self.cuts.add(prompt - fitted, output - (window - fitted), now)
            prompt, output = fitted, window - fitted
        flops, cuts = llm_chain(self.cost, prompt, output)
        task = Task(task_id, self.name, self.source, now, self.deadline, flops, cuts, None)
        task.llm = (prompt, output)
        task.extra = self.extra
        return task


class ContextCuts:
    """How many requests of ``app`` were cut to the ``window``, and their prompt and output tokens cut.

    A maker adds to it only where a draw is cut (nothing on the path of a request that fits),
    with the request's arrival time; a request that arrived before ``from_s`` (the warm-up,
    which the records and metrics leave out) is not counted.  Three sums, whatever the run's
    length: nothing is kept per request.
    """

    __slots__ = ("app", "from_s", "output_tokens", "prompt_tokens", "requests", "window")

    def __init__(self, app: str, window: int, from_s: float = 0.0):
        self.app, self.window, self.from_s = app, window, from_s
        self.requests = self.prompt_tokens = self.output_tokens = 0

    def add(self, prompt: int, output: int, arrival: float = 0.0) -> None:
        """One request, arrived at ``arrival``, cut by ``prompt`` prompt and ``output`` output tokens."""
        if arrival >= self.from_s:  # a task arriving at the warm-up's end is recorded
            self.requests += 1
            self.prompt_tokens += prompt
            self.output_tokens += output

    def merge(self, other: ContextCuts) -> None:
        """Add ``other``'s counts (another source's requests of the same application)."""
        self.requests += other.requests
        self.prompt_tokens += other.prompt_tokens
        self.output_tokens += other.output_tokens

    def to_dict(self) -> dict[str, Any]:
        """The counts as plain values (a run's manifest keeps them, for experiments to add up)."""
        return {
            "app": self.app,
            "window": self.window,
            "requests": self.requests,
            "prompt_tokens": self.prompt_tokens,
            "output_tokens": self.output_tokens,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ContextCuts:
        """Inverse of :meth:`to_dict` (the counts are the measured ones)."""
        counted = cls(str(data["app"]), int(data["window"]))
        counted.requests = int(data["requests"])
        counted.prompt_tokens, counted.output_tokens = int(data["prompt_tokens"]), int(data["output_tokens"])
        return counted

    def note(self, where: str = "", runs: str = "") -> str:
        """``applications.chat: 3 requests drew ... cut to fit, by 5,120 tokens in all (...)``.

        ``where`` names the runs (``policy=edge``) and ``runs`` how many of them cut any
        (``in 3 of its 5 replications``) when the counts are added over several.
        """
        n, prompt, output = self.requests, self.prompt_tokens, self.output_tokens
        requests, were = ("1 request", "was") if n == 1 else (f"{n:,} requests", "were")
        head = format_path(("applications", self.app)) + (f" ({where})" if where else "") + ": "
        return (
            f"{head}{requests}{f' {runs}' if runs else ''} drew more prompt and output tokens than the "
            f"{self.window:,}-token context window and {were} cut to fit, by {prompt + output:,} tokens "
            f"in all ({prompt:,} of prompts, {output:,} of outputs; requests arrived after the warm-up, "
            "as the metrics count them); the records keep the tokens served"
        )


def _llm_record(apps: Mapping[str, AppTemplate]) -> Callable[[Task], tuple[float, float, float]]:
    """An LLM request's own record fields: its prompt and output tokens and its KV cache in bytes."""

    def extra(task: Task) -> tuple[float, float, float]:
        prompt, output = task.llm  # type: ignore[misc]
        cost = apps[task.app].llm
        return prompt, output, (prompt + output) * cost.kv_bytes_per_token if cost is not None else NAN

    return extra


class LLMRequest:
    """The state of one LLM request as it moves through prefill and decode.

    Its segments are the compiled plan's compute steps (one per non-empty
    segment): each names its processor, whose price function costs every
    prefill and decode step there (:class:`LLMStep`).
    """

    __slots__ = ("cost", "generated", "nodes", "received", "segments", "sim", "stage", "task", "token_times")

    def __init__(self, sim: RunContext, task: Task, cost: LLMCost, segments: tuple[ComputeStep, ...]):
        self.sim = sim
        self.task = task
        self.cost = cost
        self.segments = segments
        self.nodes = tuple(segment.processor.node for segment in segments)
        self.stage = LLMStep(task)  # the stage being priced (one at a time: a request's steps are in order)
        self.generated = 0  # tokens produced at the last segment
        self.received = 0  # tokens delivered at the source
        self.token_times: list[float] = []

    def step_at(self, context: float) -> LLMStep:
        """A decode step of this request at ``context`` tokens (a mean may be fractional): a price's input.

        Its own, not :attr:`stage`, so that pricing the steps still to come (``view.expected_wait_s``
        through :class:`~offloadsim.engine.llm_load.LLMLoad`) never touches the stage being run.
        """
        step = LLMStep(self.task)
        step.context = context  # type: ignore[assignment]
        return step

    # -- steps ------------------------------------------------------------------
    def start(self) -> None:
        """Upload the prompt if the first segment is elsewhere, then prefill; counted in the run's load."""
        self.sim.llm_load.add(self)
        first = self.nodes[0]
        prompt, _ = self.task.llm  # type: ignore[misc]
        self._send(self.task.source, first, prompt * TOKEN_BYTES, self._prefill, 0, "prompt")

    def _prefill(self, index: int) -> None:
        segment = self.segments[index]
        pair = (self.nodes[index], segment.processor.name)
        assumed = self.sim.prefilled_at_efficiency
        if pair not in assumed and self.sim.world.prefill_at_efficiency(
            self.task.app,
            *pair,
            segment.start,
            segment.stop,
            self.task.llm[0],  # type: ignore[index]
        ):
            assumed.add(pair)
        stage = self.stage
        stage.context = -1
        service = cast("Price", segment.price)(stage, segment.start, segment.stop)
        self._compute(segment, service, self._prefill_done, index, "prefill")

    def _prefill_done(self, index: int) -> None:
        prompt, _ = self.task.llm  # type: ignore[misc]
        if index + 1 < len(self.segments):
            hidden = prompt * self.cost.hidden_bytes
            self._send(
                self.nodes[index], self.nodes[index + 1], hidden, self._prefill, index + 1, "prefill-hidden"
            )
        else:
            self._token_generated()

    def _decode(self, index: int) -> None:
        segment = self.segments[index]
        self.sim.decoded_on.add((self.nodes[index], segment.processor.name))
        stage = self.stage
        stage.context = stage.llm[0] + self.generated - 1
        service = cast("Price", segment.price)(stage, segment.start, segment.stop)
        self._compute(segment, service, self._decode_done, index, "decode")

    def _decode_done(self, index: int) -> None:
        if index + 1 < len(self.segments):
            hidden = self.cost.hidden_bytes
            self._send(
                self.nodes[index], self.nodes[index + 1], hidden, self._decode, index + 1, "decode-hidden"
            )
        else:
            self._token_generated()

    def _token_generated(self) -> None:
        """A token exists at the last segment: stream it home and start the next one."""
        self.generated += 1
        _, output = self.task.llm  # type: ignore[misc]
        last, first = self.nodes[-1], self.nodes[0]
        counts = self.sim.tokens_generated  # the run's output token throughput counts it here
        counts[last] = counts.get(last, 0) + 1
        self.sim.ledger.token_generated(self.task)  # and its application's: window_tokens
        source = self.task.source
        more = self.generated < output
        if len(self.segments) == 1 or first == last:
            if self._send(last, source, TOKEN_BYTES, self._token_home, None, "token") and more:
                self._decode(0)
        else:
            # Split: the next step needs this token on the first segment.
            if first == source:
                self._send(last, source, TOKEN_BYTES, self._token_home_then_decode, more, "token")
            elif self._send(last, source, TOKEN_BYTES, self._token_home, None, "token") and more:
                self._send(last, first, TOKEN_BYTES, self._decode, 0, "token")

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
            task = self.task
            if task.id in sim.ledger.in_flight:
                task.ttft = self.token_times[0] - task.arrival
                task.tpot = tpot(self.token_times[0], now, output)
                sim.ledger.end(task, "completed")

    # -- primitives -------------------------------------------------------------
    def _compute(self, segment: ComputeStep, service: float, then: Any, index: int, phase: str) -> None:
        """Run one ``phase`` (``prefill`` or ``decode``) stage of ``segment``, then ``then(index)``."""
        task = self.task
        node = self.nodes[index]

        def done(_: object, wait_s: float, service_s: float) -> None:
            if segment.other_w:  # another powered node computed it
                segment.other.charge_other(task, segment.other_w * service_s)
            if task.alive:
                name = segment.processor.name
                self.sim.ledger.book_compute(task, node, wait_s, service_s, segment.power_w, name, phase)
                then(index)
            elif segment.power_w:  # given up while it ran on: the device drew it all the same
                self.sim.ledger.charge_late(task, segment.power_w * service_s)

        if not segment.processor.submit(service, done, None):
            self.sim.ledger.finish(task, "dropped", refused(segment.processor))

    def _send(self, a: str, b: str, size: float, then: Any, payload: Any, phase: str) -> bool:
        """Send ``size`` bytes from ``a`` to ``b``, then ``then(payload)``; False: no route, the task failed.

        ``phase`` says what the bytes are (``prompt``, ``prefill-hidden``, ``decode-hidden``,
        ``token``: records.schema.STAGE_PHASES), for the stage row.

        A route can be gone by the time a step is due (a link or node went down since the
        plan), as for any task's transfer: the task fails with the same reason, and the
        request takes no further step.
        """
        if a == b:
            then(payload)
            return True
        sim = self.sim
        try:
            route = sim.topology.route(a, b)
        except NoRouteError:
            sim.fail_task(self.task, no_route(a, b))
            return False
        started = sim.env.now
        task = self.task
        if task.start != task.start:
            task.start = started
        radios = sim.radios(task.source, a, b) if size > 0.0 and route.channels else ()

        def left(_: object) -> None:
            radios_sent(radios, task, size)

        def arrived(_: object) -> None:
            if radios:
                radios_received(radios, task, left, size)
            if task.alive:
                sim.ledger.book_transfer(task, a, b, size, started, route.latency_s, phase)
                then(payload)

        def aborted(_: object) -> None:
            radios_aborted(radios, task, left)
            sim.fail_task(task, abort_reason(sim.topology, route.channels, a, b, sim.drained_at))

        # The receiving end hears the bytes a route latency after they leave; ``left``, this flow's
        # own function, names it among the request's flows in flight to the same node.
        radios_on(radios, task, left, started + route.latency_s)

        sim.network.start(
            route.channels, size, route.latency_s, arrived, None, left if radios else None, aborted
        )
        return True


def tpot(first: float, last: float, tokens: int) -> float:
    """Time per output token after the first; NaN for a one-token answer."""
    return (last - first) / (tokens - 1) if tokens > 1 else math.nan


register_kind(LLMWork())
