"""``plot --kind latency-time``: latency against arrival time, binned, one line per policy, outages hatched.

What happens to latency while the edge is down, and which policy recovers best: a CDF pools the
outage with normal running, and a timeline draws a run's first tasks only.  Here each run's
completed tasks are binned by arrival time (:func:`binned_latency`); a policy's line is the
median over its runs (replications) of each run's bin median, its band the range of those runs'
medians (a single run: the bin's 10–90 % of task latencies).  A lower panel counts the tasks
that did not complete (dropped, failed, in flight at the end) by the bin they arrived in, so
that none is dropped from the figure unseen.  The nodes' ``down`` records (when each was down,
from the engine's own log, :mod:`offloadsim.records.schema`) are hatched (no band is, so two
bands overlapping never read as an outage): the figure reads the records, never the scenario.  A
link's changes (the runs' ``link_changes`` records) are drawn in a short panel above: each
direction's bandwidth in force as grey steps (:mod:`offloadsim.plots.link_lines`), so a reader
sees when it dropped; the note says what that panel leaves out (mobility's per-device changes).
Each bandwidth dip given a time to recover (:func:`dip_spans`) is shaded dotted blue in every panel,
and the links panel draws the level a dip is under, dash-dot: the note's times after it point at a span.
A line lying on another, hidden under it, is named: in the legend where it does throughout
(``neurosurgeon (same line as edge)``), under the figure with when where it does for a while.
``--metric`` draws another of :data:`METRICS` the same way (each run's value per bin as its
summary takes it over the whole run, the median over runs, their range).  Under it, each policy's
time to recover after each outage (:mod:`offloadsim.analysis.recovery`: from the task records,
the same whatever ``--bin``, ``--from`` or ``--to``), and the link changes that are no outage and
were not analysed.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.transforms import blended_transform_factory

from offloadsim.analysis.catalogue import metric_info, of_completed_tasks
from offloadsim.analysis.chunked import deadline_outcomes, spent
from offloadsim.analysis.groups import GROUP_COLUMN
from offloadsim.analysis.recovery import (
    DIP,
    DIP_SHARE,
    LEAST_COMPLETED,
    OVERLAPPED,
    Change,
    capacity_dips,
    changes_said,
    link_changes_of,
    merged_outages,
    node_changes_of,
    time_to_recover,
    unanalysed_changes,
)
from offloadsim.errors import argument
from offloadsim.plots.axes import (
    SPAN_GID,
    clear_legend,
    integer_axis,
    label_panels,
    laid_out,
    lines_under_legend,
    log_axis,
    notes_keeping_panels,
    plain_number,
    root_figure,
)
from offloadsim.plots.bandwidth_scale import bandwidth_axis, drawn_values, label_lowest, log_bandwidth
from offloadsim.plots.down_names import down_said
from offloadsim.plots.figure_data import FigureView, refuse_pooled_figure
from offloadsim.plots.figure_notes import drawn_groups, held_trace_note, one_run_note, pooled_groups_note
from offloadsim.plots.kind_registry import FigureRequest, undrawable
from offloadsim.plots.kinds import figure_kind
from offloadsim.plots.link_lines import LinkLines, directions, handovers, link_lines, of_sources
from offloadsim.plots.series import drawn_label, drawn_under
from offloadsim.plots.series_names import shown_label, shown_name
from offloadsim.plots.style import FIGSIZES, house_style, new_axes, style_map
from offloadsim.records.schema import STATUSES
from offloadsim.records.stored import ExperimentError, Results

__all__ = [
    "KIND",
    "MAX_BINS",
    "METRICS",
    "Bins",
    "binned_latency",
    "binned_metric",
    "binned_runs",
    "bins_figure",
    "bins_tables",
    "default_bin_s",
    "few_completed",
    "figure_with_tables",
    "dip_spans",
    "down_spans",
    "latency_time_figure",
    "latency_time_tables",
    "recovery_note",
    "window_argument",
]

KIND = "latency-time"

#: More bins than this is a bin width mistyped (``--bin 1ms`` over an hour): refused, not drawn for minutes.
MAX_BINS = 5_000

_TARGET_BINS = 60  # the default bin width gives about this many bins over the measured time
#: A node's stretch down: a light grey hatched in a darker one.  A plain grey fill was read for
#: the grey-brown where an orange and a blue band overlap; no band is ever hatched.
_DOWN_FILL = (0.5, 0.5, 0.5, 0.10)
_DOWN_HATCH_COLOUR = (0.35, 0.35, 0.35, 0.45)
_DOWN_HATCH = "////"

#: The metrics drawn over time (``--metric``; the catalogue's names and labels): per run and bin, the
#: statistic of its tasks' values that the run's summary takes over the whole run, and those tasks.
METRICS: dict[str, str] = {
    "latency_p50_s": "the median latency of the completed tasks",
    "latency_mean_s": "the mean latency of the completed tasks",
    "latency_p95_s": "the 95th percentile of the completed tasks' latency",
    "latency_p99_s": "the 99th percentile of the completed tasks' latency",
    "wait_mean_s": "the mean queueing wait of the completed tasks",
    "deadline_miss_rate": "the share of the tasks with a deadline and a known outcome that missed it",
    "device_energy_mean_j": "the mean device energy (above idle) of the tasks that ended",
}
DEFAULT_METRIC = "latency_p50_s"

#: plot_results' window keywords and the command line's flags for them (``--bin``, ``--from``, ``--to``).
_WINDOW_FLAGS = {"bin_s": "bin", "from_s": "from", "to_s": "to"}


def window_argument(name: str, value: float | None = None) -> str:
    """``bin_s``, ``from_s`` or ``to_s`` as its caller gave it: ``from_s=2.5`` from Python, ``--from 2.5 s``.

    >>> window_argument("to_s", 30.0)
    'to_s=30'
    """
    shown = None if value is None else f"{value:g}"
    return argument(name, shown, flag=_WINDOW_FLAGS[name], unit="s")


def default_bin_s(span_s: float) -> float:
    """The default bin width: ``span_s`` / 60 rounded down to 1, 2 or 5 × a power of ten (s).

    >>> default_bin_s(290.0), default_bin_s(140.0), default_bin_s(3.0)
    (2.0, 2.0, 0.05)
    """
    if not span_s > 0 or not math.isfinite(span_s):
        return 1.0
    raw = span_s / _TARGET_BINS
    power = 10.0 ** math.floor(math.log10(raw))
    step = max(s for s in (1.0, 2.0, 5.0) if s * power <= raw * (1 + 1e-9))
    return float(f"{step * power:.12g}")


def binned_latency(
    tasks: pd.DataFrame, *, bin_s: float, start_s: float, end_s: float, by: str = "policy"
) -> pd.DataFrame:
    """Per series (``by``) and bin of arrival time: the median latency over runs, its band, and counts.

    :func:`binned_metric` of ``latency_p50_s``, its ``value``, ``low`` and ``high`` named
    ``median_s``, ``low_s`` and ``high_s``.
    """
    binned = binned_metric(tasks, DEFAULT_METRIC, bin_s=bin_s, start_s=start_s, end_s=end_s, by=by)
    return binned.rename(columns={"value": "median_s", "low": "low_s", "high": "high_s"})


def binned_metric(
    tasks: pd.DataFrame,
    metric: str,
    *,
    bin_s: float,
    start_s: float,
    end_s: float,
    by: str = "policy",
    run_end_s: float | None = None,
) -> pd.DataFrame:
    """Per series (``by``) and bin of arrival time: a metric (:data:`METRICS`) over runs, its band, counts.

    Bins are ``[start_s + i·bin_s, start_s + (i+1)·bin_s)``, the last cut at ``end_s``.  A run is
    one ``replication`` of a series.  Columns: ``series``, ``bin_start``, ``bin_end``, ``value``
    (the median over the runs of each run's ``metric`` over its tasks arriving in the bin, taken
    as its summary takes it over the whole run: ``latency_p95_s`` the 95th percentile of the
    completed tasks' latency), ``low`` and ``high`` (the band: the least and greatest of those
    runs' values; with one run, for the median latency the 10 % and 90 % quantiles of the bin's
    latencies, for any other metric none, NaN), ``runs`` (runs with a task counted in the bin),
    ``completed`` and ``not_completed`` (tasks arriving in the bin, over every run).  Tasks
    arriving outside ``[start_s, end_s)`` are left out.  ``run_end_s``: when the runs ended, for
    the deadline-miss rate (a task still in flight past its deadline then missed it).
    """
    if metric not in METRICS:
        raise ValueError(f"binned_metric: metric {metric!r} is not one of {', '.join(METRICS)}")
    edges = bin_edges(start_s, end_s, bin_s)
    arrival = tasks["arrival"].to_numpy(dtype=float)
    inside = (arrival >= start_s) & (arrival < end_s)
    frame = tasks[inside]
    index = np.minimum(
        np.searchsorted(edges, frame["arrival"].to_numpy(dtype=float), "right") - 1, len(edges) - 2
    )
    done = frame["status"].astype(str).to_numpy() == "completed" if "status" in frame.columns else None
    done = np.ones(len(frame), dtype=bool) if done is None else done
    values, counted = _task_values(frame, metric, done, run_end_s)
    statistic = _STATISTICS[metric]
    names = frame[by].astype(str).to_numpy() if by in frame.columns else np.full(len(frame), "")
    runs = frame["replication"].to_numpy() if "replication" in frame.columns else np.zeros(len(frame), int)
    rows: list[dict[str, Any]] = []
    for name in dict.fromkeys(names.tolist()):
        mine = names == name
        several = len(np.unique(runs[mine])) > 1
        for i in range(len(edges) - 1):
            here = mine & (index == i)
            ok = here & counted
            each = _each_run(statistic, values, ok, runs)
            if not each:
                value = low = high = math.nan
            elif several:
                value, low, high = float(np.median(each)), min(each), max(each)
            elif metric == DEFAULT_METRIC:
                value = each[0]
                low, high = (float(q) for q in np.quantile(values[ok], [0.1, 0.9]))
            else:
                value, low, high = each[0], math.nan, math.nan
            rows.append(
                {
                    "series": name,
                    "bin_start": float(edges[i]),
                    "bin_end": float(edges[i + 1]),
                    "value": value,
                    "low": low,
                    "high": high,
                    "runs": len(each),
                    "completed": int((here & done).sum()),
                    "not_completed": int((here & ~done).sum()),
                }
            )
    return pd.DataFrame(rows)


def metric_over(
    tasks: pd.DataFrame,
    metric: str,
    from_s: float,
    to_s: float,
    *,
    by: str = "policy",
    run_end_s: float | None = None,
) -> dict[str, float]:
    """Per series, ``metric`` over its tasks arriving in ``[from_s, to_s)``, whatever the bins.

    As :func:`binned_metric` takes a bin's ``value`` (the median over the runs of each run's value),
    over one stretch: a time to recover's baseline (:mod:`offloadsim.analysis.recovery`), the same
    for any bin width and window drawn.  A series with no task counted there is left out.
    """
    arrival = tasks["arrival"].to_numpy(dtype=float)
    frame = tasks[(arrival >= from_s) & (arrival < to_s)]
    done = frame["status"].astype(str).to_numpy() == "completed" if "status" in frame.columns else None
    done = np.ones(len(frame), dtype=bool) if done is None else done
    values, counted = _task_values(frame, metric, done, run_end_s)
    names = frame[by].astype(str).to_numpy() if by in frame.columns else np.full(len(frame), "")
    runs = frame["replication"].to_numpy() if "replication" in frame.columns else np.zeros(len(frame), int)
    found = {}
    for name in dict.fromkeys(names.tolist()):
        each = _each_run(_STATISTICS[metric], values, counted & (names == name), runs)
        if each:
            found[name] = float(np.median(each))
    return found


def _each_run(statistic: Any, values: np.ndarray, ok: np.ndarray, runs: np.ndarray) -> list[float]:
    """Each run's ``statistic`` of ``values`` where ``ok``, the runs in order: a bin's, a stretch's."""
    return [statistic(values[ok & (runs == r)]) for r in np.unique(runs[ok])]


