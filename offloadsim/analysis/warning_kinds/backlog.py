"""The ``backlog`` warning: the tasks in the system grew all run and many were left in flight.

Needs the run's end (``WarningInputs.backlog``).  It names no node: a source group is concerned
where its own tasks meet the test (:func:`backlog_grew`).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence

import numpy as np

from offloadsim.analysis.table_columns import Table, floats, has, rows, status_masks
from offloadsim.analysis.warning_facts import WarningFacts
from offloadsim.analysis.warning_kinds.shared import BUSY, GROWTH_TASKS, SHOWN, saturated_links
from offloadsim.analysis.warning_registry import Said, WarningInputs, WarningKind

__all__ = [
    "KIND",
    "BACKLOG",
    "BACKLOG_WARNING",
    "BacklogTally",
    "backlog_counts",
    "backlog_grew",
    "quarter_ends",
]

#: The kind's name (``WarningFacts.kind``): the tasks in the system grew all run.
BACKLOG = "backlog"

#: How the warning begins: what a comparison's notes tell it by in a row without facts.
BACKLOG_WARNING = "the tasks in the system grew"
# At least this share of tasks left in flight, so that a few tasks of noise raise no warning.
_IN_FLIGHT_SHARE = 0.05


def backlog_counts(
    tasks: Table, duration_s: float, end_s: float, masks: Mapping[str, np.ndarray]
) -> tuple[list[int], float]:
    """The tasks in the system at the end of each quarter of the measured time, and the share in flight.

    A task leaves when it finished, or, dropped or failed, when it was lost (``lost_at``): a
    task a failure cut short after seconds in the system had counted as leaving when it arrived
    (as it still does in a table written before ``lost_at``, or where a row has none).
    """
    arrival = np.sort(floats(tasks, "arrival"))
    leave = _leave_times(tasks, masks)
    leave.sort()
    counts = [
        int(np.searchsorted(arrival, t, side="right") - np.searchsorted(leave, t, side="right"))
        for t in quarter_ends(duration_s, end_s)
    ]
    return counts, float(masks["in_flight"].mean())


def quarter_ends(duration_s: float, end_s: float) -> list[float]:
    """The end of each quarter of the measured time, when the backlog is counted."""
    return [end_s - duration_s * (4 - k) / 4.0 for k in range(1, 5)]


def _leave_times(tasks: Table, masks: Mapping[str, np.ndarray]) -> np.ndarray:
    """When each task left the system (a new array): finished or lost, else arrived; inf: in flight."""
    arrived = floats(tasks, "arrival")
    leave = np.where(masks["completed"], floats(tasks, "finish"), arrived)
    if has(tasks, "lost_at"):
        lost = floats(tasks, "lost_at")
        leave = np.where(~masks["completed"] & ~np.isnan(lost), lost, leave)
    leave[masks["in_flight"]] = math.inf
    return leave


def backlog_grew(tasks: Table, duration_s: float, end_s: float) -> bool:
    """Whether these tasks alone (one source group's of a run) meet the backlog warning's test.

    The warning is the run's; a figure per source group names only the groups whose own tasks
    piled up (:mod:`offloadsim.analysis.warning_groups`).
    """
    if not rows(tasks) or duration_s <= 0:
        return False
    return bool(_backlog_warnings(*backlog_counts(tasks, duration_s, end_s, status_masks(tasks))))


class BacklogTally:
    """:func:`backlog_grew` of one source group's tasks, fed a chunk at a time: its answer in flat memory.

    Counts, at the end of each quarter of the measured time, the group's tasks arrived and left by
    then, and its tasks and those in flight: all the test reads, exact integers whatever the chunks.
    """

    def __init__(self, duration_s: float, end_s: float) -> None:
        self.duration_s = duration_s
        self.quarters = quarter_ends(duration_s, end_s)
        self.arrived_by = [0] * 4
        self.left_by = [0] * 4
        self.tasks = 0
        self.in_flight = 0

    def add(self, block: Table, masks: Mapping[str, np.ndarray], mine: np.ndarray) -> None:
        """Count the rows ``mine`` (a boolean mask) of ``block``, whose status ``masks`` are given."""
        arrival = floats(block, "arrival")[mine]
        leave = _leave_times(block, masks)[mine]
        for k, t in enumerate(self.quarters):
            self.arrived_by[k] += int(np.count_nonzero(arrival <= t))
            self.left_by[k] += int(np.count_nonzero(leave <= t))
        self.tasks += int(np.count_nonzero(mine))
        self.in_flight += int(np.count_nonzero(masks["in_flight"] & mine))

    def counts(self) -> list[int]:
        """The tasks counted in the system at the end of each quarter: :func:`backlog_counts`' first."""
        return [a - b for a, b in zip(self.arrived_by, self.left_by, strict=True)]

    def met(self) -> bool:
        """Whether the tasks counted meet the backlog warning's test (:func:`backlog_grew`)."""
        if not self.tasks or self.duration_s <= 0:
            return False
        return bool(_backlog_warnings(self.counts(), self.in_flight / self.tasks))


def _backlog_warnings(counts: list[int], share: float) -> list[Said]:
    """A warning when the tasks in the system rose all run and many were left in flight."""
    rising = all(b > a for a, b in itertools.pairwise(counts))
    if not (rising and counts[-1] - counts[0] >= GROWTH_TASKS and share >= _IN_FLIGHT_SHARE):
        return []
    shown = " -> ".join(f"{c:,}" for c in counts)
    text = (
        f"{BACKLOG_WARNING} through the run ({shown} at the end of each quarter) and "
        f"{share:.1%} were still in flight at the end: it looks overloaded, or too short to settle, "
        "and its latencies depend on how long it ran"
    )
    return [(text, WarningFacts(BACKLOG))]


def _detect(inputs: WarningInputs) -> list[Said]:
    if inputs.backlog is None:
        return []
    said = _backlog_warnings(inputs.backlog, inputs.in_flight_share)
    full = saturated_links(inputs.links)
    if said and full:
        (text, facts), shown = said[0], ", ".join(full[:SHOWN])
        others = f" and {len(full) - SHOWN} more" if len(full) > SHOWN else ""
        said = [
            (
                f"{text}; link directions that carried {BUSY:.0%} or more of their capacity over the "
                f"measured time: {shown}{others} (transfers wait there for their share, which the "
                "queueing wait does not count)",
                facts,
            )
        ]
    return said


def _note(where: str, warned: Sequence[tuple[str, WarningFacts | None]], unbatched: str) -> str:
    return f"the tasks in the system grew all run in {where}: their latencies depend on how long they ran" + (
        unbatched
    )


KIND = WarningKind(
    name=BACKLOG,
    detect=_detect,
    legend="the tasks in the system grew all run",
    opening=BACKLOG_WARNING,
    legend_rank=2,
    note=_note,
    said_by_in_flight=True,
    own_tasks=backlog_grew,
    own_tally=BacklogTally,
    llm_clause="loaded",
    overload=True,
    backlog_explained_by=("stalled_link",),
)
