"""Every processor's utilisation, where the nodes table reports a node's first processor only.

A phone with a CPU and an NPU and an edge server with a CPU and a two-core GPU: the
``fixed`` policy runs a task's first synthetic stage (1 GFLOP) on the phone's NPU
(2 GFLOP/s: 0.5 s) and its second (6 GFLOP) on the edge's GPU (12 GFLOP/s: 0.5 s on
one of its two cores).  Three tasks, far apart, over 10 s measured: the NPU is busy
1.5 s (15 %), the GPU 1.5 core-seconds, 0.75 s a core (7.5 %), and both CPUs are idle,
which is all the nodes table (first processors) said.
"""

from __future__ import annotations

import pandas as pd
import pytest
from processors_scenario import assert_expected, write_scenario

from offloadsim.analysis.summary import metrics_row, processor_metrics
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
    assert "processors.parquet and summary.json's processors have every processor's row" in note


def test_the_table_is_written_with_the_run_and_read_back(result, scenario, tmp_path):
    out = write_run(RunResult.from_raw(result, scenario), tmp_path / "run")
    assert (out / "processors.parquet").is_file()
    assert_expected(read_run(out).processors)


def test_a_run_directory_written_before_the_table_reads_back_with_an_empty_one(result, scenario, tmp_path):
    out = write_run(RunResult.from_raw(result, scenario), tmp_path / "run")
    (out / "processors.parquet").unlink()
    again = read_run(out)
    assert len(again.processors) == 0 and list(again.processors.columns) == list(PROCESSOR_COLUMNS)


def _table_lines(text: str) -> list[str]:
    """The lines of a run's table from its busiest nodes to its links, without their spacing."""
    lines = [" ".join(line.split()) for line in text.splitlines()]
    start = next(i for i, line in enumerate(lines) if line.startswith("busiest nodes"))
    end = next(i for i, line in enumerate(lines) if line.startswith("busiest links"))
    return lines[start:end]


def test_the_run_table_gives_each_processor_of_a_node_with_several(tmp_path, capsys):
    """It read 'busiest nodes: none, all 2 computing nodes idle' and nothing else of them, where
    the phone's NPU and the edge's GPU did all the work; summary.txt the same."""
    from offloadsim.cli import main

    path = write_scenario(tmp_path)
    assert main(["run", str(path), "--out", str(tmp_path / "run")]) == 0
    printed = capsys.readouterr().out
    expected = [
        "busiest nodes, by their first processor: none, all 2 computing nodes idle",
        "busiest processors of nodes with several (2 of 4 processors, 2 idle)",
        "phone/npu 15.0 %",
        "edge/gpu 7.5 %",
    ]
    assert _table_lines(printed) == expected
    assert _table_lines((tmp_path / "run" / "summary.txt").read_text()) == expected
    assert "first processor only" not in printed  # the table says it: not the note again
    assert "first processor only" in " ".join(read_run(tmp_path / "run").manifest["notes"])  # still kept


def test_only_the_processors_of_nodes_with_several_are_listed(tmp_path, capsys):
    """The phone without its NPU: its CPU is its node's line; the edge's GPU is listed, its CPU counted."""
    from offloadsim.cli import main

    path = write_scenario(tmp_path)
    path.write_text(path.read_text().replace("      npu: {speed: 2 GFLOP/s, cores: 1}\n", ""))
    path.write_text(path.read_text().replace("processors: [npu, gpu]", "processors: [cpu, gpu]"))
    assert main(["run", str(path), "--out", str(tmp_path / "run")]) == 0
    assert _table_lines(capsys.readouterr().out) == [
        "busiest nodes, by their first processor (1 of 2 computing nodes, 1 idle)",
        "phone 1.9 %",
        "busiest processors of nodes with several (1 of 2 processors, 1 idle)",
        "edge/gpu 7.5 %",
    ]


#: The per-processor utilisations of the metrics row, by hand: a tier's processors of one name,
#: averaged over its nodes that have one (one node each here): the NPU 15 %, the GPU 7.5 %.
BY_PROCESSOR = {
    "utilisation_device_cpu": 0.0,
    "utilisation_device_npu": 0.15,
    "utilisation_edge_cpu": 0.0,
    "utilisation_edge_gpu": 0.075,
}


def test_summary_json_holds_every_processor_and_keeps_its_first_processor_keys(result, scenario, tmp_path):
    """summary.json said each node's first processor only: both nodes idle, where the NPU and GPU computed."""
    import json

    out = write_run(RunResult.from_raw(result, scenario), tmp_path / "run")
    document = json.loads((out / "summary.json").read_text())
    assert_expected(pd.DataFrame(document["processors"]))
    assert [list(entry) for entry in document["processors"]] == [list(PROCESSOR_COLUMNS)] * 4
    # Its keys of before keep their meaning: each node's first processor, the tier's mean of those.
    assert document["node_utilisation"] == {"phone": 0.0, "edge": 0.0}
    assert document["tier_utilisation"] == {"device": 0.0, "edge": 0.0}
    again = read_run(out).summary
    assert again == RunResult.from_raw(result, scenario).summary  # read back as written
    assert_expected(pd.DataFrame(list(again.processors)))


