"""The SimPy engine: processors, the flow-level network, arrivals, and one run's records.

Only this package imports simpy.  :func:`simulate` is its one entry point.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from offloadsim.engine import processor_models, work
from offloadsim.engine.plugin_adapters import PluginKind
from offloadsim.engine.plugin_faults import PluginFailed
from offloadsim.engine.policy_watch import POLICY_TIMEOUT_S
from offloadsim.engine.processor_models import processor_model_names
from offloadsim.engine.records import TASK_COLUMNS, RawRun, RecordLog
from offloadsim.engine.simulation import EngineError, Simulation, work_kind
from offloadsim.engine.streams import stream, workload_name
from offloadsim.engine.work import kind_names
from offloadsim.plugins import blame, shipped_module
from offloadsim.scenario.errors import format_path
from offloadsim.scenario.model import PolicySpec, Scenario
from offloadsim.scenario.overrides import blamed
from offloadsim.suggest import did_you_mean_key, quoted
from offloadsim.world import World, WorldError, build_world

__all__ = [
    "TASK_COLUMNS",
    "EngineError",
    "RawRun",
    "Simulation",
    "build_plugins",
    "check_world",
    "checked_world",
    "make_trial_requests",
    "simulate",
    "unstarted_run",
]


def simulate(
    scenario: Scenario | World,
    *,
    policy: PolicySpec | None = None,
    seed: int | None = None,
    replication: int = 0,
    progress: Callable[[float], None] | None = None,
    record_stages: bool = False,
    records_dir: Path | None = None,
    policy_timeout_s: float | None = POLICY_TIMEOUT_S,
) -> RawRun:
    """Run one replication of ``scenario`` and return its records.

    ``policy`` and ``seed`` override the scenario's.  Raises
    :class:`EngineError` with a one-line message for a problem found while
    building the run (an unknown policy, a bad policy parameter, a profile
    or model that cannot be resolved).  ``record_stages`` also keeps one row
    per compute stage and transfer (``RawRun.stages``), for timelines.
    The per-task records are written to ``records_dir`` (a temporary
    directory when ``None``) in chunks as the run goes, so memory stays
    flat however many tasks it has; ``RawRun.tasks`` reads them back.
    ``policy_timeout_s``: how long one call of a plug-in policy's code may run, in wall-clock
    seconds, before the run ends with a ``PolicyTimedOut`` naming it (None or 0: no limit).
    """
    from offloadsim.policies.registry import make_policy

    loaded = scenario if isinstance(scenario, Scenario) else scenario.scenario
    try:
        world = checked_world(scenario)
    except WorldError as error:
        raise _refused(loaded, error) from error.__cause__
    spec = policy or world.scenario.policy
    try:
        policy_object = make_policy(spec.name, spec.params)
    except (KeyError, ValueError, TypeError) as error:
        message = error.args[0] if error.args else str(error)
        raise EngineError(f"policy: {message}") from None
    run_seed = world.scenario.seed if seed is None else seed
    try:
        simulation = Simulation(
            world, policy_object, spec.name, run_seed, replication, record_stages, RecordLog(records_dir)
        )
    except WorldError as error:  # a plug-in processor or link model that cannot be built, at its key
        raise _refused(loaded, error) from error.__cause__
    return simulation.run(progress, policy_timeout_s)


def _refused(loaded: Scenario, error: WorldError) -> EngineError:
    """``error`` as the run says it: with the scenario's file, and the ``--set`` that gave its key.

    A plug-in's exception (a kind of dynamics, a processor model's factory) is its ``__cause__``
    (raise this ``from`` it): a :class:`PluginFailed`, whose traceback ``--debug`` shows.
    """
    said = str(blamed(loaded, error.key_path, error.message, error.also))
    if error.__cause__ is not None:
        return PluginFailed(said, refusal=error)
    return EngineError(said, refusal=error)


def unstarted_run(world: World, spec: PolicySpec, seed: int) -> Simulation:
    """A run of ``world`` under ``spec`` built as :func:`simulate` builds it, not started, recording nothing.

    What ``run --dry-run`` reads a fixed plan's compiled steps from (:mod:`offloadsim.engine.stations`):
    this package is the one place that builds the kernel.
    """
    from offloadsim.policies.registry import make_policy

    return Simulation(world, make_policy(spec.name, spec.params), spec.name, seed, records=RecordLog(None))


def checked_world(scenario: Scenario | World, *, trial_requests: bool = False) -> World:
    """The world a run of ``scenario`` builds, checked as the run checks it (raises WorldError).

    One check for ``run``, ``validate`` and ``sweep --dry-run``: what only
    building the world finds (a profile, a ``dynamics`` entry that would
    change the world too often) and the engine's registries (:func:`check_world`).
    A world already built (``offloadsim.api.WorldOnce``) is checked, not built again.
    ``trial_requests`` (``validate``, ``run --dry-run``): also :func:`make_trial_requests`,
    which a run does not need (it says the same at its first request).
    """
    world = scenario if isinstance(scenario, World) else build_world(scenario)
    check_world(world)
    if trial_requests:
        build_plugins(world)
        make_trial_requests(world)
    return world


def build_plugins(world: World) -> None:
    """Build each plug-in processor and a plug-in link model once, refused as the run refuses them.

    A factory that raised, or built a processor lacking a member, was refused only as the run was
    built, after ``validate`` had said ok: now ``validate`` and ``--dry-run`` say the run's line
    (exit 2).  What they build is thrown away, in an environment of its own; a shipped processor
    model or link model is not built (the run checks none).
    """
    from offloadsim.engine.environment import RunEnvironment
    from offloadsim.engine.network import make_link_model
    from offloadsim.engine.processor_models import build_processor, get_processor_model
    from offloadsim.scenario.link_models import link_model

    env = RunEnvironment()
    for node in world.processors:
        for model in world.processors_of(node):
            if not shipped_module(str(getattr(get_processor_model(model.spec.model), "__module__", ""))):
                build_processor(env, model, world)
    factory = link_model(world.link_model)
    if factory is not None and not shipped_module(str(getattr(factory, "__module__", ""))):
        make_link_model(world, env)


TRIAL = "trial request"
"""The purpose of the stream a trial request draws from: no run draws from it."""


def make_trial_requests(world: World) -> None:
    """Make one request of each application a plug-in kind of work serves, refused as the run refuses it.

    A maker that makes no ``Task`` (or raises) was refused only at the run's first request, after
    ``validate`` had said ok: now ``validate`` and ``run --dry-run`` say the run's line
    (:class:`PluginFailed`, exit 2).  Each request comes from a maker of its own, for the first
    source of the application's first workload entry, drawing from a stream of its own: the run's
    makers and streams are not touched.  A shipped kind's maker is not asked (the run checks none).
    """
    entries = world.scenario.workload
    apps = [entry.app for entry in entries]
    asked: set[str] = set()
    for index, entry in enumerate(entries):
        app = world.apps[entry.app]
        kind = work_kind(app.kind)
        if app.name in asked or not entry.sources or not isinstance(kind, PluginKind):
            continue
        asked.add(app.name)
        source = entry.sources[0]
        rng = stream(world.scenario.seed, 0, TRIAL, *workload_name(apps, index), source)
        try:
            make = kind.maker(app, source, rng, world.apps)  # its requests checked to be Tasks
            measure = getattr(make, "measure_from", None)  # as the run calls it, before any request
            if measure is not None:
                measure(world.scenario.warmup_s)
            make(0, 0.0)
        except PluginFailed:
            raise
        except Exception as error:
            said = blame(error, [(kind.plugin, kind.words)], " making a trial request (validate, --dry-run)")
            if said is None:
                raise
            raise PluginFailed(said) from error


def check_world(world: World) -> None:
    """Refuse a processor model or a kind of work the engine's registries do not know (WorldError).

    The world names them (``nodes.GROUP.processor.model``,
    ``applications.NAME.kind``); only the engine knows them, so ``validate``
    asks here too.  Each message names the key path and what was meant.
    A plug-in kind whose ``fixed_cost`` is no bool is its one line (PluginFailed).
    """
    models = processor_model_names()
    for node in world.nodes.values():
        for spec in node.processors:
            if spec.model not in models:
                raise WorldError(
                    processor_models.model_key_path(node.group, spec),
                    processor_models.PLUGINS.refusal(
                        spec.model,
                        f"unknown processor model {quoted(spec.model)}",
                        f"{did_you_mean_key(spec.model, models)}; known: {', '.join(models)}",
                    ),
                )
    kinds = kind_names()
    for app in world.apps.values():
        if app.kind not in kinds:
            raise WorldError(
                format_path(("applications", app.name, "kind")),
                work.PLUGINS.refusal(
                    app.kind,
                    f"unknown kind of work {quoted(app.kind)}",
                    f"{did_you_mean_key(app.kind, kinds)}; known: {', '.join(kinds)}",
                ),
            )
        work_kind(app.kind)  # a plug-in's fixed_cost that is no bool: its one line (PluginFailed)
