"""Time to recover after an outage: when a binned metric is back near its level before the outage.

A figure of latency over time shows a line that rises through an outage and comes down after it;
a paper wants the number, the same for every policy.  The definition (docs/experiments.md,
"Latency through an outage"), on a series' bins of arrival time (as ``latency-time`` draws them):

* **baseline**: the median of the series' values in the bins lying wholly in the
  :data:`BEFORE_S` seconds before the outage starts (none such, or none with a value: no baseline,
  no time to recover);
* a bin is **back** where its value is at most :data:`TOLERANCE` above the baseline, or within
  the baseline bins' own spread where that is wider: :data:`NOISE_SDS` robust standard deviations
  (1.4826 × their median absolute deviation) above it (``value ≤ baseline + max(TOLERANCE ·
  baseline, NOISE_SDS · sd)``: every metric drawn over time is lower-is-better, so a line below its
  old level has recovered).  The spread matters: 1 s medians of ~30 tasks put a quarter of the bins
  of ordinary running more than 20 % above their median, so "3 bins in a row within 20 %" took a
  dozen seconds of noise to happen, not of recovery; *and* at least :data:`LEAST_COMPLETED` of the tasks
  arriving in it completed: a bin most of whose tasks are still queued holds the survivors'
  latency, not a recovery;
* **recovered at**: the start of the first bin starting at or after the outage's end that begins
  :data:`SUSTAINED` bins back in a row; **time to recover**: that minus the outage's end (s, to the
  bin width: 0 where the first bin after the outage is already back).  None (null) where no such
  run of bins starts before the window's end: ``status`` says why (:data:`STATUSES`).

Outages are stretches of the records (a node down, a link direction down), those overlapping or
touching merged into one (:func:`merged_outages`).

A time to recover is the outage's only where nothing else changed around it, and only for a series
that had work on the node that failed.  So each row also says (``status``, ``overlapped``):

* **overlapped** (``recovered (overlapped)``, ``not recovered (overlapped)``, ...): another change
  the records hold (:class:`Change`: a link's bandwidth, latency or state in ``link_changes``,
  another node down or back, the same node's or link's next outage) fell between the baseline's
  start and the recovery's end (the last bin judged back, or the window's end where none): the line
  moved with it too, and the time is not the outage's alone.  Mobility's per-device handovers and
  radio rates are each device's own weather and are not counted.
* **not on the node**: the series ran no task on the node that went down (``placement`` or
  ``final_node``, anywhere in the run): whatever its line did is not a recovery from that outage.
* **not on the link**: an outage of link directions only, and the series put no byte on any link
  (``bytes_sent`` 0 for every task: ``local``); the records keep no route, so a series that sent
  over other links than the one down is not told apart.

And, from the task records (not from bins), the tasks of each series that arrived during the
outage (over every run drawn): ``arrived``, ``completed``, ``with_deadline`` (a deadline and a
known outcome, as the deadline-miss rate counts them) and ``deadline_missed`` among those.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from offloadsim.analysis.chunked import deadline_outcomes
from offloadsim.records.schema import STATUSES as TASK_STATUSES

__all__ = [
    "BEFORE_S",
    "COLUMNS",
    "LEAST_COMPLETED",
    "NOISE_SDS",
    "OVERLAPPED",
    "STATUSES",
    "SUSTAINED",
    "TOLERANCE",
    "Change",
    "link_changes_of",
    "merged_outages",
    "node_changes_of",
    "time_to_recover",
]

#: The baseline is taken over the bins in this many seconds before an outage starts.
BEFORE_S = 60.0
#: A bin is back within this share of the baseline, above or below it.
TOLERANCE = 0.20
#: ... or within this many robust standard deviations of the baseline bins, where that is wider.
NOISE_SDS = 3.0
#: ... and this many bins in a row must be back (one bin back between two high ones is noise).
SUSTAINED = 3
#: A bin counts as back only where at least this share of the tasks arriving in it completed.
LEAST_COMPLETED = 0.5

#: Why a series has a time to recover after an outage, or why not, or why it is not the outage's.
STATUSES = {
    "recovered": "back: the time to recover is given",
    "not recovered": f"no {SUSTAINED} bins in a row back between the outage's end and the window's end",
    "too near the end": f"fewer than {SUSTAINED} bins between the outage's end and the window's end",
    "no baseline": f"no bin with a value in the {BEFORE_S:g} s before the outage",
    "not on the node": "the series ran no task on the node that went down: not a recovery from it",
    "not on the link": "the series sent nothing over any link, so none down: not a recovery from it",
}
#: Added to a status (``recovered (overlapped)``) where another change fell between the baseline's
#: start and the recovery's end: the time is not the outage's alone (``overlapped`` says what).
OVERLAPPED = " (overlapped)"

COLUMNS = (
    "series",
    "outage_from_s",
    "outage_to_s",
    "down",
    "baseline",
    "baseline_s",
    "recovered_at_s",
    "time_to_recover_s",
    "status",
    "overlapped",
    "arrived",
    "completed",
    "with_deadline",
    "deadline_missed",
)

#: link_changes' kind whose changes are each device's own (handovers, radio rate): not a change here.
_MOBILITY = "mobility"


@dataclass(frozen=True)
class Change:
    """Something in the world that changed, as the records say: what, of which kind, and when.

    ``what``: the node (``edge-1``) or link direction (``old-0→ap-0``); ``kind``: ``node down`` or
    link_changes' kind (``link-trace``); ``times``: the instants it changed (s).
    """

    what: str
    kind: str
    times: tuple[float, ...]


def node_changes_of(spans: Iterable[tuple[str, float, float]]) -> list[Change]:
    """A node's stretches down (``(node, since, until)``) as changes: it went down, it came back."""
    return [
        Change(str(node), "node down", (float(since), float(until)))
        for node, since, until in dict.fromkeys(spans)
    ]


