"""The record tables' collectors on a run: each registered table's started, its rows taken at the end.

Every table of :mod:`offloadsim.records.tables` with a ``collector`` is started on the run as the
simulation is built (after its own listeners), so that the simulation names no table; at the end
:func:`collected` hands their rows to ``RawRun.tables``.  A collector given by its dotted name
(``"package.module:function"``) is imported here, once per process.

A collector that is not offloadsim's own is a plug-in: its exception as it starts is
:class:`~offloadsim.engine.plugin_faults.PluginFailed` naming the table and its collector (one
raised mid-run is blamed by the simulation, :func:`collector_plugins`), and its rows are checked
against the table's declared columns once, at the end (:mod:`offloadsim.records.table_checks`),
so that a 1.5 in an ``int64`` column is refused, not stored as 1.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from offloadsim.engine.plugin_faults import PluginFailed, plugin_call
from offloadsim.plugins import dotted_name, shipped_module
from offloadsim.records.table_checks import columns_problem
from offloadsim.records.tables import Collector, RecordTable, record_table, record_tables, table_origin
from offloadsim.suggest import quoted

__all__ = ["collected", "collector_plugins", "start_collectors"]

_IMPORTED: dict[str, Collector] = {}


def start_collectors(run: Any) -> dict[str, Any]:
    """Each registered table's collector started on ``run`` (a ``Simulation``), by table; none: left out."""
    started: dict[str, Any] = {}
    for table in record_tables():
        if table.collector is None:
            continue
        collector = _resolved(table)
        one = plugin_call(collector, collector_words(table), run, when=" as the run started")
        if one is not None:
            started[table.name] = one
    return started


def collected(collectors: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The rows of each started collector, as columns, by table; a plug-in's checked against its columns."""
    tables: dict[str, dict[str, Any]] = {}
    for name, collector in collectors.items():
        table = record_table(name)
        if shipped_module(str(getattr(type(collector), "__module__", ""))):
            tables[name] = collector.columns
            continue
        words = collector_words(table)
        if not hasattr(collector, "columns"):
            raise PluginFailed(
                f"{words}: the object it started ({dotted_name(type(collector))}) has no columns"
            )
        problem = columns_problem(collector.columns, table.columns)
        if problem is not None:
            raise PluginFailed(f"{words}: {problem}")
        tables[name] = collector.columns
    return tables


def collector_plugins(collectors: Mapping[str, Any]) -> list[tuple[object, str]]:
    """Each started collector with the words naming it, for the simulation to blame a mid-run exception."""
    return [(collector, collector_words(record_table(name))) for name, collector in collectors.items()]


def collector_words(table: RecordTable) -> str:
    """``record table "t" (collector mod.C, from distribution d 1.0)``: a table's collector, for its lines."""
    target = table.collector if isinstance(table.collector, str) else dotted_name(table.collector)
    origin = table_origin(table.name)
    return f"record table {quoted(table.name)} (collector {target}{f', from {origin}' if origin else ''})"


def _resolved(table: RecordTable) -> Collector:
    collector = table.collector
    assert collector is not None
    if not isinstance(collector, str):
        return collector
    found = _IMPORTED.get(collector)
    if found is None:
        module, _, name = collector.partition(":")
        try:
            found = getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError) as error:
            if shipped_module(module):
                raise
            said = f"its collector could not be imported: {type(error).__name__}: {error}"
            raise PluginFailed(f"{collector_words(table)}: {said}") from error
        _IMPORTED[collector] = found
    return found