def _mean(values: np.ndarray) -> float:
    return float(np.mean(values))


def _percentile(q: float) -> Any:
    def statistic(values: np.ndarray) -> float:
        return float(np.percentile(values, q))  # linear, as the summary's (analysis.statistics.percentile)

    return statistic


#: How each metric of :data:`METRICS` reduces a run's values in a bin to one number.
_STATISTICS = {
    "latency_p50_s": lambda values: float(np.median(values)),
    "latency_mean_s": _mean,
    "latency_p95_s": _percentile(95),
    "latency_p99_s": _percentile(99),
    "wait_mean_s": _mean,
    "deadline_miss_rate": _mean,
    "device_energy_mean_j": _mean,
}


def _task_values(
    tasks: pd.DataFrame, metric: str, done: np.ndarray, run_end_s: float | None
) -> tuple[np.ndarray, np.ndarray]:
    """Each task's value of ``metric`` and whether it counts in it, as the run's summary counts it."""

    def floats(name: str) -> np.ndarray:
        if name not in tasks.columns:
            return np.full(len(tasks), math.nan)
        return tasks[name].to_numpy(dtype=float, na_value=math.nan)

    status = tasks["status"].astype(str).to_numpy() if "status" in tasks.columns else None
    masks = {s: (status == s if status is not None else np.zeros(len(tasks), bool)) for s in STATUSES}
    masks["completed"] = done
    if metric == "deadline_miss_rate":
        known, misses = deadline_outcomes(
            masks, floats("deadline"), floats("deadline_met"), floats("arrival"), run_end_s
        )
        return misses.astype(float), known
    if metric == "device_energy_mean_j":
        energy = floats("device_energy")
        return energy, spent(masks) & ~np.isnan(energy)
    column = "wait" if metric == "wait_mean_s" else "latency"
    values = floats(column)
    return values, done & ~np.isnan(values)


def bin_edges(start_s: float, end_s: float, bin_s: float) -> np.ndarray:
    """The edges of bins ``bin_s`` wide from ``start_s``, the last cut at ``end_s``.

    >>> bin_edges(10.0, 15.0, 2.0).tolist()
    [10.0, 12.0, 14.0, 15.0]
    """
    count = max(1, math.ceil((end_s - start_s) / bin_s - 1e-9))
    edges = start_s + bin_s * np.arange(count + 1, dtype=float)
    edges[-1] = end_s
    return edges


def down_spans(nodes: pd.DataFrame, end_s: float) -> list[tuple[str, Any, float, float]]:
    """``(node, replication, since, until)`` of every stretch the nodes' ``down`` records hold.

    ``until`` is ``end_s`` where the node was still down at the end.  Runs of several policies
    sharing one replication's outages (the same failures: common random numbers) give them once.
    """
    if "down" not in nodes.columns:
        return []
    spans: dict[tuple[str, Any, float, float], None] = {}
    replications = nodes["replication"] if "replication" in nodes.columns else pd.Series(0, index=nodes.index)
    for node, replication, text in zip(nodes["node"].astype(str), replications, nodes["down"], strict=True):
        if not isinstance(text, str) or not text:
            continue
        try:
            pairs = [
                (float(since), end_s if until is None else float(until)) for since, until in json.loads(text)
            ]
        except (ValueError, TypeError) as error:  # a table edited by hand: not the JSON a run writes
            raise ExperimentError(
                f"nodes.parquet: node {node}'s down: expected JSON [[since, until], ...] in seconds, "
                f"got {text!r:.60} ({error})"
            ) from None
        for since, until in pairs:
            spans[(node, replication, since, until)] = None
    return list(spans)


@dataclass(frozen=True)
class Bins:
    """What the figure and its tables are drawn from: the bins, the window and the runs' outages.

    Made once (:func:`binned_runs`) for both where both are wanted (``plot`` writes the tables beside
    the figure): binning every run for each took it twice.
    """

    view: FigureView
    metric: str
    start: float
    end: float
    width: float
    end_s: float  # when the runs ended
    binned: pd.DataFrame
    runs: int
    spans: list[tuple[str, Any, float, float]]  # the nodes' stretches down in the window
    links: LinkLines
    recovery: pd.DataFrame  # per series and outage, the time to recover (analysis.recovery)
    unanalysed: str = ""  # the link changes in the window that are no outage (analysis.recovery)


