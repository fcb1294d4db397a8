"""Read the CSV files a scenario points to: empirical samples, arrival traces and time series.

Errors name the file as the scenario wrote it and the line, so the loader
can prefix the scenario key: ``workload[0].trace: trace.csv, line 7: ...``.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import chain, compress, count, repeat
from pathlib import Path

import numpy as np

from offloadsim.bounded_read import MAX_TABLE_BYTES, InputFileError, not_utf8, read_text
from offloadsim.scenario.errors import describe
from offloadsim.scenario.timestamps import looks_like_timestamp, seconds_from
from offloadsim.scenario.units import NUMBER, QUANTITIES, UnitError, parse_quantity, unit_factor
from offloadsim.suggest import counted, did_you_mean_file, did_you_mean_key, did_you_mean_name, quoted

__all__ = [
    "CsvProblem",
    "OutageStep",
    "Room",
    "Series",
    "SeriesRoom",
    "TraceRows",
    "first_bare",
    "named_column",
    "read_outages",
    "read_positions",
    "read_samples",
    "read_series",
    "read_trace",
    "separator_hint",
]


# Characters of a plain table's rows split into cells at a time (a few MB of strings at most): the
# cells of a long file as Python strings were some 60 bytes a cell, the most of a reading's peak.
_CHUNK_CHARS = 1 << 20


class CsvProblem(ValueError):
    """A CSV file is missing or malformed; the message names the file and line."""


#: What a reader asks before reading a file's rows: given the most rows its lines can hold, the
#: refusal of holding them (the memory they would need, :func:`~offloadsim.scenario.refusal.
#: rows_refusal`), or None.
Room = Callable[[int], str | None]


#: What :func:`read_series` asks: given the most rows and the value columns its header names (the
#: time's aside; every column it may name where no header is found in the first lines), the refusal
#: of holding them, or None.  A row of four values takes twice a row of one.
SeriesRoom = Callable[[int, int], str | None]

#: Lines looked through for a table's header, past blank and comment lines (``#``).
_HEADER_SEARCH = 100

#: What a table's columns are separated by in place of the comma: a spreadsheet's export in a
#: locale whose decimal mark is the comma (``;``), a TSV file, a Markdown-like table.
_OTHER_SEPARATORS = (";", "\t", "|")


def separator_hint(row: Sequence[str]) -> str:
    """`` (columns are separated by commas, not ';')`` where ``row``, one cell, holds another separator.

    Else ``""``.  Every reader of a scenario's tables ends its line about a header or a row
    it cannot read with it: ``time;bandwidth`` is one column named so, which said nothing of why.

    >>> separator_hint(["time;source"]), separator_hint(["time", "source"]), separator_hint(["1.5"])
    (" (columns are separated by commas, not ';')", '', '')
    """
    if len(row) != 1:
        return ""
    other = next((separator for separator in _OTHER_SEPARATORS if separator in row[0]), None)
    return f" (columns are separated by commas, not {other!r})" if other else ""


def _empty_name_hint(name: str) -> str:
    """`` (a comma ends the header line, or two stand together)`` for a header's empty cell; else ``""``.

    A spreadsheet's export with a comma after the last column was refused as ``unknown column ""``,
    which did not say where the empty name came from.
    """
    return "" if name else " (a comma ends the header line, or two stand together)"


def _check_room(text: str, room: Room | None, header: bool = True) -> None:
    """Ask ``room`` about the rows ``text``'s lines can hold (a header's line less); raise its refusal.

    Before any row is read: read, a row takes some 40 to 100 bytes (size.py's SAMPLE_BYTES and the
    rest), where a file of tiny rows (``0``) takes 2, so the size bound (256 MiB) alone let through
    files that would need 1.6 GB (positions, 8 bytes a row at least) to 8.7 GB (a trace), found
    only after a minute or more of reading, as a MemoryError (exit 1).  Counting the lines of a
    file of 256 MiB takes half a second.
    """
    if room is None:
        return
    lines = text.count("\n") + (not text.endswith("\n"))
    refusal = room(max(0, lines - header))
    if refusal is not None:
        raise CsvProblem(refusal)


def read_samples(path: Path, shown: str, kind: str, room: Room | None = None) -> list[float]:
    """Values of the file's single column, in SI units of ``kind``; a non-numeric first row is a header.

    A header may state the column's unit (``latency [ms]``), which its bare cells are then read
    in, as :func:`_header_units` says: a header's unit was once passed over with the header, and
    ``10`` under ``latency [ms]`` read as 10 s.

    A plain column is read at once (:func:`_samples_at_once`); any other, and any with a bad
    cell, row by row, whose error names the first bad row's line.  ``room``: asked first, with
    every line as a row (the header is optional), as :func:`_check_room` says.
    """
    text = _read(path, shown)
    _check_room(text, room, header=False)
    values = _samples_at_once(text, kind)
    return values if values is not None else _samples_row_by_row(text, shown, kind)


def _samples_at_once(text: str, kind: str, chunk_chars: int = _CHUNK_CHARS) -> list[float] | None:
    """:func:`read_samples` of a plain column at once; None where the row-by-row reading must say.

    As :func:`_series_at_once`: each value is the float the row-by-row reading gives, checked as
    it checks it, a chunk of rows at a time.  Row by row, a value with a unit took about 14 us
    (2,000,000 samples, 20 MB: 27.5 s to validate, 8.1 s now; a file of 256 MiB, the most read,
    some 6 minutes).
    """
    table = _plain_chunks(text, chunk_chars)
    if table is None or len(table.names) != 1:
        return None
    chunks = table.chunks
    factor = 1.0
    if _looks_numeric(table.names[0]):  # no header: the first line is a value, as written
        chunks = chain([[table.header]], chunks)
    else:
        try:
            factor = _sample_factor(table.header, kind, "")
        except CsvProblem:
            return None
    parts = []
    try:
        for cells in chunks:
            column = _column(cells, kind, factor)
            if column is None:
                return None
            parts.append(column)
    except _NotPlain:
        return None
    values = np.concatenate(parts)
    del parts  # the chunks' arrays go before the floats come
    return values.tolist()


def _samples_row_by_row(text: str, shown: str, kind: str) -> list[float]:
    """:func:`read_samples` a row at a time: each value through :func:`_value`, the first problem raised."""
    values: list[float] = []
    factor = 1.0
    for number, (line, row) in enumerate(_text_rows(text, shown)):
        if len(row) != 1:
            raise CsvProblem(f"{shown}, line {line}: expected one column of values, got {len(row)}")
        cell = row[0].strip()
        if number == 0 and not _looks_numeric(cell):
            factor = _sample_factor(cell, kind, f"{shown}, line {line}")
            continue  # a header
        try:
            values.append(_value(cell, kind, shown, line, "", factor))
        except CsvProblem as problem:
            raise CsvProblem(f"{problem}{separator_hint(row)}") from None
    if not values:
        raise CsvProblem(f"{shown}: no values (expected one column of {QUANTITIES[kind].name} values)")
    return values


#: The columns of an arrival trace whose cells are names, on which a header's unit is refused.
_TRACE_NAMED = ("source",)


def _sample_factor(header: str, kind: str, where: str) -> float:
    """The factor to SI of the unit a samples file's ``header`` states (1 where it states none).

    Its one column may have any name: the name is given the field's ``kind``.
    """
    name = named_column(header)[0]
    return _header_units([header], {name: kind}, where)[1].get(name, 1.0)


@dataclass(frozen=True, slots=True)
class TraceRows:
    """An arrival trace as read (what :func:`read_trace` returns), by column."""

    times: Sequence[float]  # s, non-decreasing
    sources: Sequence[str | None] | None  # each row's source, None for every source; None: no such column
    lines: Sequence[int]  # each row's line in the file


def read_trace(path: Path, shown: str, room: Room | None = None) -> TraceRows:
    """The rows of a trace with columns ``time`` and optional ``source``: their times, sources and lines.

    Times are seconds (or strings with a time unit; ``time (ms)`` reads bare ones in milliseconds,
    as :func:`_header_units` says), non-negative and sorted;
    an empty or absent ``source`` means the row applies to every source.
    Other columns are ignored; ``time`` or ``source`` given twice is refused.  A plain
    table is read a column at a time (:func:`_trace_at_once`); any other, and any
    table with a bad cell, row by row, whose error names the first bad row's line.

    ``room``: asked before any row is read (:func:`_check_room`); its refusal is raised as the
    file's :class:`CsvProblem`.
    """
    text = _read(path, shown)
    _check_room(text, room)
    rows = _trace_at_once(text)
    return rows if rows is not None else _trace_row_by_row(text, shown)


def _trace_row_by_row(text: str, shown: str) -> TraceRows:
    """:func:`read_trace` a row at a time: each time through :func:`_value`, the first problem raised."""
    rows = _text_rows(text, shown)
    header = next(rows, None)
    if header is None:
        raise CsvProblem(f'{shown}: the file is empty; expected a header row with a "time" column')
    names, factors = _header_units(header[1], {}, f"{shown}, line {header[0]}", _TRACE_NAMED)
    if "time" not in names:
        raise CsvProblem(
            f'{shown}, line {header[0]}: expected a header row with a "time" column, got {header[1]}'
            + separator_hint(header[1])
        )
    for name in ("time", "source"):
        if names.count(name) > 1:  # which one the rows' times or sources are would be a guess
            given = f"column {quoted(name)} is given {names.count(name)} times"
            raise CsvProblem(f"{shown}, line {header[0]}: {given}; expected it once")
    time_at = names.index("time")
    source_at = names.index("source") if "source" in names else None
    times: list[float] = []
    sources: list[str | None] = []
    lines: list[int] = []
    previous = 0.0
    for line, row in rows:
        if len(row) != len(names):
            raise CsvProblem(
                f"{shown}, line {line}: expected {counted(len(names), 'column')} like the header, "
                f"got {len(row)}" + separator_hint(row)
            )
        time = _value(row[time_at].strip(), "time", shown, line, "", factors.get("time", 1.0))
        if time < previous:
            raise CsvProblem(
                f"{shown}, line {line}: time {time:g} s is before the previous row's {previous:g} s "
                "(the trace must be sorted by time)"
            )
        previous = time
        times.append(time)
        lines.append(line)
        if source_at is not None:
            sources.append(row[source_at].strip() or None)
    if not times:
        raise CsvProblem(f"{shown}: no rows after the header")
    return TraceRows(times, sources if source_at is not None else None, lines)


def _trace_at_once(text: str, chunk_chars: int = _CHUNK_CHARS) -> TraceRows | None:
    """:func:`read_trace` of a plain table a column at a time; None where the row-by-row reading must say.

    As :func:`_series_at_once`: each time is the float the row-by-row reading gives, checked as it
    checks it, with numpy, and a trace it would refuse (or this reading cannot vouch for) is left
    to it.  A trace of millions of rows, once 3 us and some 190 bytes a row in Python objects (a
    file of 256 MiB, the most read, took minutes and more memory than most machines have), is
    read in a fraction of that.  Equal sources share one string.
    """
    table = _plain_chunks(text, chunk_chars)
    if table is None:
        return None
    try:
        names, factors = _header_units(table.header.split(","), {}, "", _TRACE_NAMED)
    except CsvProblem:
        return None
    if names.count("time") != 1 or names.count("source") > 1:
        return None
    time_at, width = names.index("time"), len(names)
    source_at = names.index("source") if "source" in names else None
    parts = []
    sources: list[str | None] = []
    shared: dict[str, str] = {}
    try:
        for cells in table.chunks:
            column = _column(cells[time_at::width], "time", factors.get("time", 1.0))
            if column is None:
                return None
            parts.append(column)
            if source_at is not None:
                sources += [
                    shared.setdefault(cell, cell) or None for cell in map(str.strip, cells[source_at::width])
                ]
    except _NotPlain:
        return None
    times = np.concatenate(parts)
    del parts
    if not bool(np.all(times[1:] >= times[:-1])):
        return None
    lines = range(table.first_line, table.first_line + len(times))
    return TraceRows(times.tolist(), sources if source_at is not None else None, lines)


@dataclass(frozen=True, slots=True)
class Series:
    """A time series read from a CSV file, by column (what :func:`read_series` returns)."""

    columns: tuple[str, ...]  # the value columns the header gives, in the order of read_series' kinds
    lines: Sequence[int]  # each row's line in the file
    times: tuple[float, ...]  # s, strictly increasing
    values: tuple[tuple[float, ...], ...]  # values[c][i]: column c's value in row i, SI


def read_series(path: Path, shown: str, kinds: Mapping[str, str], room: SeriesRoom | None = None) -> Series:
    r"""A time series: a ``time`` column and some of the value columns ``kinds`` names (their unit kinds).

    Returns the value columns the header gives (in ``kinds``' order), each
    row's line, its time and its values.  Times strictly increase; every cell
    is a non-negative number in SI units, or a string with a unit of its kind;
    a header may state its column's unit (``bandwidth [Mbps]``, ``time (ms)``:
    :func:`_header_units`), which its bare cells are then read in.
    An unknown column is refused (with a did-you-mean).  A plain table is read
    a column at a time (:func:`_series_at_once`); any other, and any table with
    a bad cell, row by row, whose error names the first bad row's line.  ``room``: asked first
    (:func:`_check_room`), with the value columns the header names (:func:`_header_values`).

    >>> import tempfile, pathlib
    >>> folder = tempfile.TemporaryDirectory()
    >>> file = pathlib.Path(folder.name) / "rate.csv"
    >>> _ = file.write_text("time,bandwidth\n0,5 Mbps\n2.5,1e6\n")
    >>> read_series(file, "rate.csv", {"bandwidth": "bandwidth", "latency": "time"})
    Series(columns=('bandwidth',), lines=range(2, 4), times=(0.0, 2.5), values=((5000000.0, 1000000.0),))
    >>> _ = file.write_text("time (ms),bandwidth [Mbps]\n0,5\n2500,1000000 bps\n")
    >>> read_series(file, "rate.csv", {"bandwidth": "bandwidth", "latency": "time"})
    Series(columns=('bandwidth',), lines=range(2, 4), times=(0.0, 2.5), values=((5000000.0, 1000000.0),))
    >>> folder.cleanup()
    """
    text = _read(path, shown)
    if room is not None:
        values = _header_values(text, kinds)
        _check_room(text, lambda rows: room(rows, values))
    series = _series_at_once(text, kinds)
    return series if series is not None else _series_row_by_row(text, shown, kinds)


def _header_values(text: str, kinds: Mapping[str, str]) -> int:
    """The columns of ``kinds`` the table's header (its first line neither blank nor a comment) names.

    At least one; all of ``kinds`` where no header is in the first :data:`_HEADER_SEARCH` lines.
    Before any row is read, for what its rows will hold: a file of comments only is not walked.
    """
    start = 0
    for _ in range(_HEADER_SEARCH):
        end = text.find("\n", start)
        line = text[start:] if end < 0 else text[start:end]
        if line.strip() and not line.lstrip().startswith("#"):
            names = {named_column(cell.strip().strip('"'))[0] for cell in line.split(",")}
            return max(1, len(names.intersection(kinds)))
        if end < 0:
            break
        start = end + 1
    return len(kinds)


#: A header cell stating its column's unit: the name, then the unit in brackets or parentheses.
#: A string: re compiles (and caches) it at first use, not at import (issue 12 e).
_STATED_UNIT = r"^(.*?\S)\s*(?:\[([^\[\]]*)\]|\(([^()]*)\))$"


def named_column(cell: str) -> tuple[str, str | None]:
    """A header cell's column name (stripped, in lower case) and the unit it states (None: none).

    >>> named_column(" Bandwidth [Mbps] "), named_column("time (ms)"), named_column("latency")
    (('bandwidth', 'Mbps'), ('time', 'ms'), ('latency', None))
    """
    match = re.match(_STATED_UNIT, cell.strip())
    if match is None:
        return cell.strip().lower(), None
    unit = match[2] if match[2] is not None else match[3]
    return match[1].lower(), unit.strip()


def _header_units(
    cells: Sequence[str], kinds: Mapping[str, str], where: str, named: Sequence[str] = ()
) -> tuple[list[str], dict[str, float]]:
    """A table's header ``cells``: each column's name, and the factor to SI of each that states a unit.

    A drive test's ``bandwidth [Mbps]`` (or ``(Mbps)``) reads each bare cell of its column in Mbit/s;
    a cell with its own unit keeps it.  Every table a scenario reads (link traces, arrival traces,
    positions, empirical samples) takes its header's units here, so each reads them alike.  A unit
    the column's kind (``kinds``', else ``time``'s for ``time``) does not take is refused, ``where``
    (the file and line) and the column named, and so is any unit on a column of ``named`` (a
    trace's ``source``, a position's ``node``: names, not quantities); another column is left to
    the caller, which refuses or ignores it.
    """
    names, factors = [], {}
    for cell in cells:
        name, unit = named_column(cell)
        names.append(name)
        if unit is not None and name in named:
            raise CsvProblem(f"{where}: column {quoted(cell.strip())}: expected no unit: its cells are names")
        kind = kinds.get(name, "time" if name == "time" else None)
        if unit is None or kind is None:
            continue
        try:
            factors[name] = unit_factor(unit, kind)
        except UnitError as error:
            raise CsvProblem(f"{where}: column {quoted(cell.strip())}: {error}") from None
    return names, factors


def _series_row_by_row(text: str, shown: str, kinds: Mapping[str, str]) -> Series:
    """:func:`read_series` a row at a time: each cell through :func:`_value`, the first problem raised."""
    rows = _text_rows(text, shown)
    header = next(rows, None)
    wanted = f'a header row with a "time" column and some of {", ".join(kinds)}'
    if header is None:
        raise CsvProblem(f"{shown}: the file is empty; expected {wanted}")
    line, cells = header
    names, factors = _header_units(cells, kinds, f"{shown}, line {line}")
    for name in names:
        if name != "time" and name not in kinds:
            hint = separator_hint(cells) or _empty_name_hint(name) or did_you_mean_key(name, ("time", *kinds))
            raise CsvProblem(f"{shown}, line {line}: unknown column {quoted(name)}{hint}; expected {wanted}")
    present = tuple(name for name in kinds if name in names)
    if "time" not in names or not present or len(set(names)) != len(names):
        raise CsvProblem(f"{shown}, line {line}: expected {wanted} (each once), got {cells}")
    time_at = names.index("time")
    value_at = [names.index(name) for name in present]
    held = [kinds[name] for name in present]
    said = [name if ["time", *held].count(kinds[name]) > 1 else "" for name in present]  # a column's name
    time_said = "time" if "time" in held else ""  # where its kind alone does not say which
    lines: list[int] = []
    times: list[float] = []
    values: list[tuple[float, ...]] = []
    for line, row in rows:
        if len(row) != len(names):
            raise CsvProblem(
                f"{shown}, line {line}: expected {counted(len(names), 'column')} like the header, "
                f"got {len(row)}" + separator_hint(row)
            )
        time = _value(row[time_at].strip(), "time", shown, line, time_said, factors.get("time", 1.0))
        if times and time <= times[-1]:
            raise CsvProblem(
                f"{shown}, line {line}: time {time:g} s does not come after the previous row's "
                f"{times[-1]:g} s (times must increase)"
            )
        columns = zip(present, value_at, said, strict=True)
        values.append(
            tuple(
                _value(row[at].strip(), kinds[name], shown, line, of, factors.get(name, 1.0))
                for name, at, of in columns
            )
        )
        lines.append(line)
        times.append(time)
    if not times:
        raise CsvProblem(f"{shown}: no rows after the header")
    return Series(present, tuple(lines), tuple(times), tuple(zip(*values, strict=True)))


# What _plain_chunks leaves to the row-by-row reading: quotes, NULs and CRs that do not end a line
# (how the csv module splits those is its own), and any character but ASCII (what float(), str.strip()
# and the unit pattern make of other digits and spaces, only the row-by-row reading says).
_NOT_PLAIN = ('"', "\x00", "\r")
# A whole cell, as parse_quantity reads it, on each line of cells joined by newlines: the number, the
# unit.  "[^\S\n]" is "\s" but the newline, so that a match never spans two cells.
_CELL = r"^[^\S\n]*{}[^\S\n]*{}[^\S\n]*$"
_CELL_NUMBER = re.compile(_CELL.format(f"({NUMBER})", r"\S*"), re.MULTILINE)
_CELL_UNIT = re.compile(_CELL.format(NUMBER, r"(\S*)"), re.MULTILINE)


class _NotPlain(Exception):
    """A chunk of :func:`_plain_chunks` is not plain: the row-by-row reading must say."""


@dataclass(frozen=True, slots=True)
class _Chunked:
    """A plain table's header and cells, a chunk of rows at a time (what :func:`_plain_chunks` gives)."""

    names: list[str]  # the header's cells, stripped and in lower case
    header: str  # the header line as written (less a CR)
    first_line: int  # the line of the first row; row i is on line first_line + i
    chunks: Iterator[list[str]]  # each chunk's cells as written, row after row; raises _NotPlain


