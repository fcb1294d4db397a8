"""Device energy per task told apart: what the source device's processors drew, and its radio's.

A phone's energy per task under ``edge`` is mostly its radio's (sending the input, receiving the
answer, the tail after), under ``local`` its processor's: the total alone does not say which, and
reading it from ``--stages`` took the scenario's power values by hand.  The tasks' records carry
``device_compute_energy`` (of ``device_energy``, the part charged for compute stages on the
source); the radio's is the rest: the transmit and receive draw, the tail and the per-bit cost.
"""

from __future__ import annotations

import math
from typing import Any

from offloadsim.analysis.metric_display import Metric, table_number
from offloadsim.analysis.metric_registry import SummaryMetric, TaskMean

__all__ = ["energy_split_metrics", "DEVICE_COMPUTE_ENERGY"]

_NAME = "device_compute_energy_mean_j"


def energy_split_metrics(device_mean_j: float, compute_mean_j: float) -> dict[str, float]:
    """``device_compute_energy_mean_j`` and ``device_radio_energy_mean_j``; ``{}`` where not known.

    Both over the tasks device energy per task is over (those that ended), so they add up to it.
    Not known: device energy not measured (NaN), or tasks written before their
    ``device_compute_energy`` (NaN).

    >>> energy_split_metrics(0.5, 0.125)
    {'device_compute_energy_mean_j': 0.125, 'device_radio_energy_mean_j': 0.375}
    >>> energy_split_metrics(0.045, float("nan"))
    {}
    """
    if math.isnan(device_mean_j) or math.isnan(compute_mean_j):
        return {}
    radio = max(0.0, device_mean_j - compute_mean_j)  # rounding: never a negative radio share
    return {"device_compute_energy_mean_j": compute_mean_j, "device_radio_energy_mean_j": radio}


def _row(summary: Any) -> dict[str, float]:
    """The two columns where device energy was measured (some source has ``power:``)."""
    if summary.powered_sources == 0:
        return {}
    return energy_split_metrics(summary.device_energy_mean_j, summary.metric(_NAME))


def _table_row(summary: Any) -> tuple[str, str, str] | None:
    """Device energy per task told apart: ``  of which compute  31.20  mJ  (radio 13.80 mJ: ...)``.

    Only where tasks drew some and the records say how much was compute (the tasks'
    ``device_compute_energy``); the radio's is the rest (sending, receiving, its tail, the bits).
    """
    metrics = energy_split_metrics(summary.device_energy_mean_j, summary.metric(_NAME))
    if not metrics or not summary.device_energy_mean_j > 0:
        return None
    info = _COLUMNS[_NAME]  # device energy per task's unit, scale and digits
    compute = table_number(metrics[_NAME] * info.scale, info.digits)
    radio = table_number(metrics["device_radio_energy_mean_j"] * info.scale, info.digits)
    why = "sending, receiving, its tail"
    return ("  of which compute", compute, f"{info.unit}  (radio {radio} {info.unit}: {why})")


_COLUMNS = {
    _NAME: Metric("device compute energy per task", "mJ", 1e3, "lower", "above idle", 2),
    "device_radio_energy_mean_j": Metric("device radio energy per task", "mJ", 1e3, "lower", "above idle", 2),
}

#: The registered metric (:mod:`offloadsim.analysis.metric_registry`): the mean of the tasks'
#: ``device_compute_energy`` over the tasks device energy per task is over (NaN: a run written before
#: the column); a run's metrics row has it and the radio's rest where device energy was measured.
#: Compare's printed table shows them when asked (they would widen every powered comparison).
DEVICE_COMPUTE_ENERGY = SummaryMetric(
    name=_NAME,
    description="of device energy per task, what the source devices' processors drew (the rest: radio)",
    columns=_COLUMNS,
    task_mean=TaskMean("device_compute_energy", over="spent"),
    row=_row,
    compare=False,
    table_row=_table_row,
    json_after="battery_left_median",
    catalogue_place="llm",
    table_place="energy",
    descriptions={
        "device_radio_energy_mean_j": (
            "of device energy per task, the source devices' radios': sending, receiving, the tail, the bits"
        )
    },
)
