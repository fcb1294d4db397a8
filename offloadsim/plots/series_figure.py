"""The shared drawing of the figure kinds made of series of points (every shipped kind but ``latency-time``).

Each such kind's entry point (registered in its :class:`~offloadsim.plots.kind_registry.FigureKind`,
one module each under :mod:`offloadsim.plots.figure_kinds`) calls :func:`series_figure` with its
:class:`SeriesDrawing`: the drawing of one panel, and what the kind checks, scales and notes
beyond the path every such figure takes.  What the path asks of a kind by name is never its
name: the registration says what it is drawn from and whether it draws one run
(:attr:`FigureKind.records`, :attr:`FigureKind.one_run`) and which options it takes (an x axis
of a swept key: ``x``); the drawing says the rest (:class:`SeriesDrawing`'s defaults add
nothing).  The data and its refusals are :mod:`offloadsim.plots.figure_data`'s; the notes under
the figure :mod:`offloadsim.plots.figure_notes`'.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from offloadsim.analysis.catalogue import metric_info
from offloadsim.analysis.raw_input import raw_input_meanings, raw_input_note, with_meaning
from offloadsim.analysis.values import axis_texts
from offloadsim.errors import argument
from offloadsim.plots import charts, energy_chart, runs, sweep_lines
from offloadsim.plots.axes import (
    clear_legend,
    figure_legend,
    fit_title,
    keep_panels_tall,
    label_panels,
    legend_beside,
    legend_on_data,
    notes_keeping_panels,
    x_label_with,
)
from offloadsim.plots.ceiling_note import ceiling_note
from offloadsim.plots.figure_data import (
    FigureView,
    choose_x_key,
    close_column_hint,
    column_listing,
    facet_panels,
    flag_text,
    in_axis_units,
    joined_labels,
    moves_with,
    refuse_pooled_figure,
    series_keys,
    stable_order,
    wide_values,
)
from offloadsim.plots.figure_notes import (
    apps_apart_note,
    incomplete_tasks_note,
    interval_note,
    late_change_note,
    method_note,
    moving_with_shown_note,
    moving_with_x_note,
    one_run_note,
    pooled_groups_note,
    pooled_note,
    precision_note,
    run_stages,
    undrawn_note,
    valueless_apps_note,
    x_order,
)
from offloadsim.plots.kind_registry import FigureKind, FigureRequest
from offloadsim.plots.kinds import figure_kind
from offloadsim.plots.latency_time import window_argument
from offloadsim.plots.plotted_values import plotted_values
from offloadsim.plots.span_note import linear_span_note
from offloadsim.plots.style import FIGSIZES, MAX_SERIES, house_style, new_axes
from offloadsim.plots.warned_runs import group_attribution, warned_runs
from offloadsim.records.stored import ExperimentError, Results

__all__ = [
    "MetricDrawing",
    "Panel",
    "SeriesDrawing",
    "Shown",
    "metric_log_y",
    "one_run_inputs",
    "replication_title",
    "say_unseen_bars",
    "series_figure",
]


@dataclass
class Panel:
    """What every panel of a series figure is drawn with (:meth:`SeriesDrawing.draw`).

    ``by``: the series' column (or a one-run figure's tier/placement); ``by_label`` its legend title;
    ``order`` the series' values in their colours' order; ``x`` the x axis' key; ``series`` the
    columns ``by`` joins; ``whole`` the figure's rows, every panel's; ``legend_inside`` False: the
    panel is one of several, whose legend goes above the figure; ``units`` the series' columns
    grouped as one key and the zipped partners that name it with it (``--facet app``).
    """

    view: FigureView
    request: FigureRequest
    by: str | None
    by_label: str | None
    order: list[Any] | None
    x: str | None
    logy: bool | None
    series: Sequence[str]
    whole: pd.DataFrame
    legend_inside: bool
    units: Sequence[Sequence[str]] = ()


@dataclass
class Shown:
    """A drawn figure, for the notes a kind adds (:meth:`SeriesDrawing.notes`)."""

    view: FigureView
    request: FigureRequest
    fig: Figure
    axes: Sequence[Axes]
    frame: pd.DataFrame
    panels: Sequence[tuple[Any, pd.DataFrame]]
    by: str | None
    x: str | None
    facet: str | None
    series: Sequence[str]
    loads: Sequence[runs.ComputeLoad | None] = ()
    own_x: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


class SeriesDrawing:
    """One kind's part of a series figure, called by :func:`series_figure`; the defaults add nothing."""

    #: The figure's size when ``--size`` is not given, and the height (in) of each stacked panel of a
    #: one-run figure.
    size = "one-column"
    row_height = 1.6
    #: A figure with no rows is refused (else an empty axes, with no line and no word).
    needs_rows = False
    #: The x axis' key joins each series' markers (the axes measure other things): a panel per x
    #: value is no single point, a key zipped with x is said along the lines, and with no x yet
    #: any swept key may be named as one.
    x_joins_markers = False
    #: The default x axis: the first numeric swept key whose name holds this, before the others.
    prefer_x: str | None = None
    #: Each series pools its runs' tasks (a CDF), rather than averaging its runs.
    pools_tasks = False
    #: It draws completed tasks only (True), nothing of tasks (False), or what ``--metric`` says
    #: (None): the note naming configurations that completed few tasks is said accordingly.
    of_completed: bool | None = False
    #: The legend is placed again once the notes took room, whether or not it covers data.
    legend_moves_with_notes = False

    def plotted_metrics(self, view: FigureView) -> tuple[str, ...]:
        """The job metrics the figure draws, whose means and CIs ``FIG.csv`` holds (none: its records)."""
        return (view.metric,) if view.records == "job" and view.metric else ()

    def view_metric(self, metric: str | None) -> str | None:
        """The ``--metric`` the view reads from the metrics table (None: the kind's default)."""
        return metric

    def bound_metric(self, view: FigureView, request: FigureRequest) -> str | None:
        """The metric whose decode-ceiling bound its note says (:mod:`~offloadsim.plots.ceiling_note`)."""
        return view.metric

    def check(self, view: FigureView, request: FigureRequest) -> None:
        """Refuse what the kind cannot draw of ``view`` (before anything else is read)."""

    def run_series(self, by: Any) -> str | None:
        """A one-run figure's series (``tier``, ``placement``), not a column of the data; else None."""
        return None

    def coloured(self, units: Sequence[Sequence[str]]) -> list[str]:
        """The series whose values get the colours (fixed once for every panel), of the series' units.

        A unit is a series key with the zipped partners named beside it (one key, most often).
        """
        return [key for unit in units for key in unit]

    def scales(
        self, view: FigureView, frame: pd.DataFrame, panels: int, logx: bool | None, logy: bool | None
    ) -> tuple[bool | None, bool | None]:
        """The log axes chosen from the data where not given (None: each panel chooses)."""
        return logx, logy

    def loads(
        self, view: FigureView, panels: Sequence[tuple[Any, pd.DataFrame]], by: str | None
    ) -> list[runs.ComputeLoad | None]:
        """Each panel's compute load, computed once before drawing (else None)."""
        return [None] * len(panels)

    def draw(
        self,
        panel: Panel,
        part: pd.DataFrame,
        ax: Axes,
        logx: bool | None,
        percent: bool | None,
        load: runs.ComputeLoad | None,
    ) -> str | None:
        """Draw one panel of ``part``; return a title part to show (which run a one-run panel is), if any."""
        raise NotImplementedError

    def lines(self, shown: Shown) -> str:
        """Lines drawn over the panels once drawn (a sweep's all-local latency); the note of those missing."""
        return ""

    def own_x_ranges(self, axes: Sequence[Axes]) -> bool:
        """Whether the panels keep their own x ranges (the quantity axes share one otherwise)."""
        return False

    def ranged(self, axes: Sequence[Axes]) -> None:
        """After the panels share one range: what that range hides, marked."""

    def legend_order(self) -> list[str] | None:
        """The legend's entries in their order (None: as drawn)."""
        return None

    def notes(self, shown: Shown) -> Mapping[str, str]:
        """The kind's own notes, by the place they go among the figure's (:data:`NOTE_PLACES`)."""
        return {}

    def unlabelled_ends(self, fig: Figure, note: str, axes: Sequence[Axes]) -> bool:
        """Say the ends left unlabelled at the figure's final height; whether the figure grew for it."""
        return False

    def finish(self, axes: Sequence[Axes]) -> None:
        """Last marks placed at the final layout (a CDF's deadline labels)."""


