"""The record tables' collectors on a run: each registered table's started, its rows taken at the end.

Every table of :mod:`offloadsim.records.tables` with a ``collector`` is started on the run as the
simulation is built (after its own listeners), so that the simulation names no table; at the end
:func:`collected` hands their rows to ``RawRun.tables``.  A collector given by its dotted name
(``"package.module:function"``) is imported here, once per process.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from offloadsim.records.tables import Collector, record_tables

__all__ = ["collected", "start_collectors"]

_IMPORTED: dict[str, Collector] = {}


def start_collectors(run: Any) -> dict[str, Any]:
    """Each registered table's collector started on ``run`` (a ``Simulation``), by table; none: left out."""
    started: dict[str, Any] = {}
    for table in record_tables():
        if table.collector is None:
            continue
        collector = _resolved(table.collector)
        one = collector(run)
        if one is not None:
            started[table.name] = one
    return started


def collected(collectors: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """The rows of each started collector, as columns, by table."""
    return {name: collector.columns for name, collector in collectors.items()}


def _resolved(collector: Collector | str) -> Collector:
    if not isinstance(collector, str):
        return collector
    found = _IMPORTED.get(collector)
    if found is None:
        module, _, name = collector.partition(":")
        found = _IMPORTED[collector] = getattr(importlib.import_module(module), name)
    return found
