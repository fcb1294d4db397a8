"""``--kind energy``: device energy against latency per series, a swept key joining each one's markers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from offloadsim.plots import energy_chart
from offloadsim.plots.figure_data import FigureView, wide_values
from offloadsim.plots.figure_notes import unpowered_note
from offloadsim.plots.kind_registry import FigureRequest
from offloadsim.plots.series_figure import Panel, SeriesDrawing, Shown, series_figure
from offloadsim.records.stored import Results

__all__ = ["figure"]


class _Energy(SeriesDrawing):
    """A marker per series at its mean latency and energy; an x key joins a series' markers in a line."""

    x_joins_markers = True
    of_completed = True

    def plotted_metrics(self, view: FigureView) -> tuple[str, ...]:
        return ("latency_mean_s", "device_energy_mean_j")

    def scales(
        self, view: FigureView, frame: pd.DataFrame, panels: int, logx: bool | None, logy: bool | None
    ) -> tuple[bool | None, bool | None]:
        if panels > 1:  # one scale on every panel, so that they compare
            logx = wide_values(frame["latency_mean_s"]) if logx is None else logx
            logy = wide_values(frame["device_energy_mean_j"]) if logy is None else logy
        return logx, logy

    def draw(
        self, panel: Panel, part: pd.DataFrame, ax: Axes, logx: bool | None, percent: bool | None, load: Any
    ) -> str | None:
        energy_chart.energy_latency(
            part,
            by=panel.by or "policy",
            x=panel.x,
            ax=ax,
            order=panel.order,
            log_x=logx,
            log_y=panel.logy,
            legend_title=panel.by_label,
        )
        return None

    def notes(self, shown: Shown) -> Mapping[str, str]:
        said = (unpowered_note(shown.frame), others_energy_note(shown.frame))
        return {"unpowered": "\n".join(part for part in said if part)}

    def unlabelled_ends(self, fig: Figure, note: str, axes: Sequence[Axes]) -> bool:
        return energy_chart.say_unlabelled_ends(fig, note, axes)


DRAWING = _Energy()


def figure(results: Results, request: FigureRequest) -> tuple[Figure, dict[str, pd.DataFrame]]:
    """Draw ``--kind energy`` of ``results``, as ``request`` asks (:func:`series_figure`)."""
    return series_figure(results, request, DRAWING)


def others_energy_note(frame: pd.DataFrame) -> str:
    """Said where other powered nodes spent energy on the tasks: the figure shows the sources' only.

    A comparison whose policies cost the phone alike read as costing alike, though a powered edge
    or cloud spent joules on some policies' tasks: that energy is ``other_device_energy_mean_j``.
    """
    column = "other_device_energy_mean_j"
    if column not in frame.columns:
        return ""
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
    if not (np.isfinite(values) & (values > 0)).any():
        return ""
    return (
        "energy: the source devices' own per task; other powered nodes' (servers, relays) is not "
        f"drawn: --kind bars --metric {column}"
    )
