"""The notes under one run's table, and whether a table pools several applications' tasks.

What a run's result and a results directory read back need (:class:`~offloadsim.records.results.
RunResult`, :func:`~offloadsim.records.stored.read_results`), apart from the notes of comparisons
and sweeps (:mod:`offloadsim.analysis.notes`), which read the policies and the engine's counts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["application_order", "pooled_note", "run_table_notes"]


def application_order(scenarios: list[Any]) -> dict[str, None]:
    """The scenarios' applications in order: workload applications, then their alternatives."""
    order: dict[str, None] = {}
    for scenario in scenarios:
        for entry in scenario.workload:
            order[entry.app] = None
            order.update(dict.fromkeys(scenario.applications[entry.app].alternatives))
    return order


def pooled_note(scenarios: list[Any], served: Mapping[str, set[str]]) -> str | None:
    """:func:`pooled_applications_note` of the applications ``served`` per row (a policy; ``""``: one row)."""
    order = application_order(scenarios)
    if len(order) < 2:
        return None
    pooling: dict[tuple[str, ...], list[str]] = {}  # an application set -> the rows that pool it
    for row, apps in served.items():
        if len(apps) > 1:
            ranked = sorted(
                apps, key=lambda app: (list(order).index(app) if app in order else len(order), app)
            )
            pooling.setdefault(tuple(ranked), []).append(row)
    if not pooling:
        return None
    how = "'offloadsim plot DIR --by app' and tasks.parquet's app column tell them apart"
    if len(pooling) == 1 and len(next(iter(pooling.values()))) == len(served):
        every = next(iter(pooling))
        return f"the table pools the tasks of {len(every)} applications ({', '.join(every)}); {how}"
    parts = [
        f"the rows of {', '.join(rows)} pool the tasks of {len(apps)} applications ({', '.join(apps)})"
        for apps, rows in pooling.items()
    ]
    return f"{'; '.join(parts)}; {how}"


def run_table_notes(run_notes: Sequence[str], pooled: str | None) -> list[str]:
    """The notes under a run's table: the run's own (``RawRun.notes``) and the pooling of applications.

    The note that the nodes' lines are of their first processors is left out: the run's table
    lists the processors after them itself.
    """
    from offloadsim.records.schema import FIRST_PROCESSOR_ONLY

    notes = [note for note in run_notes if not note.startswith(FIRST_PROCESSOR_ONLY)]
    return [*notes, *([pooled] if pooled else [])]
