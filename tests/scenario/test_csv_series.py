"""A time series CSV (a ``link-trace``'s) read a column at a time gives the row-by-row reading's values.

``read_series`` reads a plain table with numpy and ``float()`` a column at a time, and leaves any other
table, and any table with a bad cell, to the row-by-row reading, which names the first bad row.  These
tests hold the two to the same floats, bit for bit, and the same refusals.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from offloadsim.scenario import csvdata
from offloadsim.scenario.csvdata import CsvProblem, Series, read_series
from offloadsim.scenario.units import QUANTITIES
from offloadsim.world.dynamics.trace import COLUMNS

# Good cells of each kind of column, in the forms the two readings could read differently: units with
# and without a space, spaces around, forms float() takes and the unit pattern does not (underscores),
# whitespace str.strip() takes and float() does not (\x1c), -0, values that underflow to 0.
GOOD = {
    "bandwidth": [
        "5 Mbps", "5Mbps", "12.5 Mbit/s", " 4.5 Mbps ", "2 MB/s", "5 kbps", "5 Kbps", "0 Mbps", "8000000",
        "1e6", " 7 ", "0", "-0", "1_000", "\x1c5", "5\x0b", "3.25e6 b/s", ".5 Gbps",
    ],
    "latency": ["3 ms", "20 ms", "1 h", "30 us", "5e3ms", "0.02", "0", "-0", "1e-320 ns", "2 min", ".5 s"],
    "loss": ["0", "0.01", "1", "-0", ".5", "5.", "+0.3", "1e-3", " 0.2 "],
}  # fmt: skip
GOOD["reverse_bandwidth"] = GOOD["bandwidth"]
# Cells one or both readings refuse, or only the row-by-row one reads: past the bounds or below them,
# other digits, a unit of another kind, a comment, quotes, empty cells.
ODD = [
    "-1", "1e400", "1e-40", "1e-320 bps", "1e308 Tbps", "1e31", "inf", "nan", "fast", "", " ", "\u0663",
    "5 \u00b5s", "# 5", '"5"', '"5,6"', "0x10", "5 %", "5 Mbbps", "3 ms", "5 Mbps", "1.5", "1e-31",
]  # fmt: skip
TIMES = [lambda i: f"{i * 0.1:.1f}", lambda i: f"{i * 100} ms", lambda i: f" {i}.5 s", lambda i: f"{i}e-3"]
LINE_ENDS = ["\n", "\n", "\n", "\r\n", "\r"]
KINDS = dict(COLUMNS)
# What a header may add to a column's name: its unit (the bare cells are read in it), in either form,
# and units the column's kind does not take, which both readings must refuse.
HEADER_UNITS = {
    "time": [" (ms)", " [s]", "[min]", " [Mbps]"],
    "bandwidth": [" [Mbps]", " (kbps)", "[MB/s]", " [ms]", " []"],
    "latency": [" [ms]", " (us)", " [bps]"],
    "loss": [" [%]"],
}
HEADER_UNITS["reverse_bandwidth"] = HEADER_UNITS["bandwidth"]
# Characters split into cells at a time: tiny ones put chunk ends between any two rows.
CHUNK_CHARS = st.sampled_from([1, 2, 3, 5, 8, 13, 1 << 20])


def _table(data: st.DataObject) -> str:
    """A trace table, most often good; some cells, rows or lines odd."""
    values = data.draw(st.lists(st.sampled_from(list(COLUMNS)), min_size=1, max_size=3, unique=True))
    header = data.draw(st.permutations(["time", *values]))
    time = data.draw(st.sampled_from(TIMES))
    odd = data.draw(st.sampled_from([0, 0, 0.05, 0.2]))  # how often a cell is odd
    rows = []
    for i in range(data.draw(st.integers(1, 8))):
        cells = []
        for name in header:
            if data.draw(st.floats(0, 1)) < odd:
                cells.append(data.draw(st.sampled_from(ODD)))
            else:
                cells.append(time(i) if name == "time" else data.draw(st.sampled_from(GOOD[name])))
        if data.draw(st.sampled_from([False] * 19 + [True])):
            cells = cells[:-1] if data.draw(st.booleans()) else [*cells, "1"]  # a cell too few or many
        rows.append(",".join(cells))
    if data.draw(st.sampled_from([False] * 5 + [True])):
        between = data.draw(st.sampled_from(["", "  ", "# note", ",,"]))
        rows.insert(data.draw(st.integers(0, len(rows))), between)
    named = [name + data.draw(st.sampled_from(["", "", "", *HEADER_UNITS[name]])) for name in header]
    lines = [*data.draw(st.sampled_from([[], ["# a comment"], ["", "#x,y"]])), ",".join(named), *rows]
    end = data.draw(st.sampled_from(LINE_ENDS))
    return end.join(lines) + data.draw(st.sampled_from(["", end, end * 2]))


def _bits(series: Series) -> tuple:
    """What a series holds, each float as its exact bits (``-0.0`` is not ``0.0``)."""
    floats = (series.times, *series.values)
    return series.columns, tuple(series.lines), tuple(tuple(x.hex() for x in column) for column in floats)


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_a_table_read_at_once_gives_the_row_by_row_values_or_is_left_to_it(data):
    text = _table(data)
    try:
        expected = _bits(csvdata._series_row_by_row(text, "t.csv", KINDS))
    except CsvProblem:
        expected = None  # refused row by row: the reading at once must not take it
    fast = csvdata._series_at_once(text, KINDS, data.draw(CHUNK_CHARS))
    if fast is not None:
        assert _bits(fast) == expected, repr(text)


PLAIN = [
    "time,bandwidth\n0,5 Mbps\n2.5,1e6\n",
    "# made by hand\n\ntime , Bandwidth,latency\n0, 12.5 Mbit/s , 30 ms\n0.1,8000000,0.02\n\n",
    "time,loss,reverse_bandwidth\r\n0,0.01,2 MB/s\r\n1 min,0,0\r\n",
    "bandwidth,time\n-0,0\n5 Mbps,1e-3\n",
    "time (ms),bandwidth [Mbps],latency[ms]\n0,5,3\n250,1e6 bps,0.02 s\n1 s,2.5,40\n",
]


@pytest.mark.parametrize("text", PLAIN)
def test_a_plain_table_is_read_at_once_with_the_row_by_row_values(text):
    fast = csvdata._series_at_once(text, KINDS)
    assert fast is not None and _bits(fast) == _bits(csvdata._series_row_by_row(text, "t.csv", KINDS))


def test_a_long_plain_trace_is_read_without_a_python_step_per_row(tmp_path, monkeypatch):
    def per_row(*args):
        raise AssertionError("read row by row")

    monkeypatch.setattr(csvdata, "_series_row_by_row", per_row)
    rows = "".join(f"{i / 10:.1f},{5 + i % 7}.5 Mbit/s,{i % 50} ms\n" for i in range(100_000))
    (tmp_path / "t.csv").write_text("time,bandwidth,latency\n" + rows)
    series = read_series(tmp_path / "t.csv", "t.csv", KINDS)
    assert series.lines == range(2, 100_002) and series.times[-1] == 9999.9
    assert series.values[0][:3] == (5.5e6, 6.5e6, 7.5e6) and series.values[1][:3] == (0.0, 1e-3, 2e-3)


# A bad cell at row 70,000 of 100,000 is named by its line (row 0 is line 3), as row by row.
BAD_ROWS = [
    (
        "7000.05 Mbps,6 Mbps",
        'line 70003: expected a time like "5 ms", got "7000.05 Mbps": unknown unit "Mbps"',
    ),
    (
        "7000.05,5 Mbbps",
        'line 70003: expected a bandwidth like "20 Mbps", got "5 Mbbps": unknown unit "Mbbps"',
    ),
    ("7000.05,-5 Mbps", 'line 70003: expected a non-negative bandwidth, got "-5 Mbps"'),
    ("7000.05,inf", 'line 70003: expected a non-negative bandwidth, got "inf"'),
    ("7000.05,1e31", 'line 70003: got "1e31": above 1e30 bit/s, the largest bandwidth'),
    ("6999.9,5 Mbps", "line 70003: time 6999.9 s does not come after the previous row's 6999.9 s"),
    ("7000.05", "line 70003: expected 2 columns like the header, got 1"),
    ("7000.05,5 Mbps,1", "line 70003: expected 2 columns like the header, got 3"),
    ('7000.05,"5 Mbps"', None),  # quoted: read row by row, and taken
    ("# a comment between rows", None),
]


@pytest.mark.parametrize(("row", "message"), BAD_ROWS)
def test_a_bad_cell_deep_in_a_long_trace_is_named_by_its_line(tmp_path, row, message):
    rows = [f"{i / 10:.1f},{4 + i % 9} Mbps" for i in range(100_000)]
    rows[70_000] = row
    (tmp_path / "t.csv").write_text("# a trace\ntime,bandwidth\n" + "\n".join(rows) + "\n")
    if message is None:
        assert len(read_series(tmp_path / "t.csv", "t.csv", KINDS).times) == 100_000 - row.startswith("#")
        return
    with pytest.raises(CsvProblem) as caught:
        read_series(tmp_path / "t.csv", "t.csv", KINDS)
    assert str(caught.value).startswith(f"t.csv, {message}")


def test_no_unit_could_be_read_as_part_of_a_number():
    # A cell the unit pattern splits into a number and a known unit must be one float() refuses, or
    # the two readings would differ (float(cell) against float(number) * factor).
    for quantity in QUANTITIES.values():
        for unit in quantity.units:
            for cell in (f"1{unit}", f"1 {unit}", f"1e1{unit}", f"1_{unit}"):
                if unit:
                    with pytest.raises(ValueError):
                        float(cell)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        # time and latency are both times: "expected a time" alone pointed at the time column
        ("time,bandwidth,latency\n0,5 Mbps,3 ms\n1,4 Mbps,", 'line 3, column "latency": expected a time'),
        ("time,bandwidth,latency\n0,5 Mbps,3 ms\nsoon,4 Mbps,5 ms", 'line 3, column "time": expected a time'),
        (
            "time,bandwidth,reverse_bandwidth\n0,5 Mbps,1 Mbps\n1,4 Mbps,fast",
            'line 3, column "reverse_bandwidth"',
        ),
        (
            "time,bandwidth\n0,5 Mbps\n1,fast",
            'line 3: expected a bandwidth like "20 Mbps"',
        ),  # one of its kind
    ],
    ids=["latency", "time", "reverse-bandwidth", "alone"],
)
def test_a_bad_cell_names_its_column_where_another_holds_the_same_kind(tmp_path, table, message):
    (tmp_path / "t.csv").write_text(table + "\n")
    with pytest.raises(CsvProblem) as caught:
        read_series(tmp_path / "t.csv", "t.csv", KINDS)
    assert str(caught.value).startswith(f"t.csv, {message}")
