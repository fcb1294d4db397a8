"""Every registry whose run-time entries travel to compare's and sweep's workers: one list, one way each.

A worker process starts with offloadsim's own entries and those its entry points declare; what a
script or notebook registered at run time was not there, so its runs in workers lacked it (an
unknown link model, arrival kind or kind of work; a missing record column or table) and a
comparison's results differed by worker count.  :data:`CARRIED_REGISTRIES` says, per registry,
how to list the entries registered here that are neither offloadsim's nor an entry point's, how
to register one again, and where order matters how to restore the parent's;
:mod:`offloadsim.experiments.carried_kinds` pickles and re-registers them all the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from offloadsim.analysis import (
    breakdown_list,
    breakdown_registry,
    metric_list,
    metric_registry,
    warning_list,
    warning_registry,
)
from offloadsim.experiments.jobs import Job
from offloadsim.plugins import EntryPointGroup, shipped_module
from offloadsim.suggest import quoted

__all__ = ["CARRIED_REGISTRIES", "CarriedRegistry"]


@dataclass(frozen=True)
class CarriedRegistry:
    """How one registry's run-time entries are found here and registered again in a worker.

    ``what``: the words naming an entry in messages (``link model``); ``group``: its entry points
    (a worker reads those itself); ``present``: name -> entry of every entry not offloadsim's own
    registered here, in registry order (entry points loaded first); ``add``/``remove``: register one
    again, forget one; ``code``: the entry's functions and classes a worker finds by name, by what a
    message calls each (``notes``); ``ordered``: whether the registry's order reaches the records
    (a table's columns, the order of notes), so a worker restores the parent's.  ``label``: an entry
    named in a message (``policy "mine"``; ``what`` and the name in quotes by default).  ``needed``:
    the names the jobs use (a job runs one policy), where an entry that cannot be pickled is refused
    only if a job uses it; None: every entry is needed (a worker's runs all read the registry).
    ``over_plugins``: a registration here takes its name from a plug-in's (policies), so it is
    carried even under a name an entry point provides.
    """

    what: str
    group: Callable[[], EntryPointGroup]
    present: Callable[[], dict[str, Any]]
    add: Callable[[Any], None]
    remove: Callable[[str], None]
    code: Callable[[Any], dict[str, Any]]
    ordered: bool = False
    label: Callable[[str], str] | None = None
    needed: Callable[[Sequence[Job]], set[str]] | None = None
    over_plugins: bool = False

    def said(self, name: str) -> str:
        """``name``'s entry as a message names it: ``warning kind 'far'``, ``policy "far"``."""
        return self.label(name) if self.label is not None else f"{self.what} {name!r}"


def _attributes(*names: str) -> Callable[[Any], dict[str, Any]]:
    """An entry's functions: its attributes ``names`` that are set."""
    return lambda entry: {n: getattr(entry, n) for n in names if getattr(entry, n, None) is not None}


def _itself(entry: Any) -> dict[str, Any]:
    """An entry that is itself the class or function a worker finds by name (a factory, a class)."""
    return {"": entry}


def _its_class(entry: Any) -> dict[str, Any]:
    """An entry that is an instance: its class is what a worker finds by name."""
    return {"": type(entry)}


def _not_shipped(entries: dict[str, Any], code: Callable[[Any], Any]) -> dict[str, Any]:
    return {
        name: entry
        for name, entry in entries.items()
        if entry is not None and not shipped_module(str(getattr(code(entry), "__module__", "")))
    }


def _policies() -> dict[str, Any]:
    from offloadsim.policies import registry

    registry.PLUGINS.load()  # the plug-ins read first: a registration again takes a name from one
    return registry.registered_here()


def _add_policy(named: tuple[str, Any]) -> None:
    from offloadsim.policies import registry

    registry.register_policy(named[0])(named[1])


def _forget_policy(name: str) -> None:
    from offloadsim.policies import registry

    registry.unregister_policy(name)


def _jobs_policies(jobs: Sequence[Job]) -> set[str]:
    """The policies ``jobs`` run: each one's own, or its scenario's."""
    names = (job.policy or getattr(getattr(job.scenario, "policy", None), "name", None) for job in jobs)
    return {name for name in names if isinstance(name, str)}


def _metrics() -> dict[str, Any]:
    return {m.name: m for m in metric_list.registered_metrics() if not metric_registry.is_shipped(m)}


def _warnings() -> dict[str, Any]:
    shipped = {id(kind) for kind in warning_list.SHIPPED}
    return {k.name: k for k in warning_list.registered_kinds() if id(k) not in shipped}


def _breakdowns() -> dict[str, Any]:
    shipped = {id(breakdown) for breakdown in breakdown_list.SHIPPED}
    return {b.name: b for b in breakdown_list.registered_breakdowns() if id(b) not in shipped}


def _tables() -> dict[str, Any]:
    from offloadsim.records import tables

    return {t.name: t for t in tables.record_tables() if t not in tables.BUILT_IN}


def _add_table(table: Any) -> None:
    from offloadsim.records import tables

    tables.register_table(table)


def _forget_table(name: str) -> None:
    from offloadsim.records import tables

    origin = tables.table_origin(name)
    tables.forget_table(name)
    if origin:  # an entry point's, put back in order: it keeps its origin
        tables.keep_origin(name, origin)


def _columns() -> dict[str, Any]:
    from offloadsim.records import schema

    return {c.name: c for c in schema.task_columns()[len(schema.TASKS) :]}


def _add_column(column: Any) -> None:
    from offloadsim.records import schema

    schema.register_task_column(column)


def _forget_column(name: str) -> None:
    from offloadsim.records import schema

    schema.unregister_task_column(name)


def _dynamics() -> dict[str, Any]:
    from offloadsim.world.dynamics import registry
    from offloadsim.world.dynamics.plugin_kind import PluginDynamicsKind

    registry.PLUGINS.load()
    kinds = (registry.dynamics_kind(name) for name in registry.dynamics_kinds())
    return {k.plugin.name: k.plugin for k in kinds if isinstance(k, PluginDynamicsKind)}


def _add_dynamics(kind: Any) -> None:
    from offloadsim.world.dynamics import registry

    registry.register_dynamics(kind)


def _forget_dynamics(name: str) -> None:
    from offloadsim.world.dynamics import registry

    registry.unregister_dynamics(name)


def _link_models() -> dict[str, Any]:
    from offloadsim.scenario import link_models as links

    return _not_shipped({name: links.link_model(name) for name in links.link_model_names()}, lambda f: f)


def _add_link_model(named: tuple[str, Any]) -> None:
    from offloadsim.scenario import link_models as links

    links.register_link_model(*named)


def _forget_link_model(name: str) -> None:
    from offloadsim.scenario import link_models as links

    links.unregister_link_model(name)


def _processor_models() -> dict[str, Any]:
    from offloadsim.engine import processor_models as models

    return _not_shipped(
        {name: models.get_processor_model(name) for name in models.processor_model_names()}, lambda f: f
    )


def _add_processor_model(named: tuple[str, Any]) -> None:
    from offloadsim.engine import processor_models

    processor_models.register_processor_model(*named)


def _forget_processor_model(name: str) -> None:
    from offloadsim.engine import processor_models

    processor_models.unregister_processor_model(name)


def _work_kinds() -> dict[str, Any]:
    from offloadsim.engine import work

    return _not_shipped({name: work.get_kind(name) for name in work.kind_names()}, type)


def _add_work_kind(kind: Any) -> None:
    from offloadsim.engine import work

    work.register_kind(kind)


def _forget_work_kind(name: str) -> None:
    from offloadsim.engine import work

    work.unregister_kind(name)


def _arrivals() -> dict[str, Any]:
    from offloadsim.scenario.arrivals import base

    return _not_shipped({p.kind: p for p in base.arrival_processes()}, lambda p: p)


def _add_arrivals(process: Any) -> None:
    from offloadsim.scenario.arrivals import base

    base.register_arrival_process(process)


def _forget_arrivals(kind: str) -> None:
    from offloadsim.scenario.arrivals import base

    base.unregister_arrival_process(kind)


def _named(entries: Callable[[], dict[str, Any]]) -> Callable[[], dict[str, Any]]:
    """A registry of bare factories, each entry made ``(name, factory)`` so that it registers again alone."""
    return lambda: {name: (name, factory) for name, factory in entries().items()}


def _factory(named: tuple[str, Any]) -> dict[str, Any]:
    return {"": named[1]}


def _group(module: str) -> Callable[[], EntryPointGroup]:
    def group() -> EntryPointGroup:
        import importlib

        plugins: EntryPointGroup = importlib.import_module(module).PLUGINS
        return plugins

    return group


#: Every registry a script can add to with ``register...(...)`` whose entries a worker's runs use, in
#: the order they are registered again there.  Not here, as the command's own process alone uses
#: them: note providers (compare and sweep make the worlds' notes there), scenario checks (said
#: before any job starts), figure kinds (figures are drawn there).
CARRIED_REGISTRIES: tuple[CarriedRegistry, ...] = (
    CarriedRegistry(
        "policy",
        _group("offloadsim.policies.registry"),
        _named(_policies),
        _add_policy,
        _forget_policy,
        _factory,
        label=lambda name: f"policy {quoted(name)}",
        needed=_jobs_policies,
        over_plugins=True,
    ),
    CarriedRegistry(
        "run metric",
        lambda: metric_list.PLUGINS,
        _metrics,
        metric_registry.register,
        metric_registry.unregister,
        _attributes("compute", "row", "table_row", "refill", "required", "entry_label"),
        ordered=True,
    ),
    CarriedRegistry(
        "warning kind",
        lambda: warning_list.PLUGINS,
        _warnings,
        warning_registry.register,
        warning_registry.unregister,
        _attributes("detect", "note", "own_tasks", "own_tally"),
        ordered=True,
    ),
    CarriedRegistry(
        "breakdown",
        lambda: breakdown_list.PLUGINS,
        _breakdowns,
        breakdown_registry.register,
        breakdown_registry.unregister,
        _attributes("order", "qualify"),
        ordered=True,
    ),
    CarriedRegistry(
        "record table",
        _group("offloadsim.records.tables"),
        _tables,
        _add_table,
        _forget_table,
        _attributes("collector"),
        ordered=True,
    ),
    CarriedRegistry(
        "record column",
        _group("offloadsim.records.schema"),
        _columns,
        _add_column,
        _forget_column,
        _attributes("derive"),
        ordered=True,
    ),
    CarriedRegistry(
        "kind of dynamics",
        _group("offloadsim.world.dynamics.registry"),
        _dynamics,
        _add_dynamics,
        _forget_dynamics,
        _its_class,
    ),
    CarriedRegistry(
        "arrival process",
        _group("offloadsim.scenario.arrivals.base"),
        _arrivals,
        _add_arrivals,
        _forget_arrivals,
        _itself,
    ),
    CarriedRegistry(
        "kind of work",
        _group("offloadsim.engine.work"),
        _work_kinds,
        _add_work_kind,
        _forget_work_kind,
        _its_class,
    ),
    CarriedRegistry(
        "link model",
        _group("offloadsim.scenario.link_models"),
        _named(_link_models),
        _add_link_model,
        _forget_link_model,
        _factory,
    ),
    CarriedRegistry(
        "processor model",
        _group("offloadsim.engine.processor_models"),
        _named(_processor_models),
        _add_processor_model,
        _forget_processor_model,
        _factory,
    ),
)
