"""Positions read a column at a time give the row-by-row reading's tracks, bit for bit.

``read_positions`` reads a plain table with numpy and ``float()`` a column at a time, a chunk of rows
at a time, and leaves any other table, and any table with a bad cell or row, to the row-by-row
reading, which names the first bad row.  These tests hold the two to the same tracks (nodes in the
same order, first lines, times and coordinates as exact bits) and the same refusals, and the
chunked split of a plain table to the cells of the whole-table split.
"""

from __future__ import annotations

import csv
import tracemalloc
from dataclasses import dataclass
from itertools import chain, repeat

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from offloadsim.scenario import csvdata
from offloadsim.scenario.csvdata import CsvProblem, read_positions

TIMES = ["0", "0.5", "1", "2 s", " 3 ", "4000 ms", "-0", "1e-320", "7_0", "1 min"]
LENGTHS = ["0", "5 m", " 2.5 ", "1 km", "-0", "1e-320", "3_0", "12"]
NODES = ["p-0", " p-1 ", "q", "p-0 "]
ODD = ["-1", "1e400", "1e-40", "inf", "nan", "far", "", " ", "5 ms", '"5"', "# 5", "\u0663", "1,2"]
# Characters split into cells at a time: tiny ones put chunk ends between any two rows.
CHUNK_CHARS = st.sampled_from([1, 2, 3, 5, 8, 13, 1 << 20])
# Units a header may state (a node's is refused, and so is a length's of another kind).
HEADER_UNITS = st.sampled_from(
    [{}, {}, {"time": "time (ms)", "x": "x [km]"}, {"y": "y (cm)"}, {"y": "y [s]"}, {"node": "node [m]"}]
)


def _table(data: st.DataObject) -> str:
    """A file of positions, most often good: some times repeated or unsorted, some cells odd."""
    header = data.draw(
        st.sampled_from([["time", "node", "x", "y"], ["time", "node", "x"], ["Time", "x", "y", "node"]])
    )
    header = data.draw(st.permutations(header))
    odd = data.draw(st.sampled_from([0, 0, 0.1]))
    rows = []
    rising = data.draw(st.booleans())  # each row later than the one before, or times drawn at random
    for row in range(data.draw(st.integers(0, 8))):
        cells = {
            "time": f"{row} s" if rising else data.draw(st.sampled_from(TIMES)),
            "node": data.draw(st.sampled_from(NODES)),
            "x": data.draw(st.sampled_from(LENGTHS)),
            "y": data.draw(st.sampled_from(LENGTHS)),
        }
        for name in cells:
            if data.draw(st.floats(0, 1)) < odd:
                cells[name] = data.draw(st.sampled_from(ODD))
        rows.append(",".join(cells[name.lower()] for name in header))
    if rows and data.draw(st.booleans()):
        rows.insert(
            data.draw(st.integers(0, len(rows))), data.draw(st.sampled_from(["", "# note", "0,p-0,1"]))
        )
    units = data.draw(HEADER_UNITS)  # maybe units in the header
    stated = ",".join(units.get(name.lower(), name) for name in header)
    lines = [*data.draw(st.sampled_from([[], ["# a comment"], ["", "# x"]])), stated, *rows]
    end = data.draw(st.sampled_from(["\n", "\n", "\r\n"]))
    return end.join(lines) + data.draw(st.sampled_from(["", end, end * 2]))


def _bits(tracks: dict) -> tuple:
    """What the tracks hold, in order, each number as its exact bits (``-0.0`` is not ``0.0``)."""
    return tuple(
        (node, line, *(tuple(v.hex() for v in column) for column in columns))
        for node, (line, *columns) in tracks.items()
    )


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_positions_read_at_once_give_the_row_by_row_tracks_or_are_left_to_it(data):
    text = _table(data)
    try:
        expected = _bits(csvdata._positions_row_by_row(text, "p.csv"))
    except CsvProblem:
        expected = None  # refused row by row: the reading at once must not take it
    fast = csvdata._positions_at_once(text, data.draw(CHUNK_CHARS))
    if fast is not None:
        assert _bits(fast) == expected, repr(text)


@dataclass(frozen=True, slots=True)
class _Table:
    """A plain table split into cells, all at once (what :func:`_plain_table` gives)."""

    names: list[str]  # the header's cells, stripped and in lower case
    first_line: int  # the line of the first row; row i is on line first_line + i
    cells: list[str]  # the rows' cells as written, row after row, len(names) a row


