"""A metric against a swept parameter, a line per series; the split point likewise; all-local reference lines.

:func:`metric_vs_parameter` draws a mean and its CI band per series over the swept values (a
log axis for a wide sweep; over categories, a point and its error bar each),
:func:`split_vs_parameter` the layers run on the device, and :func:`all_local_latency_lines` the
latency a task would have run entirely on its device, labelled where the label covers no line.
:func:`coinciding_lines` writes the note of where two lines lie on one another, once the
figure's limits are final.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.text import Annotation
from matplotlib.transforms import Bbox

from offloadsim.analysis.catalogue import metric_info
from offloadsim.analysis.values import label_unit, on_decibels
from offloadsim.plots.axes import (
    LEAST_PANEL_HEIGHT_IN,
    LEGEND_ONLY,
    from_zero,
    integer_axis,
    keep_legend_clear,
    laid_out,
    lines_under_box,
    log_axis,
    measured_aside,
    place_clear,
    plain_number,
    put_back,
    reach_log_ticks,
    root_figure,
    series_name,
    tidy_legend,
    value_ticks,
)
from offloadsim.plots.charts import wrapped_tick
from offloadsim.plots.pooling import refuse_pooling
from offloadsim.plots.series import (
    LABEL_BOX,
    ci_bounds,
    completed,
    drawn_label,
    log_bottom,
    mean_ci_by,
    names_of,
    need_column,
    rotate_if_crowded,
    same_line,
    series_styles,
    wide_sweep,
    x_positions,
)
from offloadsim.plots.series_names import shown_name
from offloadsim.plots.split_cuts import draw_cuts
from offloadsim.plots.style import RC, axes_or_new, house_style

__all__ = [
    "OVERLOADED_LABEL",
    "all_local_latency",
    "all_local_latency_lines",
    "ran_local",
    "all_local_layers",
    "all_local_layers_by",
    "coinciding_lines",
    "category_offset",
    "cut_intervals",
    "interval_marks",
    "metric_vs_parameter",
    "of_categories",
    "place_all_local_labels",
    "split_all_local_note",
    "split_vs_parameter",
]

#: Characters a line of a category tick on the x axis holds: five three-station lists side by side fit.
_LIST_TICK = 14


def metric_vs_parameter(
    metrics: pd.DataFrame,
    metric: str,
    x: str,
    *,
    by: str | None = "policy",
    kind: str | None = None,
    ax: Axes | None = None,
    log_x: bool | None = None,
    log_y: bool = False,
    order: Sequence[Any] | None = None,
    label: str | None = None,
    legend_title: str | None = None,
    within: Mapping[tuple[Any, Any], tuple[float, float]] | None = None,
) -> Axes:
    """A job-level metric against a swept parameter: mean line per ``by`` value with a 95 % CI band.

    ``x`` is the swept key path (a column of a sweep's metrics); ``label``
    names it on the axis (default: the key path).  Unit strings
    (``"5 Mbps"``) go on a numeric axis in display units; ``kind`` forces
    the quantity kind (see :func:`offloadsim.analysis.values.quantity_kind`).
    ``log_x`` defaults to a log axis when the values span 10× or more
    (:func:`wide_sweep`);
    ``order`` fixes the series order and colours.  Every swept value gets a
    tick; labels that would collide are left off.  Values that are no
    quantity (an in-flight rule, a precision, a codec) are categories: a
    tick each, in the order first swept, and a point per series with its CI
    as an error bar, the series side by side (:func:`category_offset`), no
    line or band between categories, which have no order nor anything between.
    ``within``: the least and most a point's interval may reach (display units), by series value
    (None without ``by``) and swept value: a layer count's t-interval over 2 replications reached
    0 layers where no task ran fewer than 3 (:func:`split_vs_parameter`); the note says so
    (:func:`cut_intervals`).
    """
    need_column(metrics, x, "the swept key path, a column of a sweep's metrics")
    need_column(metrics, metric)
    ax = axes_or_new(ax)
    info = metric_info(metric)
    positions, axis_label, numeric, distinct = x_positions(metrics[x].tolist(), x, kind, label)
    where = {v: p for v, p in zip(distinct, positions, strict=True)}
    groups = names_of(metrics, by, order) if by else [None]
    refuse_pooling(metrics, [by, x], f"{info.label} against {label or x}", value=metric)
    drawn: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    lone_bars: list[bool] = []  # per series with an error bar for a point with no band, whether all are
    _LONE_INTERVALS.pop(ax, None)  # drawn before on axes cleared since (a log axis after all)
    _CUT_INTERVALS.discard(ax)
    with house_style():
        styles = series_styles(groups, order if by else None)
        tables, subsets = {}, {}
        for name in groups:
            subset = metrics if name is None else metrics[metrics[by].astype(object) == name]
            subsets[name] = subset
            table = mean_ci_by(subset, [x], metric)
            table["pos"] = [where[v] for v in table[x]]
            tables[name] = table.sort_values("pos")
        # Categories (an in-flight rule, a precision) have no order and nothing between them: a
        # point and its error bar each, the series side by side, where a line would interpolate.
        under = same_line(tables) if numeric else {}
        for k, (name, table) in enumerate(tables.items()):
            mean = table["mean"].to_numpy(dtype=float) * info.scale
            low, high = ci_bounds(info, mean, table["ci"].to_numpy(dtype=float) * info.scale)
            if within is not None:
                low, high = _within(low, high, [within.get((name, v)) for v in table[x]], ax)
            drawn.append((mean, low, high))
            style = styles[name]
            if not numeric:
                ax.errorbar(
                    table["pos"] + category_offset(k, len(tables)),
                    mean,
                    yerr=np.vstack([mean - low, high - mean]),
                    color=style["color"],
                    marker=style["marker"],
                    linestyle="none",
                    capsize=2,
                    label=None if name is None else str(name),
                )
                continue
            over = _overloaded_at(subsets[name], x, table[x])
            series_label = None if name is None else drawn_label(name, under, "line")
            ax.plot(
                table["pos"],
                np.where(over, np.nan, mean),  # an overloaded point and the segments into it: drawn apart
                color=style["color"],
                marker=style["marker"],
                linestyle=style["linestyle"],
                # A series overloaded at every point: named by its hollow points (a NaN line is no entry).
                label=series_label if not over.all() else None,
            )
            if over.any():
                pos = table["pos"].to_numpy(dtype=float)
                _draw_overloaded(ax, pos, mean, over, style, series_label if over.all() else None)
            # No band into an overloaded point: its interval is of a mean that depends on the run's length.
            low, high = np.where(over, np.nan, low), np.where(over, np.nan, high)
            ax.fill_between(table["pos"], low, high, color=style["color"], alpha=0.2, linewidth=0)
            # A band needs a neighbour to reach: a lone x value (--where picked one) drew none, while
            # the note said "bands". Its interval is an error bar instead.
            lone = _without_band(low, high)
            if lone.any():
                ax.errorbar(
                    table["pos"].to_numpy(dtype=float)[lone],
                    mean[lone],
                    yerr=np.vstack([mean[lone] - low[lone], high[lone] - mean[lone]]),
                    color=style["color"],
                    fmt="none",
                    capsize=2,
                    label="_interval",
                )
                lone_bars.append(bool(lone.all()))
        if not numeric:
            _CATEGORIES.add(ax)
        overloaded = numeric and any(_overloaded_at(subsets[n], x, t[x]).any() for n, t in tables.items())
        if overloaded:
            ax.plot(  # the legend's word for what a hollow point is; no data
                [np.nan],
                [np.nan],
                color="0.35",
                marker="o",
                markerfacecolor="white",
                linestyle="-",
                alpha=_OVERLOADED_ALPHA,
                label=OVERLOADED_LABEL,
                gid=LEGEND_ONLY,
            )
        if lone_bars:
            _LONE_INTERVALS[ax] = all(lone_bars) and len(lone_bars) == len(tables)
        if by and numeric:
            unit = label_unit(axis_label) if numeric else ""
            _SWEEP_LINES[ax] = _SweepLines(
                {
                    str(name): (t["pos"].to_numpy(dtype=float), m)
                    for (name, t), (m, _, _) in zip(tables.items(), drawn, strict=True)
                },
                {str(name): other for name, other in under.items()},
                unit,
                {float(p): str(v) for p, v in zip(positions, distinct, strict=True)},
                numeric,
                legend_title,
            )
        if numeric:
            if log_x is None:
                log_x = wide_sweep(positions) and not on_decibels(distinct, x)
            if log_x:
                ax.set_xscale("log")
            value_ticks(ax, "x", positions)
        else:
            # A swept list ([jet-0, jet-1, jet-2] stations) is one long word a tick: broken after its
            # commas, and tilted where even so they run together (five such ran into one another).
            ax.set_xticks(positions, [wrapped_tick(str(v), _LIST_TICK) for v in distinct])
            ax.set_xlim(-0.5, len(distinct) - 0.5)
            rotate_if_crowded(ax, len(distinct), 1)
        if log_y:
            log_axis(ax, "y")
            means, lows, highs = (np.concatenate(parts) for parts in zip(*drawn, strict=True))
            bottom, top = log_bottom(means, lows), np.nanmax(np.concatenate([means, highs])) * 1.3
            # A 1, 2 or 5 at or below the lowest point: 19 ms sat below the lowest label (20).
            ax.set_ylim(*reach_log_ticks(bottom, top, 1.3))
        elif drawn and info.nonnegative and all(_least(mean, low) >= 0 for mean, low, _ in drawn):
            from_zero(ax, "y")  # a non-negative metric (every interval cut at 0): no room below it
        ax.set_xlabel(axis_label)
        ax.set_ylabel(info.axis_label)
        tidy_legend(ax, legend_title, minimum=1 if overloaded else 2)  # one series: what hollow means
        keep_legend_clear(ax)  # "best" weighs a band by its outline: it put the legend in one's middle
    return ax


#: The legend entry of an overloaded sweep point (hollow, its segments faint).
OVERLOADED_LABEL = "hollow: overloaded (no steady state)"
#: How faint the segments into an overloaded point are: a series' own dash pattern stays its own.
_OVERLOADED_ALPHA = 0.4


def _overloaded_at(runs: pd.DataFrame, x: str, values: pd.Series) -> np.ndarray:
    """Per swept value of ``values``, whether some run of ``runs`` there was overloaded.

    Read from the runs' ``warnings`` (each run's warning kinds, comma separated: the kinds
    registered ``overload=True``, :func:`~offloadsim.analysis.overload_marks.overload_kinds`), as
    the tables mark their rows ``†``; a table without it has none.
    """
    if "warnings" not in runs.columns or not len(runs):
        return np.zeros(len(values), dtype=bool)
    from offloadsim.analysis.overload_marks import overload_kinds

    said = runs["warnings"].fillna("").astype(str)
    over = [bool(overload_kinds(k.strip() for k in text.split(",") if k.strip())) for text in said]
    marked = {str(v) for v, o in zip(runs[x].astype(object), over, strict=True) if o}
    return np.array([str(v) in marked for v in values], dtype=bool)


def _draw_overloaded(
    ax: Axes, pos: np.ndarray, mean: np.ndarray, over: np.ndarray, style: Mapping[str, Any], label: str | None
) -> None:
    """The overloaded points of a series hollow, the segments into them faint, in its colour and dashes.

    A sweep past saturation drew its points as any other on one line: the notes said the runs were
    overloaded, the curve read on as a steady-state mean.  The legend says once what hollow means;
    ``label``: the series' own entry, where all its points are overloaded (else its line has it).
    """
    for i in range(len(pos) - 1):
        if over[i] or over[i + 1]:
            ax.plot(
                pos[i : i + 2],
                mean[i : i + 2],
                color=style["color"],
                linestyle=style["linestyle"],
                alpha=_OVERLOADED_ALPHA,
                label="_overloaded",
            )
    ax.plot(
        pos[over],
        mean[over],
        color=style["color"],
        marker=style["marker"],
        markerfacecolor="white",
        linestyle="none",
        label=label or "_overloaded",
    )


def _least(mean: np.ndarray, low: np.ndarray) -> float:
    """The least of the means and lower bounds drawn (0 for none): a mean below 0 with no interval counts.

    Only the lower bounds were looked at, a missing one (one replication) read as 0: a metric's
    mean of −5,503 ms was drawn under an axis starting at 0, off the figure without a word.
    """
    values = np.fmin(mean, low)
    values = values[np.isfinite(values)]
    return float(values.min()) if values.size else 0.0


def _without_band(low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Per point, whether its interval is finite but no band reaches it (no neighbour with one).

    A band is shaded between two neighbouring points that both have an interval: a point alone
    on the axis, or between points with none (one replication), gets none.

    >>> _without_band(np.array([1.0]), np.array([2.0])).tolist()
    [True]
    >>> _without_band(np.array([1.0, np.nan, 1.0, 1.0]), np.array([2.0, np.nan, 2.0, 2.0])).tolist()
    [True, False, False, False]
    """
    has = np.isfinite(low) & np.isfinite(high)
    before = np.concatenate([[False], has[:-1]])
    after = np.concatenate([has[1:], [False]])
    return has & ~before & ~after