def link_changes_of(changes: pd.DataFrame | None) -> list[Change]:
    """Each link direction's changes in ``link_changes`` records, runs that saw the same given once.

    Mobility's rows are left out (each device's own handovers and radio rate, all the time).
    """
    if changes is None or not len(changes):
        return []
    kind = changes["kind"].astype(str) if "kind" in changes.columns else pd.Series("", index=changes.index)
    rows = changes[kind != _MOBILITY].assign(_kind=kind)
    found: dict[Change, None] = {}
    runs = [c for c in ("policy", "replication") if c in rows.columns]
    for keys, part in rows.groupby(["a", "b", "_kind", *runs], sort=False, observed=True):
        times = tuple(float(t) for t in dict.fromkeys(part["time"].to_numpy(dtype=float).tolist()))
        found[Change(f"{keys[0]}→{keys[1]}", str(keys[2]) or "link change", times)] = None
    return list(found)


def merged_outages(stretches: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    """``(since, until)`` stretches, those overlapping or touching merged, in time order.

    >>> merged_outages([(5.0, 8.0), (1.0, 2.0), (7.0, 9.0), (9.0, 10.0)])
    [(1.0, 2.0), (5.0, 10.0)]
    """
    merged: list[tuple[float, float]] = []
    for since, until in sorted(stretches):
        if merged and since <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], until))
        else:
            merged.append((since, until))
    return merged


def _named(
    outages: Iterable[tuple[float, float] | tuple[str, float, float]],
) -> list[tuple[float, float, tuple[str, ...]]]:
    """Outages merged as :func:`merged_outages` does, each with what was down in it (names may be none)."""
    items = [
        (str(o[0]), float(o[1]), float(o[2])) if len(o) == 3 else ("", float(o[0]), float(o[1]))
        for o in outages
    ]
    named = []
    for since, until in merged_outages((s, u) for _, s, u in items):
        down = tuple(dict.fromkeys(w for w, s, u in items if w and s >= since and u <= until))
        named.append((since, until, down))
    return named


