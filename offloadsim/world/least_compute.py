"""A lower bound on one request's compute time: what no placement of an application can beat.

A deadline below it is missed by every task, whatever the policy does (the
``unmeetable-deadlines`` check, :mod:`offloadsim.scenario.window_check`).  The bound is the
least time each layer takes on any processor allowed to run the application (its ``hosts``,
else every computing node), summed over the layers, with nothing for transfers, queueing or a
codec: a plan that splits the layers across nodes runs each one no faster than there.

Known for a zoo or ONNX model (its per-layer profile times, as the engine prices a stage) and
for synthetic work (a ``service`` stage's least draw; a ``work`` stage's least draw over the
fastest processor's speed), run by ``fifo`` processors without ``noise`` (a noisy stage's
lognormal draw has no floor; a plug-in's processor model prices a stage its own way).  Not
for an LLM or a plug-in's kind of work, which price a request their own way: none is given.
An application with ``alternatives`` is served by the fastest of them and itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

if TYPE_CHECKING:
    from offloadsim.world.build import AppTemplate, ProcessorModel, World

__all__ = ["least_compute_s", "stages_seconds"]


def least_compute_s(world: World) -> dict[str, float]:
    """Per application, a lower bound (seconds) on one request's compute time; absent where unknown."""
    own = {name: _own(world, app) for name, app in world.apps.items()}
    bounds: dict[str, float] = {}
    for name, app in world.apps.items():
        served_by = [own.get(other) for other in (name, *app.spec.alternatives)]
        known = [bound for bound in served_by if bound is not None]
        if known and len(known) == len(served_by):
            bounds[name] = min(known)
    return bounds


def _own(world: World, app: AppTemplate) -> float | None:
    """The bound for ``app`` served as itself, or None where it is not known."""
    processors = _allowed(world, app)
    if not processors or any(p.spec.model != "fifo" or p.spec.noise for p in processors):
        return None
    if app.kind == "model" and app.graph is not None and app.llm is None:
        times = np.array([world.layer_seconds(app.name, p.node, p.spec.name) for p in processors])
        return float(times.min(axis=0).sum())
    if app.kind == "synthetic" and app.spec.stages:
        return stages_seconds(app.spec.stages, max(p.speed_flops for p in processors), "minimum")
    return None


def stages_seconds(stages: Iterable[Any], speed: float, draw: Literal["mean", "minimum"]) -> float:
    """Synthetic stages' compute time at ``speed`` (FLOP/s): a ``service`` draw, or a ``work`` draw over it.

    ``draw`` picks which figure of each distribution: its ``minimum`` for this module's lower bound,
    its ``mean`` for a processor's nominal load (:mod:`offloadsim.world.nominal_load`).
    """
    total = 0.0
    for stage in stages:
        if stage.service is not None:
            total += getattr(stage.service, draw)
        elif stage.work is not None:
            total += getattr(stage.work, draw) / speed
    return total


def _allowed(world: World, app: AppTemplate) -> list[ProcessorModel]:
    """Every processor of a node allowed to run ``app`` (its ``hosts``; None: every computing node)."""
    hosts = app.spec.hosts
    return [
        proc
        for node in world.processors
        if hosts is None or node in hosts
        for proc in world.processors_of(node)
    ]
