"""Job-level metrics per application (or any task column), from each job's task records.

A job's metrics pool every task of the run: with two applications in one
scenario (AlexNet and VGG-16), its mean latency is a mixture no task
experienced.  :func:`metrics_per` recomputes the task-level metrics of each
job for each value of a task column, so a figure can show one line per
application.  A registered family's columns (a tier's utilisation, a
node's value) belong to the node, not the application, and are left out.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from offloadsim.analysis.catalogue import family_of, metric_columns
from offloadsim.analysis.groups import GROUP_BATTERY_METRICS, GROUP_COLUMN, group_batteries
from offloadsim.analysis.summary import measured_time, metrics_row, summarize

__all__ = ["metrics_per", "JOB_COLUMNS"]

#: Columns that name a job in both the task and the metrics tables (a sweep's point, a compare's policy).
JOB_COLUMNS = ("point", "policy", "replication")


def metrics_per(
    tasks: pd.DataFrame,
    metrics: pd.DataFrame,
    column: str | Sequence[str] = "app",
    nodes: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One metrics row per job and value of ``column`` (of several: each combination), with its identity.

    Throughput divides by the job's measured duration (its completed tasks
    over its throughput).  A task still in flight at the end counts as a
    deadline miss once its deadline had passed, as in the job's own metrics,
    where the metrics table gives the run's end (``end_s``; tables written
    before it existed leave such tasks out).  A row per source group has its devices' battery
    metrics, from the job's rows of ``nodes`` (its ``group``); a row per application alone, the job's
    own (an application does not own a battery).

    >>> tasks = pd.DataFrame({"replication": [0, 0], "app": ["a", "b"], "status": ["completed"] * 2,
    ...                       "latency": [1.0, 3.0]})
    >>> metrics = pd.DataFrame({"replication": [0], "completed": [2], "throughput_per_s": [0.2]})
    >>> metrics_per(tasks, metrics)[["app", "latency_mean_s", "throughput_per_s"]].to_dict("list")
    {'app': ['a', 'b'], 'latency_mean_s': [1.0, 3.0], 'throughput_per_s': [0.1, 0.1]}
    """
    columns = [column] if isinstance(column, str) else list(column)
    for name in columns:
        if name not in tasks.columns:
            raise ValueError(f"no column {name!r} in the task records")
    keys = [c for c in JOB_COLUMNS if c in tasks.columns and c in metrics.columns]
    jobs = metrics.drop_duplicates(keys).set_index(keys) if keys else metrics.iloc[:1]
    identity = [c for c in metrics.columns if c not in metric_columns(metrics) and c not in keys]
    empty = pd.DataFrame()
    rows = []
    grouping = [*keys, *columns]
    for values, group in tasks.groupby(grouping, sort=False, observed=True):
        values = values if isinstance(values, tuple) else (values,)
        job_key = values[: len(keys)]
        job = jobs.loc[job_key if len(job_key) > 1 else job_key[0]] if keys else jobs.iloc[0]
        duration = measured_time(job)
        end = float(job.get("end_s", math.nan))
        end_s = end if math.isfinite(end) else None
        summary = summarize(group, empty, empty, duration, end_s=end_s, source_groups=False)
        row = {k: v for k, v in zip(grouping, values, strict=True)}
        row.update({c: job[c] for c in identity})
        row.update({k: v for k, v in metrics_row(summary).items() if family_of(k) is None})
        row.update(_batteries(job, row, nodes, keys, job_key))
        rows.append(row)
    return pd.DataFrame(rows)


def _batteries(
    job: pd.Series, row: dict[str, object], nodes: pd.DataFrame | None, keys: list[str], job_key: tuple
) -> dict[str, float]:
    """A row's battery metrics: its source group's devices' (from ``nodes``), else the job's own."""
    if GROUP_COLUMN not in row:
        return {m: float(job[m]) for m in GROUP_BATTERY_METRICS if m in job.index}
    if nodes is None or not len(nodes) or "group" not in nodes.columns:
        return {}
    mine = nodes
    for key, value in zip(keys, job_key, strict=True):
        if key in nodes.columns:
            mine = mine[mine[key].astype(str).to_numpy() == str(value)]
    return group_batteries(mine).get(str(row[GROUP_COLUMN]), {})