#: The width of a category that its series' points share, side by side (the rest: room between).
_CATEGORY_SHARE = 0.5


def category_offset(index: int, count: int) -> float:
    """How far from its category's tick the ``index``-th of ``count`` series is drawn.

    Side by side, centred on the tick, so that two series' points and error bars at one value
    do not hide each other.

    >>> category_offset(0, 1), [category_offset(k, 3) for k in range(3)]
    (0.0, [-0.16666666666666666, 0.0, 0.16666666666666666])
    """
    if count < 2:
        return 0.0
    step = _CATEGORY_SHARE / count
    return (index - (count - 1) / 2) * step


#: The Axes whose x values are categories, drawn as points with error bars (no lines, no bands).
_CATEGORIES: weakref.WeakSet[Axes] = weakref.WeakSet()


def of_categories(ax: Axes) -> bool:
    """Whether ``ax`` is a sweep over categories: its intervals are error bars, not bands."""
    return ax in _CATEGORIES


#: The sweep Axes that drew an error bar for a point no band reaches: whether every interval is one.
_LONE_INTERVALS: weakref.WeakKeyDictionary[Axes, bool] = weakref.WeakKeyDictionary()

#: The split Axes on which some interval was cut to the layers its point's tasks ran.
_CUT_INTERVALS: weakref.WeakSet[Axes] = weakref.WeakSet()

