"""Overload is not silent: the summary flags a growing backlog, queues are bounded, busy links read busy."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

import offloadsim
from offloadsim import engine
from offloadsim.scenario import ScenarioWarning, load_scenario_text
from offloadsim.scenario.model import DEFAULT_QUEUE_LIMIT

# One core; Poisson arrivals at RATE, exponential service with mean 1 s: load = RATE.
QUEUE = """\
name: queue
seed: {seed}
duration: {duration} s
nodes:
  phone: {{tier: device, processor: {{speed: 1 GFLOP/s{limit}}}}}
applications:
  job: {{service: {{exponential: {{mean: 1 s}}}}}}
workload:
  - {{app: job, sources: phone, rate: {rate} /s}}
"""


def queue(rate: float, duration: float, seed: int = 1, limit: int | None = None) -> str:
    shown = "" if limit is None else f", queue_limit: {limit}"
    return QUEUE.format(rate=rate, duration=duration, seed=seed, limit=shown)


def run(text: str, **kwargs):
    return offloadsim.run(load_scenario_text(text), **kwargs)


def test_overload_is_flagged_in_the_summary_and_its_files(tmp_path: Path):
    result = run(queue(rate=1.5, duration=600), out=tmp_path / "out")
    system, node, offered = result.summary.warnings
    assert "grew through the run" in system and "still in flight" in system and "overloaded" in system
    assert node.startswith("busy all run while their queue grew: phone (")
    assert offered.startswith("overloaded: phone offered ")  # its throughput no capacity
    table = (tmp_path / "out" / "summary.txt").read_text()
    assert f"warning: {system}" in table and f"warning: {node}" in table and f"warning: {offered}" in table
    assert json.loads((tmp_path / "out" / "summary.json").read_text())["warnings"] == [system, node, offered]
    assert offloadsim.records.results.read_run(tmp_path / "out").summary.warnings == (system, node, offered)
    # Each warning's numbers beside its text, kept in summary.json and read back as they were.
    busy = float(result.nodes.set_index("node").loc["phone", "utilisation"])
    backlog, growing, _ = result.summary.warning_facts
    assert (backlog.kind, backlog.nodes) == ("backlog", ())
    assert (growing.kind, growing.nodes, growing.node_count) == ("busy_growing", (("phone", busy),), 1)
    assert offloadsim.records.results.read_run(tmp_path / "out").summary == result.summary


def test_a_summary_json_without_warning_facts_reads_and_edited_ones_are_refused(tmp_path: Path):
    """A run directory written before the facts were kept reads with none; facts edited out of shape,
    or not one per warning, are a bad input naming the key (exit 2), not an internal error."""
    from offloadsim.cli import main
    from offloadsim.records.results import read_run

    out = tmp_path / "out"
    result = run(queue(rate=1.5, duration=600), out=out)
    document = json.loads((out / "summary.json").read_text())
    del document["warning_facts"]
    document["warnings"] = document["warnings"][:2]  # the backlog's and the busy node's, as written then
    (out / "summary.json").write_text(json.dumps(document))
    old = read_run(out).summary
    assert old.warnings == result.summary.warnings[:2] and old.warning_facts == ()
    for facts, said in (
        ([{"kind": "backlog"}], "warning_facts: expected a list of 2 (one per warning), got a list"),
        (
            [{"kind": "backlog"}, {"kind": "busy_growing", "nodes": {"phone": "x"}}],
            'warning_facts[1].nodes["phone"]: expected a busy share (a number), got "x"',
        ),
        (
            [{"kind": "backlog"}, {"kind": "settling", "length_s": "1 h"}],
            'warning_facts[1].length_s: expected a number, got "1 h"',
        ),
    ):
        (out / "summary.json").write_text(json.dumps({**document, "warning_facts": facts}))
        with pytest.raises(offloadsim.records.results.ResultsError, match="summary.json: " + re.escape(said)):
            read_run(out)
        assert main(["plot", str(out), "--out", str(tmp_path / "fig.png")]) == 2


@pytest.mark.parametrize("seed", range(5))
def test_a_stable_queue_raises_no_warning(seed: int):
    result = run(queue(rate=0.5, duration=2000, seed=seed))
    assert result.summary.warnings == ()


def test_a_full_queue_drops_stages_and_counts_them():
    result = run(queue(rate=2.0, duration=300, limit=50))
    nodes = result.nodes.set_index("node")
    refused = int(nodes.loc["phone", "refused_full"])
    assert refused > 0
    assert refused == result.summary.dropped  # one stage per task: every drop is a full queue
    assert int(nodes.loc["phone", "queued_at_end"]) <= 50
    assert any("queue was full (processor.queue_limit): phone (" in w for w in result.summary.warnings)


def test_default_queue_limit_bounds_an_overloaded_queue():
    assert load_scenario_text(queue(1.0, 1)).nodes[0].processor.queue_limit == DEFAULT_QUEUE_LIMIT
    # Twice the service rate for 12,000 s: the backlog would reach about 12,000 stages.
    raw = engine.simulate(load_scenario_text(queue(rate=2.0, duration=12_000)))
    at_end = raw.nodes["queued_at_end"][0]
    assert at_end == DEFAULT_QUEUE_LIMIT
    assert raw.nodes["refused_full"][0] > 0


SATURATED = """\
name: saturated
duration: 10 s
warmup: {warmup} s
nodes:
  phone: {{tier: device}}
  edge: {{tier: edge, processor: {{speed: 1 GFLOP/s}}}}
