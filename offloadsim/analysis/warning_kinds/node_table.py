"""What the node warnings (``busy_growing``, ``queue_full``) read: a nodes table with its queue counts."""

from __future__ import annotations

import numpy as np

from offloadsim.analysis.table_columns import Table, has, rows
from offloadsim.analysis.warning_facts import WarningFacts
from offloadsim.analysis.warning_kinds.shared import SHOWN

__all__ = ["queue_counted", "node_facts"]


def queue_counted(nodes: Table | None) -> bool:
    """Whether ``nodes`` is a nodes table with rows and its queues counted (``queued_at_end``)."""
    return nodes is not None and bool(rows(nodes)) and has(nodes, "queued_at_end")


def node_facts(kind: str, names: np.ndarray, util: np.ndarray, order: np.ndarray) -> WarningFacts:
    """A node warning's facts: the nodes it names (the first of ``order``) with their busy shares."""
    named = tuple((str(names[i]), float(util[i])) for i in order[:SHOWN])
    return WarningFacts(kind, nodes=named, node_count=int(order.size))
