"""What each station of a ``fixed`` plan runs, read off the plan the engine compiles (``run --dry-run``).

A split over several nodes is planned by its cuts; before a long run one
wants, per station, the layers it runs, their FLOPs, weights and time, and
per cut the bytes that cross it and the route they take.  Every number is
the compiled plan's (:class:`~offloadsim.engine.planning.PlanCompiler`, the
very steps a task would walk): stage times are its compute steps' service
times (the processor's per-layer costs, codec encode and decode included),
and a cut's bytes its transfer step's size (after the codec, if any, which the step names with the
size before it).
Only the FLOPs and weights of a stage are summed here, from the model's
per-layer lists the compiled steps index.  Where the world's ``dynamics``
change it at 0 s, what they hold down then is read off the same run with its
changes at 0 s applied, and a request at 0 s compiled again there.  An LLM's
plan is tabled by :mod:`offloadsim.engine.llm_stations` (its blocks, prefill
and decode step at the mean tokens), its stations marked the same way.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from offloadsim.engine import unstarted_run
from offloadsim.engine.llm import LLMWork
from offloadsim.engine.llm_stations import (
    Blocks,
    TokenHop,
    Tokens,
    format_blocks,
    llm_request,
    llm_tabled,
    mean_tokens,
    tokens_line,
)
from offloadsim.engine.policy_watch import POLICY_TIMEOUT_S
from offloadsim.engine.station_cells import BYTES, FLOP, aligned, figures, hop_route, in_unit, route_cells
from offloadsim.engine.tasks import CompiledPlan, ComputeStep, Task, TransferStep
from offloadsim.scenario.model import AppSpec, PolicySpec
from offloadsim.suggest import listed, quoted
from offloadsim.world import World

if TYPE_CHECKING:
    from offloadsim.engine import Simulation
    from offloadsim.world import AppTemplate
    from offloadsim.world.topology import Topology

__all__ = ["Hop", "Stage", "StationPlan", "format_station_plan", "station_plans"]


@dataclass(frozen=True, slots=True)
class Stage:
    """Layers ``start .. stop-1`` on ``node`` (``processor`` named where the node has several)."""

    node: str
    processor: str
    start: int
    stop: int
    first: str  # the first layer's name
    last: str  # the last layer's name
    flops: float
    weight_bytes: float | None  # None: the model states no weights
    seconds: float | None  # None: costed per request (not a model's fixed stage)
    down: str = ""  # the dynamics step that holds the node down at 0 s (its key path), else ""


@dataclass(frozen=True, slots=True)
class Hop:
    """The tensor at cut ``cut`` sent ``route[0]`` → ``route[-1]`` over scenario link entries ``links``.

    ``codec``: the activation codec that shrank it to ``size_bytes`` from ``raw_bytes``; "" (and
    None) where none did.
    """

    cut: int
    size_bytes: float | None  # None: drawn per request (the input or output size)
    route: tuple[str, ...]
    links: tuple[int, ...]
    latency_s: float
    codec: str = ""
    raw_bytes: float | None = None
    # What the world's dynamics hold down at 0 s on its route: (link entry or node, key path of the change).
    down: tuple[tuple[str, str], ...] = ()


#: A row of a table: a model's station or sent tensor, or an LLM's (:mod:`offloadsim.engine.llm_stations`).
Step = Stage | Hop | Blocks | TokenHop
#: The rows of a station (the others are of what is sent between stations).
_STATIONS = (Stage, Blocks)
#: How a compiled plan becomes a table's rows, with the links each hop crosses.
Tabler = Callable[["Simulation", Task, CompiledPlan], tuple[Sequence[Step], list[tuple[int, ...]]]]


@dataclass(frozen=True, slots=True)
class StationPlan:
    """An application's compiled plan for a request from ``source`` (one of ``sources``), steps in order."""

    app: str
    work: str  # the model's name, an ONNX file's name, or the kind of work
    source: str
    sources: int
    layers: int
    steps: tuple[Step, ...]
    dropped: str = ""  # why the policy's plan drops a request now (a node of it unreachable), else ""
    per_request: bool = False  # its kind of work prices each request's stages as it comes: no steps
    drawn: tuple[str, ...] = ()  # with per_request: what a request draws ("work", "output tokens"), if any
    skipped: int = 0  # sources before ``source`` whose requests the plan drops (it cannot reach a node)
    # The plan a request at 0 s gets, after the dynamics' changes at 0 s, where it differs: its steps,
    # or why it drops (``dropped_at_start``); none where it is the same.
    at_start: tuple[Step, ...] = ()
    dropped_at_start: str = ""
    tokens: Tokens | None = None  # an LLM's: the request its table is of (its steps Blocks and TokenHops)
    # A composite's (by-group's) inner fixed plan: the run's policy and the group of sources it decides.
    under: tuple[str, str] | None = None


