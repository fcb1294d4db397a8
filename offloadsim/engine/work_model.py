"""The kind of work of a DNN model (zoo or ONNX, chain or DAG): fixed per-layer work, drawn sizes at the ends.

Every request of a model carries the same per-layer FLOPs and cut sizes,
except the input and output sizes when the scenario draws them.  A stage
costs the per-layer seconds of the node's profile (in a plan's layer order
when it reorders a DAG), so it is priced once per compiled plan.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from offloadsim.engine.tasks import Task
from offloadsim.engine.work import Maker, Price, Walk, deadline_of, register_kind, size_samplers

if TYPE_CHECKING:
    import numpy as np

    from offloadsim.engine.context import RunContext
    from offloadsim.engine.processor_models import ProcessorLike as Processor
    from offloadsim.world import AppTemplate, World

__all__ = ["ModelWork"]


class ModelWork:
    """A layer graph's inference: the built-in kind ``model``."""

    name = "model"
    fixed_cost = True

    def maker(
        self, app: AppTemplate, source: str, rng: np.random.Generator, apps: Mapping[str, AppTemplate]
    ) -> Maker:
        """Tasks with the model's per-layer work; input/output sizes drawn where the scenario draws them."""
        spec = app.spec
        deadline, name = deadline_of(app), spec.name
        draw_input, draw_output = size_samplers(app, rng)
        flops = app.flops
        fixed_cuts = app.cut_bytes
        assert flops is not None and fixed_cuts is not None
        varies_in = spec.input.kind != "deterministic"
        varies_out = spec.output.kind != "deterministic"

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

    def pricer(self, world: World, processor: Processor) -> Price:
        """The processor's per-layer profile times, summed over the stage's layers (in the plan's order)."""
        node, name = processor.node, processor.name

        def price(task: Any, start: int, stop: int) -> float:
            times = world.layer_seconds(task.app, node, name)
            order = getattr(task, "order", None)
            if order is not None:
                return float(times[list(order[start:stop])].sum())
            return float(times[start:stop].sum())

        return price

    def start(self, ctx: RunContext, task: Task, walk: Walk) -> None:
        """Walk the compiled steps."""
        walk(task)

    def served_as(self, task: Any, app: AppTemplate) -> tuple[Sequence[float], Sequence[float]]:
        """The model's layers, keeping the request's input and output sizes (what the source holds)."""
        assert app.flops is not None and app.cut_bytes is not None
        cuts = list(app.cut_bytes)
        cuts[0], cuts[-1] = task.cut_bytes[0], task.cut_bytes[-1]
        return list(app.flops), cuts


register_kind(ModelWork())