def time_to_recover(
    binned: pd.DataFrame,
    outages: Iterable[tuple[float, float] | tuple[str, float, float]],
    *,
    changes: Sequence[Change] = (),
    tasks: pd.DataFrame | None = None,
    by: str = "policy",
    run_end_s: float | None = None,
    before_s: float = BEFORE_S,
    tolerance: float = TOLERANCE,
    sustained: int = SUSTAINED,
    least_completed: float = LEAST_COMPLETED,
) -> pd.DataFrame:
    """Per series and outage, the baseline and the time to recover (see the module's docstring).

    ``binned``: a series' bins in time order, with ``series``, ``bin_start``, ``bin_end``, ``value``,
    ``completed`` and ``not_completed`` (:func:`offloadsim.plots.latency_time.binned_metric`'s).
    ``outages``: ``(since, until)`` or ``(what, since, until)`` stretches (s; ``what`` the node or
    link direction down), merged here.  ``changes``: everything that changed in the runs
    (:func:`node_changes_of`, :func:`link_changes_of`), the outages' own included (left out here by
    name).  ``tasks``: the task records drawn, a series per value of ``by``: where each ran (for
    ``not on the node``) and the counts of the tasks arriving during each outage (``run_end_s``: when
    the runs ended, for a deadline still open then).  Returns :data:`COLUMNS`, a row per series and
    outage; ``baseline``, ``recovered_at_s`` and ``time_to_recover_s`` NaN where there is none,
    ``status`` (:data:`STATUSES`) saying why or why it is not the outage's, ``overlapped`` what else
    changed (empty where nothing did), the counts empty without ``tasks``.
    """
    stretches = _named(outages)
    rows: list[dict[str, object]] = []
    counts = _Counts(tasks, by, run_end_s)
    for name in dict.fromkeys(binned["series"].astype(str)) if len(binned) else ():
        part = binned[binned["series"].astype(str) == name]
        starts = part["bin_start"].to_numpy(dtype=float)
        ends = part["bin_end"].to_numpy(dtype=float)
        values = part["value"].to_numpy(dtype=float)
        arrived = (part["completed"] + part["not_completed"]).to_numpy(dtype=float)
        completed = part["completed"].to_numpy(dtype=float)
        with np.errstate(invalid="ignore", divide="ignore"):
            enough = completed >= least_completed * arrived
        for since, until, down in stretches:
            before = (starts >= since - before_s - 1e-9) & (ends <= since + 1e-9) & np.isfinite(values)
            baseline = float(np.median(values[before])) if before.any() else math.nan
            # the seconds of bins the baseline is over: under BEFORE_S where the records start later
            span = float(ends[before].max() - starts[before].min()) if before.any() else math.nan
            spread = _robust_sd(values[before]) if before.any() else 0.0
            margin = max(tolerance * abs(baseline), NOISE_SDS * spread) if math.isfinite(baseline) else 0.0
            at = _back_from(starts, values, enough, until, baseline, margin, sustained)
            after = int((starts >= until - 1e-9).sum())
            status = (
                "no baseline"
                if not math.isfinite(baseline)
                else "recovered"
                if math.isfinite(at)
                else "too near the end"
                if after < sustained
                else "not recovered"
            )
            judged = (
                ends[np.flatnonzero(starts >= at - 1e-9)[:sustained][-1]] if math.isfinite(at) else ends[-1]
            )
            first = float(starts[before][0]) if before.any() else since
            overlapped = _overlapped(changes, down, until, first, float(judged))
            if status != "no baseline" and counts.never_on(name, down):
                status = "not on the node"
            elif status != "no baseline" and counts.never_sent(name, down):
                status = "not on the link"
            elif status != "no baseline" and overlapped:
                status += OVERLAPPED
            rows.append(
                {
                    "series": name,
                    "outage_from_s": since,
                    "outage_to_s": until,
                    "down": ", ".join(down),
                    "baseline": baseline,
                    "baseline_s": span,
                    "recovered_at_s": at,
                    "time_to_recover_s": at - until if math.isfinite(at) else math.nan,
                    "status": status,
                    "overlapped": overlapped,
                    **counts.during(name, since, until),
                }
            )
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    return table.astype({c: "Int64" for c in ("arrived", "completed", "with_deadline", "deadline_missed")})


def _overlapped(
    changes: Sequence[Change],
    down: Sequence[str],
    until: float,
    first: float,
    last: float,
) -> str:
    """What else changed strictly inside ``(first, last)``, as ``link-trace of old-0→ap-0 at 100–240 s``.

    What went down in the outage (``down``) counts only after its end (``until``): its next outage
    before the line is judged back means the line did not recover from this one alone, while its own
    changes and its earlier outages (in the baseline's window, where a median of many bins is what
    is taken) are what the figure is about.  Grouped by kind; each group's times are its changes'
    whole span (a trace's rush hour, start to end), so that a reader sees what overlapped.  Empty
    where nothing did.
    """
    hits: dict[str, list[Change]] = {}
    for change in changes:
        kept = change.times
        if change.what in down:
            kept = tuple(t for t in kept if t > until + 1e-9)
        if any(first + 1e-9 < t < last - 1e-9 for t in kept):
            hits.setdefault(change.kind, []).append(Change(change.what, change.kind, kept))
    said = []
    for kind, found in hits.items():
        names = list(dict.fromkeys(c.what for c in found))
        times = [t for c in found for t in c.times]
        span = _span(min(times), max(times))
        if kind == "node down":
            said.append(", ".join(f"{c.what} down {_span(min(c.times), max(c.times))}" for c in found))
            continue
        more = len(names) - 1
        more_said = f" and {more:,} more link direction{'s' if more > 1 else ''}" if more else ""
        said.append(f"{kind} of {names[0]}{more_said} at {span}")
    return "; ".join(said)


