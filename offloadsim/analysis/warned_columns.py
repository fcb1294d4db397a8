"""Each run's summary warnings as columns of a comparison's tables: ``warnings`` and ``warned``.

A run too short to settle, or whose queue grew all run, was said only in the notes under the
printed table (``CompareResult.notes``, ``format_table()``): ``metrics`` and ``summary``, the
DataFrames a script filters and plots, carried no flag, and a p95 "likely read low" read as any
other.  ``metrics`` gets ``warnings``, the kinds its run's warnings are of (``settling``,
``backlog``, ``busy_growing``, ``queue_full``: :mod:`offloadsim.analysis.warning_facts`), comma
separated, ``""`` for none; ``summary`` gets ``warned``, how many of the runs its row averages
warned (the policy's in a comparison, the point's in a sweep).  Both get ``overloaded`` too, a
boolean: the run gave a warning of a kind that says it never reached a steady state (registered
``overload=True``: :mod:`offloadsim.analysis.overload_marks`), or some run its row averages did.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from offloadsim.analysis.overload_marks import overload_kinds
from offloadsim.analysis.warning_facts import WarningFacts
from offloadsim.analysis.warning_list import warning_kind

__all__ = ["with_warning_columns"]


def with_warning_columns(
    metrics: pd.DataFrame,
    summary: pd.DataFrame,
    run_warnings: Sequence[Mapping[str, Any]],
    by: str = "policy",
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``metrics`` with ``warnings``, ``summary`` with ``warned``, both with ``overloaded``, added last.

    Copies; no column moved.

    ``run_warnings``: the manifest's rows, each naming its run by ``by`` (``policy`` in a
    comparison, ``point`` in a sweep) and ``replication``; ``summary``'s rows are by ``by``.
    """
    kinds: dict[tuple[str, int], list[str]] = {}
    for row in run_warnings:
        facts = WarningFacts.from_dict(row["facts"], "run_warnings") if "facts" in row else None
        said = kinds.setdefault((str(row[by]), int(row["replication"])), [])
        kind = warning_kind(str(row["warning"]), facts)
        if kind not in said:
            said.append(kind)
    metrics = metrics.copy()
    metrics["warnings"] = [", ".join(kinds.get(run, ())) for run in _runs_of(metrics, by)]
    metrics["overloaded"] = [bool(overload_kinds(kinds.get(run, ()))) for run in _runs_of(metrics, by)]
    warned = (metrics["warnings"] != "").groupby(metrics[by].astype(str)).sum()
    over = metrics["overloaded"].groupby(metrics[by].astype(str)).any()
    summary = summary.copy()
    summary["warned"] = summary[by].astype(str).map(warned).fillna(0).astype(int)
    summary["overloaded"] = summary[by].astype(str).map(over).fillna(False).astype(bool)
    return metrics, summary


def _runs_of(metrics: pd.DataFrame, by: str) -> list[tuple[str, int]]:
    """Each row's run, ``(its by value, its replication)``, as the manifest's warning rows name it."""
    return list(zip(metrics[by].astype(str), metrics["replication"].astype(int), strict=True))
