"""``--kind split``: the split point chosen against a swept key, each application's all-local depth marked."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from offloadsim.plots import split_cuts, sweep_lines
from offloadsim.plots.figure_data import FigureView
from offloadsim.plots.kind_registry import FigureRequest
from offloadsim.plots.series import completed
from offloadsim.plots.series_figure import Panel, SeriesDrawing, Shown, series_figure
from offloadsim.records.stored import Results

__all__ = ["figure"]


class _Split(SeriesDrawing):
    """The mean split per run along the swept x axis, a line per series."""

    needs_rows = True
    of_completed = True
    prefer_x = "bandwidth"  # the split point moves with the link

    def draw(
        self, panel: Panel, part: pd.DataFrame, ax: Axes, logx: bool | None, percent: bool | None, load: Any
    ) -> str | None:
        x, by, view = panel.x, panel.by, panel.view
        if x is None:
            return None
        layers, series_layers = _split_layers(view, panel.whole, part, by)
        sweep_lines.split_vs_parameter(
            part,
            x,
            by=by if by != x else None,
            kind=view.results.manifest.get("swept_kinds", {}).get(x),
            ax=ax,
            log_x=logx,
            order=panel.order,
            label=view.label(x),
            legend_title=panel.by_label,
            layers=layers,
            series_layers=series_layers,
        )
        return None

    def bound_metric(self, view: FigureView, request: FigureRequest) -> str | None:
        # It draws layers, not a latency: no "each latency is a lower bound" under an LLM's split.
        return None

    def lines(self, shown: Shown) -> str:
        # Each application or series with no all-local line, and why.
        notes = (_split_note(shown.view, shown.frame, part, shown.by, shown.x) for _, part in shown.panels)
        return "\n".join(dict.fromkeys(note for note in notes if note))

    def notes(self, shown: Shown) -> Mapping[str, str]:
        cuts = (split_cuts.mixed_cuts_note(shown.axes), split_cuts.later_cuts_note(shown.axes))
        return {"cuts": "\n".join(c for c in cuts if c)}  # later: multi-tier's edge→cloud cut


DRAWING = _Split()


def _split_layers(
    view: FigureView, whole: pd.DataFrame, part: pd.DataFrame, by: str | None
) -> tuple[dict[str, int], dict[str, int]]:
    """A split panel's all-local depths: per application, and per series (``by``) of a swept model.

    Every panel the same lines, unless the panels' models differ (a facet by swept model): then its own.
    """
    layers = {
        **sweep_lines.all_local_layers(completed(view.tasks)),
        **sweep_lines.all_local_layers(completed(part)),
    }
    if not by or by not in part.columns:
        return layers, {}
    series_layers = {
        **sweep_lines.all_local_layers_by(completed(whole), by),
        **sweep_lines.all_local_layers_by(completed(part), by),
    }
    return layers, series_layers


def _split_note(
    view: FigureView, whole: pd.DataFrame, part: pd.DataFrame, by: str | None, x: str | None
) -> str:
    """The note naming a split panel's applications or series with no all-local line, and why."""
    return sweep_lines.split_all_local_note(part, by, *_split_layers(view, whole, part, by), x)


def figure(results: Results, request: FigureRequest) -> tuple[Figure, dict[str, pd.DataFrame]]:
    """Draw ``--kind split`` of ``results``, as ``request`` asks (:func:`series_figure`)."""
    return series_figure(results, request, DRAWING)
