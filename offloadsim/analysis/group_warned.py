"""``groups.csv``'s ``warned``: how many of a configuration's runs had a warning concerning each group.

``summary.csv`` counts a policy's runs that warned (:mod:`offloadsim.analysis.warned_columns`);
``groups.csv`` had no such column, so a group's p95 under a "too short to settle" warning read
as any other, though the warning may concern that group alone.  A run's warnings are attributed
to the source groups they concern as the figures attribute them
(:func:`~offloadsim.analysis.warning_groups.warned_groups`); a warning it cannot place (no
facts, no ``source_group`` column) counts for every group, as the figures name every group.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pandas as pd

from offloadsim.analysis.warning_facts import WarningFacts
from offloadsim.analysis.warning_groups import warned_groups

__all__ = ["RunRecords", "with_group_warned"]

#: One run's records for the attribution: its tasks, nodes (None: not kept), measured time and end (s).
RunRecords = tuple[pd.DataFrame, pd.DataFrame | None, float, float | None]


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
) -> pd.DataFrame:
    """``groups`` (a row per group, ``by`` and metric) with ``warned`` added last (a copy).

    ``run_warnings``: the manifest's rows, each naming its run by ``by`` (``policy`` in a
    comparison, ``point`` in a sweep) and ``replication``; ``records(by, replication)`` gives a
    warned run's records, read only where ``groups`` has rows.
    """
    groups = groups.copy()
    if not len(groups):
        groups["warned"] = pd.Series(dtype=int)
        return groups
    per_run: dict[tuple[str, int], list[Mapping[str, Any]]] = {}
    for row in run_warnings:
        per_run.setdefault((str(row[by]), int(row["replication"])), []).append(row)
    counts: dict[str, dict[str | None, int]] = {}
    for (of, replication), rows in per_run.items():
        concerned = _run_groups(rows, records(of, replication))
        tally = counts.setdefault(of, {})
        for group in [None] if concerned is None else concerned:
            tally[group] = tally.get(group, 0) + 1
    keys = zip(groups["group"].astype(str), groups[by].astype(str), strict=True)
    groups["warned"] = [
        counts.get(of, {}).get(None, 0) + counts.get(of, {}).get(group, 0) for group, of in keys
    ]
    return groups
