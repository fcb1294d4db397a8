"""Every table a scenario reads takes its header's units as a link trace does.

A header ``name [unit]`` (or ``name (unit)``) was read only by ``link-trace``: an arrival trace's
``time (ms)`` and a mobility file's ``x [km]`` were refused as unknown columns, and an empirical
samples file's ``latency [ms]`` was skipped as a header while its bare cells were read in the SI
unit (``10`` as 10 s, a thousand times the value meant, without a word).  Each now reads its bare
cells in the unit its header states, a cell with its own unit keeps it, and a unit the column does
not take is refused, naming the file, the line and the column.
"""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest
from scenario_testkit import small_document, write_document

from offloadsim.cli import main

# Each table twice over: read at once (plain), and row by row (a quoted cell sends it there).
ARRIVALS = {
    "seconds": "time,source\n0.5,phone-0\n1.25,\n2,phone-1\n3.5 s,phone-2\n",
    "at-once": "time (ms),source\n500,phone-0\n1250,\n2000,phone-1\n3.5 s,phone-2\n",
    "row-by-row": 'time [ms],source\n500,phone-0\n"1250",\n2000,phone-1\n3.5 s,phone-2\n',
}
POSITIONS = {
    "seconds": "time,node,x,y\n0,phone-0,0 m,0\n4,phone-0,150,0\n8,phone-0,150 m,0\n",
    "at-once": "time (ms),node,x [km],y\n0,phone-0,0 m,0\n4000,phone-0,0.15,0\n8000,phone-0,150 m,0\n",
    "row-by-row": 'time (ms),node,x [km],y\n0,"phone-0",0 m,0\n4000,phone-0,0.15,0\n8000,phone-0,150 m,0\n',
}
SAMPLES = {
    "seconds": "work\n1 GFLOP\n3e9\n",
    "at-once": "work [GFLOP]\n1\n3000 MFLOP\n",
    "row-by-row": 'work [GFLOP]\n"1"\n3000 MFLOP\n',
}


def _tasks(tmp_path, name, document, files):
    """The tasks ``run`` records of ``document`` beside ``files`` ({name: text}), in a folder ``name``."""
    folder = tmp_path / name
    folder.mkdir()
    for file, text in files.items():
        (folder / file).write_text(text)
    path = write_document(folder, document)
    assert main(["run", str(path), "--out", str(folder / "out"), "--set", "duration=10 s", "--quiet"]) == 0
    return pq.read_table(folder / "out" / "tasks.parquet").drop(["source_group"])


def _arrivals() -> dict:
    document = small_document()
    document["policy"] = "edge"
    document["workload"] = [
        {"app": "job", "sources": "phone-*", "arrivals": "trace", "trace": "arrivals.csv"}
    ]
    return document


def _mobility() -> dict:
    document = small_document()
    document["policy"] = "edge"
    document["nodes"]["ap"]["count"] = 2
    document["links"] = [
        {"between": ["phone-*", "ap-*"], "bandwidth": "20 Mbps", "latency": "3 ms"},
        {"between": ["ap-*", "edge"], "bandwidth": "1 Gbps", "latency": "0.5 ms"},
    ]
    document["dynamics"] = [
        {
            "kind": "mobility",
            "devices": "phone-0",
            "access_points": [
                {"node": "ap-0", "position": ["0 m", "0 m"], "radius": "100 m"},
                {"node": "ap-1", "position": ["200 m", "0 m"], "radius": "100 m"},
            ],
            "file": "walk.csv",
            "update": "1 s",
        }
    ]
    return document


def _samples() -> dict:
    document = small_document()
    document["policy"] = "edge"
    document["applications"]["job"]["work"] = {"empirical": "work.csv"}
    return document


CASES = {
    "arrival trace": (_arrivals, "arrivals.csv", ARRIVALS),
    "mobility file": (_mobility, "walk.csv", POSITIONS),
    "empirical samples": (_samples, "work.csv", SAMPLES),
}


@pytest.mark.parametrize("case", CASES)
def test_a_header_s_unit_gives_the_records_of_the_same_values_in_si(tmp_path, case):
    build, file, tables = CASES[case]
    expected = _tasks(tmp_path, "seconds", build(), {file: tables["seconds"]})
    assert expected.num_rows > 0
    for how in ("at-once", "row-by-row"):
        assert _tasks(tmp_path, how, build(), {file: tables[how]}).equals(expected), how


def test_a_samples_header_s_unit_is_not_passed_over_with_the_header(tmp_path):
    """``2`` under ``work [GFLOP]`` is 2 GFLOP: 1 ms on the A100 edge, where 2 FLOP took no time."""
    tasks = _tasks(tmp_path, "samples", _samples(), {"work.csv": "work [GFLOP]\n2\n"}).to_pandas()
    same = _tasks(tmp_path, "written", _samples(), {"work.csv": "work\n2 GFLOP\n"}).to_pandas()
    assert (tasks.compute_time > 0).all() and tasks.compute_time.equals(same.compute_time)


#: Each refused header, by the case whose file it heads: its first row, and what the error says.
REFUSED = {
    "time [Mbps],source": ("arrival trace", "1,", "expected a unit of time"),
    "time,source (node)": ("arrival trace", "1,", "expected no unit"),
    "time,node,x [s],y": ("mobility file", "0,phone-0,0,0", "expected a unit of length"),
    "time,node [id],x,y": ("mobility file", "0,phone-0,0,0", "expected no unit"),
    "work [ms]": ("empirical samples", "1", "expected a unit of"),
}


@pytest.mark.parametrize("header", REFUSED)
@pytest.mark.parametrize("command", [["validate"], ["run", "--out", "{out}"]], ids=["validate", "run"])
def test_a_unit_the_column_does_not_take_is_refused_naming_file_line_and_column(
    tmp_path, capsys, header, command
):
    case, row, said = REFUSED[header]
    build, file, _ = CASES[case]
    (tmp_path / file).write_text(f"{header}\n{row}\n")
    path = write_document(tmp_path, build())
    args = [arg.format(out=tmp_path / "out") for arg in command]
    assert main([args[0], str(path), *args[1:]]) == 2
    error = capsys.readouterr().err
    column = next(cell for cell in header.split(",") if "[" in cell or "(" in cell)
    assert error.startswith(f"offloadsim: error: {path}: "), error
    assert f'{file}, line 1: column "{column}": {said}' in error, error
    assert "Traceback" not in error and not (tmp_path / "out").exists()