def _span(since: float, until: float) -> str:
    def plain(x: float) -> str:
        return f"{round(x, 1):g}"

    return f"{plain(since)} s" if since == until else f"{plain(since)}–{plain(until)} s"


class _Counts:
    """The task records' answers per series: where its tasks ran, and those arriving in a stretch."""

    def __init__(self, tasks: pd.DataFrame | None, by: str, run_end_s: float | None) -> None:
        self.tasks = tasks
        if tasks is None:
            return
        self.names = tasks[by].astype(str).to_numpy() if by in tasks.columns else np.full(len(tasks), "")
        self.arrival = tasks["arrival"].to_numpy(dtype=float)
        status = tasks["status"].astype(str).to_numpy() if "status" in tasks.columns else None
        masks = {
            s: (status == s if status is not None else np.zeros(len(tasks), bool)) for s in TASK_STATUSES
        }
        if status is None:
            masks["completed"] = np.ones(len(tasks), bool)
        self.done = masks["completed"]

        def floats(column: str) -> np.ndarray:
            if column not in tasks.columns:
                return np.full(len(tasks), math.nan)
            return tasks[column].to_numpy(dtype=float, na_value=math.nan)

        self.known, self.missed = deadline_outcomes(
            masks, floats("deadline"), floats("deadline_met"), self.arrival, run_end_s
        )
        ran = [tasks[c].astype(str).to_numpy() for c in ("placement", "final_node") if c in tasks.columns]
        self.ran: dict[str, set[str]] = {}
        for name in dict.fromkeys(self.names.tolist()):
            mine = self.names == name
            self.ran[name] = {str(node) for column in ran for node in np.unique(column[mine])}
        self.placed = bool(ran)
        sent = floats("bytes_sent")
        self.sent = {
            name: bool(np.nansum(sent[self.names == name]) > 0)
            or bool(np.isnan(sent[self.names == name]).all())
            for name in self.ran
        }

    def never_on(self, name: str, down: Sequence[str]) -> bool:
        """Whether the series ran no task on any node of ``down`` (False where the records cannot say)."""
        if self.tasks is None or not self.placed or not down or name not in self.ran:
            return False
        nodes = [d for d in down if "→" not in d]  # a link direction down is no node to run on
        return bool(nodes) and not any(node in self.ran[name] for node in nodes)

    def never_sent(self, name: str, down: Sequence[str]) -> bool:
        """Whether ``down`` is link directions only and the series put no byte on any link."""
        if self.tasks is None or not down or any("→" not in d for d in down):
            return False
        return not self.sent.get(name, True)

    def during(self, name: str, since: float, until: float) -> dict[str, object]:
        """The series' tasks arriving in ``[since, until)``, over every run: counts (NA without tasks)."""
        if self.tasks is None:
            return dict.fromkeys(("arrived", "completed", "with_deadline", "deadline_missed"), pd.NA)
        here = (self.names == name) & (self.arrival >= since) & (self.arrival < until)
        return {
            "arrived": int(here.sum()),
            "completed": int((here & self.done).sum()),
            "with_deadline": int((here & self.known).sum()),
            "deadline_missed": int((here & self.missed).sum()),
        }


def _robust_sd(values: np.ndarray) -> float:
    """1.4826 × the median absolute deviation: a standard deviation robust to a few outlying bins.

    An earlier outage in the baseline's window inflates the plain one; it barely moves this.
    """
    return float(1.4826 * np.median(np.abs(values - np.median(values))))


def _back_from(
    starts: np.ndarray,
    values: np.ndarray,
    enough: np.ndarray,
    until: float,
    baseline: float,
    margin: float,
    sustained: int,
) -> float:
    """The start of the first of ``sustained`` bins in a row back, from ``until`` on; NaN where none.

    Back: at most ``margin`` above the baseline, and enough of the bin's tasks completed.
    """
    if not math.isfinite(baseline):
        return math.nan
    with np.errstate(invalid="ignore"):
        back = (values <= baseline + margin + 1e-12) & enough
    after = np.flatnonzero(starts >= until - 1e-9)
    for k in after:
        if k + sustained <= len(back) and back[k : k + sustained].all():
            return float(starts[k])
    return math.nan
