"""``--kind timeline``: one run's first tasks, stage by stage."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from offloadsim.plots import runs
from offloadsim.plots.axes import root_figure
from offloadsim.plots.figure_notes import timeline_note
from offloadsim.plots.kind_registry import FigureRequest
from offloadsim.plots.latency_time import down_spans
from offloadsim.plots.series import completed
from offloadsim.plots.series_figure import (
    Panel,
    SeriesDrawing,
    Shown,
    one_run_inputs,
    replication_title,
    series_figure,
)
from offloadsim.records.stored import Results

__all__ = ["figure"]


_TIMELINE_PANEL_TASKS = 15  # tasks per panel when a timeline shows several runs


class _Timeline(SeriesDrawing):
    """A bar per task of one run's first ones, its stages end to end, coloured by stage."""

    size = "two-column-tall"
    row_height = _TIMELINE_PANEL_TASKS * 0.11 + 0.8

    def legend_order(self) -> list[str] | None:
        return list(runs.STAGE_COLOURS)  # the stages in their order

    def draw(
        self, panel: Panel, part: pd.DataFrame, ax: Axes, logx: bool | None, percent: bool | None, load: Any
    ) -> str | None:
        one, replication, nodes, stages = one_run_inputs(panel.view, part)
        n = _timeline_tasks(root_figure(ax))
        unit, own = _timeline_clock(panel.view.tasks, n)
        # The run's nodes down, hatched on its clock: an edge's crash was no mark on the figure.
        down = [(node, since, until) for node, _, since, until in down_spans(nodes, float("inf"))]
        runs.stage_timeline(one, stages=stages, ax=ax, n=n, unit=unit, own_clock=own, down=down)
        return replication_title(panel.view, replication)

    def notes(self, shown: Shown) -> Mapping[str, str]:
        return {"timeline": timeline_note(shown.view, shown.frame, _timeline_tasks(shown.fig))}


DRAWING = _Timeline()


def _timeline_tasks(fig: Figure) -> int:
    """How many tasks a timeline panel of ``fig`` draws: fewer where several panels share it."""
    return _TIMELINE_PANEL_TASKS if len(fig.axes) > 1 else 30


def _timeline_clock(tasks: pd.DataFrame, n: int) -> tuple[str, bool]:
    """One time unit and one clock for every panel of a timeline.

    Each row on its own clock when any run's first ``n`` tasks are too far apart to read on one
    (:func:`runs.timeline_clock`); s when any run's rows then span 2 s or more, else ms.
    """
    done = completed(tasks)
    keys = [c for c in ("point", "policy", "replication") if c in done.columns]
    groups = done.groupby(keys, observed=True, sort=False) if keys else [((), done)]
    firsts = [first for _, run in groups if len(first := runs.first_completed(run, n))]
    own = any(runs.timeline_clock(first)[1] for first in firsts)
    long = any(runs.timeline_clock(first, own)[0] >= 2.0 for first in firsts)
    return ("s" if long else "ms"), own


def figure(results: Results, request: FigureRequest) -> tuple[Figure, dict[str, pd.DataFrame]]:
    """Draw ``--kind timeline`` of ``results``, as ``request`` asks (:func:`series_figure`)."""
    return series_figure(results, request, DRAWING)