class MetricDrawing(SeriesDrawing):
    """A kind drawing ``--metric`` along y, whose log y axis, when not given, is chosen from its values."""

    of_completed = None

    def scales(
        self, view: FigureView, frame: pd.DataFrame, panels: int, logx: bool | None, logy: bool | None
    ) -> tuple[bool | None, bool | None]:
        """The log x axis as given; the log y axis the metric's values call for (:func:`metric_log_y`)."""
        return logx, metric_log_y(view, frame, logy)


#: Where a kind's own notes go among the figure's (:meth:`SeriesDrawing.notes`' keys).
NOTE_PLACES = ("paired", "unrecorded", "unpowered", "timeline", "own_x", "cuts")

#: The metrics whose figures say the runs' warnings first whatever they were: a closed loop's users'
#: pace, or an open rate past capacity, is what such a value is (a cloud's 593 tokens/s was one
#: user's pace).  Any other metric's say them first where a drawn run never settled.
_THROUGHPUTS = frozenset({"throughput_per_s", "output_tokens_per_s"})


def metric_log_y(view: FigureView, frame: pd.DataFrame, logy: bool | None) -> bool | None:
    """A metric's log y axis where not given: bars of 1 and 150 ms on a linear axis show one bar.

    A percentage keeps its 0-100 axis, and a metric with zeros its linear one (a log axis cannot
    show them).
    """
    if logy is None and view.metric in frame.columns:
        values = frame[view.metric].to_numpy(dtype=float)
        positive = bool((values[np.isfinite(values)] > 0).all())
        logy = metric_info(view.metric).unit != "%" and positive and wide_values(frame[view.metric])
    return logy