def _plain_chunks(text: str, chunk_chars: int = _CHUNK_CHARS) -> _Chunked | None:
    """A plain table's header and cells, a chunk of rows at a time; None where only the csv module can say.

    Plain: ASCII, no quotes, lines ending in LF or CRLF, a header line (after any blank or comment
    lines), and after it at least one row, each of as many cells as the header has, up to blank
    lines at the end: no blank or comment line between rows, no ``#`` in any row.  Such a table's
    rows are the csv module's, split on commas, on the same lines.  The test is made on each chunk
    as it comes: a chunk that fails it raises :class:`_NotPlain`.  Only one chunk's cells are
    strings at once.
    """
    if "\r\n" in text:
        text = text.replace("\r\n", "\n")
    if not text.isascii() or any(character in text for character in _NOT_PLAIN):
        return None
    limit = csv.field_size_limit()
    start = 0  # the header: the first line _rows yields, not blank (but for commas) nor a comment
    while True:
        stop = text.find("\n", start)
        line = text[start:] if stop < 0 else text[start:stop]
        if len(line) > limit:
            return None  # the csv module refuses such a field, a comment's included
        if line.replace(",", "").strip() and line.lstrip()[0] != "#":
            break
        if stop < 0:
            return None
        start = stop + 1
    names = [cell.strip().lower() for cell in line.split(",")]
    first_line = text.count("\n", 0, start) + 2
    end = len(text)  # the rows end before the blank lines at the end
    while end > stop >= 0:
        piece = text[max(stop, end - 65536) : end]
        kept = len(piece.rstrip("\n"))
        end -= len(piece) - kept
        if kept:
            break
    if stop < 0 or end <= stop + 1 or text.find("#", stop, end) >= 0:
        return None  # no row; or maybe a comment line between rows, which the csv module skips
    return _Chunked(names, line, first_line, _chunks(text, stop + 1, end, len(names), chunk_chars))