links:
  - {{between: [phone, edge], bandwidth: 1 Mbps, latency: 1 ms}}
applications:
  job: {{service: 1 ms, input: 100 MB}}
workload:
  - {{app: job, sources: phone, arrivals: trace, trace: trace.csv}}
policy: edge
"""


@pytest.mark.parametrize("warmup, times", [(0, "0.5"), (2, "0.5"), (2, "0.5\n1.0\n3.0")])
def test_link_busy_with_transfers_that_never_finish_reads_busy(tmp_path: Path, warmup: int, times: str):
    """100 MB over 1 Mbps takes 800 s: nothing finishes, yet the uplink carried 10 s of bytes."""
    (tmp_path / "trace.csv").write_text("time\n" + times + "\n")
    scenario = load_scenario_text(SATURATED.format(warmup=warmup), base_dir=tmp_path)
    if max(map(float, times.split())) < warmup:  # every arrival in the warm-up: said so
        with pytest.warns(ScenarioWarning, match="none of its tasks is measured"):
            result = offloadsim.run(scenario)
    else:
        result = offloadsim.run(scenario)
    links = result.links.set_index(["a", "b"])
    busy_from = max(warmup, 0.5)  # the first transfer starts at 0.5 s
    measured = 10.0
    expected = 1e6 / 8 * (warmup + measured - busy_from)
    assert links.loc[("phone", "edge"), "bytes"] == pytest.approx(expected, rel=1e-9)
    assert links.loc[("phone", "edge"), "utilisation"] == pytest.approx(expected * 8 / 1e6 / measured)
    assert links.loc[("edge", "phone"), "bytes"] == 0.0
    assert result.summary.in_flight == result.summary.arrived


def test_finished_transfers_are_counted_once(tmp_path: Path):
    """A transfer that ends inside the run is counted in full, not twice."""
    (tmp_path / "trace.csv").write_text("time\n0.5\n")
    text = SATURATED.format(warmup=0).replace("input: 100 MB", "input: 125 KB")  # 1 s at 1 Mbps
    result = offloadsim.run(load_scenario_text(text, base_dir=tmp_path))
    links = result.links.set_index(["a", "b"])
    assert links.loc[("phone", "edge"), "bytes"] == pytest.approx(125e3)


def test_bounded_plan_cache_changes_no_record(monkeypatch):
    """Random placement over many nodes compiles a plan per pair: the cache empties when full."""
    text = (
        queue(rate=20.0, duration=20)
        .replace(
            "  phone: {tier: device",
            "  edge: {count: 30, tier: edge, processor: {speed: 1 GFLOP/s}}\n"
            "  phone: {count: 5, tier: device",
        )
        .replace("sources: phone", "sources: phone-*")
        .replace("workload:", "links:\n  - {between: [phone-*, edge-*], bandwidth: 1 Gbps}\nworkload:")
    ) + "policy: random\n"
    whole = run(text).tasks
    monkeypatch.setattr("offloadsim.engine.simulation.COMPILED_CACHE", 7)
    bounded = run(text).tasks
    assert whole["placement"].nunique() > 7
    pd.testing.assert_frame_equal(whole, bounded)


# A two-station pipeline whose cut sends 10 MB over a 100 Mbit/s link: 2 requests a second offer it
# 160 Mbit/s, while each station is busy 20 % of the time.
PIPELINE = """\
name: pipeline
seed: 1
duration: 60 s
warmup: 10 s
nodes:
  phone: {tier: device}
  a: {tier: edge, processor: {speed: 1 GFLOP/s}}
  b: {tier: edge, processor: {speed: 1 GFLOP/s}}
