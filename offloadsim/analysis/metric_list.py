"""The run metrics on the registry (:mod:`offloadsim.analysis.metric_registry`): one line each.

A new metric is its own module declaring a :class:`~offloadsim.analysis.metric_registry.SummaryMetric`,
and one line here.  The summary and the catalogue read :func:`registered_metrics`, which holds
these, those other distributions declare under the entry-point group :data:`ENTRY_POINT_GROUP`
(read on the first look-up in each process, pool workers included) and any a caller registered
since (a test's toy metric).
"""

from __future__ import annotations

from typing import Any

from offloadsim.analysis import batteries, energy_split, fairness
from offloadsim.analysis.metric_registry import SummaryMetric, register, registered
from offloadsim.plugins import EntryPointGroup, PluginSkipped
from offloadsim.shapes import describe

__all__ = ["ENTRY_POINT_GROUP", "PLUGINS", "registered_metrics"]

register(batteries.BATTERY_LEFT_MEDIAN)
register(energy_split.DEVICE_COMPUTE_ENERGY)
register(fairness.LATENCY_FAIRNESS)

#: The entry-point group other distributions declare run metrics in (each entry a ``SummaryMetric``
#: named as the entry).
ENTRY_POINT_GROUP = "offloadsim.metrics"


def _add_plugin(entry: Any, metric: Any, origin: str) -> None:
    """Register one entry point's metric, unless it registered itself on import; skip one that clashes."""
    if not isinstance(metric, SummaryMetric):
        raise PluginSkipped(f"it names {describe(metric)}, not a SummaryMetric")
    if metric.name != entry.name:
        raise PluginSkipped(f"the run metric it names is called {metric.name!r}, not {entry.name!r}")
    if any(metric is other for other in registered()):
        return
    try:
        register(metric)
    except ValueError as taken:  # its name or a column is another's: said as the plug-in's, skipped
        raise PluginSkipped(str(taken)) from None


#: Run metrics other distributions declare, read on the first look-up in each process.
PLUGINS = EntryPointGroup(ENTRY_POINT_GROUP, "run metric", _add_plugin)


def registered_metrics() -> tuple[SummaryMetric, ...]:
    """Every registered metric, the shipped ones first, in the order registered (entry points read once)."""
    PLUGINS.load()
    return registered()
