"""Time to recover after an outage: when a binned metric is back near its level before the outage.

A figure of latency over time shows a line that rises through an outage and comes down after it;
a paper wants the number, the same for every policy.  The definition (docs/experiments.md,
"Latency through an outage"), on a series' bins of arrival time (as ``latency-time`` draws them):

* **baseline**: the median of the series' values in the bins lying wholly in the
  :data:`BEFORE_S` seconds before the outage starts (none such, or none with a value: no baseline,
  no time to recover);
* a bin is **back** where its value is at most :data:`TOLERANCE` above the baseline
  (``value ≤ (1 + TOLERANCE) · baseline``: every metric drawn over time is lower-is-better, so a
  line below its old level has recovered) *and* at least :data:`LEAST_COMPLETED` of the tasks
  arriving in it completed: a bin most of whose tasks are still queued holds the survivors'
  latency, not a recovery;
* **recovered at**: the start of the first bin starting at or after the outage's end that begins
  :data:`SUSTAINED` bins back in a row; **time to recover**: that minus the outage's end (s, to the
  bin width: 0 where the first bin after the outage is already back).  None (null) where no such
  run of bins starts before the window's end: ``status`` says why (:data:`STATUSES`).

Outages are stretches of the records (a node down, a link direction down), those overlapping or
touching merged into one (:func:`merged_outages`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

__all__ = [
    "BEFORE_S",
    "LEAST_COMPLETED",
    "STATUSES",
    "SUSTAINED",
    "TOLERANCE",
    "merged_outages",
    "time_to_recover",
]

#: The baseline is taken over the bins in this many seconds before an outage starts.
BEFORE_S = 60.0
#: A bin is back within this share of the baseline, above or below it.
TOLERANCE = 0.20
#: ... and this many bins in a row must be back (one bin back between two high ones is noise).
SUSTAINED = 3
#: A bin counts as back only where at least this share of the tasks arriving in it completed.
LEAST_COMPLETED = 0.5

#: Why a series has a time to recover after an outage, or why not.
STATUSES = {
    "recovered": "back: the time to recover is given",
    "not recovered": f"no {SUSTAINED} bins in a row back between the outage's end and the window's end",
    "too near the end": f"fewer than {SUSTAINED} bins between the outage's end and the window's end",
    "no baseline": f"no bin with a value in the {BEFORE_S:g} s before the outage",
}

COLUMNS = (
    "series",
    "outage_from_s",
    "outage_to_s",
    "baseline",
    "recovered_at_s",
    "time_to_recover_s",
    "status",
)


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


def time_to_recover(
    binned: pd.DataFrame,
    outages: Iterable[tuple[float, float]],
    *,
    before_s: float = BEFORE_S,
    tolerance: float = TOLERANCE,
    sustained: int = SUSTAINED,
    least_completed: float = LEAST_COMPLETED,
) -> pd.DataFrame:
    """Per series and outage, the baseline and the time to recover (see the module's docstring).

    ``binned``: a series' bins in time order, with ``series``, ``bin_start``, ``bin_end``, ``value``,
    ``completed`` and ``not_completed`` (:func:`offloadsim.plots.latency_time.binned_metric`'s).
    ``outages``: ``(since, until)`` stretches (s), merged here.  Returns :data:`COLUMNS`, a row per
    series and outage; ``baseline``, ``recovered_at_s`` and ``time_to_recover_s`` NaN where there is
    none, ``status`` (:data:`STATUSES`) saying why.
    """
    stretches = merged_outages(outages)
    rows: list[dict[str, object]] = []
    for name in dict.fromkeys(binned["series"].astype(str)) if len(binned) else ():
        part = binned[binned["series"].astype(str) == name]
        starts = part["bin_start"].to_numpy(dtype=float)
        ends = part["bin_end"].to_numpy(dtype=float)
        values = part["value"].to_numpy(dtype=float)
        arrived = (part["completed"] + part["not_completed"]).to_numpy(dtype=float)
        completed = part["completed"].to_numpy(dtype=float)
        with np.errstate(invalid="ignore", divide="ignore"):
            enough = completed >= least_completed * arrived
        for since, until in stretches:
            before = (starts >= since - before_s - 1e-9) & (ends <= since + 1e-9) & np.isfinite(values)
            baseline = float(np.median(values[before])) if before.any() else math.nan
            at = _back_from(starts, values, enough, until, baseline, tolerance, sustained)
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
            rows.append(
                {
                    "series": name,
                    "outage_from_s": since,
                    "outage_to_s": until,
                    "baseline": baseline,
                    "recovered_at_s": at,
                    "time_to_recover_s": at - until if math.isfinite(at) else math.nan,
                    "status": status,
                }
            )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _back_from(
    starts: np.ndarray,
    values: np.ndarray,
    enough: np.ndarray,
    until: float,
    baseline: float,
    tolerance: float,
    sustained: int,
) -> float:
    """The start of the first of ``sustained`` bins in a row back, from ``until`` on; NaN where none."""
    if not math.isfinite(baseline):
        return math.nan
    with np.errstate(invalid="ignore"):
        back = (values <= baseline + tolerance * abs(baseline) + 1e-12) & enough
    after = np.flatnonzero(starts >= until - 1e-9)
    for k in after:
        if k + sustained <= len(back) and back[k : k + sustained].all():
            return float(starts[k])
    return math.nan
