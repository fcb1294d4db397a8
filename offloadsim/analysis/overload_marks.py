"""Overloaded runs marked in the tables themselves: a ``†`` on the row or column, one footnote line.

A run whose queue grew all run (the backlog, busy-all-run and offered-overload warnings: the
kinds registered with ``overload=True``; not a full queue's drops, which a bounded queue settles
with) never reached a steady state, and its mean
latency depends on how long it ran.  The warning was printed, but the run's table, compare's column
and sweep's row read as steady as any other, so a reader could quote one.  The tables mark them
(:data:`OVERLOAD_MARK`) with one footnote line naming the warnings and, where only some of the
runs were, how many; the CSVs get a boolean ``overloaded``
(:func:`~offloadsim.analysis.warned_columns.with_warning_columns`).  Read from the kinds each run's
warnings are of (``metrics.parquet``'s ``warnings``), so a result written before the mark reads
marked too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from offloadsim.analysis.warning_facts import WarningFacts
from offloadsim.analysis.warning_list import kind_named, registered_kinds
from offloadsim.field_values import FieldValues

__all__ = [
    "OVERLOAD_MARK",
    "Overloaded",
    "overload_kinds",
    "overload_groups_said",
    "overloaded_runs",
    "runs_footnote",
    "run_footnote",
]

#: The mark on an overloaded run's numbers (the footnote under the table opens with it).
OVERLOAD_MARK = "†"

#: The marked rows or columns the line under a table names (each with its count of runs), at most.
_NAMED = 4


@dataclass(frozen=True, eq=False, repr=False)
class Overloaded(FieldValues):
    """How many of a row's ``runs`` were overloaded, and the kinds of overload warning they gave."""

    count: int
    runs: int
    kinds: tuple[str, ...]


def overload_kinds(kinds: Iterable[str]) -> list[str]:
    """Those of ``kinds`` (warning kinds' names) registered as saying overload, once each, in order."""
    rank = {kind.name: i for i, kind in enumerate(registered_kinds())}
    said = [kind for kind in set(kinds) if (found := kind_named(kind)) is not None and found.overload]
    return sorted(said, key=lambda kind: rank[kind])


def overload_groups_said(facts: Iterable[WarningFacts]) -> frozenset[str] | None:
    """The source groups one run's overload warnings concern, as their ``facts`` say (their ``groups``).

    None where one of them says none (one group, a result written before they did, or one that
    concerns the whole run): every group.  Empty where the run gave no overload warning.
    """
    found: set[str] = set()
    for one in facts:
        if not overload_kinds([one.kind]):
            continue
        if one.groups is None:
            return None
        found.update(one.groups)
    return frozenset(found)


def overloaded_runs(metrics: Any, by: str) -> dict[str, Overloaded]:
    """Per value of ``by`` (``policy``, ``point``) in the per-run table ``metrics``: its overloaded runs.

    Read from ``metrics``' ``warnings`` (each run's warning kinds, comma separated); a table without
    it (none warned, or none kept) has none.  Only the values some run of which was overloaded.
    """
    if "warnings" not in getattr(metrics, "columns", ()) or not len(metrics):
        return {}
    runs: dict[str, int] = {}
    over: dict[str, list[list[str]]] = {}
    for value, said in zip(metrics[by].astype(str), metrics["warnings"].fillna(""), strict=True):
        runs[value] = runs.get(value, 0) + 1
        kinds = overload_kinds(k.strip() for k in str(said).split(",") if k.strip())
        if kinds:
            over.setdefault(value, []).append(kinds)
    return {
        value: Overloaded(len(found), runs[value], tuple(overload_kinds(k for ks in found for k in ks)))
        for value, found in over.items()
    }


def runs_footnote(
    marked: Mapping[str, Overloaded], of: str = "", beyond: Iterable[Overloaded] = ()
) -> str | None:
    """The line under a compare's or sweep's table: ``† overloaded (backlog warning): 2 of 5 runs of edge``.

    ``marked``: each marked column's or row's label (``edge``, ``1.5 /s``) with its overloaded runs;
    ``of``: what a label is said of (``"of "`` for a policy, ``"at "`` for a point); ``beyond``: the
    overloaded runs of the points past a sweep's printed rows, counted apart (no row shown carries
    their mark: ``summary.csv``'s ``overloaded`` does).  None where none is.

    >>> over = Overloaded(1, 2, ("backlog",))
    >>> runs_footnote({"1 /s": over}, "at ", [over, over]).split(": ")[1]
    "1 of 2 runs at 1 /s; 2 more overloaded points beyond the table (summary.csv's overloaded)"
    """
    past = list(beyond)
    if not marked and not past:
        return None
    kinds = overload_kinds(k for found in [*marked.values(), *past] for k in found.kinds)
    named = list(marked.items())
    # A label with a comma of its own (a point of two swept keys, "2 /s, 4"; a policy entry's list)
    # would run into the next: "runs at 2 /s, 4, 3 of 3 runs at 2 /s, 5" read as one point of three.
    sep = "; " if any(", " in label for label, _ in named) else ", "
    parts = sep.join(f"{found.count} of {found.runs} runs {of}{label}" for label, found in named[:_NAMED])
    if len(named) > _NAMED:  # a sweep's many points: the rows say which, summary.csv how many runs
        parts += f"{sep}and {len(named) - _NAMED} more marked"
    if past:  # rows the table does not print: said apart, not counted among the marked rows
        more = f"{len(past)} {'more ' if named else ''}overloaded point{'s' if len(past) > 1 else ''}"
        parts = f"{parts}; " if parts else "none of the rows shown; "
        parts += f"{more} beyond the table (summary.csv's overloaded)"
    return (
        f"{OVERLOAD_MARK} overloaded ({_kinds_text(kinds)}; see the notes): {parts}: "
        "no steady state, so those means depend on how long the runs ran"
    )


def run_footnote(kinds: Iterable[str]) -> str | None:
    """The line under a run's table naming its overload warnings (None: it gave none)."""
    said = overload_kinds(kinds)
    if not said:
        return None
    return (
        f"{OVERLOAD_MARK} overloaded ({_kinds_text(said)}: see below): no steady state, "
        "so the marked numbers depend on how long the run ran"
    )


def _kinds_text(kinds: list[str]) -> str:
    return f"{', '.join(kinds)} warning{'s' if len(kinds) > 1 else ''}"
