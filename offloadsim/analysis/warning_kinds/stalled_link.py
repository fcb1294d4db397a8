"""The ``stalled_link`` warning: a link direction carried nothing (0 bandwidth, or down) up to the run's end.

A ``link-trace`` at 0 for the whole run left every transfer on its link in flight, and the only
warning was the backlog's "it looks overloaded, or too short to settle": nothing was overloaded, the
link was cut.  From the run's ``link_changes`` (each row the state in force after it; before a
direction's first row, the scenario's capacity, up) a direction is stalled from the change that left
it at 0 bit/s or down until the run's end; a window that ended before it is not said (its transfers
went on).  It is said where the run ended with tasks in flight that the direction joins: tasks whose
source is one end and whose final node the other (without each transfer's route, which only the
stages table keeps, a task routed through a third node is not counted).  Those tasks never leave, so
they grow the backlog without any node or link being offered more than it serves: the warning's
facts carry them (:data:`~offloadsim.analysis.warning_registry.HELD`), which the ``backlog`` kind
(``backlog_explained_by``) takes out of its counts before it tests for overload.
"""

from __future__ import annotations

import numpy as np

from offloadsim.analysis.metric_registry import task_chunks
from offloadsim.analysis.table_columns import Table, floats, has, rows, strings
from offloadsim.analysis.warning_facts import WarningFacts
from offloadsim.analysis.warning_kinds.backlog import quarter_ends
from offloadsim.analysis.warning_registry import HELD, HELD_SHARE, Said, WarningInputs, WarningKind

__all__ = ["KIND", "STALLED_LINK", "STALLED_WARNING", "stalls"]

#: The kind's name (``WarningFacts.kind``): a link direction at 0 bit/s or down to the run's end.
STALLED_LINK = "stalled_link"

#: How the warning begins: what a comparison's notes tell it by in a row without facts.
STALLED_WARNING = "link stalled to the run's end"

#: One stalled direction: its sending end, its receiving end, when it stalled, and why ("had 0 bandwidth").
Stall = tuple[str, str, float, str]


def stalls(changes: Table | None, end_s: float) -> list[Stall]:
    """The link directions carrying nothing at ``end_s``, each from the change that stalled it, by name."""
    if changes is None or not rows(changes) or not all(has(changes, c) for c in ("a", "b", "capacity", "up")):
        return []
    time, capacity = floats(changes, "time"), floats(changes, "capacity")
    up = np.asarray(floats(changes, "up") > 0)
    ends = list(zip(strings(changes, "a").tolist(), strings(changes, "b").tolist(), strict=True))
    since: dict[tuple[str, str], float] = {}  # each direction stalled now -> since when
    why: dict[tuple[str, str], set[str]] = {}
    for i in np.argsort(time, kind="stable").tolist():  # in time order: the state in force after each
        if time[i] > end_s:
            break
        pair = ends[i]
        if up[i] and capacity[i] > 0:  # it carries again
            since.pop(pair, None)
            why.pop(pair, None)
            continue
        since.setdefault(pair, float(time[i]))
        why.setdefault(pair, set()).add("was down" if not up[i] else "had 0 bandwidth")
    return [
        (a, b, since[a, b], " or ".join(sorted(why[a, b]))) for a, b in sorted(since) if since[a, b] < end_s
    ]


def _held(tasks: object, found: list[Stall], quarters: list[float]) -> tuple[list[int], list[int], int]:
    """Per stall, the tasks in flight at the end it joins; those of any, by each quarter's end; all tasks."""
    per_stall, by_quarter, total = [0] * len(found), [0] * len(quarters), 0
    for chunk in task_chunks(tasks, ("source", "final_node", "status", "arrival")):
        total += chunk.rows
        status, states = chunk.codes("status")
        if "in_flight" not in states:
            continue
        flying = status == states.index("in_flight")
        source = _labels(*chunk.codes("source"))
        final = _labels(*chunk.codes("final_node"))
        any_stall = np.zeros(chunk.rows, dtype=bool)
        for k, (a, b, _, _) in enumerate(found):
            joined = flying & (((source == a) & (final == b)) | ((source == b) & (final == a)))
            per_stall[k] += int(np.count_nonzero(joined))
            any_stall |= joined
        arrival = chunk.floats("arrival")[any_stall]
        for q, t in enumerate(quarters):
            by_quarter[q] += int(np.count_nonzero(arrival <= t))
    return per_stall, by_quarter, total


def _labels(codes: np.ndarray, labels: list[str]) -> np.ndarray:
    """A coded column as its texts ("" where it has none)."""
    texts = np.array([*labels, ""], dtype=object)
    return texts[np.where(codes >= 0, codes, len(labels))]


def _detect(inputs: WarningInputs) -> list[Said]:
    if inputs.end_s is None:
        return []
    found = stalls(inputs.link_changes, inputs.end_s)
    if not found:
        return []
    per_stall, by_quarter, total = _held(inputs.tasks, found, quarter_ends(inputs.duration_s, inputs.end_s))
    said = [
        f"{a} -> {b} {why} from {since:,.6g} s to the end ({inputs.end_s:,.6g} s; its {count:,} "
        f"task{'s' if count != 1 else ''} in flight between {a} and {b} never finished)"
        for (a, b, since, why), count in zip(found, per_stall, strict=True)
        if count
    ]
    if not said:
        return []
    held = by_quarter[-1]
    text = (
        f"{STALLED_WARNING}: " + "; ".join(said) + ": cut, not overloaded, so "
        "the tasks it left in flight say nothing of the load, and their latencies are in no mean"
    )
    numbers = [
        (f"{a}->{b}", since) for (a, b, since, _), count in zip(found, per_stall, strict=True) if count
    ]
    numbers += list(zip(HELD, map(float, by_quarter), strict=True))
    numbers.append((HELD_SHARE, held / total if total else 0.0))
    return [(text, WarningFacts(STALLED_LINK, numbers=tuple(numbers)))]


KIND = WarningKind(
    name=STALLED_LINK,
    detect=_detect,
    legend="a link carried nothing to the run's end: its tasks never finished",
    opening=STALLED_WARNING,
    legend_rank=7,
    length_dependent=False,
)