def station_plans(
    world: World,
    spec: PolicySpec,
    seed: int,
    group: str | None = None,
    policy_timeout_s: float | None = POLICY_TIMEOUT_S,
) -> list[StationPlan]:
    """Each workload application's plan under ``spec``, compiled as a run compiles it at its start.

    A plan depends on the request's source (``$source``, and the routes from it): each
    application's is the one for its workload's first source whose requests it does not drop.
    An LLM's is of a request of its mean prompt and output tokens (``tokens``), its steps an
    LLM's (:mod:`~offloadsim.engine.llm_stations`: ``Blocks`` and ``TokenHop``).  An application of
    another kind whose stage costs are not fixed (synthetic work, a plug-in kind's) has no steps
    (``per_request``), and says what its requests draw (``drawn``).

    A world whose ``dynamics`` change it at 0 s has each station, link and route node they hold
    down then marked (``Stage.down``, ``Hop.down``), and the plan a request at 0 s gets where it
    differs (``at_start``): the run's own changes at 0 s applied to the unstarted run
    (:meth:`~offloadsim.engine.simulation.Simulation.at_start`), nothing else run.

    ``group``: of the sources of that group alone (those a composite's inner ``fixed`` decides),
    decided through the composite as a run decides them (:meth:`Simulation.trial_plan`), each
    trial decision under ``policy_timeout_s`` as a run's (``--policy-timeout``).
    """
    sim = unstarted_run(world, spec, seed)
    sources: dict[str, dict[str, None]] = {}  # each application's sources, in workload order
    for entry in world.scenario.workload:
        ours = [s for s in entry.sources if group is None or world.nodes[s].group == group]
        if ours:
            sources.setdefault(entry.app, {}).update(dict.fromkeys(ours))
    under = None if group is None else (spec.name, group)
    plans: list[StationPlan] = []
    tasks: dict[str, tuple[Task, Tabler]] = {}  # each tabled application's request, compiled again at 0 s
    wires: dict[str, list[tuple[int, ...]]] = {}  # the links (topology's) each hop of it crosses
    for app_name, ordered in sources.items():
        app = world.apps[app_name]
        from_ = list(ordered)
        source = from_[0]
        work = app.spec.model or (Path(app.spec.onnx).name if app.spec.onnx else app.kind)
        tokens = mean_tokens(app) if isinstance(sim.kinds[app_name], LLMWork) and app.llm else None
        fixed = sim.kinds[app_name].fixed_cost and app.flops is not None and app.cut_bytes is not None
        if tokens is None and not fixed:
            plans.append(
                StationPlan(
                    app_name,
                    work,
                    source,
                    len(from_),
                    app.layers,
                    (),
                    per_request=True,
                    drawn=_drawn(app.spec),
                    under=under,
                )
            )
            continue
        skipped = 0
        for source in from_:  # the first source whose requests the plan does not drop, if any
            task = _request(app, source, tokens)
            compiled = sim.trial_plan(task, policy_timeout_s)
            if not compiled.drop:
                break
            skipped += 1
        else:
            source, skipped = from_[0], 0  # it drops every source's: said of the first
            task = _request(app, source, tokens)
            compiled = sim.trial_plan(task, policy_timeout_s)
        tabler: Tabler = _tabled if tokens is None else llm_tabled
        steps, wires[app_name] = tabler(sim, task, compiled)
        tasks[app_name] = task, tabler
        dropped = compiled.reason if compiled.drop else ""
        plans.append(
            StationPlan(
                app_name,
                work,
                source,
                len(from_),
                app.layers,
                tuple(steps),
                dropped=dropped,
                skipped=skipped,
                tokens=tokens,
                under=under,
            )
        )
    if world.dynamics and tasks:
        plans = _at_start(sim, plans, tasks, wires, policy_timeout_s)
    return plans