def binned_runs(
    results: Results,
    where: Mapping[str, Any] | None,
    bin_s: float | None,
    from_s: float | None,
    to_s: float | None,
    metric: str | None,
) -> Bins:
    """The figure's bins (refused in one line where they cannot be made: see :func:`latency_time_figure`)."""
    kind = argument("kind", KIND)
    registered = figure_kind(KIND)
    refusal = undrawable(registered, results.kind, results.path) if registered is not None else None
    if refusal is not None:  # a sweep: its registration says what to draw instead
        raise ExperimentError(refusal)
    metric = _chosen_metric(metric)
    view = FigureView(results, KIND, None, where)
    tasks = view.tasks
    if "app" in tasks.columns and tasks["app"].nunique() > 1:
        apps = ", ".join(map(str, pd.unique(tasks["app"].astype(str))))
        first = str(tasks["app"].iloc[0])
        raise ExperimentError(
            f"{kind} draws one application's {metric_info(metric).label}, but the tasks are of several "
            f"({apps}): pick one with {argument('where', f'app={first}')}"
        )
    refuse_pooled_figure(view, tasks, ["policy"], KIND)
    start, end = _window(results, tasks, from_s, to_s)
    width = default_bin_s(end - start) if bin_s is None else bin_s
    if not (width > 0 and math.isfinite(width)):
        raise ExperimentError(f"{window_argument('bin_s')}: expected a bin width above 0 s, got {width:g} s")
    if (bins := (end - start) / width) > MAX_BINS:  # a tiny bin made a count 300 digits long, or infinite
        many = f"{math.ceil(bins):,}" if bins < 1e9 else "over 1,000,000,000"
        raise ExperimentError(
            f"{window_argument('bin_s', width)}: {many} bins over "
            f"{end - start:g} s (at most {MAX_BINS:,}); give a wider bin"
        )
    end_s = float(results.manifest.get("warmup_s", 0.0) or 0.0) + float(
        results.manifest.get("duration_s", end)
    )
    binned = binned_metric(tasks, metric, bin_s=width, start_s=start, end_s=end, run_end_s=end_s)
    if not len(binned) or not (binned["completed"] + binned["not_completed"]).sum():
        raise ExperimentError(f"cannot draw {KIND}: no task arrived between {start:g} s and {end:g} s")
    if metric == "deadline_miss_rate" and not binned["runs"].any():
        raise ExperimentError(
            f"{argument('metric', metric)}: no task arriving between {start:g} s and {end:g} s has a "
            "deadline (applications' deadline); draw another metric"
        )
    runs = int(tasks["replication"].nunique()) if "replication" in tasks.columns else 1
    spans = [s for s in down_spans(view.nodes, end_s) if s[3] > start and s[2] < end]
    links = link_lines(of_sources(view.link_changes, view.where.get("source")), start, end)
    outages = [(s[0], s[2], s[3]) for s in spans] + _links_down(view.link_changes, start, end)
    dips = _dips(view.link_changes, start, end, end_s)
    changes = node_changes_of((s[0], s[2], s[3]) for s in spans) + link_changes_of(view.link_changes)
    per_run = _outages_per_run(tasks, spans, view.link_changes, start, end, end_s)
    measured = float(results.manifest.get("warmup_s", 0.0) or 0.0)
    if len(set(per_run.values())) > 1:  # each run its own outages: a pooled line does not show them
        recovery = _recovery_per_run(tasks, view.link_changes, per_run, metric, (measured, end_s))
    else:
        recovery = _recovered(binned, (outages, dips), changes, tasks, metric, (measured, end_s))
    unanalysed = changes_said(unanalysed_changes(_in_window(view.link_changes, start, end), dips))
    return Bins(view, metric, start, end, width, end_s, binned, runs, spans, links, recovery, unanalysed)


def _in_window(changes: pd.DataFrame | None, start: float, end: float) -> pd.DataFrame | None:
    """``link_changes`` rows at ``[start, end)``."""
    if changes is None or not len(changes):
        return changes
    time = changes["time"].to_numpy(dtype=float)
    return changes[(time >= start) & (time < end)]


def _dips(
    changes: pd.DataFrame | None, start: float, end: float, end_s: float
) -> list[tuple[str, float, float]]:
    """The bandwidth dips (:func:`~offloadsim.analysis.recovery.capacity_dips`) reaching ``[start, end)``."""
    return [dip for dip in capacity_dips(changes, end_s) if dip[2] > start and dip[1] < end]


def _recovered(
    series: pd.DataFrame,
    stretches: tuple[Sequence[tuple[str, float, float]], Sequence[tuple[str, float, float]]],
    changes: Sequence[Change],
    tasks: pd.DataFrame,
    metric: str,
    measured: tuple[float, float],
) -> pd.DataFrame:
    """:func:`~offloadsim.analysis.recovery.time_to_recover` after ``stretches`` (outages, dips).

    Its baseline ``metric`` over the tasks before each (:func:`metric_over`); ``measured``: the
    measured time's start and the runs' end (s).
    """

    def level(from_s: float, to_s: float) -> dict[str, float]:
        return metric_over(tasks, metric, from_s, to_s, run_end_s=measured[1])

    outages, dips = stretches
    return time_to_recover(
        series,
        outages,
        changes=changes,
        tasks=tasks,
        run_end_s=measured[1],
        dips=dips,
        level=level,
        measured_from_s=measured[0],
    )


def _run_rows(table: pd.DataFrame | None, replication: Any) -> pd.DataFrame | None:
    """``table``'s rows of one replication (all of them where it has no ``replication`` column)."""
    if table is None or "replication" not in table.columns:
        return table
    return table[table["replication"] == replication]


def _outages_per_run(
    tasks: pd.DataFrame,
    spans: Sequence[tuple[str, Any, float, float]],
    link_changes: pd.DataFrame | None,
    start: float,
    end: float,
    end_s: float,
) -> dict[Any, tuple[tuple[tuple[str, float, float], ...], tuple[tuple[str, float, float], ...]]]:
    """Each replication drawn's outages in the window (nodes down, then link directions down) and dips."""
    if "replication" not in tasks.columns:
        return {}
    found = {}
    for replication in pd.unique(tasks["replication"]):
        nodes = tuple((s[0], s[2], s[3]) for s in spans if s[1] == replication)
        mine = _run_rows(link_changes, replication)
        links = _links_down(mine, start, end)
        found[replication] = (nodes + tuple(links), tuple(_dips(mine, start, end, end_s)))
    return found


def _links_down(changes: pd.DataFrame | None, start: float, end: float) -> list[tuple[str, float, float]]:
    """The link directions down in ``[start, end)``, each from when it went down, not cut to ``start``.

    The shading starts at the window's edge; an outage's time to recover must not (``--from`` in
    the middle of it gave another backlog), as a node's does not.
    """
    return [down for down in link_lines(changes, 0.0, end).down if down[2] > start]


def _recovery_per_run(
    tasks: pd.DataFrame,
    link_changes: pd.DataFrame | None,
    per_run: Mapping[Any, tuple[Sequence[tuple[str, float, float]], Sequence[tuple[str, float, float]]]],
    metric: str,
    measured: tuple[float, float],
) -> pd.DataFrame:
    """The time to recover of each run from its own outages, its own tasks, a ``replication`` column added.

    Where the replications' outages differ (a random ``failures`` entry draws each its own), the line
    drawn is the median over runs, most of which were up, and one run's outage is not another's: so
    each run is judged from its own outages, dips and tasks (its baseline from its own tasks).
    ``measured``: the measured time's start and the runs' end (s).
    """
    tables = []
    for replication, (outages, dips) in per_run.items():
        mine = tasks[tasks["replication"] == replication]
        changes = node_changes_of(o for o in outages if "→" not in o[0])
        changes += link_changes_of(_run_rows(link_changes, replication))
        names = mine["policy"].astype(str) if "policy" in mine.columns else pd.Series("", index=mine.index)
        series = pd.DataFrame({"series": pd.unique(names)})
        table = _recovered(series, (outages, dips), changes, mine, metric, measured)
        table.insert(1, "replication", replication)
        tables.append(table)
    return pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()


def latency_time_figure(
    results: Results,
    *,
    where: Mapping[str, Any] | None = None,
    size: str | None = None,
    bin_s: float | None = None,
    from_s: float | None = None,
    to_s: float | None = None,
    metric: str | None = None,
) -> Figure:
    """The ``latency-time`` figure of a run or comparison (see the module's docstring).

    ``bin_s``: the bin width (s; default :func:`default_bin_s` of the window); ``from_s`` and
    ``to_s``: the window of arrival times drawn (default the measured time); ``metric``: one of
    :data:`METRICS` (default the median latency).  Raises :class:`ExperimentError` for a sweep,
    data that vary but by policy (several applications), a bin width not above 0 or making more
    than :data:`MAX_BINS` bins, an empty window, or a metric not drawn over time or none of whose
    tasks are here (deadlines).
    """
    return bins_figure(binned_runs(results, where, bin_s, from_s, to_s, metric), size)


