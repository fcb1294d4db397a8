"""The chunked summary is the whole-table summary where tasks are lost: dropped, failed, timed out.

A run's summary comes from its records a chunk at a time (``offloadsim run``,
:mod:`offloadsim.analysis.chunked`) or from a whole table (results read back).  The backlog the
warning reads counts a lost task in the system until it was lost (``lost_at``); the chunked path
once counted it as leaving when it arrived, so the two disagreed on the backlog, and its warning,
wherever a task waited before it was lost.  A node's whole tasks' compute seconds (the settling
warning's mean service time) were summed chunk by chunk, a float apart from the table's sum.
Here every number both paths compute is compared, field by field, on runs spilled a few rows a
chunk: runs built to lose tasks each way, then random small scenarios.
"""

from __future__ import annotations

import json
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest

import offloadsim.engine.records as engine_records
from offloadsim import api
from offloadsim.analysis import chunked
from offloadsim.analysis.offered_load import closed_loops, offered_rates
from offloadsim.analysis.summary import Summary, _task_stats, summarize
from offloadsim.analysis.table_notes import application_order
from offloadsim.records.results import _unpowered_groups
from offloadsim.scenario import ScenarioWarning, load_scenario_text

# One core serving exponential jobs of mean 1 s at RATE, as tests/engine/test_overload.py's queue.
QUEUE = """\
name: lossy-queue
seed: {seed}
duration: {duration} s
nodes:
  server: {{tier: device, processor: {{speed: 1 GFLOP/s, cores: 1, queue_limit: {limit}}}}}
applications:
  job: {{service: {{exponential: {{mean: 1 s}}}}, deadline: {deadline} s}}
workload:
  - {{app: job, sources: server, rate: {rate} /s}}
{recovery}
"""

# Phones and cameras (two source groups, two applications) offloading to two edges that fail at
# random, one taken down on a schedule, behind a link that goes down for a while: tasks failed by a
# node or a link, dropped with no node to place them.
EDGES = """\
name: lossy-edges
seed: {seed}
duration: {duration} s
warmup: 5 s
nodes:
  phone: {{count: {phones}, tier: device, processor: {{speed: 1 GFLOP/s}}}}
  cam: {{count: 2, tier: device, processor: {{speed: 2 GFLOP/s}}}}
  ap: {{tier: network}}
  edge: {{count: 2, tier: edge, processor: {{speed: {speed} GFLOP/s, cores: {cores}, queue_limit: {limit}}}}}
links:
  - {{between: [phone-*, ap], bandwidth: 50 Mbps, latency: 2 ms}}
  - {{between: [cam-*, ap], bandwidth: 20 Mbps, latency: 3 ms}}
  - {{between: [ap, edge-*], bandwidth: 1 Gbps, latency: 1 ms}}
applications:
  job: {{work: 2 GFLOP, input: 100 KB, output: 1 KB, deadline: {deadline} s}}
  look: {{work: 1 GFLOP, input: 300 KB, output: 1 KB}}
workload:
  - {{app: job, sources: phone-*, rate: {rate} /s}}
  - {{app: look, sources: cam-*, rate: 1 /s}}
policy: {policy}
dynamics:
  - kind: node-schedule
    node: edge-0
    steps: [{{at: {down} s, up: false}}, {{at: {up} s, up: true}}]
  - kind: link-schedule
    link: [ap, edge-1]
    steps: [{{at: {link_down} s, up: false}}, {{at: {link_up} s, up: true}}]
  - {{kind: failures, nodes: edge-*, mtbf: {mtbf} s, mttr: {mttr} s}}
{recovery}
"""

# The edges' run: loaded enough that an edge down leaves the other's queue full, its lost tasks waited.
_EDGE_RUN = {
    "duration": 60,
    "phones": 4,
    "speed": 8,
    "cores": 1,
    "limit": 20,
    "deadline": 2,
    "rate": 1.5,
    "policy": "least-loaded",
    "down": 20,
    "up": 35,
    "link_down": 30,
    "link_up": 40,
    "mtbf": 15,
    "mttr": 5,
}
_RETRIED = "recovery: {timeout: 1 s, retries: 1, backoff: 100 ms, fallback: another}"