#: What :func:`interval_marks` adds where an interval was cut (:func:`_within`).
CUT_TO_CUTS = "each cut to the fewest and most layers its point's tasks ran"


def _within(
    low: np.ndarray, high: np.ndarray, bounds: Sequence[tuple[float, float] | None], ax: Axes
) -> tuple[np.ndarray, np.ndarray]:
    """``low`` and ``high`` cut to each point's ``bounds`` (None: not cut); ``ax`` marked if any was."""
    least = np.array([-np.inf if b is None else b[0] for b in bounds], dtype=float)
    most = np.array([np.inf if b is None else b[1] for b in bounds], dtype=float)
    cut_low, cut_high = np.clip(low, least, most), np.clip(high, least, most)
    if not (np.allclose(cut_low, low, equal_nan=True) and np.allclose(cut_high, high, equal_nan=True)):
        _CUT_INTERVALS.add(ax)
    return cut_low, cut_high


def interval_marks(axes: Sequence[Axes]) -> str:
    """What the sweep ``axes`` drew their intervals as: ``bands``, ``error bars``, or both, said.

    Over categories, or at a lone x value (``--where`` picked one swept value), a point's interval
    is an error bar: a band needs a neighbour to reach.

    >>> interval_marks([])
    'bands'
    """
    shown = [ax for ax in axes if ax.get_visible()]
    bars = [of_categories(ax) or _LONE_INTERVALS.get(ax, False) for ax in shown]
    if shown and all(bars):
        return "error bars"
    if any(bars) or any(ax in _LONE_INTERVALS for ax in shown):
        return "bands (error bars at a point with no neighbour to reach)"
    return "bands"


def cut_intervals(axes: Sequence[Axes]) -> str:
    """``"each cut to the fewest and most layers its point's tasks ran"`` where a split panel cut one; or "".

    >>> cut_intervals([])
    ''
    """
    return CUT_TO_CUTS if any(ax in _CUT_INTERVALS for ax in axes if ax.get_visible()) else ""


class _SweepLines(NamedTuple):
    """The lines :func:`metric_vs_parameter` drew on one Axes, for :func:`coinciding_lines`.

    ``lines``: per series, in drawing order, its swept values' places and its means as drawn;
    ``same``: the series drawn wholly on another (the legend says so); ``unit`` and ``written``
    name a swept value in the note (its place, or the value itself on an axis of categories);
    ``by``: the legend's title, the series' names shown as it shows them (:func:`shown_name`).
    """

    lines: dict[str, tuple[np.ndarray, np.ndarray]]
    same: dict[str, str]
    unit: str
    written: dict[float, str]
    numeric: bool
    by: str | None


#: The lines of each sweep Axes, so that the note of where two of them coincide can be written once
#: the figure's limits are final.
_SWEEP_LINES: weakref.WeakKeyDictionary[Axes, _SweepLines] = weakref.WeakKeyDictionary()


#: Two lines closer than this share of the axes' height over a segment are drawn one over the other.
_COINCIDE = 0.01


def coinciding_lines(axes: Sequence[Axes]) -> str:
    """The note under a figure saying where one sweep line is drawn over another, or ``""``.

    Between two swept values where both lines run within 1 % of the axes' height of each other,
    the later drawn hides the earlier: a reader sees one line where the legend names two (a
    policy that chose the same split as another over part of the sweep). Said as
    ``lines drawn over each other: neurosurgeon over edge at 100–500 Mbit/s``, each panel's
    ranges named by its panel where they differ. A series drawn wholly on another is said by
    its legend entry instead (``(same line as edge)``). Measured at the axes' present limits:
    call it once they are final.

    >>> coinciding_lines([])
    ''
    """
    panels = [(ax, _overlaps(ax, lines)) for ax in axes if (lines := _SWEEP_LINES.get(ax)) is not None]
    found = [(ax, said) for ax, said in panels if said]
    if not found:
        return ""
    if all(said == found[0][1] for _, said in found):
        return f"lines drawn over each other: {'; '.join(found[0][1])}"
    parts = []
    for ax, said in found:
        panel = ax.get_title(loc="left").split(" ", 1)[0]
        parts.append(f"{panel} {'; '.join(said)}" if panel.startswith("(") else "; ".join(said))
    return f"lines drawn over each other: {'; '.join(parts)}"