def figure_with_tables(results: Results, request: FigureRequest) -> tuple[Figure, dict[str, pd.DataFrame]]:
    """``plot --kind latency-time``'s drawing: the figure, its bins (``csv``) and times to recover.

    Binned once for both (:func:`binned_runs`); ``request``'s options were checked by
    :func:`offloadsim.plots.results.plot_with_tables`.
    """
    binned = binned_runs(results, request.where, request.bin_s, request.from_s, request.to_s, request.metric)
    bins, recovery = bins_tables(binned)
    return bins_figure(binned, request.size), {"csv": bins, "recovery.csv": recovery}


def bins_figure(prepared: Bins, size: str | None) -> Figure:
    """The figure of :func:`latency_time_figure`, drawn from its bins (:func:`binned_runs`)."""
    view, metric, binned, runs = prepared.view, prepared.metric, prepared.binned, prepared.runs
    start, end, width = prepared.start, prepared.end, prepared.width
    missed = int(binned["not_completed"].sum())
    nodes = view.nodes
    spans, links = prepared.spans, prepared.links
    info = metric_info(metric)
    recovered = recovery_note(prepared.recovery, prepared.unanalysed)
    fig, panels = _axes(size, lower=missed > 0, links=bool(links.lines))
    axes = panels[1:] if links.lines else panels  # the latency panel first, the tasks not completed under it
    top = axes[0]
    order = list(dict.fromkeys(binned["series"]))
    # Each policy in the colour it has in the result's other figures, with --where or without.
    metrics = view.results.metrics
    every = metrics["policy"].astype(str).tolist() if "policy" in metrics.columns else []
    styles = style_map([*every, *order])
    with house_style():
        dips = dip_spans(prepared.recovery)
        for ax in panels:
            _shade(ax, spans)
            _shade_links(ax, links.down)
            _shade_dips(ax, dips)
        if links.lines:
            _draw_links(panels[0], links, start, end, dipped=bool(dips))
        drawn = {}
        for name in order:
            part = binned[binned["series"] == name]
            if np.isfinite(part["value"].to_numpy(dtype=float)).any():
                drawn[name] = (_draw_series(top, part, styles[name], name, info.scale), part)
        top.set_ylabel("latency (ms)" if metric == DEFAULT_METRIC else info.axis_label)
        if info.unit != "%" and _wide(binned):
            log_axis(top, "y")
        top.set_xlim(start, end)
        under, over = _lines_on_each_other(top, {name: part for name, (_, part) in drawn.items()}, info.scale)
        for name, (line, _) in drawn.items():
            # ``neurosurgeon (same line as fixed (edge1))``: its legend is made here, not by tidy_legend.
            line.set_label(shown_label(drawn_label(name, under, "line"), "policy"))
        entries = [(h, lab) for h, lab in zip(*top.get_legend_handles_labels(), strict=True)]
        named = False
        if spans:
            nodes_down = list(dict.fromkeys(s[0] for s in spans))
            named = _name_spans(top, spans, start, end)
            entries.append((_down_patch(), _down_label(nodes_down, runs, named)))
        if links.down:
            links_down = list(dict.fromkeys(s[0] for s in links.down))
            # grouped (down_said): twelve directions read "phone-0→edge, edge→phone-0, ... and 9 more"
            entries.append((Patch(**_LINK_DOWN_STYLE), _down_label([down_said(links_down)], runs)))
        if dips:
            entries.append((Patch(**_DIP_STYLE), _dip_label(runs)))
        moved = _draw_handovers(top, view, start, end, runs)
        if moved is not None:
            entries.append(moved)
        if entries:
            top.legend([h for h, _ in entries], [lab for _, lab in entries], loc="upper right", fontsize=6)
        if missed:
            lower = axes[1]
            _draw_missed(lower, binned, order, styles, runs)
            lower.set_xlim(start, end)
            top.tick_params(axis="x", labelbottom=False)
        axes[-1].set_xlabel("arrival time (s, simulated)")
        titles = _titles(view, missed, len(axes), metric)
        if links.lines:
            titles.insert(0, _LINKS_TITLE)
        if len(panels) > 1:
            label_panels(panels, list[str | None](titles))
        else:
            top.set_title(titles[0], loc="left")
    recorded, kept = "down" in nodes.columns, view.link_changes is not None
    note = _note(binned, width, runs, spans, missed, recorded, metric, over, links, kept, named, bool(dips))
    if moved is not None:  # its handovers are drawn now; the radio rates still are not
        note = note.replace(_MOBILITY_UNDRAWN, "mobility's radio rates not drawn (handovers dotted)")
    note += _drives_note(view, start, end, runs, moved is not None)
    if run_of := one_run_note(view):
        note += f"\n{run_of}"
    if pooled := pooled_groups_note(view, ["policy"], _one_group_hint(view)):
        note += f"\n{pooled}"
    if held := held_trace_note(view):
        note += f"\n{held}"
    note += recovered
    # The figure grows by its notes' height, each stacked panel as tall as without them (the notes
    # took their room: the gallery's lower panel's ticks ran into each other); the short panels are
    # short by design, held to their own height, not grown to an inch.
    notes_keeping_panels(fig, note, least=0.0)
    legend = top.get_legend()
    if legend is not None and lines_under_legend(top, legend, laid_out(top)):
        clear_legend(top, wide_above=True)  # the upper right held a band or a line: where it covers none
    return fig


