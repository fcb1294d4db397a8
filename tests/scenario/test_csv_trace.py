"""An arrival trace read a column at a time gives the row-by-row reading's rows.

``read_trace`` reads a plain table with numpy and ``float()`` a column at a time, and leaves any other
table, and any table with a bad cell, to the row-by-row reading, which names the first bad row.  These
tests hold the two to the same times (bit for bit), sources and lines, and the same refusals.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from offloadsim.scenario import csvdata
from offloadsim.scenario.arrivals.trace import _split_trace
from offloadsim.scenario.csvdata import CsvProblem, TraceRows, read_trace

TIMES = ["0", "0.5", "1", "1", "2 s", " 3 ", "4000 ms", "5e0", "-0", "1e-320", "6.", "7_0"]
ODD = ["-1", "1e400", "1e-40", "inf", "nan", "soon", "", "5 Mbps", '"5"', "# 5", "\u0663"]
SOURCES = ["phone-0", " phone-1 ", "", "  ", "tablet"]
# Characters split into cells at a time: tiny ones put chunk ends between any two rows.
CHUNK_CHARS = st.sampled_from([1, 2, 3, 5, 8, 13, 1 << 20])
# Units a header may state (a source's is refused, and so is a time's of another kind).
HEADER_UNITS = st.sampled_from(
    [{}, {}, {"time": "time (ms)"}, {"time": "time [min]"}, {"time": "time [MB]"}, {"source": "source (x)"}]
)


def _table(data: st.DataObject) -> str:
    """A trace, most often good: sorted times, maybe sources and another column; some cells odd."""
    header = data.draw(
        st.permutations(
            data.draw(st.sampled_from([["time"], ["time", "source"], ["time", "source", "note"]]))
        )
    )
    odd = data.draw(st.sampled_from([0, 0, 0.1]))
    times = sorted(
        data.draw(st.lists(st.sampled_from(TIMES[:9]), min_size=1, max_size=8)),
        key=lambda t: csvdata._value(t.strip(), "time", "t", 0),
    )
    if data.draw(st.booleans()):
        times = data.draw(st.permutations(times))  # maybe unsorted
    rows = []
    for time in times:
        cells = {"time": time, "source": data.draw(st.sampled_from(SOURCES)), "note": "x"}
        if data.draw(st.floats(0, 1)) < odd:
            cells["time"] = data.draw(st.sampled_from(ODD))
        rows.append(",".join(cells[name] for name in header))
    stated = ",".join(data.draw(HEADER_UNITS).get(name, name) for name in header)  # maybe units
    lines = [*data.draw(st.sampled_from([[], ["# a comment"], ["", "# x"]])), stated, *rows]
    end = data.draw(st.sampled_from(["\n", "\n", "\r\n"]))
    return end.join(lines) + data.draw(st.sampled_from(["", end, end * 2]))


def _bits(rows: TraceRows) -> tuple:
    """What the rows hold, each time as its exact bits (``-0.0`` is not ``0.0``)."""
    sources = None if rows.sources is None else tuple(rows.sources)
    return tuple(t.hex() for t in rows.times), sources, tuple(rows.lines)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_a_trace_read_at_once_gives_the_row_by_row_rows_or_is_left_to_it(data):
    text = _table(data)
    try:
        expected = _bits(csvdata._trace_row_by_row(text, "t.csv"))
    except CsvProblem:
        expected = None  # refused row by row: the reading at once must not take it
    fast = csvdata._trace_at_once(text, data.draw(CHUNK_CHARS))
    if fast is not None:
        assert _bits(fast) == expected, repr(text)


def test_a_long_plain_trace_is_read_without_a_python_step_per_row(tmp_path, monkeypatch):
    """Once 3 us a row in Python: a trace of 256 MiB, the most a file may hold, took minutes."""

    def per_row(*args):
        raise AssertionError("read row by row")

    monkeypatch.setattr(csvdata, "_trace_row_by_row", per_row)
    rows = "".join(f"{i / 10:.1f},phone-{i % 3}\n" if i % 2 else f"{i / 10:.1f},\n" for i in range(100_000))
    (tmp_path / "t.csv").write_text("time,source\n" + rows)
    trace = read_trace(tmp_path / "t.csv", "t.csv")
    assert trace.lines == range(2, 100_002) and trace.times[-1] == 9999.9
    assert list(trace.sources[:4]) == [None, "phone-1", None, "phone-0"]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("6999.9", "line 70003: time 6999.9 s is before the previous row's 7000 s"),
        ("soon", 'line 70003: expected a time like "5 ms", got "soon"'),
        ("7000.05,1", "line 70003: expected 1 column like the header, got 2"),
    ],
)
def test_a_bad_row_deep_in_a_long_trace_is_named_by_its_line(tmp_path, row, message):
    rows = [f"{i / 10:.1f}" for i in range(100_000)]
    rows[70_001] = row  # line 70,003: the header is line 1
    (tmp_path / "t.csv").write_text("time\n" + "\n".join(rows) + "\n")
    with pytest.raises(CsvProblem, match=message):
        read_trace(tmp_path / "t.csv", "t.csv")


def test_sources_without_rows_of_their_own_share_one_tuple_of_the_common_times():
    """A trace of common times copied to each of thousands of sources was a copy each."""
    common = TraceRows([0.0, 1.0, 2.0], None, range(2, 5))
    split = _split_trace(common, ["a", "b"], "t.csv")
    assert split == {"a": (0.0, 1.0, 2.0), "b": (0.0, 1.0, 2.0)} and split["a"] is split["b"]
    mixed = TraceRows([0.0, 1.0, 2.0], [None, "a", None], range(2, 5))
    split = _split_trace(mixed, ["a", "b", "c"], "t.csv")
    assert split == {"a": (0.0, 1.0, 2.0), "b": (0.0, 2.0), "c": (0.0, 2.0)} and split["b"] is split["c"]
