"""What a figure may average over: replications, and nothing else unless it says so.

A mean with a confidence interval is honest only when its samples are
replications of one configuration.  Rows that agree on everything a figure
shows *and* on the replication index come from different configurations
(another objective, another application, another point of a sweep);
averaging them draws a value no run produced and a CI that counts
configurations as replications.  :func:`pooled_columns` finds the columns
that would be averaged over, so a chart can refuse and name them.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from offloadsim.experiments.jobs import METRICS
from offloadsim.results import LLM_COLUMNS, NODE_COLUMNS, TASK_COLUMNS

__all__ = ["pooled_columns", "refuse_pooling"]

# Columns that are outcomes or bookkeeping, never a configuration.
_NOT_CONFIGURATION = frozenset(
    (*METRICS, *NODE_COLUMNS, "replication", "seed", "job", "mean", "ci", "split", "node", "tier")
)
# Record columns that identify a configuration inside one run's tasks.
_TASK_CONFIGURATION = ("app",)


def pooled_columns(frame: pd.DataFrame, keys: Sequence[str | None], *, rows: str = "jobs") -> list[str]:
    """The columns that vary among rows agreeing on ``keys`` and the replication: what an average would pool.

    ``rows="jobs"``: one row per run (metrics, node tables), so two rows
    with the same keys and replication are two configurations.
    ``rows="tasks"``: task records, many per run; the configuration columns
    are ``app`` and any column that is not a record column (swept keys,
    ``point``).  ``point`` is named only when no swept key explains it.
    Returns ``[]`` when only replications would be pooled (or no
    ``replication`` column tells them apart).

    >>> frame = pd.DataFrame({"policy": ["a", "a"], "objective": ["x", "y"], "replication": [0, 0]})
    >>> pooled_columns(frame, ["policy"])
    ['objective']
    """
    group = [k for k in dict.fromkeys(keys) if k is not None and k in frame.columns]
    if "replication" in frame.columns:
        group.append("replication")
    if not group or not len(frame):
        return []
    if rows == "jobs":
        repeated = frame[frame.duplicated(group, keep=False).to_numpy()]
        if not len(repeated):
            return []
        candidates = [
            c
            for c in frame.columns
            if c not in group and c not in _NOT_CONFIGURATION and not str(c).startswith("utilisation_")
        ]
    elif rows == "tasks":
        record = {*TASK_COLUMNS, *LLM_COLUMNS}
        repeated = frame
        candidates = [
            c for c in frame.columns if c not in group and (c in _TASK_CONFIGURATION or c not in record)
        ]
    else:
        raise ValueError(f"rows must be 'jobs' or 'tasks', got {rows!r}")
    grouped = repeated.groupby(group, sort=False, observed=True, dropna=False)
    varying = [c for c in candidates if int(grouped[c].nunique(dropna=False).max()) > 1]
    named = [c for c in varying if c != "point"]
    if rows == "jobs" and not varying:
        return ["(an unnamed configuration: rows repeat a replication)"]
    return named or varying


def refuse_pooling(frame: pd.DataFrame, keys: Sequence[str | None], what: str, *, rows: str = "jobs") -> None:
    """Raise :class:`ValueError` naming the columns that averaging ``frame`` over ``keys`` would pool."""
    pooled = pooled_columns(frame, keys, rows=rows)
    if pooled:
        shown = [k for k in keys if k]
        values = "; ".join(
            f"{c} ({', '.join(map(str, pd.unique(frame[c].astype(object))[:6]))})"
            for c in pooled
            if c in frame.columns
        )
        raise ValueError(
            f"{what} would average over {values or ', '.join(pooled)}, which the figure does not show "
            f"(it shows {', '.join(shown) or 'nothing'} and pools only replications): select one value "
            "of each, or make it a series"
        )