def _chunks(text: str, start: int, end: int, columns: int, chunk_chars: int) -> Iterator[list[str]]:
    """The cells of ``text[start:end]``'s lines, row after row, about ``chunk_chars`` at a time."""
    limit = csv.field_size_limit()
    while start < end:
        stop = text.find("\n", min(start + chunk_chars, end), end)
        stop = end if stop < 0 else stop
        lines = text[start:stop].split("\n")
        start = stop + 1
        if max(map(len, lines)) > limit or set(map(str.count, lines, repeat(","))) != {columns - 1}:
            raise _NotPlain  # a field too long; a row with too few or many cells, a blank line
        yield lines if columns == 1 else ",".join(lines).split(",")


def _series_at_once(text: str, kinds: Mapping[str, str], chunk_chars: int = _CHUNK_CHARS) -> Series | None:
    """:func:`read_series` of a plain table a column at a time; None where the row-by-row reading must say.

    Plain: as :func:`_plain_chunks` says.  Each cell goes through the float() and unit table the
    row-by-row path would use and is checked as it would check it, with numpy, so each value is
    the same float, bit for bit; where any cell or row would be refused there (or this reading
    cannot vouch for it), None: the row-by-row reading then names the first problem as it always
    did.  Much faster on a long trace: no Python code runs per row, and no object the garbage
    collector tracks is made per row; the cells are split a chunk of rows at a time
    (:func:`_plain_chunks`), so only a chunk's are strings at once.
    """
    table = _plain_chunks(text, chunk_chars)
    if table is None:
        return None
    try:
        names, factors = _header_units(table.header.split(","), kinds, "")
    except CsvProblem:
        return None
    present = tuple(name for name in kinds if name in names)
    if set(names) - {"time", *kinds} or "time" not in names or not present or len(set(names)) != len(names):
        return None
    wanted = {"time": "time", **{name: kinds[name] for name in present}}
    parts: dict[str, list[np.ndarray]] = {name: [] for name in wanted}
    try:
        for cells in table.chunks:
            for name, kind in wanted.items():
                column = _column(cells[names.index(name) :: len(names)], kind, factors.get(name, 1.0))
                if column is None:
                    return None
                parts[name].append(column)
    except _NotPlain:
        return None
    times = np.concatenate(parts["time"])
    if not bool(np.all(times[1:] > times[:-1])):
        return None
    values = tuple(tuple(np.concatenate(parts[name]).tolist()) for name in present)
    lines = range(table.first_line, table.first_line + len(times))
    return Series(present, lines, tuple(times.tolist()), values)


