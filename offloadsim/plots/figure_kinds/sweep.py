"""``--kind sweep``: a metric against a swept key, a line per series (a latency's all-local line marked)."""

from __future__ import annotations

import string
from collections.abc import Sequence
from typing import Any

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from offloadsim.analysis.catalogue import metric_info
from offloadsim.plots import sweep_lines
from offloadsim.plots.figure_data import FigureView, in_axis_units
from offloadsim.plots.kind_registry import FigureRequest
from offloadsim.plots.series import x_positions
from offloadsim.plots.series_figure import MetricDrawing, Panel, Shown, series_figure
from offloadsim.records.stored import Results

__all__ = ["figure"]


class _Sweep(MetricDrawing):
    """A metric's line per series along the swept x axis."""

    def draw(
        self, panel: Panel, part: pd.DataFrame, ax: Axes, logx: bool | None, percent: bool | None, load: Any
    ) -> str | None:
        x, by = panel.x, panel.by
        if x is None:
            return None
        sweep_lines.metric_vs_parameter(
            part,
            panel.view.metric,
            x,
            by=by if by != x else None,
            kind=panel.view.results.manifest.get("swept_kinds", {}).get(x),
            ax=ax,
            log_x=logx,
            log_y=bool(panel.logy),
            order=panel.order,
            label=panel.view.label(x),
            legend_title=panel.by_label,
        )
        return None

    def lines(self, shown: Shown) -> str:
        # A sweep of a latency metric: each application's all-local line, and the note of those without.
        return _all_local_lines(shown.view, shown.axes, shown.panels, shown.facet, shown.x, shown.series)


DRAWING = _Sweep()


def _all_local_lines(
    view: FigureView,
    axes: Sequence[Axes],
    panels: Sequence[tuple[Any, pd.DataFrame]],
    facet: str | None,
    x: str | None = None,
    series: Sequence[str] = (),
) -> str:
    """On a sweep of a latency metric, each application's all-local latency, as the gallery marks it.

    Where splitting (or offloading) beats the latency of the whole model run on its device with
    nothing queued, it pays; drawn by :func:`sweep_lines.all_local_latency_lines` from each panel's
    tasks, only when some task ran wholly on its source (else there is nothing to mark, and
    nothing to say).  Returns the figure's note naming the applications that have no line.
    """
    if not view.metric.startswith("latency_") or metric_info(view.metric).unit != "ms":
        return ""
    tasks = in_axis_units(view.tasks, series)  # its series named as the lines it colours are
    if not len(tasks) or not sweep_lines.all_local_latency(tasks)[0]:
        return ""
    # A policy does not change what the whole model costs on its device: every panel of a facet by
    # policy (or by one of its parameters) gets the lines of all the tasks; another facet (a device's
    # speed) those of its own.
    by_policy = facet is not None and (facet == "policy" or facet.startswith("policy."))
    own = facet is not None and facet in tasks.columns and not by_policy
    # Nor does it vary along a swept bandwidth, but along a swept precision, device or model it
    # does: then a curve through each x value (and each series value that is not the policy's),
    # where one line at their mean would mark a latency no task ran at.
    kinds = view.results.manifest.get("swept_kinds", {})
    notes = []
    for ax, (value, frame) in zip(axes, panels, strict=True):
        part = tasks
        if own:
            part = tasks[tasks[facet].astype(str).to_numpy() == str(value)]
        where: dict[Any, float] = {}
        if x is not None and x in frame.columns:
            places, _, _, distinct = x_positions(frame[x].tolist(), x, kinds.get(x))
            where = {v: float(p) for v, p in zip(distinct, places, strict=True)}
        notes.append(sweep_lines.all_local_latency_lines(ax, part, x=x, positions=where, series=series))
    return _panels_note(notes)


def _panels_note(notes: Sequence[str]) -> str:
    """Each panel's ``no all-local line: ...`` note, said once, naming its panels where not every one's.

    A sweep faceted by bandwidth drew classify's all-local line in panel (a) and said under the
    figure ``no all-local line: classify never ran there``, of panel (b) alone, as if of the whole
    figure; and a second panel's other reason was not said at all.

    >>> _panels_note(["", "no all-local line: job never ran there"])
    'no all-local line in (b): job never ran there'
    >>> _panels_note(["no all-local line: job never ran there"] * 2)
    'no all-local line: job never ran there'
    """
    panels: dict[str, list[str]] = {}
    for letter, note in zip(string.ascii_lowercase, notes, strict=False):
        if note:
            panels.setdefault(note, []).append(f"({letter})")
    if len(panels) == 1 and all(notes):
        return next(iter(panels))
    lead = "no all-local line"
    return "\n".join(
        f"{lead} in {', '.join(where)}{note.removeprefix(lead)}" for note, where in panels.items()
    )


def figure(results: Results, request: FigureRequest) -> tuple[Figure, dict[str, pd.DataFrame]]:
    """Draw ``--kind sweep`` of ``results``, as ``request`` asks (:func:`series_figure`)."""
    return series_figure(results, request, DRAWING)