def say_unseen_bars(axes: Sequence[Axes]) -> None:
    """On panels sharing one range, a bar too low to see in it, said."""
    if len(axes) > 1:
        with house_style():
            for ax in axes:
                charts.say_unseen_bars(ax)  # a bar too low to see in the range the panels now share


def series_figure(
    results: Results, request: FigureRequest, drawing: SeriesDrawing
) -> tuple[Figure, dict[str, pd.DataFrame]]:
    """Draw a figure of series of points, ``drawing`` drawing each panel of its kind, and what it plots.

    Its one table (``csv``) is :func:`~offloadsim.plots.plotted_values.plotted_values`: the means and
    CIs of the metrics it draws per point, or the records it drew.

    ``request``'s options are those :func:`~offloadsim.plots.results.plot_with_tables` checked; the
    kind's own checks (a series per tier for ``utilisation-time``, a swept x axis) and the refusal
    of any dimension the figure would average over are made here, on the data.
    """
    kind, metric, x, by, facet = request.kind, request.metric, request.x, request.by, request.facet
    where, size, logx, logy = request.where, request.size, request.logx, request.logy
    from_s, to_s, facet_order = request.from_s, request.to_s, request.facet_order
    panel_order = list(request.panel_order)
    registered = figure_kind(kind) or FigureKind(kind, "", draw=kind)
    quantity_axes, one_run, along_x = registered.quantity_axes, registered.one_run, registered.takes("x")
    series = series_keys(kind, by)
    view = FigureView(results, kind, drawing.view_metric(metric), where, keys=(*series, facet))
    # A CNN's time to first token: nothing of it to draw or pool.  A task kind draws --metric's column.
    # Where the figure shows the applications (--by app, --facet app), each is drawn or said undrawn.
    drawn_column = metric if view.records == "task" else view.metric
    valueless = [] if "app" in (*series, facet) else view.valueless_apps(drawn_column)
    if valueless:
        kept = tuple(a for a in pd.unique(view.frame()["app"].astype(str)) if a not in valueless)
        view = FigureView(results, kind, view.metric, {**(where or {}), "app": kept}, keys=(*series, facet))
    drawing.check(view, request)
    if from_s is not None or to_s is not None:
        view.tasks = _arriving_within(view.tasks, from_s, to_s)
    if by is None and "policy" not in view.frame().columns:
        series = []  # a single run's node table: one series
    run_series = drawing.run_series(by) if one_run else None
    frame = view.frame()
    if drawing.needs_rows and not len(frame):
        # Else an empty axes, with no line and no word (a run whose workload sent nothing measured).
        raise ExperimentError(
            f"cannot draw {kind}: no task records to draw (no task arrived in the measured time)"
        )
    # Keys named by --by or --facet are not the default x: `--facet nodes.phone.power.transmit` over a
    # sweep of it and a bandwidth means the bandwidth along x (it was chosen as x, then refused as
    # "it is the x axis"), and an energy figure's `--by 'links[0].bandwidth'` a marker per bandwidth.
    taken = [*(series if by else ()), *([facet] if facet else [])]
    optional = drawing.x_joins_markers  # an energy figure draws its markers unjoined without one
    x_key = choose_x_key(results, kind, x, view.metrics, taken, optional=optional, prefer=drawing.prefer_x)
    shown = [k for k in (x_key, *series, facet) if k]
    # A panel (or a series) per value of the x axis holds one point each: no curve to read.  An energy
    # panel per value of its x is fine (its x joins markers, each panel's series still several).
    one_point = (*(series if by else ()), *((facet,) if not drawing.x_joins_markers else ()))
    if along_x and x_key is not None and x_key in one_point:
        given_by = argument("facet" if x_key == facet else "by", x_key)
        raise ExperimentError(
            f"{given_by}: it is the x axis, so each panel or series would hold one point; "
            f"choose another column, or another x axis with {argument('x')}"
        )
    for key in shown:
        if key not in frame.columns:
            close = close_column_hint(results, key, map(str, frame.columns))
            columns = column_listing(frame)
            raise ExperimentError(
                f"{flag_text(key, x_key, series)}: no such column{close} (columns: {columns})"
            )
    # A panel per application, the series by one application's key zipped with the same key of
    # the others: the legend (or a bar's tick) names every one, else a BERT panel's read "cnn
    # precision".  Bars group by their leading units and colour by the last: a key and its
    # partners are one unit, else each group would split into a bar per partner.
    units = _panel_partners(results.swept, frame, series, facet if kind in _PARTNERED_KINDS else None)
    if len(units) < sum(map(len, units)):
        series = [key for unit in units for key in unit]
        shown = [k for k in (x_key, *series, facet) if k]
    if one_run and facet is None and "policy" in view.varying(frame, shown):
        facet = "policy"  # one run per panel: every policy of a comparison, each on its own clock
        shown.append(facet)
    # An energy figure with no x yet joins a series' markers along a key named with --x, any swept one.
    x_choices = results.swept if drawing.x_joins_markers and x_key is None else ()
    pools = drawing.pools_tasks
    refuse_pooled_figure(view, frame, shown, kind, series, x_choices, x=x_key, facet=facet, pools_tasks=pools)
    lines = len(frame[series].drop_duplicates()) if series and len(frame) else 0
    if lines > MAX_SERIES:  # --by task_id drew a curve per task: 40,000 of them, for minutes on end
        raise ExperimentError(
            f"{argument('by', ','.join(series))}: {lines:,} values make too many series (at most "
            f"{MAX_SERIES}, each its own colour and marker); use {argument('where')}, or {argument('facet')}"
        )
    # The legend names a series in its axis's unit ("5 Mbit/s"), as the notes and axes write it.
    meanings = raw_input_meanings(results.manifest)  # an input of 0 B: the model's own tensor, said
    raw = frame
    frame = in_axis_units(frame, [s for s in series if s != x_key], meanings)
    # Bars of several series are coloured by the last one: its colours fixed once for every panel,
    # and in every figure of the result (a series --where leaves out keeps its colour unused).
    coloured = drawing.coloured(units)
    order = stable_order(frame, raw, _unfiltered(view, series, facet), coloured)
    if len(series) > 1:
        frame = frame.assign(**{", ".join(series): joined_labels(frame, series)})
    panels = facet_panels(frame, facet, panel_order, strict=facet_order is not None)
    logx, logy = drawing.scales(view, frame, len(panels), logx, logy)
    fig, axes = _figure(drawing, one_run, size, len(panels))
    column = ", ".join(series) if series else None
    legend_title = ", ".join(view.heading(s, frame) for s in series) or None
    by_column = column or run_series

    # A panel's value in its axis's unit, as the legend and the notes write it; an empty one (a run
    # with no ``warnings``) is "none", not a title that stops at its "=".
    values = [value for value, _ in panels] if facet else []
    facet_texts = [
        with_meaning(t, str(facet), v, meanings) or "none"
        for t, v in zip(axis_texts(values), values, strict=True)
    ]

    drawn_loads: list[runs.ComputeLoad | None] = []  # the last drawing's, for the note they may need

    def draw_panels(logx: bool | None) -> list[str]:
        titles = []
        try:
            loads = drawing.loads(view, panels, by_column)
            drawn_loads[:] = loads
            percent = None if len({load.percent for load in loads if load is not None}) < 2 else False
            alone = len(panels) == 1
            panel = Panel(
                view, request, by_column, legend_title, order, x_key, logy, series, frame, alone, units
            )
            for i, (ax, (_, part), load) in enumerate(zip(axes, panels, loads, strict=True)):
                title = drawing.draw(panel, part, ax, logx, percent, load)
                facet_title = f"{view.heading(facet, frame)} = {facet_texts[i]}" if facet else None
                titles.append("; ".join(t for t in (facet_title, title) if t))
        except (KeyError, ValueError) as error:  # a column the data does not have
            message = error.args[0] if error.args else str(error)
            raise ExperimentError(f"cannot draw {kind}: {message}") from None
        return titles

    titles = draw_panels(logx)
    if logx is None and len({ax.get_xscale() for ax in axes}) > 1:
        # One panel's values span widely enough for a log axis and another's do not: all get one,
        # so that the panels share a scale (below).
        with house_style():
            for ax in axes:
                ax.clear()
            titles = draw_panels(True)
    drawn = Shown(view, request, fig, axes, frame, panels, by_column, x_key, facet, series, drawn_loads)
    all_local = drawing.lines(drawn)
    own_x = drawn.own_x = drawing.own_x_ranges(axes)
    _one_range(axes, quantity_axes.replace("x", "") if own_x else quantity_axes)
    drawing.ranged(axes)
    moving = moving_with_x_note(view, frame, x_key, shown) if along_x else ""
    for ax in axes if moving and not drawing.x_joins_markers else ():
        if ax.get_visible() and ax.get_xlabel():
            x_label_with(ax, moving)
    # An energy figure's x key joins each line's markers, named at its ends: a key zipped with it moves
    # along the line too, said under the figure (its axes are latency and energy).
    along = ""
    if moving and drawing.x_joins_markers and x_key is not None:  # which way the values run: no axis says it
        ends = axis_texts([x_order(frame, x_key)[i] for i in (0, -1)])
        along = f"along each line, {view.label(x_key)} {ends[0]} to {ends[1]} {moving}"
    # A panel per series (--facet policy, the series by policy): each panel's title names its one
    # series, and a legend would only repeat the titles.
    fixed = view.fixed_title(frame, shown)
    legend = not (facet is not None and series == [facet]) and not _said_by_title(view, frame, series, fixed)
    _finish(fig, axes, titles, drawing, one_run, fixed, legend=legend)
    own = drawing.notes(drawn)
    warned, unsettled = warned_runs(
        view.results.manifest,
        _drawn_runs(one_run, panels, frame),
        shown,
        lambda key: view.heading(key, frame),
        group_attribution(view.results.tasks, view.results.nodes, view.results.metrics),
        view.metric,
    )
    # Of a throughput the runs' warnings say what the values are (a closed loop's users' pace, an
    # open rate past capacity), and of any metric where a drawn run never settled (an overloaded
    # edge's time to first token, which a figure's notes cut after the GPU notes, the overload with
    # them): they come with the ceiling note, not cut off after the rest.
    early = view.metric in _THROUGHPUTS or unsettled
    parts = (
        one_run_note(view),
        interval_note(view, kind, frame, shown, axes),
        own.get("paired", ""),  # what the intervals do not say: right after them
        # What the values are: before the rest.
        ceiling_note(drawing.bound_metric(view, request), view.results.manifest, frame),
        warned if early else "",
        pooled_note(view, frame, shown) if drawing.pools_tasks else "",
        "" if one_run else pooled_groups_note(view, shown),
        apps_apart_note(view, frame, shown),
        method_note(view, kind),
        own.get("unrecorded", ""),
        undrawn_note(view, kind, frame, shown),
        valueless_apps_note(drawn_column or "", valueless),
        own.get("unpowered", ""),
        precision_note(view, frame),
        raw_input_note(view.label(x_key), x_key, x_order(frame, x_key), meanings)
        if x_key in meanings
        else "",
        incomplete_tasks_note(view, frame, shown, of_completed=drawing.of_completed),
        "" if early else warned,
        own.get("timeline", ""),
        _window_note(from_s, to_s),
        own.get("own_x", ""),
        all_local,
        moving_with_shown_note(view, frame, [k for k in (*series, facet) if k and k != x_key], shown),
        along,
        late_change_note(view, frame, x_key) if along_x else "",
        sweep_lines.coinciding_lines(axes),  # at the panels' final limits (one range, all-local lines)
        # A linear axis the user did not ask for, whose means span decades (a share's 0.05 % and 22 %).
        linear_span_note(view.metric, frame, shown, axes) if request.logy is None else "",
        own.get("cuts", ""),
    )
    note = "\n".join(part for part in parts if part)
    tall = notes_keeping_panels(fig, note)  # the figure grows for its notes, its panels as tall as before
    if len(axes) > 1:
        for ax in axes:  # labels placed before the other panels, the legend and the note took room
            energy_chart.place_end_labels(ax)
            sweep_lines.place_all_local_labels(ax)
    elif drawing.legend_moves_with_notes or legend_on_data(axes[0]) or legend_beside(axes[0]):
        # The note took room (a CDF's curves moved under the legend placed before it), or the place
        # matplotlib found "best" still covers data, or the drawing moved it beside the axes (no place
        # inside was clear; wider than them, it goes above): the legend goes where it covers none,
        # and the labels placed beside it go again.
        clear_legend(axes[0], wide_above=True)
        energy_chart.place_end_labels(axes[0])
        sweep_lines.place_all_local_labels(axes[0])
    # The end labels are placed at the figure's final height: it grows for its notes first.
    grew = drawing.unlabelled_ends(fig, note, axes)
    if (keep_panels_tall(fig, tall) or grew) and len(axes) == 1 and legend_on_data(axes[0]):
        # The legend was placed while the notes left the panel no room.
        clear_legend(axes[0], wide_above=True)
        sweep_lines.place_all_local_labels(axes[0])
        # The end labels were placed with the legend inside the axes, in their way.
        drawing.unlabelled_ends(fig, note, axes)
    if len(axes) == 1:  # the notes and the legend moved the panel: its title is held to the figure again
        fit_title(axes[0])
    drawing.finish(axes)  # beside their lines where the final layout left them room
    return fig, {"csv": plotted_values(raw, shown, drawing.plotted_metrics(view))}


