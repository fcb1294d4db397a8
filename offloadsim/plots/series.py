"""What every chart of experiments shares: the columns it needs, its series and their styles, means with CIs.

Also the words a note uses for how many replications a mean is over, where swept values sit on
an x axis, and how a line or curve lying on another is named in the legend
(``edge (same line as local)``), so that no series is hidden without a word.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from offloadsim.analysis.metric_display import zero_width
from offloadsim.analysis.statistics import mean_ci
from offloadsim.analysis.values import axis_label_for, quantity_kind, to_si
from offloadsim.plots.pooling import refuse_pooling
from offloadsim.plots.series_names import drawn_label
from offloadsim.plots.style import style_map

__all__ = [
    "LABEL_BOX",
    "ci_bounds",
    "completed",
    "drawn_label",
    "drawn_under",
    "interval_text",
    "log_bottom",
    "mean_ci_by",
    "names_of",
    "need_column",
    "need_columns",
    "pooled_text",
    "replications_text",
    "rotate_if_crowded",
    "same_curve",
    "same_line",
    "series_styles",
    "wide_sweep",
    "x_positions",
]


def need_column(frame: pd.DataFrame, column: str, hint: str = "") -> None:
    """Raise :class:`ValueError` naming ``column``, the closest and every column, if ``frame`` lacks it.

    ``hint``: what the data should have been (``latency_cdf`` reads task records, ``result.tasks``).
    A chart given the wrong table or a misspelt metric raised a bare ``KeyError: 'mean_latency'``,
    and one given no table (a results directory's path, None) an AttributeError.
    """
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(
            f"expected a DataFrame of records with a column {column!r}"
            + (f" ({hint})" if hint else "")
            + f", got {type(frame).__name__} {frame!r:.60}"
        )
    if column in frame.columns:
        return
    from offloadsim.suggest import did_you_mean_key

    names = [str(name) for name in frame.columns]
    raise ValueError(  # a hint says what was wanted: a near name of another table would mislead
        f"no column {column!r} in the data"
        + (f" ({hint})" if hint else did_you_mean_key(column, names))
        + f"; columns: {', '.join(names)}"
    )


def need_columns(frame: pd.DataFrame, columns: Sequence[str], hint: str) -> None:
    """:func:`need_column` of each of ``columns`` in turn: what a chart reads before drawing anything.

    ``node_utilisation`` given the tasks, or ``stage_timeline`` the stages where the tasks go, raised
    a bare ``KeyError: 'node'`` (``'arrival'``) from inside pandas, where the other charts named the
    column and the table they draw.
    """
    for column in columns:
        need_column(frame, column, hint)


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


def mean_ci_by(
    frame: pd.DataFrame, keys: Sequence[str], value: str, *, what: str = "", rows: str = "jobs"
) -> pd.DataFrame:
    """Mean and 95 % CI half-width of ``value`` per combination of ``keys`` (first-appearance order).

    Only replications are pooled: rows that agree on ``keys`` and on the
    replication index but differ in another configuration column raise
    :class:`ValueError` naming it.  With one replication the CI is NaN, and
    charts draw none (a bar of zero length would claim certainty).  A half-width of rounding
    noise (replications that all gave the same value, a spread of 1e-10 mJ) is 0, as the tables
    show it (:func:`~offloadsim.analysis.metric_display.zero_width`).
    """
    need_column(frame, value)
    refuse_pooling(frame, keys, what or f"the mean of {value} per {', '.join(keys)}", rows=rows, value=value)
    table = []
    for key, group in frame.groupby(list(keys), sort=False, observed=True, dropna=False):
        mean, half = mean_ci(group[value].to_numpy(dtype=float))
        half = 0.0 if zero_width(mean, half) else half
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

    A metric that cannot be negative (``info.nonnegative``, every shipped one) has a t-interval
    reaching below zero (few replications, a skewed metric) cut at zero, and a share (unit ``%``)
    at 100 %.  A metric that can be (a plug-in's slack), or a mean below 0 all the same, is not cut
    at zero: its interval was cut to [0, 0] above a mean of −5,503 ms.
    """
    ceiling = 100.0 if info.unit == "%" else np.inf
    low, high = np.minimum(mean - half, ceiling), np.minimum(mean + half, ceiling)
    if not getattr(info, "nonnegative", True):
        return low, high
    cut = ~(mean < 0)  # NaN means stay NaN either way
    return np.where(cut, np.maximum(low, 0.0), low), np.where(cut, np.maximum(high, 0.0), high)


def log_bottom(means: np.ndarray, lows: np.ndarray) -> float:
    """The bottom of a log axis: below every mean and every positive lower bound."""
    values = np.concatenate([means, lows])
    values = values[np.isfinite(values) & (values > 0)]
    return float(values.min() / 1.3) if values.size else 1e-3


def rotate_if_crowded(ax: Axes, count: int, limit: int) -> None:
    """Tilt the x tick labels where, more than ``limit`` of them, upright ones would run together.

    Upright labels read best: five short policy names (``local`` ... ``random``) side by side fit
    a one-column figure with room to spare, and were tilted all the same for being more than four.
    Measured at the figure's present layout, with an em between neighbours to spare (a legend or
    notes laid out later take some of the width).
    """
    if count > limit and not _upright_fits(ax):
        ax.tick_params(axis="x", labelrotation=30)
        for label in ax.get_xticklabels():
            label.set_horizontalalignment("right")


def _upright_fits(ax: Axes) -> bool:
    """Whether ``ax``'s upright x tick labels leave an em (their font size) between neighbours."""
    from offloadsim.plots.axes import laid_out

    renderer = laid_out(ax)
    labels = [label for label in ax.get_xticklabels() if label.get_visible() and label.get_text()]
    boxes = sorted((label.get_window_extent(renderer) for label in labels), key=lambda box: box.x0)
    if not labels:
        return True
    em = float(labels[0].get_fontsize()) * ax.figure.dpi / 72
    return all(left.x1 + em <= right.x0 for left, right in itertools.pairwise(boxes))


def x_positions(
    values: Sequence[Any], key: str, kind: str | None, label: str | None = None
) -> tuple[np.ndarray, str, bool, list[Any]]:
    """Numeric positions for swept values, the axis label, whether numeric, and the sorted distinct values."""
    distinct = list(dict.fromkeys(values))
    kind = kind if kind is not None else quantity_kind(distinct)
    if kind is not None:
        si = to_si(distinct, kind)
        largest = float(np.nanmax(np.abs(si))) if len(si) and not np.isnan(si).all() else None
        text, factor = axis_label_for(key, kind, label, largest, distinct)
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


def same_line(tables: Mapping[Any, pd.DataFrame]) -> dict[Any, str]:
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

    return drawn_under([(name, t) for name, t in tables.items() if name is not None and len(t)], same)


def same_curve(latencies: Mapping[Any, np.ndarray]) -> dict[Any, str]:
    """Each series whose latency CDF lies (within 2 % at every percentile) on an earlier one's, and its name.

    A sweep's CDF drew ``neurosurgeon`` (which sent every task whole to the edge) over ``edge``:
    the legend named both, the axes showed one line.
    """
    percent = np.linspace(0.0, 100.0, 101)
    curves = [(name, np.percentile(values, percent)) for name, values in latencies.items()]
    return drawn_under(curves, lambda mine, theirs: bool(np.allclose(mine, theirs, rtol=0.02, atol=0.0)))


def drawn_under(series: Sequence[tuple[Any, Any]], same: Callable[[Any, Any], bool]) -> dict[Any, str]:
    """Each series that ``same`` finds drawn on an earlier one (itself not under another), and its name.

    The one search of :func:`same_line` (lines of a sweep), :func:`same_curve` (latency CDFs)
    and :func:`_coinciding` (markers).
    """
    under: dict[Any, str] = {}
    for i, (name, mine) in enumerate(series):
        for other, earlier in series[:i]:
            if other not in under and same(mine, earlier):
                under[name] = str(other)
                break
    return under


LABEL_BOX = {"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.8}


#: Energy units in order of size, each with its factor from J: an axis steps up while its values
#: reach 10,000 (a powered server's energy per task read 471,442 mJ).
_ENERGY_UNITS = (("mJ", 1e3), ("J", 1.0), ("kJ", 1e-3), ("MJ", 1e-6))


def readable_unit(info: Any, largest: float) -> Any:
    """``info`` (a catalogue Metric) in the energy unit its ``largest`` value (SI) reads best in.

    Under 10,000 of the unit shown; other units, and values that fit, are left as they are.

    >>> from offloadsim.analysis.catalogue import metric_info
    >>> readable_unit(metric_info("device_energy_mean_j"), 471.4).unit
    'J'
    >>> readable_unit(metric_info("device_energy_mean_j"), 0.2).unit
    'mJ'
    """
    import dataclasses

    units = [unit for unit, _ in _ENERGY_UNITS]
    if info.unit not in units or not math.isfinite(largest):
        return info
    i = units.index(info.unit)
    while i + 1 < len(_ENERGY_UNITS) and abs(largest) * _ENERGY_UNITS[i][1] >= 10_000:
        i += 1
    unit, scale = _ENERGY_UNITS[i]
    return info if unit == info.unit else dataclasses.replace(info, unit=unit, scale=scale)