# Runs that lose tasks each way (each spilled every 7 records).
LOSSY = {
    # Timed out after waiting up to 120 s in an overloaded queue: the backlog rises all run only
    # where a timed-out task counts until it was lost ([29, 89, 134, 153] against [29, 89, 66, 153]).
    "timed-out": QUEUE.format(
        seed=1, duration=400, limit=10000, deadline=30, rate=1.5, recovery="recovery: {timeout: 120 s}"
    ),
    "full-queue": QUEUE.format(seed=2, duration=600, limit=3, deadline=4, rate=1.3, recovery=""),
    "failed": EDGES.format(seed=3, recovery="", **_EDGE_RUN),
    "recovered": EDGES.format(seed=4, recovery=_RETRIED, **_EDGE_RUN),
}


def _text(value: Any) -> str:
    """A value as comparable text: NaN equal to NaN, a float bit for bit, a set in order."""
    return json.dumps(value, sort_keys=True, default=lambda v: sorted(v) if isinstance(v, set) else repr(v))


def _differences(ours: dict[str, Any], theirs: dict[str, Any]) -> list[str]:
    return [
        f"{key}: chunked {ours.get(key)!r}, whole table {theirs.get(key)!r}"
        for key in sorted(set(ours) | set(theirs))
        if _text(ours.get(key)) != _text(theirs.get(key))
    ]


