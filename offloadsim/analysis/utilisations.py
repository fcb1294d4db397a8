"""The utilisations on the registry: per tier, a tier's busiest node, and per processor name.

A run's metrics row has ``utilisation_<tier>`` for each tier with a computing node (the mean over
its nodes of their first processor's utilisation), ``utilisation_<tier>_max`` after it for a tier of
two computing nodes or more (its busiest node's), then ``utilisation_<tier>_<processor>`` for each
processor name of a tier where a node has several (:func:`processor_metrics`).  One registered
family (``family="tier"``) holds them all, in that order: the summary keeps its own fields
(``tier_utilisation``, ``tier_utilisation_max``, ``processors``: ``summary_fields``, so summary.json
and its digests are as before); its columns come last in the catalogue (``catalogue_place="last"``),
after the record columns' metrics in the row (``row_place="columns"``), and each is labelled by its
entry (``entry_label``: "edge utilisation", "edge max utilisation", "edge gpu utilisation").  A
sweep's job file from before the per-processor or busiest-node columns has them from its nodes and
processors tables (``refill``); one missing a tier's mean is run again (``required``).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from offloadsim.analysis.metric_display import Metric
from offloadsim.analysis.metric_registry import SummaryMetric
from offloadsim.analysis.table_columns import Table, floats, has, objects, rows, strings

__all__ = [
    "UTILISATION",
    "busiest_node_metrics",
    "node_utilisation",
    "processor_metrics",
    "tier_metrics",
]

_NAN = float("nan")


def _nanmean(values: np.ndarray) -> float:
    values = values[~np.isnan(values)]
    return float(values.mean()) if values.size else _NAN


def node_utilisation(nodes: Table | None) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    """Per computing node (cores > 0), mean per tier, and most per tier of two nodes or more.

    Tiers in order of first appearance.
    """
    if nodes is None or rows(nodes) == 0 or not has(nodes, "utilisation"):
        return {}, {}, {}
    keep = np.ones(rows(nodes), dtype=bool)
    if has(nodes, "cores"):
        keep = np.nan_to_num(floats(nodes, "cores"), nan=0.0) > 0
    util = floats(nodes, "utilisation")[keep]
    names = objects(nodes, "node")[keep]
    per_node = {str(name): float(u) for name, u in zip(names, util, strict=True)}
    per_tier: dict[str, float] = {}
    busiest: dict[str, float] = {}
    if has(nodes, "tier"):
        tiers = strings(nodes, "tier")[keep]
        for tier in dict.fromkeys(tiers):
            mine = util[tiers == tier]
            per_tier[str(tier)] = _nanmean(mine)
            if mine.size > 1:
                known = mine[~np.isnan(mine)]
                busiest[str(tier)] = float(known.max()) if known.size else _NAN
    return per_node, per_tier, busiest


def processor_metrics(processors: Table | None) -> dict[str, float]:
    """``utilisation_<tier>_<processor>`` for each processor name of each tier where a node has several.

    Each is the mean utilisation (busy time per core over the measured time) of the
    processors of that name on the tier's computing nodes that have one, unweighted as
    ``utilisation_<tier>`` is over the tier's nodes, which reads each node's first processor
    only: an edge whose CPU is idle and whose GPU computed reads ``utilisation_edge`` 0 and
    ``utilisation_edge_gpu`` the GPU's.  A tier whose every node has one processor has none
    (its ``utilisation_<tier>`` says it all), so single-processor runs have the metrics
    they had.  ``processors`` is a run's processors table (columns ``node``, ``tier``,
    ``processor``, ``utilisation``); tiers and names in order of first appearance.

    >>> processor_metrics({"node": ["a", "a", "b"], "tier": ["edge", "edge", "edge"],
    ...                    "processor": ["cpu", "gpu", "cpu"], "utilisation": [0.0, 0.5, 0.25]})
    {'utilisation_edge_cpu': 0.125, 'utilisation_edge_gpu': 0.5}
    """
    if processors is None or rows(processors) == 0:
        return {}
    nodes, tiers = strings(processors, "node"), strings(processors, "tier")
    names, util = strings(processors, "processor"), floats(processors, "utilisation")
    counts = Counter(nodes.tolist())
    several = {tier for node, tier in zip(nodes, tiers, strict=True) if counts[node] > 1}
    shares: dict[tuple[str, str], list[float]] = {}
    for tier, name, share in zip(tiers, names, util, strict=True):
        if tier in several:
            shares.setdefault((str(tier), str(name)), []).append(float(share))
    return {
        f"utilisation_{tier}_{name}": _nanmean(np.asarray(values, dtype=np.float64))
        for (tier, name), values in shares.items()
    }


def busiest_node_metrics(nodes: Table | None) -> dict[str, float]:
    """``utilisation_<tier>_max`` of each tier of two computing nodes or more, from a nodes table.

    >>> busiest_node_metrics({"node": ["e0", "e1", "c"], "tier": ["edge", "edge", "cloud"],
    ...                       "cores": [1, 1, 8], "utilisation": [0.7, 0.1, 0.2]})
    {'utilisation_edge_max': 0.7}
    """
    return {f"utilisation_{tier}_max": value for tier, value in node_utilisation(nodes)[2].items()}


def tier_metrics(nodes: Table | None) -> list[str]:
    """``utilisation_<tier>`` of each tier with a computing node: every run with ``nodes`` has them."""
    return [f"utilisation_{tier}" for tier in node_utilisation(nodes)[1]]


def _row(summary: Any) -> dict[str, float]:
    """Each tier's mean, its busiest node's after it (several nodes), then each processor name's."""
    row: dict[str, float] = {}
    for tier, value in summary.tier_utilisation.items():
        row[f"utilisation_{tier}"] = float(value)
        if tier in summary.tier_utilisation_max:  # a tier of several nodes: its busiest one's too
            row[f"utilisation_{tier}_max"] = float(summary.tier_utilisation_max[tier])
    entries = summary.processors
    names = ("node", "tier", "processor", "utilisation")
    table = {name: [entry[name] for entry in entries] for name in names}
    row.update(processor_metrics(table if entries else None))
    return row


def _refill(nodes: Table | None, processors: Table | None) -> dict[str, float]:
    """The per-processor and busiest-node columns, from a job's processors and nodes tables."""
    return {**processor_metrics(processors), **busiest_node_metrics(nodes)}


def _label(entry: str) -> str:
    """``edge`` -> "edge utilisation", ``edge_max`` -> "edge max utilisation", ``edge_gpu``: its GPU's."""
    return f"{entry.replace('_', ' ', 1)} utilisation"  # tiers have no "_"


#: The registered family: every utilisation column of a run's metrics row.
UTILISATION = SummaryMetric(
    name="utilisation",
    description="busy time per core over the measured time: a tier's mean, its busiest node's, a processor's",
    columns={"utilisation": Metric("utilisation", "%", 100.0)},
    summary_fields=True,
    family="tier",
    row=_row,
    entry_label=_label,
    row_place="columns",
    catalogue_place="last",
    refill=_refill,
    required=tier_metrics,
)
