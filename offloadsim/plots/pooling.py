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

from offloadsim.analysis.catalogue import is_metric
from offloadsim.records.schema import LLM_COLUMNS, NODE_COLUMNS, TASK_COLUMNS

__all__ = ["pooled_columns", "refuse_pooling", "identity_columns"]

# Bookkeeping that never names a configuration: the replication is what may be pooled.
_BOOKKEEPING = frozenset(("replication", "seed", "job"))
# Record columns that identify a configuration inside one run's tasks.
_TASK_CONFIGURATION = ("app",)
# The first record column of each kind of table: identity columns (swept keys, point, policy) come before it.
_FIRST_RECORD = {"tasks": "task_id", "nodes": "node"}


def identity_columns(frame: pd.DataFrame, rows: str = "jobs") -> list[str]:
    """The columns of ``frame`` that say which run (configuration) a row belongs to.

    Tables of experiments put them first: a sweep's swept keys and
    ``point``, a comparison's ``policy``, then the records.  ``rows`` says
    which table: ``"jobs"`` (metrics: everything before the first metric
    column), ``"nodes"`` (everything before ``node``) or ``"tasks"``
    (everything before ``task_id``, and ``app``, since one run may serve
    several applications).  New record columns after those never count.

    >>> identity_columns(pd.DataFrame(columns=["bw", "point", "replication", "latency_mean_s", "x"]))
    ['bw', 'point', 'replication']
    """
    columns = [str(c) for c in frame.columns]
    if rows == "jobs":
        first = next((i for i, c in enumerate(columns) if is_metric(c)), None)
        return columns if first is None else columns[:first]
    if rows not in _FIRST_RECORD:
        raise ValueError(f"rows must be 'jobs', 'tasks' or 'nodes', got {rows!r}")
    marker = _FIRST_RECORD[rows]
    prefix = columns[: columns.index(marker)] if marker in columns else []
    if rows == "nodes" and marker not in columns:  # a table built from node records (per tier, say)
        prefix = [c for c in columns if c not in NODE_COLUMNS]
    if rows == "tasks":
        if marker not in columns:  # not a task table of experiments: anything but the records
            prefix = [c for c in columns if c not in {*TASK_COLUMNS, *LLM_COLUMNS}]
        prefix += [c for c in _TASK_CONFIGURATION if c in columns and c not in prefix]
    return prefix


def pooled_columns(
    frame: pd.DataFrame, keys: Sequence[str | None], *, rows: str = "jobs", value: str | None = None
) -> list[str]:
    """The identity columns that vary among rows agreeing on ``keys`` and the replication.

    That is what an average of ``value`` over ``keys`` would pool besides
    replications.  ``rows`` is the kind of table (see
    :func:`identity_columns`): in ``"jobs"`` and ``"nodes"`` tables, two
    rows with the same keys and replication (and node) are two
    configurations; in ``"tasks"``, many rows belong to one run.  ``point``
    is named only when no swept key explains it.  Returns ``[]`` when only
    replications would be pooled (or no ``replication`` column tells them
    apart).

    >>> frame = pd.DataFrame({"policy": ["a", "a"], "objective": ["x", "y"], "replication": [0, 0]})
    >>> pooled_columns(frame, ["policy"])
    ['objective']
    """
    group = [k for k in dict.fromkeys(keys) if k is not None and k in frame.columns]
    if "replication" in frame.columns:
        group.append("replication")
    if rows == "nodes" and "node" in frame.columns and "node" not in group:
        group.append("node")
    if not group or not len(frame):
        return []
    candidates = [
        c for c in identity_columns(frame, rows) if c not in group and c not in _BOOKKEEPING and c != value
    ]
    if rows == "tasks":
        repeated = frame
    else:
        repeated = frame[frame.duplicated(group, keep=False).to_numpy()]
        if not len(repeated):
            return []
    grouped = repeated.groupby(group, sort=False, observed=True, dropna=False)
    varying = [c for c in candidates if int(grouped[c].nunique(dropna=False).max()) > 1]
    named = [c for c in varying if c != "point"]
    if rows != "tasks" and not varying:
        return ["(an unnamed configuration: rows repeat a replication)"]
    return named or varying


def refuse_pooling(
    frame: pd.DataFrame,
    keys: Sequence[str | None],
    what: str,
    *,
    rows: str = "jobs",
    value: str | None = None,
) -> None:
    """Raise :class:`ValueError` naming the columns that averaging ``frame`` over ``keys`` would pool."""
    pooled = pooled_columns(frame, keys, rows=rows, value=value)
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
