"""A CSV file's first suspect bare cells (``plain-*`` checks) read a column at a time, and row by row, agree.

``first_bare`` reads a plain table a column at a time (``float()`` over a column, the cells of float()'s
characters where some cell has a unit) and any other table row by row with the csv module.  These tests
hold the two to the same ``{column: (line, number)}`` for random tables, plain or not, and show a long
plain trace read without a Python step per row.
"""

from __future__ import annotations

import math
import string
from itertools import product

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from offloadsim.scenario import csvdata
from offloadsim.scenario.csvdata import first_bare
from offloadsim.scenario.plain_numbers import PLAIN

# Cells in the forms the two readings could read differently: bare numbers the tests flag and do not,
# forms float() takes (underscores, inf, Infinity, nan, 1e400, -0, spaces and \x1c or \x0b around) and
# near misses it refuses ("1_", "_1", "1__0", "in", "nan5", "e5", "."), units, empty cells; and (ODD)
# cells that make a table not plain: other digits, a comment, quotes.
CELLS = [
    "0", "-0", "0.03", "1", " 20 ", "25", "8", "9999", "10000", "8000000", "1e6", "1E-3", ".5", "5.", "+3",
    "-1", "1_000", "1_0.5e1_0", "inf", "-Infinity", "INF", "nan", "+NaN", "1e400", "\x1c5", "5\x0b",
    "1_", "_1", "1__0", "in", "nan5", "e5", ".", "+", "", " ", "0x10", "5 ms", "20 ms", "12 Mbps", "8Mbps",
    "3.25e6 b/s", "fast", "1.5e3",
]  # fmt: skip
ODD = ["\u0663", "5 \u00b5s", "# 5", '"5"', '"5,6"']
NAMES = ["time", "latency", "bandwidth", "Bandwidth ", " LATENCY", "note", "reverse_bandwidth"]
SUSPECTS = {
    "latency": PLAIN["latency"].suspect,
    "bandwidth": PLAIN["bandwidth"].suspect,
    "Reverse_Bandwidth": PLAIN["bandwidth"].suspect,  # matched whatever the case
    "note": math.isnan,  # a test of any float, NaN included
    "time": lambda x: x < 0 or x > 1e300,  # -0.0 < 0 is false; 1e400 is inf
    "absent": lambda x: True,
}
LINE_ENDS = ["\n", "\n", "\n", "\r\n", "\r"]


def _table(data: st.DataObject) -> str:
    """A table of a few columns, most often plain; some rows or lines odd."""
    header = data.draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=4))
    odd = data.draw(st.sampled_from([0, 0, 0, 5, 20]))  # how often a cell is odd, in %
    rows = []
    for _ in range(data.draw(st.integers(1, 8))):
        cells = [
            data.draw(st.sampled_from(ODD if data.draw(st.sampled_from(range(100))) < odd else CELLS))
            for _ in header
        ]
        if data.draw(st.sampled_from([False] * 19 + [True])):
            cells = cells[:-1] if data.draw(st.booleans()) else [*cells, "1"]  # a cell too few or many
        rows.append(",".join(cells))
    if data.draw(st.sampled_from([False] * 2 + [True])):  # a line the csv reading skips between rows
        commented = " #" + ",25" * (len(header) - 1)  # a comment as wide as a row, bare numbers in it
        between = data.draw(st.sampled_from(["", "  ", "# note", ",,", ",,,,", commented, commented[1:]]))
        rows.insert(data.draw(st.integers(0, len(rows))), between)
    lines = [
        *data.draw(st.sampled_from([[], ["# a comment"], ["", "#x,y"], [",,"]])),
        ",".join(header),
        *rows,
    ]
    end = data.draw(st.sampled_from(LINE_ENDS))
    return end.join(lines) + data.draw(st.sampled_from(["", end, end * 2]))


def _same(found: dict) -> dict:
    """Each column's line and number, NaN as a string (NaN is not NaN), -0.0 apart from 0.0."""
    return {column: (line, number.hex()) for column, (line, number) in found.items()}


@settings(max_examples=500, deadline=None)
@given(st.data())
def test_a_table_read_at_once_gives_the_row_by_row_cells(data):
    text = _table(data)
    suspects = data.draw(st.sampled_from([SUSPECTS, dict(list(SUSPECTS.items())[:2]), {"bandwidth": bool}]))
    table = csvdata._plain_chunks(text, data.draw(st.sampled_from([1, 7, 40, 1 << 20])))  # chars a chunk
    fast = csvdata._bare_at_once(table, suspects) if table is not None else None
    if fast is not None:
        assert _same(fast) == _same(csvdata._bare_row_by_row(text, "t.csv", suspects)), repr(text)