#: The kinds whose legend or ticks name each series by its key's zipped partners too.
_PARTNERED_KINDS = ("cdf", "sweep", "split", "energy", "bars")

#: A key of one application: ``applications.cnn.params.precision`` (the app, then the rest).
_APP_KEY = re.compile(r"^applications\.([^.\[\]\"]+)\.(.+)$")


def _panel_partners(
    swept: Sequence[str], frame: pd.DataFrame, series: list[str], facet: str | None
) -> list[list[str]]:
    """``series`` in units: each application's key with the same key of the other applications it determines.

    A panel per application (``--facet app``) under one legend, the series by
    ``applications.cnn.params.precision`` zipped with ``applications.bert.params.precision``: the
    BERT panel's lines were named by the CNN's precision ("cnn precision fp32" over BERT in fp16).
    Each entry then names both (``fp32, fp16``), so every panel's lines are named by what they ran.
    """
    units = [[key] for key in series]
    if facet != "app" or "app" not in frame.columns:
        return units
    apps = [str(app) for app in pd.unique(frame["app"].astype(object))]
    named = set(series)
    for unit in units:
        match = _APP_KEY.match(unit[0])
        if match is None:
            continue
        for app in apps:
            partner = f"applications.{app}.{match[2]}"
            if (
                app != match[1]
                and partner in swept
                and partner not in named
                and partner in frame.columns
                and moves_with(frame, unit[0], partner)
            ):
                unit.append(partner)
                named.add(partner)
    return units