def _column(cells: list[str], kind: str, factor: float = 1.0) -> np.ndarray | None:
    """The values :func:`_value` gives ``cells`` (of a kind), or None where it would refuse one.

    ``factor``: the unit the column's header states, to SI, which its bare cells are read in: the
    whole array is scaled at once, a cell with its own unit by that unit's factor instead.
    """
    quantity = QUANTITIES[kind]
    if quantity.whole:
        return None  # no series' kind: left to _value
    stripped = list(map(str.strip, cells))
    try:
        numbers = np.fromiter(map(float, stripped), float, len(stripped))  # _value's first try
        if factor != 1.0:
            written = numbers
            with np.errstate(over="ignore"):  # an infinite product is refused below, as _value does
                numbers = written * factor
            if bool(np.any((numbers == 0) & (written != 0))):
                return None  # "1e-320" under "[ms]" rounds to 0: _value refuses it as below the least
    except ValueError:  # a cell with a unit: parse_quantity's float(number) * factor
        joined = "\n".join(stripped)
        del stripped
        units = {**quantity.units, "": factor}  # "": a bare number, which float() read
        factors = list(map(units.get, _CELL_UNIT.findall(joined)))
        if len(factors) != len(cells) or None in factors:
            return None
        texts = _CELL_NUMBER.findall(joined)  # as many: the same lines match, the other group taken
        with np.errstate(over="ignore"):  # an infinite product is refused below, as parse_quantity does
            numbers = np.fromiter(map(float, texts), float, len(texts)) * np.array(factors)
        zeros = np.flatnonzero(numbers == 0)
        if any(re.search("[1-9]", re.split("[eE]", texts[i])[0]) for i in zeros):
            return None  # "1e-400 ms" rounds to 0: parse_quantity refuses it as below the least
    usable = np.isfinite(numbers) & (numbers >= 0) & (numbers <= quantity.largest)
    usable &= (numbers == 0) | (numbers >= quantity.smallest)
    return numbers if bool(usable.all()) else None


