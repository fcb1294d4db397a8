"""What a figure of completed tasks leaves out: the configurations that did not complete many of theirs.

Latency, queueing wait, time to first token and the split are of completed tasks only. A policy
whose small edge queue turns away the tasks that would have waited longest draws the lowest
latency of its figure, with nothing on the figure to say that a fifth of its tasks are missing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd

from offloadsim.analysis.catalogue import INCOMPLETE_SHARE
from offloadsim.analysis.values import axis_texts, table_heading
from offloadsim.plots.series_names import shown_name

__all__ = ["incomplete_note"]

_SHOWN = 4  # configurations the note lists by name; the rest it counts


def incomplete_note(
    frame: pd.DataFrame, keys: Sequence[str], label: Callable[[str], str], *, counted: str | None = None
) -> str:
    """The configurations (by ``keys``) that did not complete ``INCOMPLETE_SHARE`` of their tasks, named.

    ``frame`` is task records (a ``status`` column) or a metrics table (``arrived`` and
    ``completed`` per job, added up over the replications); ``label`` names a key on the figure.
    A configuration that completed nothing is left to the note of what was not drawn. Empty when
    every configuration completed enough, or the frame cannot tell.

    ``counted`` (``"requests"``, ``"tasks"``) is said of a rate that counts completed ones over the
    whole run (a throughput): it falls where they are left unfinished, which its figure alone shows
    as a slower server, so the note says so, and whether those not completed were all still in
    flight when the run ended (a queue that never drained).
    """
    keys = [k for k in keys if k in frame.columns]
    if not keys or not len(frame):
        return ""
    # Quantities in their axis's unit ("1 Mbit/s", as an axis of them says), not as the sweep wrote them.
    # A policy as the figure names it ("fixed (edge1)").
    grouping = [
        pd.Series(list(map(shown_name, axis_texts(frame[k]), [k] * len(frame))), index=frame.index, name=k)
        for k in keys
    ]
    if "status" in frame.columns:
        status = frame["status"].astype(str)
        counts = pd.DataFrame(
            {"completed": status.eq("completed"), "arrived": 1, "in_flight": status.eq("in_flight")}
        )
    elif {"arrived", "completed"} <= set(frame.columns):
        counts = frame[["completed", "arrived"]].astype(float)
        counts["in_flight"] = (
            frame["in_flight"].astype(float) if "in_flight" in frame.columns else float("nan")
        )
    else:
        return ""
    totals = counts.groupby(grouping, sort=False).sum()
    share = 1.0 - totals["completed"] / totals["arrived"].where(totals["arrived"] > 0)
    short = share[(share >= INCOMPLETE_SHARE) & (share < 1.0)]
    if short.empty:
        return ""
    listed = [
        f"{', '.join(map(str, values if isinstance(values, tuple) else (values,)))} {value * 100:.0f} %"
        for values, value in short.items()
    ]
    text = "; ".join(listed[:_SHOWN])
    text += f"; and {len(listed) - _SHOWN} more" if len(listed) > _SHOWN else ""
    # Plain numbers in the unit they are in (``mobility radio noise (dBm)``), as the with-line says.
    names = ", ".join(table_heading(k, frame[k].drop_duplicates().tolist(), label(k)) for k in keys)
    if counted is None:
        lead, why = "of completed tasks only", "dropped, failed, in flight"
    else:
        lead = f"counts completed {counted} only, so it reads low where they are left unfinished"
        named = totals.loc[short.index]
        all_in_flight = bool((named["in_flight"] >= named["arrived"] - named["completed"]).all())
        why = "in flight at the end" if all_in_flight else "dropped, failed, in flight"
    return f"{lead}; {INCOMPLETE_SHARE * 100:.0f} % or more not completed ({why}) in ({names}):\n{text}"
