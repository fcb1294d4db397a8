"""The run metrics on the registry (:mod:`offloadsim.analysis.metric_registry`): one line each.

A new metric is its own module declaring a :class:`~offloadsim.analysis.metric_registry.SummaryMetric`,
and one line here.  The summary and the catalogue read :func:`registered_metrics`, which holds
these and any a caller registered since (a test's toy metric).
"""

from __future__ import annotations

from offloadsim.analysis import batteries, energy_split, fairness
from offloadsim.analysis.metric_registry import SummaryMetric, register, registered

__all__ = ["registered_metrics"]

register(batteries.BATTERY_LEFT_MEDIAN)
register(energy_split.DEVICE_COMPUTE_ENERGY)
register(fairness.LATENCY_FAIRNESS)


def registered_metrics() -> tuple[SummaryMetric, ...]:
    """Every registered metric, the shipped ones first, in the order registered."""
    return registered()
