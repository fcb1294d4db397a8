"""Batteries across runs: how many ran flat and how much charge the others kept, per run.

A flat phone stops sending, so a comparison's failed share and least node availability barely
move when nearly every battery ran flat near the end (19 of 20 phones flat at 23.1–24.0 h of a
day read ``failed 0.02 %``).  These metrics put the batteries in compare's and sweep's tables,
paired across policies like the others, wherever a run's nodes have a battery.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["battery_metrics", "battery_metrics_of_nodes", "flat_batteries_note"]


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