def first_bare(
    path: Path, shown: str, suspects: Mapping[str, Callable[[float], bool]]
) -> dict[str, tuple[int, float]]:
    r"""Each column's first bare number its ``suspects`` test flags: ``{column: (line, number)}``.

    ``suspects``: by column, whether a bare number (a cell ``float()`` reads) there was surely
    meant in another unit (a latency of ``20``, read as 20 s), for the scenario checks that warn
    of it.  A column with none, or not in the header (matched as :func:`read_series` does,
    whatever the case), is left out; so is every column of a file that cannot be read (its errors
    are the parse's to report).  A plain table is read a column at a time
    (:func:`_bare_at_once`), any other row by row, in one pass for all the columns.

    >>> import tempfile, pathlib
    >>> folder = tempfile.TemporaryDirectory()
    >>> file = pathlib.Path(folder.name) / "trace.csv"
    >>> _ = file.write_text("time,latency\n0,20 ms\n1,0.03\n2,25\n3,30\n")
    >>> first_bare(file, "trace.csv", {"latency": lambda s: s >= 1.0, "bandwidth": lambda bps: bps < 1e4})
    {'latency': (4, 25.0)}
    >>> folder.cleanup()
    """
    try:
        text = _read(path, shown)
    except CsvProblem:
        return {}
    table = _plain_chunks(text)
    found = _bare_at_once(table, suspects) if table is not None else None
    if found is None:
        found = _bare_row_by_row(text, shown, suspects)
    return {column: found[column] for column in suspects if column in found}


def _wanted(names: list[str], suspects: Mapping[str, object]) -> dict[str, int]:
    """Where each column of ``suspects`` is in a header's ``names`` (lower case), those it has.

    A column whose header states a unit (``bandwidth [mbps]``: :func:`named_column`) is none of them: its
    bare cells are read in that unit, so none is a bare number in the SI unit.
    """
    return {column: names.index(column.lower()) for column in suspects if column.lower() in names}


def _bare_row_by_row(
    text: str, shown: str, suspects: Mapping[str, Callable[[float], bool]]
) -> dict[str, tuple[int, float]]:
    """:func:`first_bare` a row at a time, until each column has one; {} for a malformed file."""
    found: dict[str, tuple[int, float]] = {}
    try:
        rows = _text_rows(text, shown)
        header = next(rows, None)
        if header is None:
            return found
        wanted = _wanted([cell.strip().lower() for cell in header[1]], suspects)
        if not wanted:
            return found
        for line, row in rows:
            for column, at in wanted.items():
                if column in found or at >= len(row):
                    continue
                try:
                    number = float(row[at].strip())
                except ValueError:
                    continue  # a string with a unit, or no number: it says what it means
                if suspects[column](number):
                    found[column] = (line, number)
            if len(found) == len(wanted):
                break
    except CsvProblem:
        return {}
    return found


# A cell float() may read: only the characters of its ASCII forms (1_000.5e-3, inf, Infinity, nan),
# on each line of stripped cells joined by newlines; any other line, "" (float() refuses it).
_FLOAT_LIKE = re.compile(r"^(?:([-+0-9._eEinfatyINFATY]+)$|.*$)", re.MULTILINE)


def _bare_at_once(
    table: _Chunked, suspects: Mapping[str, Callable[[float], bool]]
) -> dict[str, tuple[int, float]] | None:
    """:func:`first_bare` of a plain table, a column at a time: the row-by-row reading's result.

    Each column's cells go through ``float()`` a chunk of rows at a time; a column where some cell is
    not a bare number, only the cells of float()'s characters (few in a column with units).  Then its
    test runs on its numbers in order up to the first it flags.  No Python code runs per row but the
    test (the same calls as row by row), and each row is as long as the header, so no cell is
    missing.  The reading stops once each column has its cell, and splits no cell where the header
    names none of the columns (a trace whose header states its units); a chunk's cells only are
    strings at once, so an 8.6-million-row trace is not held as 17 million strings.  None where a
    chunk turns out not plain: the row-by-row reading must say.
    """
    wanted = _wanted(table.names, suspects)
    found: dict[str, tuple[int, float]] = {}
    row = 0  # the first row of the chunk
    try:
        for cells in table.chunks:
            if len(found) == len(wanted):
                break
            for column, at in wanted.items():
                if column in found:
                    continue
                rows, numbers = _floats(list(map(str.strip, cells[at :: len(table.names)])))
                first = next(compress(count(), map(suspects[column], numbers)), None)
                if first is not None:
                    found[column] = (table.first_line + row + rows[first], numbers[first])
            row += len(cells) // len(table.names)
    except _NotPlain:
        return None
    return found


def _floats(cells: list[str]) -> tuple[Sequence[int], list[float]]:
    """The stripped ``cells`` float() reads: their indices and their numbers, in order."""
    try:
        return range(len(cells)), list(map(float, cells))
    except ValueError:  # not all: those of float()'s characters, the rest being no number
        texts = _FLOAT_LIKE.findall("\n".join(cells))  # one a cell: no cell holds a newline
        read = zip(compress(count(), texts), map(_float_or_none, compress(texts, texts)), strict=True)
        kept = [(row, number) for row, number in read if number is not None]
        return [row for row, _ in kept], [number for _, number in kept]


