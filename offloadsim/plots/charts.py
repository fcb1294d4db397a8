"""Figures of experiments: each takes records (DataFrames) and an optional Axes, draws one chart, returns it.

They read only the documented record columns (DESIGN.md section 5) and the
per-job metrics of :mod:`offloadsim.experiments`; they never call pyplot.
Every axis label carries its unit.  A mean with a CI is taken over
replications only: data that mixes configurations the chart does not show
(another application, objective or swept value) is refused with a
:class:`ValueError` naming them (see :mod:`offloadsim.plots.pooling`).
The charts of one run over time are in :mod:`offloadsim.plots.runs`.
"""

from __future__ import annotations

import math
import re
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Annotation
from matplotlib.transforms import Bbox

from offloadsim.analysis.catalogue import metric_info
from offloadsim.analysis.statistics import mean_ci
from offloadsim.analysis.values import axis_label_for, quantity_kind, to_si
from offloadsim.plots.axes import (
    clear_legend,
    fit_y_labels,
    integer_axis,
    laid_out,
    lines_under_box,
    log_axis,
    plain_number,
    span_at_least,
    tidy_legend,
    value_ticks,
)
from offloadsim.plots.pooling import identity_columns, refuse_pooling
from offloadsim.plots.style import PALETTE, axes_or_new, house_style, note_under, style_map

__all__ = [
    "latency_cdf",
    "metric_bars",
    "metric_vs_parameter",
    "split_vs_parameter",
    "all_local_latency",
    "all_local_latency_lines",
    "energy_latency",
    "say_unlabelled_ends",
    "coinciding_lines",
    "node_utilisation",
    "calibration_accuracy",
    "interval_text",
    "pooled_text",
]


def need_column(frame: pd.DataFrame, column: str, hint: str = "") -> None:
    """Raise :class:`ValueError` naming ``column``, the closest and every column, if ``frame`` lacks it.

    ``hint``: what the data should have been (``latency_cdf`` reads task records, ``result.tasks``).
    A chart given the wrong table or a misspelt metric raised a bare ``KeyError: 'mean_latency'``.
    """
    if column in frame.columns:
        return
    from offloadsim.suggest import did_you_mean

    names = [str(name) for name in frame.columns]
    raise ValueError(  # a hint says what was wanted: a near name of another table would mislead
        f"no column {column!r} in the data"
        + (f" ({hint})" if hint else did_you_mean(column, names))
        + f"; columns: {', '.join(names)}"
    )


def names_of(frame: pd.DataFrame, column: str, order: Sequence[Any] | None = None) -> list[Any]:
    """Distinct values of ``column``: those in ``order`` first (in that order), then by first appearance."""
    need_column(frame, column)
    present = list(pd.unique(frame[column].astype(object)))
    if order is None:
        return present
    first = [name for name in order if name in present]
    return first + [name for name in present if name not in first]


def series_styles(names: Sequence[Any], order: Sequence[Any] | None = None) -> dict[Any, dict[str, Any]]:
    """The style of each of ``names`` by its place in ``order`` (then in ``names``), in ``names``' order.

    A panel of a faceted figure may hold only some of the series: each keeps
    the colour and marker it has in every other panel and in the legend.
    """
    styles = style_map([*(order or []), *names])
    return {name: styles[name] for name in dict.fromkeys(names)}


def completed(tasks: pd.DataFrame) -> pd.DataFrame:
    """The completed tasks (all of them when there is no ``status`` column)."""
    if "status" not in tasks.columns:
        return tasks
    return tasks[tasks["status"].astype(str).to_numpy() == "completed"]


# --------------------------------------------------------------------------- latency


#: The simulated clock's resolution (one microsecond, scenario.sanity), in the CDF's milliseconds.
_CLOCK_MS = 1e-3


def latency_cdf(
    tasks: pd.DataFrame,
    *,
    by: str = "policy",
    ax: Axes | None = None,
    log_x: bool | None = None,
    points: int = 1000,
    order: Sequence[Any] | None = None,
    legend_title: str | None = None,
) -> Axes:
    """Empirical CDF of the latency of completed tasks, one line per value of ``by``.

    Each CDF is drawn through ``points`` quantiles (enough for print, and
    small files).  ``log_x`` defaults to a log axis when latencies span more
    than 30×.  ``order`` fixes the series order (and so their colours);
    by default it is the order of first appearance in ``tasks``.  Tasks of
    several applications or sweep points in one series are refused.  The
    legend goes where it covers no curve (:func:`~offloadsim.plots.axes.clear_legend`;
    call that again after changing the figure's layout).
    """
    need_column(tasks, "latency", "latency_cdf draws task records, such as a result's tasks")
    ax = axes_or_new(ax)
    names = names_of(tasks, by, order)
    done = completed(tasks)
    refuse_pooling(done, [by], "the latency CDF", rows="tasks")
    with house_style():
        styles = series_styles(names, order)
        latencies = {}
        for name in styles:
            values = done.loc[done[by].astype(object) == name, "latency"].to_numpy(dtype=float) * 1e3
            values = values[np.isfinite(values)]
            if values.size:
                latencies[name] = values
        under = _same_curve(latencies)
        spans = []
        for name, values in latencies.items():
            probs = np.linspace(0.0, 1.0, min(points, values.size) + 1)
            ax.plot(
                np.quantile(values, probs),
                probs,
                color=styles[name]["color"],
                linestyle=styles[name]["linestyle"],
                label=_drawn_label(name, under, "line"),
            )
            spans.append((values.min(), values.max()))
        if log_x is None and spans:
            low = min(s[0] for s in spans)
            log_x = low > 0 and max(s[1] for s in spans) / low > 30
        if log_x:
            log_axis(ax, "x")
        elif spans:  # the engine's clock resolves a microsecond: a spread below it is not a spread
            span_at_least(ax, "x", min(s[0] for s in spans), max(s[1] for s in spans), _CLOCK_MS)
        ax.set_xlabel("latency (ms)")
        ax.set_ylabel("fraction of completed tasks (0–1)")
        ax.set_ylim(0.0, 1.02)
        # Not a fixed corner: a long-tailed curve runs through the lower right (the gallery's local
        # line did, under its own legend entry).  Callers that add notes place it again.
        tidy_legend(ax, legend_title, loc="lower right")
        clear_legend(ax)
    return ax


# --------------------------------------------------------------------------- metrics


