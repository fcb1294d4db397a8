"""``groups.csv``'s ``warned``: how many of a configuration's runs had a warning concerning each group.

``summary.csv`` counts a policy's runs that warned (:mod:`offloadsim.analysis.warned_columns`);
``groups.csv`` had no such column, so a group's p95 under a "too short to settle" warning read
as any other, though the warning may concern that group alone.  A run's warnings are attributed
to the source groups they concern as the figures attribute them
(:func:`~offloadsim.analysis.warning_groups.warned_groups`); a warning it cannot place (no
facts, no ``source_group`` column) counts for every group, as the figures name every group.
Each run's groups are worked out where the run is summarised (:func:`run_warned_groups`, in its
job) and carried with its result; the records of a run whose result does not carry them (a sweep
job's file from before) are read back here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import pandas as pd

from offloadsim.analysis.warning_facts import WarningFacts
from offloadsim.analysis.warning_groups import warned_groups

__all__ = ["EVERY", "RunRecords", "WarnedGroups", "run_warned_groups", "with_group_warned"]

#: One run's records for the attribution: its tasks, nodes (None: not kept), measured time and end (s).
RunRecords = tuple[pd.DataFrame, pd.DataFrame | None, float, float | None]

#: The groups one run's warnings concern, as a run's result carries them: their names, or every group.
EVERY: Literal["every"] = "every"
WarnedGroups = tuple[str, ...] | Literal["every"]


def run_warned_groups(rows: Sequence[Mapping[str, Any]], records: RunRecords) -> WarnedGroups:
    """The groups one run's warnings (``rows``, as the manifest's ``run_warnings``) concern, sorted.

    :data:`EVERY` where one cannot be placed.  Worked out where the run is summarised, from its
    records, so that ``groups.csv``'s ``warned`` need not read them back.
    """
    found = _run_groups(rows, records)
    return EVERY if found is None else tuple(sorted(found))


def _run_groups(rows: Sequence[Mapping[str, Any]], records: RunRecords) -> set[str] | None:
    """The groups any of one run's warnings concern; None: every group (one it cannot place)."""
    found: set[str] = set()
    for row in rows:
        facts = WarningFacts.from_dict(row["facts"], "run_warnings") if "facts" in row else None
        groups = warned_groups(facts, *records)
        if groups is None:
            return None
        found |= groups
    return found


def with_group_warned(
    groups: pd.DataFrame,
    run_warnings: Sequence[Mapping[str, Any]],
    records: Callable[[str, int], RunRecords],
    by: str = "policy",
    carried: Mapping[tuple[str, int], WarnedGroups] | None = None,
) -> pd.DataFrame:
    """``groups`` (a row per group, ``by`` and metric) with ``warned`` added last (a copy).

    ``run_warnings``: the manifest's rows, each naming its run by ``by`` (``policy`` in a
    comparison, ``point`` in a sweep) and ``replication``; ``carried``: the groups each run's
    result says its warnings concern (:func:`run_warned_groups`), by (``by``, replication);
    ``records(by, replication)`` gives the records of a warned run that carries none, read only
    where ``groups`` has rows of its ``by``.
    """
    groups = groups.copy()
    if not len(groups):
        groups["warned"] = pd.Series(dtype=int)
        return groups
    per_run: dict[tuple[str, int], list[Mapping[str, Any]]] = {}
    for row in run_warnings:
        per_run.setdefault((str(row[by]), int(row["replication"])), []).append(row)
    counts: dict[str, dict[str | None, int]] = {}
    shown = set(groups[by].astype(str))  # a run of no row here counts for none: not read
    for (of, replication), rows in per_run.items():
        if of not in shown:
            continue
        known = (carried or {}).get((of, replication))
        if known is None:
            concerned = _run_groups(rows, records(of, replication))
        else:
            concerned = None if known == EVERY else set(known)
        tally = counts.setdefault(of, {})
        for group in [None] if concerned is None else concerned:
            tally[group] = tally.get(group, 0) + 1
    keys = zip(groups["group"].astype(str), groups[by].astype(str), strict=True)
    groups["warned"] = [
        counts.get(of, {}).get(None, 0) + counts.get(of, {}).get(group, 0) for group, of in keys
    ]
    return groups
