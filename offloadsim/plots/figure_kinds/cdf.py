"""``--kind cdf``: each series' latency distribution (or ``--metric``'s task column)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from offloadsim.errors import argument
from offloadsim.plots import charts
from offloadsim.plots.ceiling_note import TASK_BOUNDS
from offloadsim.plots.deadlines import place_deadline_labels
from offloadsim.plots.figure_data import FigureView
from offloadsim.plots.kind_registry import FigureRequest
from offloadsim.plots.series import completed
from offloadsim.plots.series_figure import Panel, SeriesDrawing, Shown, series_figure
from offloadsim.records.stored import ExperimentError, Results

__all__ = ["OWN_X_NOTE", "figure"]


class _Cdf(SeriesDrawing):
    """A CDF per series of a task column's values (the latency by default), deadlines marked."""

    needs_rows = True
    pools_tasks = True
    of_completed = True
    legend_moves_with_notes = True  # the note took room: the curves moved under the legend

    def view_metric(self, metric: str | None) -> str | None:
        return None  # a CDF's --metric is a task column: not the metrics table's

    def bound_metric(self, view: FigureView, request: FigureRequest) -> str | None:
        return TASK_BOUNDS.get(request.metric or "latency")  # a distribution of tpot: a bound as its mean

    def check(self, view: FigureView, request: FigureRequest) -> None:
        if request.metric is not None:  # the latency by default: no tasks at all is said later
            _need_task_column(view, request.metric)

    def draw(
        self, panel: Panel, part: pd.DataFrame, ax: Axes, logx: bool | None, percent: bool | None, load: Any
    ) -> str | None:
        charts.latency_cdf(
            part,
            by=panel.by or "policy",
            ax=ax,
            order=panel.order,
            log_x=logx,
            legend_title=panel.by_label,
            column=panel.request.metric or "latency",
        )
        return None

    def own_x_ranges(self, axes: Sequence[Axes]) -> bool:
        return _own_x_ranges(axes)

    def notes(self, shown: Shown) -> Mapping[str, str]:
        return {"own_x": OWN_X_NOTE if shown.own_x else ""}

    def finish(self, axes: Sequence[Axes]) -> None:
        for ax in axes:
            place_deadline_labels(ax)  # beside their lines where the final layout left them room


DRAWING = _Cdf()


def _need_task_column(view: FigureView, column: str) -> None:
    """Refuse a ``cdf`` of ``column`` unless it is a numeric task column some drawn task has a value of.

    A CDF draws a distribution over tasks (``latency``, ``ttft``, ``tpot``, ``wait``, ...); a job
    metric (``latency_p95_s``) or a task's identity (its replication) is none.
    """
    tasks = view.tasks
    identity = {"task_id", "replication", "seed", *view.results.swept}
    numeric = [
        str(c)
        for c in tasks.columns
        if str(c) not in identity
        and not str(c).startswith("policy.")
        and pd.api.types.is_numeric_dtype(tasks[c])
        and not pd.api.types.is_bool_dtype(tasks[c])
    ]
    if column not in numeric:
        from offloadsim.suggest import did_you_mean_key

        close = did_you_mean_key(column, numeric) if column not in tasks.columns else ""
        what = "not a numeric task column" if column in tasks.columns else f"no such task column{close}"
        raise ExperimentError(
            f"{argument('metric', column)}: {what}; {argument('kind', 'cdf')} draws the distribution "
            f"of a numeric task column, one of {', '.join(numeric)}"
        )
    done = completed(tasks)
    if not np.isfinite(done[column].to_numpy(dtype=float)).any():
        llm = " (only an LLM request has one)" if column in ("ttft", "tpot") else ""
        raise ExperimentError(f"{argument('metric', column)}: no completed task here has a {column}{llm}")


def _own_x_ranges(axes: Sequence[Axes]) -> bool:
    """Whether a faceted CDF's panels keep their own x ranges: one's span is under half the shared one.

    Panels of phone groups 5x apart in latency shared 0-2,600 ms, and the fast group's curves were
    squeezed into the first 100 ms of theirs, their shape unreadable.  A CDF is read for its shape
    and against its deadline (marked in every panel), so a panel keeps its own range where a shared
    one would leave its curves less than half the width; ranges alike still share one, so that a
    curve's place compares across panels.  The note under the figure says the axes differ.
    """
    if len(axes) < 2:
        return False

    def scaled(ax: Axes) -> tuple[float, float]:
        low, high = sorted(ax.get_xlim())
        if ax.get_xscale() == "log" and low > 0:
            return math.log10(low), math.log10(high)
        return low, high

    spans = [scaled(ax) for ax in axes]
    whole = max(high for _, high in spans) - min(low for low, _ in spans)
    return whole > 0 and any((high - low) < _OWN_RANGE_BELOW * whole for low, high in spans)


#: A faceted CDF's panels keep their own x ranges when one spans less than this share of them all.
_OWN_RANGE_BELOW = 0.5

#: Said under a faceted CDF whose panels kept their own x ranges.
OWN_X_NOTE = "x axes differ: each panel has its own latency range"


def figure(results: Results, request: FigureRequest) -> tuple[Figure, dict[str, pd.DataFrame]]:
    """Draw ``--kind cdf`` of ``results``, as ``request`` asks (:func:`series_figure`)."""
    return series_figure(results, request, DRAWING)