def _said_by_title(view: FigureView, frame: pd.DataFrame, series: Sequence[str], fixed: str) -> bool:
    """Whether ``--where`` fixed every series column to one value the title (``fixed``) names.

    ``--where policy=edge`` on a sweep drew a legend "policy: edge" under the title "policy = edge",
    its one marker beside a data point, read as one more.  A column the title does not name (a
    policy's parameter that is no dimension of the result) keeps its legend.
    """
    return bool(series) and all(
        s in view.where
        and s in frame.columns
        and frame[s].nunique(dropna=False) == 1
        and f"{view.label(s)} = " in fixed
        for s in series
    )


def _unfiltered(view: FigureView, series: Sequence[str], facet: str | None) -> pd.DataFrame | None:
    """The rows of ``view``'s kind in the whole result (no ``--where``), for the series' colours."""
    if not view.where or not series:
        return None  # the figure's own rows are the whole result's
    try:
        whole = FigureView(view.results, view.kind, view.metric, None, keys=(*series, facet)).frame()
    except ExperimentError:
        return None
    return whole if all(s in whole.columns for s in series) else None


def _window_note(from_s: float | None, to_s: float | None) -> str:
    """``of the tasks arriving from 23 s to 30 s (--from, --to)``: the window a timeline was drawn from."""
    if from_s is None and to_s is None:
        return ""
    if from_s is not None and to_s is not None:
        window = f"from {from_s:g} s to {to_s:g} s"
    else:
        window = f"from {from_s:g} s on" if from_s is not None else f"before {to_s:g} s"
    return f"of the tasks arriving {window} only (--from, --to)"


