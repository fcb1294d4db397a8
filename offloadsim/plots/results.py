"""One figure of a results directory (run, compare or sweep) by kind: what ``offloadsim plot`` draws.

:func:`plot_results` never averages over anything but replications.  Every
dimension of the data (each swept key, the policy, the application) that
varies is either on the figure (the x axis, the series ``by``, one panel
per value with ``facet``), fixed with ``where``, or the figure is refused
with an error that names it and says how to choose.  Axis and legend names
come from the sweep's ``labels:`` (or readable defaults such as a link's
ends), never a bare key path.  The data and those choices are
:mod:`offloadsim.plots.figure_data`'s; the notes under the figure (how it
was measured, what it does not show) :mod:`offloadsim.plots.figure_notes`'.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from os import PathLike
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from offloadsim.analysis.catalogue import metric_info
from offloadsim.analysis.groups import GROUP_COLUMN
from offloadsim.analysis.raw_input import raw_input_meanings, raw_input_note, with_meaning
from offloadsim.analysis.values import axis_texts
from offloadsim.errors import argument
from offloadsim.plots import charts, energy_chart, runs, split_cuts, sweep_lines
from offloadsim.plots.axes import (
    clear_legend,
    figure_legend,
    fit_title,
    fit_y_labels,
    keep_panels_tall,
    label_panels,
    laid_out,
    lines_under_legend,
    root_figure,
    x_label_with,
)
from offloadsim.plots.deadlines import place_deadline_labels
from offloadsim.plots.figure_data import (
    FigureView,
    choose_x_key,
    close_column_hint,
    column_listing,
    facet_panels,
    flag_text,
    in_axis_units,
    joined_labels,
    one_run,
    refuse_pooled_figure,
    run_series_key,
    series_keys,
    stable_order,
    wide_values,
)
from offloadsim.plots.figure_notes import (
    incomplete_tasks_note,
    interval_note,
    late_change_note,
    method_note,
    moving_with_shown_note,
    moving_with_x_note,
    pooled_note,
    precision_note,
    run_stages,
    timeline_note,
    undrawn_note,
    unpowered_note,
    x_order,
)
from offloadsim.plots.kind_registry import FigureKind, FigureRequest, misapplied, undrawable
from offloadsim.plots.kinds import KINDS, figure_kind, kind_names
from offloadsim.plots.latency_time import window_argument
from offloadsim.plots.series import completed, x_positions
from offloadsim.plots.style import FIGSIZES, MAX_SERIES, house_style, new_axes, note_under
from offloadsim.plots.warned_runs import group_attribution, warned_runs_note
from offloadsim.plugins import dotted_name, first_line, plugin_line
from offloadsim.records.stored import ExperimentError, Results

__all__ = ["KINDS", "default_figure_name", "plot_results", "plot_with_tables", "series_figure"]


_TIMELINE_PANEL_TASKS = 15  # tasks per panel when a timeline shows several runs


def default_figure_name(kind: str, metric: str | None = None) -> str:
    """``bars-latency_p95_s`` and the like: a file stem for a figure (its metric where the kind names it)."""
    figure = figure_kind(kind)
    return f"{kind}-{metric}" if metric and figure is not None and figure.metric_in_name else kind


def _check_arguments(results: object, where: object, texts: Mapping[str, object], by: object) -> None:
    """Raise :class:`ExperimentError` unless each argument of :func:`plot_results` is of its kind.

    From Python, a directory's path in place of ``read_results(path)``, ``where="policy=edge"``
    (the command line's form), ``facet=3``, ``metric=3`` or ``by=3`` each ended in an AttributeError
    or a TypeError deep in the figure's data, ``size="one column"`` in a KeyError, and
    ``logx="no"`` drew a log axis.  ``texts``: the arguments that name one thing (``metric``,
    ``x``, ``facet``, ``size``) and the flags (``logx``, ``logy``), by name.
    """
    if not isinstance(results, Results):
        hint = (
            f" (read it first: plot_results(read_results({str(results)!r:.60}), ...))"
            if isinstance(results, str | PathLike)
            else ""
        )
        raise ExperimentError(
            "results: expected the tables of a results directory, as offloadsim.records.stored."
            f"read_results(DIR) returns them, got {type(results).__name__}{hint}"
        )
    if where is not None and not isinstance(where, Mapping):
        raise ExperimentError(
            "where: expected a mapping of column to value like {'policy': 'edge'}, "
            f"got {type(where).__name__} {where!r:.60}"
        )
    for key, value in (where or {}).items():
        if not isinstance(key, str):
            raise ExperimentError(
                f"where: expected column names (text), got {type(key).__name__} {key!r:.40}"
            )
        if isinstance(value, tuple) and not value:
            raise ExperimentError(f"where: {key}: an empty tuple keeps no rows; give one value or several")
    for name, value in texts.items():
        if value is None:
            continue
        if name in ("logx", "logy"):
            if not isinstance(value, bool):
                raise ExperimentError(
                    f"{name}: expected True, False or None, got {type(value).__name__} {value!r:.40}"
                )
        elif name == "size" and value not in FIGSIZES:
            raise ExperimentError(
                f"size: unknown figure size {value!r:.40}; use one of {', '.join(FIGSIZES)}"
            )
        elif not isinstance(value, str):
            raise ExperimentError(f"{name}: expected a name (text), got {type(value).__name__} {value!r:.40}")
    names = [by] if isinstance(by, str) else by
    if by is not None and (not isinstance(names, Sequence) or not all(isinstance(n, str) for n in names)):
        raise ExperimentError(
            f"by: expected a column name or a list of them, got {type(by).__name__} {by!r:.40}"
        )


def plot_results(
    results: Results,
    kind: str,
    *,
    metric: str | None = None,
    x: str | None = None,
    by: str | Sequence[str] | None = None,
    facet: str | None = None,
    where: Mapping[str, Any] | None = None,
    size: str | None = None,
    logx: bool | None = None,
    logy: bool | None = None,
    bin_s: float | None = None,
    from_s: float | None = None,
    to_s: float | None = None,
    facet_order: str | Sequence[str] | None = None,
) -> Figure:
    """Draw one figure of ``results`` (see :data:`KINDS`) on a new house-style Figure and return it.

    ``by`` names the column(s) that make the series (default ``policy``;
    several make one series per combination; for ``utilisation-time``,
    ``tier`` or ``placement``); ``facet`` draws one panel per value of a
    column; ``where`` keeps rows with the given values (compared as text;
    a tuple of values keeps the rows of any of them, as ``--where`` given twice on one column);
    ``logx``/``logy`` force a log axis on or off (default: chosen from the
    data; for ``bars`` and ``sweep``, a metric spanning more than 10× that is
    not a percentage).  ``bin_s`` is ``latency-time``'s bin width (s); ``from_s`` and ``to_s``
    keep the tasks arriving in ``[from_s, to_s)`` (s) for ``timeline`` and ``latency-time``
    (:mod:`offloadsim.plots.latency_time`).  ``facet_order`` lists the panels' values (as text, or
    one text split at commas) in the order they come, the rest after them; by default a facet of
    ``source_group`` takes the scenario's order of its groups.
    Raises :class:`ExperimentError` naming every dimension the
    figure would otherwise average over, a kind the data cannot give (a
    sweep plot of a single run), or an unknown column.
    """
    return plot_with_tables(
        results,
        kind,
        metric=metric,
        x=x,
        by=by,
        facet=facet,
        where=where,
        size=size,
        logx=logx,
        logy=logy,
        bin_s=bin_s,
        from_s=from_s,
        to_s=to_s,
        facet_order=facet_order,
    )[0]


def plot_with_tables(
    results: Results,
    kind: str,
    *,
    metric: str | None = None,
    x: str | None = None,
    by: str | Sequence[str] | None = None,
    facet: str | None = None,
    where: Mapping[str, Any] | None = None,
    size: str | None = None,
    logx: bool | None = None,
    logy: bool | None = None,
    bin_s: float | None = None,
    from_s: float | None = None,
    to_s: float | None = None,
    facet_order: str | Sequence[str] | None = None,
) -> tuple[Figure, dict[str, pd.DataFrame]]:
    """The figure :func:`plot_results` draws, and the tables ``plot`` writes beside it, from one pass.

    The tables by the suffix they are written with: ``latency-time``'s bins (``csv``) and its times
    to recover (``recovery.csv``), :func:`offloadsim.plots.latency_time.latency_time_tables`; none
    for the other kinds.  Binned once for both (:func:`~offloadsim.plots.latency_time.binned_runs`).
    """
    texts = {"metric": metric, "x": x, "facet": facet, "size": size, "logx": logx, "logy": logy}
    _check_arguments(results, where, texts, by)
    panel_order = _facet_order(results, facet, facet_order)
    figure = figure_kind(kind) if isinstance(kind, str) else None
    if figure is None:
        raise ExperimentError(f"unknown plot kind {kind!r}; use one of {', '.join(kind_names())}")
    request = FigureRequest(
        kind,
        metric=metric,
        x=x,
        by=by,
        facet=facet,
        where=where,
        size=size,
        logx=logx,
        logy=logy,
        bin_s=bin_s,
        from_s=from_s,
        to_s=to_s,
        facet_order=facet_order,
        panel_order=tuple(panel_order),
    )
    # An option the kind does not draw (--kind cdf --metric latency_p95_s drew the latency CDF without
    # a word), or a results directory it does not draw, is refused before anything is drawn.
    refusal = misapplied(figure, request.given()) or undrawable(figure, results.kind, results.path)
    if refusal is not None:
        raise ExperimentError(refusal)
    _check_window(bin_s, from_s, to_s)
    if figure.shipped():
        return figure.drawer()(results, request)
    return _drawn_by_plugin(figure, results, request)


def _drawn_by_plugin(
    figure: FigureKind, results: Results, request: FigureRequest
) -> tuple[Figure, dict[str, pd.DataFrame]]:
    """A kind not offloadsim's drawn: its exception, or what it returns if no figure, one line naming it.

    The kind's code is not offloadsim's: what it raises is its bug, said as such (exit 2), not an
    internal error of offloadsim's with a traceback; ``--debug`` shows it.
    """
    code = figure.draw if isinstance(figure.draw, str) else dotted_name(figure.draw)
    named = f"figure kind {figure.name!r} ({code})"
    try:
        drawn = figure.drawer()(results, request)
    except ExperimentError:
        raise
    except Exception as error:
        text = first_line(error)
        said = f"{type(error).__name__}: {text}" if text else type(error).__name__
        raise ExperimentError(f"{named} raised {said}{plugin_line(error)}") from error
    if not (
        isinstance(drawn, tuple)
        and len(drawn) == 2
        and isinstance(drawn[0], Figure)
        and isinstance(drawn[1], Mapping)
        and all(isinstance(k, str) and isinstance(v, pd.DataFrame) for k, v in drawn[1].items())
    ):
        raise ExperimentError(
            f"{named} returned {type(drawn).__name__}, not a (Figure, {{suffix: DataFrame}}) pair"
        )
    return drawn[0], dict(drawn[1])


def series_figure(results: Results, request: FigureRequest) -> tuple[Figure, dict[str, pd.DataFrame]]:
    """Draw a figure of series of points (every shipped kind but ``latency-time``); no tables.

    ``request``'s options are those :func:`plot_with_tables` checked; the kind's own checks (a
    series per tier for ``utilisation-time``, a swept x axis) and the refusal of any dimension the
    figure would average over are made here, on the data.
    """
    kind, metric, x, by, facet = request.kind, request.metric, request.x, request.by, request.facet
    where, size, logx, logy = request.where, request.size, request.logx, request.logy
    from_s, to_s, facet_order = request.from_s, request.to_s, request.facet_order
    panel_order = list(request.panel_order)
    registered = figure_kind(kind)
    quantity_axes = registered.quantity_axes if registered is not None else "xy"
    series = series_keys(kind, by)
    cdf_column = metric or "latency"  # a CDF's --metric is a task column: not the metrics table's
    view = FigureView(results, kind, None if kind == "cdf" else metric, where, keys=(*series, facet))
    if kind == "cdf" and metric is not None:  # the latency by default: no tasks at all is said below
        _need_task_column(view, cdf_column)
    if from_s is not None or to_s is not None:
        view.tasks = _arriving_within(view.tasks, from_s, to_s)
    if by is None and "policy" not in view.frame().columns:
        series = []  # a single run's node table: one series
    run_series = run_series_key(kind, by)
    frame = view.frame()
    if kind in ("cdf", "split") and not len(frame):
        # Else an empty axes, with no line and no word (a run whose workload sent nothing measured).
        raise ExperimentError(
            f"cannot draw {kind}: no task records to draw (no task arrived in the measured time)"
        )
    # Keys named by --by or --facet are not the default x: `--facet nodes.phone.power.transmit` over a
    # sweep of it and a bandwidth means the bandwidth along x (it was chosen as x, then refused as
    # "it is the x axis"), and an energy figure's `--by 'links[0].bandwidth'` a marker per bandwidth.
    taken = [*(series if by else ()), *([facet] if facet else [])]
    x_key = choose_x_key(results, kind, x, view.metrics, taken=taken)
    shown = [k for k in (x_key, *series, facet) if k]
    # A panel (or a series) per value of the x axis holds one point each: no curve to read.  An energy
    # panel per value of its x is fine (its x joins markers, each panel's series still several).
    one_point = (*(series if by else ()), *((facet,) if kind != "energy" else ()))
    if kind in ("sweep", "split", "energy") and x_key is not None and x_key in one_point:
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
    if one_run(kind) and facet is None and "policy" in view.varying(frame, shown):
        facet = "policy"  # one run per panel: every policy of a comparison, each on its own clock
        shown.append(facet)
    # An energy figure with no x yet joins a series' markers along a key named with --x, any swept one.
    x_choices = results.swept if kind == "energy" and x_key is None else ()
    refuse_pooled_figure(view, frame, shown, kind, series, x_choices, x=x_key, facet=facet)
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
    coloured = series[-1:] if kind == "bars" and len(series) > 1 else series
    order = stable_order(frame, raw, _unfiltered(view, series, facet), coloured)
    if len(series) > 1:
        frame = frame.assign(**{", ".join(series): joined_labels(frame, series)})
    panels = facet_panels(frame, facet, panel_order, strict=facet_order is not None)
    if kind == "energy" and len(panels) > 1:  # one scale on every panel, so that they compare
        logx = wide_values(frame["latency_mean_s"]) if logx is None else logx
        logy = wide_values(frame["device_energy_mean_j"]) if logy is None else logy
    if kind in ("bars", "sweep") and logy is None and view.metric in frame.columns:
        # Bars of 1 and 150 ms on a linear axis show one bar; a percentage keeps its 0-100 axis, and
        # a metric with zeros its linear one (a log axis cannot show them).
        values = frame[view.metric].to_numpy(dtype=float)
        positive = bool((values[np.isfinite(values)] > 0).all())
        logy = metric_info(view.metric).unit != "%" and positive and wide_values(frame[view.metric])
    fig, axes = _figure(kind, size, len(panels), facet_rows=one_run(kind))
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
            loads = _loads(view, kind, panels, by_column)
            drawn_loads[:] = loads
            percent = None if len({load.percent for load in loads if load is not None}) < 2 else False
            for i, (ax, (_, part), load) in enumerate(zip(axes, panels, loads, strict=True)):
                title = _draw(
                    view,
                    kind,
                    part,
                    ax,
                    by_column,
                    legend_title,
                    order,
                    x_key,
                    logx,
                    logy,
                    percent,
                    load,
                    series=series,
                    whole=frame,
                    legend_inside=len(panels) == 1,
                    cdf_column=cdf_column,
                )
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
    if kind == "split":  # each application or series with no all-local line, and why
        notes = (_split_note(view, frame, part, by_column, x_key) for _, part in panels)
        all_local = "\n".join(dict.fromkeys(note for note in notes if note))
    else:  # a sweep of a latency metric: each application's all-local line, and the note of those without
        all_local = _all_local_lines(view, kind, axes, panels, facet, x_key, series)
    own_x = kind == "cdf" and _own_x_ranges(axes)
    _one_range(axes, quantity_axes.replace("x", "") if own_x else quantity_axes)
    if len(axes) > 1 and kind in ("bars", "utilisation"):
        with house_style():
            for ax in axes:
                charts.say_unseen_bars(ax)  # a bar too low to see in the range the panels now share
    moving = moving_with_x_note(view, frame, x_key, shown) if kind in ("sweep", "split", "energy") else ""
    for ax in axes if moving and kind != "energy" else ():
        if ax.get_visible() and ax.get_xlabel():
            x_label_with(ax, moving)
    # An energy figure's x key joins each line's markers, named at its ends: a key zipped with it moves
    # along the line too, said under the figure (its axes are latency and energy).
    along = ""
    if moving and kind == "energy" and x_key is not None:  # which way the values run: no axis says it
        ends = axis_texts([x_order(frame, x_key)[i] for i in (0, -1)])
        along = f"along each line, {view.label(x_key)} {ends[0]} to {ends[1]} {moving}"
    # A panel per series (--facet policy, the series by policy): each panel's title names its one
    # series, and a legend would only repeat the titles.
    legend = not (facet is not None and series == [facet])
    _finish(fig, axes, titles, kind, view.fixed_title(frame, shown), legend=legend)
    parts = (
        interval_note(view, kind, frame, shown, axes),
        pooled_note(kind, frame, shown),
        method_note(view, kind),
        _unrecorded_note(view, panels, drawn_loads),
        undrawn_note(view, kind, frame, shown),
        unpowered_note(kind, frame),
        precision_note(view, frame),
        raw_input_note(view.label(x_key), x_key, x_order(frame, x_key), meanings)
        if x_key in meanings
        else "",
        incomplete_tasks_note(view, kind, frame, shown),
        warned_runs_note(
            view.results.manifest,
            _drawn_runs(kind, panels, frame),
            shown,
            lambda key: view.heading(key, frame),
            group_attribution(view.results.tasks, view.results.nodes, view.results.metrics),
        ),
        timeline_note(view, kind, frame, _timeline_tasks(fig)),
        _window_note(from_s, to_s),
        OWN_X_NOTE if own_x else "",
        all_local,
        moving_with_shown_note(view, frame, [k for k in (*series, facet) if k and k != x_key], shown),
        along,
        late_change_note(view, frame, x_key) if kind in ("sweep", "split", "energy") else "",
        sweep_lines.coinciding_lines(axes),  # at the panels' final limits (one range, all-local lines)
        split_cuts.mixed_cuts_note(axes) if kind == "split" else "",
        split_cuts.later_cuts_note(axes) if kind == "split" else "",  # multi-tier's edge→cloud cut
    )
    note = "\n".join(part for part in parts if part)
    if note:
        note_under(fig, note)
        fit_y_labels(fig)  # the notes took height: a y label taller than its axes now is broken in two
    if len(axes) > 1:
        for ax in axes:  # labels placed before the other panels, the legend and the note took room
            energy_chart.place_end_labels(ax)
    elif kind == "cdf" or _legend_on_data(axes[0]):
        # The note took room (a CDF's curves moved under the legend placed before it), or the place
        # matplotlib found "best" still covers data: the legend goes where it covers none, and the
        # labels placed beside it go again.
        clear_legend(axes[0], wide_above=True)
        energy_chart.place_end_labels(axes[0])
        sweep_lines.place_all_local_labels(axes[0])
    # The end labels are placed at the figure's final height: it grows for its notes first.
    grew = kind == "energy" and energy_chart.say_unlabelled_ends(fig, note, axes)
    if (keep_panels_tall(fig) or grew) and len(axes) == 1 and _legend_on_data(axes[0]):
        # The legend was placed while the notes left the panel no room.
        clear_legend(axes[0], wide_above=True)
        sweep_lines.place_all_local_labels(axes[0])
        if kind == "energy":  # the end labels were placed with the legend inside the axes, in their way
            energy_chart.say_unlabelled_ends(fig, note, axes)
    if len(axes) == 1:  # the notes and the legend moved the panel: its title is held to the figure again
        fit_title(axes[0])
    for ax in axes if kind == "cdf" else ():
        place_deadline_labels(ax)  # beside their lines where the final layout left them room
    return fig, {}


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
        from offloadsim.suggest import did_you_mean

        close = did_you_mean(column, numeric) if column not in tasks.columns else ""
        what = "not a numeric task column" if column in tasks.columns else f"no such task column{close}"
        raise ExperimentError(
            f"{argument('metric', column)}: {what}; {argument('kind', 'cdf')} draws the distribution "
            f"of a numeric task column, one of {', '.join(numeric)}"
        )
    done = completed(tasks)
    if not np.isfinite(done[column].to_numpy(dtype=float)).any():
        llm = " (only an LLM request has one)" if column in ("ttft", "tpot") else ""
        raise ExperimentError(f"{argument('metric', column)}: no completed task here has a {column}{llm}")


def _unfiltered(view: FigureView, series: Sequence[str], facet: str | None) -> pd.DataFrame | None:
    """The rows of ``view``'s kind in the whole result (no ``--where``), for the series' colours."""
    if not view.where or not series:
        return None  # the figure's own rows are the whole result's
    try:
        whole = FigureView(view.results, view.kind, view.metric, None, keys=(*series, facet)).frame()
    except ExperimentError:
        return None
    return whole if all(s in whole.columns for s in series) else None


def _facet_order(results: Results, facet: str | None, given: str | Sequence[str] | None) -> list[str]:
    """The panels' values that come first: ``given`` (``--facet-order``), else the scenario's groups.

    A fleet's panels came in the order of each group's first task (new, cam, mid, old), not as the
    scenario declares them (old, mid, new, cam); the nodes table keeps the scenario's order.
    """
    if given is not None:
        names = [part.strip() for part in given.split(",")] if isinstance(given, str) else given
        if not isinstance(names, Sequence) or not all(isinstance(n, str) and n for n in names) or not names:
            raise ExperimentError(
                f"{argument('facet_order')}: expected the panels' values, comma-separated, "
                f"got {type(given).__name__} {given!r:.40}"
            )
        if facet is None:
            raise ExperimentError(
                f"{argument('facet_order')} orders the panels of {argument('facet')}: give both"
            )
        return list(names)
    nodes = results.nodes
    if facet == GROUP_COLUMN and "group" in nodes.columns:
        return list(dict.fromkeys(nodes["group"].astype(str).tolist()))
    return []


def _check_window(bin_s: float | None, from_s: float | None, to_s: float | None) -> None:
    """Refuse ``bin_s``, ``from_s`` or ``to_s`` that is not a time of at least 0 s, or out of order."""
    for name, value in (("bin_s", bin_s), ("from_s", from_s), ("to_s", to_s)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise ExperimentError(
                f"{window_argument(name)}: expected a time in seconds, "
                f"got {type(value).__name__} {value!r:.40}"
            )
        if value is not None and not (math.isfinite(value) and value >= 0):
            raise ExperimentError(f"{window_argument(name)}: expected a time of at least 0 s, got {value!r}")
    if from_s is not None and to_s is not None and not to_s > from_s:
        raise ExperimentError(
            f"{window_argument('from_s', from_s)} {window_argument('to_s', to_s)}: expected "
            f"{window_argument('to_s')} after {window_argument('from_s')}"
        )


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


def _legend_on_data(ax: Axes) -> bool:
    """Whether ``ax``'s legend covers a line, marker, bar or error bar at the figure's present layout."""
    legend = ax.get_legend()
    return legend is not None and bool(lines_under_legend(ax, legend, laid_out(ax)))


def _all_local_lines(
    view: FigureView,
    kind: str,
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
    if kind != "sweep" or not view.metric.startswith("latency_") or metric_info(view.metric).unit != "ms":
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
    return next((note for note in notes if note), "")


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


def _one_range(axes: Sequence[Axes], which: str) -> None:
    """Give every panel, on each axis in ``which``, the widest range any panel drew (so they compare)."""
    if len(axes) < 2:
        return
    for direction in which:
        limits = [ax.get_xlim() if direction == "x" else ax.get_ylim() for ax in axes]
        low, high = min(min(pair) for pair in limits), max(max(pair) for pair in limits)
        for ax in axes:
            (ax.set_xlim if direction == "x" else ax.set_ylim)(low, high)


def _figure(kind: str, size: str | None, panels: int, *, facet_rows: bool) -> tuple[Figure, list[Axes]]:
    default = "two-column-tall" if kind == "timeline" else "one-column"
    if panels == 1:
        fig, ax = new_axes(size or default)
        return fig, [ax]
    if facet_rows:  # runs over time: panels stacked, sharing the time axis' meaning
        ncols, nrows = 1, panels
        width = FIGSIZES["two-column"][0]
        height = (_TIMELINE_PANEL_TASKS * 0.11 + 0.8 if kind == "timeline" else 1.6) * panels + 0.4
    else:
        ncols = min(panels, 3)
        nrows = math.ceil(panels / ncols)
        width = FIGSIZES["two-column"][0]
        height = FIGSIZES["one-column"][1] * nrows + 0.2
    if size is not None:
        width = FIGSIZES[size][0]
    shared = one_run(kind)  # one time scale for every panel, so that runs compare
    fig, axes = new_axes((width, height), nrows=nrows, ncols=ncols, sharex=shared)
    flat = list(np.atleast_1d(axes).ravel())
    for extra in flat[panels:]:
        extra.set_visible(False)
    return fig, flat[:panels]


def _draw(
    view: FigureView,
    kind: str,
    frame: pd.DataFrame,
    ax: Axes,
    by: str | None,
    by_label: str | None,
    order: list[Any] | None,
    x: str | None,
    logx: bool | None,
    logy: bool | None,
    percent: bool | None = None,
    load: runs.ComputeLoad | None = None,
    *,
    series: Sequence[str] = (),
    whole: pd.DataFrame | None = None,
    legend_inside: bool = True,
    cdf_column: str = "latency",
) -> str | None:
    """Draw one panel; return a title part to show (which run a one-run figure is), if any.

    ``percent`` False draws ``utilisation-time`` in busy cores whatever the panel could show;
    ``load`` is the panel's compute load (:func:`_loads`) for ``utilisation-time``; ``series``
    the columns ``by`` joins (bars of several group by all but the last, coloured by the last);
    ``whole`` the figure's rows, every panel's (a split figure's all-local depths); ``legend_inside``
    False: the panel is one of several, whose legend goes above the figure (bars leave it no room);
    ``cdf_column`` the task column a ``cdf`` draws the distribution of.
    """
    if kind == "cdf":
        charts.latency_cdf(
            frame,
            by=by or "policy",
            ax=ax,
            order=order,
            log_x=logx,
            legend_title=by_label,
            column=cdf_column,
        )
    elif kind == "bars" and len(series) > 1:
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
            legend_inside=legend_inside,
        )
    elif kind == "bars":
        charts.metric_bars(
            frame,
            view.metric,
            by=by or "policy",
            ax=ax,
            order=order,
            log_y=bool(logy),
            label=by_label,
            legend_inside=legend_inside,
        )
    elif kind == "sweep" and x is not None:
        sweep_lines.metric_vs_parameter(
            frame,
            view.metric,
            x,
            by=by if by != x else None,
            kind=view.results.manifest.get("swept_kinds", {}).get(x),
            ax=ax,
            log_x=logx,
            log_y=bool(logy),
            order=order,
            label=view.label(x),
            legend_title=by_label,
        )
    elif kind == "split" and x is not None:
        layers, series_layers = _split_layers(view, frame if whole is None else whole, frame, by)
        sweep_lines.split_vs_parameter(
            frame,
            x,
            by=by if by != x else None,
            kind=view.results.manifest.get("swept_kinds", {}).get(x),
            ax=ax,
            log_x=logx,
            order=order,
            label=view.label(x),
            legend_title=by_label,
            layers=layers,
            series_layers=series_layers,
        )
    elif kind == "energy":
        energy_chart.energy_latency(
            frame, by=by or "policy", x=x, ax=ax, order=order, log_x=logx, log_y=logy, legend_title=by_label
        )
    elif kind == "utilisation":
        series = by if by and by in frame.columns else "policy"
        unit = "processor" if view.per_processor() else "node"
        charts.node_utilisation(frame, by=series, ax=ax, order=order, legend_title=by_label, unit=unit)
    elif one_run(kind):
        one, replication, nodes, stages = _run_inputs(view, frame)
        if kind == "utilisation-time":
            tiers = list(pd.unique(nodes["tier"].astype(str))) if "tier" in nodes.columns else None
            runs.utilisation_over_time(
                one,
                nodes=nodes,
                stages=stages,
                by=by or "tier",
                ax=ax,
                order=tiers,
                percent=percent,
                load=load,
            )
        else:
            n = _timeline_tasks(root_figure(ax))
            unit, own = _timeline_clock(view.tasks, n)
            runs.stage_timeline(one, stages=stages, ax=ax, n=n, unit=unit, own_clock=own)
        return (
            f"replication {replication}" if replication is not None and view.results.kind != "run" else None
        )
    return None


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


def _run_inputs(
    view: FigureView, frame: pd.DataFrame
) -> tuple[pd.DataFrame, Any, pd.DataFrame, pd.DataFrame | None]:
    """A one-run panel's tasks, its replication, its nodes and its stage records (a ``--stages`` run)."""
    one, replication = _one_run(frame)
    nodes = view.nodes
    if "replication" in nodes.columns and replication is not None:
        nodes = nodes[nodes["replication"].astype(str).to_numpy() == str(replication)]
    return one, replication, nodes, run_stages(view)


def _loads(
    view: FigureView, kind: str, panels: Sequence[tuple[Any, pd.DataFrame]], by: str | None
) -> list[runs.ComputeLoad | None]:
    """Each ``utilisation-time`` panel's compute load, computed once: its unit, then its lines (else None).

    Panels whose units would differ (% and busy cores) are all drawn in busy cores.
    """
    if kind != "utilisation-time":
        return [None] * len(panels)
    loads: list[runs.ComputeLoad | None] = []
    for _, part in panels:
        one, _, nodes, stages = _run_inputs(view, part)
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
        one, _, nodes, _ = _run_inputs(view, part)
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


def _drawn_runs(kind: str, panels: Sequence[tuple[Any, pd.DataFrame]], frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of the runs a figure draws: a one-run kind's first replication of each panel, else all."""
    if not one_run(kind):
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
    fig: Figure, axes: Sequence[Axes], titles: Sequence[str], kind: str, fixed: str, *, legend: bool = True
) -> None:
    """Panel labels on a multi-panel figure, one legend (unless not ``legend``), titles naming what is shown.

    ``fixed`` names the values ``where`` chose, so two figures of one
    sweep never look alike.
    """
    from offloadsim.plots.style import house_style

    order = list(runs.STAGE_COLOURS) if kind == "timeline" else None  # the stages in their order
    if fixed and len(axes) == 1:
        titles = ["; ".join(t for t in (fixed, titles[0] if titles else "") if t)]
    if len(axes) > 1:
        label_panels(axes, titles)
        if one_run(kind):  # a shared time axis: its label once, under the last panel
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
    if titles and titles[0]:
        with house_style():
            axes[0].set_title(titles[0], loc="left")
        fit_title(axes[0])
        if one_run(kind):  # their legends sit above the axes, where the title goes: above that
            figure_legend(fig, axes, order=order)
