"""Other devices' energy per task on the registry: what powered nodes not the task's source spent on it.

A phone computing another's stage, or a powered edge server, draws power above idle for a task that
is not its own: that energy is in no task's device energy per task (its source device's).  The
summary keeps it as its own fields (``other_device_energy_j`` over ``other_device_energy_tasks``,
the tasks that ended), so their ``summary.json`` keys stay where they always were
(``summary_fields``); the registration says where its column goes (beside the LLM metrics in a
run's metrics row, where some task has some) and its row of the run's table.
"""

from __future__ import annotations

from typing import Any

from offloadsim.analysis.metric_display import Metric, table_number
from offloadsim.analysis.metric_registry import SummaryMetric

__all__ = ["OTHER_DEVICE_ENERGY"]

_NAME = "other_device_energy_mean_j"


def _row(summary: Any) -> dict[str, float]:
    """Its column where a task that ended has some (else device energy per task reads as the whole cost)."""
    if not summary.other_device_energy_tasks:
        return {}
    return {_NAME: summary.other_device_energy_mean_j}


def _table_row(summary: Any) -> tuple[str, str, str] | None:
    """``  other devices' energy  1.20  J over 40 tasks spent on other powered nodes, ...``; None without."""
    n = summary.other_device_energy_tasks
    if not n:
        return None
    over = f"J over {n} task{'s' if n != 1 else ''}"
    where = "spent on other powered nodes, not in device energy per task"
    return ("  other devices' energy", table_number(summary.other_device_energy_j), f"{over} {where}")


#: The registered metric: in a run's metrics row right after the LLM metrics (``row_place``
#: ``"headline"``, registered after them) where some task has ``other_device_energy`` above 0; in
#: the catalogue after the batteries and device energy's parts; its row under device energy per task.
OTHER_DEVICE_ENERGY = SummaryMetric(
    name=_NAME,
    description="energy above idle that powered nodes other than a task's source spent on it, per task",
    columns={
        _NAME: Metric(
            "other devices' energy per task",
            "mJ",
            1e3,
            "lower",
            basis="above idle, on powered nodes other than the task's source: not in device energy per task",
            # An axis label says the first words only: the whole basis broke its bars' y label over
            # three lines, into the notes.
            axis_basis="above idle",
            digits=2,
        ),
    },
    summary_fields=True,
    absent_is_zero=True,
    # Sweep's table too, beside device energy: without it a sweep of an NPU against a powered edge GPU
    # read the edge runs' energy as the phone's radio alone.
    sweep=(_NAME,),
    row=_row,
    table_row=_table_row,
    row_place="headline",
    catalogue_place="elsewhere",
    table_place="energy",
)