def _arriving_within(tasks: pd.DataFrame, from_s: float | None, to_s: float | None) -> pd.DataFrame:
    """The tasks arriving in ``[from_s, to_s)``; refused when none does (a window past the run's end)."""
    arrival = tasks["arrival"].to_numpy(dtype=float)
    keep = np.ones(len(tasks), dtype=bool)
    if from_s is not None:
        keep &= arrival >= from_s
    if to_s is not None:
        keep &= arrival < to_s
    if len(tasks) and not keep.any():
        shown = f"{min(arrival):g} s to {max(arrival):g} s"
        given = [
            window_argument(name, value)
            for name, value in (("from_s", from_s), ("to_s", to_s))
            if value is not None
        ]
        raise ExperimentError(f"{' '.join(given)}: no task arrived then; the tasks arrived from {shown}")
    return tasks[keep]


def _one_range(axes: Sequence[Axes], which: str) -> None:
    """Give every panel, on each axis in ``which``, the widest range any panel drew (so they compare)."""
    if len(axes) < 2:
        return
    for direction in which:
        limits = [ax.get_xlim() if direction == "x" else ax.get_ylim() for ax in axes]
        low, high = min(min(pair) for pair in limits), max(max(pair) for pair in limits)
        for ax in axes:
            (ax.set_xlim if direction == "x" else ax.set_ylim)(low, high)


