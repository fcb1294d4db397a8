"""``--kind bars``: a metric's mean per series, with its 95 % CI (several series: grouped bars)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from offloadsim.plots import charts
from offloadsim.plots.figure_data import joined_labels
from offloadsim.plots.kind_registry import FigureRequest
from offloadsim.plots.series_figure import (
    MetricDrawing,
    Panel,
    say_unseen_bars,
    series_figure,
)
from offloadsim.records.stored import Results

__all__ = ["figure"]


class _Bars(MetricDrawing):
    """A bar per series; of several series, a group of bars per value of the leading ones."""

    def coloured(self, series: list[str]) -> list[str]:
        # Bars of several series are coloured by the last one.
        return series[-1:] if len(series) > 1 else series

    def draw(
        self, panel: Panel, part: pd.DataFrame, ax: Axes, logx: bool | None, percent: bool | None, load: Any
    ) -> str | None:
        view, frame, series, order, logy = panel.view, part, panel.series, panel.order, panel.logy
        if len(series) > 1:
            lead, last = ", ".join(series[:-1]), series[-1]
            # A tick per value of the leading keys (their quantities already in the unit the notes use).
            frame = frame.assign(**{lead: joined_labels(frame, series[:-1])})
            charts.metric_bars(
                frame,
                view.metric,
                by=last,
                group=lead,
                ax=ax,
                order=order,  # the last key's values over the whole figure: one colour each in every panel
                log_y=bool(logy),
                label=", ".join(view.heading(s, frame) for s in series[:-1]),
                legend_title=view.heading(last, frame),
                legend_inside=panel.legend_inside,
            )
        else:
            charts.metric_bars(
                frame,
                view.metric,
                by=panel.by or "policy",
                ax=ax,
                order=order,
                log_y=bool(logy),
                label=panel.by_label,
                legend_inside=panel.legend_inside,
            )
        return None

    def ranged(self, axes: Sequence[Axes]) -> None:
        say_unseen_bars(axes)


DRAWING = _Bars()


def figure(results: Results, request: FigureRequest) -> tuple[Figure, dict[str, pd.DataFrame]]:
    """Draw ``--kind bars`` of ``results``, as ``request`` asks (:func:`series_figure`)."""
    return series_figure(results, request, DRAWING)