def _request(app: AppTemplate, source: str, tokens: Tokens | None) -> Task:
    """A request of ``app`` from ``source`` at 0 s: of ``tokens`` for an LLM, else the model's own."""
    if tokens is not None:
        return llm_request(app, source, tokens)
    assert app.flops is not None and app.cut_bytes is not None  # a model's, tabled
    return Task(0, app.name, source, 0.0, float("inf"), app.flops, app.cut_bytes, None)


def _tabled(sim: Simulation, task: Task, compiled: CompiledPlan) -> tuple[list[Step], list[tuple[int, ...]]]:
    """``compiled``'s steps as the table's, with the topology's links each hop crosses (for its marks)."""
    from offloadsim.models.graph import as_chain

    world = sim.world
    app = world.apps[task.app]
    weights = as_chain(app.graph).param_bytes if app.graph is not None else None
    drawn = {  # the input and output sizes a scenario draws per request
        0: app.spec.input.kind != "deterministic",
        app.layers: app.spec.output.kind != "deterministic",
    }
    assert app.flops is not None  # a tabled application's (fixed_cost, flops and cut bytes known)
    steps: list[Step] = []
    wires: list[tuple[int, ...]] = []
    topology = sim.topology
    for step in compiled.steps:
        if isinstance(step, ComputeStep):
            start, stop = step.start, step.stop
            several = len(world.processors_of(step.processor.node)) > 1
            steps.append(
                Stage(
                    step.processor.node,
                    step.processor.name if several else "",
                    start,
                    stop,
                    app.layer_names[start],
                    app.layer_names[stop - 1],
                    float(sum(app.flops[start:stop])),
                    float(weights[start:stop].sum()) if weights is not None else None,
                    step.service_s if step.service_s >= 0.0 else None,
                )
            )
        elif isinstance(step, TransferStep):
            size = step.size_bytes if step.size_bytes >= 0.0 else task.cut_bytes[step.cut]
            route, crossed, links = hop_route(topology, step.source, step.channels)
            raw = step.raw_bytes if step.codec else None
            steps.append(
                Hop(
                    step.cut,
                    None if drawn.get(step.cut) else size,
                    route,
                    links,
                    step.latency_s,
                    step.codec,
                    raw,
                )
            )
            wires.append(crossed)
    return steps, wires