def _overlaps(ax: Axes, drawn: _SweepLines) -> list[str]:
    """``neurosurgeon over edge at 100–500 Mbit/s``: each range where a line lies on an earlier one."""
    to_axes = ax.transScale + ax.transLimits  # data to the axes' fraction, at the present limits

    def segments(name: str) -> dict[tuple[float, float], tuple[float, float]]:
        places, means = drawn.lines[name]
        with np.errstate(all="ignore"):
            ys = to_axes.transform(np.column_stack([places, means]))[:, 1]
        return {
            (places[k], places[k + 1]): (ys[k], ys[k + 1])
            for k in range(len(places) - 1)
            if np.isfinite(ys[k : k + 2]).all()
        }

    def named(first: float, last: float) -> str:
        if not drawn.numeric:
            return f"{drawn.written[first]}–{drawn.written[last]}"
        return f"{plain_number(first)}–{plain_number(last)}" + (f" {drawn.unit}" if drawn.unit else "")

    names = list(drawn.lines)
    said = []
    for i, top in enumerate(names):
        mine = segments(top)
        for below in names[:i]:
            if drawn.same.get(top) == below or below in drawn.same:
                continue
            theirs = segments(below)
            shared = sorted(
                key
                for key in mine.keys() & theirs.keys()
                if all(abs(a - b) <= _COINCIDE for a, b in zip(mine[key], theirs[key], strict=True))
            )
            runs: list[list[float]] = []
            for start, end in shared:
                if runs and runs[-1][-1] == start:
                    runs[-1].append(end)
                else:
                    runs.append([start, end])
            if runs:
                ranges = ", ".join(named(run[0], run[-1]) for run in runs)
                said.append(f"{shown_name(top, drawn.by)} over {shown_name(below, drawn.by)} at {ranges}")
    return said


def split_vs_parameter(
    tasks: pd.DataFrame,
    x: str,
    *,
    by: str | None = "policy",
    kind: str | None = None,
    ax: Axes | None = None,
    log_x: bool | None = None,
    layers: int | Mapping[str, int] | None = None,
    series_layers: Mapping[str, int] | None = None,
    order: Sequence[Any] | None = None,
    label: str | None = None,
    legend_title: str | None = None,
) -> Axes:
    """The chosen split point against a swept parameter, Neurosurgeon-style.

    The ``split`` column counts the layers run on the source device (0 = all
    offloaded).  Each replication's mean over completed tasks is one sample;
    the line is their mean per ``by`` value with a 95 % CI band.  A dotted
    line marks all local: ``layers`` (a count, or a count per application),
    else the layer count of each application inferred with
    :func:`all_local_layers`.  An application whose count differs between
    the ``by`` values (a series per swept model) gets a line per series in
    its colour instead: ``series_layers`` (a count per series value), else
    inferred per series; one whose count moves with ``x`` (the swept model on
    the x axis) a dash at each x value.  Tasks of several applications are refused
    unless ``by="app"`` (their layer counts differ, so a mean over both is a
    split no task used).  :func:`split_all_local_note` says which have no line.
    A point whose tasks took several cuts (a policy that switched between them) has a mean no
    task ran: a hollow circle marks each cut its tasks took, its area their share
    (:func:`~offloadsim.plots.split_cuts.draw_cuts`; :func:`~offloadsim.plots.split_cuts.mixed_cuts_note`
    names them under the figure).
    """
    need_column(tasks, "split", "split_vs_parameter draws task records, such as a sweep's tasks")
    need_column(tasks, x, "the swept key path, a column of a sweep's tasks")
    ax = axes_or_new(ax)
    if by:
        names_of(tasks, by, order)  # refuses a series column the tasks do not have
    done = _with_split(tasks)
    refuse_pooling(done, [by, x], f"the split against {label or x}", rows="tasks")
    keys = [k for k in dict.fromkeys((by, x, "replication")) if k and k in done.columns]
    per_run = done.groupby(keys, sort=False, observed=True)["split"].mean().reset_index()
    ax = metric_vs_parameter(
        per_run,
        "split",
        x,
        by=by,
        kind=kind,
        ax=ax,
        log_x=log_x,
        order=order,
        label=label,
        within=_cuts_taken(done, by, x),  # a mean of counts lies between the counts the tasks ran
    )
    with house_style():
        depths = _depth_lines(done, by, layers, series_layers, x)
        # The series' own colours: a legend entry "resnet50 (same line as mobilenet_v2)" is no name.
        styles = series_styles(names_of(per_run, by, order), order) if by else {}
        colours = {str(name): style["color"] for name, style in styles.items()}
        cuts = _draw_task_cuts(ax, done, x, by if by != x else None, per_run, kind, label, order, colours)
        for line in depths.lines:
            ax.axhline(
                line.depth,
                color=colours.get(line.colour_of, "black") if line.colour_of else "black",
                linewidth=0.6,
                linestyle=":",
                label=line.text,
            )
        if depths.per_x:
            places, _, _, distinct = x_positions(per_run[x].tolist(), x, kind, label)
            where = {str(value): float(place) for value, place in zip(distinct, places, strict=True)}
            for app, counts in depths.per_x.items():
                at = sorted((where[value], depth) for value, depth in counts.items() if value in where)
                text = (
                    f"{app}: all local (its model's layers)"
                    if by == "app"
                    else "all local (its model's layers)"
                )
                style: dict[str, Any] = {"color": "black", "linewidth": 0.6, "linestyle": ":", "label": text}
                if of_categories(ax):  # a dotted dash across each category: nothing lies between them
                    half = _CATEGORY_SHARE / 2 + 0.1
                    ax.hlines(
                        [d for _, d in at], [a - half for a, _ in at], [a + half for a, _ in at], **style
                    )
                else:
                    ax.plot([a for a, _ in at], [d for _, d in at], **style)
        # A mean: where a policy switches between cuts, no task ran the fractional depth drawn.
        ax.set_ylabel("layers run on the device, mean (count)")
        # Every depth a task ran shown, with no line as with one: a sweep of models with no line
        # once drew its 152 and 175 layers above a 0-1 axis, and the figure looked empty.
        ran = per_run["split"].to_numpy(dtype=float)
        marked = [
            *(line.depth for line in depths.lines),
            *(d for c in depths.per_x.values() for d in c.values()),
        ]
        top = max([*marked, *ran[np.isfinite(ran)], *(depth for depth, _ in cuts), 1])
        ax.set_ylim(*_room_for_circles(-0.04 * top, top * 1.06, cuts))
        integer_axis(ax, "y")
        tidy_legend(ax, legend_title)
        keep_legend_clear(ax)  # as metric_vs_parameter's: clear of the lines and markers
    return ax


