"""Batteries across runs: how many ran flat and how much charge the others kept, per run.

A flat phone stops sending, so a comparison's failed share and least node availability barely
move when nearly every battery ran flat near the end (19 of 20 phones flat at 23.1–24.0 h of a
day read ``failed 0.02 %``).  These metrics put the batteries in compare's and sweep's tables,
paired across policies like the others, wherever a run's nodes have a battery.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from offloadsim.analysis.metric_display import Metric, table_number
from offloadsim.analysis.metric_registry import RunTables, SummaryMetric

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["battery_metrics", "battery_metrics_of_nodes", "flat_batteries_note", "BATTERY_LEFT_MEDIAN"]


def battery_metrics(
    count: int, flat: int, least_not_flat: Mapping[str, float], median: float
) -> dict[str, float]:
    """The battery metrics of a run with ``count`` batteries (``{}`` for none), from its summary's fields.

    ``batteries_flat`` counts those that ran flat, ``battery_left_min`` is the least share of
    capacity left of all of them (0 where one ran flat), ``battery_left_median`` their median (a
    flat one counts 0).
    """
    if count <= 0:
        return {}
    least = 0.0 if flat or not least_not_flat else min(least_not_flat.values())
    return {
        "batteries_flat": float(flat),
        "battery_left_min": float(least),
        "battery_left_median": float(median),
    }


def battery_metrics_of_nodes(nodes: Any) -> dict[str, float]:
    """:func:`battery_metrics` from a nodes table (``battery_left``, ``drained_at``); ``{}`` for none.

    >>> battery_metrics_of_nodes({"battery_left": [0.0, 0.5, float("nan"), 0.25],
    ...                           "drained_at": [80.0, float("nan"), float("nan"), float("nan")]})
    {'batteries_flat': 1.0, 'battery_left_min': 0.0, 'battery_left_median': 0.25}
    """
    if nodes is None or "battery_left" not in nodes:
        return {}
    left = np.asarray(nodes["battery_left"], dtype=float)
    powered = ~np.isnan(left)
    if not powered.any():
        return {}
    if "drained_at" in nodes:
        flat = powered & ~np.isnan(np.asarray(nodes["drained_at"], dtype=float))
    else:
        flat = powered & (left <= 0.0)
    charge = np.where(flat, 0.0, left)[powered]
    return {
        "batteries_flat": float(flat.sum()),
        "battery_left_min": float(charge.min()),
        "battery_left_median": float(np.median(charge)),
    }


def flat_batteries_note(metrics: Any, keys: list[str]) -> str | None:
    """A note when some runs ran batteries flat: a flat device stops sending, which no other row shows.

    ``metrics`` is the per-run table (``batteries_flat``); ``keys`` name a run (policy or point,
    replication): ``"batteries ran flat in 4 of 6 runs (most: policy=local, replication=0, 19 flat):
    ..."``.
    """
    if not len(metrics) or "batteries_flat" not in metrics.columns:
        return None
    flat = metrics["batteries_flat"].astype(float)
    flagged = flat[flat > 0]
    if flagged.empty:
        return None
    from offloadsim.analysis.values import value_text  # a swept value as the table shows it

    worst = metrics.loc[flagged.idxmax()]
    run = ", ".join(f"{key}={value_text(worst[key])}" for key in keys if key in metrics.columns)
    return (
        f"batteries ran flat in {len(flagged)} of {len(metrics)} runs "
        f"(most: {run}, {flagged.max():.0f} flat): "
        "a device whose battery ran flat sends no more tasks, which the failed share and the "
        "latencies barely show; the rows batteries run flat and battery left count them"
    )


def _median_of_run(run: RunTables) -> float:
    """The median share of capacity left over every battery (a flat one 0); NaN: no battery."""
    return battery_metrics_of_nodes(run.nodes).get("battery_left_median", math.nan)


def _refill(nodes: Any, processors: Any) -> dict[str, float]:
    """The three columns from a run's nodes table, for a sweep's job file written before it had them."""
    return battery_metrics_of_nodes(nodes)


def _row(summary: Any) -> dict[str, float]:
    """The three columns where a node has a battery, from the summary's battery fields."""
    flat = len(summary.node_drained_at)
    median = summary.metric("battery_left_median")
    return battery_metrics(summary.battery_count, flat, summary.battery_least_left, median)


def _table_row(summary: Any) -> tuple[str, str, str] | None:
    """One row for every battery: the least charge left of those not flat, and the flat ones' first.

    ``battery left (least of 5)  62.0  %  (phone-3; none flat)``: one line
    however many devices, naming the worst, as the table does busy nodes.  None without a battery.
    """
    count, flat = summary.battery_count, summary.node_drained_at
    if not count:
        return None
    first = ""
    if flat:
        name, at = min(flat.items(), key=lambda kv: (kv[1], kv[0]))
        first = f"the first {name} at {at:.6g} s"
    if not summary.battery_least_left:  # every battery ran flat: when the first did, and the last
        name, at = max(flat.items(), key=lambda kv: (kv[1], kv[0]))
        last = f", the last {name} at {at:.6g} s" if len(flat) > 1 else ""
        return (f"battery left (all {count} flat)", table_number(0.0), f"%  ({first}{last})")
    (name, left), *_ = sorted(summary.battery_least_left.items(), key=lambda kv: (kv[1], kv[0]))
    among = f"least of {count - len(flat)} not flat" if flat else f"least of {count}"
    first = f"{len(flat)} flat, {first}" if flat else "none flat"
    return (f"battery left ({among})", table_number(left * 100.0), f"%  ({name}; {first})")


_FLAT_AS_0 = "with a flat battery as 0"

#: The registered metric (:mod:`offloadsim.analysis.metric_registry`): the summary keeps the median
#: battery left (NaN: no battery, or a summary.json written before it); a run's metrics row (so
#: compare's and sweep's tables) has the three columns only where a node has a battery.  A flat
#: device stops sending, so the failed share and least node availability barely move when most
#: batteries ran flat.
BATTERY_LEFT_MEDIAN = SummaryMetric(
    name="battery_left_median",
    description="the median share of capacity left over every battery at the end, a flat one as 0",
    columns={
        "batteries_flat": Metric("batteries run flat", "", 1.0, "lower", digits=0),
        "battery_left_min": Metric("least battery left", "%", 100.0, "higher", basis=_FLAT_AS_0),
        "battery_left_median": Metric("median battery left", "%", 100.0, "higher", basis=_FLAT_AS_0),
    },
    compute=_median_of_run,
    row=_row,
    sweep=("batteries_flat", "battery_left_median"),
    table_row=_table_row,
    refill=_refill,
    json_after="battery_least_left",
    catalogue_place="llm",
    table_place="batteries",
    descriptions={
        "batteries_flat": "how many batteries ran flat during the run",
        "battery_left_min": "the least share of capacity left of every battery at the end, a flat one as 0",
    },
)
