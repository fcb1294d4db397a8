"""Time to recover after an outage: when the work the outage held up has all ended, from the task records.

A figure of latency over time shows a line that rises through an outage and comes down after it;
a paper wants the number, the same for every policy and for every way the figure is drawn.  An
earlier rule judged the line's bins ("3 bins in a row within 20 % of the baseline"): the same run
and outage read 0.23 s, 3.7 s or 1.7 s with 0.5 s, 1 s or 2 s bins, and an ordinary bump of queue
noise after the outage counted as the outage's.  So the time is now the **backlog's drain**, from
the task records at the run's own resolution, which a reader can check by hand
(docs/experiments.md, "Latency through an outage"):

* the outage's **backlog**: the series' tasks that arrived before the outage ended and had not
  ended when it began (arrived during it, or in flight at its start); a task dropped or failed is
  lost to the outage, not waited for (the records keep no time for its end: it is counted in
  ``arrived`` and ``completed``);
* **recovered at**: when the last of the backlog completed (its ``finish``), or the outage's end
  where all of it ended before then; **time to recover**: that minus the outage's end (s);
* **not recovered**: some of the backlog was still in flight when the run ended
  (``backlog_in_flight`` says how many): the run ended before the outage's effect did.

Over several runs judged together (their outages the same) it is the slowest run's: the backlog of
every run has drained.  The time includes the last task's own latency: a policy whose tasks take
100 ms recovers no sooner than 100 ms after the outage.  ``baseline`` is the figure's metric over
the series' tasks that arrived in the :data:`BEFORE_S` seconds before the outage (from the measured
time's start where that is later: the warm-up left out; ``baseline_s`` says how long), taken from
the records as a run's summary takes it (over several runs, the median of the runs' values): the
same for any bin width and window drawn.  It is the level to compare with; it does not decide the
time.

Outages are stretches of the records (a node down, a link direction down), those overlapping or
touching merged into one (:func:`merged_outages`).  A link direction's **bandwidth dip** is analysed
by the same rule (:func:`capacity_dips`): a stretch in which the bandwidth in force (while up) was
under :data:`DIP_SHARE` of the scenario's, from the ``link_changes`` row that took it under to the
one that brought it back; its backlog is the series' tasks that sent bytes (``bytes_sent`` above 0:
the records keep no route, so any link's) and arrived before the dip ended, unfinished at its
start.  A dip still on at the run's end gets no row.  A latency or loss change, or a bandwidth that
moved but never under that share, gets no row: the figure's note says so
(:func:`unanalysed_changes`).

A time to recover is the outage's only where nothing else changed around it, and only for a series
that had work on the node that failed.  So each row also says (``status``, ``overlapped``):

* **overlapped** (``recovered (overlapped)``, ``not recovered (overlapped)``): another change the
  records hold (:class:`Change`: a link's bandwidth, latency or state in ``link_changes``, another
  node down or back, the same node's or link's next outage) fell between :data:`BEFORE_S` seconds
  before the outage and the recovery (the run's end where none): the time is not the outage's
  alone.  Mobility's per-device handovers and radio rates are each device's own weather and are not
  counted.
* **not on the node**: the series ran no task on the node that went down (``placement`` or
  ``final_node``, anywhere in the run): whatever its line did is not a recovery from that outage.
* **not on the link**: an outage of link directions only, and the series put no byte on any link
  (``bytes_sent`` 0 for every task: ``local``); the records keep no route, so a series that sent
  over other links than the one down is not told apart.

And, from the task records, the tasks of each series that arrived during the outage (over every
run drawn): ``arrived``, ``completed``, ``with_deadline`` (a deadline and a known outcome, as the
deadline-miss rate counts them) and ``deadline_missed`` among those.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from offloadsim.analysis.chunked import deadline_outcomes
from offloadsim.records.schema import STATUSES as TASK_STATUSES

__all__ = [
    "BEFORE_S",
    "COLUMNS",
    "DIP",
    "DIP_SHARE",
    "LEAST_COMPLETED",
    "Level",
    "OVERLAPPED",
    "STATUSES",
    "Change",
    "capacity_dips",
    "link_changes_of",
    "merged_outages",
    "node_changes_of",
    "changes_said",
    "time_to_recover",
    "unanalysed_changes",
]

#: The baseline is taken over the bins in this many seconds before an outage starts, and a change
#: in them or after them until the recovery makes the time ``(overlapped)``.
BEFORE_S = 60.0
#: A link direction's bandwidth in force under this share of the scenario's is a dip: analysed as an
#: outage is (:func:`capacity_dips`).  Half: an LTE trace's ordinary second-to-second moves around its
#: median stay above it, and a reader can check it from ``link_changes``' ``capacity`` and
#: ``scenario_capacity``.
DIP_SHARE = 0.5
#: The ``change`` of a row after a bandwidth dip (an outage's is ``outage``), and its changes' kind.
DIP = "bandwidth dip"
_OUTAGE = "outage"
#: A bin is drawn faint where under this share of the tasks arriving in it completed (the line is
#: the few that did, not a recovery).
LEAST_COMPLETED = 0.5

#: Why a series has a time to recover after an outage, or why not, or why it is not the outage's.
STATUSES = {
    "recovered": "every task the outage held up ended before the run did: the time to recover is given",
    "not recovered": "tasks the outage held up were still in flight when the run ended",
    "not on the node": "the series ran no task on the node that went down: not a recovery from it",
    "not on the link": "the series sent nothing over any link, none down or dipped: not a recovery from it",
}
#: Added to a status (``recovered (overlapped)``) where another change fell between the baseline's
#: start and the recovery: the time is not the outage's alone (``overlapped`` says what).
OVERLAPPED = " (overlapped)"

#: A row's columns; ``backlog`` and ``backlog_in_flight`` were added with the backlog's drain (the
#: others kept their names; ``recovered_at_s`` and ``time_to_recover_s`` now say the drain's), and
#: ``change`` (``outage`` or :data:`DIP`) with the bandwidth dips.
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
    "backlog",
    "backlog_in_flight",
    "change",
)

#: link_changes' kind whose changes are each device's own (handovers, radio rate): not a change here.
_MOBILITY = "mobility"
#: link_changes' changes that are no outage (a direction's ``down`` and ``up`` are one).
_NOT_OUTAGES = ("capacity", "latency", "loss")


#: The figure's metric per series over the tasks arriving in ``[from, to)`` (s): the baseline.
Level = Callable[[float, float], Mapping[str, float]]


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
    tasks: pd.DataFrame,
    changes: Sequence[Change] = (),
    by: str = "policy",
    run_end_s: float | None = None,
    before_s: float = BEFORE_S,
    level: Level | None = None,
    measured_from_s: float = 0.0,
    dips: Iterable[tuple[str, float, float]] = (),
) -> pd.DataFrame:
    """Per series and outage (or bandwidth dip), the baseline and the time to recover (module docstring).

    ``binned``: the figure's bins, with ``series``: the series to give a row (one per value of
    ``by`` in ``tasks``).  ``outages``: ``(since, until)`` or ``(what, since, until)`` stretches
    (s; ``what`` the node or link direction down), merged here; ``dips``: ``(direction, since,
    until)``, :func:`capacity_dips`'s, merged alike.  ``tasks``: the task records of the runs drawn,
    whole (not cut to the figure's window): the backlog's drain, where each series ran (``not on
    the node``) and the counts of the tasks arriving during each outage (``run_end_s``: when the
    runs ended, for a deadline still open then).  ``level``: the figure's metric per series over
    the tasks arriving in ``[from, to)`` (the baseline, over ``[max(since - before_s,
    measured_from_s), since)``; NaN without it).  ``changes``: everything that changed in the runs
    (:func:`node_changes_of`, :func:`link_changes_of`), the outages' own included (left out here by
    name; after a dip, the dipped direction's own moves are its weather, only its next dip or
    outage counts).  Returns :data:`COLUMNS`, a row per series and stretch in time order;
    ``recovered_at_s`` and ``time_to_recover_s`` NaN where there is none (every status but
    ``recovered``), ``status`` (:data:`STATUSES`) saying why or why it is not the outage's,
    ``overlapped`` what else changed (empty where nothing did).
    """
    outages = list(outages)
    stretches = [(*named, _OUTAGE) for named in _named(outages)]
    dipped = _named(dips)
    stretches = sorted([*stretches, *((*named, DIP) for named in dipped)], key=lambda s: (s[0], s[1]))
    after_dips = _dip_changes(changes, outages, dipped)
    rows: list[dict[str, object]] = []
    counts = _Counts(tasks, by, run_end_s)
    names = list(dict.fromkeys(binned["series"].astype(str))) if len(binned) else []
    for since, until, down, change in stretches:
        first = max(since - before_s, measured_from_s)
        levels = level(first, since) if level is not None and first < since else {}
        for name in names:
            baseline = float(levels.get(name, math.nan))
            backlog, left, at = counts.drain(name, since, until, sent_only=change == DIP)
            status = "recovered" if math.isfinite(at) else "not recovered"
            last = at if math.isfinite(at) else (run_end_s if run_end_s is not None else math.inf)
            around = after_dips if change == DIP else changes
            overlapped = _overlapped(around, down, until, since - before_s, float(last))
            elsewhere = (
                "not on the node"
                if counts.never_on(name, down)
                else "not on the link"
                if counts.never_sent(name, down)
                else ""
            )
            if elsewhere:  # no recovery from it: no time, as "not recovered" (its drain is no outage's)
                status, at = elsewhere, math.nan
            elif overlapped:
                status += OVERLAPPED
            rows.append(
                {
                    "series": name,
                    "outage_from_s": since,
                    "outage_to_s": until,
                    "down": ", ".join(down),
                    "baseline": baseline,
                    "baseline_s": since - first if first < since else math.nan,
                    "recovered_at_s": at,
                    "time_to_recover_s": at - until if math.isfinite(at) else math.nan,
                    "status": status,
                    "overlapped": overlapped,
                    **counts.during(name, since, until),
                    "backlog": backlog,
                    "backlog_in_flight": left,
                    "change": change,
                }
            )
    table = pd.DataFrame(rows, columns=list(COLUMNS))
    if len(table):  # a series' rows together, as before the dips: by series, then in time order
        order = {name: i for i, name in enumerate(names)}
        table = table.sort_values("series", key=lambda c: c.map(order), kind="stable", ignore_index=True)
    counted = ("arrived", "completed", "with_deadline", "deadline_missed", "backlog", "backlog_in_flight")
    return table.astype({c: "Int64" for c in counted})


def capacity_dips(changes: pd.DataFrame | None, end_s: float) -> list[tuple[str, float, float]]:
    """Each link direction's bandwidth dips, ``(direction, since, until)``, runs that saw the same given once.

    A dip: the bandwidth in force while up under :data:`DIP_SHARE` of ``scenario_capacity``, from
    the ``link_changes`` row that took it under to the next row that did not (back over it, or the
    direction down: an outage from there).  One still on at ``end_s`` is left out: no end to
    recover from.  Mobility's rows are left out, as in :func:`link_changes_of`.

    >>> rows = pd.DataFrame({"time": [10.0, 12.0, 15.0], "a": "p", "b": "ap", "up": True,
    ...     "capacity": [2e6, 8e6, 1e6], "scenario_capacity": 6e6, "kind": "link-trace"})
    >>> capacity_dips(rows, 60.0)
    [('p→ap', 10.0, 12.0)]
    """
    if changes is None or not len(changes):
        return []
    kind = changes["kind"].astype(str) if "kind" in changes.columns else pd.Series("", index=changes.index)
    rows = changes[kind != _MOBILITY]
    runs = [c for c in ("policy", "replication") if c in rows.columns]
    found: dict[tuple[str, float, float], None] = {}
    for keys, part in rows.groupby(["a", "b", *runs], sort=False, observed=True):
        part = part.sort_values("time", kind="stable")
        up = (
            part["up"].to_numpy(dtype=bool, na_value=True)
            if "up" in part.columns
            else np.ones(len(part), bool)
        )
        low = up & (
            part["capacity"].to_numpy(dtype=float)
            < DIP_SHARE * part["scenario_capacity"].to_numpy(dtype=float)
        )
        since = math.nan
        for at, under in zip(part["time"].to_numpy(dtype=float).tolist(), low.tolist(), strict=True):
            if under and math.isnan(since):
                since = at
            elif not under and not math.isnan(since):
                if at > since and at <= end_s:
                    found[(f"{keys[0]}→{keys[1]}", since, at)] = None
                since = math.nan
    return list(found)


def _dip_changes(
    changes: Sequence[Change],
    outages: Iterable[tuple[float, float] | tuple[str, float, float]],
    dipped: Sequence[tuple[float, float, tuple[str, ...]]],
) -> list[Change]:
    """The changes a dip's row is judged against: the dipped directions' own moves out, dips and outages in.

    Its next dip or outage before the drain is another change; every second of its trace is not.
    """
    directions = {what for _, _, down in dipped for what in down}
    kept = [c for c in changes if c.kind == "node down" or c.what not in directions]
    own = [Change(what, DIP, (since, until)) for since, until, down in dipped for what in down]
    downs = [o for o in outages if len(o) == 3 and str(o[0]) in directions]
    own += [Change(str(o[0]), "link down", (float(o[1]), float(o[2]))) for o in downs if len(o) == 3]
    return kept + own


def unanalysed_changes(
    changes: pd.DataFrame | None, dips: Iterable[tuple[str, float, float]] = ()
) -> list[Change]:
    """The link changes that get no time to recover: latency or loss moving, a bandwidth moving but no dip.

    A bandwidth change of a direction with a dip in ``dips`` (:func:`capacity_dips`) is analysed;
    one that never fell under :data:`DIP_SHARE` of the scenario's, or a dip still on at the run's
    end, has no row, and a latency or loss change has no end a drain could be measured from.  The
    figure's note names these (:func:`changes_said`), so that no row is not read as "no effect".
    Mobility's rows are left out, as in :func:`link_changes_of`.
    """
    if changes is None or not len(changes) or "change" not in changes.columns:
        return []
    dipped = {what for what, _, _ in dips}
    direction = changes["a"].astype(str) + "→" + changes["b"].astype(str)
    moved = changes["change"].astype(str)
    left = moved.isin(_NOT_OUTAGES) & ~((moved == "capacity") & direction.isin(dipped))
    return link_changes_of(changes[left])


def changes_said(changes: Sequence[Change]) -> str:
    """``link-trace of old-0→ap-0 and 219 more link directions at 100–240 s``, grouped by kind; "" if none."""
    hits: dict[str, list[Change]] = {}
    for change in changes:
        hits.setdefault(change.kind, []).append(change)
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
    hits = []
    for change in changes:
        kept = change.times
        if change.what in down:
            kept = tuple(t for t in kept if t > until + 1e-9)
        if any(first + 1e-9 < t < last - 1e-9 for t in kept):
            hits.append(Change(change.what, change.kind, kept))
    return changes_said(hits)


def _span(since: float, until: float) -> str:
    def plain(x: float) -> str:
        return f"{round(x, 1):g}"

    return f"{plain(since)} s" if since == until else f"{plain(since)}–{plain(until)} s"


class _Counts:
    """The task records' answers per series: where its tasks ran, and those arriving in a stretch."""

    def __init__(self, tasks: pd.DataFrame, by: str, run_end_s: float | None) -> None:
        self.tasks = tasks
        self.names = tasks[by].astype(str).to_numpy() if by in tasks.columns else np.full(len(tasks), "")
        self.arrival = tasks["arrival"].to_numpy(dtype=float)
        status = tasks["status"].astype(str).to_numpy() if "status" in tasks.columns else None
        masks = {
            s: (status == s if status is not None else np.zeros(len(tasks), bool)) for s in TASK_STATUSES
        }
        if status is None:
            masks["completed"] = np.ones(len(tasks), bool)
        self.done = masks["completed"]
        self.in_flight = masks["in_flight"]

        def floats(column: str) -> np.ndarray:
            if column not in tasks.columns:
                return np.full(len(tasks), math.nan)
            return tasks[column].to_numpy(dtype=float, na_value=math.nan)

        finish = floats("finish")
        if "finish" not in tasks.columns and "latency" in tasks.columns:
            finish = self.arrival + floats("latency")
        self.finish = finish
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
        self.sending = ~(sent <= 0)  # NaN (not known) counts as sending
        self.sent = {
            name: bool(np.nansum(sent[self.names == name]) > 0)
            or bool(np.isnan(sent[self.names == name]).all())
            for name in self.ran
        }

    def drain(
        self, name: str, since: float, until: float, *, sent_only: bool = False
    ) -> tuple[int, int, float]:
        """The outage's backlog of the series: its size, how many were in flight at the end, when it drained.

        Backlog: arrived before ``until`` and not ended by ``since`` (completed after it, or still
        in flight); dropped and failed tasks have no end time in the records and are not waited
        for.  ``sent_only`` (a bandwidth dip): the tasks that sent bytes only (their ``bytes_sent``
        above 0, or not known).  Drained at: the last backlog task's finish, at least ``until``; NaN
        where any is still in flight.
        """
        mine = (self.names == name) & (self.sending if sent_only else True)
        early = mine & (self.arrival < until)
        late = early & self.done & (self.finish > since)
        left = int((early & self.in_flight).sum())
        backlog = int(late.sum()) + left
        if left:
            return backlog, left, math.nan
        return backlog, 0, max(until, float(self.finish[late].max())) if late.any() else until

    def never_on(self, name: str, down: Sequence[str]) -> bool:
        """Whether the series ran no task on any node of ``down`` (False where the records cannot say)."""
        if not self.placed or not down or name not in self.ran:
            return False
        nodes = [d for d in down if "→" not in d]  # a link direction down is no node to run on
        return bool(nodes) and not any(node in self.ran[name] for node in nodes)

    def never_sent(self, name: str, down: Sequence[str]) -> bool:
        """Whether ``down`` is link directions only and the series put no byte on any link."""
        if not down or any("→" not in d for d in down):
            return False
        return not self.sent.get(name, True)

    def during(self, name: str, since: float, until: float) -> dict[str, object]:
        """The series' tasks arriving in ``[since, until)``, over every run: counts."""
        here = (self.names == name) & (self.arrival >= since) & (self.arrival < until)
        return {
            "arrived": int(here.sum()),
            "completed": int((here & self.done).sum()),
            "with_deadline": int((here & self.known).sum()),
            "deadline_missed": int((here & self.missed).sum()),
        }
