"""A timeline's marks of a node's crash and of the tasks it made retry: what the bars alone hid.

Under a crash with recovery (``retries``, ``fallback``) a task aborted on the edge and run again on
its phone was one bar labelled ``(local)``, like any task that ran there: no line at the crash, no
mark of the retry.  :func:`mark_down` hatches each node's stretch down on the timeline's clock, a
line at the instant it went down; :func:`mark_retried` puts a cross at the start of each row whose
task was retried (the tasks' ``retries``: attempts after the first).  Each returns its legend entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from offloadsim.analysis.values import time_text

__all__ = ["mark_down", "mark_retried", "retried"]

#: A node's stretch down: hatched grey, as latency-time hatches it.
_DOWN: dict[str, Any] = {"facecolor": "0.93", "edgecolor": "0.6", "hatch": "////", "linewidth": 0}
_CRASH: dict[str, Any] = {"color": "0.25", "linewidth": 0.8, "linestyle": "-"}
_CROSS: dict[str, Any] = {
    "marker": "x",
    "color": "black",
    "markersize": 4,
    "markeredgewidth": 0.9,
    "linestyle": "none",
}


def mark_down(
    ax: Axes, spans: Sequence[tuple[str, float, float]], t0: float, scale: float, last: float
) -> list[tuple[Artist, str]]:
    """Hatch each ``(node, since, until)`` (s) within ``[t0, last]`` on an axis of ``(t - t0) * scale``.

    A line at each instant a node went down inside it. Returns the legend entries (none drawn: none).
    """
    entries: list[tuple[Artist, str]] = []
    for node, since, until in spans:
        if until <= t0 or since >= last:
            continue
        left, right = (max(since, t0) - t0) * scale, (min(until, last) - t0) * scale
        ax.axvspan(left, right, zorder=0, **_DOWN)
        # In the words and precision of the note under the figure (:func:`time_text`), not 23.5587 s.
        since_s = time_text(since)
        until_s = f"{time_text(until)} s" if until < float("inf") else "the end"  # never "inf s"
        said = f"{node} down from {since_s} s" + (f" to {until_s}" if until < float("inf") else "")
        if since >= t0:
            ax.axvline(left, zorder=1, **_CRASH)
            said = f"{node} crashed at {since_s} s (down to {until_s})"
        entries.append((Patch(**_DOWN), said))
    return entries


def retried(done: pd.DataFrame) -> np.ndarray:
    """Whether each task (row) was retried: an attempt of it aborted and it ran again (``retries`` > 0)."""
    if "retries" not in done.columns:
        return np.zeros(len(done), dtype=bool)
    return np.nan_to_num(pd.to_numeric(done["retries"], errors="coerce").to_numpy(dtype=float)) > 0


def mark_retried(ax: Axes, done: pd.DataFrame, starts: np.ndarray) -> list[tuple[Artist, str]]:
    """A cross at ``starts`` (x) of each retried task's row (row ``i`` at y = ``i``); its legend entry."""
    again = retried(done)
    if not again.any():
        return []
    rows = np.flatnonzero(again)
    ax.plot(starts[rows], rows, zorder=4, **_CROSS)
    return [(Line2D([], [], **_CROSS), "retried: an attempt aborted, and it ran again where its row says")]
