"""Empirical samples read a column at a time give the row-by-row reading's values, bit for bit."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from offloadsim.scenario import csvdata
from offloadsim.scenario.csvdata import CsvProblem, read_samples

GOOD = ["5 MFLOP", "5MFLOP", " 2 GFLOP ", "1e6", "0", "-0", "7", ".5 TFLOP", "3_0", "1e-320 FLOP"]
ODD = ["-1", "1e400", "1e-40", "inf", "nan", "lots", "", " ", "5 ms", '"5"', "# 5", "\u0663", "1,2"]
# Characters split into cells at a time: tiny ones put chunk ends between any two rows.
CHUNK_CHARS = st.sampled_from([1, 2, 3, 5, 8, 13, 1 << 20])


def _column(data: st.DataObject) -> str:
    """A samples file, most often good: with a header or not, some cells odd."""
    odd = data.draw(st.sampled_from([0, 0, 0.1]))
    cells = [
        data.draw(st.sampled_from(ODD if data.draw(st.floats(0, 1)) < odd else GOOD))
        for _ in range(data.draw(st.integers(1, 8)))
    ]
    header = data.draw(
        st.sampled_from(
            [[], ["work"], ["# made by hand", "Value"], ["work [GFLOP]"], ["Work (kFLOP)"], ["work [ms]"]]
        )
    )
    end = data.draw(st.sampled_from(["\n", "\n", "\r\n"]))
    return end.join([*header, *cells]) + data.draw(st.sampled_from(["", end, end * 2]))


def _row_by_row(text: str) -> tuple[str, ...] | None:
    try:
        return tuple(x.hex() for x in csvdata._samples_row_by_row(text, "s.csv", "work"))
    except CsvProblem:
        return None  # refused row by row: the reading at once must not take it


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_samples_read_at_once_give_the_row_by_row_values_or_are_left_to_it(data):
    text = _column(data)
    fast = csvdata._samples_at_once(text, "work", data.draw(CHUNK_CHARS))
    if fast is not None:
        assert tuple(x.hex() for x in fast) == _row_by_row(text), repr(text)


@pytest.mark.parametrize("header", ["", "work\n", "# note\n\n Work \n"])
def test_a_long_plain_column_is_read_without_a_python_step_per_row(tmp_path, monkeypatch, header):
    """Once 14 us a value with a unit: 2,000,000 samples took 27.5 s to validate (8.1 s now)."""
    monkeypatch.setattr(csvdata, "_samples_row_by_row", lambda *args: pytest.fail("read row by row"))
    (tmp_path / "s.csv").write_text(header + "".join(f"{1 + i % 7} MFLOP\n" for i in range(100_000)))
    values = read_samples(tmp_path / "s.csv", "s.csv", "work")
    assert len(values) == 100_000 and values[:3] == [1e6, 2e6, 3e6]


def test_a_bad_value_deep_in_a_long_column_is_named_by_its_line(tmp_path):
    rows = [f"{1 + i % 7} MFLOP" for i in range(100_000)]
    rows[70_001] = "5 ms"
    (tmp_path / "s.csv").write_text("work\n" + "\n".join(rows) + "\n")
    with pytest.raises(CsvProblem, match='line 70003: expected a work like "2 GFLOP", got "5 ms"'):
        read_samples(tmp_path / "s.csv", "s.csv", "work")
