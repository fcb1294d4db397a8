"""An overloaded node decoding LLM answers is said to serve them one at a time (no batching).

HC31's trial: an edge Jetson serving Llama 3.2 1B saturated near 2 requests/s and its output token
throughput fell under overload, and nothing in the run's output said that the simulator serves each
request's decode steps one at a time (docs/models.md, "Nor is batching"), where a batching server
(vLLM-style) would carry more.  The overload warning about that node says so, once; a node
overloaded with anything else does not.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

import offloadsim
from offloadsim.analysis.summary import summarize
from offloadsim.analysis.warning_facts import WarningFacts
from offloadsim.analysis.warning_kinds.backlog import BACKLOG
from offloadsim.analysis.warning_kinds.busy_growing import BUSY_GROWING
from offloadsim.analysis.warning_notes import run_warnings_notes
from offloadsim.records.results import read_run
from offloadsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]
CLAUSE = "serves one request at a time (no batching"


def _edge_overloaded(tmp_path: Path):
    scenario = load_scenario(
        ROOT / "scenarios/llm-assistant.yaml",
        overrides=["policy={name: fixed, nodes: [edge]}", "workload[0].rate=0.5 /s", "duration=120 s"],
    )
    return offloadsim.run(scenario, out=tmp_path / "out")


def test_the_overload_warning_on_a_decoding_node_says_it_has_no_batching(tmp_path: Path) -> None:
    result = _edge_overloaded(tmp_path)
    warnings, facts = result.summary.warnings, result.summary.warning_facts
    said = [text for text in warnings if CLAUSE in text]
    assert len(said) == 1  # once, though the backlog warning is about the same overload
    (growing,) = [f for f in facts if f.kind == BUSY_GROWING]
    assert said[0].startswith("busy all run while their queue grew: edge (")
    assert growing.llm_nodes == ("edge",)
    assert all(not f.llm_nodes for f in facts if f.kind == BACKLOG)
    assert read_run(tmp_path / "out").summary == result.summary  # kept in summary.json
    # the summary read from the records again (the path compare's workers take) says the same
    again = summarize(result.tasks, result.nodes, result.links, result.summary.duration_s)
    assert [text for text in again.warnings if CLAUSE in text] == said


def test_a_node_overloaded_without_llm_work_says_nothing_of_batching(tmp_path: Path) -> None:
    text = (
        "name: q\nseed: 1\nduration: 600 s\n"
        "nodes:\n  phone: {tier: device, processor: {speed: 1 GFLOP/s}}\n"
        "applications:\n  job: {service: {exponential: {mean: 1 s}}}\n"
        "workload:\n  - {app: job, sources: phone, rate: 1.5 /s}\n"
    )
    path = tmp_path / "q.yaml"
    path.write_text(text)
    result = offloadsim.run(load_scenario(path))
    assert result.summary.warnings and not any(CLAUSE in w for w in result.summary.warnings)


def test_compare_notes_say_it_once_of_every_runs_nodes() -> None:
    clause = "LLM decoding on edge serves one request at a time"
    rows = [
        {
            "policy": "fixed",
            "replication": r,
            "warning": f"busy all run while their queue grew: edge (100.0% busy); {clause} (no batching, "
            "docs/models.md), so it saturates sooner than a batching server (vLLM-style) would",
            "facts": WarningFacts(
                BUSY_GROWING, nodes=(("edge", 1.0),), node_count=1, llm_nodes=("edge",)
            ).to_dict(),
        }
        for r in (0, 1)
    ]
    metrics = pd.DataFrame({"policy": ["fixed", "fixed"], "replication": [0, 1]})
    (note,) = run_warnings_notes(
        {"run_warnings": rows}, metrics, ["policy"], ["policy", "replication"], in_flight_said=False
    )
    assert note.count("no batching") == 1 and clause in note
    assert note.startswith("busy all run while their queue grew in 2 of 2 runs")