def _figure(
    drawing: SeriesDrawing, one_run: bool, size: str | None, panels: int
) -> tuple[Figure, list[Axes]]:
    """The figure and its ``panels`` axes: one-run panels stacked on one time scale, others in rows of 3."""
    if panels == 1:
        fig, ax = new_axes(size or drawing.size)
        return fig, [ax]
    if one_run:  # runs over time: panels stacked, sharing the time axis' meaning
        ncols, nrows = 1, panels
        width = FIGSIZES["two-column"][0]
        height = drawing.row_height * panels + 0.4
    else:
        ncols = min(panels, 3)
        nrows = math.ceil(panels / ncols)
        width = FIGSIZES["two-column"][0]
        height = FIGSIZES["one-column"][1] * nrows + 0.2
    if size is not None:
        width = FIGSIZES[size][0]
    shared = one_run  # one time scale for every panel, so that runs compare
    fig, axes = new_axes((width, height), nrows=nrows, ncols=ncols, sharex=shared)
    flat = list(np.atleast_1d(axes).ravel())
    for extra in flat[panels:]:
        extra.set_visible(False)
    return fig, flat[:panels]


def one_run_inputs(
    view: FigureView, frame: pd.DataFrame
) -> tuple[pd.DataFrame, Any, pd.DataFrame, pd.DataFrame | None]:
    """A one-run panel's tasks, its replication, its nodes and its stage records (a ``--stages`` run)."""
    one, replication = _one_run(frame)
    nodes = view.nodes
    if "replication" in nodes.columns and replication is not None:
        nodes = nodes[nodes["replication"].astype(str).to_numpy() == str(replication)]
    return one, replication, nodes, run_stages(view)


