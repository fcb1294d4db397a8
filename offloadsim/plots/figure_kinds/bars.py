"""``--kind bars``: a metric's mean per series, with its 95 % CI (several series: grouped bars)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from offloadsim.plots import charts
from offloadsim.plots.figure_data import joined_labels
from offloadsim.plots.kind_registry import FigureRequest
from offloadsim.plots.paired_note import paired_note
from offloadsim.plots.series_figure import (
    MetricDrawing,
    Panel,
    Shown,
    say_unseen_bars,
    series_figure,
)
from offloadsim.records.stored import Results

__all__ = ["figure"]


class _Bars(MetricDrawing):
    """A bar per series; of several series, a group of bars per value of the leading ones."""

    def coloured(self, units: Sequence[Sequence[str]]) -> list[str]:
        # Bars of several series are coloured by the last one (a key with its zipped partners).
        return list(units[-1]) if len(units) > 1 else super().coloured(units)

    def draw(
        self, panel: Panel, part: pd.DataFrame, ax: Axes, logx: bool | None, percent: bool | None, load: Any
    ) -> str | None:
        view, frame, order, logy = panel.view, part, panel.order, panel.logy
        units = [list(unit) for unit in panel.units] or [[key] for key in panel.series]
        if len(units) > 1:
            leading = [key for unit in units[:-1] for key in unit]
            lead, last = ", ".join(leading), ", ".join(units[-1])
            # A tick per value of the leading keys (their quantities already in the unit the notes use).
            frame = frame.assign(**{lead: joined_labels(frame, leading)})
            if len(units[-1]) > 1:  # the colours' key named with its partners, as the order writes it
                frame = frame.assign(**{last: joined_labels(frame, units[-1])})
            charts.metric_bars(
                frame,
                view.metric,
                by=last,
                group=lead,
                ax=ax,
                order=order,  # the last key's values over the whole figure: one colour each in every panel
                log_y=bool(logy),
                label=", ".join(view.heading(s, frame) for s in leading),
                legend_title=", ".join(view.heading(s, frame) for s in units[-1]),
                legend_inside=panel.legend_inside,
            )
        else:
            # One key, or one with its zipped partners (``--facet app``): a bar per value, its tick
            # naming each partner's ("fp32, fp16"), the axis every key ("cnn precision, bert precision").
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

    def notes(self, shown: Shown) -> Mapping[str, str]:
        """Where error bars overlap the baseline's but the paired Δ excludes 0 (a comparison's)."""
        return {"paired": paired_note(shown.view, shown.frame, shown.series, shown.facet, shown.x)}


DRAWING = _Bars()


def figure(results: Results, request: FigureRequest) -> tuple[Figure, dict[str, pd.DataFrame]]:
    """Draw ``--kind bars`` of ``results``, as ``request`` asks (:func:`series_figure`)."""
    return series_figure(results, request, DRAWING)
