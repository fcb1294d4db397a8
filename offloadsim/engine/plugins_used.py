"""Which plug-ins a run uses, and where each came from: for its manifest and a sweep's job keys.

A scenario's hash covers what it says, not the code its names stand for: ``policy: my-policy``
or ``dynamics: [{kind: my-wave}]`` runs whatever the installed plug-in of that name does.  A
run records, for each plug-in it used (its policy, arrival processes, kinds of work, processor
and link models, kinds of timed change, and any record column, record table or note provider a
plug-in adds to every run), the
distribution that provided it, that distribution's version and its code's fingerprint
(:func:`offloadsim.plugins.provenance`).
offloadsim's own record nothing: a run of built-ins only has no ``plugins`` in its manifest.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from offloadsim.plugins import EntryPointGroup, provenance, shipped_module
from offloadsim.scenario.model import Scenario

__all__ = ["plugins_used"]

#: ``use(group, name, plugin, module)``: note ``plugin``, used as ``name``, unless it is offloadsim's own.
_Use = Callable[[EntryPointGroup, str, Any, "str | None"], None]


def plugins_used(scenario: Scenario, policy: str | None = None) -> list[dict[str, Any]]:
    """The plug-ins a run of ``scenario`` with the policy ``policy`` (default its own) uses, each once.

    In the order a reader meets them: policy, arrivals, work, processors, links, dynamics, columns.
    """
    found: dict[tuple[str, str], dict[str, Any]] = {}

    def use(group: EntryPointGroup, name: str, plugin: Any, module: str | None = None) -> None:
        defined_in = str(getattr(plugin, "__module__", "")) if module is None else module
        if plugin is not None and not shipped_module(defined_in) and (group.group, name) not in found:
            found[group.group, name] = provenance(group, name, plugin, defined_in)

    _policy(scenario.policy.name if policy is None else policy, use)
    _engine(scenario, use)
    if scenario.dynamics:  # the registry imports the built-in kinds: a world without changes never does
        from offloadsim.world.dynamics import registry as dynamics
        from offloadsim.world.dynamics.plugin_kind import plugin_of

        for entry in scenario.dynamics:
            name = entry.get("kind")
            if isinstance(name, str):
                use(dynamics.PLUGINS, name, plugin_of(dynamics.dynamics_kind(name)))
    from offloadsim.records import schema

    for column in schema.task_columns()[len(schema.TASKS) :]:  # a plug-in's column is in every run's records
        # A column is offloadsim's Column: its code, if any, is its derive function's.
        use(schema.PLUGINS, column.name, column, str(getattr(column.derive, "__module__", "") or ""))
    _tables_and_notes(use)
    return list(found.values())


def _tables_and_notes(use: _Use) -> None:
    """The record tables every run writes and the note providers every run's world calls: their code ran."""
    from offloadsim.records import tables
    from offloadsim.world.notes import registry as notes
    from offloadsim.world.notes import shipped  # noqa: F401  (the shipped providers registered first)

    for table in tables.record_tables():
        collector = table.collector
        module = collector.partition(":")[0] if isinstance(collector, str) else None
        if collector is not None:  # a table the engine fills itself (nodes, links) has no code of its own
            use(tables.PLUGINS, table.name, table, module or str(getattr(collector, "__module__", "") or ""))
    notes.PLUGINS.load()
    loaded = [plugin for _, plugin in notes.PLUGINS.provided]
    for provider in notes.note_providers():
        # An entry point names a NoteProvider or its function: provenance finds it by what it named.
        named = provider if any(plugin is provider for plugin in loaded) else provider.notes
        use(notes.PLUGINS, provider.kind, named, str(getattr(provider.notes, "__module__", "") or ""))


def _policy(name: str, use: _Use) -> None:
    from offloadsim.policies import registry

    info = registry.find_policy(name)
    if info is not None:
        use(registry.PLUGINS, name, info.factory, None)


def _engine(scenario: Scenario, use: _Use) -> None:
    """The scenario's arrival processes, kinds of work, processor models and link model."""
    from offloadsim.engine import processor_models, work
    from offloadsim.scenario import link_models as links
    from offloadsim.scenario.arrivals import base as arrivals

    for workload in scenario.workload:
        process = type(workload.arrivals)
        use(arrivals.PLUGINS, process.kind, process, None)
    for app in scenario.applications.values():
        if app.kind is not None:
            use(work.PLUGINS, app.kind, work.get_kind(app.kind), None)
    for node in scenario.nodes:
        for processor in node.processors:
            model = processor_models.get_processor_model(processor.model)
            use(processor_models.PLUGINS, processor.model, model, None)
    use(links.PLUGINS, scenario.link_model, links.link_model(scenario.link_model), None)
