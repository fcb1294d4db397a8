"""A CSV trace's header may state its column's unit: ``bandwidth [Mbps]`` reads each bare cell in Mbit/s.

A drive test's log gives its rates as bare numbers of Mbit/s; read in the SI unit, they were bit/s (a
``plain-bandwidths`` warning each), and no header said otherwise.  A header ``name [unit]`` (or
``name (unit)``) now says it, once for the column: a cell with its own unit keeps its own, and a unit
the column's kind does not take is refused, naming the file, the line and the column.
"""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest
from scenario_testkit import check_warnings, small_document, trace_command, write_document

from offloadsim.cli import main
from offloadsim.scenario import csvdata
from offloadsim.world.dynamics.trace import COLUMNS

PER_CELL = "time,bandwidth,latency\n0,12 Mbps,20 ms\n1,4.5 Mbps,35 ms\n2,9 Mbps,25 ms\n"
# The same trace, its units in the header: read at once, and (a quoted cell) row by row.
IN_HEADER = {
    "at-once": "time (ms),bandwidth [Mbps],latency [ms]\n0,12,20\n1000,4.5,35\n2 s,9000000 bps,25\n",
    "row-by-row": 'time (ms),bandwidth [Mbps],latency [ms]\n0,12,20\n1000,"4.5",35\n2 s,9000000 bps,25\n',
}


def _run(tmp_path, table, name):
    """``run`` of the small scenario whose links[0] follows ``table`` (looped), offloading to the edge."""
    folder = tmp_path / name
    folder.mkdir()
    (folder / "uplink.csv").write_text(table)
    document = small_document()
    document["policy"] = "edge"
    document["dynamics"] = [{"kind": "link-trace", "link": 0, "file": "uplink.csv", "loop": True}]
    path = write_document(folder, document)
    assert main(["run", str(path), "--out", str(folder / "out"), "--set", "duration=10 s", "--quiet"]) == 0
    return pq.read_table(folder / "out" / "tasks.parquet")


def test_a_header_s_units_give_the_records_of_the_same_units_in_every_cell(tmp_path):
    expected = _run(tmp_path, PER_CELL, "per-cell")
    for how, table in IN_HEADER.items():
        read_at_once = csvdata._series_at_once(table, COLUMNS)
        assert (read_at_once is not None) == (how == "at-once")
        series = csvdata._series_row_by_row(table, "uplink.csv", COLUMNS)
        assert series.values[0] == (12e6, 4.5e6, 9e6) and series.times == (0.0, 1.0, 2.0)
        assert _run(tmp_path, table, how).equals(expected), how


@pytest.mark.parametrize("command", [["validate"], ["run", "--out", "{out}"]], ids=["validate", "run"])
def test_a_unit_the_column_does_not_take_is_refused_naming_file_line_and_column(tmp_path, capsys, command):
    path, code = trace_command(tmp_path, "time,bandwidth [ms]\n0,12\n1,4.5\n", command)
    assert code == 2
    assert capsys.readouterr().err.splitlines() == [
        f'offloadsim: error: {path}: dynamics[0].file: uplink.csv, line 1: column "bandwidth [ms]": '
        'expected a unit of bandwidth, got "ms" (a time unit); known: bps, kbps, Mbps, Gbps, Tbps, B/s, '
        "KB/s, MB/s, GB/s, Mbit/s, MBps, ..."
    ]
    assert not (tmp_path / "out").exists()


def test_bare_cells_under_a_unit_header_are_not_warned_of(tmp_path):
    document = small_document()
    document["dynamics"] = [{"kind": "link-trace", "link": 0, "file": "uplink.csv", "loop": True}]
    path = write_document(tmp_path, document)
    (tmp_path / "uplink.csv").write_text("time,bandwidth\n0,12 Mbps\n1,8\n")
    assert len(check_warnings(path, "plain-bandwidths")) == 1  # 8 bit/s, meant as Mbit/s
    for header in ("time,bandwidth [Mbps]", 'time,"bandwidth (Mbps)"'):  # at once, and row by row
        (tmp_path / "uplink.csv").write_text(f"{header}\n0,12 Mbps\n1,8\n")
        assert check_warnings(path, "plain-bandwidths") == [], header