def latency_time_tables(
    results: Results,
    *,
    where: Mapping[str, Any] | None = None,
    bin_s: float | None = None,
    from_s: float | None = None,
    to_s: float | None = None,
    metric: str | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The bins :func:`latency_time_figure` draws with these arguments, and the time to recover.

    A row per policy and bin, as drawn: ``policy``, ``bin_start_s``, ``bin_end_s``, ``metric`` (its
    name), ``value`` (the line), ``band_low`` and ``band_high`` (the band; empty where none is drawn),
    ``runs``, ``tasks`` (arriving in the bin, over every run), ``completed`` and ``not_completed``
    (the lower panel's, summed over the runs).  Values in the metric's own unit (latency in s, not
    the figure's ms), so that a paper's numbers come from the figure's bins.  Refused as the figure is.
    The second table: per policy and outage (a node or link down, those overlapping merged),
    ``policy``, ``metric``, ``outage_from_s``, ``outage_to_s``, ``baseline``, ``recovered_at_s`` and
    ``time_to_recover_s`` (the outage's backlog's drain, from the task records whatever the bins:
    :mod:`offloadsim.analysis.recovery`; empty where it did not recover), ...; where the
    replications' outages differ, a row per run and outage, ``replication`` after ``metric`` (each
    run judged from its own outages and tasks: :func:`_recovery_per_run`).
    """
    return bins_tables(binned_runs(results, where, bin_s, from_s, to_s, metric))


def bins_tables(prepared: Bins) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The tables of :func:`latency_time_tables`, from the figure's bins (:func:`binned_runs`)."""
    binned = prepared.binned
    recovery = prepared.recovery.rename(columns={"series": "policy"})
    recovery.insert(1, "metric", prepared.metric)
    bins = pd.DataFrame(
        {
            "policy": binned["series"].astype(str),
            "bin_start_s": binned["bin_start"].astype(float),
            "bin_end_s": binned["bin_end"].astype(float),
            "metric": prepared.metric,
            "value": binned["value"].astype(float),
            "band_low": binned["low"].astype(float),
            "band_high": binned["high"].astype(float),
            "runs": binned["runs"].astype(int),
            "tasks": (binned["completed"] + binned["not_completed"]).astype(int),
            "completed": binned["completed"].astype(int),
            "not_completed": binned["not_completed"].astype(int),
        }
    )
    return bins, recovery


def _window(
    results: Results, tasks: pd.DataFrame, from_s: float | None, to_s: float | None
) -> tuple[float, float]:
    """The arrival times drawn: ``[from_s, to_s)``, each defaulting to the measured time's end."""
    warmup = results.manifest.get("warmup_s")
    duration = results.manifest.get("duration_s")
    arrival = tasks["arrival"].to_numpy(dtype=float) if len(tasks) else np.array([0.0, 1.0])
    first = float(warmup) if warmup is not None else float(np.nanmin(arrival))
    last = first + float(duration) if duration is not None else float(np.nanmax(arrival))
    start = first if from_s is None else from_s
    end = last if to_s is None else to_s
    if not end > start:
        if to_s is None:  # the measured time's end: not the user's --to
            raise ExperimentError(
                f"{window_argument('from_s', start)}: expected a time before the measured time's end, "
                f"{end:g} s"
            )
        if from_s is None:
            raise ExperimentError(
                f"{window_argument('to_s', end)}: expected a time after the measured time's start, "
                f"{start:g} s"
            )
        raise ExperimentError(
            f"{window_argument('from_s', start)} {window_argument('to_s', end)}: expected "
            f"{window_argument('to_s')} after {window_argument('from_s')}"
        )
    return start, end


def _axes(size: str | None, *, lower: bool, links: bool = False) -> tuple[Figure, list[Axes]]:
    """The latency panel, under it a short panel of tasks not completed when there are any.

    With ``links``, a short panel of the links' bandwidth above them (the first of the axes returned).
    """
    width, height = FIGSIZES[size or "two-column"]
    ratios = [1] * links + [3] + [1] * lower
    if len(ratios) == 1:
        fig, ax = new_axes((width, height + 0.4))
        return fig, [ax]
    tall = height + 0.4 + 0.8 * (len(ratios) - 1)
    fig, axes = new_axes((width, tall), nrows=len(ratios), sharex=True)
    fig.axes[0].get_gridspec().set_height_ratios(ratios)
    for ax in list(axes)[:-1]:
        ax.tick_params(axis="x", labelbottom=False)
    return fig, list(axes)


#: How faint a line is drawn in the bins where under :data:`LEAST_COMPLETED` of the tasks completed.
_FAINT = 0.35


def few_completed(part: pd.DataFrame) -> np.ndarray:
    """Per bin of one series, whether fewer than :data:`LEAST_COMPLETED` of the tasks arriving completed.

    There the line is the latency of the few that did, the rest still queued or dropped: it can read
    as a recovery (``local`` back down after an outage) while its queue grows.  Drawn faint, and
    named under the figure.  Bins with no line (no value) are not marked: nothing is drawn there.
    """
    completed = part["completed"].to_numpy(dtype=float)
    arrived = completed + part["not_completed"].to_numpy(dtype=float)
    values = part["value"].to_numpy(dtype=float)
    return (arrived > 0) & (completed < LEAST_COMPLETED * arrived) & np.isfinite(values)


def _draw_series(ax: Axes, part: pd.DataFrame, style: Mapping[str, Any], name: str, scale: float) -> Artist:
    """One series: its bins' values as steps, its band shaded in its colour (``scale``: to display units).

    Returns the steps' artist (the legend's entry).
    """
    x = np.append(part["bin_start"].to_numpy(dtype=float), part["bin_end"].to_numpy(dtype=float)[-1:])
    y = part["value"].to_numpy(dtype=float) * scale
    low = part["low"].to_numpy(dtype=float) * scale
    high = part["high"].to_numpy(dtype=float) * scale
    few = few_completed(part)
    if few.any():  # survivors' values: faint there, the full line under the bold one (no gap at the joins)
        # baseline=None as the bold line's: stairs' default baseline 0 closed each run of bins with an
        # edge down to 0, a faint line off the axes' bottom at every empty bin (a drop that no task had).
        ax.stairs(
            y,
            x,
            color=style["color"],
            linestyle=style["linestyle"],
            linewidth=0.9,
            alpha=_FAINT,
            baseline=None,
        )
    line = ax.stairs(
        np.where(few, np.nan, y),
        x,
        color=style["color"],
        linestyle=style["linestyle"],
        linewidth=1.1,
        label=name,
        baseline=None,
    )
    ax.fill_between(x[:-1], low, high, step="post", color=style["color"], alpha=0.18, linewidth=0)
    # fill_between's steps stop at the last bin's start: its band drawn to the bin's end as well.
    ax.fill_between(
        x[-2:], low[-1:].repeat(2), high[-1:].repeat(2), color=style["color"], alpha=0.18, linewidth=0
    )
    return line


#: Two lines within this share of the axes' height over a bin are drawn one over the other (as a
#: sweep's lines are, :func:`offloadsim.plots.sweep_lines.coinciding_lines`).
_COINCIDE = 0.01

#: Fewer bins than this where two lines meet (two noisy lines crossing) are read from the steps
#: either side, and not named under the figure.
_FEWEST_BINS = 3


def _lines_on_each_other(
    ax: Axes, parts: Mapping[str, pd.DataFrame], scale: float
) -> tuple[dict[str, str], list[str]]:
    """The series drawn wholly on an earlier one's line, and where one lies on another over a stretch.

    In drawing order, a later line hides an earlier one wherever both are within 1 % of the axes'
    height (at the axes' present limits: call it once they are final): ``edge`` and
    ``neurosurgeon`` placing alike until the uplink degraded showed one line where the legend
    named two.  The first (``{"neurosurgeon": "edge"}``) the legend names
    (:func:`~offloadsim.plots.series_names.drawn_label`); the second the note under the figure
    (``neurosurgeon over edge at 5–40 s``), stretches of at least :data:`_FEWEST_BINS` bins.
    """
    ax.get_ylim()  # autoscaled now, so that the transform below is at the limits drawn
    to_axes = ax.transScale + ax.transLimits
    heights: dict[str, np.ndarray] = {}
    for name, part in parts.items():
        values = part["value"].to_numpy(dtype=float) * scale
        with np.errstate(all="ignore"):
            y = to_axes.transform(np.column_stack([part["bin_start"].to_numpy(dtype=float), values]))[:, 1]
        heights[name] = np.where(np.isfinite(values), y, np.nan)

    def meets(mine: np.ndarray, theirs: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            return np.abs(mine - theirs) <= _COINCIDE  # False where either is not drawn (NaN)

    def same(mine: np.ndarray, theirs: np.ndarray) -> bool:
        either = np.isfinite(mine) | np.isfinite(theirs)
        return bool(either.any()) and bool((meets(mine, theirs) == either).all())

    under = drawn_under(list(heights.items()), same)
    names = list(heights)
    said = []
    for i, top in enumerate(names):
        for below in names[:i]:
            if under.get(top) == below or below in under:
                continue
            close = meets(heights[top], heights[below])
            neither = np.isnan(heights[top]) & np.isnan(heights[below])
            stretches = _stretches(parts[top], close, neither)
            if stretches:
                said.append(f"{shown_name(top)} over {shown_name(below)} {_at(stretches)}")
    return under, said


#: More stretches than this of one line over another are summed up, not listed.
_LISTED = 3


def _at(stretches: Sequence[tuple[float, float]]) -> str:
    """``at 5–40 s, 60–72 s``; more than :data:`_LISTED` stretches summed up, with their time in all.

    >>> _at([(5.0, 40.0)]), _at([(0.0, 3.0), (4.0, 8.0), (9.0, 12.0), (20.0, 30.0)])
    ('at 5–40 s', 'in 4 stretches from 0 s to 30 s, 20 s in all')
    """
    if len(stretches) <= _LISTED:
        return "at " + ", ".join(f"{plain_number(a)}–{plain_number(b)} s" for a, b in stretches)
    total = sum(b - a for a, b in stretches)
    return (
        f"in {len(stretches)} stretches from {plain_number(stretches[0][0])} s to "
        f"{plain_number(stretches[-1][1])} s, {plain_number(float(f'{total:.3g}'))} s in all"
    )


def _stretches(part: pd.DataFrame, close: np.ndarray, neither: np.ndarray) -> list[tuple[float, float]]:
    """``(from, to)`` (s) of each run of at least :data:`_FEWEST_BINS` bins ``close``.

    A bin where ``neither`` line is drawn (no task) does not end a run.
    """
    starts, ends = part["bin_start"].to_numpy(dtype=float), part["bin_end"].to_numpy(dtype=float)
    runs: list[list[int]] = []  # [first bin, last bin, bins close]
    open_run = False
    for k in range(len(close)):
        if close[k]:
            if open_run:
                runs[-1][1:] = [k, runs[-1][2] + 1]
            else:
                runs.append([k, k, 1])
                open_run = True
        elif not neither[k]:
            open_run = False
    return [(float(starts[first]), float(ends[last])) for first, last, count in runs if count >= _FEWEST_BINS]


def _draw_missed(
    ax: Axes, binned: pd.DataFrame, order: Sequence[str], styles: Mapping[str, Any], runs: int
) -> None:
    """Tasks not completed per bin, each series' as steps (a mean per run where there are several)."""
    for name in order:
        part = binned[binned["series"] == name]
        x = np.append(part["bin_start"].to_numpy(dtype=float), part["bin_end"].to_numpy(dtype=float)[-1:])
        counts = part["not_completed"].to_numpy(dtype=float) / max(runs, 1)
        if counts.any():
            ax.stairs(
                counts, x, color=styles[name]["color"], linestyle=styles[name]["linestyle"], linewidth=1.0
            )
    ax.set_ylim(bottom=0)
    if runs == 1:
        integer_axis(ax, "y")  # counts of one run: whole tasks
    ax.set_ylabel("not completed\n(tasks" + (" per run)" if runs > 1 else ")"))


#: The links panel's title, and how its lines are drawn: greys, one line style a direction, so that
#: none reads as a policy's line (the policies' colours) or a node's outage (hatched).
_LINKS_TITLE = "link bandwidth in force (links that changed)"
_LINK_STYLES = (("0.2", "-"), ("0.45", "--"), ("0.6", ":"))


#: The scenario's bandwidth of a drawn direction: a wide pale line under the steps, in the legend by
#: name, so that it reads as none of the directions' styles (dotted was one of them, and read as both).
_SCENARIO_STYLE: dict[str, Any] = {
    "color": "0.55",
    "linestyle": "-",
    "linewidth": 3.0,
    "alpha": 0.3,
    "zorder": 1,
}
_SCENARIO_LABEL = "the scenario's bandwidth"

#: Where the figure shades bandwidth dips: the level under which one is, a thin dash-dot line in the
#: dips' blue (no direction's style, all greys), so that a reader sees the steps that went under it.
_HALF_STYLE: dict[str, Any] = {
    "color": (0.25, 0.4, 0.65, 0.8),
    "linestyle": "-.",
    "linewidth": 0.7,
    "zorder": 1,
}
_HALF_LABEL = f"{DIP_SHARE:.0%} of it: a dip under"


def _draw_links(ax: Axes, links: LinkLines, start: float, end: float, dipped: bool = False) -> None:
    """Each drawn direction's bandwidth in force (Mb/s) as steps, 0 while down; a legend of directions.

    Logarithmic where the bandwidths span more than a decade, a link down then a gap
    (:mod:`~offloadsim.plots.bandwidth_scale`); each line's lowest bandwidth is written beside it.

    ``dipped``: the figure shades bandwidth dips, and draws here the level under which one is
    (:data:`~offloadsim.analysis.recovery.DIP_SHARE` of each scenario's bandwidth drawn).
    """
    styles = {d: _LINK_STYLES[i % len(_LINK_STYLES)] for i, d in enumerate(directions(links.lines))}
    log = log_bandwidth(links.lines)
    named: set[str] = set()
    scenario: set[float] = set()
    for line in links.lines:
        colour, linestyle = styles[line.direction]
        if line.scenario_bps not in scenario:  # the scenario's bandwidth, wide and pale: below it, it dropped
            ax.axhline(
                line.scenario_bps / 1e6, label=None if scenario else _SCENARIO_LABEL, **_SCENARIO_STYLE
            )
            if dipped:
                ax.axhline(
                    DIP_SHARE * line.scenario_bps / 1e6,
                    label=None if scenario else _HALF_LABEL,
                    **_HALF_STYLE,
                )
            scenario.add(line.scenario_bps)
        runs = sum(other.runs for other in links.lines if other.direction == line.direction)
        shared = len([other for other in links.lines if other.direction == line.direction]) > 1
        label = line.direction + (f" ({runs} runs)" if shared else "")
        ax.stairs(
            drawn_values(line, log),
            np.asarray(line.edges),
            color=colour,
            linestyle=linestyle,
            linewidth=1.0 if not shared else 0.8,
            baseline=None,
            label=None if line.direction in named else label,
            zorder=2,
        )
        named.add(line.direction)
    bandwidth_axis(ax, links.lines, log)
    label_lowest(ax, links.lines)
    ax.set_xlim(start, end)
    ax.set_ylabel("Mb/s")
    # Beside the panel, one entry under another: inside it the legend hid the line it names, and
    # above it, right of the title, it ran over a long title.
    handles, labels = ax.get_legend_handles_labels()
    last = (_SCENARIO_LABEL, _HALF_LABEL)  # the scenario's and its half last, in that order
    order = sorted(range(len(labels)), key=lambda i: last.index(labels[i]) + 1 if labels[i] in last else 0)
    ax.legend(
        [handles[i] for i in order],
        [labels[i] for i in order],
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        fontsize=6,
        frameon=False,
        borderaxespad=0.0,
    )


def _shade(ax: Axes, spans: Sequence[tuple[str, Any, float, float]]) -> None:
    """Each node's stretch down, hatched (its fill darker where several runs' or nodes' overlap)."""
    for _, _, since, until in spans:
        ax.axvspan(since, until, zorder=0, gid=SPAN_GID, label="_a node down", **_DOWN_STYLE)


_DOWN_STYLE: dict[str, Any] = {
    "facecolor": _DOWN_FILL,
    "edgecolor": _DOWN_HATCH_COLOUR,  # the hatch's colour; no outline (linewidth 0)
    "hatch": _DOWN_HATCH,
    "linewidth": 0,
}


#: A link's stretch down: hatched the other way, in a blue-grey, so as not to read as a node's.
_LINK_DOWN_STYLE: dict[str, Any] = {
    "facecolor": (0.25, 0.4, 0.65, 0.08),
    "edgecolor": (0.25, 0.4, 0.65, 0.4),
    "hatch": "\\\\\\\\",
    "linewidth": 0,
}


def _shade_links(ax: Axes, down: Sequence[tuple[str, float, float]]) -> None:
    """Each stretch a link direction was down (the runs' ``link_changes``), hatched as a node's is not.

    A link's two directions down together are hatched once (darker would read as two runs' outages).
    """
    for since, until in dict.fromkeys((since, until) for _, since, until in down):
        ax.axvspan(since, until, zorder=0, gid=SPAN_GID, label="_a link down", **_LINK_DOWN_STYLE)


#: A bandwidth dip analysed (its time to recover under the figure): the link-down blue, lighter and
#: dotted, read as neither a node's outage (grey, slashes) nor a link's (backslashes), nor a band.
_DIP_STYLE: dict[str, Any] = {
    "facecolor": (0.25, 0.4, 0.65, 0.05),
    "edgecolor": (0.25, 0.4, 0.65, 0.28),
    "hatch": "...",
    "linewidth": 0,
}


def dip_spans(recovery: pd.DataFrame) -> list[tuple[float, float]]:
    """``(since, until)`` of each bandwidth dip the time-to-recover table has rows for, once each, in order.

    The stretches the note under the figure gives times after (``after 8–9 s``), merged as there
    (:func:`~offloadsim.analysis.recovery.time_to_recover`); every run's, where each is judged alone.
    """
    if not len(recovery) or "change" not in recovery.columns:
        return []
    rows = recovery[recovery["change"] == DIP]
    pairs = zip(rows["outage_from_s"].astype(float), rows["outage_to_s"].astype(float), strict=True)
    return sorted(dict.fromkeys((float(a), float(b)) for a, b in pairs))


def _shade_dips(ax: Axes, dips: Sequence[tuple[float, float]]) -> None:
    """Each bandwidth dip analysed (:func:`dip_spans`), lightly dotted over the panel's height."""
    for since, until in dips:
        ax.axvspan(since, until, zorder=0, gid=SPAN_GID, label=f"_a {DIP}", **_DIP_STYLE)


def _dip_label(runs: int) -> str:
    """The legend's name of the dips' shading, as the note names a dip (``bandwidth dip under 50%``).

    Not the directions: the note names them after each dip's times, and a group's name
    (``phone-0…phone-5↔edge (6 links, both ways)``) made the legend wider than the panel.
    """
    return f"{DIP} under {DIP_SHARE:.0%}" + (f" (in any of {runs} runs)" if runs > 1 else "")


def _down_patch() -> Patch:
    """The legend's key of the shading: hatched as the stretches down are."""
    return Patch(**_DOWN_STYLE)


def _down_label(nodes: Sequence[str], runs: int, at_spans: bool = False) -> str:
    """The legend's name of the hatching: the nodes, or where each span is named, that it is."""
    if at_spans:
        return "a node down (named on its span" + (f"; in any of {runs} runs)" if runs > 1 else ")")
    named = ", ".join(nodes[:3]) + (f" and {len(nodes) - 3} more" if len(nodes) > 3 else "") + " down"
    return named + (f" (in any of {runs} runs)" if runs > 1 else "")


#: At most this many stretches down are each named on the figure (more: the legend lists the nodes).
_MOST_NAMED_SPANS = 12
#: ... each at least this share of the window wide (a narrower one is left to the legend).
_NAMED_SPAN_SHARE = 0.02


def _name_spans(ax: Axes, spans: Sequence[tuple[str, Any, float, float]], start: float, end: float) -> bool:
    """Write each node's name at the top of its stretch down, where several nodes went down.

    One hatching for every node told a reader that edge-0, edge-1 and edge-2 were down, not which
    one when.  Returns whether the spans were named (not where one node only, or too many, where
    two nodes were down at once, or one stretch is too narrow for its name: the legend names the
    nodes then).
    """
    by_node: dict[str, list[tuple[float, float]]] = {}
    for node, _, since, until in spans:
        by_node.setdefault(str(node), []).append((max(since, start), min(until, end)))
    # One node's stretches that overlap (several runs'): one name over them.
    stretches = sorted(
        (since, until, node) for node, times in by_node.items() for since, until in merged_outages(times)
    )
    if len(by_node) < 2 or len(stretches) > _MOST_NAMED_SPANS:
        return False
    if any(later[0] < earlier[1] for earlier, later in pairwise(stretches)):
        return False  # two nodes down at once: their names would lie on each other
    axes_pt = root_figure(ax).get_figwidth() * 72 * 0.75  # about the axes' width, before the layout
    for since, until, node in stretches:
        wide_enough = max(_NAMED_SPAN_SHARE, 3.5 * len(node) / axes_pt) * (end - start)
        if until - since < wide_enough:  # about a 6 pt name's width
            return False
    top = blended_transform_factory(ax.transData, ax.transAxes)
    for since, until, node in stretches:
        ax.text(
            (since + until) / 2,
            0.985,
            node,
            transform=top,
            ha="center",
            va="top",
            fontsize=6,
            color="0.2",
            bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.85},
            zorder=5,
            clip_on=True,
        )
    return True


def _wide(binned: pd.DataFrame) -> bool:
    values = binned[["value", "low", "high"]].to_numpy(dtype=float).ravel()
    values = values[np.isfinite(values) & (values > 0)]
    return bool(values.size and values.max() / values.min() > 10)


def _titles(view: FigureView, missed: int, panels: int, metric: str = DEFAULT_METRIC) -> list[str]:
    fixed = ", ".join(f"{view.label(key)} = {' or '.join(values)}" for key, values in view.where.items())
    what = (
        "completed tasks' latency"
        if metric == DEFAULT_METRIC
        else metric_info(metric).label + (" (completed tasks)" if of_completed_tasks(metric) else "")
    )
    first = "; ".join(t for t in (fixed, f"{what} by arrival time") if t)
    return [first, "tasks not completed (dropped, failed, in flight at the end)"][:panels]


def _one_source(view: FigureView) -> str | None:
    """The one device ``--where source=`` shows, or None."""
    sources = view.where.get("source", ())
    return sources[0] if len(sources) == 1 else None


def _draw_handovers(
    ax: Axes, view: FigureView, start: float, end: float, runs: int
) -> tuple[Artist, str] | None:
    """One device's handovers in one run as dotted verticals: a sawtooth's cause, seen. Its legend entry.

    Only where the figure shows one source's tasks of one run: another device's handovers, or
    another replication's drive, would mark times that mean nothing to the line drawn.
    """
    device = _one_source(view)
    if device is None or runs != 1 or view.link_changes is None:
        return None
    times = handovers(of_sources(view.link_changes, (device,)), start, end)
    if not times:
        return None
    lines = [ax.axvline(at, color="0.35", linewidth=0.5, linestyle=":", zorder=1) for at in times]
    return lines[0], f"{device} handed over ({len(times)})"


def _one_group_hint(view: FigureView) -> str:
    """How a latency-time figure, a line per policy, draws one source group: with ``--where``."""
    first = next(iter(drawn_groups(view)), "GROUP")
    return f"{argument('where', f'{GROUP_COLUMN}={first}')} draws one"


def _drives_note(view: FigureView, start: float, end: float, runs: int, marked: bool) -> str:
    """The handovers marked, or that a median over runs pools devices' different drives; "" where neither."""
    changes = view.link_changes
    device = _one_source(view)
    if marked and device is not None:
        return (
            f"\ndotted: each time {device} handed over to another access point (mobility's link_changes, up)"
        )
    if runs < 2 or changes is None or "replication" not in changes.columns:
        return ""
    shown = of_sources(changes, view.where.get("source"))
    if shown is None:
        return ""
    per_run = {
        handovers(part, start, end) for _, part in shown.groupby("replication", sort=False, observed=True)
    }
    if len(per_run) < 2:
        return ""
    return (
        f"\nthe median pools {runs} runs whose drives differ (each replication its own handovers): "
        "--where replication=N draws one, with one source's handovers marked"
    )


def _note(
    binned: pd.DataFrame,
    width: float,
    runs: int,
    spans: Sequence[tuple[str, Any, float, float]],
    missed: int,
    recorded: bool = True,
    metric: str = DEFAULT_METRIC,
    over: Sequence[str] = (),
    links: LinkLines | None = None,
    links_kept: bool = True,
    named_spans: bool = False,
    dips: bool = False,
) -> str:
    """How lines and bands were made, where they lie on each other, what is hatched, what did not complete.

    ``links``: the links panel's lines and what they leave out; ``links_kept``: whether the results
    say when a link changed (``link_changes``) at all; ``named_spans``: each outage named on its span;
    ``dips``: bandwidth dips shaded.
    """
    what = METRICS[metric]
    if runs > 1:
        of_run = what.replace("the ", "each run's ", 1).replace(" of the ", " of its ", 1)
        how = (
            f"each line: per {width:g} s bin of arrival time, {of_run}, then the median over the {runs} "
            "runs (replications); band: the least to the greatest of those runs' values"
        )
        if metric == DEFAULT_METRIC:
            how = how.replace("those runs' values", "those runs' medians")
    elif metric == DEFAULT_METRIC:
        how = f"each line: per {width:g} s bin of arrival time, {what}; band: their 10–90 % range"
    else:
        how = f"each line: per {width:g} s bin of arrival time, {what}; no band: one run"
    lines = [how]
    if over:  # a line hidden under another over part of the time: said, as a sweep's are
        lines.append(f"lines drawn over each other: {'; '.join(over)}")
    if spans:
        nodes = "hatched: a node down, from the run's nodes records (down)" + (
            ", named at the top of its span" if named_spans else ""
        )
    elif not recorded:
        nodes = (
            "outages not shaded: these results were written before the nodes records said when a node "
            "was down (rerun them to have it)"
        )
    else:
        nodes = "no node went down in the window drawn"
    lines.append(f"{nodes}; {_links_note(links or LinkLines((), (), 0, 0, 0), links_kept)}")
    if dips:
        level = ": the dash-dot line in the top panel" if links is not None and links.lines else ""
        lines.append(
            "dotted blue: each bandwidth dip analysed below (a link direction's bandwidth in force under "
            f"{DIP_SHARE:.0%} of the scenario's{level})"
        )
    totals = binned.groupby("series", sort=False)[["completed", "not_completed", "runs"]].sum()
    undrawn = [shown_name(name) for name, row in totals.iterrows() if not row.runs]
    if undrawn:  # no line to draw: said, not left to look like a series missing from the legend
        counted = "completed" if of_completed_tasks(metric) else f"counted in {metric_info(metric).label}"
        lines.append(f"not drawn, no task {counted} in the window: {', '.join(undrawn)}")
    if missed:
        said = ", ".join(
            f"{shown_name(name)} {int(row.not_completed):,}"
            for name, row in totals.iterrows()
            if row.not_completed
        )
        over = "over every run" if runs > 1 else "in this run"
        lines.append(f"not completed, {over} (lower panel): {said}")
        faint = _few_completed_said(binned)
        if faint:
            lines.append(
                f"faint: under {LEAST_COMPLETED:.0%} of the tasks arriving completed, the line is the few "
                f"that did (not a recovery): {faint}"
            )
    else:
        lines.append("every task that arrived in the window completed")
    return "\n".join(lines)


#: Under the figure, why a series has no time to recover (:data:`offloadsim.analysis.recovery.STATUSES`).
_UNRECOVERED = {"not recovered": "not by the run's end"}

#: More outages than this are summed up under the figure (each policy's slowest), not listed.
_OUTAGES_LISTED = 2


def recovery_note(recovery: pd.DataFrame, unanalysed: str = "") -> str:
    """The time each series took to recover after each outage, as a line under the figure ("" if none).

    ``recovery``: :func:`~offloadsim.analysis.recovery.time_to_recover`'s table.  Its definition in
    short, then per outage each series' time (``not by the run's end`` where it did not recover).
    ``unanalysed``: the link changes that are no outage (:func:`~offloadsim.analysis.recovery.changes_said`
    of :func:`~offloadsim.analysis.recovery.unanalysed_changes`), said so after it: a trace's dip
    that held a policy up had no row and nothing said why.
    """
    not_said = (
        f"\nno time to recover after {unanalysed} (a latency or loss change, or a bandwidth never under "
        f"{DIP_SHARE:.0%} of the scenario's or still under it at the end, is no outage: a node or link "
        "direction down, or a bandwidth dip, is analysed)"
        if unanalysed
        else ""
    )
    if not len(recovery):
        return not_said
    dipped = "change" in recovery.columns and bool((recovery["change"] == DIP).any())
    ended = "outage's or dip's" if dipped else "outage's"  # as before where no dip: the figures alike
    head = (
        f"\ntime to recover (from the {ended} end until every "
        "task it held up ended: the last that arrived before its end, unfinished at its start, completed; "
        "from the task records, whatever the bins; in .recovery.csv):\n"
    )

    def said(row: Any) -> str:
        if row.status == "not on the node":
            nodes = down_said(str(row.down).split(", "))
            return f"{shown_name(row.series)} ran nothing on {nodes} (not a recovery from it)"
        if row.status == "not on the link":
            return f"{shown_name(row.series)} sent nothing over any link (not a recovery from it)"
        status = str(row.status).removesuffix(OVERLAPPED)
        mark = "*" if status != row.status else ""
        if status == "recovered":
            return f"{shown_name(row.series)} {plain_number(float(f'{row.time_to_recover_s:.2g}'))} s{mark}"
        left = getattr(row, "backlog_in_flight", None)
        many = f" ({left:,} of its tasks still in flight)" if isinstance(left, int | np.integer) else ""
        return f"{shown_name(row.series)} {_UNRECOVERED[status]}{many}{mark}"

    per_run = "replication" in recovery.columns
    runs = recovery["replication"] if per_run else pd.Series(None, index=recovery.index, dtype=object)
    kinds = recovery["change"] if "change" in recovery.columns else pd.Series("", index=recovery.index)
    outages = list(
        dict.fromkeys(zip(runs, recovery["outage_from_s"], recovery["outage_to_s"], kinds, strict=True))
    )
    parts = [_per_run_said(recovery)] if per_run else []
    for run, since, until, kind in outages[:_OUTAGES_LISTED]:
        mine = recovery[(recovery["outage_from_s"] == since) & (recovery["outage_to_s"] == until)]
        mine = mine[kinds[mine.index] == kind]
        if per_run:
            mine = mine[mine["replication"] == run]
        each = ", ".join(said(row) for row in mine.itertuples())
        in_run = f" in replication {run}" if per_run else ""
        part = f"after {plain_number(round(since, 1))}–{plain_number(round(until, 1))} s{in_run}: {each}"
        down = down_said(str(mine["down"].iloc[0]).split(", ")) if "down" in mine.columns else ""
        what = f"{DIP} under {DIP_SHARE:.0%}" if kind == DIP else "down"
        said_after = [f"{what}: {down}"] if down else []
        overlapped = [str(t) for t in mine.loc[mine["status"].str.endswith(OVERLAPPED), "overlapped"]]
        if overlapped:  # the longest said: the series whose judged bins reach furthest
            whose = "dip's" if kind == DIP else "outage's"
            said_after.append(f"*overlapped, not the {whose} alone: {max(overlapped, key=len)}")
        if said_after:
            part += f" ({'; '.join(said_after)})"
        parts.append(part)
    if len(outages) > _OUTAGES_LISTED:
        more = len(outages) - _OUTAGES_LISTED
        dips = f" or {DIP}{'s' if more > 1 else ''}" if (kinds == DIP).any() else ""
        parts.append(f"{more} more outage{'s' if more > 1 else ''}{dips} in the .recovery.csv")
    return head + "\n".join(parts) + not_said


def _per_run_said(recovery: pd.DataFrame) -> str:
    """Per series, over each run's own outages (:func:`_recovery_per_run`): how many it recovered from.

    With their mean time and the longest; the runs' outages differ, so the line drawn shows none.
    """
    runs = recovery["replication"].nunique()
    stretch = [c for c in ("replication", "outage_from_s", "outage_to_s", "change") if c in recovery.columns]
    outages = len(recovery.drop_duplicates(stretch))
    each = []
    for name, part in recovery.groupby("series", sort=False):
        on = part[~part["status"].isin(["not on the node", "not on the link"])]
        if not len(on):
            each.append(f"{shown_name(name)} ran nothing on what went down")
            continue
        times = on["time_to_recover_s"].dropna().to_numpy(dtype=float)
        said = f"{shown_name(name)} recovered after {len(times)} of {len(on)}"
        if len(times):
            mean = plain_number(float(f"{times.mean():.2g}"))
            said += f" (mean {mean} s, longest {plain_number(float(f'{times.max():.2g}'))} s)"
        each.append(said)
    return (
        f"each run judged on its own line from its own outages ({outages} outages in {runs} runs; the runs' "
        f"outages differ, so the median line drawn hardly shows them: draw one with --where "
        f"replication=N): {'; '.join(each)}"
    )


def _few_completed_said(binned: pd.DataFrame) -> str:
    """``local at 240–300 s; edge at 290–300 s``: where each series is drawn faint (:func:`few_completed`)."""
    said = []
    for name in dict.fromkeys(binned["series"]):
        part = binned[binned["series"] == name]
        few = few_completed(part)
        if not few.any():
            continue
        starts, ends = part["bin_start"].to_numpy(dtype=float), part["bin_end"].to_numpy(dtype=float)
        stretches: list[tuple[float, float]] = []
        for k in np.flatnonzero(few):
            if stretches and stretches[-1][1] == starts[k]:
                stretches[-1] = (stretches[-1][0], float(ends[k]))
            else:
                stretches.append((float(starts[k]), float(ends[k])))
        said.append(f"{shown_name(name)} {_at(stretches)}")
    return "; ".join(said)


#: What the links note says of mobility's changes, where none is drawn.
_MOBILITY_UNDRAWN = "mobility's handovers and radio rates not drawn"


def _links_note(links: LinkLines, kept: bool) -> str:
    """What the links panel draws, or why there is none: from the runs' ``link_changes`` records."""
    if not kept:
        return (
            "link changes not drawn: these results keep no link_changes records (written before "
            "they were kept: rerun them to have them)"
        )
    said = ""
    if links.down:
        said = "hatched blue, the other way: a link down, from the runs' link_changes records; "
    if links.lines:
        said += (
            "top panel: the bandwidth in force of each link direction that changed, from the runs' "
            "link_changes records ("
            + ("log scale, a gap while down" if log_bandwidth(links.lines) else "0 while down")
            + "; wide and pale: the scenario's; its lowest written beside each line)"
        )
        if any(line.directions > 1 for line in links.lines):
            said += "; directions that changed alike in every run are one line, its legend entry naming them"
        if links.more_directions:
            said += f", {links.more_directions:,} more directions changed, not drawn"
    elif not links.down:
        said = "no link changed in the window drawn" + (" but by mobility" if links.mobility_changes else "")
    if links.mobility_changes:
        said += (
            f"{'; ' if said else ''}{_MOBILITY_UNDRAWN} "
            f"({links.mobility_changes:,} changes of {links.mobility_directions:,} link directions in the "
            "window, each device's own: link_changes has them)"
        )
    return said


def _chosen_metric(metric: str | None) -> str:
    """``metric``, or the default; refused in one line naming the metrics drawn over time where it is none."""
    if metric is None:
        return DEFAULT_METRIC
    if metric in METRICS:
        return metric
    from offloadsim.analysis.catalogue import is_metric
    from offloadsim.suggest import did_you_mean_key

    why = (
        "a metric of whole runs, not drawn over time"
        if is_metric(metric)
        else f"unknown metric{did_you_mean_key(metric, list(METRICS), n=4, within=0.05)}"
    )
    raise ExperimentError(
        f"{argument('metric', metric)}: {why}; {argument('kind', KIND)} draws one of {', '.join(METRICS)}"
    )
