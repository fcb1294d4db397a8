"""``--kind utilisation``: each node's (or processor's) utilisation per series."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from offloadsim.plots import charts
from offloadsim.plots.figure_data import FigureView
from offloadsim.plots.kind_registry import FigureRequest
from offloadsim.plots.series_figure import Panel, SeriesDrawing, say_unseen_bars, series_figure
from offloadsim.records.stored import Results

__all__ = ["figure"]


class _Utilisation(SeriesDrawing):
    """A bar per node (or processor, where some node has several) and series."""

    def draw(
        self, panel: Panel, part: pd.DataFrame, ax: Axes, logx: bool | None, percent: bool | None, load: Any
    ) -> str | None:
        series = panel.by if panel.by and panel.by in part.columns else "policy"
        unit = "processor" if panel.view.per_processor() else "node"
        charts.node_utilisation(
            part, by=series, ax=ax, order=panel.order, legend_title=panel.by_label, unit=unit
        )
        return None

    def ranged(self, axes: Sequence[Axes]) -> None:
        say_unseen_bars(axes)

    def bound_metric(self, view: FigureView, request: FigureRequest) -> str | None:
        # It draws no latency: an LLM compare's utilisation said "each latency is a lower bound" (the
        # view's default metric, which it does not draw).
        return None


DRAWING = _Utilisation()


def figure(results: Results, request: FigureRequest) -> tuple[Figure, dict[str, pd.DataFrame]]:
    """Draw ``--kind utilisation`` of ``results``, as ``request`` asks (:func:`series_figure`)."""
    return series_figure(results, request, DRAWING)