def mean_ci_by(
    frame: pd.DataFrame, keys: Sequence[str], value: str, *, what: str = "", rows: str = "jobs"
) -> pd.DataFrame:
    """Mean and 95 % CI half-width of ``value`` per combination of ``keys`` (first-appearance order).

    Only replications are pooled: rows that agree on ``keys`` and on the
    replication index but differ in another configuration column raise
    :class:`ValueError` naming it.  With one replication the CI is NaN, and
    charts draw none (a bar of zero length would claim certainty).
    """
    need_column(frame, value)
    refuse_pooling(frame, keys, what or f"the mean of {value} per {', '.join(keys)}", rows=rows, value=value)
    table = []
    for key, group in frame.groupby(list(keys), sort=False, observed=True, dropna=False):
        mean, half = mean_ci(group[value].to_numpy(dtype=float))
        key = key if isinstance(key, tuple) else (key,)
        table.append({**dict(zip(keys, key, strict=True)), "mean": mean, "ci": half})
    return pd.DataFrame(table, columns=[*keys, "mean", "ci"])


def interval_text(what: str, low: int, high: int | None = None) -> str:
    """What a figure's intervals are, said on the figure: its note under the axes.

    ``low`` to ``high`` replications per interval (a range when configurations differ):

    >>> interval_text("error bars", 3)
    'error bars: 95 % CI of the mean (Student t) over 3 replications'
    >>> interval_text("bands", 2, 3)
    'bands: 95 % CI of the mean (Student t) over 2–3 replications'
    """
    high = low if high is None else high
    if high < 2:
        return "one replication: no confidence interval drawn"
    return f"{what}: 95 % CI of the mean (Student t) over {replications_text(low, high)} replications"


def pooled_text(low: int, high: int | None = None) -> str:
    """What a CDF whose lines each pool ``low`` to ``high`` replications' tasks says on itself.

    Nothing (``""``) when each line is one run.

    >>> pooled_text(8)
    'each line pools the completed tasks of 8 replications'
    """
    high = low if high is None else high
    if high < 2:
        return ""
    return f"each line pools the completed tasks of {replications_text(low, high)} replications"


def replications_text(low: int, high: int) -> str:
    """``"3"``, or ``"2–3"`` when configurations have different numbers of replications."""
    return f"{low}–{high}" if low != high else str(high)


