"""One figure of a results directory (run, compare or sweep) by kind: what ``offloadsim plot`` draws.

:func:`plot_results` picks sensible defaults from the directory's kind (the
policy as series, the first numeric swept key as x axis) and filters rows
with ``where`` (``{"links[0].bandwidth": "20 Mbps"}``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from offloadsim.experiments.storage import ExperimentError, Results
from offloadsim.experiments.values import quantity_kind
from offloadsim.plots import charts
from offloadsim.plots.kinds import KINDS
from offloadsim.plots.style import house_style, new_axes

__all__ = ["KINDS", "plot_results", "default_figure_name"]

#: Figure kinds of ``offloadsim plot --kind``.


def default_figure_name(kind: str, metric: str | None = None) -> str:
    """``bars-latency_p95_s`` and the like: a file stem for a figure."""
    return f"{kind}-{metric}" if metric and kind in ("bars", "sweep") else kind


def plot_results(
    results: Results,
    kind: str,
    *,
    metric: str | None = None,
    x: str | None = None,
    by: str | None = None,
    where: Mapping[str, Any] | None = None,
    size: str | None = None,
) -> Figure:
    """Draw one figure of ``results`` (see :data:`KINDS`) on a new house-style Figure and return it.

    Raises :class:`ExperimentError` for a kind the data cannot give (a sweep
    plot of a single run) or an unknown column.
    """
    if kind not in KINDS:
        raise ExperimentError(f"unknown plot kind {kind!r}; use one of {', '.join(KINDS)}")
    tasks = _filter(results.tasks, where, "tasks")
    metrics = _filter(results.metrics, where, "metrics")
    nodes = _filter(results.nodes, where, "nodes")
    series = by or "policy"
    for name, frame in (("tasks", tasks), ("metrics", metrics)):
        if series not in frame.columns and kind in ("cdf", "bars", "sweep", "energy"):
            raise ExperimentError(f"--by {series}: no such column in {name} (columns: {_list(frame)})")
    fig, ax = new_axes(size or ("two-column" if kind == "timeline" else "one-column"))
    try:
        if kind == "cdf":
            charts.latency_cdf(tasks, by=series, ax=ax)
        elif kind == "bars":
            _need_metric(metrics, metric or "latency_p95_s")
            charts.metric_bars(metrics, metric or "latency_p95_s", by=series, ax=ax)
        elif kind == "sweep":
            key = _swept_key(results, x, metrics)
            _need_metric(metrics, metric or "latency_mean_s")
            charts.metric_vs_parameter(
                metrics,
                metric or "latency_mean_s",
                key,
                by=series if key != series else None,
                kind=results.manifest.get("swept_kinds", {}).get(key),
                ax=ax,
            )
        elif kind == "split":
            key = _swept_key(results, x, metrics, prefer="bandwidth")
            charts.split_vs_parameter(
                tasks,
                key,
                by=series if key != series else None,
                kind=results.manifest.get("swept_kinds", {}).get(key),
                ax=ax,
            )
        elif kind == "energy":
            if x is not None and x not in metrics.columns:
                raise ExperimentError(f"--x {x}: no such column in the metrics (columns: {_list(metrics)})")
            charts.energy_latency(metrics, by=series, x=x, ax=ax)
        elif kind == "utilisation":
            charts.node_utilisation(nodes, by=series if series in nodes.columns else "policy", ax=ax)
        elif kind == "utilisation-time":
            one, label = _one_run(tasks)
            charts.utilisation_over_time(one, nodes=nodes, by=by or "tier", ax=ax)
            with house_style():
                ax.set_title(label, fontsize=7)
        elif kind == "timeline":
            one, label = _one_run(tasks)
            charts.stage_timeline(one, stages=results.stages, ax=ax)
            with house_style():
                fig.suptitle(label, fontsize=7)
    except (KeyError, ValueError) as error:  # a column the data does not have
        message = error.args[0] if error.args else str(error)
        raise ExperimentError(f"cannot draw {kind}: {message}") from None
    return fig


def _list(frame: pd.DataFrame) -> str:
    return ", ".join(map(str, frame.columns))


def _need_metric(metrics: pd.DataFrame, metric: str) -> None:
    from offloadsim.experiments.sweep import metric_columns

    if metric not in metrics.columns:
        raise ExperimentError(
            f"--metric {metric}: unknown metric; use one of {', '.join(metric_columns(metrics))}"
        )


def _filter(frame: pd.DataFrame, where: Mapping[str, Any] | None, name: str) -> pd.DataFrame:
    """Rows whose columns equal the given values (compared as text, so "20 Mbps" and 3 both work)."""
    if not where:
        return frame
    mask = pd.Series(True, index=frame.index)
    for key, value in where.items():
        if key not in frame.columns:
            if name == "tasks":
                raise ExperimentError(f"--where {key}: no such column (columns: {_list(frame)})")
            continue
        mask &= frame[key].astype(str) == str(value)
    selected = frame[mask.to_numpy()]
    if name == "tasks" and len(frame) and not len(selected):
        shown = ", ".join(f"{k}={v}" for k, v in where.items())
        raise ExperimentError(f"--where {shown}: no rows match")
    return selected


def _swept_key(results: Results, x: str | None, metrics: pd.DataFrame, prefer: str = "") -> str:
    """The x axis of a sweep figure: ``x``, else the first numeric swept key (with ``prefer`` first)."""
    if x is not None:
        if x not in metrics.columns:
            raise ExperimentError(
                f"--x {x}: no such column (swept keys: {', '.join(results.swept) or 'none'})"
            )
        return x
    if not results.swept:
        raise ExperimentError(f"{results.path} is a {results.kind} directory; this figure needs a sweep")
    kinds = results.manifest.get("swept_kinds", {})
    numeric = [k for k in results.swept if (kinds.get(k) or quantity_kind(metrics[k].unique().tolist()))]
    for key in numeric:
        if prefer and prefer in key:
            return key
    return (numeric or results.swept)[0]


def _one_run(tasks: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """The tasks of the first run in ``tasks`` (first point, policy and replication), with a label."""
    if not len(tasks):
        raise ExperimentError("no task records to draw")
    keys = [c for c in ("point", "policy", "replication") if c in tasks.columns]
    first = tasks.iloc[0]
    mask = pd.Series(True, index=tasks.index)
    for key in keys:
        mask &= tasks[key].astype(str) == str(first[key])
    parts = [f"{k} {first[k]}" for k in keys]
    return tasks[mask.to_numpy()], "one run: " + ", ".join(parts)