def _float_or_none(cell: str) -> float | None:
    """float(cell), or None where float() refuses it."""
    try:
        return float(cell)
    except ValueError:
        return None


def _read(path: Path, shown: str) -> str:
    """The file's text (within :data:`MAX_TABLE_BYTES`); a problem reading it is a :class:`CsvProblem`.

    ``shown`` is the name as the scenario wrote it: an empty one (``trace: ""``) named the
    scenario's own folder, refused as ``: is a directory``.
    """
    if not shown:
        raise CsvProblem('expected a file path, got ""')
    try:
        return read_text(path, MAX_TABLE_BYTES)
    except InputFileError as error:
        raise CsvProblem(f"{shown}: {error}") from None
    except FileNotFoundError:
        near = did_you_mean_file(shown, path)  # the name as the scenario gave it, looked for beside it
        from offloadsim.scenario.inputs_folder import rerun_said  # a refusal's: not at start-up

        raise CsvProblem(f"{shown}: no such file (looked for {path}){near}{rerun_said(shown)}") from None
    except IsADirectoryError:
        raise CsvProblem(f"{shown}: is a directory, expected a CSV file") from None
    except UnicodeDecodeError as error:
        raise CsvProblem(f"{shown}: {not_utf8(error)}") from None
    except OSError as error:
        raise CsvProblem(f"{shown}: cannot read: {error.strerror or error}") from None


def _text_rows(text: str, shown: str) -> Iterator[tuple[int, list[str]]]:
    """Non-blank, non-comment rows of a file's ``text`` with their line numbers."""
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        for row in reader:
            if not row or all(not cell.strip() for cell in row) or row[0].lstrip().startswith("#"):
                continue
            yield reader.line_num, row
    except csv.Error as error:
        raise CsvProblem(f"{shown}: malformed CSV: {error}") from None


#: The value columns of a positions file but ``time``, and their kinds (``x [km]`` is read in km).
_POSITION_KINDS = {"x": "length", "y": "length"}

#: Each node's first line, times, xs and ys (what :func:`read_positions` gives).
_Tracks = dict[str, tuple[int, np.ndarray, np.ndarray, np.ndarray]]


def _floats64(values: np.ndarray | list[float]) -> np.ndarray:
    """``values`` as a float64 array.

    Not made read-only, though no one writes a track: ``np.interp`` copies a read-only array at
    every call (numpy 2.4), and a step of the mobility's interpolation along 250,000-row tracks took
    7 ms instead of 44 us.
    """
    return np.asarray(values, dtype=np.float64)


def read_positions(path: Path, shown: str, room: Room | None = None) -> _Tracks:
    r"""Positions of moving nodes: columns ``time``, ``node``, ``x`` and ``y`` (metres, non-negative).

    A header may state a column's unit (``time (ms)``, ``x [km]``), as :func:`_header_units` says.

    Returns, per node in order of first appearance, ``(first line, times,
    xs, ys)``, each column a numpy array of float64; each node's
    times strictly increase.  Arrays, not tuples of Python floats: 8 bytes
    a number where a float in a tuple took 32 (4,000,000 rows held 370 MiB
    of floats), and the mobility's interpolation reads arrays anyway.  ``room``: asked first
    (:func:`_check_room`).

    >>> import tempfile, pathlib
    >>> folder = tempfile.TemporaryDirectory()
    >>> file = pathlib.Path(folder.name) / "walks.csv"
    >>> _ = file.write_text("time,node,x,y\n0,phone-0,0,0\n10 s,phone-0,15 m,0\n")
    >>> read_positions(file, "walks.csv")
    {'phone-0': (2, array([ 0., 10.]), array([ 0., 15.]), array([0., 0.]))}
    >>> folder.cleanup()
    """
    text = _read(path, shown)
    _check_room(text, room)
    tracks = _positions_at_once(text)
    return tracks if tracks is not None else _positions_row_by_row(text, shown)


def _positions_at_once(text: str, chunk_chars: int = _CHUNK_CHARS) -> _Tracks | None:
    """:func:`read_positions` of a plain table a column at a time; None where the row-by-row reading must say.

    As :func:`_series_at_once`: each number is the float the row-by-row reading gives, checked as
    it checks it; each node's name is kept once, its rows by a number, and each node's times are
    checked to increase with numpy.  Row by row, a row took some 7 us and 250 bytes.
    """
    table = _plain_chunks(text, chunk_chars)
    if table is None:
        return None
    try:
        names, factors = _header_units(table.header.split(","), _POSITION_KINDS, "", ("node",))
    except CsvProblem:
        return None
    if sorted(names) != ["node", "time", "x", "y"]:
        return None
    at = {name: names.index(name) for name in names}
    kinds = {"time": "time", **_POSITION_KINDS}
    nodes: dict[str, int] = {}  # each node's number, in order of first appearance
    codes = []
    parts: dict[str, list[np.ndarray]] = {name: [] for name in kinds}
    try:
        for cells in table.chunks:
            named = map(str.strip, cells[at["node"] :: 4])
            codes.append(np.fromiter((nodes.setdefault(node, len(nodes)) for node in named), np.int32))
            for name, kind in kinds.items():
                column = _column(cells[at[name] :: 4], kind, factors.get(name, 1.0))
                if column is None:
                    return None
                parts[name].append(column)
    except _NotPlain:
        return None
    if "" in nodes:
        return None  # a row without its node
    code = np.concatenate(codes)
    del codes
    order = np.argsort(code, kind="stable")  # each node's rows together, in their order
    code = code[order]
    same = code[1:] == code[:-1]  # a row of the same node as the row before it
    del code
    # Each column in that order: one array a column, each node's track a slice (a view) of it, so
    # the rows are copied once, not once more for each node.
    times, xs, ys = (_floats64(np.concatenate(parts.pop(name))[order]) for name in kinds)
    if bool(np.any(same & (times[1:] <= times[:-1]))):
        return None  # a node's time that does not come after its previous one
    bounds = [0, *(np.flatnonzero(~same) + 1).tolist(), len(order)]  # where each node's rows begin
    lines = (order[bounds[:-1]] + table.first_line).tolist()
    del order
    return {
        node: (line, times[start:stop], xs[start:stop], ys[start:stop])
        for node, line, start, stop in zip(nodes, lines, bounds[:-1], bounds[1:], strict=True)
    }


