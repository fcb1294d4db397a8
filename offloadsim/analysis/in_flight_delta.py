"""A throughput Δ that is only the tasks still in flight at the end, said so in compare's tables.

Throughput counts the tasks completed in the measured time.  Where a policy and the baseline were
offered the same tasks (the same arrivals in every replication: paired seeds) and neither dropped
or failed more, the Δ is only how many were still in flight when the run ended: ``compare-load``'s
``edge`` read ``+0.58 ± 0.14 * better`` tasks/s against ``local``, which left 40.8 tasks in flight
a run against ``edge``'s 6.0, though both served the same 1,791.  Such a Δ is real, and starred, but
it is the end of the run's backlog, not a faster service: the table says ``(in flight)`` in place
of ``better`` or ``worse``, and a line above it says what that means, with the counts.  A bars
figure's note that names such a Δ (:mod:`offloadsim.plots.paired_note`) carries the same caveat,
read from the same cells.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

__all__ = ["IN_FLIGHT_VERDICT", "Cells", "in_flight_legend", "in_flight_only", "summary_cells"]

#: What a throughput Δ of tasks in flight at the end says in place of ``better`` or ``worse``.
IN_FLIGHT_VERDICT = "(in flight)"

#: Cells as compare's table reads them: (policy, metric) -> (mean, ci, diff, diff_ci, n, diff_n).
Cells = Mapping[tuple[str, str], tuple[float, float, float, float, int, int]]


def summary_cells(summary: Any) -> dict[tuple[str, str], tuple[float, float, float, float, int, int]]:
    """A comparison's summary (``summary.parquet``) as cells; a count it does not hold (an older one's): 0."""
    unsaid = [0] * len(summary)
    return {
        (str(p), str(m)): (float(mean), float(ci), float(diff), float(diff_ci), int(n), int(pairs))
        for p, m, mean, ci, diff, diff_ci, n, pairs in zip(
            summary["policy"],
            summary["metric"],
            summary["mean"],
            summary["ci"],
            summary["diff"],
            summary["diff_ci"],
            summary["n"] if "n" in summary.columns else unsaid,
            summary["diff_n"] if "diff_n" in summary.columns else unsaid,
            strict=True,
        )
    }


def in_flight_only(cells: Cells, policy: str, baseline: str) -> tuple[float, float] | None:
    """(the baseline's, the policy's) mean tasks in flight at the end, where those are its whole throughput Δ.

    None where the arrivals differed in some replication, or the completed Δ is not the in-flight Δ
    (one dropped or failed more), or the summary does not hold the counts (an older one's).
    """
    arrived = cells.get((policy, "arrived"))
    completed = cells.get((policy, "completed"))
    mine, theirs = cells.get((policy, "in_flight")), cells.get((baseline, "in_flight"))
    if arrived is None or completed is None or mine is None or theirs is None:
        return None
    if arrived[2] != 0 or arrived[3] != 0:  # not the same tasks in every replication
        return None
    if math.isnan(completed[2]) or math.isnan(mine[2]) or completed[2] == 0:
        return None
    if not math.isclose(completed[2], -mine[2], rel_tol=1e-9, abs_tol=1e-9):
        return None
    return theirs[0], mine[0]


def in_flight_legend(said: Mapping[str, tuple[float, float]], baseline: str) -> str:
    """The line above the table: what ``(in flight at end)`` means, with each policy's count."""
    counts = ", ".join(f"{policy} {mine:,.1f}" for policy, (_, mine) in said.items())
    base = next(iter(said.values()))[0]
    return (
        f"{IN_FLIGHT_VERDICT}: not judged, a throughput Δ between policies offered the same tasks, "
        f"made only of those still in flight when the run ended ({baseline} {base:,.1f} a run, {counts}), "
        "not of a faster service"
    )
