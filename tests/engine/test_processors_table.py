"""Every processor's utilisation, where the nodes table reports a node's first processor only.

A phone with a CPU and an NPU and an edge server with a CPU and a two-core GPU: the
``fixed`` policy runs a task's first synthetic stage (1 GFLOP) on the phone's NPU
(2 GFLOP/s: 0.5 s) and its second (6 GFLOP) on the edge's GPU (12 GFLOP/s: 0.5 s on
one of its two cores).  Three tasks, far apart, over 10 s measured: the NPU is busy
1.5 s (15 %), the GPU 1.5 core-seconds, 0.75 s a core (7.5 %), and both CPUs are idle,
which is all the nodes table (first processors) said.
"""

from __future__ import annotations

import pytest
from processors_scenario import assert_expected, write_scenario

from offloadsim.engine import simulate
from offloadsim.records.results import RunResult, read_run, write_run
from offloadsim.records.schema import PROCESSOR_COLUMNS
from offloadsim.scenario import load_scenario_text


@pytest.fixture
def scenario(tmp_path):
    path = write_scenario(tmp_path)
    return load_scenario_text(path.read_text(), source=str(path), base_dir=tmp_path)


@pytest.fixture
def result(scenario):
    return simulate(scenario)


def test_the_processors_table_reports_every_processor_busy_time_computed_by_hand(result):
    assert list(result.tasks["status"]) == ["completed"] * 3
    assert_expected(result.processors)
    # The nodes table still reports each node's first processor, both idle.
    assert list(result.nodes["processor"]) == ["cpu", "cpu"]
    assert list(result.nodes["utilisation"]) == [0.0, 0.0]


def test_the_run_note_names_the_other_processors_and_points_at_the_table(result):
    (note,) = [n for n in result.notes if "first processor only" in n]
    assert "other processors computed too: phone npu 15.0 %, edge gpu 7.5 %" in note
    assert "processors.parquet has every processor's row" in note


def test_the_table_is_written_with_the_run_and_read_back(result, scenario, tmp_path):
    out = write_run(RunResult.from_raw(result, scenario), tmp_path / "run")
    assert (out / "processors.parquet").is_file()
    assert_expected(read_run(out).processors)


def test_a_run_directory_written_before_the_table_reads_back_with_an_empty_one(result, scenario, tmp_path):
    out = write_run(RunResult.from_raw(result, scenario), tmp_path / "run")
    (out / "processors.parquet").unlink()
    again = read_run(out)
    assert len(again.processors) == 0 and list(again.processors.columns) == list(PROCESSOR_COLUMNS)
