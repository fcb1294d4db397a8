"""The ``overloaded`` warning: a node offered its capacity or more, so throughput counts completed arrivals.

Needs the scenario's arrival rates (``WarningInputs.offered``): a run summarised from its records
alone gives none.  A node busy all run whose offered load the rates do not give (a split task's, a
trace's) is named by its busy share, saying why its load is not known; one a closed loop feeds is
not: its users wait on its service, so it is offered no more than it serves.  One open and closed
loops both feed is judged by the load its open loops alone offer it (``WarningInputs.mixed_fed``,
the settling warning's too): offered its capacity by them, it is past capacity whatever the closed
loops add (a 1-user loop beside Poisson requests offering 150 % was never named).
"""

from __future__ import annotations

from offloadsim.analysis.table_columns import floats, has, rows, strings
from offloadsim.analysis.warning_facts import WarningFacts
from offloadsim.analysis.warning_kinds.shared import BUSY, OFFERED_SAID, OPEN_SAID, SETTLE_BUSY, SHOWN, more
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
    6, which a capacity study reads as a server that slows down under load.  A node busy all run
    (``BUSY``) whose offered load is not known (``inputs.unknown_offered``: it ran part of a split
    task, or tasks of a trace; not a closed loop's, which waits on it) may be overloaded too: it
    is named with its busy share and why its load is not known, never left out silently.
    """
    offered, nodes = inputs.offered, inputs.nodes
    if nodes is None or not rows(nodes) or not has(nodes, "cores"):
        return []
    names = strings(nodes, "node").tolist()
    cores = dict(zip(names, floats(nodes, "cores").tolist(), strict=True))
    mixed = {name: load for name, load in inputs.mixed_fed.items() if load is not None}  # open loops' alone
    loads = {name: load / max(cores.get(name, 1.0), 1.0) for name, load in {**offered, **mixed}.items()}
    over = sorted((name for name, load in loads.items() if load >= 1.0), key=lambda name: -loads[name])
    busy = _busy_unknown(inputs)
    if not over and not busy:
        return []
    described = [
        f"{name} {'open-loop ' if name in mixed else ''}offered {loads[name]:.0%} of its capacity"
        for name in over[:SHOWN]
    ]
    opened = OPEN_SAID if any(name in mixed for name in over[:SHOWN]) else ""
    rates = f"({OFFERED_SAID}, per core{opened})"
    said = f"{', '.join(described)}{more(len(over))} {rates}"
    shown_busy = busy[: max(SHOWN - len(over), 0) or 1]
    unknown = "; ".join(
        f"{name} busy {share:.1%} of the measured time, its offered load not known "
        f"({inputs.unknown_offered[name]})"
        for name, share in shown_busy
    )
    unknown += f" and {len(busy) - len(shown_busy)} more such nodes" if len(busy) > len(shown_busy) else ""
    text = (
        f"{OVERLOAD_WARNING}: {'; '.join(part for part in (said if over else '', unknown) if part)}: "
        "throughput here counts the measured arrivals that completed, which falls as the load rises "
        "past capacity; for capacity, run a closed loop (`arrivals: closed, users: N`)"
    )
    facts = WarningFacts(
        OFFERED_OVERLOAD,
        nodes=tuple((name, loads[name]) for name in over[:SHOWN]) + tuple(shown_busy),
        node_count=len(over) + len(busy),
        offered_nodes=tuple(over[:SHOWN]),  # the others' share is their busy share
    )
    return [(text, facts)]


def _busy_unknown(inputs: WarningInputs) -> list[tuple[str, float]]:
    """(node, busy share) of the nodes busy all run whose offered load is not known, busiest first."""
    nodes = inputs.nodes
    if not inputs.unknown_offered or nodes is None or not has(nodes, "utilisation"):
        return []
    shares = zip(strings(nodes, "node").tolist(), floats(nodes, "utilisation").tolist(), strict=True)
    busy = [
        (str(name), float(share))
        for name, share in shares
        if name in inputs.unknown_offered and share >= BUSY
    ]
    return sorted(busy, key=lambda entry: -entry[1])


KIND = WarningKind(
    name=OFFERED_OVERLOAD,
    detect=_detect,
    legend="overloaded, throughput counts completed measured arrivals (capacity: a closed loop)",
    opening=OVERLOAD_WARNING,
    legend_rank=4,
    group_column="utilisation",  # offered its capacity: busy half the time at least
    group_least=SETTLE_BUSY,
    overload=True,
)
