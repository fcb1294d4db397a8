"""The ``busy_growing`` warning: a node busy 99 % of the measured time while its queue of stages grew."""

from __future__ import annotations

import numpy as np

from offloadsim.analysis.table_columns import floats, strings
from offloadsim.analysis.warning_kinds.node_table import node_facts, queue_counted
from offloadsim.analysis.warning_kinds.shared import BUSY, GROWTH_TASKS, SHOWN, more
from offloadsim.analysis.warning_registry import Said, WarningInputs, WarningKind

__all__ = ["KIND", "BUSY_GROWING"]

#: The kind's name (``WarningFacts.kind``): a node busy all run while its queue grew.
BUSY_GROWING = "busy_growing"


def _detect(inputs: WarningInputs) -> list[Said]:
    """The nodes busy at least 99 % of the time whose waiting stages grew by 10 or more, most grown first."""
    nodes = inputs.nodes
    if nodes is None or not queue_counted(nodes):
        return []
    names, util = strings(nodes, "node"), floats(nodes, "utilisation")
    start, end = floats(nodes, "queued_at_start"), floats(nodes, "queued_at_end")
    growing = np.flatnonzero((util >= BUSY) & (end - start >= GROWTH_TASKS))
    if not growing.size:
        return []
    order = growing[np.argsort(-(end - start)[growing], kind="stable")]
    described = [
        f"{names[i]} ({util[i]:.1%} busy, waiting stages {int(start[i]):,} -> {int(end[i]):,})"
        for i in order[:SHOWN]
    ]
    text = "busy all run while their queue grew: " + ", ".join(described) + more(order.size)
    return [(text, node_facts(BUSY_GROWING, names, util, order))]


KIND = WarningKind(
    name=BUSY_GROWING,
    detect=_detect,
    legend="a node busy all run while its queue grew",
    opening="busy all run while their queue grew",
    legend_rank=1,
    group_column="utilisation",
    group_least=BUSY,
    llm_clause="named",
    overload=True,
)