def _drawn_runs(
    one_run: bool, panels: Sequence[tuple[Any, pd.DataFrame]], frame: pd.DataFrame
) -> pd.DataFrame:
    """The rows of the runs a figure draws: a one-run kind's first replication of each panel, else all."""
    if not one_run:
        return frame
    drawn = [_one_run(part)[0] for _, part in panels if len(part)]
    return pd.concat(drawn) if drawn else frame


def _one_run(tasks: pd.DataFrame) -> tuple[pd.DataFrame, Any]:
    """The tasks of the first replication in ``tasks`` (which holds one configuration) and its index."""
    if not len(tasks):
        raise ValueError("no task records to draw")
    if "replication" not in tasks.columns:
        return tasks, None
    first = tasks["replication"].iloc[0]
    return tasks[tasks["replication"].to_numpy() == first], first


def _finish(
    fig: Figure,
    axes: Sequence[Axes],
    titles: Sequence[str],
    drawing: SeriesDrawing,
    one_run: bool,
    fixed: str,
    *,
    legend: bool = True,
) -> None:
    """Panel labels on a multi-panel figure, one legend (unless not ``legend``), titles naming what is shown.

    ``fixed`` names the values ``where`` chose, so two figures of one
    sweep never look alike.
    """
    order = drawing.legend_order()  # a timeline's stages in their order
    if fixed and len(axes) == 1:
        titles = ["; ".join(t for t in (fixed, titles[0] if titles else "") if t)]
    if len(axes) > 1:
        label_panels(axes, titles)
        if one_run:  # a shared time axis: its label once, under the last panel
            for ax in axes[:-1]:
                if ax.get_xlabel() == axes[-1].get_xlabel():  # the same clock (origin included)
                    ax.set_xlabel("")
                ax.tick_params(axis="x", labelbottom=False)
        drawn = False
        if legend:
            # The same series (in the same colours) in every panel: one legend, stages in their order;
            # what --where fixed heads it (a figure title would sit where the legend goes).
            drawn = figure_legend(fig, axes, order=order, heading=fixed or None)
        for ax in axes:
            panel_legend = ax.get_legend()
            if panel_legend is not None:
                panel_legend.remove()
        if fixed and not drawn:
            with house_style():
                fig.suptitle(fixed, fontsize=7)
        return
    single_legend = axes[0].get_legend()
    if not legend and single_legend is not None:
        single_legend.remove()
    if titles and titles[0]:
        with house_style():
            axes[0].set_title(titles[0], loc="left")
        fit_title(axes[0])
        if one_run:  # their legends sit above the axes, where the title goes: above that
            figure_legend(fig, axes, order=order)


def replication_title(view: FigureView, replication: Any) -> str | None:
    """A one-run panel's title part naming its replication, where the results hold several runs."""
    return f"replication {replication}" if replication is not None and view.results.kind != "run" else None
