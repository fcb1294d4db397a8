"""One figure of a results directory (run, compare or sweep) by kind: what ``offloadsim plot`` draws.

:func:`plot_results` never averages over anything but replications.  Every
dimension of the data (each swept key, the policy, the application) that
varies is either on the figure (the x axis, the series ``by``, one panel
per value with ``facet``), fixed with ``where``, or the figure is refused
with an error that names it and says how to choose.  Axis and legend names
come from the sweep's ``labels:`` (or readable defaults such as a link's
ends), never a bare key path.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from offloadsim.analysis.catalogue import metric_info, of_completed_tasks
from offloadsim.analysis.values import axis_texts, default_label, quantity_kind, texts, to_si, where_matches
from offloadsim.plots import charts, energy_chart, runs, sweep_lines
from offloadsim.plots.axes import (
    clear_legend,
    figure_legend,
    fit_y_labels,
    label_panels,
    laid_out,
    lines_under_legend,
    root_figure,
)
from offloadsim.plots.completion import incomplete_note
from offloadsim.plots.kinds import KINDS, QUANTITY_AXES
from offloadsim.plots.series import completed, interval_text, mean_ci_by, pooled_text, x_positions
from offloadsim.plots.style import FIGSIZES, house_style, new_axes, note_under
from offloadsim.records.stored import ExperimentError, Results

__all__ = ["KINDS", "plot_results", "default_figure_name", "method_text", "LOG_X_KINDS", "LOG_Y_KINDS"]

#: Kinds whose x (or y) axis can be made logarithmic from the command line.
LOG_X_KINDS = ("cdf", "sweep", "split", "energy")
LOG_Y_KINDS = ("bars", "sweep", "energy")
_METRIC_KINDS = ("bars", "sweep", "energy")
_ONE_RUN_KINDS = ("utilisation-time", "timeline")
_RECORDS = {"utilisation": "node", **dict.fromkeys(_METRIC_KINDS, "job")}  # what each kind is drawn from
_TIMELINE_PANEL_TASKS = 15  # tasks per panel when a timeline shows several runs


def default_figure_name(kind: str, metric: str | None = None) -> str:
    """``bars-latency_p95_s`` and the like: a file stem for a figure."""
    return f"{kind}-{metric}" if metric and kind in ("bars", "sweep") else kind


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
) -> Figure:
    """Draw one figure of ``results`` (see :data:`KINDS`) on a new house-style Figure and return it.

    ``by`` names the column(s) that make the series (default ``policy``;
    several make one series per combination; for ``utilisation-time``,
    ``tier`` or ``placement``); ``facet`` draws one panel per value of a
    column; ``where`` keeps rows with the given values (compared as text);
    ``logx``/``logy`` force a log axis on or off (default: chosen from the
    data; for ``bars`` and ``sweep``, a metric spanning more than 10× that is
    not a percentage).  Raises :class:`ExperimentError` naming every dimension the
    figure would otherwise average over, a kind the data cannot give (a
    sweep plot of a single run), or an unknown column.
    """
    if kind not in KINDS:
        raise ExperimentError(f"unknown plot kind {kind!r}; use one of {', '.join(KINDS)}")
    for flag, value, allowed in (("--logx", logx, LOG_X_KINDS), ("--logy", logy, LOG_Y_KINDS)):
        if value is not None and kind not in allowed:
            raise ExperimentError(f"{flag} does not apply to --kind {kind}; it does to {', '.join(allowed)}")
    view = _View(results, kind, metric, where)
    series = _series(kind, by)
    if by is None and "policy" not in view.frame().columns:
        series = []  # a single run's node table: one series
    run_series = _run_series(kind, by)
    frame = view.frame()
    if kind in ("cdf", "split") and not len(frame):
        # Else an empty axes, with no line and no word (a run whose workload sent nothing measured).
        raise ExperimentError(
            f"cannot draw {kind}: no task records to draw (no task arrived in the measured time)"
        )
    # An energy figure's series named by --by are not its default x (which joins a series' markers):
    # `--by 'links[0].bandwidth'` means a marker per bandwidth, not a line of one point per bandwidth.
    x_key = _x_key(results, kind, x, view.metrics, taken=series if kind == "energy" and by else ())
    shown = [k for k in (x_key, *series, facet) if k]
    # A panel (or a series) per value of the x axis holds one point each: no curve to read.  An energy
    # panel per value of its x is fine (its x joins markers, each panel's series still several).
    one_point = (*(series if by else ()), *((facet,) if kind != "energy" else ()))
    if kind in ("sweep", "split", "energy") and x_key is not None and x_key in one_point:
        flag = "--facet" if x_key == facet else "--by"
        raise ExperimentError(
            f"{flag} {x_key}: it is the x axis, so each panel or series would hold one point; "
            "choose another column, or another x axis with --x"
        )
    for key in shown:
        if key not in frame.columns:
            close = _close_column(results, key, map(str, frame.columns))
            raise ExperimentError(
                f"{_flag(key, x_key, series)} {key}: no such column{close} (columns: {_list(frame)})"
            )
    if kind in _ONE_RUN_KINDS and facet is None and "policy" in view.varying(frame, shown):
        facet = "policy"  # one run per panel: every policy of a comparison, each on its own clock
        shown.append(facet)
    # An energy figure with no x yet joins a series' markers along a key named with --x, any swept one.
    x_choices = results.swept if kind == "energy" and x_key is None else ()
    _refuse_pooled(view, frame, shown, kind, series, x_choices)
    # The legend names a series in its axis's unit ("5 Mbit/s"), as the notes and axes write it.
    frame = _in_axis_units(frame, [s for s in series if s != x_key])
    # Bars of several series are coloured by the last one: its colours fixed once for every panel.
    order = _series_order(frame, series[-1:] if kind == "bars" and len(series) > 1 else series)
    if len(series) > 1:
        frame = frame.assign(**{", ".join(series): _joined(frame, series)})
    panels = _panels(frame, facet)
    if kind == "energy" and len(panels) > 1:  # one scale on every panel, so that they compare
        logx = _wide(frame["latency_mean_s"]) if logx is None else logx
        logy = _wide(frame["device_energy_mean_j"]) if logy is None else logy
    if kind in ("bars", "sweep") and logy is None and view.metric in frame.columns:
        # Bars of 1 and 150 ms on a linear axis show one bar; a percentage keeps its 0-100 axis, and
        # a metric with zeros its linear one (a log axis cannot show them).
        values = frame[view.metric].to_numpy(dtype=float)
        positive = bool((values[np.isfinite(values)] > 0).all())
        logy = metric_info(view.metric).unit != "%" and positive and _wide(frame[view.metric])
    fig, axes = _figure(kind, size, len(panels), facet_rows=kind in _ONE_RUN_KINDS)
    column = ", ".join(series) if series else None
    legend_title = ", ".join(view.label(s) for s in series) or None
    by_column = column or run_series

    # A panel's value in its axis's unit, as the legend and the notes write it.
    facet_texts = axis_texts([value for value, _ in panels]) if facet else []

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
                )
                facet_title = f"{view.label(facet)} = {facet_texts[i]}" if facet else None
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
    all_local = _all_local_lines(view, kind, axes, panels, facet, x_key, series)
    _one_range(axes, QUANTITY_AXES[kind])
    moving = _moving_with_x(view, frame, x_key, shown) if kind in ("sweep", "split") else ""
    for ax in axes if moving else ():
        if ax.get_visible() and ax.get_xlabel():
            ax.set_xlabel(f"{ax.get_xlabel()}\n{moving}")
    # A panel per series (--facet policy, the series by policy): each panel's title names its one
    # series, and a legend would only repeat the titles.
    legend = not (facet is not None and series == [facet])
    _finish(fig, axes, titles, kind, view.fixed_title(frame), legend=legend)
    parts = (
        interval_note(view, kind, frame, shown, axes),
        pooled_note(kind, frame, shown),
        _method_note(view, kind),
        _unrecorded_note(view, panels, drawn_loads),
        undrawn_note(view, kind, frame, shown),
        _unpowered_note(kind, frame),
        _incomplete_note(view, kind, frame, shown),
        all_local,
        _moving_with_shown(view, frame, [k for k in (*series, facet) if k and k != x_key], shown),
        sweep_lines.coinciding_lines(axes),  # at the panels' final limits (one range, all-local lines)
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
    if kind == "energy":
        energy_chart.say_unlabelled_ends(fig, note, axes)
    return fig


def _legend_on_data(ax: Axes) -> bool:
    """Whether ``ax``'s legend covers a line, marker, bar or error bar at the figure's present layout."""
    legend = ax.get_legend()
    return legend is not None and bool(lines_under_legend(ax, legend, laid_out(ax)))


def _all_local_lines(
    view: _View,
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
    tasks = _in_axis_units(view.tasks, series)  # its series named as the lines it colours are
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


#: How a kind derives what it draws, where the axis alone would claim more than the records hold.
_METHOD = {
    "utilisation-time": (
        "estimated from task records: each task's compute spread over its start–finish interval\n"
        "(smoothed; overlapping queued tasks can read above 100 %); exact busy time: the nodes table"
    ),
    # Without it, a task's upload, compute and result return read as happening in the order drawn.
    "timeline": (
        "from task records: a task's totals drawn end to end from its arrival (transfer, queue, compute),\n"
        "not when each happened; a run made with --stages draws every stage where and when it ran"
    ),
}
#: The same, for a run recorded with ``--stages`` (see :func:`_run_stages`).
_METHOD_STAGES = {
    "utilisation-time": (
        "exact from stage records: each compute stage holds one core of its node from start to end\n"
        "(tasks that arrived in the warm-up have none)"
    ),
}


def method_text(kind: str, *, stages: bool) -> str:
    """How a figure of ``kind`` derives what it draws, from stage records or not (``""``: it need not say).

    ``offloadsim plot`` writes it under the figure, and so does a gallery
    figure drawn by the same chart, so that both say it in the same words:

    >>> print(method_text("utilisation-time", stages=False).splitlines()[0])
    estimated from task records: each task's compute spread over its start–finish interval
    """
    return (_METHOD_STAGES if stages else _METHOD).get(kind, "")


def _method_note(view: _View, kind: str) -> str:
    """How the figure derived what it draws (exact from a run's stage records, or estimated), if it says."""
    return method_text(kind, stages=_run_stages(view) is not None)


def _unpowered_note(kind: str, frame: pd.DataFrame) -> str:
    """Said under an energy figure whose every run charged no joule above idle, as the run's table says.

    Without ``power:`` on the sources every task's device energy is 0: the markers sat on a 0 mJ
    line (under an axis running to -0.04 mJ) that read as "offloading costs the device nothing".
    """
    column = "device_energy_mean_j"
    if kind != "energy" or column not in frame.columns or not len(frame):
        return ""
    energy = frame[column].to_numpy(dtype=float)
    if not (energy[~np.isnan(energy)] == 0.0).all():
        return ""
    return "no run charged a joule above idle to a device: do the sources have power:?"


def _incomplete_note(view: _View, kind: str, frame: pd.DataFrame, shown: Sequence[str]) -> str:
    """The configurations that did not complete many tasks, on a figure drawn from completed tasks."""
    of_completed = kind in ("cdf", "split", "energy") or (
        kind in ("bars", "sweep") and of_completed_tasks(view.metric)
    )
    return incomplete_note(frame, list(dict.fromkeys(shown)), view.label) if of_completed else ""


def _run_stages(view: _View) -> pd.DataFrame | None:
    """The stage records of a single-run directory made with ``--stages``; ``None`` for any other."""
    return view.results.stages if view.results.kind == "run" else None


#: What each kind draws its 95 % CIs as (kinds not named draw none).
_INTERVALS = {
    "bars": "error bars",
    "utilisation": "error bars",
    "energy": "error bars",
    "sweep": "bands",
    "split": "bands",
}


def interval_note(
    view: _View, kind: str, frame: pd.DataFrame, shown: Sequence[str], axes: Sequence[Axes]
) -> str:
    """What the figure's intervals are, over how many replications, and whether a log axis cuts one.

    ``"error bars: 95 % CI of the mean (Student t) over 3 replications"``, counting the runs that
    have a value of what is drawn (a run in which no task completed has no latency); an
    interval whose lower end is 0 (a non-negative metric's CI cut at zero)
    cannot end on a log axis, so the note says it runs off the axis.
    Empty for kinds that draw no interval.
    """
    if kind not in _INTERVALS:
        return ""
    keys = [k for k in dict.fromkeys(shown) if k in frame.columns]
    drawn = list(_DRAWN.get(kind) or (view.metric,)) if kind in _DRAWN else []
    if set(drawn) <= set(frame.columns):  # a run with no value (no task completed) is in no mean
        frame = frame[frame[drawn].notna().all(axis=1)]
    low, high = _runs_per_configuration(frame, keys)
    what = "mean split per run; bands" if kind == "split" else _INTERVALS[kind]
    note = interval_text(what, low, high)
    if high >= 2 and _cut_by_log_axis(view, kind, frame, keys, axes):
        note += "\nan interval ending at the edge of a log axis runs on to 0"
    return note


#: Kinds that pool the records of every replication into each of their lines (they draw no interval).
_POOLED = ("cdf",)


def pooled_note(kind: str, frame: pd.DataFrame, shown: Sequence[str]) -> str:
    """What a figure that draws each series from all its runs' records pools, said on the figure.

    A latency CDF is drawn through the tasks of every replication of its
    configuration at once: ``"each line pools the completed tasks of 8
    replications"`` (a range, ``2–3``, when configurations differ).  Empty
    for one run, and for kinds that average per run instead (their
    :func:`interval_note` says over how many).
    """
    if kind not in _POOLED:
        return ""
    low, high = _runs_per_configuration(frame, [k for k in dict.fromkeys(shown) if k in frame.columns])
    return pooled_text(low, high)


def _runs_per_configuration(frame: pd.DataFrame, keys: Sequence[str]) -> tuple[int, int]:
    """The fewest and most runs (replication and seed) among the rows of each combination of ``keys``."""
    runs = [c for c in ("replication", "seed") if c in frame.columns and c not in keys]
    if not runs or not len(frame):
        return 1, 1
    distinct = frame[[*keys, *runs]].drop_duplicates()
    if not keys:
        return len(distinct), len(distinct)
    counts = distinct.groupby(list(keys), observed=True, dropna=False).size()
    return int(counts.min()), int(counts.max())


#: The columns a kind draws from its frame: a configuration with none of them in any row has no mark.
_DRAWN = {"bars": None, "sweep": None, "energy": ("latency_mean_s", "device_energy_mean_j")}
_UNDRAWN_SHOWN = 4  # configurations an undrawn note lists by name; the rest it counts


def undrawn_note(view: _View, kind: str, frame: pd.DataFrame, shown: Sequence[str]) -> str:
    """The configurations the figure has no mark for, which would otherwise vanish without a word.

    A configuration none of whose tasks completed has no latency (nor a split, nor a CDF), so its
    point, bar or line is simply not there: an overloaded policy's empty bar reads like 0 ms, its
    missing points like a configuration never run. The note names each, and why, as
    ``no task completed (policy, bandwidth): edge, 2 Mbps; edge, 10 Mbps``.
    """
    keys = [k for k in dict.fromkeys(shown) if k in frame.columns]
    if not keys or not len(frame):
        return ""
    if kind in ("cdf", "split"):
        if "status" not in frame.columns:
            return ""
        drawn = frame["status"].astype(str).eq("completed")
        completed = drawn
    elif kind in _DRAWN:
        columns = list(_DRAWN[kind] or (view.metric,))
        if not set(columns) <= set(frame.columns):
            return ""
        drawn = frame[columns].notna().all(axis=1)
        completed = frame["completed"] > 0 if "completed" in frame.columns else drawn
    else:
        return ""
    # Quantities in their axis's unit ("1 Mbit/s", as an axis of them says), not as the sweep wrote them.
    grouping = [pd.Series(axis_texts(frame[k]), index=frame.index, name=k) for k in keys]
    summary = pd.DataFrame({"drawn": drawn, "completed": completed}).groupby(grouping, sort=False).any()
    missing = summary[~summary["drawn"]]
    if missing.empty:
        return ""
    reasons: dict[str, list[str]] = {}
    for values, row in missing.iterrows():
        values = values if isinstance(values, tuple) else (values,)
        why = "no value" if row["completed"] else "no task completed"
        reasons.setdefault(why, []).append(", ".join(map(str, values)))
    names = ", ".join(view.label(k) for k in keys)
    lines = []
    for why, configurations in reasons.items():
        listed = "; ".join(configurations[:_UNDRAWN_SHOWN])
        more = len(configurations) - _UNDRAWN_SHOWN
        listed += f"; and {more} more" if more > 0 else ""
        lines.append(f"not drawn, {why} ({names}): {listed}")
    return "\n".join(lines)


def _cut_by_log_axis(
    view: _View, kind: str, frame: pd.DataFrame, keys: Sequence[str], axes: Sequence[Axes]
) -> bool:
    """Whether an interval's lower end is 0 (or below) on a log axis, which cannot show it."""
    metrics = {"bars": {"y": view.metric}, "sweep": {"y": view.metric}}.get(
        kind, {"x": "latency_mean_s", "y": "device_energy_mean_j"} if kind == "energy" else {}
    )
    for which, metric in metrics.items():
        scales = [ax.get_xscale() if which == "x" else ax.get_yscale() for ax in axes]
        if metric is None or "log" not in scales or metric not in frame.columns:
            continue
        table = mean_ci_by(frame, [k for k in keys if k != "replication"] or ["policy"], metric)
        if bool(np.any(table["mean"].to_numpy(dtype=float) - table["ci"].to_numpy(dtype=float) <= 0)):
            return True
    return False


def _moving_with_x(view: _View, frame: pd.DataFrame, x_key: str | None, shown: Sequence[str]) -> str:
    """``with uplink latency 50 ms, 20 ms, 5 ms``: swept keys zipped with the x axis, said under it.

    A ``zip:`` block moves them together, so the x axis is not the only thing that changes along it
    (the Neurosurgeon sweep's uplink latency falls as its bandwidth rises): the axis alone hides it.
    """
    if x_key is None or x_key not in frame.columns:
        return ""
    parts = []
    for key in view.results.swept:
        if key in shown or key not in frame.columns or frame[key].nunique() < 2:
            continue
        if _tied(frame, [x_key, key]) == [[x_key, key]]:
            values = list(pd.unique(frame[[x_key, key]].drop_duplicates()[key].astype(object)))
            parts.append(f"{view.label(key)} {', '.join(axis_texts(values))}")
    return f"with {'; '.join(parts)}" if parts else ""


def _moving_with_shown(view: _View, frame: pd.DataFrame, keys: Sequence[str], shown: Sequence[str]) -> str:
    """``each stations has its own cuts: [edge-0] []; [edge-0, edge-1] [88]``, under the axes.

    A swept key zipped with the series or the panels (the cuts of a ``fixed`` policy beside its
    stations) pools nothing, each series holding one value of it, but the legend or the panel
    titles alone hide that it changes too, as :func:`_moving_with_x` says for the x axis.
    """
    parts = []
    for lead in keys:
        if lead not in frame.columns or frame[lead].nunique() < 2:
            continue
        for key in view.results.swept:
            if key in shown or key not in frame.columns or frame[key].nunique() < 2:
                continue
            if _tied(frame, [lead, key]) == [[lead, key]]:
                pairs = frame[[lead, key]].drop_duplicates().astype(object)
                if all(str(a) == str(b) for a, b in zip(pairs[lead], pairs[key], strict=True)):
                    continue  # one dimension under two names: a sweep's policies are its policy.name
                leads, keyed = axis_texts(pairs[lead]), axis_texts(pairs[key])
                values = "; ".join(f"{a} {b}" for a, b in zip(leads, keyed, strict=True))
                parts.append(f"each {view.label(lead)} has its own {view.label(key)}: {values}")
    return "\n".join(parts)


# --------------------------------------------------------------------------- the data of a figure


def _close_column(results: Results, key: str, columns: Iterable[str]) -> str:
    """A did-you-mean for a column not found: the one the sweep's ``labels:`` names ``key``, else the closest.

    The figures name a swept key by its label (``precision``), so that is the name a reader types
    back; the closest column name to it was unrelated (``replication``).
    """
    from offloadsim.suggest import did_you_mean, quoted

    labels = results.manifest.get("labels") or {}
    named = [str(column) for column, label in labels.items() if str(label).casefold() == key.casefold()]
    if named:
        return (
            f" (did you mean {quoted(named[0])}? {quoted(key)} is its label, from the sweep file's labels:)"
        )
    return did_you_mean(key, columns)


class _View:
    """The tables of ``results`` filtered by ``where``, with labels and the dimensions that can vary."""

    def __init__(self, results: Results, kind: str, metric: str | None, where: Mapping[str, Any] | None):
        self.results = results
        self.kind = kind
        self.metric = metric or ("latency_p95_s" if kind == "bars" else "latency_mean_s")
        self.where = dict(where or {})
        tasks, metrics, nodes = results.tasks, results.metrics, results.nodes
        known = {*tasks.columns, *metrics.columns, *nodes.columns}
        for key in self.where:
            if key not in known:
                close = _close_column(results, key, sorted(map(str, known)))
                columns = ", ".join(map(str, dict.fromkeys([*tasks.columns, *metrics.columns])))
                raise ExperimentError(f"--where {key}: no such column{close} (columns: {columns})")
        if kind in _METRIC_KINDS and self._per_app(tasks):
            from offloadsim.analysis.breakdown import metrics_per

            metrics = metrics_per(tasks, metrics, "app")
        swept = results.swept
        self.tasks = _as_written(_filter(tasks, self.where, "tasks"), swept)
        self.metrics = _as_written(_filter(metrics, self.where, "metrics"), swept)
        self.nodes = _as_written(_filter(nodes, self.where, "nodes"), swept)
        if kind in _METRIC_KINDS:
            _need_metric(self.metrics, self.metric)
        for key in self.where:
            if key not in self.frame().columns:  # the filter would not touch what is drawn
                raise ExperimentError(
                    f"--where {key}: --kind {kind} is drawn from per-{_RECORDS.get(kind, 'task')} "
                    f"records, which have no {key} column (a node's load is not split by {key})"
                )

    def _per_app(self, tasks: pd.DataFrame) -> bool:
        """Whether a metric figure is drawn per application: several apps (or one chosen), a task metric."""
        if "app" not in tasks.columns or self.metric.startswith("utilisation_"):
            return False
        return tasks["app"].nunique() > 1 or "app" in self.where

    def frame(self) -> pd.DataFrame:
        """The table this kind of figure is drawn from."""
        if self.kind in _METRIC_KINDS:
            return self.metrics
        if self.kind == "utilisation":
            return self.nodes
        return self.tasks

    def dimensions(self, frame: pd.DataFrame) -> list[str]:
        """Columns of ``frame`` that name a configuration: the swept keys, the policy, the application."""
        dims = [k for k in self.results.swept if k in frame.columns]
        dims.append("policy")
        if self.kind in ("cdf", "split", *_METRIC_KINDS):
            dims.append("app")  # a node's load and a run's timeline are not per application
        return [d for d in dict.fromkeys(dims) if d in frame.columns]

    def varying(self, frame: pd.DataFrame, shown: Sequence[str]) -> list[str]:
        """The dimensions that take several values among rows agreeing on the ``shown`` columns."""
        group = [k for k in shown if k in frame.columns]
        out = []
        for dim in self.dimensions(frame):
            if dim in group:
                continue
            if group:
                counts = frame.groupby(group, sort=False, observed=True, dropna=False)[dim].nunique(
                    dropna=False
                )
                several = len(counts) and int(counts.max()) > 1
            else:
                several = frame[dim].nunique(dropna=False) > 1
            if several:
                out.append(dim)
        return out

    def fixed_title(self, frame: pd.DataFrame) -> str:
        """``objective = energy, phone–server bandwidth = 5.85 Mbit/s``: the dimensions ``where`` fixed.

        Each value as the rows kept write it (``true`` for a ``--where`` that said ``True``), a
        quantity in its axis's unit, as facet titles, legends and notes write swept values.
        """
        dims = set(self.dimensions(frame)) | set(self.results.swept)
        return ", ".join(
            f"{self.label(k)} = {_kept(frame, k, v)}" for k, v in self.where.items() if k in dims
        )

    def label(self, key: str | None) -> str:
        """How the figure names a column: the sweep's ``labels:`` entry, else a readable default."""
        if key is None:
            return ""
        labels = self.results.manifest.get("labels") or {}
        if key in labels:
            return str(labels[key])
        return default_label(key, self._base_document()) if "." in key or "[" in key else key

    def _base_document(self) -> dict[str, Any] | None:
        """The base scenario of a sweep written before sweeps stored their labels (best effort)."""
        base = self.results.manifest.get("base_file")
        if not base:
            return None
        try:
            from offloadsim.scenario import read_document

            document = read_document(base)
        except Exception:
            return None
        return document if isinstance(document, dict) else None


def _series(kind: str, by: str | Sequence[str] | None) -> list[str]:
    if kind in _ONE_RUN_KINDS:
        return []  # their series are tiers / stages, not a column of the data
    if by is None:
        return ["policy"]
    names = [b.strip() for b in by.split(",")] if isinstance(by, str) else [str(b) for b in by]
    return [b for b in dict.fromkeys(names) if b]


def _run_series(kind: str, by: str | Sequence[str] | None) -> str | None:
    """The series of a one-run figure: ``tier`` or ``placement`` for utilisation-time, none for a timeline."""
    if kind not in _ONE_RUN_KINDS:
        return None
    if kind == "timeline":
        if by is not None:
            raise ExperimentError("--by does not apply to --kind timeline (its bars are coloured by stage)")
        return None
    if by is None:
        return "tier"
    if by not in ("tier", "placement"):
        raise ExperimentError(f"--by {by}: utilisation-time draws a line per tier or per placement")
    return str(by)


def _x_key(
    results: Results, kind: str, x: str | None, metrics: pd.DataFrame, taken: Sequence[str] = ()
) -> str | None:
    """The x axis key of a sweep figure: ``x``, else the first numeric swept key (a bandwidth for split).

    ``taken``: keys drawn otherwise (an energy figure's series), never chosen as the default.
    """
    if kind not in ("sweep", "split", "energy"):
        if x is not None:
            raise ExperimentError(f"--x does not apply to --kind {kind}; it does to sweep, split and energy")
        return None
    if x is not None:
        if x not in metrics.columns:
            raise ExperimentError(
                f"--x {x}: no such column{_close_column(results, x, results.swept)} "
                f"(swept keys: {', '.join(results.swept) or 'none'})"
            )
        return x
    if not results.swept:
        if kind == "energy":
            return None
        raise ExperimentError(f"{results.path} is a {results.kind} directory; this figure needs a sweep")
    kinds = results.manifest.get("swept_kinds", {})
    numeric = [
        k
        for k in results.swept
        if k not in taken and (kinds.get(k) or quantity_kind(metrics[k].unique().tolist()))
    ]
    for key in numeric:
        if kind == "split" and "bandwidth" in key:
            return key
    if numeric:
        return numeric[0]
    if kind == "energy":
        return None
    return results.swept[0]


def _flag(key: str, x_key: str | None, series: Sequence[str]) -> str:
    return "--x" if key == x_key else "--by" if key in series else "--facet"


def _refuse_pooled(
    view: _View,
    frame: pd.DataFrame,
    shown: Sequence[str],
    kind: str,
    series: Sequence[str] = (),
    x_choices: Sequence[str] = (),
) -> None:
    """Raise naming every dimension that varies but is neither shown nor fixed, and how to choose.

    A hidden key among ``x_choices`` (an energy figure's, when it has no x) is suggested first as
    ``--x KEY``, the line through its values: a non-numeric swept key (``policy.cuts``) is never
    the default x, and ``--by`` alone drew its values as unjoined markers.

    The ``--by`` it suggests keeps the series already drawn that vary (``--by 'policy,links[0].bandwidth'``):
    ``--by 'links[0].bandwidth'`` alone hid the policies, and the next refusal suggested them alone.
    """
    hidden = view.varying(frame, shown)
    if not hidden:
        return
    axes = _tied(frame, hidden)  # zipped keys move together: one choice fixes them all
    parts = []
    for keys in axes:
        values = list(pd.unique(frame[keys[0]].astype(object)))
        listed = ", ".join(map(str, values[:6])) + (", ..." if len(values) > 6 else "")
        tied = f"; with {', '.join(keys[1:])}" if len(keys) > 1 else ""
        parts.append(f"{keys[0]} ({listed}{tied})")
    picks = " ".join(
        f"--where {_quote(f'{keys[0]}={pd.unique(frame[keys[0]].astype(object))[0]}')}" for keys in axes
    )
    first = _quote(axes[0][0])
    drawn = [s for s in series if s in frame.columns and frame[s].astype(object).nunique(dropna=False) > 1]
    by = _quote(",".join([*drawn, axes[0][0]]))
    if kind in _ONE_RUN_KINDS:
        what = f"--kind {kind} draws one run, but the data vary"
        how = f"pick one value of each ({picks}), or a panel per value with --facet {first}"
    else:
        # a CDF takes no mean: each line pools the tasks of its runs (said under its axes)
        pools = "pools only the tasks of replications" if kind == "cdf" else "averages only over replications"
        what = f"--kind {kind} {pools}, but the data also vary"
        along = next((keys[0] for keys in axes if keys[0] in x_choices), None)
        line = f"draw a line through its values with --x {_quote(along)}, or " if along else ""
        per = "a series" if along else "a line"
        how = (
            f"{line}show each with --by ({per} per value) or --facet (a panel per value), e.g. --by {by}, "
            f"or pick one value of each: {picks}"
        )
    raise ExperimentError(f"{what} {' and '.join(parts)}, which the figure does not show: {how}")


def _tied(frame: pd.DataFrame, keys: Sequence[str]) -> list[list[str]]:
    """``keys`` grouped into those that determine each other (the keys of one ``zip:`` block)."""
    groups: list[list[str]] = []
    for key in keys:
        for group in groups:
            lead = group[0]
            if (
                frame.groupby(lead, observed=True, dropna=False)[key].nunique(dropna=False).max() == 1
                and frame.groupby(key, observed=True, dropna=False)[lead].nunique(dropna=False).max() == 1
            ):
                group.append(key)
                break
        else:
            groups.append([key])
    return groups


def _wide(values: pd.Series) -> bool:
    """Whether positive values span more than 10× (the rule for a log axis where none was asked for)."""
    positive = values.to_numpy(dtype=float)
    positive = positive[np.isfinite(positive) & (positive > 0)]
    return bool(positive.size and positive.max() / positive.min() > 10)


def _quote(text: str) -> str:
    return f"'{text}'" if any(c in text for c in " []*?") else text


def _panels(frame: pd.DataFrame, facet: str | None) -> list[tuple[Any, pd.DataFrame]]:
    """``[(value, rows)]`` per value of ``facet`` (numeric values in order), or one panel of everything."""
    if facet is None:
        return [(None, frame)]
    values = list(pd.unique(frame[facet].astype(object)))
    kind = quantity_kind(values)
    if kind is not None:
        si = to_si(values, kind)
        values = [values[i] for i in np.argsort(si, kind="stable")]
    if len(values) > 12:
        raise ExperimentError(
            f"--facet {facet}: {len(values)} values make too many panels (at most 12); use --where"
        )
    return [(v, frame[frame[facet].astype(object).to_numpy() == v]) for v in values]


def _in_axis_units(frame: pd.DataFrame, keys: Sequence[str]) -> pd.DataFrame:
    """``frame`` with each of ``keys`` that holds quantities written in its axis's unit (:func:`axis_texts`).

    A legend entry or a tick then reads "5 Mbit/s", as the axes and the notes under the figure
    write it, not "5 Mbps" as the sweep did; a column of anything else is left as it is.
    """
    columns = {}
    for key in dict.fromkeys(keys):
        if key in frame.columns:
            written = axis_texts(frame[key].tolist())
            if written != [str(v) for v in frame[key]]:
                columns[key] = pd.Series(written, index=frame.index, dtype=object)
    return frame.assign(**columns) if columns else frame


def _series_order(frame: pd.DataFrame, series: Sequence[str]) -> list[Any] | None:
    """The series in order of first appearance, the same in every panel (so each keeps its colour)."""
    if not series or any(s not in frame.columns for s in series):
        return None
    if len(series) == 1:
        return list(pd.unique(frame[series[0]].astype(object)))
    return list(pd.unique(_joined(frame, series)))


def _joined(frame: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    text = frame[list(columns)].astype(str)
    return text.apply(", ".join, axis=1).to_numpy(dtype=object) if len(frame) else np.array([], dtype=object)


# --------------------------------------------------------------------------- drawing


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
    shared = kind in _ONE_RUN_KINDS  # one time scale for every panel, so that runs compare
    fig, axes = new_axes((width, height), nrows=nrows, ncols=ncols, sharex=shared)
    flat = list(np.atleast_1d(axes).ravel())
    for extra in flat[panels:]:
        extra.set_visible(False)
    return fig, flat[:panels]


def _draw(
    view: _View,
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
) -> str | None:
    """Draw one panel; return a title part to show (which run a one-run figure is), if any.

    ``percent`` False draws ``utilisation-time`` in busy cores whatever the panel could show;
    ``load`` is the panel's compute load (:func:`_loads`) for ``utilisation-time``; ``series``
    the columns ``by`` joins (bars of several group by all but the last, coloured by the last).
    """
    if kind == "cdf":
        charts.latency_cdf(frame, by=by or "policy", ax=ax, order=order, log_x=logx, legend_title=by_label)
    elif kind == "bars" and len(series) > 1:
        lead, last = ", ".join(series[:-1]), series[-1]
        # A tick per value of the leading keys (their quantities already in the unit the notes use).
        frame = frame.assign(**{lead: _joined(frame, series[:-1])})
        charts.metric_bars(
            frame,
            view.metric,
            by=last,
            group=lead,
            ax=ax,
            order=order,  # the last key's values over the whole figure: one colour each in every panel
            log_y=bool(logy),
            label=", ".join(view.label(s) for s in series[:-1]),
            legend_title=view.label(last),
        )
    elif kind == "bars":
        charts.metric_bars(
            frame, view.metric, by=by or "policy", ax=ax, order=order, log_y=bool(logy), label=by_label
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
            layers=sweep_lines.all_local_layers(completed(view.tasks)),  # every panel: the same lines
        )
    elif kind == "energy":
        energy_chart.energy_latency(
            frame, by=by or "policy", x=x, ax=ax, order=order, log_x=logx, log_y=logy, legend_title=by_label
        )
    elif kind == "utilisation":
        series = by if by and by in frame.columns else "policy"
        charts.node_utilisation(frame, by=series, ax=ax, order=order, legend_title=by_label)
    elif kind in _ONE_RUN_KINDS:
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
            several = len(root_figure(ax).axes) > 1
            n = _TIMELINE_PANEL_TASKS if several else 30
            unit, own = _timeline_clock(view.tasks, n)
            runs.stage_timeline(one, stages=stages, ax=ax, n=n, unit=unit, own_clock=own)
        return (
            f"replication {replication}" if replication is not None and view.results.kind != "run" else None
        )
    return None


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
    view: _View, frame: pd.DataFrame
) -> tuple[pd.DataFrame, Any, pd.DataFrame, pd.DataFrame | None]:
    """A one-run panel's tasks, its replication, its nodes and its stage records (a ``--stages`` run)."""
    one, replication = _one_run(frame)
    nodes = view.nodes
    if "replication" in nodes.columns and replication is not None:
        nodes = nodes[nodes["replication"].astype(str).to_numpy() == str(replication)]
    return one, replication, nodes, _run_stages(view)


def _loads(
    view: _View, kind: str, panels: Sequence[tuple[Any, pd.DataFrame]], by: str | None
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
    view: _View, panels: Sequence[tuple[Any, pd.DataFrame]], loads: Sequence[runs.ComputeLoad | None]
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
        if kind in _ONE_RUN_KINDS:  # a shared time axis: its label once, under the last panel
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
        if kind in _ONE_RUN_KINDS:  # their legends sit above the axes, where the title goes: above that
            figure_legend(fig, axes, order=order)


def _list(frame: pd.DataFrame) -> str:
    return ", ".join(map(str, frame.columns))


def _need_metric(metrics: pd.DataFrame, metric: str) -> None:
    from offloadsim.analysis.catalogue import LLM_METRICS, metric_columns

    if metric not in metrics.columns:
        from offloadsim.suggest import did_you_mean

        known = metric_columns(metrics)
        if metric in LLM_METRICS:
            raise ExperimentError(
                f"--metric {metric}: no run here served an LLM request, so none has it; "
                f"use one of {', '.join(known)}"
            )
        # Several metrics may be about equally near ("latency": its mean and three percentiles): name each.
        close = did_you_mean(metric, known, n=4, within=0.05)
        raise ExperimentError(f"--metric {metric}: unknown metric{close}; use one of {', '.join(known)}")


def _as_written(frame: pd.DataFrame, swept: Sequence[str]) -> pd.DataFrame:
    """``frame`` with each swept column of booleans, nulls or mappings as YAML writes them.

    What the figure shows of them (panel titles, legends, the values a refusal lists) is then
    what the sweep file said and what ``--where`` takes: ``true``, ``null``, ``{cores: 2}``, not
    Python's ``True`` or the JSON a table holds a mapping as (:func:`value_text`). A column of
    text is pandas' ``str`` dtype, not ``object``, where pandas reads it so (pandas 3).
    """
    numeric = pd.api.types.is_numeric_dtype  # a bool column is one too: written as YAML writes it
    columns = {
        key: texts(frame[key])
        for key in swept
        if key in frame.columns and (frame[key].dtype == bool or not numeric(frame[key]))
    }
    return frame.assign(**columns) if columns else frame


def _kept(frame: pd.DataFrame, key: str, given: Any) -> str:
    """The value ``--where key=given`` kept, as the rows write it (``given`` if they are not one).

    A quantity reads in its axis's unit (:func:`axis_texts`): ``5 Mbit/s`` for a sweep's ``5 Mbps``.
    """
    if key not in frame.columns:
        return str(given)
    kept = pd.unique(texts(frame[key]))
    return axis_texts([str(kept[0])])[0] if len(kept) == 1 else str(given)


def _filter(frame: pd.DataFrame, where: Mapping[str, Any] | None, name: str) -> pd.DataFrame:
    """Rows whose columns hold the given values (:func:`where_matches`).

    As YAML writes them, so "20 Mbps" and 3 both work and ``true`` (or ``True``) keeps a stored
    boolean; and quantities by value, so "20 Mbit/s" keeps the rows of "20 Mbps".
    """
    if not where:
        return frame
    mask = np.ones(len(frame), dtype=bool)
    found: dict[str, np.ndarray] = {}
    for key, value in where.items():
        if key not in frame.columns:
            continue  # a column of another table (the task's app in a node table)
        found[key] = where_matches(frame[key], key, str(value))
        mask &= found[key]
    selected = frame[mask]
    if name == "tasks" and len(frame) and not len(selected):
        shown = ", ".join(f"{k}={v}" for k, v in where.items())
        for key, value in where.items():
            if key in found and not found[key].any():
                values = list(dict.fromkeys(texts(frame[key])))
                listed = ", ".join(values[:12]) + (
                    f", ... ({len(values)} in all)" if len(values) > 12 else ""
                )
                raise ExperimentError(
                    f"--where {key}={value}: no rows have that value; {key} is one of {listed}"
                )
        raise ExperimentError(f"--where {shown}: no rows match")
    return selected
