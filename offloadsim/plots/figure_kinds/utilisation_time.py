"""``--kind utilisation-time``: one run's compute load over time, a line per tier or placement."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from offloadsim.errors import argument
from offloadsim.plots import runs
from offloadsim.plots.figure_data import FigureView
from offloadsim.plots.kind_registry import FigureRequest
from offloadsim.plots.series_figure import (
    Panel,
    SeriesDrawing,
    Shown,
    one_run_inputs,
    replication_title,
    series_figure,
)
from offloadsim.records.stored import ExperimentError, Results

__all__ = ["figure"]


class _UtilisationTime(SeriesDrawing):
    """One run's busy cores (or %) over time per tier or placement, from its task records."""

    def run_series(self, by: Any) -> str | None:
        """``tier`` (the default) or ``placement``; anything else refused."""
        if by is None:
            return "tier"
        if by not in ("tier", "placement"):
            raise ExperimentError(
                f"{argument('by', by)}: utilisation-time draws a line per tier or per placement"
            )
        return str(by)

    def loads(
        self, view: FigureView, panels: Sequence[tuple[Any, pd.DataFrame]], by: str | None
    ) -> list[runs.ComputeLoad | None]:
        return _loads(view, panels, by)

    def draw(
        self, panel: Panel, part: pd.DataFrame, ax: Axes, logx: bool | None, percent: bool | None, load: Any
    ) -> str | None:
        one, replication, nodes, stages = one_run_inputs(panel.view, part)
        tiers = list(pd.unique(nodes["tier"].astype(str))) if "tier" in nodes.columns else None
        runs.utilisation_over_time(
            one,
            nodes=nodes,
            stages=stages,
            by=panel.by or "tier",
            ax=ax,
            order=tiers,
            percent=percent,
            load=load,
        )
        return replication_title(panel.view, replication)

    def notes(self, shown: Shown) -> Mapping[str, str]:
        return {"unrecorded": _unrecorded_note(shown.view, shown.panels, shown.loads)}


DRAWING = _UtilisationTime()


def _loads(
    view: FigureView, panels: Sequence[tuple[Any, pd.DataFrame]], by: str | None
) -> list[runs.ComputeLoad | None]:
    """Each ``utilisation-time`` panel's compute load, computed once: its unit, then its lines (else None).

    Panels whose units would differ (% and busy cores) are all drawn in busy cores.
    """
    loads: list[runs.ComputeLoad | None] = []
    for _, part in panels:
        one, _, nodes, stages = one_run_inputs(view, part)
        loads.append(runs.compute_load(one, nodes=nodes, stages=stages, by=by or "tier"))
    return loads


def _unrecorded_note(
    view: FigureView, panels: Sequence[tuple[Any, pd.DataFrame]], loads: Sequence[runs.ComputeLoad | None]
) -> str:
    """Said under a ``utilisation-time`` figure that draws much less busy time than the nodes table counts.

    Its lines come from the records of completed tasks: a run where many
    failed or timed out (whose abandoned stages ran on) drew a tier near
    idle that the nodes table and the run's summary show busy.
    """
    said = []
    for i, ((_, part), load) in enumerate(zip(panels, loads, strict=False)):
        if load is None:  # not a utilisation-time figure
            continue
        one, _, nodes, _ = one_run_inputs(view, part)
        for column in ("point", "policy"):  # a comparison's nodes table holds every policy's runs
            if column in nodes.columns and column in one.columns and len(one):
                nodes = nodes[nodes[column].astype(str).to_numpy() == str(one[column].iloc[0])]
        panel = f"({chr(ord('a') + i)}) " if len(panels) > 1 else ""
        said += [
            f"{panel}{label} {_core_s(drawn)} of {_core_s(counted)} core-s"
            for label, drawn, counted in load.unrecorded(nodes)
        ]
    elsewhere = sorted(
        {label for load in loads if load is not None for label in load.shown if label in load.elsewhere}
    )
    notes = []
    if said:
        notes.append(
            f"drawn busy time short of the nodes table's: {'; '.join(said)}; the records hold no compute of "
            "tasks that failed, timed out or were in flight at the end (a timed-out stage runs on)"
        )
    if elsewhere:
        notes.append(
            f"in busy cores: {', '.join(map(str, elsewhere))} ran stages on a processor other than the "
            "first, whose cores the nodes table does not give"
        )
    return "\n".join(notes)


def _core_s(value: float) -> str:
    """Core-seconds as a note writes them: ``1,234``, ``65.6``, ``0``."""
    return f"{value:,.0f}" if value >= 100 or value == 0 else f"{value:.3g}"


def figure(results: Results, request: FigureRequest) -> tuple[Figure, dict[str, pd.DataFrame]]:
    """Draw ``--kind utilisation-time`` of ``results``, as ``request`` asks (:func:`series_figure`)."""
    return series_figure(results, request, DRAWING)