def _room_for_circles(low: float, high: float, circles: Sequence[tuple[float, float]]) -> tuple[float, float]:
    """The y limits ``low``, ``high`` moved out until each circle (depth, reach in points) clears both.

    Reckoned on a panel of the least height a figure keeps
    (:data:`~offloadsim.plots.axes.LEAST_PANEL_HEIGHT_IN`): a taller one leaves more room.  A circle
    at depth 0 under 4 % of the range was cut in half by the x axis.
    """
    height_pt = LEAST_PANEL_HEIGHT_IN * 72.0
    for _ in range(8):  # each move widens the range, and the room a point's reach takes with it
        per_pt = (high - low) / height_pt
        new_low = min([low, *(depth - reach * per_pt for depth, reach in circles)])
        new_high = max([high, *(depth + reach * per_pt for depth, reach in circles)])
        if (new_low, new_high) == (low, high):
            break
        low, high = new_low, new_high
    return low, high


def _cuts_taken(done: pd.DataFrame, by: str | None, x: str) -> dict[tuple[Any, Any], tuple[float, float]]:
    """The fewest and most layers a completed task of each point ran, by series value (None) and x value."""
    keys = [by, x] if by and by != x else [x]
    ranges = done.groupby(keys, sort=False, observed=True)["split"].agg(["min", "max"])
    found = {}
    for key, row in ranges.iterrows():
        series, value = key if len(keys) == 2 else ((key if by == x else None), key)
        found[(series, value)] = (float(row["min"]), float(row["max"]))
    return found


def _draw_task_cuts(
    ax: Axes,
    done: pd.DataFrame,
    x: str,
    by: str | None,
    per_run: pd.DataFrame,
    kind: str | None,
    label: str | None,
    order: Sequence[Any] | None,
    colours: Mapping[str, str],
) -> list[tuple[float, float]]:
    """Each cut the tasks of a point took where several, at its place; each circle's depth and reach."""
    places, axis_label, numeric, distinct = x_positions(per_run[x].tolist(), x, kind, label)
    unit = label_unit(axis_label) if numeric else ""  # "2 /s", as the lines' end labels write it
    where = {str(value): float(place) for value, place in zip(distinct, places, strict=True)}
    written = {
        str(value): (f"{plain_number(place)} {unit}".strip() if numeric else str(value))
        for value, place in zip(distinct, places, strict=True)
    }
    names = [str(name) for name in names_of(per_run, by, order)] if by else []
    offsets = (
        {name: category_offset(k, len(names)) for k, name in enumerate(names)} if of_categories(ax) else {}
    )
    own = colours or {"": series_styles([None])[None]["color"]}  # one series: the line's colour
    return draw_cuts(ax, done, x, by, where, written, own, offsets)


class _DepthLine(NamedTuple):
    """One all-local line of a split figure: its label, its depth, the series whose colour it takes."""

    text: str
    depth: int
    colour_of: str | None


class _Depths(NamedTuple):
    """The all-local lines of a split panel, per application or series with none why, and the dashes.

    ``per_x``: per application whose depth moves with the x axis (a swept model along it), its
    depth at each x value (as text).
    """

    lines: list[_DepthLine]
    missing: dict[str, str]
    per_x: dict[str, dict[str, int]]


def _depth_lines(
    done: pd.DataFrame,
    by: str | None,
    layers: int | Mapping[str, int] | None,
    series_layers: Mapping[str, int] | None,
    x: str | None = None,
) -> _Depths:
    """The all-local line(s) to draw: one per application present in ``done``, else one per series.

    An application whose tasks ran all local at several depths (a swept model keeps its name) has
    no one line; where ``by`` separates its depths (a series per model), each series gets its own,
    and where ``x`` does (the model along the x axis), a dash at each x value.
    """
    app_of = done["app"].astype(str).to_numpy() if "app" in done.columns else np.full(len(done), "")
    apps = [str(a) for a in dict.fromkeys(app_of)] or [""]
    if isinstance(layers, int):
        apps, known = apps[:1], {apps[0]: layers}
    else:
        known = dict(layers) if layers else all_local_layers(done)
    unknown = "no task of it ran wholly on its device, so its layer count is unknown"
    lines: list[_DepthLine] = []
    missing: dict[str, str] = {}
    per_x: dict[str, dict[str, int]] = {}
    for app in apps:
        if app in known:
            count = int(known[app])
            if by == "app":
                lines.append(_DepthLine(f"{app}: all local ({count:,})", count, app))
            else:
                lines.append(_DepthLine(f"all local ({count:,} layers)", count, None))
            continue
        per_series: dict[str, int] = {}
        if by and by != "app" and by in done.columns:
            per_series = dict(series_layers) if series_layers else all_local_layers_by(done, by)
        if not per_series and x and x != by and x in done.columns:
            per_x[app] = all_local_layers_by(done[app_of == app], x)
            if per_x[app]:
                continue
            del per_x[app]
        if not per_series:
            # A swept model keeps its application's name: one line would mark one model's depth.
            several = (
                "its tasks ran all local at several depths (a swept model; give its key to --by or --facet)"
            )
            missing[app] = several if (ran_local(done) & (app_of == app)).any() else unknown
            continue
        for name in dict.fromkeys(done.loc[app_of == app, by].astype(str)):
            if name in per_series:
                count = int(per_series[name])
                lines.append(_DepthLine(f"{name}: all local ({count:,} layers)", count, name))
            else:
                missing[name] = unknown
    return _Depths(lines, missing, per_x)


def split_all_local_note(
    tasks: pd.DataFrame,
    by: str | None,
    layers: int | Mapping[str, int] | None = None,
    series_layers: Mapping[str, int] | None = None,
    x: str | None = None,
) -> str:
    """The note under a split figure naming each application or series that has no all-local line, and why.

    Empty when every one has its line (:func:`split_vs_parameter` draws them from the same inputs).
    """
    missing = _depth_lines(_with_split(tasks), by, layers, series_layers, x).missing
    said = [f"{name or 'the application'}: {why}" for name, why in missing.items()]
    return f"no all-local line: {'; '.join(said)}" if said else ""


