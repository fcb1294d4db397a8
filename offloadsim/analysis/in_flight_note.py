"""The note under a comparison's or sweep's table when runs ended with tasks in flight, however few.

A run's summary counts the tasks still in flight when it ended (``in flight at end  1 (0.1 %)``),
which its latencies leave out.  A comparison's table said nothing of them below the 5 % of
:func:`~offloadsim.analysis.notes.unfinished_runs_note`: one task in flight at the end made a
scenario's exact +60 ms read +62 ms, with no word of it.  This note says how many, per
configuration where there are few, or the run with most where there are many.
"""

from __future__ import annotations

from typing import Any

__all__ = ["in_flight_note"]

#: The most configurations the note lists one by one; more (a sweep's points) give the run with most.
LISTED = 6


def in_flight_note(metrics: Any, keys: list[str]) -> str | None:
    """A note on the tasks in flight at the runs' end, or None where no run ended with one.

    ``metrics``: one row per run (``arrived``, ``in_flight``), named by ``keys`` (swept keys,
    ``policy``, ``replication``).  Each configuration's mean count a run and its share of the tasks
    that arrived, as a run's summary gives them (``local 17.0 a run (0.7 %)``); or, for more than
    :data:`LISTED`, the run with most.
    """
    if not len(metrics) or not {"arrived", "in_flight"} <= set(metrics.columns):
        return None
    flying = metrics["in_flight"].astype(float)
    if not (flying > 0).any():
        return None
    configs = [key for key in keys if key != "replication" and key in metrics.columns]
    varied = [key for key in configs if metrics[key].astype(str).nunique() > 1]
    groups = list(metrics.groupby(varied, sort=False, dropna=False)) if varied else [((), metrics)]
    if len(groups) > LISTED:
        counts = _most(metrics, [*configs, *(["replication"] if "replication" in metrics else [])])
    else:
        listed = [
            f"{_label(varied, at)}{_count(group)}" for at, group in groups if (group["in_flight"] > 0).any()
        ]
        counts = (", " if varied == ["policy"] else "; ").join(listed)
    runs = int((flying > 0).sum())
    return (
        f"{runs} of {len(metrics)} runs ended with tasks still in flight ({counts}): the latencies "
        "are of the tasks that finished; metrics.parquet's in_flight and arrived count them"
    )


def _label(varied: list[str], values: Any) -> str:
    """``local `` for a comparison's policy alone, else ``key=value, key=value: ``; ``""`` for no key."""
    from offloadsim.analysis.values import value_text

    if not varied:
        return ""
    values = values if isinstance(values, tuple) else (values,)
    if varied == ["policy"]:
        return f"{value_text(values[0])} "
    return ", ".join(f"{key}={value_text(value)}" for key, value in zip(varied, values, strict=True)) + ": "


def _count(group: Any) -> str:
    """``17.0 a run (0.7 %)``: the runs' mean count and its share of the tasks that arrived in them."""
    arrived = float(group["arrived"].sum())
    share = 100.0 * float(group["in_flight"].sum()) / arrived if arrived else 0.0
    return (
        f"{float(group['in_flight'].mean()):,.1f} a run ({'<0.1' if 0 < share < 0.05 else f'{share:.1f}'} %)"
    )


def _most(metrics: Any, keys: list[str]) -> str:
    """``most: key=value, ..., replication=1, 21 (0.9 %)``: the run with most tasks in flight."""
    from offloadsim.analysis.values import value_text

    worst = metrics.loc[metrics["in_flight"].astype(float).idxmax()]
    run = ", ".join(f"{key}={value_text(worst[key])}" for key in keys)
    arrived = float(worst["arrived"])
    share = 100.0 * float(worst["in_flight"]) / arrived if arrived else 0.0
    return f"most: {run}, {int(worst['in_flight']):,d} ({share:.1f} %)"