links:
  - {between: [phone, a], bandwidth: 1 Gbps, latency: 1 ms}
  - {between: [a, b], bandwidth: %s, latency: 1 ms}
applications:
  job:
    stages:
      - {work: 0.1 GFLOP, output: 10 MB}
      - {work: 0.1 GFLOP}
workload:
  - {app: job, sources: phone, arrivals: poisson, rate: %s}
policy: {name: fixed, nodes: [a, b], cuts: [1]}
"""


GREW = "the tasks in the system grew"


def test_a_backlog_on_a_saturated_link_names_the_link():
    """A trial user's three-edge pipeline piled its tasks up on the links its cut tensors crossed:
    the backlog warning said "overloaded" with the mean queueing wait at 9 ms and named nothing."""
    (backlog,) = [w for w in run(PIPELINE % ("100 Mbps", "2 /s")).summary.warnings if w.startswith(GREW)]
    assert backlog.endswith(
        "; link directions that carried 99% or more of their capacity over the measured time: a->b "
        "(transfers wait there for their share, which the queueing wait does not count)"
    )


def test_a_backlog_at_a_processor_names_no_link():
    """The same pipeline with a wide link and 15 requests a second: the stations (0.1 s a request) are
    what does not keep up, the link carrying at most 1.2 of its 10 Gbit/s; the warning names no link."""
    (backlog,) = [w for w in run(PIPELINE % ("10 Gbps", "15 /s")).summary.warnings if w.startswith(GREW)]
    assert "link directions" not in backlog and backlog.endswith("its latencies depend on how long it ran")


def test_a_backlog_counts_a_lost_task_in_the_system_until_it_was_lost():
    """The backlog warning counted a dropped or failed task as leaving when it arrived: a task a
    failure cut short after 2 s in the system was never in it. It leaves at its ``lost_at`` now, and
    at its arrival in a table written before that column (or a row without it)."""
    from offloadsim.analysis.table_columns import status_masks
    from offloadsim.analysis.warning_kinds.backlog import backlog_counts

    tasks = pd.DataFrame(
        {
            "status": ["failed", "dropped", "completed", "in_flight"],
            "arrival": [0.5, 0.6, 0.7, 3.5],
            "finish": [float("nan"), float("nan"), 1.5, float("nan")],
            "lost_at": [2.5, float("nan"), float("nan"), float("nan")],
        }
    )
    # in the system at 1, 2, 3 and 4 s: the failed task until 2.5 s, the completed one until 1.5 s
    assert backlog_counts(tasks, 4.0, 4.0, status_masks(tasks))[0] == [2, 1, 0, 1]
    older = tasks.drop(columns="lost_at")
    assert backlog_counts(older, 4.0, 4.0, status_masks(older))[0] == [1, 0, 0, 1]
