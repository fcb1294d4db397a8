"""Bare numbers where a unit was surely meant: what the ``plain-*`` checks read, and how they say it.

A bare number is a quantity in its SI unit (docs/scenario-format.md, "Quantities and units"), so
``latency: 20`` is 20 s and ``bandwidth: 20`` is 20 bit/s: values no network of the edge or the
cloud has, whose writer meant "20 ms" and "20 Mbps".  Only the plain document tells a bare number
from a string with a unit (the loaded scenario holds SI numbers either way), so the checks read
``Scenario.document`` and, for a CSV file it names, the file's cells as written.

Where each quantity of :data:`QUANTITIES` is written: a link's own keys (:data:`LINK_KEYS`), and
in each ``dynamics`` entry the places its kind declares by quantity (``quantity_keys``, as the
world's registry gives them through ``CheckedRun.quantity_keys``): a key pattern
(``steps[].latency``), or one followed by ``:COLUMN`` for that column of the CSV file whose path
the key holds (``file:latency``, :func:`~offloadsim.scenario.errors.key_place`).  Nothing here
names a kind.  Each check says which bare numbers of a quantity are suspect, and in which words
(a :class:`Plain`): :mod:`~offloadsim.scenario.latency_check` and
:mod:`~offloadsim.scenario.bandwidth_check`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from offloadsim.scenario.csvdata import first_bare
from offloadsim.scenario.errors import Problem, format_path, key_place, values_at

if TYPE_CHECKING:
    from offloadsim.scenario.checks import CheckedRun

__all__ = ["LINK_KEYS", "QUANTITIES", "Plain", "plain_warnings"]

#: The quantities a ``dynamics`` kind may declare places of (``quantity_keys``), each read by a
#: check: a latency (a time surely under a second), a link's bandwidth (bit/s), a frequency (a
#: radio's band, Hz).
QUANTITIES = ("latency", "bandwidth", "frequency")

#: The keys of a ``links`` entry that hold each quantity, as a kind declares its entries'.
LINK_KEYS: Mapping[str, tuple[str, ...]] = {
    "latency": ("latency",),
    "bandwidth": ("bandwidth", "reverse_bandwidth"),
}

Part = str | int


@dataclass(frozen=True, slots=True)
class Plain:
    """How a check reads one quantity's bare numbers: which are suspect, and what its warning says.

    ``suspect``: whether a bare number (in the SI unit) was surely meant in another unit.  The
    warning reads ``a bare number is read as {read_as}: 20 {unit}, not {instead}; write
    "20 {meant}" if {meant_words} were meant, or "20 {said}" to say {said_words}`` (``a bare
    COLUMN`` for a CSV file's cell, after the file and its line).
    """

    quantity: str
    suspect: Callable[[float], bool]
    read_as: str
    unit: str
    instead: str
    meant: str
    meant_words: str
    said: str
    said_words: str


def plain_warnings(run: CheckedRun, plain: Plain) -> list[Problem]:
    """One warning per suspect bare number of ``plain``'s quantity, at its key path.

    The links' first, then each ``dynamics`` entry's in turn, at its places in the order its kind
    declares them.  A CSV file's column is warned of once, at its first suspect cell, at the key
    that names the file (``dynamics[0].file: uplink.csv, line 4: a bare latency is read as ...``).
    """
    scenario = run.scenario
    warnings = []
    for path, value, cell in _bare_numbers(run, plain):
        shown = f"{value:g}"
        lead = "a bare number" if cell is None else f"{cell[0]}, line {cell[2]}: a bare {cell[1]}"
        warnings.append(
            Problem(
                scenario.source,
                format_path(path),
                f"{lead} is read as {plain.read_as}: {shown} {plain.unit}, not {plain.instead}; "
                f'write "{shown} {plain.meant}" if {plain.meant_words} were meant, '
                f'or "{shown} {plain.said}" to say {plain.said_words}',
            )
        )
    return warnings


#: A bare number found: its key path, its value, and, for a cell of a CSV file, the file as
#: written, the column and the line (None for the document's own value).
_Found = tuple[tuple[Part, ...], float, tuple[str, str, int] | None]


def _bare_numbers(run: CheckedRun, plain: Plain) -> Iterator[_Found]:
    """Each suspect bare number of ``plain``'s quantity: the links', then each ``dynamics`` entry's."""
    document = run.scenario.document
    links = document.get("links")
    for i, link in enumerate(links if isinstance(links, list) else ()):
        yield from _at(run, link, ("links", i), LINK_KEYS.get(plain.quantity, ()), plain.suspect)
    dynamics = document.get("dynamics")
    for i, entry in enumerate(dynamics if isinstance(dynamics, list) else ()):
        kind = entry.get("kind") if isinstance(entry, Mapping) else None
        places = run.quantity_keys(kind).get(plain.quantity, ()) if isinstance(kind, str) else ()
        yield from _at(run, entry, ("dynamics", i), places, plain.suspect)


def _at(
    run: CheckedRun,
    value: Any,
    path: tuple[Part, ...],
    places: Sequence[str],
    suspect: Callable[[float], bool],
) -> Iterator[_Found]:
    """The suspect bare numbers at ``places`` below ``value`` (at ``path``), in the order declared.

    The columns of one file are read in one pass, where the first of them is declared.
    """
    parsed = [key_place(place) for place in places]
    read: set[tuple[str | None, ...]] = set()
    for parts, column in parsed:
        if column is None:
            for at, written in values_at(value, parts, path):
                number = _bare(written)
                if number is not None and suspect(number):
                    yield at, number, None
        elif parts not in read:
            read.add(parts)
            columns = [other for key, other in parsed if key == parts and other is not None]
            yield from _cells(run, value, parts, path, columns, suspect)


def _bare(written: Any) -> float | None:
    """``written`` as a float where it is a bare number; None for anything else.

    A string (with a unit, or refused elsewhere), a boolean, or an integer too large for a
    float, which the kind refuses with its own message.
    """
    if isinstance(written, bool) or not isinstance(written, int | float):
        return None
    try:
        return float(written)
    except OverflowError:
        return None


def _cells(
    run: CheckedRun,
    value: Any,
    parts: tuple[str | None, ...],
    path: tuple[Part, ...],
    columns: Sequence[str],
    suspect: Callable[[float], bool],
) -> Iterator[_Found]:
    """Each of ``columns``' first suspect bare cell in each CSV file named at ``parts``, at its key."""
    folder = run.scenario.base_dir
    for at, shown in values_at(value, parts, path):
        if not isinstance(shown, str) or not shown:
            continue  # refused by the kind, with its own message
        found = first_bare((Path(folder) if folder else Path()) / shown, shown, columns, suspect)
        for column, (line, number) in found.items():
            yield at, number, (shown, column, line)