def _both_paths(text: str, chunk_rows: int) -> tuple[Any, dict[str, Any], dict[str, list[str]]]:
    """Run ``text`` spilled every ``chunk_rows`` records; its columns and each path's disagreements.

    Compared: the task statistics (``backlog`` and the compute behind the settling warning
    included, which the summary keeps only as its warnings) and the whole summaries, of the records
    (chunked) against a table of the same records as arrays and as a DataFrame, each given what
    the run gives its own (as ``RunResult.from_raw`` does).
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(engine_records, "CHUNK_ROWS", chunk_rows)
        scenario = load_scenario_text(text)
        result = api.run(scenario)
    records, manifest = result.records, result.manifest
    assert records is not None
    duration, end = manifest["duration_s"], manifest["end_s"]
    columns = dict(records.items())
    sources = {source for entry in scenario.workload for source in entry.sources}
    rest = {
        "end_s": end,
        "processors": result._processors,
        "powered_sources": result.summary.powered_sources,
        "offered_rates": offered_rates(scenario.workload, manifest["warmup_s"], end),
        "applications": application_order([scenario]),
        "unpowered_groups": _unpowered_groups(scenario, sources),
        "loops": closed_loops(scenario.workload),
    }
    found = {
        "task statistics": _differences(
            chunked.task_stats(records, duration, end), _task_stats(columns, duration, end)
        )
    }
    # The run's own summary places its warnings among its source groups after (group_tally.py).
    ours = summarize(records, result._nodes, result._links, duration, **rest)
    for name, table in (("arrays", columns), ("DataFrame", pd.DataFrame(columns))):
        theirs: Summary = summarize(table, result._nodes, result._links, duration, **rest)
        found[f"summary of the {name}"] = _differences(ours.to_dict(), theirs.to_dict())
    return result, columns, found


@pytest.fixture(scope="module")
def lossy() -> dict[str, tuple[Any, dict[str, Any], dict[str, list[str]]]]:
    return {name: _both_paths(text, 7) for name, text in LOSSY.items()}


@pytest.mark.parametrize("name", sorted(LOSSY))
def test_a_run_losing_tasks_summarises_alike_a_chunk_at_a_time_and_whole(name, lossy):
    result, _, found = lossy[name]
    assert len(result.records.log.chunks) >= 10
    assert {where: wrong for where, wrong in found.items() if wrong} == {}


def test_the_compared_runs_lose_tasks_each_way_after_they_waited(lossy):
    """The comparison means something: tasks timed out, dropped by a full queue, failed by a node
    or a link, each lost some time after it arrived (so that its ``lost_at`` matters), in runs with
    several source groups and applications."""
    reasons = {name: lossy[name][0].summary.drop_reasons for name in LOSSY}
    assert lossy["timed-out"][0].summary.failed > 50
    assert lossy["full-queue"][0].summary.dropped > 100
    assert any(reason.endswith("went down") for reason in reasons["failed"]), reasons["failed"]
    assert any(reason.startswith("no route") for reason in reasons["failed"]), reasons["failed"]
    assert lossy["recovered"][0].summary.recovered > 0
    split = lossy["failed"][0].summary  # its numbers per source group and per application compared too
    assert "cam.arrived" in split.source_groups and "phone.arrived" in split.source_groups
    assert {key.split(".")[0] for key in split.apps} == {"job", "look"}
    assert any(reason.startswith("timed out") for reason in reasons["recovered"]), reasons["recovered"]
    for name in ("timed-out", "failed", "recovered"):
        columns = lossy[name][1]
        waited = columns["lost_at"] - columns["arrival"]
        assert np.nanmax(waited) > 0.5, name
    warned = [w for w in lossy["timed-out"][0].summary.warnings if "tasks in the system grew" in w]
    assert warned and "(29 -> 89 -> 134 -> 153 at the end" in warned[0]


def _random_scenario(rng: np.random.Generator, seed: int) -> str:
    """A small run losing tasks in some of the ways above, its numbers drawn from ``rng``."""
    fallback = rng.choice(["drop", "local", "another"])
    recovery = [
        "",
        f"recovery: {{timeout: {rng.uniform(0.2, 3):.2f} s}}",
        f"recovery: {{retries: {rng.integers(0, 3)}, backoff: 50 ms, fallback: {fallback}}}",
    ][int(rng.integers(0, 3))]
    if rng.random() < 0.3:
        return QUEUE.format(
            seed=seed,
            duration=int(rng.integers(50, 200)),
            limit=int(rng.integers(1, 30)),
            deadline=round(float(rng.uniform(1, 20)), 1),
            rate=round(float(rng.uniform(0.5, 2.5)), 2),
            recovery=recovery,
        )
    duration = int(rng.integers(15, 40))
    down, link_down = (round(float(rng.uniform(5, 0.6 * duration)), 1) for _ in range(2))
    return EDGES.format(
        seed=seed,
        duration=duration,
        phones=int(rng.integers(1, 5)),
        speed=int(rng.integers(2, 20)),
        cores=int(rng.integers(1, 3)),
        limit=int(rng.integers(1, 40)),
        deadline=round(float(rng.uniform(0.3, 3)), 2),
        rate=round(float(rng.uniform(0.5, 4)), 2),
        policy=rng.choice(["edge", "least-loaded", "local"]),
        down=down,
        up=round(down + float(rng.uniform(1, 0.3 * duration)), 1),
        link_down=link_down,
        link_up=round(link_down + float(rng.uniform(1, 0.3 * duration)), 1),
        mtbf=round(float(rng.uniform(5, 60)), 1),
        mttr=round(float(rng.uniform(0.5, 10)), 1),
        recovery=recovery,
    )


def test_random_small_runs_summarise_alike_a_chunk_at_a_time_and_whole():
    """Six seeded random scenarios (a few seconds each), each spilled a random few rows a chunk."""
    rng = np.random.default_rng(45)
    lost = 0
    for _ in range(6):
        text = _random_scenario(rng, seed=int(rng.integers(1, 1000)))
        with warnings.catch_warnings():  # what a check says of a drawn scenario is not compared here
            warnings.simplefilter("ignore", ScenarioWarning)
            result, _, found = _both_paths(text, chunk_rows=int(rng.integers(3, 40)))
        assert {where: wrong for where, wrong in found.items() if wrong} == {}, text
        lost += result.summary.dropped + result.summary.failed
    assert lost > 0
