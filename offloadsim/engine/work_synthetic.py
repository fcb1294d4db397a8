"""The kind of synthetic work: a chain of stages whose work (FLOP) or service time (s) is drawn per request.

A stage states either its work, costed at the processor's speed, or its
service seconds, taken as they are; the bytes between stages and at the
ends are drawn too.  Its stages are priced per task.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from offloadsim.engine.tasks import NAN, Task
from offloadsim.engine.work import Maker, Price, Walk, deadline_of, register_kind, size_samplers

if TYPE_CHECKING:
    import numpy as np

    from offloadsim.engine.context import RunContext
    from offloadsim.engine.processor_models import ProcessorLike as Processor
    from offloadsim.world import AppTemplate, World

__all__ = ["SyntheticWork"]


class SyntheticWork:
    """Work drawn per request: the built-in kind ``synthetic``."""

    name = "synthetic"
    fixed_cost = False

    def maker(
        self, app: AppTemplate, source: str, rng: np.random.Generator, apps: Mapping[str, AppTemplate]
    ) -> Maker:
        """Tasks whose per-stage work or seconds and sizes are drawn from ``rng``."""
        spec = app.spec
        deadline, name = deadline_of(app), spec.name
        draw_input, draw_output = size_samplers(app, rng)
        stages = spec.stages
        works = [s.work.sampler(rng) if s.work is not None else None for s in stages]
        services = [s.service.sampler(rng) if s.service is not None else None for s in stages]
        outputs = [s.output.sampler(rng) if s.output is not None else None for s in stages[:-1]]
        is_service = [draw is not None for draw in services]

        if len(stages) == 1:  # the common case, kept lean
            draw = services[0] if is_service[0] else works[0]
            assert draw is not None
            return _OneStage(app, source, draw_input, draw, draw_output, is_service[0]).make

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

    def pricer(self, world: World, processor: Processor) -> Price:
        """Stated seconds where a stage gives them, else its work ÷ the processor's speed."""
        speed = processor.speed_flops

        def price(task: Any, start: int, stop: int) -> float:
            try:  # not getattr(task, "service", None), a builtin call per stage: the kernel's Task has it
                service = task.service
            except AttributeError:  # a policy's TaskView may not carry it
                service = None
            if service is not None:
                total = 0.0
                for i in range(start, stop):
                    seconds = service[i]
                    total += seconds if seconds == seconds else task.flops[i] / speed
                return total
            flops = task.flops
            work = flops[start] if stop - start == 1 else math.fsum(flops[start:stop])
            return work / speed

        return price

    def start(self, ctx: RunContext, task: Task, walk: Walk) -> None:
        """Walk the compiled steps."""
        walk(task)

    def served_as(self, task: Any, app: AppTemplate) -> tuple[Sequence[float], Sequence[float]]:
        """Synthetic work serves no other application's requests (the scenario loader refuses it)."""
        raise ValueError(f"synthetic application {app.name!r} cannot serve another application's requests")


class _OneStage:
    """Tasks of one stage of drawn work (FLOP) or seconds, with their sizes, for one source.

    An object whose bound ``make`` is the maker, not a closure: a task's
    making touches this one object rather than a function, its cells'
    tuple and nine cells (a big scenario has a maker per source, each
    called once in a thousand tasks: each distinct object is a cache miss).
    A fixed size is taken as it is, not called for (it draws nothing from
    the stream).
    """

    __slots__ = (
        "by_service",
        "deadline",
        "draw",
        "draw_input",
        "draw_output",
        "fixed_in",
        "fixed_out",
        "name",
        "source",
    )

    def __init__(
        self,
        app: AppTemplate,
        source: str,
        draw_input: Callable[[], float],
        draw: Callable[[], float],
        draw_output: Callable[[], float],
        by_service: bool,
    ):
        self.name = app.spec.name
        self.source = source
        self.deadline = deadline_of(app)
        self.draw_input, self.draw, self.draw_output = draw_input, draw, draw_output
        self.fixed_in, self.fixed_out = _fixed(app.spec.input), _fixed(app.spec.output)
        self.by_service = by_service

    def make(self, task_id: int, now: float) -> Task:
        """A task arriving ``now``: its input size, its work or seconds, its output size, in that order."""
        # The draws are read into locals, then called: a slot read 3.11 specialises, where
        # ``self.draw()`` is a method look-up it cannot.
        fixed_in, fixed_out, draw = self.fixed_in, self.fixed_out, self.draw
        if fixed_in is None:
            draw_input = self.draw_input
            size_in = draw_input()
        else:
            size_in = fixed_in
        amount = draw()
        if fixed_out is None:
            draw_output = self.draw_output
            size_out = draw_output()
        else:
            size_out = fixed_out
        cuts = [size_in, size_out]
        if self.by_service:
            return Task(task_id, self.name, self.source, now, self.deadline, (0.0,), cuts, [amount])
        return Task(task_id, self.name, self.source, now, self.deadline, (amount,), cuts, None)


def _fixed(size: Any) -> float | None:
    """The value of a deterministic size distribution (its sampler's every draw), else None."""
    return size.params[0] if size.kind == "deterministic" else None


register_kind(SyntheticWork())
