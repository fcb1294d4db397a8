"""Figures of experiments: each takes records (DataFrames) and an optional Axes, draws one chart, returns it.

They read only the documented record columns (DESIGN.md section 5) and the
per-job metrics of :mod:`offloadsim.experiments`; they never call pyplot.
Every axis label carries its unit.  A mean with a CI is taken over
replications only: data that mixes configurations the chart does not show
(another application, objective or swept value) is refused with a
:class:`ValueError` naming them (see :mod:`offloadsim.plots.pooling`).
Here: the latency CDF, bars of a metric per series, node utilisation and
calibration accuracy.  A metric against a swept parameter (and the split
point, and the all-local reference lines) is drawn by
:mod:`offloadsim.plots.sweep_lines`, energy against latency by
:mod:`offloadsim.plots.energy_chart`, and what they all share (series, styles,
means with CIs, the notes' words) is :mod:`offloadsim.plots.series`.  The
charts of one run over time are in :mod:`offloadsim.plots.runs`.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties

from offloadsim.analysis.catalogue import metric_info
from offloadsim.plots.axes import (
    LEAST_PANEL_HEIGHT_IN,
    UNSEEN_GID,
    clear_legend,
    fit_y_labels,
    laid_out,
    log_axis,
    reach_log_ticks,
    row_legend,
    span_at_least,
    tidy_legend,
)
from offloadsim.plots.deadlines import deadlines_ms, mark_deadlines, place_deadline_labels
from offloadsim.plots.pooling import identity_columns, refuse_pooling
from offloadsim.plots.series import (
    ci_bounds,
    completed,
    drawn_label,
    log_bottom,
    mean_ci_by,
    names_of,
    need_column,
    need_columns,
    readable_unit,
    replications_text,
    rotate_if_crowded,
    same_curve,
    series_styles,
)
from offloadsim.plots.series_names import shown_name
from offloadsim.plots.style import PALETTE, axes_or_new, house_style
from offloadsim.records.schema import TASKS

__all__ = [
    "calibration_accuracy",
    "cdf_axis",
    "latency_cdf",
    "metric_bars",
    "node_utilisation",
    "say_unseen_bars",
    "utilisation_cut",
    "wrapped_tick",
]

#: The axes on which :func:`node_utilisation` cut a t-interval at 0 or 100 %, for the figure's note.
_CUT_UTILISATION: weakref.WeakSet[Axes] = weakref.WeakSet()

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
    column: str = "latency",
) -> Axes:
    """Empirical CDF of the latency of completed tasks, one line per value of ``by``.

    Each CDF is drawn through ``points`` quantiles (enough for print, and
    small files).  ``log_x`` defaults to a log axis when latencies span more
    than 30×.  ``order`` fixes the series order (and so their colours);
    by default it is the order of first appearance in ``tasks``.  Tasks of
    several applications or sweep points in one series are refused.  The
    legend goes where it covers no curve (:func:`~offloadsim.plots.axes.clear_legend`;
    call that again after changing the figure's layout).  ``column``: another numeric task column
    to draw the distribution of (``ttft``, ``tpot``, ``wait``; a time in ms), each task that has
    one; the deadline is marked on the latency's only.
    """
    need_column(tasks, column, "latency_cdf draws task records, such as a result's tasks")
    ax = axes_or_new(ax)
    names = names_of(tasks, by, order)
    done = completed(tasks)
    refuse_pooling(done, [by], f"the {column} CDF", rows="tasks")
    words, unit, scale = cdf_axis(column)
    with house_style():
        styles = series_styles(names, order)
        latencies = {}
        for name in styles:
            values = done.loc[done[by].astype(object) == name, column].to_numpy(dtype=float) * scale
            values = values[np.isfinite(values)]
            if values.size:
                latencies[name] = values
        under = same_curve(latencies)
        deadlines = deadlines_ms(tasks) if column == "latency" else {}
        # The deadline is part of what the axis shows: a log axis where it lies far from the curves.
        spans = [(d, d) for d in deadlines.values() if d > 0] if latencies else []
        for name, values in latencies.items():
            probs = np.linspace(0.0, 1.0, min(points, values.size) + 1)
            ax.plot(
                np.quantile(values, probs),
                probs,
                color=styles[name]["color"],
                linestyle=styles[name]["linestyle"],
                label=drawn_label(name, under, "line"),
            )
            spans.append((values.min(), values.max()))
        if log_x is None and spans:
            low = min(s[0] for s in spans)
            log_x = low > 0 and max(s[1] for s in spans) / low > 30
        if log_x:
            log_axis(ax, "x")
        elif spans:  # the engine's clock resolves a microsecond: a spread below it is not a spread
            resolution = _CLOCK_MS if unit == "ms" else 0.0
            span_at_least(ax, "x", min(s[0] for s in spans), max(s[1] for s in spans), resolution)
        ax.set_xlabel(f"{words} ({unit})" if unit else words)
        ax.set_ylabel("fraction of completed tasks (0–1)")
        ax.set_ylim(0.0, 1.02)
        met = {
            name: max((float(np.mean(values <= d)) for values in latencies.values()), default=1.0)
            for name, d in deadlines.items()
        }
        if latencies:
            mark_deadlines(ax, deadlines, met)
        # Not a fixed corner: a long-tailed curve runs through the lower right (the gallery's local
        # line did, under its own legend entry).  Callers that add notes place it again.
        tidy_legend(ax, legend_title, loc="lower right")
        clear_legend(ax)
        place_deadline_labels(ax)
    return ax


def cdf_axis(column: str) -> tuple[str, str, float]:
    """A task column's name on a CDF's x axis, its unit there and the factor to it from the records.

    Times (records in seconds) in ms; bytes and joules as recorded; a count with no unit.

    >>> cdf_axis("ttft")
    ('time to first token', 'ms', 1000.0)
    """
    recorded = {c.name: c.unit for c in TASKS}.get(column, "")
    words = _CDF_WORDS.get(column, column.replace("_", " "))
    return (words, "ms", 1e3) if recorded == "s" else (words, recorded, 1.0)


#: Task columns whose name on an axis is not their words.
_CDF_WORDS = {
    "ttft": "time to first token",
    "tpot": "time per output token",
    "kv_cache_bytes": "KV-cache size",
    "device_energy": "device energy per task",
}


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
    legend_inside: bool = True,
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
    (its value wrapped at its commas) has room.  ``legend_inside`` False: the legend goes above
    the figure (one for several panels), so the axis leaves it no room above the data: a fleet's
    four panels ran to 500,000 ms over data that stopped at 33,000 ms.

    Without ``group`` each bar is named by its tick, broken before its parameters where that
    makes the labels fit, else tilted: a legend in their place (nine policies) left the axis with
    no tick and sat over the value labels.  A series whose colour comes round again (past the
    palette's eight) is hatched, so the ninth bar is not the first's plain blue.
    """
    if isinstance(metrics, pd.DataFrame) and "task_id" in metrics.columns:  # pooled values, 888 characters
        raise ValueError(
            "metric_bars draws per-run metrics, not task records: pass result.metrics (a row per run)"
            " and a metric such as latency_p95_s (latency_cdf draws the tasks' latency)"
        )
    ax = axes_or_new(ax)
    info = metric_info(metric)
    keys = [group, by] if group is not None else [by]
    table = mean_ci_by(metrics, keys, metric, what=f"{info.label} per {', '.join(keys)}")
    means = table["mean"].to_numpy(dtype=float)
    if np.isfinite(means).any():  # a server's energy per task in J or kJ, not 471,442 mJ
        info = readable_unit(info, float(np.nanmax(np.abs(means))))
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
        # Labels too wide to sit side by side under their bars (compared policies' entries,
        # "neurosurgeon(objective=energy)") ran into each other: broken before their parameters
        # where that makes them fit, else a legend names the bars instead.
        # Each tick as the series is shown everywhere (a fixed policy with its node, "fixed (edge1)").
        ticks = [shown_name(b[1], by) for b in bars]
        if group is None and _ticks_too_narrow(ax, ticks):
            ticks = [bar_tick(t) for t in ticks]
        # Still too wide (nine policies on one column): tilted under their bars, not a legend in their
        # place, which left the axis with no tick and sat over the value labels (the instructor trial).
        tilted = group is None and _ticks_too_narrow(ax, ticks)
        hatches = _repeat_hatches(names, order)

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
            bottom = log_bottom(mean, low)
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
            legend_over_dots = legend_inside and group is not None
            room = (top / bottom) ** 0.4 * 1.3 if legend_over_dots else 1.3
            # Room below the lowest dot for its marker on a panel of the least height a figure keeps:
            # 1.3x is under 2 pt on five decades, and a dot at 0.67 ms over a bottom of 0.5 was cut.
            per_pt = np.log10(top * room / bottom) / (LEAST_PANEL_HEIGHT_IN * 72.0)
            bottom = min(bottom, float(np.nanmin(mean)) / 10.0 ** (5.0 * per_pt))
            ax.set_ylim(*reach_log_ticks(bottom, top * room, 1.3))
        else:
            # One container per series in a legend.
            for series in names if group is not None else [None]:
                at = [i for i, b in enumerate(bars) if series is None or b[1] == series]
                keyed: dict[str, Any] = {"label": str(series)} if series is not None else {}
                drawn = ax.bar(
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
                for patch, i in zip(drawn.patches, at, strict=True):
                    patch.set_hatch(hatches[bars[i][1]])
            ax.set_ylim(bottom=0)
            if legend_inside and group is not None:  # room above the tallest bar for the legend
                tops = np.concatenate([mean, high])
                top = float(np.nanmax(tops)) if np.isfinite(tops).any() else 1.0
                ax.set_ylim(0, top * 1.35)
            say_unseen_bars(ax)
        if group is None:
            ax.set_xticks(x, ticks)
            if tilted:
                ax.tick_params(axis="x", labelrotation=90)
                for text in ax.get_xticklabels():
                    text.set_horizontalalignment("right")
                    text.set_rotation_mode("anchor")
            else:
                rotate_if_crowded(ax, len(bars), 4)
        else:
            ax.set_xticks(np.arange(len(groups)), [wrapped_tick(str(v)) for v in groups])
            rotate_if_crowded(ax, len(groups), 4)
            row_legend(ax, legend_title, min(4, len(names)), loc="upper center")
        ax.set_ylabel(info.axis_label)
        ax.set_xlabel(label or group or by)
        fig = ax.get_figure()
        if tilted and isinstance(fig, Figure):
            fit_y_labels(fig)  # the upright labels took height from the axes
        ax.grid(axis="x", visible=False)
    return ax


#: Hatches for the bars of series whose colour comes round again (the palette has eight): none for
#: the first eight, then one per round, so that a ninth policy's bar is not the first's plain blue.
_ROUND_HATCHES = ("", "///", "...", "xxx", "\\\\\\", "ooo", "+++", "---")


def _repeat_hatches(names: Sequence[Any], order: Sequence[Any] | None) -> dict[Any, str]:
    """Each series' bar hatch: by how many times the palette has come round at its place in ``order``."""
    places = {name: i for i, name in enumerate(dict.fromkeys([*(order or []), *names]))}
    return {name: _ROUND_HATCHES[(places[name] // len(PALETTE)) % len(_ROUND_HATCHES)] for name in names}


def _ticks_too_narrow(ax: Axes, texts: Sequence[str]) -> bool:
    """Whether the widest of ``texts``, one under each bar, is wider than a bar's share of the axes.

    Measured on the figure laid out as it stands (:func:`~offloadsim.plots.axes.laid_out`), in the
    tick labels' own type: an estimate from the axes' place before layout (a third narrower than
    after it, in a two-panel figure) put the gallery's four policy names in a legend.
    """
    if len(texts) < 2:
        return False
    renderer = laid_out(ax)
    room = ax.get_window_extent(renderer).width / len(texts)
    font = ax.xaxis.get_major_ticks()[0].label1.get_fontproperties()
    # As written (style.as_written), as the tick will be drawn: measured as TeX, a name with two $ raised.
    probe = ax.text(0, 0, "", fontproperties=font, parse_math=False)
    try:
        widest = 0.0
        for text in texts:
            probe.set_text(text)
            widest = max(widest, probe.get_window_extent(renderer).width)
    finally:
        probe.remove()
    return widest > room * 0.95  # a little space between neighbours


#: The widest line of a wrapped tick label, in characters (about a quarter of a one-column figure).
_TICK_LINE = 22


def bar_tick(text: str, width: int = _TICK_LINE) -> str:
    """A bar's label with its parameters on lines of their own, for a tick too narrow for it on one line.

    >>> print(bar_tick("neurosurgeon(load_aware=true)"))
    neurosurgeon
    (load_aware=true)
    >>> bar_tick("least-loaded")
    'least-loaded'
    """
    name, paren, parameters = text.partition("(")
    if not (name and paren):
        return wrapped_tick(text, width)
    return f"{name}\n{wrapped_tick(paren + parameters, width)}"


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


def utilisation_cut(axes: Sequence[Axes]) -> bool:
    """Whether :func:`node_utilisation` cut some bar's t-interval at 0 or 100 % on one of ``axes``."""
    return any(ax in _CUT_UTILISATION for ax in axes if ax.get_visible())


def node_utilisation(
    nodes: pd.DataFrame,
    *,
    by: str = "policy",
    level: str = "auto",
    max_nodes: int = 10,
    ax: Axes | None = None,
    order: Sequence[Any] | None = None,
    legend_title: str | None = None,
    unit: str = "node",
) -> Axes:
    """Utilisation of computing nodes (or tiers), grouped bars per ``by`` value with 95 % CI bars.

    ``nodes`` is the per-node table of runs (``node, tier, cores,
    utilisation`` and the ``by`` and ``replication`` columns).  ``level`` is
    ``"node"``, ``"tier"`` (mean over a tier's nodes) or ``"auto"``: nodes
    when there are at most ``max_nodes`` computing nodes, else tiers.  A
    tier's bar pools its nodes, so the figure says so: each tick names how
    many nodes its bar is the mean of, and a dot per node (its mean over
    replications) shows their spread, as the x label says (none where its
    nodes all agree: the bar says it).  ``unit="processor"``: the rows are processors (a
    node's NPU, its GPU, named ``node/processor`` in ``node``), and the labels say so.
    """
    ax = axes_or_new(ax)
    need_columns(
        nodes,
        ("node", "utilisation"),
        "node_utilisation draws per-node records, such as a result's nodes",
    )
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
        _CUT_UTILISATION.discard(ax)  # drawn before on axes cleared since
        highs: list[np.ndarray] = []  # each series' bars' upper ends as drawn (cut at 100 %)
        for i, name in enumerate(groups):
            rows = table[table[by].astype(object) == name].set_index(category)
            means = np.array([rows["mean"].get(c, np.nan) for c in categories], dtype=float) * 100
            halves = np.array([rows["ci"].get(c, 0.0) for c in categories], dtype=float) * 100
            low, high = ci_bounds(metric_info("utilisation_x"), means, halves)
            if ((low > means - halves) | (high < means + halves)).any():  # NaN (one run): no interval
                _CUT_UTILISATION.add(ax)
            highs.append(high)
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
        ax.set_xticks(base, [_tier_tick(c, pooled.get(c), unit) for c in categories])
        rotate_if_crowded(ax, len(categories), 5)
        shown = any(_spread_shown(v) for v in (spread or {}).values())
        axis = "node/processor" if unit == "processor" and category == "node" else category
        ax.set_xlabel(f"{axis} (dots: one per {unit}, its mean over replications)" if shown else axis)
        ax.set_ylabel("utilisation (%)")
        dots = [v for v in (spread or {}).values() if _spread_shown(v)]
        # The interval's ends as drawn: the uncut t-interval (past 100 % with 2 replications) once
        # stretched the axis to 300 % over bars that stop at 100.
        tops = np.concatenate([table["mean"] * 100, *highs, *(v * 100 for v in dots)]).astype(float)
        top = float(tops[np.isfinite(tops)].max()) if np.isfinite(tops).any() else 0.0
        # Room above the tallest bar for the legend, which goes above the bars.
        ax.set_ylim(0, max(5.0, top * (1.3 if len(groups) > 1 else 1.1)))
        say_unseen_bars(ax)
        ax.grid(axis="x", visible=False)
        row_legend(ax, legend_title, min(4, len(groups)), loc="upper center")
    return ax


#: A bar lower than this share of its axis' height is drawn as a line on the axis, or not at all.
_UNSEEN = 0.01
#: The gid of a value written over a bar too low to see (:func:`say_unseen_bars` takes them off again).
_UNSEEN_GID = UNSEEN_GID


def say_unseen_bars(ax: Axes) -> None:
    """Write the value above each bar too low to see, as the gallery's failed-task bars write "0".

    The cloud policy's bars (a tier idle under it, the cloud's eight cores below 1 %) drew nothing
    a reader could see: its colour was in the legend and nowhere on the axes, as if it had no data.
    ``bars``' least-loaded and cloud deadline misses (0.05 % and 0 %) likewise left an empty slot.
    Measured against the axis as it is now, the values written before are taken off first: call it
    again once the y range changes (panels given one range: a bar of 0.07 % was 2 % of its own
    panel's axis, so left unwritten, and under 1 % of the range the panels then shared).
    """
    for old in [text for text in ax.texts if text.get_gid() == _UNSEEN_GID]:
        old.remove()
    top = ax.get_ylim()[1]
    bars = [
        (bar, reach)
        for container in ax.containers
        if isinstance(container, BarContainer)
        for bar, reach in zip(container, _error_tops(container), strict=True)
    ]
    for bar, reach in bars:
        height = bar.get_height()
        if not np.isfinite(height) or height >= _UNSEEN * top:
            continue
        ax.annotate(  # above its error bar, where it has one: not struck through by it
            "0" if height == 0 else f"{height:.1g}",
            (bar.get_x() + bar.get_width() / 2, max(height, reach)),
            gid=_UNSEEN_GID,
            xytext=(0, 1.5),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize="x-small",
        )


def _error_tops(container: BarContainer) -> list[float]:
    """The top of each bar's error bar in ``container`` (its height where it has none)."""
    tops = [float(bar.get_height()) for bar in container]
    errors = getattr(container, "errorbar", None)
    segments = errors.lines[2][0].get_segments() if errors is not None and errors.lines[2] else []
    if len(segments) != len(tops):
        return tops
    return [
        max(t, float(np.nanmax(seg[:, 1]))) if len(seg) else t for t, seg in zip(tops, segments, strict=True)
    ]


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


def _tier_tick(tier: Any, nodes: tuple[int, int] | None, unit: str = "node") -> str:
    """A tier's tick label, over a line naming how many ``unit``s (nodes, processors) it is the mean of."""
    if nodes is None or nodes[1] < 2:
        return str(tier)
    return f"{tier}\nmean of {replications_text(*nodes)} {unit}s"


def _spread_shown(values: np.ndarray) -> bool:
    """Whether a tier's nodes get dots: two or more that differ (equal ones would only repeat the bar)."""
    finite = values[np.isfinite(values)]
    return finite.size > 1 and float(finite.max() - finite.min()) > 0


def _dot_offsets(count: int) -> np.ndarray:
    """Where ``count`` node dots sit across a bar, in bar widths: side by side, clear of its error bar."""
    left = (count + 1) // 2  # half on each side of the centre, where the error bar is
    return np.concatenate([-np.linspace(0.44, 0.1, left), np.linspace(0.1, 0.44, count - left)])


def _name_points(
    ax: Axes,
    xs: Sequence[float],
    ys: Sequence[float],
    names: Sequence[str],
    marks: tuple[Sequence[float], Sequence[float]] = ((), ()),
) -> int:
    """Each point's name beside it, clear of the names placed before it, of every mark and inside the axes.

    Points in order of x; each name tries offsets above and below its point, then further out,
    and takes the first whose box meets no earlier name's, no marker of ``marks`` (x and y of
    every point drawn) and stays inside the axes. A name with no such place is left out, not drawn
    over another: a report retimed on another CPU had all its 21 models outside the band, and
    their names piled on one another and on other models' markers. Returns how many were left out.
    """
    from matplotlib.transforms import Bbox

    fig = ax.get_figure()
    if fig is None:
        return 0
    renderer = laid_out(ax)  # where the points sit once the layout has settled the axes
    frame = ax.get_window_extent(renderer)
    half = _MARK_HALF_PT * fig.dpi / 72
    centres: list[list[float]] = (
        ax.transData.transform(np.column_stack([marks[0], marks[1]])).tolist() if len(marks[0]) else []
    )
    dots = [Bbox.from_extents(cx - half, cy - half, cx + half, cy + half) for cx, cy in centres]
    taken: list[Any] = []
    tries = [(dx, dy) for dy in (5, -5, 14, -14, 23, -23, 32, -32) for dx in (5, -5)]
    left_out = 0
    for x, y, name in sorted(zip(xs, ys, names, strict=True)):
        text = None
        for dx, dy in tries:
            if text is not None:
                text.remove()
                text = None
            text = ax.annotate(
                str(name),
                (x, y),
                xytext=(dx, dy),
                textcoords="offset points",
                fontsize="x-small",
                ha="left" if dx > 0 else "right",
                va="bottom" if dy > 0 else "top",
            )
            box = text.get_window_extent(renderer)
            inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
            if inside and not any(box.overlaps(other) for other in (*taken, *dots)):
                taken.append(box)
                break
        else:
            if text is not None:
                text.remove()
            left_out += 1
    renderer = laid_out(ax)  # the names may have moved the layout: drop any that now meet an earlier one
    kept: list[Any] = []
    for placed in list(ax.texts)[-len(taken) :] if taken else []:
        box = placed.get_window_extent(renderer)
        if any(box.overlaps(other) for other in kept):
            placed.remove()
            left_out += 1
        else:
            kept.append(box)
    return left_out


#: Half the side of the square a named point's marker (a ring of ``s=70``) is kept clear in, in points.
_MARK_HALF_PT = 4.5
#: A calibration report's points are all named in the figure when there are at most this many;
#: beyond, only the misses (outside the tolerance band) are.
NAMED_POINTS = 8
#: The measured time's words on the x axis, by the clock the whole models were timed with.
_MEASURED_CLOCK = {"cpu": "CPU time", "wall": "wall time"}


def calibration_accuracy(
    table: pd.DataFrame, *, tolerance: float = 0.10, ax: Axes | None = None, clock: str | None = None
) -> Axes:
    """Each model's prediction error (%) against its measured whole-model time (log x), with the ±band.

    ``table`` is a calibration report (columns ``model``, ``measured_ms``, ``predicted_ms``
    and ``role``: ``train`` or ``held-out``), as written by ``offloadsim calibrate --report``.
    The error is the sum of layer predictions over the measured time, less one: a predicted
    against measured plot on log-log axes from 2 to 200 ms squeezed the ±10 % band to a sliver,
    and its misses were not told from its hits.  The misses (outside ±``tolerance``) are drawn
    ringed and named; every point is named when there are at most :data:`NAMED_POINTS`. A name
    with no room clear of the others is left out, and the legend's title counts those left out.
    ``clock`` (``cpu`` or ``wall``) names what was measured on the x axis: one thread is timed
    by its CPU time, which is not the latency a user waits on a loaded machine (a trial's
    resnet50: 50 ms CPU, 221 ms wall), so the axis does not say "latency".
    """
    ax = axes_or_new(ax)
    measured = table["measured_ms"].to_numpy(dtype=float)
    error = 100.0 * (table["predicted_ms"].to_numpy(dtype=float) / measured - 1.0)
    lo, hi = float(measured.min()) / 1.5, float(measured.max()) * 1.5
    band = 100.0 * tolerance
    reach = max(float(np.abs(error).max()) * 1.25, band * 2.5)  # room above the band for the legend
    missed = np.abs(error) > band
    with house_style():
        ax.fill_between([lo, hi], -band, band, color="0.9", lw=0, label=f"±{tolerance:.0%}")
        ax.axhline(0.0, color="0.4", lw=0.8)
        for role, colour, marker in (("train", PALETTE[0], "o"), ("held-out", PALETTE[3], "s")):
            rows = (table["role"] == role).to_numpy()
            if rows.any():
                ax.scatter(
                    measured[rows], error[rows], s=18, color=colour, marker=marker, label=role, zorder=3
                )
        if missed.any():
            ax.scatter(
                measured[missed],
                error[missed],
                s=70,
                facecolors="none",
                edgecolors="0.2",
                lw=0.8,
                label=f"outside ±{tolerance:.0%}",
                zorder=4,
            )
        log_axis(ax, "x")
        ax.set(xlim=(lo, hi), ylim=(-reach, reach))
        said = _MEASURED_CLOCK.get(str(clock), "time")
        ax.set_xlabel(f"measured whole-model {said} (ms)")
        ax.set_ylabel("prediction error (%)")
        legend = ax.legend(loc="best", ncols=2, fontsize="x-small")
        if "model" in table:
            named = np.ones(len(table), dtype=bool) if len(table) <= NAMED_POINTS else missed
            models = table["model"].astype(str).to_numpy()
            left_out = _name_points(
                ax,
                measured[named].tolist(),
                error[named].tolist(),
                models[named].tolist(),
                marks=(measured.tolist(), error.tolist()),
            )
            if left_out:  # said where a reader looks for what the marks mean
                legend.set_title(f"{left_out} unnamed: no room", prop=FontProperties(size="x-small"))
    return ax