def test_the_metrics_row_adds_each_processors_utilisation_per_tier_by_hand(result, scenario):
    row = metrics_row(RunResult.from_raw(result, scenario).summary)
    assert row["utilisation_device"] == 0.0 and row["utilisation_edge"] == 0.0  # first processors, as before
    got = {name: value for name, value in row.items() if name.count("_") == 2 and name.startswith("util")}
    assert got == pytest.approx(BY_PROCESSOR, rel=1e-12, abs=1e-15)
    names = [name for name in row if name.startswith("utilisation_")]
    assert names == ["utilisation_device", "utilisation_edge", *BY_PROCESSOR]


def test_a_tier_processor_utilisation_is_the_mean_over_the_tiers_nodes_that_have_one():
    """Two edges, one without a GPU: the GPU's mean is over the one that has it; the CPUs' over both."""
    processors = {
        "node": ["phone", "phone", "edge-0", "edge-0", "edge-1"],
        "tier": ["device", "device", "edge", "edge", "edge"],
        "processor": ["cpu", "npu", "cpu", "gpu", "cpu"],
        "utilisation": [0.25, 0.5, 0.1, 0.6, 0.3],
    }
    assert processor_metrics(processors) == pytest.approx(
        {
            "utilisation_device_cpu": 0.25,
            "utilisation_device_npu": 0.5,
            "utilisation_edge_cpu": 0.2,
            "utilisation_edge_gpu": 0.6,
        },
        rel=1e-15,
    )
    # A tier whose every node has one processor has none: its utilisation_<tier> is all of it.
    single = {key: values[2:] for key, values in processors.items()}
    single["node"], single["processor"] = ["edge-0", "edge-1", "edge-2"], ["cpu", "cpu", "cpu"]
    assert processor_metrics(single) == {}


def test_the_run_table_gives_each_tiers_processors_under_its_first_processors_mean(tmp_path, capsys):
    from offloadsim.cli import main

    path = write_scenario(tmp_path)
    assert main(["run", str(path), "--out", str(tmp_path / "run")]) == 0
    lines = [" ".join(line.split()) for line in capsys.readouterr().out.splitlines()]
    start = next(i for i, line in enumerate(lines) if line.startswith("utilisation by tier"))
    assert lines[start : start + 7] == [
        "utilisation by tier (mean: of the nodes' first processors, then of each processor)",
        "device 0.0 %",
        "cpu 0.0 %",
        "npu 15.0 %",
        "edge 0.0 %",
        "cpu 0.0 %",
        "gpu 7.5 %",
    ]


def test_a_single_processor_run_lists_each_nodes_processor_as_its_nodes_row_and_no_more_metrics():
    """Every node with one processor: summary.json's processors repeat the nodes table, the metrics row
    gains nothing (utilisation_<tier> said it all), and the table is as it was."""
    from pathlib import Path

    from offloadsim import api

    root = Path(__file__).resolve().parents[2]
    run = api.run(root / "scenarios" / "quickstart.yaml", overrides=["duration=5 s", "warmup=1 s"])
    summary = run.summary
    nodes = run.nodes[run.nodes["cores"] > 0]
    columns = ["node", "tier", "processor", "cores", "busy_s", "utilisation", "stages_completed"]
    listed = pd.DataFrame(list(summary.processors))[columns]
    expected = nodes[columns].reset_index(drop=True).astype(listed.dtypes.to_dict())
    pd.testing.assert_frame_equal(listed, expected)
    assert summary.node_utilisation == dict(zip(nodes["node"], nodes["utilisation"], strict=True))
    assert summary.node_utilisation["edge"] > 0  # a run that computed
    names = [name for name in metrics_row(summary) if name.startswith("utilisation_")]
    # A tier of several nodes has its busiest one's too (utilisation_<tier>_max), not a processor's.
    busiest = summary.tier_utilisation_max
    assert names == [
        name
        for tier in summary.tier_utilisation
        for name in (f"utilisation_{tier}", *([f"utilisation_{tier}_max"] if tier in busiest else []))
    ]
    assert list(busiest) == ["device"]  # quickstart's 20 phones; one edge, one cloud
    assert (
        "by first processors" not in run.format_table()
        and "utilisation by tier (mean)\n" in run.format_table()
    )


def test_a_run_directory_reads_its_per_processor_metrics_written_before_summary_json_listed_them(
    result, scenario, tmp_path
):
    """read_results' one-row metrics of a run (what plot --metric reads): from summary.json, or, where it
    predates its processors, from processors.parquet, the same values."""
    import json

    from offloadsim.records.stored import read_results

    out = write_run(RunResult.from_raw(result, scenario), tmp_path / "run")

    def read() -> dict[str, float]:
        (row,) = read_results(out).metrics.to_dict("records")
        return {name: value for name, value in row.items() if name in BY_PROCESSOR}

    first = read()
    document = json.loads((out / "summary.json").read_text())
    del document["processors"]  # as a run before it wrote it
    (out / "summary.json").write_text(json.dumps(document))
    assert first == read() == pytest.approx(BY_PROCESSOR, rel=1e-12, abs=1e-15)
