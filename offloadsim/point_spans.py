"""Which of a sweep's points a line is of: `` (at 10 Mbps, local)``, said by notes and warnings alike.

A sweep's table names its points by their swept values, not their numbers: a note under it that
said `` (at points 0 and 2)`` named rows the reader could not find.  Notes under the table name a
few points by their values as its rows show them (:func:`points_named`, :func:`point_describer`);
more, compactly by their numbers, with where those are (summary.csv's ``point`` column).  A dry
run lists its points by number, so its notes and warnings name them so (:func:`points_of`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from offloadsim.analysis.values import NO_PARAMETER, shown_value, table_heading
from offloadsim.suggest import listed

__all__ = ["NAMED", "keyed_values", "point_describer", "points_named", "points_of"]

#: The most points a line names by their values; more, by their numbers.
NAMED = 3


def points_of(at: list[int], points: int, most: int = 6) -> str:
    """`` (at points 0-9 and 20-29)``: which of a sweep's ``points`` a dry run's note is of; empty: all.

    ``at``: their indices, ascending.  Consecutive points read as a range; more than ``most``
    ranges, the first ``most`` and a count (`` (at 1,500 of the 3,000 points: 0-9, ..., 50-59, ...)``).
    """
    if len(at) == points:
        return ""
    spans: list[list[int]] = []
    for i in at:
        if spans and i == spans[-1][1] + 1:
            spans[-1][1] = i
        else:
            spans.append([i, i])
    said = [said for a, b in spans for said in ([f"{a}-{b}"] if b > a + 1 else map(str, range(a, b + 1)))]
    if len(said) > most:
        return f" (at {len(at):,} of the {points:,} points: {', '.join(said[:most])}, ...)"
    return f" (at point{'s' if len(at) > 1 else ''} {listed(said)})"


def points_named(at: list[int], points: int, described: Callable[[int], str] | None) -> str:
    """`` (at 10 Mbps, local; 50 Mbps, local)``: the ``points`` a line under a sweep's table is of; "": all.

    ``described(point)``: a point as the table's row names it (:func:`point_describer`).  Points that
    are every point of some values of one key are said so (`` (at every point of int8)``), with
    the key as the table's column names it where a value does not say what it is of (a bare
    number, a boolean, ``–``): `` (at every point with phone (count) 10 or 100)``, where
    `` (at every point of 10 and 100)`` named no key; else up to :data:`NAMED` by their values,
    points whose values hold a comma parted by ``;``.  None, or more: by their numbers
    (:func:`points_of`), saying where those are.

    >>> points_named([1], 4, {1: "local"}.get)
    ' (at local)'
    >>> points_named([0, 2], 4, {0: "5 Mbps, edge", 2: "9 Mbps, edge"}.get)
    ' (at 5 Mbps, edge; 9 Mbps, edge)'
    >>> points_named([0, 1, 3, 4], 6, str)
    " (at points 0, 1, 3 and 4 of summary.csv's point column)"
    """
    if len(at) == points:
        return ""
    if described is None:
        return points_of(at, points)
    if len(at) > 1 and isinstance(described, PointNames):
        heading, values = described.values_of(at)
        if values and all(map(_reads_alone, values)):
            return f" (at every point of {listed(values)})"
        if values:
            return f" (at every point with {heading} {listed(values, 'or')})"
    if len(at) > NAMED:
        return points_of(at, points)[:-1] + " of summary.csv's point column)"
    said = [described(p) for p in at]
    return f" (at {'; '.join(said) if any(', ' in s for s in said) else listed(said)})"


def keyed_values(headings: Sequence[str], values: Sequence[str]) -> str:
    """``phone (count) 100, local``: a point's values, each that does not say what it is of after its heading.

    A bare ``100`` named no key: one point of a sweep over ``nodes.phone.count`` was said
    `` (at 100)``.  ``headings``: the table's column headings of the swept keys, in ``values``' order.

    >>> keyed_values(["phone (count)", "policy"], ["100", "local"])
    'phone (count) 100, local'
    >>> keyed_values(["bandwidth", "policy"], ["10 Mbps", "local"])
    '10 Mbps, local'
    """
    return ", ".join(v if _reads_alone(v) else f"{h} {v}" for h, v in zip(headings, values, strict=True))


def _reads_alone(value: str) -> bool:
    """Whether a swept value's text says what it is of: ``int8``, ``10 Mbps``; not ``10``, ``true``, ``–``.

    >>> [_reads_alone(v) for v in ("int8", "10 Mbps", "10", "1,000", "2.5e-3", "true", "–", "null")]
    [True, True, False, False, False, False, False, False]
    """
    if value in ("true", "false", "null", NO_PARAMETER):
        return False
    try:
        float(value.replace(",", ""))
    except ValueError:
        return True
    return False


class PointNames:
    """A sweep's points as its table's rows name them: their swept values, a policy parameter's null ``–``.

    ``frame``: a table of the sweep's runs or points (``point``, each swept key's column, and
    ``policy``, the label a swept ``policy.name`` is shown by); ``labels``: how the figures name
    each swept key (the manifest's ``labels``), of which the table's column headings are made.
    """

    def __init__(self, frame: Any, swept: Sequence[str], labels: Mapping[str, str] | None = None) -> None:
        firsts = frame.drop_duplicates("point").set_index("point")
        labelled = "policy" in firsts.columns  # a swept policy.name is shown by its label
        columns = ["policy" if key == "policy.name" and labelled else key for key in swept]
        named = labels or {}
        self._headings = [
            table_heading(key, firsts[column].tolist(), named.get(key))
            for key, column in zip(swept, columns, strict=True)
        ]
        self._values = {
            int(point): tuple(
                shown_value(key, row[column]) for key, column in zip(swept, columns, strict=True)
            )
            for point, row in firsts.iterrows()
        }

    def __call__(self, point: int) -> str:
        """``10 Mbps, local``: its values as its row's cells, a bare one keyed (:func:`keyed_values`)."""
        return keyed_values(self._headings, self._values[point])

    def values_of(self, at: list[int]) -> tuple[str, list[str]]:
        """The values of one key whose points are exactly ``at``, with its heading; ``("", [])``: none.

        The heading is the table's column's (``phone (count)``).
        The fewest such values, and of as few, those that read alone (:func:`_reads_alone`):
        ``local`` rather than its parameter's ``–``.
        """
        best: tuple[int, bool] | None = None
        heading, found = "", []
        for i, column in enumerate(self._headings):
            values = list(dict.fromkeys(self._values[p][i] for p in at))
            alike = {p for p, row in self._values.items() if row[i] in values}
            rank = (len(values), not all(map(_reads_alone, values)))
            if alike == set(at) and (best is None or rank < best):
                best, heading, found = rank, column, values
        return heading, found


def point_describer(frame: Any, swept: Sequence[str], labels: Mapping[str, str] | None = None) -> PointNames:
    """:class:`PointNames` of a sweep's ``frame`` (its runs' or points' table), ``swept`` keys, ``labels``."""
    return PointNames(frame, swept, labels)