def _at_start(
    sim: Simulation,
    plans: list[StationPlan],
    tasks: dict[str, tuple[Task, Tabler]],
    wires: dict[str, list[tuple[int, ...]]],
    policy_timeout_s: float | None,
) -> list[StationPlan]:
    """``plans`` with what the world's ``dynamics`` hold down at 0 s marked, and the plans requests get then.

    The run's changes at 0 s are applied to ``sim`` (not started); each tabled application's
    request is decided (under ``policy_timeout_s``) and compiled again, and where that plan differs
    (dropped, or a cut sent another way or with another latency) its stations and cuts are the
    plan's ``at_start``.
    """
    world = sim.world
    sim.at_start()
    topology = sim.topology
    named = _down_steps(world)
    marked = []
    for plan in plans:
        tabled = tasks.get(plan.app)
        if tabled is None:
            marked.append(plan)
            continue
        task, tabler = tabled
        stations = {s.node for s in plan.steps if isinstance(s, _STATIONS)}
        hops = iter(wires[plan.app])
        steps: list[Step] = []
        for step in plan.steps:
            if isinstance(step, _STATIONS):
                steps.append(replace(step, down=_down(world, topology, named, step.node)))
                continue
            crossed = next(hops)
            down = [
                (f"links[{topology.links[link].index}]", _down(world, topology, named, link))
                for link in crossed
            ]
            down += [
                (node, _down(world, topology, named, node)) for node in step.route if node not in stations
            ]
            steps.append(replace(step, down=tuple((what, path) for what, path in down if path)))
        compiled = sim.trial_plan(task, policy_timeout_s)
        then: tuple[Step, ...] = tuple(tabler(sim, task, compiled)[0])
        dropped = compiled.reason if compiled.drop else ""
        unmarked = tuple(replace(s, down="") if isinstance(s, _STATIONS) else s for s in plan.steps)
        if (then, dropped) == (unmarked, plan.dropped):
            then, dropped = (), ""
        marked.append(replace(plan, steps=tuple(steps), at_start=then, dropped_at_start=dropped))
    return marked


def _down(world: World, topology: Topology, named: dict[int | str, str], key: int | str) -> str:
    """The key path of the change that holds link ``key`` (its number) or node ``key`` down at 0 s, else "".

    ``named``: the nodes' steps as the servers-down check reads them (:func:`_down_steps`); else the
    change of the entry that holds it (:func:`_entry_change`).
    """
    if isinstance(key, str) and topology.node_up(key):
        return ""
    if isinstance(key, int) and topology.link_up(key):
        return ""
    holders = topology.holders(key)
    if not holders:
        return ""
    return named.get(key) or _entry_change(world, holders[0])


def _down_steps(world: World) -> dict[int | str, str]:
    """The nodes the world's ``dynamics`` hold down at 0 s, with the key path of the step that does.

    The steps at 0 s are those of :func:`~offloadsim.world.dynamics.outages.down_for_good` up to
    the first instant after 0 (the same holding rule as the run's).  Empty where not known: an
    entry of a kind that does not say what it does to nodes, or a plug-in kind's ``node_changes``
    that fails (the servers-down check reports it); :func:`_entry_change` names those.
    """
    from offloadsim.world.dynamics.outages import NodeChangesFailed, down_for_good

    try:
        held = down_for_good(world.dynamics, math.nextafter(0.0, 1.0))
    except NodeChangesFailed:
        return {}
    return {node: path for node, (_, path) in (held or {}).items()}


def _entry_change(world: World, index: int) -> str:
    """The key path of ``dynamics[index]``'s change at 0 s: the one time its kind declares at 0 s.

    The times are those the ``late-dynamics`` check reads (the kind's ``change_time_keys``, a
    plug-in's included); the entry's own path where none or several of them are at 0 s (a kind
    that declares no times, a ``mobility`` entry placing its devices, two steps at 0 s).
    """
    from offloadsim.scenario.dynamics_check import change_times
    from offloadsim.scenario.errors import format_path
    from offloadsim.world.dynamics import change_time_keys

    entry = world.scenario.dynamics[index]
    at_zero = [
        path
        for pattern in change_time_keys(world.dynamics[index].kind.name)
        for path, at in change_times(entry, pattern, ("dynamics", index), world.scenario.base_dir)
        if at == 0.0
    ]
    return format_path(at_zero[0]) if len(at_zero) == 1 else f"dynamics[{index}]"


def _drawn(spec: AppSpec) -> tuple[str, ...]:
    """What each request of ``spec`` draws, in words; () where every value is fixed."""
    stages = spec.stages
    parts = (
        ("work", [s.work for s in stages]),
        ("service time", [s.service for s in stages]),
        ("sizes", [spec.input, spec.output, *(s.output for s in stages[:-1])]),
        ("prompt tokens", [spec.prompt_tokens]),
        ("output tokens", [spec.output_tokens]),
    )
    return tuple(
        name for name, dists in parts if any(d is not None and d.kind != "deterministic" for d in dists)
    )


