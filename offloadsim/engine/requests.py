"""What a request is made of when it arrives: its per-layer work and the bytes at each cut, drawn.

A *maker* is bound to one (application, source) pair and its own attribute
stream, so the draws do not depend on the policy (common random numbers).
``make(task_id, now)`` returns a new :class:`Task`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from offloadsim.engine.tasks import NAN, Task
from offloadsim.models.llm_cost import LLMCost
from offloadsim.policies.costs import TOKEN_BYTES
from offloadsim.scenario.distributions import Dist
from offloadsim.world import AppTemplate

__all__ = ["Maker", "llm_chain", "request_maker", "served_as"]

Maker = Callable[[int, float], Task]


def request_maker(app: AppTemplate, source: str, rng: np.random.Generator) -> Maker:
    """A function drawing one request of ``app`` at ``source`` from ``rng`` per call."""
    spec = app.spec
    deadline = spec.deadline_s if spec.deadline_s is not None else NAN
    name = spec.name
    if app.llm is not None:
        return _llm_maker(app.llm, spec.prompt_tokens, spec.output_tokens, name, source, rng, deadline)
    draw_input = spec.input.sampler(rng)
    draw_output = spec.output.sampler(rng)
    if app.flops is not None:
        return _model_maker(app, name, source, deadline, spec.input, spec.output, draw_input, draw_output)
    stages = spec.stages
    works = [s.work.sampler(rng) if s.work is not None else None for s in stages]
    services = [s.service.sampler(rng) if s.service is not None else None for s in stages]
    outputs = [s.output.sampler(rng) if s.output is not None else None for s in stages[:-1]]
    is_service = [draw is not None for draw in services]

    if len(stages) == 1:  # the common synthetic case, kept lean
        draw = services[0] if is_service[0] else works[0]
        assert draw is not None
        by_service = is_service[0]

        def make_one(task_id: int, now: float) -> Task:
            size_in = draw_input()
            amount = draw()
            cuts = [size_in, draw_output()]
            if by_service:
                return Task(task_id, name, source, now, deadline, (0.0,), cuts, [amount])
            return Task(task_id, name, source, now, deadline, (amount,), cuts, None)

        return make_one

    any_service = any(is_service)

    def make_chain(task_id: int, now: float) -> Task:
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
        return Task(task_id, name, source, now, deadline, work, cuts, seconds if any_service else None)

    return make_chain


def _model_maker(
    app: AppTemplate,
    name: str,
    source: str,
    deadline: float,
    size_in: Dist,
    size_out: Dist,
    draw_input: Callable[[], float],
    draw_output: Callable[[], float],
) -> Maker:
    flops = app.flops
    fixed_cuts = app.cut_bytes
    assert flops is not None and fixed_cuts is not None
    varies_in = size_in.kind != "deterministic"
    varies_out = size_out.kind != "deterministic"

    def make(task_id: int, now: float) -> Task:
        cuts: Sequence[float] = fixed_cuts
        if varies_in or varies_out:
            drawn = list(fixed_cuts)
            if varies_in:
                drawn[0] = draw_input()
            if varies_out:
                drawn[-1] = draw_output()
            cuts = drawn
        return Task(task_id, name, source, now, deadline, flops, cuts, None)

    return make


def _llm_maker(
    cost: LLMCost,
    prompt_tokens: Dist | None,
    output_tokens: Dist | None,
    name: str,
    source: str,
    rng: np.random.Generator,
    deadline: float,
) -> Maker:
    draw_prompt = (prompt_tokens or Dist.fixed(128)).sampler(rng)
    draw_output = (output_tokens or Dist.fixed(64)).sampler(rng)

    def make(task_id: int, now: float) -> Task:
        prompt = max(1, round(draw_prompt()))
        output = max(1, round(draw_output()))
        flops, cuts = llm_chain(cost, prompt, output)
        task = Task(task_id, name, source, now, deadline, flops, cuts, None)
        task.llm = (prompt, output)
        return task

    return make


def llm_chain(cost: LLMCost, prompt: int, output: int) -> tuple[list[float], list[float]]:
    """Per-block prefill FLOPs and the bytes crossing each block cut of one LLM request."""
    layers = cost.layers
    block = (cost.per_token_flops * prompt + cost.per_pair_flops * prompt * (prompt + 1) / 2) / layers
    cuts = [prompt * TOKEN_BYTES] + [prompt * cost.hidden_bytes] * (layers - 1) + [output * TOKEN_BYTES]
    return [block] * layers, cuts


def served_as(task: Any, app: AppTemplate) -> tuple[list[float], list[float]]:
    """Per-layer work and cut sizes of ``task``'s request served by ``app`` instead.

    The request keeps what the source holds and wants back: its prompt and
    output tokens (LLMs), or its input and output sizes (other models).
    """
    tokens = getattr(task, "llm", None)
    if app.llm is not None and tokens is not None:
        return llm_chain(app.llm, *tokens)
    assert app.flops is not None and app.cut_bytes is not None
    cuts = list(app.cut_bytes)
    cuts[0], cuts[-1] = task.cut_bytes[0], task.cut_bytes[-1]
    return list(app.flops), cuts
