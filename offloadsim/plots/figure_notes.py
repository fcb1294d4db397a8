"""The notes under a figure of a results directory: how it was measured and what it does not show.

What each kind of figure is a mean or a count of, over what (:func:`method_text`); the
intervals drawn and how many runs each is over; values pooled or left undrawn, runs with no
device power, tasks that did not complete, and keys that moved with the x axis or a series
without being shown: each said in words, so that a reader never takes a figure for more than
it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from offloadsim.analysis.brief_values import brief_texts
from offloadsim.analysis.catalogue import LLM_METRICS, counts_completed_tasks, family_of, of_completed_tasks
from offloadsim.analysis.groups import GROUP_BATTERY_METRICS, GROUP_COLUMN
from offloadsim.analysis.statistics import student_t_ppf
from offloadsim.analysis.summary import powered_but_no_energy
from offloadsim.analysis.table_columns import node_groups
from offloadsim.analysis.table_notes import window_text
from offloadsim.analysis.values import axis_texts, number_text, policy_label_shows, table_heading, time_text
from offloadsim.errors import argument
from offloadsim.plots.charts import utilisation_cut
from offloadsim.plots.completion import incomplete_note
from offloadsim.plots.figure_data import NO_PARAMETER, FigureView, moves_with
from offloadsim.plots.kind_registry import FigureKind
from offloadsim.plots.kinds import figure_kind
from offloadsim.plots.series import completed, interval_text, mean_ci_by, pooled_text, x_positions
from offloadsim.plots.series_names import shown_in_note
from offloadsim.plots.sweep_lines import cut_intervals, interval_marks
from offloadsim.suggest import short_listing
from offloadsim.world.notes.ended_arrivals import KIND as ENDED_ARRIVALS
from offloadsim.world.notes.held_trace import KIND as HELD_TRACE
from offloadsim.world.notes.kept import said_under_figure

__all__ = [
    "apps_apart_note",
    "first_tasks_text",
    "incomplete_tasks_note",
    "interval_note",
    "late_change_note",
    "method_note",
    "method_text",
    "moving_with_shown_note",
    "moving_with_x_note",
    "drawn_groups",
    "held_trace_note",
    "one_run_note",
    "pooled_groups_note",
    "pooled_note",
    "precision_note",
    "run_stages",
    "timeline_note",
    "undrawn_note",
    "valueless_apps_note",
    "unpowered_note",
    "x_order",
]


def method_text(kind: str, *, stages: bool) -> str:
    """How a figure of ``kind`` derives what it draws, from stage records or not (``""``: it need not say).

    ``offloadsim plot`` writes it under the figure, and so does a gallery
    figure drawn by the same chart, so that both say it in the same words:

    Each kind says it on its registration (:attr:`FigureKind.method`, ``method_stages``):

    >>> print(method_text("utilisation-time", stages=False).splitlines()[0])
    estimated from task records: each task's compute spread over its start–finish interval
    """
    registered = _registered(kind)
    return registered.method_stages if stages else registered.method


def _registered(kind: str) -> FigureKind:
    """The kind registered as ``kind``; one that says nothing of itself where none is."""
    return figure_kind(kind) or FigureKind(kind, "", draw=kind)


def method_note(view: FigureView, kind: str) -> str:
    """How the figure derived what it draws (exact from a run's stage records, or estimated), if it says."""
    return method_text(kind, stages=run_stages(view) is not None)


def unpowered_note(frame: pd.DataFrame) -> str:
    """Said under an energy figure whose every run charged no joule above idle, and why, as far as known.

    Without ``power:`` on the sources every task's device energy is 0: the markers sat on a 0 mJ
    line (under an axis running to -0.04 mJ) that read as "offloading costs the device nothing".
    The metrics' ``powered_sources`` (each run's count of task sources with ``power:``) says
    whether that is why; where the sources have it, the reason is the run table's (no task
    completed, or a ``power:`` that draws no more than idle). Results written before the count
    (a missing column, or -1) say that it is not known, where the note asked whether the sources
    had power even of runs whose sources had.
    """
    column = "device_energy_mean_j"
    if column not in frame.columns or not len(frame):
        return ""
    energy = frame[column].to_numpy(dtype=float)
    if not (energy[~np.isnan(energy)] == 0.0).all():
        return ""
    said = "no run charged a joule above idle to a device"
    counts = frame.get("powered_sources", pd.Series(-1, index=frame.index))
    powered = pd.to_numeric(counts, errors="coerce").fillna(-1).to_numpy(dtype=float)
    if (powered < 0).any():
        return f"{said}; whether the task sources have power: is not known (results written before runs said)"
    if (powered == 0).all():
        return f"{said}: no task source has power:"
    runs = frame.drop_duplicates([c for c in ("point", "policy", "replication") if c in frame.columns])
    bare = int((runs["powered_sources"] == 0).sum())
    if bare:
        return f"{said}: in {bare} of {len(runs)} runs no task source has power:"
    completed = int(frame["completed"].sum()) if "completed" in frame.columns else 1
    return f"{said}: {powered_but_no_energy(completed)}"


def incomplete_tasks_note(
    view: FigureView, frame: pd.DataFrame, shown: Sequence[str], *, of_completed: bool | None
) -> str:
    """The configurations that did not complete many tasks, on a figure drawn from completed tasks.

    ``of_completed``: the figure draws completed tasks (True), nothing of tasks (False), or what
    its ``--metric`` says (None: a metric of completed tasks, or a count of them).

    Said too of a throughput (:func:`counts_completed_tasks`), which counts completed tasks over the
    whole run: a saturated server's throughput fell as the load grew, its requests left in flight,
    and its figure, with no note, read as a server that slowed down.
    """
    shown = list(dict.fromkeys(shown))
    if of_completed is None and counts_completed_tasks(view.metric):
        counted = "requests" if view.metric in LLM_METRICS else "tasks"
        return incomplete_note(frame, shown, view.label, counted=counted)
    drawn = of_completed or (of_completed is None and of_completed_tasks(view.metric))
    return incomplete_note(frame, shown, view.label) if drawn else ""


def timeline_note(view: FigureView, frame: pd.DataFrame, n: int) -> str:
    """What a timeline leaves out: the completed tasks after its first ``n``, and those not completed.

    A timeline of a run of thousands of tasks drew its first 30 and said nothing of the rest, nor
    of the tasks a failure or a flat battery ended, which it never draws: read alone, it looked
    like the whole run, an edge that crashed in it like one that never did.
    """
    if "status" not in frame.columns:
        return ""
    if view.results.kind != "run":  # a panel per configuration, each of one run
        return (
            f"each panel: the first {n:,} completed tasks of one run, by arrival; tasks that did not "
            "complete are not drawn (the tasks table's status)"
        )
    return first_tasks_text(frame["status"], n, _other_window(frame, n))


def _other_window(frame: pd.DataFrame, n: int) -> str:
    """`` (they arrived from 65.36 s to 293.4 s; --from 295.1s draws the next ones, --to ends a window)``.

    A trial's LLM timeline drew its first 30 requests over 250 s and did not say when they arrived
    nor how to see others: said where completed tasks were left out, the next one's arrival (down
    to 0.1 s) given as the ``--from`` that draws from it.
    """
    import math

    from offloadsim.plots.runs import first_completed

    if "arrival" not in frame.columns or len(completed(frame)) <= n:  # every completed task drawn
        return ""
    arrival = first_completed(frame, n + 1)["arrival"].to_numpy(dtype=float)
    start, end = (time_text(t) for t in (arrival[:n].min(), arrival[:n].max()))
    following = number_text(math.floor(arrival[n] * 10.0) / 10.0)
    return (
        f" (they arrived from {start} s to {end} s; --from {following}s draws the next ones, "
        "--to ends a window)"
    )


def first_tasks_text(status: pd.Series, n: int, window: str = "") -> str:
    """Which of one run's tasks (their ``status``) a timeline of its first ``n`` completed ones leaves out.

    ``offloadsim plot``'s timeline of a run and the gallery's say it in these words; ``window``
    follows the first clause (:func:`_other_window`: when the drawn ones arrived, and how to draw
    others):

    >>> done = pd.Series(["completed"] * 40)
    >>> first_tasks_text(done, 30), first_tasks_text(done, 40)
    ('the first 30 of 40 completed tasks, by arrival', '')
    """
    done = int(status.astype(str).eq("completed").sum())
    other = len(status) - done
    drawn = min(n, done)
    parts = [f"the first {drawn:,} of {done:,} completed tasks, by arrival{window}"] if done > drawn else []
    if other:
        parts.append(
            f"{other:,} not completed (failed, dropped or in flight at the end), not drawn: "
            "the tasks table's status"
        )
    return "; ".join(parts)


def held_trace_note(view: FigureView) -> str:
    """The runs' notes that a trace played once ended long before them; else ``""``.

    A link trace's last row held: a figure over time draws the held stretch as flat as a measured
    one, the top panel's bandwidth and the latencies under it read as the trace's, which had ended
    (the table said so, the figure did not).  An arrival trace's last request: the stretch after it
    is empty, not idle by measurement.  The lines the results recorded (the manifest's
    ``figure_notes``), of the points drawn.
    """
    drawn = set(view.tasks["point"].tolist()) if "point" in view.tasks.columns else None
    rows = view.results.manifest.get("figure_notes") or ()
    lines = [
        str(row["note"])
        for row in rows
        if row.get("kind") in (HELD_TRACE, ENDED_ARRIVALS)
        and ("points" not in row or drawn is None or drawn.intersection(row["points"]))
    ]
    return "\n".join(dict.fromkeys(lines))


def one_run_note(view: FigureView) -> str:
    """Which run a figure of one run's directory draws: ``"one run, seed 7"``; else ``""``.

    A comparison's or sweep's figure says over how many replications it averages or pools; a
    run's CDF, timeline or latency over time said nothing of being one sample of one seed, so a
    figure shown alone read as the scenario's answer.  Its replication too where not the first.
    """
    if view.results.kind != "run":
        return ""
    manifest = view.results.manifest
    seed, replication = manifest.get("seed"), manifest.get("replication")
    if type(seed) is not int:  # a manifest written without one (or edited): nothing to say
        return ""
    again = f", replication {replication}" if type(replication) is int and replication else ""
    return f"one run, seed {seed}{again}"


def run_stages(view: FigureView) -> pd.DataFrame | None:
    """The stage records of a single-run directory made with ``--stages``; ``None`` for any other."""
    return view.results.stages if view.results.kind == "run" else None


def interval_note(
    view: FigureView, kind: str, frame: pd.DataFrame, shown: Sequence[str], axes: Sequence[Axes]
) -> str:
    """What the figure's intervals are, over how many replications, and whether a log axis cuts one.

    ``"error bars: 95 % CI of the mean (Student t) over 3 replications"``, counting the runs that
    have a value of what is drawn (a run in which no task completed has no latency); an
    interval whose lower end is 0 (a non-negative metric's CI cut at zero)
    cannot end on a log axis, so the note says it runs off the axis.
    Empty for kinds that draw no interval.  What each kind draws is its registration's
    (:attr:`FigureKind.intervals`, ``interval_of``, ``drawn_values``).
    """
    registered = _registered(kind)
    if not registered.intervals:
        return ""
    keys = [k for k in dict.fromkeys(shown) if k in frame.columns]
    drawn = list(registered.drawn_columns(view.metric).values())
    if set(drawn) <= set(frame.columns):  # a run with no value (no task completed) is in no mean
        frame = frame[frame[drawn].notna().all(axis=1)]
        if not len(frame):  # no mark at all: not "one replication" (the undrawn note says why)
            return ""
    low, high = _runs_per_configuration(frame, keys)
    what = registered.intervals
    if what == "bands":
        # Categories on x, or a lone x value: a point and its error bar each, no band to reach it.
        what = interval_marks(axes)
    what = f"{registered.interval_of}; {what}" if registered.interval_of else what
    note = interval_text(what, low, high) + _each_run(view, high)
    if cut := cut_intervals(axes):  # a split's band reached past the cuts
        note += f", {cut}"
    if utilisation_cut(axes):  # a utilisation's bar cut at 0 or 100 %
        note += "\n" + bounded_note(low)
    if high >= 2 and _cut_by_log_axis(view, registered, frame, keys, axes):
        note += "\nan interval ending at the edge of a log axis runs on to 0"
    return note


def bounded_note(runs: int) -> str:
    """Why a utilisation's error bar stops at 0 or 100 %, and how wide ``runs`` replications make it.

    A utilisation's mean lies in [0, 100 %], so an interval cut to that range
    holds it exactly as often as the uncut one: the cut loses no coverage and
    hides nothing.  What makes the bar reach a bound is few replications (a
    t-interval over 2 spans the mean ± 12.7 standard errors), said rather than
    hidden.

    >>> bounded_note(2).split("; ")[-1]
    'wide: 2 replications give ± 12.7 standard errors'
    """
    t = student_t_ppf(0.975, runs - 1)
    return (
        "each cut at 0 and 100 %, a utilisation's bounds (no coverage lost); "
        f"wide: {runs} replications give ± {t:.1f} standard errors"
    )


def pooled_note(view: FigureView, frame: pd.DataFrame, shown: Sequence[str]) -> str:
    """What a figure that draws each series from all its runs' records pools, said on the figure.

    A latency CDF is drawn through the tasks of every replication of its
    configuration at once: ``"each line pools the completed tasks of 8
    replications"`` (a range, ``2–3``, when configurations differ), and names a line drawn
    from fewer, its other runs having completed no task (:func:`_fewer_pooled`).  Empty
    for one run.  Said of a kind whose drawing pools its tasks; the others average per run
    (their :func:`interval_note` says over how many).
    """
    keys = [k for k in dict.fromkeys(shown) if k in frame.columns]
    low, high = _runs_per_configuration(frame, keys)
    return pooled_text(low, high) + _each_run(view, high) + _fewer_pooled(frame, keys)


def _fewer_pooled(frame: pd.DataFrame, keys: Sequence[str]) -> str:
    """``"; edge's of 2 (3 completed no task)"``: the lines drawn from fewer runs than were run.

    A run that completed no task adds nothing to its line: a CDF said it pooled 5 replications
    where 3 of edge's 5 had completed none. A configuration none of whose runs completed a task
    draws no line, which :func:`undrawn_note` says.
    """
    runs = [c for c in ("replication", "seed") if c in frame.columns and c not in keys]
    if not keys or not runs or "status" not in frame.columns or not len(frame):
        return ""
    columns = [*keys, *runs]
    done = frame["status"].astype(str).eq("completed").to_numpy()
    counts = pd.DataFrame(
        {
            "ran": frame[columns].drop_duplicates().groupby(keys, observed=True, dropna=False).size(),
            "done": frame.loc[done, columns]
            .drop_duplicates()
            .groupby(keys, observed=True, dropna=False)
            .size(),
        }
    ).fillna(0)
    fewer = counts[(counts["done"] > 0) & (counts["done"] < counts["ran"])].reset_index()
    # Quantities in their axis's unit, as the undrawn note names configurations.
    named = [", ".join(values) for values in zip(*(axis_texts(fewer[k].tolist()) for k in keys), strict=True)]
    said = [
        f"{name}'s of {int(row.done)} ({int(row.ran - row.done)} completed no task)"
        for name, row in zip(named, fewer.itertuples(index=False), strict=True)
    ]
    return f"; {short_listing(said, _UNDRAWN_SHOWN)}" if said else ""


def _each_run(view: FigureView, runs: int) -> str:
    """``", each 20 s measured after a 5 s warm-up"``: how long each averaged or pooled run was measured.

    A comparison's or sweep's table heads its numbers with its runs' window; its figures said only
    over how many replications they averaged, so a reviewer could not tell a 20 s run's mean from a
    2,000 s one's, nor whether a warm-up was left out.  Empty for one run (nothing averaged or
    pooled) and for results whose manifest does not say.
    """
    window = window_text(view.results.manifest) if runs >= 2 else ""
    return f", each {window}" if window else ""


def apps_apart_note(view: FigureView, frame: pd.DataFrame, shown: Sequence[str]) -> str:
    """The applications a figure's series or points are of, said where they differ and nothing names them.

    ``model-select`` serving ResNet-50's requests with an int8 MobileNetV2 (an ``alternatives``
    entry) drew beside ``local``'s ResNet-50 as one policy ten times faster: the comparison's table
    says its tasks are another model's, the figure said nothing.  Said where the tasks drawn under
    the shown values (a policy, a point) are of different applications and neither ``--by app``,
    ``--facet app`` nor ``--where app=`` shows them: ``not one application's tasks: model-select's
    are classify's, the others' big's``.
    """
    tasks = view.tasks
    if "app" in shown or "app" in view.where or "app" not in tasks.columns or not len(tasks):
        return ""
    keys = [key for key in dict.fromkeys(shown) if key in tasks.columns and key in frame.columns]
    for key in ("policy", "point"):  # the runs drawn: a --where on the frame's own rows
        if key in frame.columns and key in tasks.columns:
            tasks = tasks[tasks[key].astype(str).isin(set(frame[key].astype(str)))]
    if not keys or tasks["app"].nunique() < 2:
        return ""
    served = {
        ", ".join(str(v) for v in (values if isinstance(values, tuple) else (values,))): tuple(
            sorted(set(group["app"].astype(str)))
        )
        for values, group in tasks.groupby(keys, sort=False, observed=True, dropna=False)
    }
    if len(set(served.values())) < 2:
        return ""
    sets = list(served.values())
    common = max(sets, key=sets.count)
    shared = sets.count(common) > 1  # the others' said once: "the others' big's"
    apart = [
        f"{label}'s are {' and '.join(apps)}'s"
        for label, apps in served.items()
        if apps != common or not shared
    ]
    rest = f"; the others' are {' and '.join(common)}'s" if shared else ""
    return (
        f"not one application's tasks: {short_listing(apart, 3)}{rest} (an alternative model, where a "
        f"policy served one: its own latency, and accuracy is not modelled); {argument('by', 'app')} "
        "draws each apart"
    )


#: Source groups a pooled-groups note names; the rest it counts.
_GROUPS_SHOWN = 4


def pooled_groups_note(view: FigureView, shown: Sequence[str], hint: str | None = None) -> str:
    """The source groups a figure draws together, said on it, where it draws them together.

    A fleet's mean latency over its old phones and its new ones, or one CDF through both, reads
    as neither group's: the run's table gives each group its own line, and a figure that draws
    the fleet as one says so, ``over every source group together (old, new, lte): --facet
    source_group draws each``.  Empty where the figure shows the groups (``--by``, ``--facet``),
    keeps some (``--where``), its tasks come from one group, or its metric is a node's (a
    utilisation), not its tasks'.  ``hint``: how the kind draws a group apart (default: a
    panel each, ``--facet source_group``).
    """
    tasks = view.tasks
    if GROUP_COLUMN not in tasks.columns or GROUP_COLUMN in shown or GROUP_COLUMN in view.where:
        return ""
    if view.records == "node" or (view.records == "job" and family_of(view.metric) is not None):
        return ""  # a node's value, not its tasks': no group's tasks pooled
    order = drawn_groups(view)
    if len(order) < 2:
        return ""
    named = short_listing(order, _GROUPS_SHOWN)
    hint = hint or f"{argument('facet', GROUP_COLUMN)} draws each"
    return f"over every source group together ({named}): {hint}"


def drawn_groups(view: FigureView) -> list[str]:
    """The source groups of ``view``'s tasks, in the scenario's order of its groups (the rest sorted)."""
    tasks = view.tasks
    present = set(tasks[GROUP_COLUMN].dropna().astype(str)) if GROUP_COLUMN in tasks.columns else set()
    declared = node_groups(view.nodes)  # the order the run's summary gives them
    return [g for g in declared if g in present] + sorted(present.difference(declared))


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


_UNDRAWN_SHOWN = 4  # configurations an undrawn note lists by name; the rest it counts


def undrawn_note(view: FigureView, kind: str, frame: pd.DataFrame, shown: Sequence[str]) -> str:
    """The configurations the figure has no mark for, which would otherwise vanish without a word.

    A configuration none of whose tasks completed has no latency (nor a split, nor a CDF), so its
    point, bar or line is simply not there: an overloaded policy's empty bar reads like 0 ms, its
    missing points like a configuration never run. The note names each, and why, as
    ``no task completed (policy, bandwidth): edge, 2 Mbps; edge, 10 Mbps``.
    """
    keys = [k for k in dict.fromkeys(shown) if k in frame.columns]
    if not keys or not len(frame):
        return ""
    registered = _registered(kind)  # its marks drawn from completed tasks, or from means of columns
    if registered.drawn_tasks:
        if "status" not in frame.columns:
            return ""
        drawn = frame["status"].astype(str).eq("completed")
        completed = drawn
    elif registered.drawn_values:
        columns = list(registered.drawn_columns(view.metric).values())
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
    # A battery metric of a group whose devices have none (mains-powered phones beside battery ones).
    unvalued = "no value" if view.metric not in GROUP_BATTERY_METRICS else "no battery"
    reasons: dict[str, list[str]] = {}
    for values, row in missing.iterrows():
        values = values if isinstance(values, tuple) else (values,)
        why = unvalued if row["completed"] else "no task completed"
        reasons.setdefault(why, []).append(", ".join(map(str, values)))
    names = ", ".join(view.heading(k, frame) for k in keys)  # plain numbers with their unit: (dBm)
    lines = []
    for why, configurations in reasons.items():
        listed = "; ".join(configurations[:_UNDRAWN_SHOWN])
        more = len(configurations) - _UNDRAWN_SHOWN
        listed += f"; and {more} more" if more > 0 else ""
        lines.append(f"not drawn, {why} ({names}): {listed}")
    return "\n".join(lines)


def valueless_apps_note(metric: str, apps: Sequence[str]) -> str:
    """``not drawn, no value in any run (application): speech, vision (...)``: the applications left out.

    :meth:`FigureView.valueless_apps`' applications, whose completed tasks have no value of
    ``metric`` (a CNN's time to first token, a deadline-less application's misses), said as the
    configurations without a mark are (:func:`undrawn_note`), so that none vanishes without a word.
    """
    if not apps:
        return ""
    llm = metric in ("ttft", "tpot") or metric in LLM_METRICS
    why = (
        " (only an LLM request has one)" if llm else " (no deadline)" if metric.startswith("deadline") else ""
    )
    return f"not drawn, no value in any run (application): {short_listing(apps, _UNDRAWN_SHOWN)}{why}"


def _cut_by_log_axis(
    view: FigureView, kind: FigureKind, frame: pd.DataFrame, keys: Sequence[str], axes: Sequence[Axes]
) -> bool:
    """Whether an interval's lower end is 0 (or below) on a log axis, which cannot show it."""
    for which, metric in kind.drawn_columns(view.metric).items():
        scales = [ax.get_xscale() if which == "x" else ax.get_yscale() for ax in axes]
        if metric is None or "log" not in scales or metric not in frame.columns:
            continue
        table = mean_ci_by(frame, [k for k in keys if k != "replication"] or ["policy"], metric)
        if bool(np.any(table["mean"].to_numpy(dtype=float) - table["ci"].to_numpy(dtype=float) <= 0)):
            return True
    return False


def moving_with_x_note(view: FigureView, frame: pd.DataFrame, x_key: str | None, shown: Sequence[str]) -> str:
    """``with uplink latency 50 ms, 20 ms, 5 ms``: swept keys that move with the x axis, said under it.

    A ``zip:`` block moves them together, so the x axis is not the only thing that changes along it
    (the Neurosurgeon sweep's uplink latency falls as its bandwidth rises): the axis alone hides it.
    A key is noted wherever x determines it, a value repeated included (:func:`moves_with`), and
    its values go in the x axis' order, lowest x first: in the sweep file's order, a bandwidth swept
    downwards read as pairing its lowest value with the first latency listed.
    Plain numbers are named with the unit they are in, as the sweep table's heading names them
    (``mobility radio noise (dBm) -100, -95, -90``); values written with their unit carry it.
    """
    if x_key is None or x_key not in frame.columns:
        return ""
    xs = x_order(frame, x_key)
    parts = []
    for key in view.results.swept:
        if key in shown or key not in frame.columns or not moves_with(frame, x_key, key):
            continue
        at = frame[[x_key, key]].astype(object).drop_duplicates(subset=[x_key]).set_index(x_key)[key]
        values = [at[x] for x in xs]
        texts, in_full = brief_texts(values)
        heading = table_heading(key, values, view.label(key))
        parts.append(f"{heading} {', '.join(texts)}{' ' + in_full if in_full else ''}")
    return f"with {'; '.join(parts)}" if parts else ""


def late_change_note(view: FigureView, frame: pd.DataFrame, x_key: str | None) -> str:
    """``edge back at 220 s: dynamics[0].steps[1].at ... never reaches this step [late-dynamics]``.

    A swept change at or after the run's end (an edge back at 220 s in a run ending at 220 s) never
    happens in its run: the sweep warned of it, and kept the warning in its manifest, but the figure
    drew the point as any other x value, as if the edge came back.  Said of the x values drawn.
    """
    warned = [w for w in view.results.manifest.get("point_warnings", ()) if w.get("check") == "late-dynamics"]
    if not warned or x_key is None or x_key not in frame.columns or "point" not in frame.columns:
        return ""
    said: dict[tuple[str, str], list[Any]] = {}
    points = frame["point"].to_numpy()
    for warning in warned:
        rows = frame[points == warning["point"]]
        if not len(rows):
            continue
        values = said.setdefault((str(warning.get("key", "")), str(warning["message"])), [])
        values += [v for v in pd.unique(rows[x_key].astype(object)) if v not in values]
    lines = [
        f"{view.label(x_key)} {', '.join(axis_texts(values))}: {key}: {message} [late-dynamics]"
        for (key, message), values in said.items()
    ]
    return "\n".join(lines)


def precision_note(view: FigureView, frame: pd.DataFrame) -> str:
    """The runs' notes on where their numbers come from: int8's speed-up a peak ratio, a plain ``speed:``, ...

    A run in int8 on a built-in profile computes at the data sheets' int8/fp32 peak ratio (4x on
    a phone's Cortex-A76), where measured speed-ups are 1.5 to 2.5x; the command said so under its
    table, and the figures drawn from its results, where "int8 on the phone beats offloading" is
    read, said nothing.  Said where a run drawn carries it: the notes the results recorded for
    their figures as they were written (the manifest's ``figure_notes``, by point for a sweep; a
    comparison's hold for every run), each kind whose provider says it under figures: a plain
    ``speed:``, a GPU's assumed efficiency, the ``power:`` values (under a figure of energy only).
    Several points' rows of a kind that merges are said as the one line recorded for them
    (:func:`~offloadsim.world.notes.kept.said_under_figure`).
    """
    drawn = set(frame["point"].tolist()) if "point" in frame.columns else None
    columns = _registered(view.kind).drawn_columns(view.metric).values()
    energy = any("energy" in column for column in (*columns, view.metric))
    # the policies drawn: a note of others only left out, "(under edge only)" not said of edge alone
    policies = set(frame["policy"].astype(str)) if "policy" in frame.columns else None
    # the applications drawn, likewise: a note of others' precision or hardware left out
    apps = set(frame["app"].astype(str)) if "app" in frame.columns else None
    manifest = view.results.manifest
    profiles, nodes = _drawn_profiles(view, frame), _drawn_nodes(view, frame)
    said = said_under_figure(
        manifest, drawn, energy=energy, policies=policies, apps=apps, profiles=profiles, nodes=nodes
    )
    return "\n".join(map(shown_in_note, said))  # "(under fixed (edge1) and local only)"


def _drawn_nodes(view: FigureView, frame: pd.DataFrame) -> set[str] | None:
    """The nodes a figure of nodes or processors draws (``--where node=edge``); None: every one.

    A figure of the edge server's utilisation said the phones' plain ``speed:``.
    """
    nodes = getattr(view.results, "nodes", None)
    if "node" not in frame.columns or nodes is None or "node" not in nodes.columns:
        return None
    drawn = set(frame["node"].astype(str))
    return None if drawn >= set(nodes["node"].astype(str)) else drawn  # every node drawn: every note said


def _drawn_profiles(view: FigureView, frame: pd.DataFrame) -> set[str] | None:
    """The processors' profiles a figure of nodes or processors draws (``--where node=phone``); None: all.

    A figure of the phones' utilisation said the edge's T4 at an assumed efficiency.  A frame of
    processors names each profile; one of nodes, those of the nodes' processors (processors.parquet).
    """
    if "profile" in frame.columns:
        return set(frame["profile"].astype(str))
    processors = getattr(view.results, "processors", None)
    if (
        "node" not in frame.columns
        or processors is None
        or not {"node", "profile"} <= set(processors.columns)
    ):
        return None
    if set(frame["node"].astype(str)) >= set(processors["node"].astype(str)):
        return None  # every node drawn: every note said
    kept = processors[processors["node"].astype(str).isin(set(frame["node"].astype(str)))]
    return set(kept["profile"].astype(str))


def x_order(frame: pd.DataFrame, x_key: str) -> list[object]:
    """The distinct values of ``x_key`` in the order its axis draws them (quantities lowest first)."""
    return x_positions(pd.unique(frame[x_key].astype(object)).tolist(), x_key, None)[3]


def _label_shows(lead: str, key: str, label: object, value: object) -> bool:
    """Whether a policy entry's label (``fixed(node=edge)``) already says its value of ``policy.KEY``.

    A plain name runs with the file's parameters or the policy's defaults (``neurosurgeon``:
    ``objective: latency``), which its label does not say, so those are still named under the axes;
    a parameter its policy lacks is null, written ``–`` in a figure.
    """
    unset = key.startswith("policy.") and str(value) == NO_PARAMETER
    return lead == "policy" and (unset or policy_label_shows(key, label, value))


def moving_with_shown_note(
    view: FigureView, frame: pd.DataFrame, keys: Sequence[str], shown: Sequence[str]
) -> str:
    """``each value of stations has its own cuts: [edge-0] []; [edge-0, edge-1] [88]``, under the axes.

    A swept key zipped with the series or the panels (the cuts of a ``fixed`` policy beside its
    stations) pools nothing, each series holding one value of it, but the legend or the panel
    titles alone hide that it changes too, as :func:`moving_with_x_note` says for the x axis.
    """
    parts = []
    for lead in keys:
        if lead not in frame.columns or frame[lead].nunique() < 2:
            continue
        for key in view.results.swept:
            if key in shown or key not in frame.columns or frame[key].nunique() < 2:
                continue
            if moves_with(frame, lead, key):
                pairs = frame[[lead, key]].drop_duplicates().astype(object)
                if all(
                    str(a) == str(b) or _label_shows(lead, key, a, b)
                    for a, b in zip(pairs[lead], pairs[key], strict=True)
                ):
                    continue  # one dimension under two names: a sweep's policies are its policy.name
                leads, (keyed, in_full) = axis_texts(pairs[lead]), brief_texts(pairs[key])
                values = "; ".join(f"{a} {b}" for a, b in zip(leads, keyed, strict=True))
                values += f" {in_full}" if in_full else ""
                names = view.heading(lead, pairs), view.heading(key, pairs)  # plain numbers: with unit
                parts.append(f"each value of {names[0]} has its own {names[1]}: {values}")
    return "\n".join(parts)