def _with_split(tasks: pd.DataFrame) -> pd.DataFrame:
    """The completed tasks that recorded a split (a number of layers run on the device)."""
    done = completed(tasks)
    return done[np.isfinite(pd.to_numeric(done["split"], errors="coerce").to_numpy(dtype=float))]


def ran_local(done: pd.DataFrame) -> np.ndarray:
    """Per task, whether it ran wholly on its source device."""
    if "placement" not in done.columns or "source" not in done.columns:
        return np.zeros(len(done), dtype=bool)
    return done["placement"].astype(str).to_numpy() == done["source"].astype(str).to_numpy()


def all_local_layers_by(done: pd.DataFrame, by: str) -> dict[str, int]:
    """Per value of the ``by`` column, the layer count its tasks run wholly on their source had.

    Only the values whose all-local tasks are of one application at one depth (:func:`all_local_layers`).
    """
    found: dict[str, int] = {}
    for name, part in done.groupby(done[by].astype(str).to_numpy(), sort=False):
        counts = all_local_layers(part)
        if len(counts) == 1:
            found[str(name)] = next(iter(counts.values()))
    return found


def all_local_layers(done: pd.DataFrame) -> dict[str, int]:
    """Per application, the split of its tasks run wholly on their source: its layer count.

    Applications none of whose tasks ran all local are missing, and so is one
    whose tasks ran all local at several depths: a sweep of its model
    (``applications.classify.model``) keeps the application's name while the
    layer count changes, and one line would mark the deepest model's count
    in every panel.
    """
    local = ran_local(done)
    if not local.any():
        return {}
    apps = done["app"].astype(str) if "app" in done.columns else pd.Series("", index=done.index)
    counts = done.loc[local, "split"].groupby(apps[local].to_numpy()).agg(["min", "max"])
    return {str(app): int(row["max"]) for app, row in counts.iterrows() if row["min"] == row["max"]}


def all_local_latency(tasks: pd.DataFrame) -> tuple[dict[str, float], dict[str, str]]:
    """Per application, its own latency run wholly on its source device with nothing queued before it.

    That is the mean compute time of its completed tasks placed on their
    source (every layer there, no transfer): what splitting has to beat.
    The second dict says, per application none of whose tasks ran there,
    why: it cannot run on its device (a task placed there was dropped as
    not among the application's hosts: an 8B LLM served only in the cloud),
    or no task happened to run there.
    """
    n = len(tasks)
    app_of = tasks["app"].astype(str).to_numpy() if "app" in tasks.columns else np.full(n, "", dtype=object)
    status = tasks["status"].astype(str).to_numpy() if "status" in tasks.columns else np.full(n, "completed")
    local = (status == "completed") & ran_local(tasks)
    times = pd.Series(tasks["compute_time"].to_numpy(dtype=float)[local]).groupby(app_of[local]).mean()
    found = {str(app): float(value) for app, value in times.items() if np.isfinite(value)}
    reasons = tasks["reason"].astype(str).to_numpy() if "reason" in tasks.columns else np.full(n, "")
    why: dict[str, str] = {}
    for app in dict.fromkeys(app_of):
        if app in found:
            continue
        refused = any("not among its hosts" in reason for reason in reasons[app_of == app])
        why[app] = "cannot run on its device (not among its hosts)" if refused else "never ran there"
    return found, why


def all_local_latency_lines(
    ax: Axes,
    tasks: pd.DataFrame,
    *,
    names: Mapping[str, str] | None = None,
    x: str | None = None,
    positions: Mapping[Any, float] | None = None,
    series: Sequence[str] = (),
) -> str:
    """Mark on a latency axis (ms) each application's all-local latency (:func:`all_local_latency`).

    A dotted line per application, labelled at its right end with its
    value; ``names`` renames applications on the labels (a model's name).
    The y axis is widened to show each line (a log axis whose range was set
    from the series' points could leave it, and its label, outside).
    Returns a note for the figure naming each application that has no line
    and why (empty when every one has one), rather than drawing a line no
    task could have run at.

    With ``x`` (a swept column of ``tasks``) and ``positions`` (each of its
    values' place on the axis), an application whose all-local latency
    moves with ``x`` (a swept precision, device or model) or differs
    between the values of a ``series`` column other than the policy gets a
    dotted curve through its latency at each ``x`` value, one per series
    value, instead of one line at their mean, which no task ran at.
    """
    found, why = all_local_latency(tasks)
    names = dict(names or {})
    several = len(found) + len(why) > 1
    curves = _all_local_curves(tasks, x, positions, series) if x is not None and positions else {}
    with house_style():
        # By series name: a curve of "resnet50 (same line as mobilenet_v2)" was drawn black.
        colours = {series_name(str(line.get_label())): line.get_color() for line in ax.get_lines()}
        for app, seconds in found.items():
            name = names.get(app, app)
            text = f"{name} all local" if several or name else "all local"
            if app in curves:
                for group, (where, ms) in curves[app].items():
                    colour = colours.get(group, "black") if len(curves[app]) > 1 else "black"
                    for value in ms:
                        _show_y(ax, value)
                    if of_categories(ax) and not np.allclose(ms, ms[0], rtol=1e-9, atol=0.0):
                        # Categories: a dash at each, no line through values that have nothing between.
                        ax.plot(where, ms, color=colour, linestyle="none", marker="_", label="_all local")
                    else:
                        ax.plot(where, ms, color=colour, linewidth=0.6, linestyle=":", label="_all local")
                    label = f"{text}{f' ({group})' if len(curves[app]) > 1 else ''}, no queue"
                    _curve_label(ax, label, float(where[-1]), float(ms[-1]))
                continue
            _show_y(ax, seconds * 1e3)
            ax.axhline(seconds * 1e3, color="black", linewidth=0.6, linestyle=":", label="_all local")
            label = f"{text}, no queue: {seconds * 1e3:.0f} ms"
            placed = _label_clear_of_lines(ax, label, seconds * 1e3)
            _ALL_LOCAL_LABELS.setdefault(ax, []).append((label, seconds * 1e3, placed))
    missing = [f"{names.get(app, app) or 'the application'} {reason}" for app, reason in why.items()]
    return f"no all-local line: {'; '.join(missing)}" if missing else ""