def _positions_row_by_row(text: str, shown: str) -> _Tracks:
    """:func:`read_positions` a row at a time: each cell through :func:`_value`, the first problem raised."""
    rows = _text_rows(text, shown)
    header = next(rows, None)
    wanted = "a header row with the columns time, node, x, y"
    if header is None:
        raise CsvProblem(f"{shown}: the file is empty; expected {wanted}")
    names, factors = _header_units(header[1], _POSITION_KINDS, f"{shown}, line {header[0]}", ("node",))
    if sorted(names) != ["node", "time", "x", "y"]:
        raise CsvProblem(
            f"{shown}, line {header[0]}: expected {wanted}, got {header[1]}{separator_hint(header[1])}"
        )
    at = {name: names.index(name) for name in names}
    tracks: dict[str, tuple[int, list[float], list[float], list[float]]] = {}
    for line, row in rows:
        if len(row) != 4:
            got = f"got {len(row)}{separator_hint(row)}"
            raise CsvProblem(f"{shown}, line {line}: expected 4 columns like the header, {got}")
        node = row[at["node"]].strip()
        if not node:
            raise CsvProblem(f"{shown}, line {line}: the node is empty")
        time = _value(row[at["time"]].strip(), "time", shown, line, "", factors.get("time", 1.0))
        x = _value(row[at["x"]].strip(), "length", shown, line, "x", factors.get("x", 1.0))
        y = _value(row[at["y"]].strip(), "length", shown, line, "y", factors.get("y", 1.0))
        track = tracks.setdefault(node, (line, [], [], []))
        if track[1] and time <= track[1][-1]:
            raise CsvProblem(
                f"{shown}, line {line}: time {time:g} s of {quoted(node)} does not come after its previous "
                f"{track[1][-1]:g} s (each node's times must increase)"
            )
        track[1].append(time)
        track[2].append(x)
        track[3].append(y)
    if not tracks:
        raise CsvProblem(f"{shown}: no rows after the header")
    return {
        node: (line, _floats64(t), _floats64(x), _floats64(y)) for node, (line, t, x, y) in tracks.items()
    }


#: The two forms of an outage log, by their columns: a change a row, or an outage a row.
_OUTAGE_FORMS = (("time", "node", "state"), ("node", "down", "up"))


@dataclass(frozen=True, slots=True)
class OutageStep:
    """A node of an outage log goes down (``up`` false) or comes back up at ``at`` s, as ``line`` says."""

    at: float
    node: str
    up: bool
    line: int


def read_outages(
    path: Path,
    shown: str,
    nodes: Sequence[str],
    room: Room | None = None,
    epoch: datetime | None = None,
    names: Mapping[str, str] | None = None,
) -> tuple[OutageStep, ...]:
    r"""An outage log's changes of the scenario's ``nodes``, in the order they apply.

    Its columns are ``time,node,state`` (``state``: ``down`` or ``up``, a change a row) or
    ``node,down,up`` (an outage a row; an empty ``up``: not back by the log's end).  A header may
    state its times' unit (``time (min)``, ``down [h]``), as :func:`_header_units` says.  Rows come
    in time order (by ``time``, or ``down``), as a trace's do, so that its first row is its first
    change; changes at one time apply in the order the rows give them.  A node the scenario lacks,
    an outage that starts while its node is down (overlapping another) and a node brought up that
    is not down are refused at their line.  ``room``: asked first (:func:`_check_room`).

    An operator's log: ``epoch``, the timestamp that is time 0, reads each time cell as a timestamp
    with its time zone (``2026-03-01T10:15:00Z``), in seconds after it (below 0 before it:
    :mod:`~offloadsim.scenario.outage_window` windows them); ``names`` maps the log's names of nodes
    (its hosts') to the scenario's, a name it lacks read as it is.

    >>> import tempfile, pathlib
    >>> folder = tempfile.TemporaryDirectory()
    >>> file = pathlib.Path(folder.name) / "outages.csv"
    >>> _ = file.write_text("node,down (min),up (min)\nedge-0,1,2.5\nedge-1,2,3\n")
    >>> [(step.at, step.node, step.up) for step in read_outages(file, "outages.csv", ["edge-0", "edge-1"])]
    [(60.0, 'edge-0', False), (120.0, 'edge-1', False), (150.0, 'edge-0', True), (180.0, 'edge-1', True)]
    >>> folder.cleanup()
    """
    text = _read(path, shown)
    _check_room(text, room)
    rows = _text_rows(text, shown)
    header = next(rows, None)
    wanted = (
        "a header row with the columns time, node, state (a change a row) or node, down, up (an outage a row)"
    )
    if header is None:
        raise CsvProblem(f"{shown}: the file is empty; expected {wanted}")
    line, cells = header
    columns, factors = _header_units(
        cells, dict.fromkeys(("down", "up"), "time"), f"{shown}, line {line}", ("node", "state")
    )
    if not any(sorted(columns) == sorted(form) for form in _OUTAGE_FORMS):
        unknown = next(
            (name for name in columns if name not in {"time", "node", "state", "down", "up"}), None
        )
        hint = separator_hint(cells) or (
            did_you_mean_key(unknown, ("time", "node", "state", "down", "up")) if unknown is not None else ""
        )
        raise CsvProblem(f"{shown}, line {line}: expected {wanted}, got {cells}{hint}")
    if epoch is not None and factors:
        unit = cells[columns.index(next(iter(factors)))].strip()
        raise CsvProblem(
            f"{shown}, line {line}, column {quoted(unit)}: a unit, where start reads the times as "
            "timestamps: drop the unit"
        )
    read = _OutageCells(nodes, factors, shown, epoch, names or {})
    at = {name: columns.index(name) for name in columns}
    steps: list[OutageStep] = []
    began = 0.0  # the previous row's time (its outage's start)
    for line, row in rows:
        if len(row) != len(columns):
            got = f"got {len(row)}{separator_hint(row)}"
            raise CsvProblem(
                f"{shown}, line {line}: expected {counted(len(columns), 'column')} like the header, {got}"
            )
        cells_at = {name: row[i].strip() for name, i in at.items()}
        changes = read.row(cells_at, line)
        if steps and changes[0].at < began:
            raise CsvProblem(
                f"{shown}, line {line}: {changes[0].at:g} s comes before the previous row's "
                f"{began:g} s (rows go in time order, by {'down' if 'down' in at else 'time'}: "
                "sort the log)"
            )
        steps.extend(changes)
        began = changes[0].at
    if not steps:
        raise CsvProblem(f"{shown}: no rows after the header")
    merged = sorted(steps, key=lambda step: step.at)  # stable: an outage's up after the rows before it
    by_node: dict[str, list[OutageStep]] = {}
    for step in steps:  # an outage's down and up together, the outages by their start
        by_node.setdefault(step.node, []).append(step)
    for node_steps in by_node.values():
        _check_alternating(node_steps, shown)
    return tuple(merged)


