"""Figure functions: each takes records (DataFrames) and an optional Axes, draws one chart, returns the Axes.

They read only the documented record columns (DESIGN.md section 5) and the
per-job metrics of :mod:`offloadsim.experiments`; they never call pyplot.
Every axis label carries its unit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from offloadsim.experiments.jobs import metric_info
from offloadsim.experiments.values import axis_label_for, quantity_kind, to_si
from offloadsim.metrics import mean_ci
from offloadsim.plots.style import OKABE_ITO, PALETTE, axes_or_new, house_style, style_map

__all__ = [
    "latency_cdf",
    "metric_bars",
    "metric_vs_parameter",
    "split_vs_parameter",
    "energy_latency",
    "node_utilisation",
    "utilisation_over_time",
    "stage_timeline",
    "calibration_accuracy",
]

#: Colours of the stages in :func:`stage_timeline`.
STAGE_COLOURS = {
    "transfer": OKABE_ITO["blue"],
    "queue": OKABE_ITO["vermillion"],
    "compute": OKABE_ITO["bluish green"],
    "other": "#B0B0B0",
}


def _names(frame: pd.DataFrame, column: str, order: Sequence[Any] | None = None) -> list[Any]:
    """Distinct values of ``column``: those in ``order`` first (in that order), then by first appearance."""
    if column not in frame.columns:
        raise ValueError(f"no column {column!r} in the data (columns: {', '.join(map(str, frame.columns))})")
    present = list(pd.unique(frame[column].astype(object)))
    if order is None:
        return present
    first = [name for name in order if name in present]
    return first + [name for name in present if name not in first]


def _completed(tasks: pd.DataFrame) -> pd.DataFrame:
    if "status" not in tasks.columns:
        return tasks
    return tasks[tasks["status"].astype(str).to_numpy() == "completed"]


def _legend(ax: Axes, title: str | None = None, **kwargs: Any) -> None:
    handles, _ = ax.get_legend_handles_labels()
    if len(handles) > 1 or title:
        ax.legend(title=title, **kwargs)


# --------------------------------------------------------------------------- latency


def latency_cdf(
    tasks: pd.DataFrame,
    *,
    by: str = "policy",
    ax: Axes | None = None,
    log_x: bool | None = None,
    points: int = 1000,
    order: Sequence[Any] | None = None,
) -> Axes:
    """Empirical CDF of the latency of completed tasks, one line per value of ``by``.

    Each CDF is drawn through ``points`` quantiles (enough for print, and
    small files).  ``log_x`` defaults to a log axis when latencies span more
    than 30×.  ``order`` fixes the series order (and so their colours);
    by default it is the order of first appearance in ``tasks``.
    """
    ax = axes_or_new(ax)
    names = _names(tasks, by, order)
    done = _completed(tasks)
    with house_style():
        styles = style_map(names)
        spans = []
        for name, style in styles.items():
            values = done.loc[done[by].astype(object) == name, "latency"].to_numpy(dtype=float) * 1e3
            values = values[np.isfinite(values)]
            if values.size == 0:
                continue
            probs = np.linspace(0.0, 1.0, min(points, values.size) + 1)
            ax.plot(
                np.quantile(values, probs),
                probs,
                color=style["color"],
                linestyle=style["linestyle"],
                label=str(name),
            )
            spans.append((values.min(), values.max()))
        if log_x is None and spans:
            low = min(s[0] for s in spans)
            log_x = low > 0 and max(s[1] for s in spans) / low > 30
        if log_x:
            _log_axis(ax, "x")
        ax.set_xlabel("latency (ms)")
        ax.set_ylabel("fraction of completed tasks (0–1)")
        ax.set_ylim(0.0, 1.02)
        _legend(ax, loc="lower right")
    return ax


# --------------------------------------------------------------------------- metrics


def _mean_ci_by(frame: pd.DataFrame, keys: Sequence[str], value: str) -> pd.DataFrame:
    """Mean and 95 % CI half-width of ``value`` per combination of ``keys`` (first-appearance order)."""
    rows = []
    for key, group in frame.groupby(list(keys), sort=False, observed=True, dropna=False):
        mean, half = mean_ci(group[value].to_numpy(dtype=float))
        key = key if isinstance(key, tuple) else (key,)
        rows.append(
            {**dict(zip(keys, key, strict=True)), "mean": mean, "ci": 0.0 if math.isnan(half) else half}
        )
    return pd.DataFrame(rows, columns=[*keys, "mean", "ci"])


def metric_bars(
    metrics: pd.DataFrame,
    metric: str = "latency_p95_s",
    *,
    by: str = "policy",
    ax: Axes | None = None,
    log_y: bool = False,
    order: Sequence[Any] | None = None,
) -> Axes:
    """Bars of a job-level metric's mean per ``by`` value, with 95 % CI error bars over replications.

    ``log_y`` puts the values on a log axis (for policies orders of
    magnitude apart); ``order`` fixes the bar order and colours.
    """
    ax = axes_or_new(ax)
    info = metric_info(metric)
    table = _mean_ci_by(metrics, [by], metric)
    names = _names(metrics, by, order)
    table = table.set_index(by).loc[[n for n in names if n in set(table[by])]].reset_index()
    with house_style():
        styles = style_map(table[by])
        x = np.arange(len(table))
        ax.bar(
            x,
            table["mean"] * info.scale,
            yerr=table["ci"] * info.scale,
            color=[styles[n]["color"] for n in table[by]],
            edgecolor="black",
            linewidth=0.5,
            error_kw={"elinewidth": 0.8, "ecolor": "black"},
            width=0.7,
        )
        ax.set_xticks(x, [str(n) for n in table[by]])
        if len(table) > 4:
            ax.tick_params(axis="x", labelrotation=30)
            for label in ax.get_xticklabels():
                label.set_horizontalalignment("right")
        ax.set_ylabel(info.axis_label)
        ax.set_xlabel(by)
        ax.grid(axis="x", visible=False)
        if log_y:
            _log_axis(ax, "y")
        else:
            ax.set_ylim(bottom=0)
    return ax


def _x_axis(values: Sequence[Any], key: str, kind: str | None) -> tuple[np.ndarray, str, bool, list[Any]]:
    """Numeric positions for swept values, the axis label, whether numeric, and the distinct values."""
    distinct = list(dict.fromkeys(values))
    kind = kind if kind is not None else quantity_kind(distinct)
    if kind is not None:
        label, factor = axis_label_for(key, kind)
        si = to_si(distinct, kind)
        order = np.argsort(si, kind="stable")
        distinct = [distinct[i] for i in order]
        return si[order] / factor, label, True, distinct
    return np.arange(len(distinct), dtype=float), key, False, distinct


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
) -> Axes:
    """A job-level metric against a swept parameter: mean line per ``by`` value with a 95 % CI band.

    ``x`` is the swept key path (a column of a sweep's metrics).  Unit
    strings (``"5 Mbps"``) go on a numeric axis in display units; ``kind``
    forces the quantity kind (see :func:`offloadsim.experiments.values.quantity_kind`).
    ``log_x`` defaults to a log axis when the values span two decades;
    ``order`` fixes the series order and colours.
    """
    ax = axes_or_new(ax)
    info = metric_info(metric)
    positions, label, numeric, distinct = _x_axis(metrics[x].tolist(), x, kind)
    where = {v: p for v, p in zip(distinct, positions, strict=True)}
    groups = _names(metrics, by, order) if by else [None]
    with house_style():
        styles = style_map(groups)
        for name in groups:
            subset = metrics if name is None else metrics[metrics[by].astype(object) == name]
            table = _mean_ci_by(subset, [x], metric)
            table["pos"] = [where[v] for v in table[x]]
            table = table.sort_values("pos")
            mean = table["mean"].to_numpy(dtype=float) * info.scale
            half = table["ci"].to_numpy(dtype=float) * info.scale
            style = styles[name]
            ax.plot(
                table["pos"],
                mean,
                color=style["color"],
                marker=style["marker"],
                linestyle=style["linestyle"],
                label=None if name is None else str(name),
            )
            ax.fill_between(
                table["pos"], mean - half, mean + half, color=style["color"], alpha=0.2, linewidth=0
            )
        if numeric:
            if log_x is None:
                low = positions[positions > 0].min() if np.any(positions > 0) else 0
                log_x = bool(low > 0 and positions.max() / low >= 100)
            if log_x:
                ax.set_xscale("log")
            ax.set_xticks(positions, [_tick(v) for v in positions])
            ax.minorticks_off()
        else:
            ax.set_xticks(positions, [str(v) for v in distinct])
        if log_y:
            _log_axis(ax, "y")
        ax.set_xlabel(label)
        ax.set_ylabel(info.axis_label)
        _legend(ax)
    return ax


_LABEL_BOX = {"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.8}


def _same_place(a: pd.Series, b: pd.Series) -> bool:
    """Whether two markers of the energy–latency plot sit (within 2 %) on the same spot."""
    return bool(
        np.isclose(a["mean_lat"], b["mean_lat"], rtol=0.02)
        and np.isclose(a["mean_eng"], b["mean_eng"], rtol=0.02)
    )


def _tick(value: float) -> str:
    return f"{value:g}"


def _plain_number(value: float, position: int | None = None) -> str:
    """Log-axis tick labels as plain numbers (100, not 10^2)."""
    return f"{value:g}"


def _log_axis(ax: Axes, which: str) -> None:
    """A log scale with ticks at 1, 2 and 5 per decade, labelled as plain numbers."""
    (ax.set_xscale if which == "x" else ax.set_yscale)("log")
    axis = ax.xaxis if which == "x" else ax.yaxis
    axis.set_major_locator(LogLocator(base=10.0, subs=(1.0, 2.0, 5.0)))
    axis.set_major_formatter(FuncFormatter(_plain_number))
    axis.set_minor_formatter(NullFormatter())


def split_vs_parameter(
    tasks: pd.DataFrame,
    x: str,
    *,
    by: str | None = "policy",
    kind: str | None = None,
    ax: Axes | None = None,
    log_x: bool | None = None,
    layers: int | None = None,
    order: Sequence[Any] | None = None,
) -> Axes:
    """The chosen split point against a swept parameter, Neurosurgeon-style.

    The ``split`` column counts the layers run on the source device (0 = all
    offloaded).  Each replication's mean over completed tasks is one sample;
    the line is their mean per ``by`` value with a 95 % CI band.  A dotted
    line marks ``layers`` (all local; inferred from tasks run wholly on their
    source when not given).
    """
    ax = axes_or_new(ax)
    names = _names(tasks, by, order) if by else None
    done = _completed(tasks)
    done = done[np.isfinite(pd.to_numeric(done["split"], errors="coerce").to_numpy(dtype=float))]
    keys = [k for k in (by, x, "replication") if k and k in done.columns]
    per_run = done.groupby(keys, sort=False, observed=True)["split"].mean().reset_index()
    if layers is None and "placement" in done.columns and "source" in done.columns:
        local = done["placement"].astype(str).to_numpy() == done["source"].astype(str).to_numpy()
        if local.any():
            layers = int(done.loc[local, "split"].max())
    ax = metric_vs_parameter(per_run, "split", x, by=by, kind=kind, ax=ax, log_x=log_x, order=names)
    with house_style():
        if layers:
            ax.axhline(
                layers, color="black", linewidth=0.6, linestyle=":", label=f"all local ({layers} layers)"
            )
            _legend(ax)
        ax.set_ylabel("layers run on the device (count)")
        ax.set_ylim(bottom=-0.02 * (layers or 1))
    return ax


def energy_latency(
    metrics: pd.DataFrame,
    *,
    by: str = "policy",
    x: str | None = None,
    latency: str = "latency_mean_s",
    energy: str = "device_energy_mean_j",
    ax: Axes | None = None,
    order: Sequence[Any] | None = None,
) -> Axes:
    """The energy–latency trade-off: device energy per task against latency, one marker per ``by`` value.

    Markers are means over replications with 95 % CI bars in both
    directions.  With ``x`` (a swept key), each ``by`` value gets one marker
    per value of ``x``, joined in order of ``x``, its ends labelled.
    Either axis turns logarithmic when its values span more than 30×.
    """
    ax = axes_or_new(ax)
    lat, eng = metric_info(latency), metric_info(energy)
    keys = [by] + ([x] if x else [])
    lat_table = _mean_ci_by(metrics, keys, latency)
    eng_table = _mean_ci_by(metrics, keys, energy)
    table = lat_table.merge(eng_table, on=keys, suffixes=("_lat", "_eng"))
    x_position: dict[Any, float] = {}
    if x:
        positions, _, _, distinct = _x_axis(metrics[x].tolist(), x, None)
        x_position = {v: p for v, p in zip(distinct, positions, strict=True)}
    with house_style():
        styles = style_map(_names(metrics, by, order))
        for name, style in styles.items():
            rows = table[table[by] == name]
            if rows.empty:
                continue
            if x:
                rows = rows.assign(pos=[x_position[v] for v in rows[x]]).sort_values("pos")
            ax.errorbar(
                rows["mean_lat"] * lat.scale,
                rows["mean_eng"] * eng.scale,
                xerr=rows["ci_lat"] * lat.scale,
                yerr=rows["ci_eng"] * eng.scale,
                color=style["color"],
                marker=style["marker"],
                linestyle=style["linestyle"] if x else "none",
                markersize=5 if not x else 3.5,
                elinewidth=0.7,
                label=str(name),
            )
            ends = [rows.iloc[0], rows.iloc[-1]] if x and len(rows) > 1 else []
            if ends and _same_place(ends[0], ends[1]):
                ends = [ends[0]]  # a policy the swept value does not move: one label would hide the other
                ends[0] = ends[0].copy()
                ends[0][x] = f"{rows.iloc[0][x]} to {rows.iloc[-1][x]}"
            if ends:
                for end in ends:
                    ax.annotate(
                        str(end[x]),
                        (end["mean_lat"] * lat.scale, end["mean_eng"] * eng.scale),
                        textcoords="offset points",
                        xytext=(3, 3),
                        fontsize=6,
                        color=style["color"],
                        bbox=_LABEL_BOX,
                    )
        ax.set_xlabel(lat.axis_label)
        ax.set_ylabel(eng.axis_label)
        for column, axis in (("mean_lat", ax.xaxis), ("mean_eng", ax.yaxis)):
            values = table[column].to_numpy(dtype=float)
            values = values[np.isfinite(values) & (values > 0)]
            if values.size and values.max() / values.min() > 30:
                _log_axis(ax, "x" if axis is ax.xaxis else "y")
        _legend(ax)
    return ax


# --------------------------------------------------------------------------- utilisation


def node_utilisation(
    nodes: pd.DataFrame,
    *,
    by: str = "policy",
    level: str = "auto",
    max_nodes: int = 10,
    ax: Axes | None = None,
    order: Sequence[Any] | None = None,
) -> Axes:
    """Utilisation of computing nodes (or tiers), grouped bars per ``by`` value with 95 % CI bars.

    ``nodes`` is the per-node table of runs (``node, tier, cores,
    utilisation`` and the ``by`` and ``replication`` columns).  ``level`` is
    ``"node"``, ``"tier"`` (mean over a tier's nodes) or ``"auto"``: nodes
    when there are at most ``max_nodes`` computing nodes, else tiers.
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
    groups = _names(frame, by, order)
    run_keys = [c for c in (by, "point", "replication") if c in frame.columns]
    if level == "tier":
        per_run = (
            frame.groupby([*run_keys, "tier"], sort=False, observed=True)["utilisation"].mean().reset_index()
        )
        category = "tier"
    else:
        per_run = frame
        category = "node"
    table = _mean_ci_by(per_run, [by, category], "utilisation")
    categories = _names(per_run, category)
    with house_style():
        styles = style_map(groups)
        width = 0.8 / max(1, len(groups))
        base = np.arange(len(categories))
        for i, name in enumerate(groups):
            rows = table[table[by].astype(object) == name].set_index(category)
            means = np.array([rows["mean"].get(c, np.nan) for c in categories], dtype=float) * 100
            halves = np.array([rows["ci"].get(c, 0.0) for c in categories], dtype=float) * 100
            ax.bar(
                base + (i - (len(groups) - 1) / 2) * width,
                means,
                width=width,
                yerr=halves,
                color=styles[name]["color"],
                edgecolor="black",
                linewidth=0.4,
                error_kw={"elinewidth": 0.7, "ecolor": "black"},
                label=str(name) if name != "" else None,
            )
        ax.set_xticks(base, [str(c) for c in categories])
        if len(categories) > 5:
            ax.tick_params(axis="x", labelrotation=30)
            for label in ax.get_xticklabels():
                label.set_horizontalalignment("right")
        ax.set_xlabel(category)
        ax.set_ylabel("utilisation (%)")
        ax.set_ylim(
            0, max(5.0, float(np.nanmax(table["mean"] + table["ci"]) * 100 * 1.1) if len(table) else 5.0)
        )
        ax.grid(axis="x", visible=False)
        _legend(ax, ncols=min(4, len(groups)))
    return ax


def utilisation_over_time(
    tasks: pd.DataFrame,
    *,
    nodes: pd.DataFrame | None = None,
    by: str = "tier",
    bins: int = 60,
    ax: Axes | None = None,
    max_series: int = 6,
) -> Axes:
    """Compute load over time, derived from one run's task records: utilisation (or busy cores) per time bin.

    A task's compute time is spread evenly over its ``start``–``finish``
    interval (the records do not say when inside it the compute ran), so
    the curve is a smoothed estimate whose integral is the exact busy time.
    Series are placements grouped ``by`` ``"placement"`` or ``"tier"`` (the
    tier of each node in the placement, from ``nodes``; ``device>edge`` for
    a split).  When ``nodes`` gives the cores behind every series, the
    y axis is utilisation in %; otherwise mean busy cores.  Pass the tasks
    of a single run.
    """
    ax = axes_or_new(ax)
    frame = tasks[np.isfinite(pd.to_numeric(tasks["finish"], errors="coerce").to_numpy(dtype=float))]
    start = frame["start"].to_numpy(dtype=float)
    finish = frame["finish"].to_numpy(dtype=float)
    compute = np.nan_to_num(frame["compute_time"].to_numpy(dtype=float))
    placement = frame["placement"].astype(str).to_numpy()
    if by == "tier" and nodes is not None and len(nodes):
        tiers = dict(zip(nodes["node"].astype(str), nodes["tier"].astype(str), strict=False))
        labels = np.array([_tier_label(p, tiers) for p in placement], dtype=object)
    elif by in ("tier", "placement"):
        labels = placement.astype(object)
    else:
        raise ValueError(f"by must be 'tier' or 'placement', got {by!r}")
    cores = _cores_per_label(labels, nodes) if nodes is not None and by == "tier" else {}
    t0 = float(np.min(start)) if start.size else 0.0
    t1 = float(np.max(finish)) if finish.size else 1.0
    edges = np.linspace(t0, max(t1, t0 + 1e-9), bins + 1)
    width = edges[1] - edges[0]
    duration = np.maximum(finish - start, 1e-12)
    density = compute / duration
    totals = {label: float(compute[labels == label].sum()) for label in dict.fromkeys(labels)}
    ranked = [k for k, v in sorted(totals.items(), key=lambda kv: -kv[1]) if v > 0]
    shown = ranked[:max_series]
    percent = bool(shown) and all(cores.get(label, 0) > 0 for label in shown)
    with house_style():
        styles = style_map(shown)
        centres = (edges[:-1] + edges[1:]) / 2
        for label in shown:
            mask = labels == label
            lo = np.maximum(start[mask][:, None], edges[None, :-1])
            hi = np.minimum(finish[mask][:, None], edges[None, 1:])
            overlap = np.clip(hi - lo, 0.0, None)
            busy = (overlap * density[mask][:, None]).sum(axis=0) / width
            name = str(label)
            if label in cores:
                name += f" ({cores[label]} core{'s' if cores[label] != 1 else ''})"
            if percent:
                busy = busy / cores[label] * 100.0
            ax.plot(
                centres,
                busy,
                color=styles[label]["color"],
                linestyle=styles[label]["linestyle"],
                label=name,
                drawstyle="steps-mid",
            )
        ax.set_xlabel("simulated time (s)")
        ax.set_ylabel("utilisation (%)" if percent else "busy cores (count)")
        ax.set_ylim(bottom=0)
        _legend(ax, title="placement")
    return ax


def _tier_label(placement: str, tiers: dict[str, str]) -> str:
    parts = [tiers.get(node, node) for node in placement.split(">") if node]
    merged = [p for i, p in enumerate(parts) if i == 0 or p != parts[i - 1]]
    return ">".join(merged) or "none"


def _cores_per_label(labels: np.ndarray, nodes: pd.DataFrame) -> dict[str, int]:
    """Total cores of a tier, for single-tier labels (one run's node table: its nodes counted once)."""
    if "cores" not in nodes.columns:
        return {}
    once = nodes.drop_duplicates("node")
    per_tier = once.groupby(once["tier"].astype(str))["cores"].sum()
    return {str(label): int(per_tier[label]) for label in dict.fromkeys(labels) if label in per_tier.index}


# --------------------------------------------------------------------------- timeline


def stage_timeline(
    tasks: pd.DataFrame,
    *,
    stages: pd.DataFrame | None = None,
    n: int = 30,
    ax: Axes | None = None,
    label_placement: bool | None = None,
) -> Axes:
    """Where each task's time went: one bar per task from its arrival, split into stages.

    The first ``n`` completed tasks by arrival are drawn.  With ``stages``
    (a run recorded with ``--stages``) every compute stage and transfer is
    drawn where and when it happened, queueing before each compute stage
    included.  Without, each bar is cut into the task's totals of transfer,
    queueing (``wait``), compute and any remainder, drawn in that fixed
    order since the task records do not say when each happened.
    ``label_placement`` (default: with at most 40 tasks) writes where each
    task ran beside its bar.
    """
    ax = axes_or_new(ax)
    done = _completed(tasks).sort_values(["arrival", "task_id"] if "task_id" in tasks else ["arrival"])
    done = done.head(n)
    if stages is not None and "task_id" in done.columns:
        return _timeline_from_stages(done, stages, ax, label_placement)
    t0 = float(done["arrival"].min()) if len(done) else 0.0
    arrival = (done["arrival"].to_numpy(dtype=float) - t0) * 1e3
    transfer = np.nan_to_num(done["transfer_time"].to_numpy(dtype=float)) * 1e3
    queue = np.nan_to_num(done["wait"].to_numpy(dtype=float)) * 1e3
    compute = np.nan_to_num(done["compute_time"].to_numpy(dtype=float)) * 1e3
    latency = done["latency"].to_numpy(dtype=float) * 1e3
    other = np.clip(latency - transfer - queue - compute, 0.0, None)
    y = np.arange(len(done))
    with house_style():
        left = arrival.copy()
        for stage, width in (
            ("transfer", transfer),
            ("queue", queue),
            ("compute", compute),
            ("other", other),
        ):
            ax.barh(y, width, left=left, height=0.75, color=STAGE_COLOURS[stage], linewidth=0, label=stage)
            left = left + width
        ax.invert_yaxis()
        ax.set_xlabel(f"time since the first task's arrival at {t0:.3f} s (ms)")
        ax.set_ylabel("task (arrival order)")
        ax.set_yticks(y[:: max(1, len(y) // 10)])
        if label_placement is None:
            label_placement = len(done) <= 40
        if label_placement and "placement" in done.columns:
            for row, end, where in zip(y, left, done["placement"].astype(str), strict=True):
                ax.annotate(
                    where,
                    (end, row),
                    xytext=(2, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize=5.5,
                    color="#404040",
                )
        ax.grid(axis="y", visible=False)
        ax.legend(
            handles=[Patch(color=c, label=s) for s, c in STAGE_COLOURS.items()],
            ncols=4,
            loc="lower center",
            bbox_to_anchor=(0.5, 1.0),
        )
    return ax


def _timeline_from_stages(
    done: pd.DataFrame, stages: pd.DataFrame, ax: Axes, label_placement: bool | None
) -> Axes:
    """Draw recorded stages (queue, compute, transfer) in order, each task from its own arrival."""
    row_of = {int(task_id): row for row, task_id in enumerate(done["task_id"])}
    arrival_of = dict(zip(done["task_id"].astype(int), done["arrival"].astype(float), strict=True))
    mine = stages[stages["task_id"].isin(row_of)]
    rows = mine["task_id"].map(row_of).to_numpy(dtype=float)
    t0 = mine["task_id"].map(arrival_of).to_numpy(dtype=float)
    submitted = (mine["submitted"].to_numpy(dtype=float) - t0) * 1e3
    start = (mine["start"].to_numpy(dtype=float) - t0) * 1e3
    end = (mine["end"].to_numpy(dtype=float) - t0) * 1e3
    kind = mine["kind"].astype(str).to_numpy()
    y = np.arange(len(done))
    with house_style():
        queued = start > submitted
        ax.barh(
            rows[queued],
            (start - submitted)[queued],
            left=submitted[queued],
            height=0.75,
            color=STAGE_COLOURS["queue"],
            linewidth=0,
        )
        for stage in ("transfer", "compute"):
            pick = kind == stage
            ax.barh(
                rows[pick],
                (end - start)[pick],
                left=start[pick],
                height=0.75,
                color=STAGE_COLOURS[stage],
                linewidth=0,
            )
        ax.invert_yaxis()
        ax.set_xlabel("time since the task's arrival (ms)")
        ax.set_ylabel("task (arrival order)")
        ax.set_yticks(y[:: max(1, len(y) // 10)])
        if label_placement is None:
            label_placement = len(done) <= 40
        if label_placement and "placement" in done.columns:
            finish = done["latency"].to_numpy(dtype=float) * 1e3
            for row, x, where in zip(y, finish, done["placement"].astype(str), strict=True):
                ax.annotate(
                    where,
                    (x, row),
                    xytext=(2, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize=5.5,
                    color="#404040",
                )
        ax.grid(axis="y", visible=False)
        shown = {s: c for s, c in STAGE_COLOURS.items() if s != "other"}
        ax.legend(
            handles=[Patch(color=c, label=s) for s, c in shown.items()],
            ncols=3,
            loc="lower center",
            bbox_to_anchor=(0.5, 1.0),
        )
    return ax


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
        ax.set(xscale="log", yscale="log", xlim=(lo, hi), ylim=(lo, hi))
        ax.set_xlabel("measured whole-model latency (ms)")
        ax.set_ylabel("sum of per-layer predictions (ms)")
        ax.legend()
    return ax
