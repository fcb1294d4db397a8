"""A registered record table whose collector misbehaves: one line naming the table, column and collector.

A plug-in's collector hands the engine plain columns; stored unchecked, a 1.5 in an ``int64``
column was truncated to 1 without a word, and a string, a None, a column left out, or a
collector raising as the run started or mid-run ended as offloadsim's internal error (exit 1)
naming no table.  Each is now the plug-in's fault (exit 2), said in one line, and no run
directory is left half-written.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

import offloadsim
from offloadsim.cli import main
from offloadsim.engine.plugin_faults import PluginFailed
from offloadsim.records.schema import Column
from offloadsim.records.tables import RecordTable, forget_table, register_table

SCENARIO = "scenarios/quickstart.yaml"
SHORT = ("duration=4 s", "warmup=0 s")


class _Faulty:
    """A row a simulated second, whose ``value`` (declared int64) is what the test sets."""

    value: Any = 1
    fail: str = ""

    def __init__(self, run: Any) -> None:
        if self.fail == "start":
            raise RuntimeError("collector broke at start")
        self.rows: dict[str, Any] = {"time": [], "value": []}
        run.env.process(self._tick(run.env))

    @property
    def columns(self) -> dict[str, Any]:
        """Its rows, or (``fail``) with a column left out or one row short."""
        if self.fail == "missing":
            return {"time": self.rows["time"]}
        if self.fail == "short":
            return {"time": self.rows["time"], "value": self.rows["value"][1:]}
        return self.rows

    def _tick(self, env: Any) -> Iterator[Any]:
        while True:
            if self.fail == "mid" and env.now >= 2:
                raise RuntimeError("collector broke mid-run")
            self.rows["time"].append(float(env.now))
            self.rows["value"].append(self.value)
            yield env.timeout(1.0)


def _table(collector: type) -> RecordTable:
    columns = (
        Column("time", "float64", "s", "simulated time", required=True),
        Column("value", "int64", "", "a count", required=True),
    )
    return RecordTable("toy_counts", columns, collector=collector)


@pytest.fixture
def faulty() -> Iterator[type[_Faulty]]:
    collector = type("Collector", (_Faulty,), {})  # each test's own, its class attributes set freely
    register_table(_table(collector))
    try:
        yield collector
    finally:
        forget_table("toy_counts")


@pytest.mark.parametrize(
    ("value", "said"),
    [
        (1.5, 'column "value" is declared int64 but holds 1.5 at row 0 (stored, it would be 1)'),
        ("abc", "column \"value\" is declared int64 but holds 'abc' (str) at row 0, not an int64"),
        (None, 'column "value" is declared int64 but holds None (NoneType) at row 0, not an int64'),
        (float("nan"), "holds nan at row 0: an int64 column has no missing value (declare it float64)"),
    ],
)
def test_a_value_its_column_cannot_store_is_refused_naming_table_column_and_collector(faulty, value, said):
    faulty.value = value
    with pytest.raises(PluginFailed) as raised:
        offloadsim.run(SCENARIO, overrides=SHORT)
    line = str(raised.value)
    assert line.startswith('record table "toy_counts" (collector test_record_table_faults.Collector)'), line
    assert said in line and "\n" not in line


def test_whole_floats_in_an_int_column_are_stored(faulty, tmp_path):
    faulty.value = 2.0  # an integer held as a float: stored as it is, nothing lost
    run = offloadsim.run(SCENARIO, overrides=SHORT, out=tmp_path / "run")
    stored = run.table("toy_counts")["value"]
    assert len(stored) >= 4 and set(stored) == {2} and str(stored.dtype) == "int64"


def test_a_column_left_out_or_of_another_length_is_refused(faulty):
    faulty.fail = "missing"
    with pytest.raises(PluginFailed, match=r'it has no column "value" \(declared: time, value\)'):
        offloadsim.run(SCENARIO, overrides=SHORT)
    faulty.fail = "short"
    with pytest.raises(PluginFailed, match=r'column "time" has (\d+) rows but column "value" has'):
        offloadsim.run(SCENARIO, overrides=SHORT)


@pytest.mark.parametrize(
    ("fail", "said"),
    [
        ("start", "raised RuntimeError as the run started: collector broke at start"),
        ("mid", "raised RuntimeError in _tick() at simulated time 2 s: collector broke mid-run"),
    ],
)
def test_a_collector_raising_is_its_fault_at_start_and_mid_run(faulty, fail, said, tmp_path, capsys):
    faulty.fail = fail
    code = main(["run", SCENARIO, *(f"--set={o}" for o in SHORT), "--out", str(tmp_path / "run"), "--quiet"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2, err
    assert len(err) == 1 and 'record table "toy_counts"' in err[0] and said in err[0], err
    assert "test_record_table_faults.py, line" in err[0]  # the collector's own line
    assert not (tmp_path / "run").exists()  # nothing half-written


def test_a_bad_column_on_the_command_line_is_one_line_exit_2_and_nothing_written(faulty, tmp_path, capsys):
    faulty.value = 1.5
    code = main(["run", SCENARIO, *(f"--set={o}" for o in SHORT), "--out", str(tmp_path / "run"), "--quiet"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and 'column "value" is declared int64 but holds 1.5' in err[0], err
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize(
    ("values", "said"),
    [
        ({"value": [1, 2**70]}, "holds 1180591620717411303424 (int) at row 1, not an int64"),
        ({"value": [1.0, 1e30]}, "holds 1e+30 at row 1: beyond an int64's range"),
        ({"value": [1, [2, 3]]}, "holds [2, 3] (list) at row 1, not an int64"),
        (
            {"value": [1, 2], "time": [1.0, "x"]},
            "column \"time\" is declared float64 but holds 'x' (str) at row 1",
        ),
        ({"value": 3}, 'column "value" is of type int, not a sequence of values'),
        ({"value": [1]}, 'column "time" has 2 rows but column "value" has 1'),
        ([1, 2], "its columns are of type list, not a mapping of column name to values"),
    ],
)
def test_what_a_column_cannot_store_is_said_with_its_row(values, said):
    from offloadsim.records.table_checks import columns_problem

    columns = {"time": [0.0] * 2, **values} if isinstance(values, dict) else values
    problem = columns_problem(columns, _table(_Faulty).columns)
    assert problem is not None and said in problem, problem


def test_whole_values_of_any_number_type_are_stored_as_they_are():
    import numpy as np

    from offloadsim.records.table_checks import columns_problem

    declared = _table(_Faulty).columns
    for value in ([1, 2], np.array([1.0, 2.0]), [1.0, np.int64(2)], (True, 3)):
        assert columns_problem({"time": [0, 1.5], "value": value}, declared) is None