#: What a timestamp in an outage log read without its entry's ``start`` is told.
_UNSTARTED = "is a timestamp; give the entry's start (the timestamp that is simulation time 0) to read it"


@dataclass(frozen=True)
class _OutageCells:
    """How an outage log's cells are read: its nodes' names and its times (numbers, or timestamps)."""

    nodes: Sequence[str]
    factors: Mapping[str, float]  # a time column's header unit, to seconds
    shown: str
    epoch: datetime | None  # the timestamp that is time 0; None: the cells are seconds (or a unit)
    names: Mapping[str, str]  # the log's name of a node -> the scenario's

    def row(self, cells: Mapping[str, str], line: int) -> list[OutageStep]:
        """The changes of one row, its cells by column: a change, or an outage's down and up."""
        node = self.node(cells["node"], line)
        if "state" in cells:
            up = _outage_state(cells["state"], f"{self.shown}, line {line}")
            return [OutageStep(self.time(cells, "time", line), node, up, line)]
        down = OutageStep(self.time(cells, "down", line), node, False, line)
        if not cells["up"]:
            return [down]
        up_at = self.time(cells, "up", line)
        if up_at <= down.at:
            raise CsvProblem(
                f'{self.shown}, line {line}, column "up": {up_at:g} s does not come after the outage\'s '
                f"down at {down.at:g} s"
            )
        return [down, OutageStep(up_at, node, True, line)]

    def node(self, cell: str, line: int) -> str:
        """The scenario's node a ``node`` cell names, through ``names``; CsvProblem for none."""
        node = self.names.get(cell, cell)
        if node in self.nodes:
            return node
        known = did_you_mean_name(cell, [*self.nodes, *self.names])
        mapped = " or a name of the log's that its entry's nodes maps" if self.names else ""
        raise CsvProblem(
            f'{self.shown}, line {line}, column "node": unknown node {quoted(cell)}{known}; '
            f"expected the name of a node of the scenario{mapped}"
        )

    def time(self, cells: Mapping[str, str], column: str, line: int) -> float:
        """The ``column`` cell in seconds from the run's start."""
        cell = cells[column]
        if self.epoch is not None:  # a row before start: kept, for outage_window to skip or start at 0 s
            seconds = seconds_from(self.epoch, cell)
        else:
            seconds = _value_problem(cell, "time", self.factors.get(column, 1.0))
            if isinstance(seconds, str) and looks_like_timestamp(cell):
                seconds = f"{describe(cell)} {_UNSTARTED}"
        if isinstance(seconds, str):
            raise CsvProblem(f"{self.shown}, line {line}, column {quoted(column)}: {seconds}")
        return seconds


def _outage_state(cell: str, where: str) -> bool:
    """A ``state`` cell: True for ``up``, False for ``down`` (any case)."""
    state = cell.lower()
    if state not in ("down", "up"):
        raise CsvProblem(f'{where}, column "state": expected down or up, got {describe(cell)}')
    return state == "up"


def _check_alternating(steps: Sequence[OutageStep], shown: str) -> None:
    """One node's changes, an outage's start and end together, go down, up, down ... in time order.

    An outage starting while the node is down, or before the end of the outage listed before it
    (they overlap), and a node brought up that is not down, are refused at their line.
    """
    since: OutageStep | None = None  # the start of the node's outage in force, or of its last one
    previous: OutageStep | None = None
    for step in steps:
        if (
            previous is not None
            and since is not None
            and (step.at < previous.at or not (step.up or previous.up))
        ):
            ends = f" to {previous.at:g} s" if previous.up else ""
            raise CsvProblem(
                f"{shown}, line {step.line}: {quoted(step.node)} goes down at {step.at:g} s, inside its "
                f"outage from {since.at:g} s{ends} (line {since.line}): the outages overlap; merge them "
                "into one, or give the other its own file (an entry of its own)"
            )
        if step.up and (previous is None or previous.up):
            raise CsvProblem(
                f"{shown}, line {step.line}: brings {quoted(step.node)} up at {step.at:g} s, but it is not "
                "down then (its outage's down is missing, or a time is mistyped)"
            )
        if not step.up:
            since = step
        previous = step


def _looks_numeric(cell: str) -> bool:
    """Whether a samples file's first cell is a value, not a header: it starts like a number, or is one.

    ``nan``, ``inf`` and ``Infinity`` are numbers to ``float()``: a first row holding one was
    taken for a header and dropped without a word, where any later row holding it is refused.
    """
    if cell[:1].isdigit() or cell[:1] in ("+", "-", "."):
        return bool(cell)
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _value(cell: str, kind: str, shown: str, line: int, column: str = "", factor: float = 1.0) -> float:
    """``cell`` in SI units of ``kind``; ``column``: its name, said where another column holds that kind too.

    A link trace's ``latency`` and ``time`` are both times, a position's ``x`` and ``y`` both
    lengths: "line 2: expected a time" did not say which cell was wrong.  ``factor``: the unit
    its column's header states (:func:`_header_units`), to SI, which a bare number is read in.
    """
    problem = _value_problem(cell, kind, factor)
    if isinstance(problem, str):  # said only then: quoting the column took a third of reading a row
        where = f"{shown}, line {line}" + (f", column {quoted(column)}" if column else "")
        raise CsvProblem(f"{where}: {problem}")
    return problem


def _value_problem(cell: str, kind: str, factor: float) -> float | str:
    """:func:`_value`'s number, or what is wrong with ``cell`` (a string)."""
    try:
        bare = float(cell)
    except ValueError:
        try:
            number = parse_quantity(cell, kind)
        except UnitError as error:
            return str(error)
    else:
        number = bare * factor
        if number == 0 and bare != 0:  # "1e-320" under "[ms]", as parse_quantity refuses "1e-320 ms"
            least = QUANTITIES[kind].out_of_range(5e-324) or "too small a number: it rounds to 0"
            return f"got {describe(cell)} in the header's unit: {least}"
    if not math.isfinite(number) or number < 0:
        return f"expected a non-negative {QUANTITIES[kind].name}, got {describe(cell)}"
    beyond = QUANTITIES[kind].out_of_range(number)
    if beyond is not None:
        return f"got {describe(cell)}: {beyond}"
    if QUANTITIES[kind].whole and (number < 1 or not number.is_integer()):
        return f"expected a whole {QUANTITIES[kind].name} of at least 1, got {describe(cell)}"
    return number
