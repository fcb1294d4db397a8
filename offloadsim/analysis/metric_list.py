"""The run metrics on the registry (:mod:`offloadsim.analysis.metric_registry`): one line each.

A new metric is its own module declaring a :class:`~offloadsim.analysis.metric_registry.SummaryMetric`,
and one line here.  The summary and the catalogue read :func:`registered_metrics`, which holds
these, those other distributions declare under the entry-point group :data:`ENTRY_POINT_GROUP`
(read on the first look-up in each process, pool workers included) and any a caller registered
since (a test's toy metric).  :func:`metric_sources` says where each came from (a run's manifest)
and :func:`metric_plugins` the ones not offloadsim's own, as the plug-ins a run used (its manifest's
``plugins``, a sweep's and a comparison's job keys: a job written before a plug-in metric was
installed lacks its column, and runs again).
"""

from __future__ import annotations

from typing import Any

from offloadsim.analysis import (
    batteries,
    energy_split,
    fairness,
    llm_requests,
    on_time,
    other_energy,
    raw_input_share,
    tail_latency,
    utilisations,
)
from offloadsim.analysis.metric_registry import SummaryMetric, code_module, is_shipped, register, registered
from offloadsim.plugins import NamedPlugins

__all__ = [
    "ENTRY_POINT_GROUP",
    "PLUGINS",
    "SHIPPED",
    "metric_plugins",
    "metric_sources",
    "registered_metrics",
]

#: offloadsim's own run metrics, in the order registered (a manifest's ``metrics`` says them shipped,
#: but the LLM ones, other devices' energy and the utilisations: the summary's own fields, which add
#: no key to summary.json).
SHIPPED: tuple[SummaryMetric, ...] = (
    llm_requests.LLM_REQUESTS,
    batteries.BATTERY_LEFT_MEDIAN,
    other_energy.OTHER_DEVICE_ENERGY,  # before the energy split: its table row is above the split's
    energy_split.DEVICE_COMPUTE_ENERGY,
    fairness.LATENCY_FAIRNESS,
    utilisations.UTILISATION,
    raw_input_share.RAW_INPUT_OFFLOADED,
    on_time.ON_TIME_THROUGHPUT,
    tail_latency.LATENCY_P999,
    tail_latency.LATENCY_P999_LOW,
    tail_latency.LATENCY_P999_HIGH,
)
for _metric in SHIPPED:
    register(_metric, shipped=True)

#: The entry-point group other distributions declare run metrics in (each entry a ``SummaryMetric``
#: named as the entry).
ENTRY_POINT_GROUP = "offloadsim.metrics"


#: The front end of the registry: the metrics other distributions declare, read on the first look-up
#: in each process.
_FRONT = NamedPlugins(ENTRY_POINT_GROUP, "run metric", SummaryMetric, register, registered)
PLUGINS = _FRONT.group


def registered_metrics() -> tuple[SummaryMetric, ...]:
    """Every registered metric, the shipped ones first, in the order registered (entry points read once)."""
    return _FRONT.all()


def metric_plugins() -> list[dict[str, Any]]:
    """The registered metrics not offloadsim's own, as a manifest's ``plugins`` lists what a run used.

    Each ``{"group": "offloadsim.metrics", "name", "distribution", "version"}``, or, registered in
    this process (a script's, a test's), ``"distribution": None`` and the ``module`` of its code
    (:func:`offloadsim.plugins.provenance`).  None where only offloadsim's are registered, so a run
    or job of those keeps its manifest's ``plugins`` and its key.
    """
    return _FRONT.used(is_shipped, lambda metric: code_module(metric) or None)


def metric_sources() -> list[dict[str, Any]]:
    """Every registered metric's name and where it came from, in order: a run's manifest's ``metrics``.

    Those whose values are the summary's own fields (``summary_fields``: the LLM metrics) are not
    listed: they add no key to ``summary.json``, whose reader needs no word of them.

    ``{"name", "source": "offloadsim"}`` for a shipped one; a plug-in's ``{"name", "source":
    "plug-in", "distribution", "version"}`` (or ``"distribution": None`` and its ``module``).
    """
    plugins = {plugin["name"]: plugin for plugin in metric_plugins()}
    sources: list[dict[str, Any]] = []
    for metric in registered_metrics():
        if metric.summary_fields:
            continue
        plugin = plugins.get(metric.name)
        if plugin is None:
            sources.append({"name": metric.name, "source": "offloadsim"})
        else:
            where = {key: value for key, value in plugin.items() if key not in ("group", "name")}
            sources.append({"name": metric.name, "source": "plug-in", **where})
    return sources