def format_station_plan(plan: StationPlan) -> list[str]:
    r"""A few lines for people: a header, one line per station and one per tensor sent, in plan order.

    Each column's unit is chosen by its largest value in the table, so that four significant
    figures read plainly: GFLOP, else MFLOP or kFLOP where the largest stage is below 0.1 GFLOP
    (0.1 MFLOP); MB, else kB or B likewise.  A cut a codec shrank names it and the size before.
    An LLM's (``tokens``) says the request it is of under the header, and its rows are
    :func:`~offloadsim.engine.llm_stations.format_blocks`'s.

    >>> up = Hop(4, 0.8e6, ("phone-0", "ap", "edge"), (0, 1), 0.0035, "int8", 3.2e6)
    >>> edge = Stage("edge", "", 4, 10, "conv4", "fc", 2.5e9, 1.2e6, 0.02)
    >>> phone = Stage("phone-0", "", 0, 4, "conv1", "pool3", 0.5e9, 0.1e6, 0.04)
    >>> plan = StationPlan("app", "cnn", "phone-0", 1, 10, (phone, up, edge))
    >>> print("\n".join(format_station_plan(plan)))
    fixed plan of app (cnn, 10 layers) for a request from phone-0:
      phone-0  layers 0-3  conv1 .. pool3  0.5 GFLOP  weights 0.1 MB  compute 40 ms
      cut 4  0.8 MB int8 (3.2 MB raw)  phone-0 -> ap -> edge  (links[0], links[1]; 3.5 ms latency)
      edge     layers 4-9  conv4 .. fc     2.5 GFLOP  weights 1.2 MB  compute 20 ms
    >>> tiny = Stage("phone-0", "", 0, 4, "conv1", "pool3", 14080, 448, 1.408e-05)
    >>> print(format_station_plan(StationPlan("app", "cnn", "phone-0", 1, 4, (tiny,)))[1])
      phone-0  layers 0-3  conv1 .. pool3  14.08 kFLOP  weights 0.448 kB  compute 0.01408 ms

    """
    unit = "layer" if plan.tokens is None else "block"  # an LLM's cuts count its decoder blocks
    what = f"{plan.work}, {plan.layers} {unit}{'' if plan.layers == 1 else 's'}"
    if plan.per_request:
        drawn = plan.drawn
        names = listed(drawn)
        plural = len(drawn) > 1 or names.endswith("s")
        why = (
            f"its {names} {'are' if plural else 'is'} drawn"
            if drawn
            else "nothing is drawn, but its kind prices each request as it comes"
        )
        return [
            f"{_fixed(plan)} of {plan.app} ({what}): not tabled, its stages are costed per request ({why})"
        ]
    whom = plan.source if plan.sources == 1 else f"{plan.source} (first of {plan.sources} sources)"
    if plan.skipped:
        whom = f"{plan.source} (the first of {plan.sources} sources whose requests it does not drop)"
    lines = [f"{_fixed(plan)} of {plan.app} ({what}) for a request from {whom}:"]
    if plan.tokens is not None:
        lines.append("  " + tokens_line(plan.tokens))
    if plan.dropped:
        lines.append(f"  dropped: {plan.dropped}")
    lines += ["  " + row for row in _table(plan, plan.steps)]
    if plan.dropped_at_start:
        lines.append(f"  at 0 s, after the dynamics' changes then: dropped: {plan.dropped_at_start}")
    elif plan.at_start:
        lines.append("  at 0 s, after the dynamics' changes then:")
        lines += ["    " + row for row in _table(plan, plan.at_start)]
    return lines


def _fixed(plan: StationPlan) -> str:
    """``fixed plan``, or a composite's inner one's: ``fixed plan (by-group's, of group "old-phone")``."""
    if plan.under is None:
        return "fixed plan"
    composite, group = plan.under
    return f"fixed plan ({composite}'s, of group {quoted(group)})"


