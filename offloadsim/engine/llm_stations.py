"""What each station of a ``fixed`` plan of an LLM runs, and what crosses between them (``run --dry-run``).

A model's stages cost the same for every request (:mod:`offloadsim.engine.stations`); an
LLM's depend on the request's tokens.  Its table is of one request at the scenario's mean
prompt and output tokens, compiled as a run compiles it: per station, the decoder blocks it
holds (the embedding with the first, the LM head with the last), the weights each step reads
there, its prefill over the prompt and one decode step at the mean context of the request's
decode steps, each priced by the compiled step's own price function as the run hands it an
:class:`~offloadsim.engine.llm.LLMStep`; per hop, its route and the bytes
:class:`~offloadsim.engine.llm.LLMRequest` sends over it per prompt and per token.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from offloadsim.engine.llm import TOKEN_BYTES, LLMStep, llm_chain, token_dists
from offloadsim.engine.station_cells import BYTES, SECONDS, aligned, figures, hop_route, in_unit, route_cells
from offloadsim.engine.tasks import CompiledPlan, ComputeStep, Task, TransferStep
from offloadsim.world.topology import NoRouteError

if TYPE_CHECKING:
    from offloadsim.engine import Simulation
    from offloadsim.engine.work import Price
    from offloadsim.world import AppTemplate

__all__ = [
    "Blocks",
    "TokenHop",
    "Tokens",
    "format_blocks",
    "llm_request",
    "llm_tabled",
    "mean_tokens",
    "tokens_line",
]


@dataclass(frozen=True, slots=True)
class Tokens:
    """The request an LLM's table is of: ``prompt`` and ``output`` tokens, decode steps at ``context``.

    ``context``: the mean of the request's decode steps' contexts (``prompt`` to
    ``prompt + output - 2`` tokens in the KV cache); None where it has no decode step (one token).
    """

    prompt: int
    output: int
    context: float | None


@dataclass(frozen=True, slots=True)
class Blocks:
    """Blocks ``start .. stop-1`` of an LLM on ``node`` (``processor`` named where the node has several).

    ``embedding``: it holds the embedding (the first block's station); ``head``: the LM head and
    final norm (the last block's).  ``weight_bytes``: what each prefill or decode step reads of
    its weights (one embedding row a token, not the table).  ``decode_s``: None where the request
    has no decode step.
    """

    node: str
    processor: str
    start: int
    stop: int
    embedding: bool
    head: bool
    weight_bytes: float
    prefill_s: float
    decode_s: float | None
    down: str = ""  # the dynamics step that holds the node down at 0 s (its key path), else ""


@dataclass(frozen=True, slots=True)
class TokenHop:
    """What an LLM request sends ``route[0]`` → ``route[-1]`` over scenario link entries ``links``.

    ``what``: ``prompt`` (the prompt's tokens to the first station, cut 0), ``hidden`` (the hidden
    states at cut ``cut``: the prompt's, then one a decode step), ``tokens`` (each token home,
    cut = the blocks) or ``fed back`` (each token but the last from the last station to the first,
    the next decode step's input, where that is not the source).  ``prompt_bytes``: sent once a
    request (None: nothing); ``token_bytes``: sent a token (None: nothing).
    """

    cut: int
    what: str
    prompt_bytes: float | None
    token_bytes: float | None
    route: tuple[str, ...]
    links: tuple[int, ...]
    latency_s: float
    down: tuple[tuple[str, str], ...] = ()


#: A column of an LLM's weights: GB, or as a model's bytes below 0.1 GB.
_GIGA_BYTES = ((1e9, "GB"), *BYTES)


def mean_tokens(app: AppTemplate) -> Tokens:
    """The request at ``app``'s mean prompt and output tokens, each rounded as the maker rounds a draw.

    >>> from types import SimpleNamespace as Namespace
    >>> from offloadsim.scenario.distributions import Dist
    >>> uniform = Namespace(prompt_tokens=Dist("uniform", (32, 128)), output_tokens=Dist("uniform", (16, 64)))
    >>> mean_tokens(Namespace(spec=uniform))  # llm-assistant.yaml's chat-1b
    Tokens(prompt=80, output=40, context=99.0)
    """
    prompt_tokens, output_tokens = token_dists(app.spec)
    prompt, output = max(1, round(prompt_tokens.mean)), max(1, round(output_tokens.mean))
    return Tokens(prompt, output, _mean_context(prompt, output))


def tokens_line(tokens: Tokens) -> str:
    """What request an LLM's table is of, in words.

    >>> tokens_line(Tokens(80, 40, 99.0))
    '80 prompt and 40 output tokens (the means); a decode step at 99 tokens of context, the mean of its 39'
    >>> tokens_line(Tokens(80, 1, None))
    '80 prompt tokens and 1 output token (the means); no decode step'
    """
    prompt, output, context = tokens.prompt, tokens.output, tokens.context
    said = (
        f"{prompt} prompt and {output} output tokens"
        if output > 1
        else f"{prompt} prompt tokens and 1 output token"
    )
    steps = "no decode step"
    if context is not None:
        of = "its only one" if output == 2 else f"the mean of its {output - 1}"
        steps = f"a decode step at {figures(context)} tokens of context, {of}"
    return f"{said} (the means); {steps}"


def _mean_context(prompt: int, output: int) -> float | None:
    """The mean context of a request's decode steps: ``prompt`` .. ``prompt + output - 2`` tokens.

    As :class:`~offloadsim.engine.llm.LLMRequest` steps them (``LLMCost.decode_steps_s`` likewise);
    None for a one-token answer, which has no decode step.
    """
    return prompt + (output - 2) / 2 if output > 1 else None


def llm_request(app: AppTemplate, source: str, tokens: Tokens) -> Task:
    """A request of ``app`` from ``source`` of ``tokens``, as the maker makes one (its chain costed)."""
    assert app.llm is not None
    flops, cuts = llm_chain(app.llm, tokens.prompt, tokens.output)
    task = Task(0, app.name, source, 0.0, math.inf, flops, cuts, None)
    task.llm = (tokens.prompt, tokens.output)
    return task


def llm_tabled(
    sim: Simulation, task: Task, compiled: CompiledPlan
) -> tuple[list[Blocks | TokenHop], list[tuple[int, ...]]]:
    """``compiled``'s steps as the LLM table's, with the topology's links each hop crosses (for its marks).

    Each station's times are its compute step's price of the prefill and of one decode step at
    the mean context; the hops are the compiled transfers (the prompt, the hidden states at each
    cut, the tokens home), then the tokens fed back to the first station where the request sends
    them there (split over several nodes, the first not the source), as its decode loop does.
    """
    app = sim.world.apps[task.app]
    cost = app.llm
    assert cost is not None
    context = _mean_context(*task.llm)  # type: ignore[misc]
    topology = sim.topology
    step_of = LLMStep(task)
    steps: list[Blocks | TokenHop] = []
    wires: list[tuple[int, ...]] = []
    nodes: list[str] = []

    def hop(cut: int, what: str, a: str, b: str, channels: tuple[int, ...], latency_s: float) -> None:
        sizes = {
            "prompt": (task.cut_bytes[0], None),
            "hidden": (task.cut_bytes[cut], cost.hidden_bytes),
            "tokens": (None, TOKEN_BYTES),
            "fed back": (None, TOKEN_BYTES),
        }[what]
        route, crossed, links = hop_route(topology, a, channels)
        steps.append(TokenHop(cut, what, *sizes, route, links, latency_s))
        wires.append(crossed)

    for step in compiled.steps:
        if isinstance(step, ComputeStep):
            price = cast("Price", step.price)  # an LLM's stages are priced as they come
            start, stop = step.start, step.stop
            step_of.context = -1
            prefill = price(step_of, start, stop)
            decode = None
            if context is not None:
                step_of.context = context  # type: ignore[assignment]  # a mean: a whole number or a half
                decode = price(step_of, start, stop)
            several = len(sim.world.processors_of(step.processor.node)) > 1
            steps.append(
                Blocks(
                    step.processor.node,
                    step.processor.name if several else "",
                    start,
                    stop,
                    start == 0,
                    stop == cost.layers,
                    cost.weight_bytes(start, stop),
                    prefill,
                    decode,
                )
            )
            nodes.append(step.processor.node)
        elif isinstance(step, TransferStep):
            what = "prompt" if step.cut == 0 else "tokens" if step.cut == cost.layers else "hidden"
            hop(step.cut, what, step.source, step.target, step.channels, step.latency_s)
    first, last = (nodes[0], nodes[-1]) if nodes else ("", "")
    if first != last and first != task.source:  # LLMRequest._token_generated: the next step's input
        try:
            route = topology.route(last, first)
        except NoRouteError:  # the run fails such a request at its first token, with this reason
            pass
        else:
            hop(0, "fed back", last, first, route.channels, route.latency_s)
    return steps, wires


def format_blocks(steps: Sequence[Blocks | TokenHop]) -> list[str]:
    r"""One row per station and per hop, in plan order, each column aligned in its kind of row.

    Each column is in one unit, chosen by its largest value as in a model's table (GB of
    weights; s or ms; MB, kB or B sent).

    >>> phone = Blocks("phone", "", 0, 4, True, False, 0.4866e9, 2.5, 0.0487)
    >>> up = TokenHop(4, "hidden", 327680.0, 4096.0, ("phone", "edge"), (0,), 0.006)
    >>> edge = Blocks("edge", "", 4, 16, False, True, 1.985e9, 0.0126, 0.0199)
    >>> home = TokenHop(16, "tokens", None, 8.0, ("edge", "phone"), (0,), 0.006)
    >>> print("\n".join(format_blocks((phone, up, edge, home))))
    phone  blocks 0-3   embedding  weights 0.4866 GB  prefill 2.5 s     decode step 48.7 ms
    cut 4            0.3277 MB a prompt  4.096 kB a token  phone -> edge  (links[0]; 6 ms latency)
    edge   blocks 4-15  LM head    weights 1.985 GB   prefill 0.0126 s  decode step 19.9 ms
    cut 16 (tokens)                      0.008 kB a token  edge -> phone  (links[0]; 6 ms latency)
    """
    staged = [s for s in steps if isinstance(s, Blocks)]
    sent = [h for h in steps if isinstance(h, TokenHop)]
    weight = in_unit([s.weight_bytes for s in staged], _GIGA_BYTES)
    prefill = in_unit([s.prefill_s for s in staged], SECONDS)
    decode = in_unit([s.decode_s for s in staged], SECONDS)
    per_prompt = in_unit([h.prompt_bytes for h in sent], BYTES)
    per_token = in_unit([h.token_bytes for h in sent], BYTES)
    stations = [
        (
            s.node + (f" ({s.processor})" if s.processor else ""),
            f"blocks {s.start}-{s.stop - 1}" if s.stop - s.start > 1 else f"block {s.start}",
            ", ".join(name for name, held in (("embedding", s.embedding), ("LM head", s.head)) if held),
            f"weights {weight(s.weight_bytes)}",
            f"prefill {prefill(s.prefill_s)}",
            "no decode step" if s.decode_s is None else f"decode step {decode(s.decode_s)}",
            f"(down at 0 s: {s.down})" if s.down else "",
        )
        for s in staged
    ]
    hops = [
        (
            f"cut {h.cut}" + ("" if h.what == "hidden" else f" ({h.what})"),
            "" if h.prompt_bytes is None else f"{per_prompt(h.prompt_bytes)} a prompt",
            "" if h.token_bytes is None else f"{per_token(h.token_bytes)} a token",
            *route_cells(h.route, h.links, h.latency_s, h.down),
        )
        for h in sent
    ]
    station_rows, hop_rows = iter(aligned(stations)), iter(aligned(hops))
    return [next(station_rows if isinstance(step, Blocks) else hop_rows) for step in steps]
