"""The ``queue_full`` warning: a node dropped stages because its queue was full (``processor.queue_limit``).

Its drops do not make the runs' latencies depend on their length, and they are no sign of a run
without a steady state: a bounded queue settles at any load (M/M/1/K has a stationary distribution
whatever its utilisation, the drops being what holds it), so neither the figures' lead nor the
tables' overload mark says so.  A queue that did grow all run before it filled is said by the
kinds that watch growth (``backlog``, ``busy_growing``) and an open rate past capacity by
``overloaded``: those mark the run.
"""

from __future__ import annotations

import numpy as np

from offloadsim.analysis.table_columns import floats, strings
from offloadsim.analysis.warning_kinds.node_table import node_facts, queue_counted
from offloadsim.analysis.warning_kinds.shared import SHOWN, more
from offloadsim.analysis.warning_registry import Said, WarningInputs, WarningKind

__all__ = ["KIND", "QUEUE_FULL"]

#: The kind's name (``WarningFacts.kind``): stages dropped because a queue was full.
QUEUE_FULL = "queue_full"


def _detect(inputs: WarningInputs) -> list[Said]:
    """The nodes that refused stages, most refused first."""
    nodes = inputs.nodes
    if nodes is None or not queue_counted(nodes):
        return []
    names, util, refused = strings(nodes, "node"), floats(nodes, "utilisation"), floats(nodes, "refused_full")
    full = np.flatnonzero(refused > 0)
    if not full.size:
        return []
    order = full[np.argsort(-refused[full], kind="stable")]
    described = [f"{names[i]} ({int(refused[i]):,})" for i in order[:SHOWN]]
    text = (
        "stages dropped because the queue was full (processor.queue_limit): "
        + ", ".join(described)
        + more(order.size)
    )
    return [(text, node_facts(QUEUE_FULL, names, util, order))]


KIND = WarningKind(
    name=QUEUE_FULL,
    detect=_detect,
    legend="stages dropped because the queue was full",
    opening="stages dropped because the queue was full",
    legend_rank=3,
    length_dependent=False,
    group_column="refused_full",
    group_least=1.0,
    overload=False,
)