def _all_local_curves(
    tasks: pd.DataFrame, x: str, positions: Mapping[Any, float], series: Sequence[str]
) -> dict[str, dict[str, tuple[np.ndarray, np.ndarray]]]:
    """Per application whose all-local latency is not one number: per series value, (x places, ms).

    The mean compute time of the completed tasks run wholly on their source
    (as :func:`all_local_latency`), per value of ``x`` and of the ``series``
    columns that can change it (not the policy, nor its parameters: the
    model costs the same on its device whichever policy placed it there).
    An application whose values all agree (to a relative 1e-9: a swept
    bandwidth, say) is left out, for one straight line.
    """
    if x not in tasks.columns:
        return {}
    groups = [
        c
        for c in dict.fromkeys(series)
        if c in tasks.columns
        and c not in (x, "app", "replication")
        and c != "policy"
        and not c.startswith("policy.")
    ]
    status = (
        tasks["status"].astype(str).to_numpy()
        if "status" in tasks.columns
        else np.full(len(tasks), "completed")
    )
    local = (status == "completed") & ran_local(tasks)
    rows = tasks.loc[local, [c for c in ("app", *groups, x) if c in tasks.columns]].astype(str)
    rows = rows.assign(
        app=rows["app"] if "app" in rows.columns else "",
        _x=tasks.loc[local, x]
        .map(lambda v: positions.get(v, positions.get(str(v), np.nan)))
        .to_numpy(dtype=float),
        _group=rows[groups].apply(", ".join, axis=1) if groups and len(rows) else "",
        _ms=tasks.loc[local, "compute_time"].to_numpy(dtype=float) * 1e3,
    )
    rows = rows[np.isfinite(rows["_x"].to_numpy(dtype=float))]
    found: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]] = {}
    for app, part in rows.groupby("app", sort=False):
        means = part.groupby(["_group", "_x"], sort=True)["_ms"].mean()
        values = means.to_numpy(dtype=float)
        if len(values) < 2 or np.allclose(values, values[0], rtol=1e-9, atol=0.0):
            continue
        found[str(app)] = {
            str(group): _across(means[group], positions) for group in dict.fromkeys(part["_group"])
        }
    return found


def _across(means: pd.Series, positions: Mapping[Any, float]) -> tuple[np.ndarray, np.ndarray]:
    """A series value's all-local curve (x places, ms): across the whole x axis where it does not move.

    Its tasks ran all local at a few x values only (a policy that offloads
    once the uplink is fast): a latency the same at each of them is the same
    at every x (a swept bandwidth does not change it), so the line spans the
    axis, as the straight line of an application that one value draws, and
    does not stop short where that policy stopped running locally.
    """
    where, ms = means.index.to_numpy(dtype=float), means.to_numpy(dtype=float)
    places = [float(p) for p in positions.values() if np.isfinite(p)]
    if len(ms) and places and np.allclose(ms, ms[0], rtol=1e-9, atol=0.0):
        return np.array([min(places), max(places)]), np.array([ms[0], ms[0]])
    return where, ms


def _curve_label(ax: Axes, text: str, x: float, y: float) -> Annotation:
    """Label an all-local curve at its last point ``(x, y)``: below it, or above where below runs out.

    Below its lowest point, an LLM precision sweep's label ran over the x axis and its tick labels
    (the last precision the fastest); above it, it stays inside the axes.  Neither fits: below.
    """

    def annotate(dy: float, va: str) -> Annotation:
        note = ax.annotate(
            text,
            (x, y),
            xytext=(-3, dy),
            textcoords="offset points",
            ha="right",
            va=va,
            fontsize=6,
            bbox=LABEL_BOX,
        )
        note.set_in_layout(False)  # inside the axes: the layout need not make room for it
        return note

    for dy, va in ((-2, "top"), (2, "bottom")):
        note = annotate(dy, va)
        renderer = laid_out(ax)
        patch = note.get_bbox_patch()  # the white box behind the text
        box = patch.get_window_extent(renderer) if patch is not None else note.get_window_extent(renderer)
        frame = ax.get_window_extent(renderer)
        if frame.y0 <= box.y0 and box.y1 <= frame.y1:
            return note
        note.remove()
    return annotate(-2, "top")


def _show_y(ax: Axes, y: float) -> None:
    """Widen ``ax``'s y range, if need be, to hold ``y`` with a margin (a log axis: a factor 1.3)."""
    low, high = ax.get_ylim()
    log = ax.get_yscale() == "log"
    if low <= y <= high:
        return
    if log:
        ax.set_ylim(min(low, y / 1.3), max(high, y * 1.3))
    else:
        margin = 0.05 * (max(high, y) - min(low, y))
        ax.set_ylim(min(low, y - margin), max(high, y + margin))


def place_all_local_labels(ax: Axes) -> None:
    """Place the all-local labels drawn on ``ax`` again, at the figure's present layout and legend.

    They were placed before a moved legend (:func:`~offloadsim.plots.axes.clear_legend`)
    or the notes under the figure took room: one may sit under the legend now.
    """
    kept = _ALL_LOCAL_LABELS.get(ax, [])
    with house_style():
        for k, (text, y, note) in enumerate(kept):
            note.remove()
            kept[k] = (text, y, _label_clear_of_lines(ax, text, y))


#: The all-local labels of each Axes (text, height, the label placed), for :func:`place_all_local_labels`.
_ALL_LOCAL_LABELS: weakref.WeakKeyDictionary[Axes, list[tuple[str, float, Annotation | Legend]]] = (
    weakref.WeakKeyDictionary()
)


#: The drawing order of an all-local label that no place leaves clear of every line: above the CI
#: bands (zorder 1), whose shade its box hides, and under the lines, markers and error bars (2).
UNDER_LINES = 1.5


#: How far (points) an all-local label's box keeps from the axes' top and bottom: inside the axes by
#: 1 px at 100 dpi, a box at the bottom right still sat on the x axis line (the spine is 0.6 pt).
FRAME_GAP_PT = 2.0