def _table(plan: StationPlan, steps: Sequence[Step]) -> list[str]:
    """The rows of ``steps`` of ``plan``: an LLM's (:func:`format_blocks`), else a model's."""
    if plan.tokens is not None:
        return format_blocks([s for s in steps if isinstance(s, Blocks | TokenHop)])
    return _rows([s for s in steps if isinstance(s, Stage | Hop)], plan.layers)


def _rows(steps: Sequence[Stage | Hop], layers: int) -> list[str]:
    """One row per station and per tensor sent, in plan order, each column aligned in its kind of row."""
    staged = [s for s in steps if isinstance(s, Stage)]
    sent = [h for h in steps if isinstance(h, Hop)]
    flop = in_unit([s.flops for s in staged], FLOP)
    weight = in_unit([s.weight_bytes for s in staged], BYTES)
    size = in_unit([b for h in sent for b in (h.size_bytes, h.raw_bytes)], BYTES)
    stages = [
        (
            s.node + (f" ({s.processor})" if s.processor else ""),
            f"layers {s.start}-{s.stop - 1}" if s.stop - s.start > 1 else f"layer {s.start}",
            f"{s.first} .. {s.last}" if s.stop - s.start > 1 else s.first,
            flop(s.flops),
            "" if s.weight_bytes is None else f"weights {weight(s.weight_bytes)}",
            "" if s.seconds is None else f"compute {figures(s.seconds * 1e3)} ms",
            f"(down at 0 s: {s.down})" if s.down else "",
        )
        for s in staged
    ]
    hops = [
        (
            f"cut {h.cut}{_end(h.cut, layers)}",
            "drawn per request" if h.size_bytes is None else size(h.size_bytes) + _raw(h, size),
            *route_cells(h.route, h.links, h.latency_s, h.down),
        )
        for h in sent
    ]
    stage_rows, hop_rows = iter(aligned(stages)), iter(aligned(hops))
    return [next(stage_rows if isinstance(step, Stage) else hop_rows) for step in steps]


def _raw(hop: Hop, size: Callable[[float], str]) -> str:
    """`` int8 (0.8028 MB raw)`` where a codec shrank the cut's tensor, else nothing."""
    if not hop.codec or hop.raw_bytes is None:
        return ""
    return f" {hop.codec} ({size(hop.raw_bytes)} raw)"


def _end(cut: int, layers: int) -> str:
    """`` (input)`` at cut 0, `` (output)`` after the last layer, else nothing."""
    if cut == 0:
        return " (input)"
    if cut == layers:
        return " (output)"
    return ""


def describe(
    world: World, spec: PolicySpec, seed: int, policy_timeout_s: float | None = POLICY_TIMEOUT_S
) -> list[str]:
    """Each application's lines of :func:`format_station_plan` under policy ``spec``; none unless fixed.

    A composite's (``by-group``'s) are those of each group of task sources its inner ``fixed``
    decides, each of that group's sources alone, in the workload's order.  Each trial decision is
    under ``policy_timeout_s`` (``--policy-timeout``), as a run's.
    """
    if spec.name == "fixed":
        plans = station_plans(world, spec, seed, policy_timeout_s=policy_timeout_s)
    else:
        plans = [
            plan
            for group in _fixed_groups(world, spec)
            for plan in station_plans(world, spec, seed, group, policy_timeout_s)
        ]
    return [line for plan in plans for line in format_station_plan(plan)]


def _fixed_groups(world: World, spec: PolicySpec) -> list[str]:
    """The groups of task sources an inner ``fixed`` of a composite ``spec`` decides, in workload order."""
    from offloadsim.engine.inner_policies import deciding_name
    from offloadsim.policies.registry import make_policy

    policy = make_policy(spec.name, spec.params)
    if not getattr(policy, "delegates", None):
        return []
    groups = dict.fromkeys(world.nodes[s].group for entry in world.scenario.workload for s in entry.sources)
    return [group for group in groups if deciding_name(policy, group) == "fixed"]