def _plain_table(text: str) -> _Table | None:
    """A plain table's header and cells, split at once: the reference the chunked split is held to.

    The package's reading split a whole table like this before it went a chunk at a time (a long
    trace's lines and cells were all strings at once).

    Plain: ASCII, no quotes, lines ending in LF or CRLF, a header line (after any blank or comment
    lines), and after it at least one row, each of as many cells as the header has, up to blank
    lines at the end: no blank or comment line between rows, no ``#`` in any row.  Such a table's
    rows are the csv module's, split on commas, on the same lines; for any other, None.
    """
    if "\r\n" in text:
        text = text.replace("\r\n", "\n")
    if not text.isascii() or any(character in text for character in csvdata._NOT_PLAIN):
        return None
    lines = text.split("\n")
    if max(map(len, lines)) > csv.field_size_limit():
        return None  # the csv module refuses such a field, a comment's included
    # The header: the first line _rows yields, not blank (but for commas) nor a comment.
    rows = (i for i, line in enumerate(lines) if line.replace(",", "").strip() and line.lstrip()[0] != "#")
    first = next(rows, None)
    if first is None:
        return None
    names = [cell.strip().lower() for cell in lines[first].split(",")]
    end = len(lines)
    while end > first + 1 and not lines[end - 1]:
        end -= 1
    body = lines[first + 1 : end]
    if not body or set(map(str.count, body, repeat(","))) != {len(names) - 1}:
        return None  # a row with too few or many cells, a blank line between rows, no row
    joined = ",".join(body)
    del lines, body  # the cells are all that is needed now: a long trace's lines go before its cells come
    if "#" in joined:
        return None  # maybe a comment line between rows, which the csv module's reading skips
    return _Table(names, first + 2, joined.split(","))


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_a_table_split_a_chunk_at_a_time_has_the_whole_splits_cells(data):
    """Plain by the same test, the same header, lines and cells, wherever the chunks end."""
    text = _table(data)
    whole = _plain_table(text)
    chunked = csvdata._plain_chunks(text, data.draw(CHUNK_CHARS))
    try:
        split = (
            None
            if chunked is None
            else (chunked.names, chunked.first_line, list(chain.from_iterable(chunked.chunks)))
        )
    except csvdata._NotPlain:
        split = None
    assert split == (None if whole is None else (whole.names, whole.first_line, whole.cells)), repr(text)


def test_a_long_plain_file_is_read_without_a_python_step_per_row(tmp_path, monkeypatch):
    """Row by row, a row took some 7 us: 4,000,000 rows, 20 s to validate."""
    monkeypatch.setattr(csvdata, "_positions_row_by_row", lambda *args: pytest.fail("read row by row"))
    rows = "".join(f"{i // 3},p-{i % 3},{i % 10} m,{i % 7}\n" for i in range(100_000))
    (tmp_path / "p.csv").write_text("time,node,x,y\n" + rows)
    tracks = read_positions(tmp_path / "p.csv", "p.csv")
    assert list(tracks) == ["p-0", "p-1", "p-2"] and [track[0] for track in tracks.values()] == [2, 3, 4]
    _, times, xs, ys = tracks["p-1"]
    assert len(times) == 33_333 and list(times[:2]) == [0.0, 1.0]
    assert list(xs[:2]) == [1.0, 4.0] and list(ys[:2]) == [1.0, 4.0]


@pytest.mark.parametrize("plain", [True, False], ids=["at-once", "row-by-row"])
def test_positions_are_held_as_float64_arrays_8_bytes_a_number(tmp_path, plain):
    """Tuples of Python floats took 32 bytes a number: 4,000,000 rows held 370 MiB of them."""
    rows = "".join(f"{i // 2},p-{i % 2},{i % 10} m,{i % 7}\n" for i in range(200_000))
    (tmp_path / "p.csv").write_text("time,node,x,y\n" + rows + ("" if plain else '"0",q,0,0\n'))
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracks = read_positions(tmp_path / "p.csv", "p.csv")
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    numbers = 3 * sum(len(times) for _, times, _, _ in tracks.values())
    assert numbers == 3 * (200_000 + (0 if plain else 1))
    assert held < 10 * numbers + 100_000, f"{held / numbers:.1f} bytes a number"  # 8, and the dict's few
    for _, *columns in tracks.values():
        for column in columns:
            assert isinstance(column, np.ndarray) and column.dtype == np.float64


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("23331,p-2,0,0", 'line 70003: time 23331 s of "p-2" does not come after its previous 23332 s'),
        ("23333,p-2,far,0", 'line 70003, column "x": expected a length like'),
        ("23333,,0,0", "line 70003: the node is empty"),
        ("23333,p-2,0", "line 70003: expected 4 columns like the header, got 3"),
    ],
)
def test_a_bad_row_deep_in_a_long_file_is_named_by_its_line(tmp_path, row, message):
    rows = [f"{i // 3},p-{i % 3},1,1" for i in range(100_000)]
    rows[70_001] = row  # line 70,003 (the header is line 1): p-2's at 23333 s
    (tmp_path / "p.csv").write_text("time,node,x,y\n" + "\n".join(rows) + "\n")
    with pytest.raises(CsvProblem, match=message):
        read_positions(tmp_path / "p.csv", "p.csv")