def _label_clear_of_lines(ax: Axes, text: str, y: float) -> Annotation | Legend:
    """Label a horizontal line at ``y`` below or above it, where it covers no data line.

    Tried in order: its right end below, left end below, right end above, left end above, then its
    middle, quarters and eighths below and above; then all of those again with the label on two lines
    (:func:`_two_lines`), half as wide: on a faceted figure's panels a label of one line half their
    width lay over a line at every place. Kept: the first whose box covers no data (a line, its markers,
    an error bar, a CI band) and not the legend, nor comes within :data:`FRAME_GAP_PT` of the axes' top
    or bottom (below a line by the lower limit its box hid the x axis, or sat on it) or, away from the
    ends, runs out at a side; else the first that covers only bands (its box hides a patch of shade, not
    a line: a label over the uplink's slowest line at 3-5.85 Mbit/s read as that line's value); else, as
    a key of its own where that covers no line (:func:`_key_clear_of_data`); else the one covering the
    fewest lines, drawn under them (:data:`UNDER_LINES`): its box hid the stretch of the lines it
    covered (neurosurgeon's from 10 to 50 Mbit/s under an AlexNet label in a sweep faceted by codec),
    which now cross its text. Returns the label.
    """
    ends = [
        (1.0, "right", -2, "top"),
        (0.0, "left", -2, "top"),
        (1.0, "right", 2, "bottom"),
        (0.0, "left", 2, "bottom"),
    ]
    middles = [(x, "center", dy, va) for x in _LABEL_PLACES for dy, va in ((-2, "top"), (2, "bottom"))]
    places = [
        (label, *place) for label in dict.fromkeys((text, _two_lines(text))) for place in (*ends, *middles)
    ]

    def annotate(label: str, x: float, ha: str, dy: float, va: str) -> Annotation:
        shift = {"right": -3, "left": 3}.get(ha, 0)
        note = ax.annotate(
            label,
            (x, y),
            xycoords=("axes fraction", "data"),
            xytext=(shift, dy),
            textcoords="offset points",
            ha=ha,
            va=va,
            fontsize=6,
            bbox=LABEL_BOX,
            multialignment="center",
        )
        note.set_in_layout(False)  # inside the axes: the layout need not make room for it
        return note

    scored: list[tuple[int, int, int]] = []  # (lines covered, data covered, place), for the fallbacks
    for k, place in enumerate(places):
        with measured_aside(ax, functools.partial(annotate, *place)) as (note, renderer):
            patch = note.get_bbox_patch()  # the white box behind the text, which hides what it covers
            box = patch.get_window_extent(renderer) if patch is not None else note.get_window_extent(renderer)
        legend = ax.get_legend()
        if legend is not None and box.overlaps(legend.get_window_extent(renderer)):
            continue
        frame = ax.get_window_extent(renderer)
        if place[2] == "center" and (
            box.x0 < frame.x0 or box.x1 > frame.x1
        ):  # a middle one wider than its side
            continue
        gap = FRAME_GAP_PT * ax.figure.dpi / 72
        if box.y0 < frame.y0 + gap or box.y1 > frame.y1 - gap:  # below a line by the x axis, its box hid
            continue  # the axis; 1 px above it, it sat on the axis line
        data = _data_under(ax, box)
        if not data:
            return annotate(*place)
        with _bands_hidden(ax):  # what it covers but for the shade of the bands
            lines = _data_under(ax, box)
        scored.append((len(lines), len(data), k))
    if scored and min(scored)[0] == 0:  # it covers a band's shade only
        return annotate(*places[min(scored)[2]])
    for label in dict.fromkeys(
        (text, _two_lines(text))
    ):  # on two lines, half as wide, where one is not clear
        key = _key_clear_of_data(ax, label)
        if key is not None:
            return key
    if not scored:
        return annotate(*places[0])
    fewest = min(scored)
    note = annotate(*places[fewest[2]])
    if fewest[0]:  # it covers lines: they are drawn over it, its box hiding shade only
        note.set_zorder(UNDER_LINES)
    return note


def _key_clear_of_data(ax: Axes, text: str) -> Legend | None:
    """``text`` beside a dotted key, as a legend of its own, where in ``ax`` it covers no data; or None.

    Where every place beside its line covers another line (a faceted panel whose policies' lines cross
    the all-local line on both sides), the label keeps clear of them as a legend does, its key the
    line's own dotted black, clear of the panel's legend and of the labels inside the axes.
    """
    with house_style():
        key = Legend(
            ax,
            [Line2D([], [], color="black", linewidth=0.6, linestyle=":")],
            [text],
            fontsize=6,
            handlelength=1.6,
        )
    key.set_in_layout(False)  # inside the axes: the layout need not make room for it
    ax.add_artist(key)
    legend = ax.get_legend()
    avoid = [*([legend] if legend is not None else []), *(t for t in ax.texts if t.get_visible())]
    if place_clear(ax, key, avoid):
        return key
    # Else over a band's shade only, as the label beside its line may be: never over a line.
    with _bands_hidden(ax):
        clear = place_clear(ax, key, avoid)
    if clear:
        return key
    key.remove()
    return None


@contextmanager
def _bands_hidden(ax: Axes) -> Iterator[None]:
    """``ax``'s CI bands hidden for the block: what a box covers but for their shade."""
    bands = [c for c in ax.collections if isinstance(c, PolyCollection) and c.get_visible()]
    with put_back(ax):
        for band in bands:
            band.set_visible(False)
        try:
            yield
        finally:
            for band in bands:
                band.set_visible(True)


#: Where along its line (a share of the axes' width) a label goes when neither end is clear.
_LABEL_PLACES = (0.5, 0.25, 0.75, 0.125, 0.375, 0.625, 0.875)


def _two_lines(text: str) -> str:
    """``text`` broken at the ", " nearest its middle (itself where it has none).

    >>> print(_two_lines("classify all local, no queue: 372 ms"))
    classify all local,
    no queue: 372 ms
    """
    cuts = [i for i in range(len(text)) if text.startswith(", ", i)]
    if not cuts:
        return text
    cut = min(cuts, key=lambda i: abs(i - len(text) / 2))
    return f"{text[: cut + 1]}\n{text[cut + 2 :]}"


def _data_under(ax: Axes, box: Any) -> list[str]:
    """The data series ``box`` covers on ``ax`` (not the all-local lines, nor anything unnamed).

    The box is widened by half a line's width and a marker's: a line 1 pt under a label's box, its
    stroke and markers half under it, was clear of it as a polyline through the markers' centres.
    """
    pad = _DATA_REACH_PT * root_figure(ax).dpi / 72.0
    padded = Bbox.from_extents(box.x0 - pad, box.y0 - pad, box.x1 + pad, box.y1 + pad)
    return [line for line in lines_under_box(ax, padded) if not line.startswith("_")]


#: How far a line's stroke and markers reach past the polyline through their centres, in points.
_DATA_REACH_PT = (float(RC["lines.linewidth"]) + float(RC["lines.markersize"])) / 2
