"""``groups.csv``'s ``warned``: how many of a configuration's runs had a warning concerning each group.

``summary.csv`` counts a policy's runs that warned (:mod:`offloadsim.analysis.warned_columns`);
``groups.csv`` had no such column, so a group's p95 under a "too short to settle" warning read
as any other, though the warning may concern that group alone.  A run's warnings are attributed
to the source groups they concern as the figures attribute them
(:func:`~offloadsim.analysis.warning_groups.warned_groups`); a warning it cannot place (no
facts, no ``source_group`` column) counts for every group, as the figures name every group.
Each warning's groups are worked out where the run's result is built (:func:`placed_facts`) and
carried with it; the records of a run whose result does not carry them (a sweep job's file from
before) are read back here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Literal

from offloadsim.analysis.group_tally import Placer
from offloadsim.analysis.overload_marks import overload_kinds
from offloadsim.analysis.warning_facts import WarningFacts
from offloadsim.analysis.warning_groups import warned_groups
from offloadsim.analysis.warning_list import warning_kind

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "EVERY",
    "RunRecords",
    "WarnedGroups",
    "overload_concerned",
    "overload_groups",
    "overload_warned",
    "placed_facts",
    "warned_counts",
    "with_group_warned",
]

#: One run's records for the attribution: its tasks, nodes (None: not kept), measured time and end (s).
RunRecords = tuple["pd.DataFrame", "pd.DataFrame | None", float, float | None]

#: The groups one run's warnings concern, as a run's result carries them: their names, or every group.
EVERY: Literal["every"] = "every"
WarnedGroups = tuple[str, ...] | Literal["every"]


def _run_groups(rows: Sequence[Mapping[str, Any]], records: RunRecords) -> set[str] | None:
    """The groups any of one run's warnings concern; None: every group (one it cannot place)."""
    return _concerned_groups(
        [WarningFacts.from_dict(row["facts"], "run_warnings") if "facts" in row else None for row in rows],
        lambda one: warned_groups(one, *records),
    )


def _concerned_groups(facts: Iterable[WarningFacts | None], place: Placer) -> set[str] | None:
    """The groups any of one run's warnings (each its ``facts``, None: kept without) concern.

    None: every group, where one cannot be placed (:func:`~offloadsim.analysis.warning_groups.warned_groups`).
    """
    found: set[str] = set()
    for one in facts:
        groups = place(one)
        if groups is None:
            return None
        found |= groups
    return found


def placed_facts(facts: Iterable[WarningFacts], place: Placer) -> tuple[WarningFacts, ...]:
    """One run's warnings' ``facts``, each with the source groups it concerns (``groups``) where placed.

    ``place``: what places one warning from the run's records
    (:func:`~offloadsim.analysis.group_tally.run_placer`, a chunk of its records at a time).
    Worked out once, from the run's records, where they are at hand (the run's result, a job), so
    that a summary, a comparison's or sweep's manifest and a job file say which groups each warning
    concerns and the tables mark only those (:meth:`WarningFacts.groups`); one that cannot be placed
    (:func:`~offloadsim.analysis.warning_groups.warned_groups`) is kept as it is: every group.
    """
    placed = []
    for one in facts:
        found = place(one)
        placed.append(one if found is None else replace(one, groups=tuple(sorted(found))))
    return tuple(placed)


def overload_warned(run_warnings: Iterable[Mapping[str, Any]], by: str) -> dict[str, dict[str, int] | None]:
    """Per value of ``by`` (``policy``, ``point``): its runs with an overload warning concerning each group.

    Read from the manifest's ``run_warnings`` rows, each warning's facts' ``groups``
    (:func:`placed_facts`).  A value some of whose runs' overload warnings carry no groups (a
    result written before they did, or one that concerns the whole run) is None: not known, and
    the tables mark every group of it as they did.  Only the values some run of which warned.
    """
    counts: dict[str, dict[str, int] | None] = {}
    per_run: dict[tuple[str, int], set[str] | None] = {}
    for row in run_warnings:
        facts = WarningFacts.from_dict(row["facts"], "run_warnings") if "facts" in row else None
        if not overload_kinds([warning_kind(str(row.get("warning", "")), facts)]):
            continue
        run = (str(row[by]), int(row["replication"]))
        known = per_run.setdefault(run, set())
        if facts is None or facts.groups is None or known is None:
            per_run[run] = None
        else:
            known |= set(facts.groups)
    for (of, _), groups in per_run.items():
        tally = counts.setdefault(of, {})
        if groups is None or tally is None:
            counts[of] = None
            continue
        for group in groups:
            tally[group] = tally.get(group, 0) + 1
    return counts


def overload_groups(facts: Iterable[WarningFacts], place: Placer) -> set[str] | None:
    """The groups one run's overload warnings (of the kinds registered ``overload``) concern.

    Those whose tasks had a stage on a node such a warning names (or, the backlog's, whose own tasks
    piled up); None where one cannot be placed: every group, as the run's overload marks them.
    """
    return _concerned_groups([one for one in facts if overload_kinds([one.kind])], place)


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
    result says its warnings concern (:func:`placed_facts`' groups, :data:`EVERY` where one was not
    placed), by (``by``, replication);
    ``records(by, replication)`` gives the records of a warned run that carries none, read only
    where ``groups`` has rows of its ``by``.
    """
    import pandas as pd  # a run's result places its warnings without it (group_tally)

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


def warned_counts(groups: Any, by: str) -> dict[tuple[str, str], int] | None:
    """``groups``' ``warned`` per (value of ``by``, group): its runs with a warning concerning the group.

    None where ``groups`` has no ``warned`` (one written before it): not known.
    """
    if groups is None or "warned" not in getattr(groups, "columns", ()):
        return None
    keys = zip(groups[by].astype(str), groups["group"].astype(str), groups["warned"], strict=True)
    found: dict[tuple[str, str], int] = {}
    for of, group, warned in keys:
        found[(of, group)] = max(found.get((of, group), 0), int(warned))
    return found


def overload_concerned(
    groups: Any, run_warnings: Iterable[Mapping[str, Any]], by: str
) -> dict[tuple[str, str], int | None]:
    """Per (value of ``by``, group) of ``groups``: its runs with an overload warning concerning the group.

    As the overload warnings' facts say (:func:`overload_warned`); where they do not (a result
    written before), ``groups``' ``warned``, the runs with any warning concerning it, as before
    (None: not known either).  What marks a group's numbers ``†`` in compare's and sweep's tables:
    a settling warning about one group's phones, or the backlog of another's, no longer marks it.
    """
    warned = warned_counts(groups, by)
    over = overload_warned(run_warnings, by)
    found: dict[tuple[str, str], int | None] = {}
    for of, group in zip(groups[by].astype(str), groups["group"].astype(str), strict=True):
        counted = over.get(of, {})
        if counted is not None:
            found[(of, group)] = counted.get(group, 0)
        else:
            found[(of, group)] = None if warned is None else warned.get((of, group), 0)
    return found