def test_most_drawn_tables_are_plain_so_the_property_above_tests_the_reading_at_once():
    plain = []

    @settings(max_examples=300, deadline=None, database=None)
    @given(st.data())
    def draw(data):
        table = csvdata._plain_chunks(_table(data))
        plain.append(table is not None and csvdata._bare_at_once(table, SUSPECTS) is not None)

    draw()
    assert sum(plain) > len(plain) / 3


def test_a_cell_float_reads_is_of_the_characters_the_reading_at_once_looks_for():
    # Every cell of up to three ASCII characters that float() reads, stripped, matches _FLOAT_LIKE's
    # group: a cell that does not is one float() refuses, as the reading at once takes it to be.
    alphabet = [chr(code) for code in range(1, 128) if chr(code) not in "\n\r"]
    words = ["inf", "nan", "infinity", "1e5", "1_0", "1.5"]
    cells = [
        *alphabet,
        *map("".join, product(alphabet, repeat=2)),
        *map("".join, product(string.printable, repeat=3)),
    ]
    cells += [
        word[:i] + character + word[i:]
        for word in words
        for i in range(len(word) + 1)
        for character in alphabet
    ]
    for cell in {cell.strip() for cell in cells} - {""}:
        try:
            float(cell)
        except ValueError:
            continue
        assert csvdata._FLOAT_LIKE.findall(cell) == [cell], repr(cell)


def test_a_long_plain_trace_is_read_without_a_python_step_per_row(tmp_path, monkeypatch):
    def per_row(*args):
        raise AssertionError("read row by row")

    monkeypatch.setattr(csvdata, "_bare_row_by_row", per_row)
    rows = [f"{i / 10:.1f},{5 + i % 7}.5 Mbit/s,{i % 50} ms,{4_000_000 + i}" for i in range(100_000)]
    rows[70_000] = "7000.0,8,0.02,5000000"  # a bare bandwidth of 8 bit/s among cells with units, line 70002
    rows[90_000] = "9000.0,2 Mbps,20,9000"  # a bare latency of 20 s; reverse 9000 bit/s
    (tmp_path / "t.csv").write_text("time,bandwidth,latency,reverse_bandwidth\n" + "\n".join(rows) + "\n")
    suspects = {
        "latency": PLAIN["latency"].suspect,
        "bandwidth": PLAIN["bandwidth"].suspect,
        "reverse_bandwidth": PLAIN["bandwidth"].suspect,
    }
    found = first_bare(tmp_path / "t.csv", "t.csv", suspects)
    assert found == {
        "latency": (90_002, 20.0),
        "bandwidth": (70_002, 8.0),
        "reverse_bandwidth": (90_002, 9000.0),
    }
    assert list(found) == list(suspects)  # in the order asked, as row by row
    monkeypatch.undo()
    text = (tmp_path / "t.csv").read_text()
    assert found == csvdata._bare_row_by_row(text, "t.csv", suspects)


def test_a_long_trace_is_checked_a_chunk_of_rows_at_a_time(tmp_path, monkeypatch):
    """An 8.6-million-row trace peaked at 2 GB in this check alone, every line and cell a string at once."""
    chunks = []
    split = csvdata._chunks

    def counted(*args):
        for cells in split(*args):
            chunks.append(len(cells))
            yield cells

    monkeypatch.setattr(csvdata, "_chunks", counted)
    monkeypatch.setattr(csvdata, "_bare_row_by_row", lambda *args: pytest.fail("read row by row"))
    rows = [f"{i / 100:.2f},{6_000_000 + i % 5}" for i in range(200_000)]  # bit/s
    rows[150_000] = "1500.00,7"  # a bare 7 bit/s, line 150002
    (tmp_path / "t.csv").write_text("time,bandwidth\n" + "\n".join(rows) + "\n")
    suspects = {"bandwidth": PLAIN["bandwidth"].suspect}
    assert first_bare(tmp_path / "t.csv", "t.csv", suspects) == {"bandwidth": (150_002, 7.0)}
    assert len(chunks) > 1 and max(chunks) < 400_000  # never every cell at once
    chunks.clear()
    (tmp_path / "u.csv").write_text("time (s),bandwidth (Mbps)\n" + "\n".join(rows) + "\n")
    assert first_bare(tmp_path / "u.csv", "u.csv", suspects) == {}  # its header states the unit
    assert len(chunks) <= 1  # nothing to look for: the rows are not split