def ci_bounds(info: Any, mean: np.ndarray, half: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The CI ``mean ± half`` (display units) cut to what the metric can be: >= 0, a share <= 100 %.

    Every job metric is non-negative, so a t-interval reaching below zero
    (few replications, a skewed metric) is cut at zero, and a share (unit
    ``%``) at 100 %.
    """
    ceiling = 100.0 if info.unit == "%" else np.inf
    return np.clip(mean - half, 0.0, ceiling), np.clip(mean + half, 0.0, ceiling)


def _log_bottom(means: np.ndarray, lows: np.ndarray) -> float:
    """The bottom of a log axis: below every mean and every positive lower bound."""
    values = np.concatenate([means, lows])
    values = values[np.isfinite(values) & (values > 0)]
    return float(values.min() / 1.3) if values.size else 1e-3


def _rotate_if_crowded(ax: Axes, count: int, limit: int) -> None:
    if count > limit:
        ax.tick_params(axis="x", labelrotation=30)
        for label in ax.get_xticklabels():
            label.set_horizontalalignment("right")


def metric_bars(
    metrics: pd.DataFrame,
    metric: str = "latency_p95_s",
    *,
    by: str = "policy",
    ax: Axes | None = None,
    log_y: bool = False,
    order: Sequence[Any] | None = None,
    label: str | None = None,
    group: str | None = None,
    legend_title: str | None = None,
) -> Axes:
    """A job-level metric's mean per ``by`` value with 95 % CI error bars over replications.

    Bars on a linear axis from zero; with ``log_y`` (for values orders of
    magnitude apart) a dot and its CI per value instead, since a bar's
    length means nothing on a log axis.  ``order`` fixes the order and
    colours; ``label`` names the x axis (``by``, or ``group`` when given).

    With ``group``, a cluster of bars per ``group`` value along x, one bar
    per ``by`` value in each, coloured by it and named in a legend headed
    ``legend_title``: a tick per bar naming every combination ("{profile:
    cortex-a76}, local") ran into its neighbours, where a tick per group
    (its value wrapped at its commas) has room.
    """
    ax = axes_or_new(ax)
    info = metric_info(metric)
    keys = [group, by] if group is not None else [by]
    table = mean_ci_by(metrics, keys, metric, what=f"{info.label} per {', '.join(keys)}")
    names = names_of(metrics, by, order)
    groups = names_of(metrics, group) if group is not None else [None]
    present = set(map(tuple, table[keys].astype(object).to_numpy().tolist()))
    bars = []  # (x, series name, mean, CI half-width), in drawing order
    width = 0.7 if group is None else 0.8 / max(1, len(names))
    for g, value in enumerate(groups):
        shown = [n for n in names if ((value, n) if group is not None else (n,)) in present]
        for i, name in enumerate(shown if group is None else names):
            row = table[table[by].astype(object) == name]
            if group is not None:
                row = row[row[group].astype(object) == value]
            if row.empty:
                continue
            centre = float(i) if group is None else g + (i - (len(names) - 1) / 2) * width
            bars.append((centre, name, float(row["mean"].iloc[0]), float(row["ci"].iloc[0])))
    with house_style():
        styles = series_styles(names, order)
        x = np.array([b[0] for b in bars], dtype=float)
        mean = np.array([b[2] for b in bars], dtype=float) * info.scale
        low, high = ci_bounds(info, mean, np.array([b[3] for b in bars], dtype=float) * info.scale)
        legend_names: set[Any] = set()

        def key_label(name: Any) -> str | None:
            if group is None or name in legend_names:
                return None
            legend_names.add(name)
            return str(name)

        if log_y:
            zero = [str(b[1]) for b, value in zip(bars, mean, strict=True) if not value > 0]
            if zero:
                raise ValueError(
                    f"a log axis cannot show a mean of 0 or less ({', '.join(zero)}): draw it with --no-logy"
                )
            # A lower bound at zero cannot be drawn on a log axis: its arm runs off the bottom.
            bottom = _log_bottom(mean, low)
            for i, (_, name, _, _) in enumerate(bars):
                named: dict[str, Any] = {"label": key_label(name)} if group is not None else {}
                ax.errorbar(
                    [x[i]],
                    [mean[i]],
                    yerr=[[mean[i] - max(low[i], bottom / 10)], [high[i] - mean[i]]],
                    color=styles[name]["color"],
                    marker=styles[name]["marker"],
                    markersize=5,
                    linestyle="none",
                    elinewidth=0.8,
                    capsize=3,
                    **named,
                )
            log_axis(ax, "y")
            ax.set_xlim(-0.6, (len(bars) if group is None else len(groups)) - 0.4)
            top = np.nanmax(np.concatenate([mean, high]))
            # Room above the highest dot for the legend, which goes above the dots.
            ax.set_ylim(bottom, top * (1.3 if group is None else (top / bottom) ** 0.4 * 1.3))
        else:
            for series in [None] if group is None else names:  # one container per series in a legend
                at = [i for i, b in enumerate(bars) if series is None or b[1] == series]
                keyed: dict[str, Any] = {"label": str(series)} if series is not None else {}
                ax.bar(
                    x[at],
                    mean[at],
                    yerr=[mean[at] - low[at], high[at] - mean[at]],
                    color=[styles[bars[i][1]]["color"] for i in at],
                    edgecolor="black",
                    linewidth=0.5,
                    error_kw={"elinewidth": 0.8, "ecolor": "black"},
                    width=width,
                    **keyed,
                )
            ax.set_ylim(bottom=0)
            if group is not None:  # room above the tallest bar for the legend, which goes above the bars
                tops = np.concatenate([mean, high])
                top = float(np.nanmax(tops)) if np.isfinite(tops).any() else 1.0
                ax.set_ylim(0, top * 1.35)
        if group is None:
            ax.set_xticks(x, [str(b[1]) for b in bars])
            _rotate_if_crowded(ax, len(bars), 4)
        else:
            ax.set_xticks(np.arange(len(groups)), [wrapped_tick(str(v)) for v in groups])
            _rotate_if_crowded(ax, len(groups), 4)
            tidy_legend(ax, legend_title, ncols=min(4, len(names)), loc="upper center")
        ax.set_ylabel(info.axis_label)
        ax.set_xlabel(label or group or by)
        ax.grid(axis="x", visible=False)
    return ax


#: The widest line of a wrapped tick label, in characters (about a quarter of a one-column figure).
_TICK_LINE = 22


def wrapped_tick(text: str, width: int = _TICK_LINE) -> str:
    """``text`` broken after its commas into lines of at most ``width`` characters where it can be.

    A swept mapping's value ("{memory_bandwidth: 50 GB/s, speed: 4 TFLOP/s}")
    is one long word to a tick: on one line it runs into its neighbours'.
    """
    lines: list[str] = []
    for part in re.split(r"(?<=,) ", text):
        if lines and len(lines[-1]) + 1 + len(part) <= width:
            lines[-1] += " " + part
        else:
            lines.append(part)
    return "\n".join(lines)


def x_positions(
    values: Sequence[Any], key: str, kind: str | None, label: str | None = None
) -> tuple[np.ndarray, str, bool, list[Any]]:
    """Numeric positions for swept values, the axis label, whether numeric, and the sorted distinct values."""
    distinct = list(dict.fromkeys(values))
    kind = kind if kind is not None else quantity_kind(distinct)
    if kind is not None:
        si = to_si(distinct, kind)
        largest = float(np.nanmax(np.abs(si))) if len(si) and not np.isnan(si).all() else None
        text, factor = axis_label_for(key, kind, label, largest)
        order = np.argsort(si, kind="stable")
        distinct = [distinct[i] for i in order]
        return si[order] / factor, text, True, distinct
    return np.arange(len(distinct), dtype=float), label or key, False, distinct


#: A swept axis whose largest value is this many times its smallest (all positive) is drawn on a log
#: axis: a bandwidth swept from 1 to 1000 Mbit/s on a linear axis squeezes 1-100 into its first tenth.
SWEEP_LOG_RATIO = 10.0


def wide_sweep(values: Sequence[float] | np.ndarray) -> bool:
    """Whether swept values call for a log x axis: all positive, and the largest >= 10× the smallest.

    >>> wide_sweep([1, 2, 5, 10]), wide_sweep([1, 2, 5, 9.5]), wide_sweep([0, 10, 100])
    (True, False, False)
    """
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0 or not np.all(finite > 0):
        return False
    return bool(finite.max() / finite.min() >= SWEEP_LOG_RATIO)


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
) -> Axes:
    """A job-level metric against a swept parameter: mean line per ``by`` value with a 95 % CI band.

    ``x`` is the swept key path (a column of a sweep's metrics); ``label``
    names it on the axis (default: the key path).  Unit strings
    (``"5 Mbps"``) go on a numeric axis in display units; ``kind`` forces
    the quantity kind (see :func:`offloadsim.analysis.values.quantity_kind`).
    ``log_x`` defaults to a log axis when the values span 10× or more
    (:func:`wide_sweep`);
    ``order`` fixes the series order and colours.  Every swept value gets a
    tick; labels that would collide are left off.
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
    with house_style():
        styles = series_styles(groups, order if by else None)
        tables = {}
        for name in groups:
            subset = metrics if name is None else metrics[metrics[by].astype(object) == name]
            table = mean_ci_by(subset, [x], metric)
            table["pos"] = [where[v] for v in table[x]]
            tables[name] = table.sort_values("pos")
        under = _same_line(tables)
        for name, table in tables.items():
            mean = table["mean"].to_numpy(dtype=float) * info.scale
            low, high = ci_bounds(info, mean, table["ci"].to_numpy(dtype=float) * info.scale)
            drawn.append((mean, low, high))
            style = styles[name]
            ax.plot(
                table["pos"],
                mean,
                color=style["color"],
                marker=style["marker"],
                linestyle=style["linestyle"],
                label=None if name is None else _drawn_label(name, under, "line"),
            )
            ax.fill_between(table["pos"], low, high, color=style["color"], alpha=0.2, linewidth=0)
        if by:
            unit = axis_label.rsplit("(", 1)[-1].rstrip(")") if numeric and "(" in axis_label else ""
            _SWEEP_LINES[ax] = _SweepLines(
                {
                    str(name): (t["pos"].to_numpy(dtype=float), m)
                    for (name, t), (m, _, _) in zip(tables.items(), drawn, strict=True)
                },
                {str(name): other for name, other in under.items()},
                unit,
                {float(p): str(v) for p, v in zip(positions, distinct, strict=True)},
                numeric,
            )
        if numeric:
            if log_x is None:
                log_x = wide_sweep(positions)
            if log_x:
                ax.set_xscale("log")
            value_ticks(ax, "x", positions)
        else:
            ax.set_xticks(positions, [str(v) for v in distinct])
            _rotate_if_crowded(ax, len(distinct), 5)
        if log_y:
            log_axis(ax, "y")
            means, lows, highs = (np.concatenate(parts) for parts in zip(*drawn, strict=True))
            ax.set_ylim(_log_bottom(means, lows), np.nanmax(np.concatenate([means, highs])) * 1.3)
        ax.set_xlabel(axis_label)
        ax.set_ylabel(info.axis_label)
        tidy_legend(ax, legend_title)
    return ax


class _SweepLines(NamedTuple):
    """The lines :func:`metric_vs_parameter` drew on one Axes, for :func:`coinciding_lines`.

    ``lines``: per series, in drawing order, its swept values' places and its means as drawn;
    ``same``: the series drawn wholly on another (the legend says so); ``unit`` and ``written``
    name a swept value in the note (its place, or the value itself on an axis of categories).
    """

    lines: dict[str, tuple[np.ndarray, np.ndarray]]
    same: dict[str, str]
    unit: str
    written: dict[float, str]
    numeric: bool


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
                said.append(f"{top} over {below} at {ranges}")
    return said


def _same_line(tables: Mapping[Any, pd.DataFrame]) -> dict[Any, str]:
    """Each series whose line lies (within 2 % at every swept value) on an earlier one's, and its name.

    A trial's sweep drew ``neurosurgeon`` (which chose the edge at every point) exactly over
    ``edge``: the legend named both, the axes showed one.
    """

    def same(table: pd.DataFrame, earlier: pd.DataFrame) -> bool:
        if list(table["pos"]) != list(earlier["pos"]):
            return False
        mine, theirs = table["mean"].to_numpy(dtype=float), earlier["mean"].to_numpy(dtype=float)
        close = np.allclose(mine, theirs, rtol=0.02, atol=0.0, equal_nan=True)
        return bool(np.isfinite(mine).any()) and bool(close)

    return _drawn_under([(name, t) for name, t in tables.items() if name is not None and len(t)], same)


def _same_curve(latencies: Mapping[Any, np.ndarray]) -> dict[Any, str]:
    """Each series whose latency CDF lies (within 2 % at every percentile) on an earlier one's, and its name.

    A sweep's CDF drew ``neurosurgeon`` (which sent every task whole to the edge) over ``edge``:
    the legend named both, the axes showed one line.
    """
    percent = np.linspace(0.0, 100.0, 101)
    curves = [(name, np.percentile(values, percent)) for name, values in latencies.items()]
    return _drawn_under(curves, lambda mine, theirs: bool(np.allclose(mine, theirs, rtol=0.02, atol=0.0)))


def _drawn_label(name: Any, under: Mapping[Any, str], drawn: str) -> str:
    """A series' legend entry, naming the one it is drawn on: ``neurosurgeon (same line as edge)``.

    ``drawn`` is ``line`` or ``spot`` (markers); :data:`offloadsim.plots.axes._SAME_AS` reads it back.
    """
    return f"{name} (same {drawn} as {under[name]})" if name in under else str(name)


def _drawn_under(series: Sequence[tuple[Any, Any]], same: Callable[[Any, Any], bool]) -> dict[Any, str]:
    """Each series that ``same`` finds drawn on an earlier one (itself not under another), and its name.

    The one search of :func:`_same_line` (lines of a sweep), :func:`_same_curve` (latency CDFs)
    and :func:`_coinciding` (markers).
    """
    under: dict[Any, str] = {}
    for i, (name, mine) in enumerate(series):
        for other, earlier in series[:i]:
            if other not in under and same(mine, earlier):
                under[name] = str(other)
                break
    return under


def split_vs_parameter(
    tasks: pd.DataFrame,
    x: str,
    *,
    by: str | None = "policy",
    kind: str | None = None,
    ax: Axes | None = None,
    log_x: bool | None = None,
    layers: int | Mapping[str, int] | None = None,
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
    :func:`all_local_layers`.  Tasks of several applications are refused
    unless ``by="app"`` (their layer counts differ, so a mean over both is a
    split no task used).
    """
    ax = axes_or_new(ax)
    if by:
        names_of(tasks, by, order)  # refuses a series column the tasks do not have
    done = completed(tasks)
    done = done[np.isfinite(pd.to_numeric(done["split"], errors="coerce").to_numpy(dtype=float))]
    refuse_pooling(done, [by, x], f"the split against {label or x}", rows="tasks")
    keys = [k for k in dict.fromkeys((by, x, "replication")) if k and k in done.columns]
    per_run = done.groupby(keys, sort=False, observed=True)["split"].mean().reset_index()
    ax = metric_vs_parameter(
        per_run, "split", x, by=by, kind=kind, ax=ax, log_x=log_x, order=order, label=label
    )
    with house_style():
        local_layers = _layers_shown(layers, done)
        colours = {str(line.get_label()): line.get_color() for line in ax.get_lines()}
        for app, count in local_layers.items():
            text = f"{app}: all local ({count})" if by == "app" else f"all local ({count} layers)"
            ax.axhline(
                count,
                color=colours.get(app, "black") if by == "app" else "black",
                linewidth=0.6,
                linestyle=":",
                label=text,
            )
        # A mean: where a policy switches between cuts, no task ran the fractional depth drawn.
        ax.set_ylabel("layers run on the device, mean (count)")
        top = max([*local_layers.values(), 1])
        ax.set_ylim(-0.04 * top, top * 1.06)
        integer_axis(ax, "y")
        tidy_legend(ax, legend_title)
    return ax


def _layers_shown(layers: int | Mapping[str, int] | None, done: pd.DataFrame) -> dict[str, int]:
    """The all-local line(s) to draw: one per application present in ``done``."""
    apps = [str(a) for a in pd.unique(done["app"].astype(str))] if "app" in done.columns else [""]
    if isinstance(layers, int):
        return {app: layers for app in apps[:1]}
    known = dict(layers) if layers else all_local_layers(done)
    return {app: int(known[app]) for app in apps if app in known}


def all_local_layers(done: pd.DataFrame) -> dict[str, int]:
    """Per application, the split of its tasks run wholly on their source: its layer count.

    Applications none of whose tasks ran all local are missing.
    """
    if "placement" not in done.columns or "source" not in done.columns:
        return {}
    local = done["placement"].astype(str).to_numpy() == done["source"].astype(str).to_numpy()
    if not local.any():
        return {}
    apps = done["app"].astype(str) if "app" in done.columns else pd.Series("", index=done.index)
    counts = done.loc[local, "split"].groupby(apps[local].to_numpy()).max()
    return {str(app): int(n) for app, n in counts.items()}


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
    local = (status == "completed") & (
        tasks["placement"].astype(str).to_numpy() == tasks["source"].astype(str).to_numpy()
    )
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
        colours = {str(line.get_label()): line.get_color() for line in ax.get_lines()}
        for app, seconds in found.items():
            name = names.get(app, app)
            text = f"{name} all local" if several or name else "all local"
            if app in curves:
                for group, (where, ms) in curves[app].items():
                    colour = colours.get(group, "black") if len(curves[app]) > 1 else "black"
                    for value in ms:
                        _show_y(ax, value)
                    ax.plot(where, ms, color=colour, linewidth=0.6, linestyle=":", label="_all local")
                    label = f"{text}{f' ({group})' if len(curves[app]) > 1 else ''}, no queue"
                    ax.annotate(
                        label,
                        (where[-1], ms[-1]),
                        xytext=(-3, -2),
                        textcoords="offset points",
                        ha="right",
                        va="top",
                        fontsize=6,
                        bbox=_LABEL_BOX,
                    ).set_in_layout(False)
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
    local = (status == "completed") & (
        tasks["placement"].astype(str).to_numpy() == tasks["source"].astype(str).to_numpy()
    )
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
            str(group): (means[group].index.to_numpy(dtype=float), means[group].to_numpy(dtype=float))
            for group in dict.fromkeys(part["_group"])
        }
    return found


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
_ALL_LOCAL_LABELS: weakref.WeakKeyDictionary[Axes, list[tuple[str, float, Annotation]]] = (
    weakref.WeakKeyDictionary()
)


def _label_clear_of_lines(ax: Axes, text: str, y: float) -> Annotation:
    """Label a horizontal line at ``y`` at one of its ends, below or above it, where it covers no data line.

    Tried in order: right end below, left end below, right end above, left
    end above; the first whose box crosses no other line and not the
    legend is kept (else the first).  Returns the label.
    """
    places = [
        (1.0, "right", -2, "top"),
        (0.0, "left", -2, "top"),
        (1.0, "right", 2, "bottom"),
        (0.0, "left", 2, "bottom"),
    ]

    def annotate(x: float, ha: str, dy: float, va: str) -> Annotation:
        note = ax.annotate(
            text,
            (x, y),
            xycoords=("axes fraction", "data"),
            xytext=(-3 if ha == "right" else 3, dy),
            textcoords="offset points",
            ha=ha,
            va=va,
            fontsize=6,
            bbox=_LABEL_BOX,
        )
        note.set_in_layout(False)  # inside the axes: the layout need not make room for it
        return note

    for place in places:
        note = annotate(*place)
        renderer = laid_out(ax)
        patch = note.get_bbox_patch()  # the white box behind the text, which hides what it covers
        box = patch.get_window_extent(renderer) if patch is not None else note.get_window_extent(renderer)
        legend = ax.get_legend()
        if legend is not None and box.overlaps(legend.get_window_extent(renderer)):
            note.remove()
            continue
        if not [line for line in lines_under_box(ax, box) if not line.startswith("_")]:
            return note
        note.remove()
    return annotate(*places[0])


_LABEL_BOX = {"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.8}


def _same_place(a: pd.Series, b: pd.Series) -> bool:
    """Whether two markers of the energy–latency plot sit (within 2 %) on the same spot."""
    return bool(
        np.isclose(a["mean_lat"], b["mean_lat"], rtol=0.02)
        and np.isclose(a["mean_eng"], b["mean_eng"], rtol=0.02)
    )


def energy_latency(
    metrics: pd.DataFrame,
    *,
    by: str = "policy",
    x: str | None = None,
    latency: str = "latency_mean_s",
    energy: str = "device_energy_mean_j",
    ax: Axes | None = None,
    order: Sequence[Any] | None = None,
    log_x: bool | None = None,
    log_y: bool | None = None,
    legend_title: str | None = None,
) -> Axes:
    """The energy–latency trade-off: device energy (above idle) against latency, a marker per ``by`` value.

    Markers are means over replications with 95 % CI bars in both
    directions.  With ``x`` (a swept key), each ``by`` value gets one marker
    per value of ``x``, joined in order of ``x``, its two ends labelled
    with their value (inside the axes) where there is room
    (:func:`unlabelled_ends` names those left off).  Either axis turns logarithmic when
    its values span more than 10× (``log_x``/``log_y`` force it), so that
    fast policies are not crowded into one corner by a slow one.
    """
    ax = axes_or_new(ax)
    lat, eng = metric_info(latency), metric_info(energy)
    keys = [by] + ([x] if x else [])
    what = "the energy–latency markers"
    lat_table = mean_ci_by(metrics, keys, latency, what=what)
    eng_table = mean_ci_by(metrics, keys, energy, what=what)
    table = lat_table.merge(eng_table, on=keys, suffixes=("_lat", "_eng"))
    x_position: dict[Any, float] = {}
    unit = ""
    if x:
        positions, axis_label, numeric, distinct = x_positions(metrics[x].tolist(), x, None)
        x_position = {v: p for v, p in zip(distinct, positions, strict=True)}
        unit = axis_label.rsplit("(", 1)[-1].rstrip(")") if numeric and "(" in axis_label else ""
    with house_style():
        styles = series_styles(names_of(metrics, by, order), order)
        ends_to_label: list[_EndLabel] = []
        markers: list[tuple[float, float]] = []
        under = _coinciding(table, by, list(styles), x)
        for name, style in styles.items():
            rows = table[table[by] == name]
            # A swept value none of whose runs completed a task has no marker: its line ends at the
            # next one, which its end label names (it named the value not drawn, "edge's 1 Mbit/s").
            rows = rows[np.isfinite(rows[["mean_lat", "mean_eng"]].to_numpy(dtype=float)).all(axis=1)]
            if rows.empty:
                continue
            if x:
                rows = rows.assign(pos=[x_position[v] for v in rows[x]]).sort_values("pos")
            ax.errorbar(
                rows["mean_lat"] * lat.scale,
                rows["mean_eng"] * eng.scale,
                xerr=_above_zero(rows["mean_lat"], rows["ci_lat"]) * lat.scale,
                yerr=_above_zero(rows["mean_eng"], rows["ci_eng"]) * eng.scale,
                color=style["color"],
                marker=style["marker"],
                linestyle=style["linestyle"] if x else "none",
                markersize=5 if not x else 3.5,
                # Hollow, each series its own shape: a marker on the same spot as another's stays visible.
                markerfacecolor="none",
                markeredgewidth=1.0,
                elinewidth=0.7,
                label=_drawn_label(name, under, "spot"),
            )
            if not x or name in under:  # a series under another: its ends are labelled
                continue
            xs = rows["mean_lat"].to_numpy(dtype=float) * lat.scale
            ys = rows["mean_eng"].to_numpy(dtype=float) * eng.scale
            markers.extend(zip(xs.tolist(), ys.tolist(), strict=True))
            first, last = rows.iloc[0], rows.iloc[-1]
            colour = style["color"]
            if _same_place(first, last):  # a policy the swept value does not move: one label for both
                # (a line of one marker, the others not drawn, says which value that one is)
                text = _end_text(first, x, unit, last if len(rows) > 1 else None)
                ends_to_label.append(_EndLabel(text, xs[0], ys[0], colour, series=str(name)))
            else:
                ends_to_label.append(
                    _EndLabel(_end_text(first, x, unit), xs[0], ys[0], colour, xs[1], ys[1], str(name))
                )
                ends_to_label.append(
                    _EndLabel(_end_text(last, x, unit), xs[-1], ys[-1], colour, xs[-2], ys[-2], str(name))
                )
        ax.set_xlabel(lat.axis_label)
        ax.set_ylabel(eng.axis_label)
        for column, which, forced in (("mean_lat", "x", log_x), ("mean_eng", "y", log_y)):
            values = table[column].to_numpy(dtype=float)
            values = values[np.isfinite(values) & (values > 0)]
            wide = bool(values.size and values.max() / values.min() > 10)
            if forced if forced is not None else wide:
                log_axis(ax, which)
        tidy_legend(ax, legend_title)
        _label_ends(ax, ends_to_label, markers)
    return ax


def _coinciding(table: pd.DataFrame, by: str, names: Sequence[Any], x: str | None = None) -> dict[Any, str]:
    """Each series whose markers sit (within 2 %) on an earlier series' markers, and that series' name.

    Without ``x`` a series has one marker; with ``x`` (a sweep) one per swept value, and a series
    is under another only where it has the same swept values and each of its markers sits on the
    other's marker of that value (a trial's ``multi-tier`` that chose ``cloud`` at every point was
    drawn wholly under it, with nothing in the legend saying so).
    """
    rows = {name: table[table[by] == name] for name in names}
    if x is None:
        series = {name: [part.iloc[0]] for name, part in rows.items() if len(part) == 1}
    else:
        series = {
            name: [part.iloc[i] for i in np.argsort([str(v) for v in part[x]], kind="stable")]
            for name, part in rows.items()
            if len(part) and part[x].is_unique
        }

    def same(markers: list[pd.Series], earlier: list[pd.Series]) -> bool:
        return len(earlier) == len(markers) and all(
            (x is None or str(a[x]) == str(b[x])) and _same_place(a, b)
            for a, b in zip(markers, earlier, strict=True)
        )

    return _drawn_under(list(series.items()), same)


def _above_zero(mean: pd.Series, half: pd.Series) -> np.ndarray:
    """Asymmetric error bars of a non-negative quantity: the lower arm stops at zero."""
    m, h = mean.to_numpy(dtype=float), half.to_numpy(dtype=float)
    return np.vstack([np.minimum(h, m), h])


def _end_text(row: pd.Series, x: str, unit: str, last: pd.Series | None = None) -> str:
    """``"10 Mbit/s"`` (or ``"10–500 Mbit/s"`` from ``row`` to ``last``): a swept value in display units."""
    if not unit:
        return str(row[x]) if last is None else f"{row[x]}–{last[x]}"
    first = plain_number(row["pos"])
    return f"{first} {unit}" if last is None else f"{first}–{plain_number(last['pos'])} {unit}"


class _EndLabel(NamedTuple):
    """The label of a line's end point; ``(nx, ny)`` is the point next to it on the line, if any.

    ``series`` names the line, for the note that says which ends had no room for their label.
    """

    text: str
    x: float
    y: float
    colour: str
    nx: float = math.nan
    ny: float = math.nan
    series: str = ""


def _label_ends(ax: Axes, labels: Sequence[_EndLabel], markers: Sequence[tuple[float, float]] = ()) -> None:
    """Annotate line ends with small labels inside the axes, each where it overlaps no other label.

    Each label tries the four corners around its point: first the one the
    line points to as it leaves its neighbour (so the label reads as the
    line's end, not as the point beside it), then the others, preferring
    the inside of the axes.  A corner whose label would cover or touch
    another marker (``markers``, in data coordinates) is not taken either: a
    label beside another series' point reads as that point's.  One that fits
    nowhere is left off rather than drawn over another (the legend and the
    line still say which it is, and :func:`unlabelled_ends` which were left
    off, for the figure's note under the axes).  An end on the spot of one
    already labelled with the same text (two policies that both offload
    everything at 500 Mbit/s) shares that label, and the note says so.
    """
    for note in _END_LABELS.pop(ax, _Ends([], [], [], [], [])).notes:
        note.remove()  # placed before the figure's final layout
    if not labels:
        return
    notes: list[Annotation] = []
    left: list[_EndLabel] = []
    shared: list[tuple[_EndLabel, _EndLabel]] = []
    _END_LABELS[ax] = _Ends(list(labels), list(markers), notes, left, shared)
    renderer = laid_out(ax)
    # A margin of 2 px: constrained layout still moves a panel by a pixel or two at the next draw.
    frame = ax.get_window_extent(renderer).padded(-2.0)
    legend = ax.get_legend()
    placed = [legend.get_window_extent(renderer)] if legend is not None else []
    reach = 4 * ax.figure.dpi / 72  # a marker's half-width and a margin, in pixels
    dots = [ax.transData.transform(point) for point in markers]
    labelled: list[tuple[_EndLabel, float, float]] = []  # the ends given a label, at their pixels
    for label in labels:
        text, x, y, colour, nx, ny, _ = label
        px, py = ax.transData.transform((x, y))
        near = (done for done, dx, dy in labelled if math.hypot(dx - px, dy - py) <= reach)
        twin = next((done for done in near if done.text == text), None)
        if twin is not None:  # its label would say what the one on the same spot says
            shared.append((label, twin))
            continue
        others = [
            Bbox.from_extents(mx - reach, my - reach, mx + reach, my + reach)
            for mx, my in dots
            if math.hypot(mx - px, my - py) > reach  # its own marker, and those drawn in the same place
        ]
        if math.isfinite(nx) and math.isfinite(ny):
            qx, qy = ax.transData.transform((nx, ny))
            away = (px - qx, py - qy)
        else:  # towards the middle of the axes
            away = (frame.x0 + frame.width / 2 - px, frame.y0 + frame.height / 2 - py)
        corners = sorted(
            ((r, t) for r in (True, False) for t in (True, False)),
            key=lambda c: -((1 if c[0] else -1) * away[0] + (1 if c[1] else -1) * away[1]),
        )
        for to_right, to_top in corners:
            note = ax.annotate(
                text,
                (x, y),
                textcoords="offset points",
                xytext=(4 if to_right else -4, 4 if to_top else -4),
                ha="left" if to_right else "right",
                va="bottom" if to_top else "top",
                fontsize=6,
                color=colour,
                bbox=_LABEL_BOX,
            )
            note.set_in_layout(False)  # placed inside the axes: the layout need not make room for it
            box = note.get_window_extent(renderer)
            inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
            if inside and not any(box.overlaps(other) for other in (*placed, *others)):
                placed.append(box)
                notes.append(note)
                labelled.append((label, px, py))
                break
            note.remove()
        else:
            left.append(label)


class _Ends(NamedTuple):
    """The end labels of one energy–latency Axes: what to label, the markers, and how they were placed.

    ``left`` had no room; each of ``shared`` sits on the spot of another end labelled with the
    same text (that end is its pair's second).
    """

    labels: list[_EndLabel]
    markers: list[tuple[float, float]]
    notes: list[Annotation]
    left: list[_EndLabel]
    shared: list[tuple[_EndLabel, _EndLabel]]


#: The end labels of each energy–latency Axes, so that :func:`place_end_labels` can place them
#: again once the whole figure is laid out.
_END_LABELS: weakref.WeakKeyDictionary[Axes, _Ends] = weakref.WeakKeyDictionary()


def unlabelled_ends(axes: Sequence[Axes]) -> str:
    """The note under a figure naming the ends :func:`energy_latency` gave no label of their own, or ``""``.

    A line whose end label is left off no longer says which end is which swept value; the note says
    which labels are missing and why (no room, or one label on the spot for two lines' ends), so
    that the reader does not take an unlabelled end for another one.

    >>> unlabelled_ends([])
    ''
    """
    missing: list[str] = []
    shared: list[str] = []
    for ax in axes:
        ends = _END_LABELS.get(ax)
        if ends is None:
            continue
        for label in ends.left:
            what = _end_name(label)
            if what not in missing:
                missing.append(what)
        for label, twin in ends.shared:
            what = (
                f"{twin.series}'s and {label.series}'s {label.text}"
                if twin.series and label.series
                else f"{_end_name(twin)} and {_end_name(label)}"
            )
            if what not in shared:
                shared.append(what)
    said = []
    if shared:
        said.append(f"one label for ends on the same spot: {_first_few(shared)}")
    if missing:
        said.append(f"no room for the labels of these line ends: {_first_few(missing)}")
    return "; ".join(said)


def _end_name(label: _EndLabel) -> str:
    """``neurosurgeon's 500 Mbit/s``: a line end as the note under the figure names it."""
    return f"{label.series}'s {label.text}" if label.series else label.text


def _first_few(names: Sequence[str]) -> str:
    """The first :data:`_MISSING_SHOWN` of ``names``, and how many more."""
    shown = ", ".join(names[:_MISSING_SHOWN])
    return shown + (f" and {len(names) - _MISSING_SHOWN} more" if len(names) > _MISSING_SHOWN else "")


#: How many left-off end labels the note names.
_MISSING_SHOWN = 4


def place_end_labels(ax: Axes) -> None:
    """Place the end labels :func:`energy_latency` drew on ``ax`` again, at the figure's present layout.

    A panel of a multi-panel figure is labelled before the other panels, the
    shared legend and the notes under the figure shrink it: a label that fitted
    then may run out of the panel now.
    """
    kept = _END_LABELS.get(ax)
    if kept is not None:
        with house_style():
            _label_ends(ax, kept.labels, kept.markers)


def say_unlabelled_ends(fig: Figure, note: str = "", axes: Sequence[Axes] | None = None) -> None:
    """Set ``note`` under ``fig``, and the line ends of its energy–latency axes left without their own label.

    A line whose end had no label no longer says which end is which swept value. The labels go
    at the layout the notes under the axes leave (placed before, one could sit outside its panel
    or on another label now); a note naming those left off takes room too, so they go again and
    the note says what is left off then (a few rounds, until it names what it names). Both
    ``offloadsim plot --kind energy`` and the gallery's figure end with it, so that neither leaves
    an end unlabelled without a word.
    """
    axes = list(fig.axes if axes is None else axes)
    said: str | None = None
    for _ in range(_ROUNDS):
        for ax in axes:
            place_end_labels(ax)
        missing = unlabelled_ends(axes)
        if missing == said:
            return
        said = missing
        text = "\n".join(part for part in (note, missing) if part)
        if text:
            note_under(fig, text)
            fit_y_labels(fig)  # the note took height from the axes
    for ax in axes:
        place_end_labels(ax)


#: How many times the note of unlabelled line ends and the labels are placed before the note stays.
_ROUNDS = 4


# --------------------------------------------------------------------------- utilisation


def node_utilisation(
    nodes: pd.DataFrame,
    *,
    by: str = "policy",
    level: str = "auto",
    max_nodes: int = 10,
    ax: Axes | None = None,
    order: Sequence[Any] | None = None,
    legend_title: str | None = None,
) -> Axes:
    """Utilisation of computing nodes (or tiers), grouped bars per ``by`` value with 95 % CI bars.

    ``nodes`` is the per-node table of runs (``node, tier, cores,
    utilisation`` and the ``by`` and ``replication`` columns).  ``level`` is
    ``"node"``, ``"tier"`` (mean over a tier's nodes) or ``"auto"``: nodes
    when there are at most ``max_nodes`` computing nodes, else tiers.  A
    tier's bar pools its nodes, so the figure says so: each tick names how
    many nodes its bar is the mean of, and a dot per node (its mean over
    replications) shows their spread, as the x label says (none where its
    nodes all agree: the bar says it).
    """
    ax = axes_or_new(ax)
    frame = nodes
    if "cores" in frame.columns:
        frame = frame[pd.to_numeric(frame["cores"], errors="coerce").fillna(0).to_numpy() > 0]
    if level == "auto":
        level = "node" if frame["node"].nunique() <= max_nodes else "tier"
    if level not in ("node", "tier"):
        raise ValueError(f"level must be 'node', 'tier' or 'auto', got {level!r}")
    if by not in frame.columns:  # one run: a single series
        frame = frame.assign(**{by: ""})
    groups = names_of(frame, by, order)
    spread = None  # each node of a pooled tier: (by, tier) -> its nodes' means over replications
    if level == "tier":
        run_keys = list(dict.fromkeys([*identity_columns(frame, "nodes"), by, "replication"]))
        run_keys = [c for c in run_keys if c in frame.columns]
        per_run = (
            frame.groupby([*run_keys, "tier"], sort=False, observed=True, dropna=False)["utilisation"]
            .mean()
            .reset_index()
        )
        category = "tier"
        spread = _node_spread(frame, by)
    else:
        per_run = frame
        category = "node"
    table = mean_ci_by(
        per_run,
        [by, category],
        "utilisation",
        what=f"the utilisation per {by} and {category}",
        rows="jobs" if level == "tier" else "nodes",
    )
    categories = names_of(per_run, category)
    with house_style():
        styles = series_styles(groups, order)
        width = 0.8 / max(1, len(groups))
        base = np.arange(len(categories))
        for i, name in enumerate(groups):
            rows = table[table[by].astype(object) == name].set_index(category)
            means = np.array([rows["mean"].get(c, np.nan) for c in categories], dtype=float) * 100
            halves = np.array([rows["ci"].get(c, 0.0) for c in categories], dtype=float) * 100
            low, high = ci_bounds(metric_info("utilisation_x"), means, halves)
            centres = base + (i - (len(groups) - 1) / 2) * width
            ax.bar(
                centres,
                means,
                width=width,
                yerr=[means - low, high - means],
                color=styles[name]["color"],
                edgecolor="black",
                linewidth=0.4,
                # Over the nodes' dots: the CI stays readable where they crowd round the mean.
                error_kw={"elinewidth": 0.7, "ecolor": "black", "zorder": 4},
                label=str(name) if name != "" else None,
            )
            for centre, tier in zip(centres, categories, strict=True):
                values = (spread or {}).get((name, tier), np.array([]))
                if _spread_shown(values):
                    ax.scatter(
                        centre + _dot_offsets(values.size) * width,
                        values * 100,
                        s=4,
                        marker="o",
                        facecolor="white",
                        edgecolor="0.25",
                        linewidth=0.4,
                        zorder=3,
                    )
        pooled = _nodes_per_tier(spread) if spread is not None else {}
        ax.set_xticks(base, [_tier_tick(c, pooled.get(c)) for c in categories])
        _rotate_if_crowded(ax, len(categories), 5)
        shown = any(_spread_shown(v) for v in (spread or {}).values())
        ax.set_xlabel(f"{category} (dots: one per node, its mean over replications)" if shown else category)
        ax.set_ylabel("utilisation (%)")
        dots = [v for v in (spread or {}).values() if _spread_shown(v)]
        tops = (
            np.concatenate([table["mean"], table["mean"] + table["ci"], *(v for v in dots)]).astype(float)
            * 100
        )
        top = float(tops[np.isfinite(tops)].max()) if np.isfinite(tops).any() else 0.0
        # Room above the tallest bar for the legend, which goes above the bars.
        ax.set_ylim(0, max(5.0, top * (1.3 if len(groups) > 1 else 1.1)))
        ax.grid(axis="x", visible=False)
        tidy_legend(ax, legend_title, ncols=min(4, len(groups)), loc="upper center")
    return ax


def _node_spread(frame: pd.DataFrame, by: str) -> dict[tuple[Any, Any], np.ndarray]:
    """Each computing node's utilisation, its mean over replications, per (``by`` value, tier).

    In the nodes' order in ``frame``: the dots of every series line up node by node.
    """
    per_node = frame.groupby([by, "tier", "node"], sort=False, observed=True, dropna=False)[
        "utilisation"
    ].mean()
    return {
        (name, tier): group.to_numpy(dtype=float)
        for (name, tier), group in per_node.groupby(level=[0, 1], sort=False, observed=True, dropna=False)
    }


def _nodes_per_tier(spread: Mapping[tuple[Any, Any], np.ndarray]) -> dict[Any, tuple[int, int]]:
    """The fewest and most nodes a tier's bar is the mean of, over the series."""
    counts: dict[Any, list[int]] = {}
    for (_, tier), values in spread.items():
        counts.setdefault(tier, []).append(int(values.size))
    return {tier: (min(n), max(n)) for tier, n in counts.items()}


def _tier_tick(tier: Any, nodes: tuple[int, int] | None) -> str:
    """A tier's tick label, over a second line naming how many nodes its bar is the mean of."""
    if nodes is None or nodes[1] < 2:
        return str(tier)
    return f"{tier}\nmean of {replications_text(*nodes)} nodes"


def _spread_shown(values: np.ndarray) -> bool:
    """Whether a tier's nodes get dots: two or more that differ (equal ones would only repeat the bar)."""
    finite = values[np.isfinite(values)]
    return finite.size > 1 and float(finite.max() - finite.min()) > 0


def _dot_offsets(count: int) -> np.ndarray:
    """Where ``count`` node dots sit across a bar, in bar widths: side by side, clear of its error bar."""
    left = (count + 1) // 2  # half on each side of the centre, where the error bar is
    return np.concatenate([-np.linspace(0.44, 0.1, left), np.linspace(0.1, 0.44, count - left)])


# --------------------------------------------------------------------------- calibration


def calibration_accuracy(table: pd.DataFrame, *, tolerance: float = 0.10, ax: Axes | None = None) -> Axes:
    """Predicted against measured whole-model latency (log-log), with the ±``tolerance`` band.

    ``table`` is a calibration report (columns ``measured_ms``, ``predicted_ms``
    and ``role``: ``train`` or ``held-out``), as written by ``offloadsim
    calibrate --report``.
    """
    ax = axes_or_new(ax)
    lo = float(min(table["measured_ms"].min(), table["predicted_ms"].min())) / 1.5
    hi = float(max(table["measured_ms"].max(), table["predicted_ms"].max())) * 1.5
    line = np.geomspace(lo, hi, 50)
    with house_style():
        ax.fill_between(
            line, line * (1 - tolerance), line * (1 + tolerance), color="0.9", lw=0, label=f"±{tolerance:.0%}"
        )
        ax.plot(line, line, color="0.4", lw=0.8)
        for role, colour, marker in (("train", PALETTE[0], "o"), ("held-out", PALETTE[3], "s")):
            rows = table[table["role"] == role]
            if len(rows):
                ax.scatter(
                    rows["measured_ms"],
                    rows["predicted_ms"],
                    s=18,
                    color=colour,
                    marker=marker,
                    label=role,
                    zorder=3,
                )
        log_axis(ax, "x")
        log_axis(ax, "y")
        ax.set(xlim=(lo, hi), ylim=(lo, hi))
        ax.set_xlabel("measured whole-model latency (ms)")
        ax.set_ylabel("sum of per-layer predictions (ms)")
        ax.legend(loc="upper left")
    return ax
