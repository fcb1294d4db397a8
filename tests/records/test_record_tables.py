"""The record-table registry: a table registered in one place is written, read back and kept by compare.

``offloadsim.records.tables``: a new record table is one module (its collector) and one
:func:`register_table`.  The toy table here is registered inside the test and nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from tiny_scenarios import phone_edge

import offloadsim
from offloadsim.experiments.compare import compare
from offloadsim.records.results import read_run
from offloadsim.records.schema import Column
from offloadsim.records.stored import read_results
from offloadsim.records.tables import RecordTable, forget_table, record_tables, register_table

ROOT = Path(__file__).resolve().parents[2]

SCENARIO = phone_edge("name: ticking\nseed: 3\nduration: 6 s\nwarmup: 1 s\n")


class _Ticks:
    """A row every simulated second: the time and the run's replication (a per-round table's shape)."""

    def __init__(self, run: Any) -> None:
        self.columns: dict[str, list[Any]] = {"time": [], "replication_seen": [], "phase": []}
        self._run = run
        run.env.process(self._tick())

    def _tick(self) -> Iterator[Any]:
        env = self._run.env
        while True:
            self.columns["time"].append(float(env.now))
            self.columns["replication_seen"].append(int(self._run.replication))
            self.columns["phase"].append("warm-up" if env.now < 1.0 else "measured")
            yield env.timeout(1.0)


TICKS = RecordTable(
    "ticks",
    (
        Column("time", "float64", "s", "simulated time of the tick", required=True, at_least=0),
        Column("replication_seen", "int64", "", "the replication the collector saw", required=True),
        Column("phase", "category", "", "warm-up or measured"),
    ),
    collector=_Ticks,
)


@pytest.fixture
def ticks() -> Iterator[RecordTable]:
    register_table(TICKS)
    try:
        yield TICKS
    finally:
        forget_table(TICKS.name)


def test_a_table_registered_here_is_written_read_back_and_kept_by_compare(ticks, tmp_path):
    (tmp_path / "s.yaml").write_text(SCENARIO)
    run = offloadsim.run(tmp_path / "s.yaml", out=tmp_path / "run")
    expected = pd.DataFrame(
        {
            "time": [float(t) for t in range(7)],  # a row a second; the run stops at 7 s, before its tick
            "replication_seen": [0] * 7,
            "phase": ["warm-up"] + ["measured"] * 6,
        }
    )
    written = pd.read_parquet(tmp_path / "run" / "ticks.parquet")
    assert written[["time", "replication_seen"]].equals(expected[["time", "replication_seen"]])
    assert list(written["phase"].astype(str)) == list(expected["phase"])
    assert isinstance(written["phase"].dtype, pd.CategoricalDtype)  # its declared dtype, from the registry
    back = read_run(tmp_path / "run")
    pd.testing.assert_frame_equal(back.table("ticks"), run.table("ticks"))
    pd.testing.assert_frame_equal(read_results(tmp_path / "run").tables["ticks"], written)

    comparison = compare(
        tmp_path / "s.yaml", ["local", "edge"], replications=2, workers=1, out=tmp_path / "cmp"
    )
    kept = read_results(tmp_path / "cmp").tables["ticks"]
    assert list(kept.columns[:2]) == ["policy", "replication"]
    assert len(kept) == 4 * 7  # every run's rows: two policies, two replications
    assert (kept["replication"] == kept["replication_seen"]).all()
    assert sorted(set(kept["policy"])) == ["edge", "local"]
    pd.testing.assert_frame_equal(comparison.tables["ticks"], kept)
    assert "ticks.parquet" in comparison.manifest["files"]


def test_a_forgotten_table_is_no_longer_written(tmp_path):
    register_table(TICKS)
    forget_table(TICKS.name)
    (tmp_path / "s.yaml").write_text(SCENARIO)
    offloadsim.run(tmp_path / "s.yaml", out=tmp_path / "run")
    assert not (tmp_path / "run" / "ticks.parquet").exists()


def test_every_registered_table_is_written_and_read_back(tmp_path):
    """A registered table that the writers or readers skip fails here (a changing world: rows in each)."""
    run = offloadsim.run(
        ROOT / "scenarios" / "unstable-uplink.yaml", overrides=("duration=20 s",), out=tmp_path / "run"
    )
    back = read_run(tmp_path / "run")
    stored = read_results(tmp_path / "run")
    names = [table.name for table in record_tables()]
    assert {"nodes", "links", "link_changes", "processors"} <= set(names)
    for table in record_tables():
        assert (tmp_path / "run" / table.file).is_file(), table.name
        assert len(run.table(table.name)), f"{table.name}: no rows in a run of a changing world"
        pd.testing.assert_frame_equal(back.table(table.name), run.table(table.name), obj=table.name)
        if table.compare:
            stored_table = stored.tables[table.name]  # read by pandas: text as its string dtype
            read = back.table(table.name)
            pd.testing.assert_frame_equal(stored_table, read, obj=table.name, check_dtype=False)
    assert back.link_changes is back.table("link_changes")  # the old names read the registry's tables
    assert stored.link_changes is stored.tables["link_changes"]


@pytest.mark.parametrize("name", ["tasks", "summary", "Bad-name", ""])
def test_a_table_name_a_results_directory_uses_otherwise_is_refused(name):
    with pytest.raises(ValueError, match="record table name"):
        register_table(RecordTable(name, TICKS.columns))


def test_the_results_lines_name_a_registered_table_written(ticks, tmp_path, capsys):
    """``run``'s and ``compare``'s ``results:`` lines listed a fixed set of files, leaving the table out."""
    from offloadsim.cli import main

    (tmp_path / "s.yaml").write_text(SCENARIO)
    assert main(["run", str(tmp_path / "s.yaml"), "--set", "duration=2 s", "--out", str(tmp_path / "r")]) == 0
    compared = ["compare", str(tmp_path / "s.yaml"), "--policies", "local,edge", "--replications", "1"]
    assert main([*compared, "--set", "duration=2 s", "--workers", "1", "--out", str(tmp_path / "c")]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("results: ")]
    assert len(lines) == 2 and all("ticks.parquet" in line for line in lines), lines
    assert (tmp_path / "r" / "ticks.parquet").is_file() and (tmp_path / "c" / "ticks.parquet").is_file()
