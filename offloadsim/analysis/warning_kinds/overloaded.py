"""The ``overloaded`` warning: a node offered its capacity or more, so throughput counts completed arrivals.

Needs the scenario's arrival rates (``WarningInputs.offered``): a run summarised from its records
alone gives none.
"""

from __future__ import annotations

from offloadsim.analysis.table_columns import floats, has, rows, strings
from offloadsim.analysis.warning_facts import WarningFacts
from offloadsim.analysis.warning_kinds.shared import SETTLE_BUSY, SHOWN, more
from offloadsim.analysis.warning_registry import Said, WarningInputs, WarningKind

__all__ = ["KIND", "OFFERED_OVERLOAD", "OVERLOAD_WARNING"]

#: The kind's name (``WarningFacts.kind``): a node offered its capacity or more.
OFFERED_OVERLOAD = "overloaded"

#: How the warning begins.
OVERLOAD_WARNING = "overloaded"


def _detect(inputs: WarningInputs) -> list[Said]:
    """Nodes offered their capacity or more: the throughput is no capacity; a closed loop measures one.

    ``throughput_per_s`` counts the measured arrivals that completed.  Past capacity the queue the
    warm-up left is served first, so fewer of them complete the higher the rate: one core running
    resnet50 (1.86 a second at most) read 1.80, 1.55, 1.42, 1.15 and 0.94 a second offered 0.5 to
    6, which a capacity study reads as a server that slows down under load.
    """
    offered, nodes = inputs.offered, inputs.nodes
    if not offered or nodes is None or not rows(nodes) or not has(nodes, "cores"):
        return []
    cores = dict(zip(strings(nodes, "node").tolist(), floats(nodes, "cores").tolist(), strict=True))
    loads = {name: load / max(cores.get(name, 1.0), 1.0) for name, load in offered.items()}
    over = sorted((name for name, load in loads.items() if load >= 1.0), key=lambda name: -loads[name])
    if not over:
        return []
    described = [f"{name} offered {loads[name]:.0%} of its capacity" for name in over[:SHOWN]]
    text = (
        f"{OVERLOAD_WARNING}: {', '.join(described)}{more(len(over))} (the scenario's arrival rates "
        "times its time a task, per core): throughput here counts the measured arrivals that "
        "completed, which falls as the load rises past capacity; for capacity, run a closed loop "
        "(`arrivals: closed, users: N`)"
    )
    facts = WarningFacts(
        OFFERED_OVERLOAD,
        nodes=tuple((name, loads[name]) for name in over[:SHOWN]),
        node_count=len(over),
        offered_nodes=tuple(over[:SHOWN]),
    )
    return [(text, facts)]


KIND = WarningKind(
    name=OFFERED_OVERLOAD,
    detect=_detect,
    legend="overloaded, throughput counts completed measured arrivals (capacity: a closed loop)",
    opening=OVERLOAD_WARNING,
    legend_rank=4,
    group_column="utilisation",  # offered its capacity: busy half the time at least
    group_least=SETTLE_BUSY,
)
