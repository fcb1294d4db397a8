"""Figures of one run over simulated time: compute load, where each task's time went, latency and link rate.

Both read the task records of a single run (and, for the timeline, the
stage records of a run made with ``--stages``); to show several runs, draw
each on its own Axes (``offloadsim plot`` makes one panel per policy).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from offloadsim.plots.axes import clear_legend, laid_out, patch_legend, root_figure, tidy_legend
from offloadsim.plots.crash_marks import mark_down, mark_retried
from offloadsim.plots.series import completed, need_columns
from offloadsim.plots.style import OKABE_ITO, axes_or_new, house_style, style_map
from offloadsim.records.schema import placement_nodes

__all__ = [
    "capacity_over_time",
    "latency_over_time",
    "utilisation_over_time",
    "ComputeLoad",
    "compute_load",
    "stage_timeline",
    "STAGE_COLOURS",
]

#: Colours of the stages in :func:`stage_timeline`.
STAGE_COLOURS = {
    "upload": OKABE_ITO["blue"],
    "transfer": OKABE_ITO["sky blue"],
    "queue": OKABE_ITO["vermillion"],
    "compute": OKABE_ITO["bluish green"],
    "prefill": OKABE_ITO["orange"],  # an LLM request's compute stages: its prefill, its decode steps
    "decode": OKABE_ITO["yellow"],
    "return": OKABE_ITO["reddish purple"],
    "other": "#B0B0B0",
}


#: What each chart of a run reads of its tables, checked first so that another table is named as one.
_LOAD_TASK_COLUMNS = ("start", "finish", "compute_time", "placement")
_TIMELINE_TASK_COLUMNS = ("arrival", "latency", "source", "placement")
_STAGE_COLUMNS = ("task_id", "kind", "where", "submitted", "start", "end")
_STAGES_HINT = "stages= takes the stage records of a run made with stages=True, its result's stages"


def utilisation_over_time(
    tasks: pd.DataFrame,
    *,
    nodes: pd.DataFrame | None = None,
    stages: pd.DataFrame | None = None,
    by: str = "tier",
    bins: int = 60,
    ax: Axes | None = None,
    max_series: int = 6,
    legend: bool = True,
    order: Sequence[str] | None = None,
    percent: bool | None = None,
    load: ComputeLoad | None = None,
) -> Axes:
    """Compute load over time in one run: utilisation (or busy cores) per time bin.

    With ``stages`` (the run's stage records, ``--stages``) the load is
    exact: a processor is a FIFO queue in front of its cores, so each
    compute stage of these tasks holds one core of its node (``where``)
    from its ``start`` to its ``end``, and a bin's busy cores are the
    stages' overlap with it over its width.  Series are then tiers (from
    ``nodes``) or, with ``by="placement"``, the nodes themselves: a split
    task's stages run on several nodes, and each node has cores to divide by.
    Without, it is estimated from the task records: a task's compute time is
    spread evenly over its ``start``–``finish`` interval (the records do not
    say when inside it the compute ran), so the curve is smoothed (queued
    tasks that overlap can read above 100 %) and its integral is the
    compute time of the completed tasks: less than the nodes' busy time by
    the work of tasks that arrived in the warm-up (no record) or were in
    flight at the end, so its first and last bins read low.  Series are
    then placements grouped ``by`` ``"placement"`` or ``"tier"`` (the tier
    of each node in the placement, from ``nodes``; ``device>edge`` for a
    split).  When ``nodes`` gives the cores behind every series, the y axis
    is utilisation in %; otherwise mean busy cores.  ``percent=False``
    draws busy cores in any case (panels of one figure in one unit: see
    :class:`ComputeLoad`'s ``percent``).  Pass the tasks (and stages) of a
    single run.  ``order`` fixes the series' colours (the same tier in the
    same colour on several panels).  ``load``: :func:`compute_load` of the
    same arguments, where the caller has it already (a figure of several
    panels reads each one's unit first), so that it is not computed again.
    """
    if load is None:
        need_columns(
            tasks, _LOAD_TASK_COLUMNS, "utilisation_over_time draws task records, such as a result's tasks"
        )
        if stages is not None:
            need_columns(stages, _STAGE_COLUMNS, _STAGES_HINT)
        if nodes is not None:
            need_columns(nodes, ("node", "tier"), "nodes= takes per-node records, such as a result's nodes")
    ax = axes_or_new(ax)
    if load is None:
        load = compute_load(tasks, nodes=nodes, stages=stages, by=by, max_series=max_series)
    labels, lo, hi, weight, cores, shown = load.labels, load.lo, load.hi, load.weight, load.cores, load.shown
    t0 = float(np.min(lo)) if lo.size else 0.0
    t1 = float(np.max(hi)) if hi.size else 1.0
    edges = np.linspace(t0, max(t1, t0 + 1e-9), bins + 1)
    percent = load.percent if percent is None else percent and load.percent
    with house_style():
        styles = style_map([*(order or []), *shown])
        centres = (edges[:-1] + edges[1:]) / 2
        for label in shown:
            mask = labels == label
            busy = _busy_per_bin(lo[mask], hi[mask], weight[mask], edges)
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
        if legend:
            # Above the axes: a tier near 0 % runs along the bottom, and the others fill the rest.
            tidy_legend(
                ax,
                "node" if load.per == "node" else by,
                minimum=1,
                loc="lower right",
                bbox_to_anchor=(1.0, 1.0),
                ncols=min(len(shown), 3) or 1,  # "phone-2 (1 core)" and others: four overflow a column
            )
    return ax


def compute_load(
    tasks: pd.DataFrame,
    *,
    nodes: pd.DataFrame | None = None,
    stages: pd.DataFrame | None = None,
    by: str = "tier",
    max_series: int = 6,
) -> ComputeLoad:
    """The compute intervals :func:`utilisation_over_time` of the same arguments draws, and its unit.

    Its ``percent`` says whether that figure draws % (else busy cores): a
    series without cores to divide by (a split task's ``device>edge``,
    estimated from task records) makes it busy cores; a figure whose panels
    differ draws them all in busy cores, so that one axis label serves them.
    """
    return ComputeLoad.of(tasks, nodes, stages, by, max_series)


@dataclass(frozen=True)
class ComputeLoad:
    """The compute intervals of one run's series, their cores, and the series shown (:func:`compute_load`)."""

    labels: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    weight: np.ndarray
    per: str
    cores: dict[str, int]
    shown: list[Any]
    elsewhere: frozenset[str] = frozenset()  # labels with stages on a processor not the nodes table's

    @property
    def percent(self) -> bool:
        """Whether every series shown has cores to divide by: utilisation in %, else busy cores."""
        return bool(self.shown) and all(self.cores.get(label, 0) > 0 for label in self.shown)

    @classmethod
    def of(
        cls,
        tasks: pd.DataFrame,
        nodes: pd.DataFrame | None,
        stages: pd.DataFrame | None,
        by: str,
        max_series: int,
    ) -> ComputeLoad:
        """The load of ``tasks`` (see :func:`compute_load`)."""
        if by not in ("tier", "placement"):
            raise ValueError(f"by must be 'tier' or 'placement', got {by!r}")
        tiers = (
            dict(zip(nodes["node"].astype(str), nodes["tier"].astype(str), strict=False))
            if by == "tier" and nodes is not None and len(nodes)
            else None
        )
        elsewhere: set[str] = set()  # labels with stages on a processor whose cores the nodes table lacks
        if stages is not None:
            labels, lo, hi, weight, processors = _compute_stages(tasks, stages, tiers)
            per = "tier" if tiers is not None else "node"
            if nodes is not None:
                elsewhere = _on_other_processors(labels, processors, nodes)
        else:
            labels, lo, hi, weight = _spread_tasks(tasks, tiers)
            per = "tier" if tiers is not None else ""
        cores = _cores_per_label(labels, nodes, per) if nodes is not None and per else {}
        # Divided by the first processor's cores, a GPU's stages read as 0.8 % of an 8-core CPU: busy
        # cores instead (the figure's unit then), since no record gives the other processor's cores.
        cores = {label: n for label, n in cores.items() if label not in elsewhere}
        totals = {
            label: float((weight * (hi - lo))[labels == label].sum()) for label in dict.fromkeys(labels)
        }
        ranked = [k for k, v in sorted(totals.items(), key=lambda kv: -kv[1]) if v > 0]
        return cls(labels, lo, hi, weight, per, cores, ranked[:max_series], frozenset(elsewhere))

    def unrecorded(self, nodes: pd.DataFrame) -> list[tuple[str, float, float]]:
        """Each tier (or node) whose drawn busy time falls short of the nodes table's: label, drawn, counted.

        Busy core-seconds, drawn under 80 % of what the nodes table counts
        (``busy_s`` × ``cores``). The records hold the compute of the tasks
        that completed, so the work of tasks that failed, timed out or were
        still in flight (a timed-out attempt's stage runs on) is drawn
        nowhere, while the nodes table counts every busy second. Empty where
        the series are split placements (``device>edge``), which no row of
        the nodes table matches.
        """
        if self.per not in ("tier", "node") or not {self.per, "busy_s", "cores"} <= set(nodes.columns):
            return []
        labels = [str(label) for label in self.labels]
        if any(">" in label for label in labels):
            return []
        drawn: dict[str, float] = {}
        for label, busy in zip(labels, self.weight * (self.hi - self.lo), strict=True):
            drawn[label] = drawn.get(label, 0.0) + float(busy)
        once = nodes.drop_duplicates("node")
        counted = (
            (once["busy_s"].astype(float) * once["cores"].astype(float))
            .groupby(once[self.per].astype(str).to_numpy(), sort=False)
            .sum()
        )
        return [
            (str(label), drawn.get(str(label), 0.0), float(total))
            for label, total in counted.items()
            if total > 0 and drawn.get(str(label), 0.0) < 0.8 * total
        ]


def _busy_per_bin(lo: np.ndarray, hi: np.ndarray, weight: np.ndarray, edges: np.ndarray) -> np.ndarray:
    """Mean busy cores per bin: the sum of ``weight`` × overlap of ``[lo, hi]`` with each bin, over its width.

    Taken as differences of the running integral at the bin edges (times
    from the first edge, to keep the rounding small), so it needs no array
    of intervals × bins.

    >>> _busy_per_bin(np.array([0.0, 0.5]), np.array([1.0, 2.0]), np.ones(2), np.array([0.0, 1.0, 2.0]))
    array([1.5, 1. ])
    """
    origin = edges[0] if edges.size else 0.0
    x = edges - origin
    integral = _ramp(lo - origin, weight, x) - _ramp(hi - origin, weight, x)
    return np.clip(np.diff(integral), 0.0, None) / np.diff(edges)


def _ramp(points: np.ndarray, weight: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``sum(weight * max(x - points, 0))`` at each ``x``: the integral to ``x`` of steps up at ``points``."""
    order = np.argsort(points, kind="stable")
    p, w = points[order], weight[order]
    below = np.searchsorted(p, x, side="right")
    mass = np.concatenate(([0.0], np.cumsum(w)))[below]
    moment = np.concatenate(([0.0], np.cumsum(w * p)))[below]
    return np.asarray(x * mass - moment, dtype=float)


def _spread_tasks(
    tasks: pd.DataFrame, tiers: dict[str, str] | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Labels, intervals and busy cores of the completed tasks, each one's compute spread over its life."""
    frame = tasks[np.isfinite(pd.to_numeric(tasks["finish"], errors="coerce").to_numpy(dtype=float))]
    start = frame["start"].to_numpy(dtype=float)
    finish = frame["finish"].to_numpy(dtype=float)
    compute = np.nan_to_num(frame["compute_time"].to_numpy(dtype=float))
    placement = frame["placement"].astype(str).to_numpy()
    if tiers is not None:
        labels = np.array([_tier_label(p, tiers) for p in placement], dtype=object)
    else:
        labels = placement.astype(object)
    return labels, start, finish, compute / np.maximum(finish - start, 1e-12)


def _compute_stages(
    tasks: pd.DataFrame, stages: pd.DataFrame, tiers: dict[str, str] | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Labels (tier or node), intervals, busy cores and processors of ``tasks``' compute stages.

    Each stage holds one core; the last array is the name of the processor
    it ran on, ``""`` where the records do not say, and the node's, zipped.
    """
    mine = stages[stages["kind"].astype(str).to_numpy() == "compute"]
    if "task_id" in tasks.columns:
        mine = mine[mine["task_id"].isin(tasks["task_id"]).to_numpy()]
    start = mine["start"].to_numpy(dtype=float)
    end = mine["end"].to_numpy(dtype=float)
    keep = np.isfinite(start) & np.isfinite(end)
    where = mine["where"].astype(str).to_numpy()[keep]
    labels = np.array([tiers.get(w, w) for w in where] if tiers is not None else where, dtype=object)
    named = mine["processor"].astype(str).to_numpy()[keep] if "processor" in mine.columns else None
    processors = np.array(
        [f"{w}\0{p}" for w, p in zip(where, named, strict=True)] if named is not None else [""] * len(where),
        dtype=object,
    )
    return labels, start[keep], end[keep], np.ones(int(keep.sum())), processors


def _on_other_processors(labels: np.ndarray, processors: np.ndarray, nodes: pd.DataFrame) -> set[str]:
    """The labels some of whose stages ran on a processor other than the one the nodes table reports.

    The nodes table's row (and its ``cores``) is a node's first processor's: a stage on its NPU or
    GPU has no cores in the records to be a share of.
    """
    if "processor" not in nodes.columns or not len(processors):
        return set()
    reported = dict(zip(nodes["node"].astype(str), nodes["processor"].astype(str), strict=False))
    found = set()
    for label, both in zip(labels, processors, strict=True):
        node, _, name = str(both).partition("\0")
        if name and node in reported and reported[node] and name != reported[node]:
            found.add(str(label))
    return found


def _tier_label(placement: str, tiers: dict[str, str]) -> str:
    parts = [tiers.get(node, node) for node in placement_nodes(placement)]
    merged = [p for i, p in enumerate(parts) if i == 0 or p != parts[i - 1]]
    return ">".join(merged) or "none"


def _cores_per_label(labels: np.ndarray, nodes: pd.DataFrame, per: str) -> dict[str, int]:
    """Total cores behind each label that is one ``per`` (``"tier"``, ``"node"``), its nodes counted once."""
    if "cores" not in nodes.columns:
        return {}
    once = nodes.drop_duplicates("node")
    total = once.groupby(once[per].astype(str))["cores"].sum()
    return {str(label): int(total[label]) for label in dict.fromkeys(labels) if label in total.index}


# --------------------------------------------------------------------------- timeline


def row_label(source: str, placement: str) -> str:
    """``phone-3 → edge`` (where a task came from and where it ran); ``phone-3 (local)`` when it stayed.

    >>> row_label("pi-0", "pi-0>edge"), row_label("pi-0", "pi-0")
    ('pi-0 → edge (split)', 'pi-0 (local)')
    """
    hops = placement_nodes(placement)
    if hops == [source]:
        return f"{source} (local)"
    rest = [p for p in hops if p != source]
    split = " (split)" if source in hops else ""
    return f"{source} → {' → '.join(rest)}{split}"


def stage_timeline(
    tasks: pd.DataFrame,
    *,
    stages: pd.DataFrame | None = None,
    n: int = 30,
    ax: Axes | None = None,
    legend: bool = True,
    unit: str | None = None,
    own_clock: bool | None = None,
    down: Sequence[tuple[str, float, float]] = (),
) -> Axes:
    """Where each task's time went, on one simulated clock: a row per task, a bar per stage.

    The first ``n`` completed tasks by arrival are drawn, all against the
    same origin (the first one's arrival), so tasks that overlap in time
    overlap on the figure.  Each row is labelled with the node the task came
    from and the node(s) it ran on.  With ``stages`` (a run recorded with
    ``--stages``) every upload, queueing, compute stage and result return is
    drawn where and when it happened; an LLM request's row (its stages have a
    ``phase``) is cut into lanes, one per node that computed and one per hop
    its bytes took, its prefill and decode coloured apart, and a lane's decode
    steps (and the hidden states and tokens of those steps) in a row drawn as
    one bar from the first's start to the last's end, with their count: a
    request of hundreds of tokens is then a few bars, not a forest
    (:func:`_draw_llm_rows`).  Without, each bar runs from the
    task's arrival and is cut into its totals of transfer, queueing
    (``wait``), compute and any remainder, in that fixed order (the task
    records do not say when each happened).  ``unit`` (``"ms"`` or ``"s"``)
    fixes the time unit, e.g. to give several panels the same; by default
    ms for spans under 2 s.

    Tasks far apart (in flight for under :data:`_SPARSE` of the time the
    rows span: a few per minute, each done in a fraction of a second), or
    each done in under :data:`_THIN` of it (one phone's task a second), were
    bars too thin to read on an empty axis.  Then each row is drawn on
    its own clock, from its task's arrival, which its label gives
    (:func:`timeline_clock`); the axis label says so.  ``own_clock`` fixes
    the choice, e.g. to give several panels the same.

    ``down``: each ``(node, since, until)`` (s) a node was down in the run, hatched on the common
    clock (:func:`~offloadsim.plots.crash_marks.mark_down`); a task retried (its ``retries``) has a
    cross at its row's start, its row label saying how often, each in the legend.
    """
    need_columns(tasks, _TIMELINE_TASK_COLUMNS, "stage_timeline draws task records, such as a result's tasks")
    if stages is not None:
        need_columns(stages, _STAGE_COLUMNS, _STAGES_HINT)
    ax = axes_or_new(ax)
    done = first_completed(tasks, n)
    if done.empty:
        raise ValueError("no completed tasks to draw")
    t0 = float(done["arrival"].min())
    span, own = timeline_clock(done, own_clock)
    unit = unit or ("ms" if span < 2.0 else "s")
    if unit not in ("ms", "s"):
        raise ValueError(f"unit must be 'ms' or 's', got {unit!r}")
    scale = 1e3 if unit == "ms" else 1.0
    arrivals = done["arrival"].to_numpy(dtype=float)
    origin = arrivals if own else np.full(len(done), t0)
    y = np.arange(len(done))
    with house_style():
        if stages is not None and "task_id" in done.columns:
            drawn = _draw_stages(ax, done, stages, origin, scale)
        else:
            drawn = _draw_totals(ax, done, origin, scale)
        pairs = zip(done["source"].astype(str), done["placement"].astype(str), strict=True)
        labels = [row_label(source, placement) for source, placement in pairs]
        marks = mark_retried(ax, done, (arrivals - origin) * scale)
        if marks:
            times = pd.to_numeric(done["retries"], errors="coerce").fillna(0).astype(int).tolist()
            labels = [
                f"{label}, retried ×{k}" if k else label for label, k in zip(labels, times, strict=True)
            ]
        if not own:
            last = float(
                np.nanmax(done["arrival"].to_numpy(dtype=float) + done["latency"].to_numpy(dtype=float))
            )
            marks = mark_down(ax, down, t0, scale, last) + marks
        if own:
            labels = [f"{label}, t = {at:.3f} s" for label, at in zip(labels, arrivals, strict=True)]
        ax.set_yticks(y, labels)
        ax.tick_params(axis="y", labelsize=_row_font(ax, len(done)), length=0)
        ax.set_ylim(len(done) - 0.5, -0.5)
        _time_from_zero(ax)
        _room_for_counts(ax)
        if own:
            ax.set_xlabel(
                f"simulated time since each task's own arrival ({unit}); "
                f"the {len(done)} tasks' arrivals (t, by each row) span {_plain_seconds(arrivals[-1] - t0)}"
            )
        else:
            ax.set_xlabel(f"simulated time since t = {t0:.3f} s, the first task's arrival ({unit})")
        ax.set_ylabel("task: source → where it ran")
        ax.grid(axis="y", visible=False)
        if legend:
            patch_legend(
                ax, {_LEGEND.get(s, s): c for s, c in STAGE_COLOURS.items() if s in drawn}, extra=marks
            )
    return ax


#: Legend entries that say more than the stage's name: a bar of decode steps in a row holds several.
_LEGEND = {"decode": "decode (×n: a node's n steps in a row)"}


def _time_from_zero(ax: Axes) -> None:
    """Start ``ax``'s time axis at 0, and reach the last bar of every panel that shares it.

    Setting the limits stops autoscaling for every Axes sharing x: a later panel whose tasks ran
    longer (local, after edge) was cut at the edge panel's end, its bars running off the axis.
    """
    siblings = ax.get_shared_x_axes().get_siblings(ax)
    if len(siblings) == 1:
        ax.set_xlim(left=0)
        return
    ends = [p.get_x() + p.get_width() for other in siblings for p in other.patches]
    reach = max(ends, default=0.0) * (1.0 + ax.get_xmargin())
    ax.set_xlim(0, max(reach, ax.get_xlim()[1]))


def first_completed(tasks: pd.DataFrame, n: int) -> pd.DataFrame:
    """The first ``n`` completed tasks of ``tasks`` by arrival: the rows :func:`stage_timeline` draws."""
    done = completed(tasks)
    return done.sort_values(["arrival", "task_id"] if "task_id" in done.columns else ["arrival"]).head(n)


def timeline_clock(done: pd.DataFrame, own: bool | None = None) -> tuple[float, bool]:
    """The time (s) a timeline of ``done`` spans, and whether each row gets its own clock.

    On one clock, from the first arrival to the last finish, so that tasks that overlap in time
    overlap on the figure. But when the tasks are in flight for under :data:`_SPARSE` of that
    time (a few an hour, each done in a fraction of a second), or the median task's bar would be
    under :data:`_THIN` of it, the bars are slivers on an empty axis with nothing to overlap: each
    row is drawn from its own arrival instead, and the span is the longest task. ``own`` fixes the
    choice.

    The second test is for a run of one phone at 1 task/s: its first 30 tasks spanned 22 s, each
    done in 120 ms, in flight for 15 % of the span together (not sparse by the first test) but each
    bar 0.5 % of the axis, about ten pixels, its upload, compute and return parts unreadable.
    """
    arrival = done["arrival"].to_numpy(dtype=float)
    finish = done["finish"].to_numpy(dtype=float)
    span = float((finish - arrival.min()).max())
    lasted = finish - arrival
    if own is None:
        own = len(done) > 1 and (
            _in_flight(arrival, finish) < _SPARSE * span or float(np.median(lasted)) < _THIN * span
        )
    return (float(lasted.max()), True) if own else (span, False)


def _in_flight(arrival: np.ndarray, finish: np.ndarray) -> float:
    """How long (s) at least one of the tasks arriving and finishing at these times was in flight."""
    total, reach = 0.0, -np.inf
    for start, end in sorted(zip(arrival.tolist(), finish.tolist(), strict=True)):
        if end > reach:
            total += end - max(start, reach)
            reach = end
    return total


#: The share of a one-clock timeline's span under which its tasks' bars are too thin to read.
_SPARSE = 0.1

#: The share of a one-clock timeline's span under which the median task's bar is too thin to read
#: its stages in (1/40: about 45 pixels of a two-column figure's axis at the PNG's 300 dpi).
_THIN = 1.0 / 40.0


def _plain_seconds(seconds: float) -> str:
    """``"12 min"``, ``"40 s"``, ``"2.5 h"``: a stretch of simulated time, rounded for a label."""
    for size, unit in ((3600.0, "h"), (60.0, "min")):
        if seconds >= 2 * size:
            return f"{seconds / size:.3g} {unit}"
    return f"{seconds:.3g} s"


def _row_font(ax: Axes, rows: int) -> float:
    """A font size (pt) at which ``rows`` row labels fit the axes' height without touching (at most 6)."""
    height_in = ax.get_position().height * root_figure(ax).get_size_inches()[1]
    pitch_pt = height_in * 72.0 * 0.8 / max(rows, 1)  # constrained layout takes some height back
    return float(max(3.0, min(6.0, pitch_pt * 0.8)))


def _draw_stages(
    ax: Axes, done: pd.DataFrame, stages: pd.DataFrame, origin: np.ndarray, scale: float
) -> set[str]:
    """Bars of the recorded stages of ``done``'s tasks, each row from its ``origin``; the stages drawn."""
    row_of = {int(task_id): row for row, task_id in enumerate(done["task_id"])}
    source_of = dict(zip(done["task_id"].astype(int), done["source"].astype(str), strict=True))
    mine = stages[stages["task_id"].isin(row_of)]
    rows = mine["task_id"].map(row_of).to_numpy(dtype=int)
    t0 = origin[rows]
    submitted = (mine["submitted"].to_numpy(dtype=float) - t0) * scale
    start = (mine["start"].to_numpy(dtype=float) - t0) * scale
    end = (mine["end"].to_numpy(dtype=float) - t0) * scale
    kind = mine["kind"].astype(str).to_numpy()
    where = mine["where"].astype(str).to_numpy()
    source = mine["task_id"].map(source_of).astype(str).to_numpy()
    name = np.array([_stage_name(k, w, s) for k, w, s in zip(kind, where, source, strict=True)], dtype=object)
    drawn: set[str] = set()
    phase = mine["phase"].astype(str).to_numpy() if "phase" in mine.columns else None
    if phase is not None and (phase != "").any():  # LLM requests: their rows in lanes, drawn apart
        llm = np.isin(rows, np.unique(rows[phase != ""]))
        columns = (rows, kind, where, name, phase, submitted, start, end)
        font = _row_font(ax, len(done)) * 0.8
        drawn |= _draw_llm_rows(ax, [column[llm] for column in columns], font)
        rows, submitted, start, end, kind, name = (a[~llm] for a in (rows, submitted, start, end, kind, name))
    queued = (kind == "compute") & (start > submitted)
    if queued.any():
        wait = (start - submitted)[queued]
        ax.barh(
            rows[queued], wait, left=submitted[queued], height=0.75, color=STAGE_COLOURS["queue"], linewidth=0
        )
        drawn.add("queue")
    for stage in ("upload", "transfer", "compute", "return"):
        pick = name == stage
        if pick.any():
            length = (end - start)[pick]
            ax.barh(
                rows[pick], length, left=start[pick], height=0.75, color=STAGE_COLOURS[stage], linewidth=0
            )
            drawn.add(stage)
    return drawn


#: The phases whose stages in a row on one lane are drawn as one bar: a request's decode steps, and
#: the hidden states and tokens each step sends.
_DECODING = frozenset(("decode", "decode-hidden", "token"))
#: The phases of an LLM request's compute stages, each coloured apart (any other is drawn as compute).
_COMPUTING = frozenset(("prefill", "decode"))


def _draw_llm_rows(ax: Axes, columns: Sequence[np.ndarray], font: float) -> set[str]:
    """LLM requests' stages (each with its ``phase``), a lane per node that computed and per hop; drawn.

    ``columns``: the stages' row, kind, where, name (:func:`_stage_name`), phase, submitted, start
    and end (on the figure's clock); ``font``: the size of the counts' text.

    A row's lanes, top to bottom: the nodes in the order they first computed, then the hops in the
    order first used.  Compute stages are coloured by phase (``prefill``, ``decode``), transfers as
    any task's (upload, transfer, return).  In each lane the stages of a decoding phase in a row
    (:data:`_DECODING`: one node's decode steps, one hop's tokens) are one bar from the first's
    start to the last's end: the steps' queueing, and what other lanes did between them, lie inside
    the bar.  A row says once, right of its end, how many decode steps its nodes' bars hold
    (``×199``; ``×199 per node`` for a split).  A stage drawn alone shows its queueing.
    """
    rows, kind, where, name, phase, submitted, start, end = columns
    drawn: set[str] = set()
    bars: dict[str, list[tuple[float, float, float, float]]] = {}  # colour key -> (y, height, left, width)
    labels: list[tuple[float, float, str]] = []  # a row's decode steps, right of its end: (x, y, text)
    for row in np.unique(rows):
        steps: list[tuple[float, int]] = []  # each node's run of decode steps: (its start, how many)
        mine = np.flatnonzero(rows == row)
        mine = mine[np.lexsort((end[mine], start[mine], kind[mine] != "compute"))]
        lanes = list(dict.fromkeys(where[mine].tolist()))  # compute nodes first (sorted so), then hops
        height = 0.75 / len(lanes)
        for lane_index, lane in enumerate(lanes):
            y = row - 0.375 + (lane_index + 0.5) * height
            here = mine[where[mine] == lane]
            for first, last in _runs(phase[here]):
                i, j = here[first], here[last]
                key = (
                    str(name[i])
                    if kind[i] != "compute"
                    else phase[i]
                    if phase[i] in _COMPUTING
                    else "compute"
                )
                count = last - first + 1
                if count == 1 and kind[i] == "compute" and start[i] > submitted[i]:
                    bars.setdefault("queue", []).append((y, height, submitted[i], start[i] - submitted[i]))
                bars.setdefault(key, []).append((y, height, start[i], end[j] - start[i]))
                if count > 1 and phase[i] == "decode":
                    steps.append((start[i], count))
        if steps:
            counts = sorted({count for _, count in steps})
            each = " per node" if len(steps) > 1 and len(counts) == 1 else ""
            labels.append((float(end[mine].max()), row, "/".join(f"×{n:,}" for n in counts) + each))
    for key in ("queue", *(k for k in STAGE_COLOURS if k != "queue")):
        if key in bars:
            y, h, left, width = (np.array(column) for column in zip(*bars[key], strict=True))
            ax.barh(y, width, left=left, height=h * 0.9, color=STAGE_COLOURS[key], linewidth=0)
            drawn.add(key)
    for x, y, text in labels:
        ax.text(x, y, f" {text}", fontsize=font, va="center", ha="left", gid=_COUNT)
    return drawn


#: The ``gid`` of a row's count of decode steps (:func:`_room_for_counts` finds them by it).
_COUNT = "offloadsim-decode-count"


def _room_for_counts(ax: Axes) -> None:
    """Widen the time axis so that every row's count of decode steps, right of its end, stays inside.

    The figure is laid out to measure them; as the legend and titles added later may narrow the
    axes, each count is taken to need half as much room again as its text's width now.
    """
    counts = [text for text in ax.texts if text.get_gid() == _COUNT]
    if not counts:
        return
    renderer = laid_out(ax)
    width = ax.get_window_extent(renderer).width
    low, high = ax.get_xlim()
    reach = high
    for text in counts:
        share = min(0.5, 1.5 * text.get_window_extent(renderer).width / width)  # of the axis' width
        reach = max(reach, (text.get_position()[0] - share * low) / (1.0 - share))
    ax.set_xlim(low, reach)


def _runs(phases: np.ndarray) -> list[tuple[int, int]]:
    """``(first, last)`` index of each bar of a lane's stages in time order: decoding ones in a row merge."""
    runs: list[tuple[int, int]] = []
    for index, phase in enumerate(phases.tolist()):
        if runs and phase in _DECODING and phases[index - 1] == phase:
            runs[-1] = (runs[-1][0], index)
        else:
            runs.append((index, index))
    return runs


def _stage_name(kind: str, where: str, source: str) -> str:
    """``compute``; ``upload`` (a transfer leaving the source), ``return`` (reaching it) or ``transfer``."""
    if kind == "compute":
        return "compute"
    if where.startswith(source + ">"):
        return "upload"
    if where.endswith(">" + source):
        return "return"
    return "transfer"


def _draw_totals(ax: Axes, done: pd.DataFrame, origin: np.ndarray, scale: float) -> set[str]:
    """Each task's totals end to end from its arrival, each row from its ``origin``; the stages drawn."""
    y = np.arange(len(done))
    left = (done["arrival"].to_numpy(dtype=float) - origin) * scale
    transfer = np.nan_to_num(done["transfer_time"].to_numpy(dtype=float)) * scale
    queue = np.nan_to_num(done["wait"].to_numpy(dtype=float)) * scale
    compute = np.nan_to_num(done["compute_time"].to_numpy(dtype=float)) * scale
    latency = done["latency"].to_numpy(dtype=float) * scale
    other = np.clip(latency - transfer - queue - compute, 0.0, None)
    drawn: set[str] = set()
    for stage, width in (("transfer", transfer), ("queue", queue), ("compute", compute), ("other", other)):
        if np.any(width > 1e-9 * max(1.0, float(latency.max()))):
            ax.barh(y, width, left=left, height=0.75, color=STAGE_COLOURS[stage], linewidth=0)
            drawn.add(stage)
        left = left + width
    return drawn


def latency_over_time(
    tasks: pd.DataFrame,
    *,
    by: str = "policy",
    ax: Axes | None = None,
    labels: dict[str, str] | None = None,
    order: Sequence[str] | None = None,
) -> Axes:
    """Each completed task's latency against its arrival time, one series per value of ``by``.

    Every series must come from one run (one ``replication``): points of
    several runs on one time axis would mix their streams unseen.
    ``labels`` renames series in the legend; ``order`` fixes their colours.
    """
    ax = axes_or_new(ax)
    done = completed(tasks)
    names = list(dict.fromkeys([*(order or []), *done[by].astype(str)])) if by in done.columns else [""]
    with house_style():
        styles = style_map(names)
        for name in names:
            rows = done[done[by].astype(str) == name] if by in done.columns else done
            if not len(rows):
                continue
            if "replication" in rows.columns and rows["replication"].nunique() > 1:
                raise ValueError(
                    f"latency_over_time: {by} {name!r} has tasks of several replications "
                    f"({', '.join(map(str, sorted(rows['replication'].unique())))}); pass one run's tasks"
                )
            ax.plot(
                rows["arrival"].to_numpy(dtype=float),
                rows["latency"].to_numpy(dtype=float),
                linestyle="none",
                marker=styles[name]["marker"],
                markersize=3.5,
                markerfacecolor="none",  # hollow: two policies' equal latencies both stay visible
                markeredgewidth=0.7,
                color=styles[name]["color"],
                label=(labels or {}).get(name, name),
            )
        ax.set_xlabel("arrival time (s)")
        ax.set_ylabel("latency (s)")
        # Not matplotlib's "best": it weighs a scatter's markers as one line through them all, the
        # gaps between tasks included, and searches them again at every draw (thousands of tasks).
        # Where it covers no marker, else beside the axes (clear_legend).
        tidy_legend(ax, minimum=1, loc="upper left")
        clear_legend(ax)
    return ax


def capacity_over_time(
    times_s: Sequence[float],
    bps: Sequence[float],
    *,
    end_s: float,
    ax: Axes | None = None,
    label: str | None = None,
) -> Axes:
    """A link's capacity in force over ``[0, end_s]``: each value holds from its time to the next (Mbit/s)."""
    ax = axes_or_new(ax)
    times = np.asarray(times_s, dtype=float)
    rates = np.asarray(bps, dtype=float) / 1e6
    keep = times < end_s
    with house_style():
        ax.step(
            np.append(times[keep], end_s),
            np.append(rates[keep], rates[keep][-1:]),
            where="post",
            color=OKABE_ITO["black"],
            linewidth=0.8,
            label=label,
        )
        ax.set_xlabel("simulated time (s)")
        ax.set_ylabel("capacity (Mbit/s)")
        ax.set_xlim(0.0, end_s)
        ax.set_ylim(bottom=0.0)
    return ax
