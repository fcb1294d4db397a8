"""Each processor's nominal offered load, before a run, where the policy fixes every task's node.

A scenario at 182 % offered load validated without a word: the run then warned that its backlog
grew, after the run.  Where the placement is known from the scenario alone (``local``: each task's
source; ``fixed`` with one station: its node, or ``$source``; ``edge`` and ``cloud``: the tier's
node nearest the source by route latency that hosts the application, as the policy finds it at the
run's start), a processor's load is the workload's arrival rates it is sent (:mod:`offered_rates
<offloadsim.scenario.offered_rates>`, as the run's measured offered load reads them) times the mean
compute time of one task there as the world prices it (a model's layer times, a synthetic stage's
mean draw over the processor's speed), over its cores: nominal, as nothing is measured (no
transfer, no failure, no dynamics).  Not known, so not estimated: a policy that decides at run time
(by load, cost or chance), a split plan, an application with ``alternatives``, an LLM, a processor
with ``noise`` or another ``model`` than ``fifo``, a pair whose arrivals have no fixed mean rate.
The ``offered-load`` check (:mod:`offloadsim.scenario.load_check`) warns of those at 100 % or more.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from offloadsim.policies.base import may_host
from offloadsim.scenario.offered_rates import offered_rates
from offloadsim.world.least_compute import stages_seconds

if TYPE_CHECKING:
    from offloadsim.world.build import World

__all__ = ["STATIC_POLICIES", "NominalLoad", "nominal_loads"]

#: The shipped policies whose every task's node the scenario fixes (with ``fixed``: one station).
STATIC_POLICIES = ("local", "fixed", "edge", "cloud")

#: ``fixed``'s stand-in for each task's own source.
_SOURCE = "$source"


@dataclass(frozen=True)
class NominalLoad:
    """One processor's nominal load: what the workload offers it a second over its cores."""

    node: str
    processor: str
    cores: int
    tasks_per_s: float  # the arrival rates of the pairs placed on it
    seconds: float  # the mean compute time of one of their tasks there (weighted by rate)

    @property
    def per_core(self) -> float:
        """Its offered load per core: 1 or more, its queue grows without bound."""
        return self.tasks_per_s * self.seconds / self.cores


def nominal_loads(world: World, policy: str, params: Mapping[str, Any]) -> list[NominalLoad] | None:
    """Each processor's :class:`NominalLoad` under ``policy``; None where the policy places at run time.

    A processor some task of which has no known rate or compute time is left out (not guessed).
    """
    scenario = world.scenario
    rates = offered_rates(scenario.workload, scenario.warmup_s, scenario.end_s)
    pairs = {(source, entry.app) for entry in scenario.workload for source in entry.sources}
    place = _placer(world, policy, params)
    if place is None:
        return None
    fed: dict[tuple[str, str], list[tuple[float, float | None]]] = {}  # (node, proc) -> (rate, seconds)
    for source, app in sorted(pairs):
        where = place(source, app)
        if where is None:
            continue  # dropped, or a node not known: nothing offered to any processor here
        rate = rates.get((source, app))
        seconds = _task_seconds(world, app, *where)
        fed.setdefault(where, []).append((rate if rate is not None else float("nan"), seconds))
    loads = []
    for (node, proc), offered in fed.items():
        if any(seconds is None or rate != rate for rate, seconds in offered):
            continue  # some of its work is not known: said of no one
        total = sum(rate for rate, _ in offered)
        work = sum(rate * (seconds or 0.0) for rate, seconds in offered)
        cores = world.processor(node, proc).cores
        loads.append(NominalLoad(node, proc, cores, total, work / total if total else 0.0))
    return loads


def _placer(world: World, policy: str, params: Mapping[str, Any]) -> Any:
    """``(source, app) -> (node, processor)`` (None: dropped) as ``policy`` places; None: at run time."""
    if policy == "local":
        return lambda source, app: _first(world, source)
    if policy == "fixed":
        nodes = params.get("nodes")
        station = params.get("node") if nodes is None else (nodes[0] if len(nodes) == 1 else None)
        if not isinstance(station, str) or params.get("cuts"):
            return None  # a split plan: its stations' shares of a task are not one task's
        processors = params.get("processors")
        name = processors[0] if processors else None

        def fixed(source: str, app: str) -> tuple[str, str] | None:
            node = source if station == _SOURCE else station
            if node not in world.processors:
                return None
            return (node, name or world.processors[node].spec.name)

        return fixed
    if policy in ("edge", "cloud"):
        return _nearest(world, policy, params.get("fallback", "local") == "local")
    return None


def _first(world: World, node: str) -> tuple[str, str] | None:
    """``node`` and its first processor, where the engine runs a segment whose plan names none; None: none."""
    proc = world.processors.get(node)
    return None if proc is None else (node, proc.spec.name)


def _nearest(world: World, tier: str, fallback: bool) -> Any:
    """The tier's node nearest each source that hosts the app, as ``edge``/``cloud`` find it at the start.

    Nearest by route latency among the tier's computing nodes (the policy's own search, ties to
    the first in the scenario's order), else the nearest that hosts the application; none
    reachable: the source with ``fallback: local``, else dropped.
    """
    candidates = tuple(name for name in world.processors if world.nodes[name].tier == tier)
    tables: dict[tuple[str, ...], dict[str, tuple[str, float]]] = {}

    def table(nodes: tuple[str, ...]) -> dict[str, tuple[str, float]]:
        if nodes not in tables:
            tables[nodes] = world.topology.nearest(tier, nodes) if nodes else {}
        return tables[nodes]

    def place(source: str, app: str) -> tuple[str, str] | None:
        hosts = world.apps[app].spec.hosts if app in world.apps else None
        hit = table(candidates).get(source)
        if hit is not None and not may_host(hosts, hit[0], source):
            hit = table(tuple(n for n in candidates if may_host(hosts, n, source))).get(source)
        if hit is not None:
            return _first(world, hit[0])
        return _first(world, source) if fallback else None

    return place


def _task_seconds(world: World, app: str, node: str, processor: str) -> float | None:
    """The mean compute time of one task of ``app`` on ``node``'s ``processor``; None where not known."""
    template = world.apps.get(app)
    try:
        proc = world.processor(node, processor)
    except LookupError:
        return None
    if template is None or template.spec.alternatives or proc.spec.model != "fifo" or proc.spec.noise:
        return None
    if template.kind == "model" and template.graph is not None and template.llm is None:
        return float(world.layer_seconds(app, node, processor).sum())
    if template.kind == "synthetic" and template.spec.stages:
        return stages_seconds(template.spec.stages, world.app_speed(app, node, processor), "mean")
    return None
