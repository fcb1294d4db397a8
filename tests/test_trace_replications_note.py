"""A comparison that replicates a trace-driven link says each replication plays the same trace.

The trial (HM33): a link-trace has no start offset, so every replication saw the same bandwidth at
the same time and the ± intervals held the arrivals' randomness only, without a word.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tiny_scenarios import phone_edge

from offloadsim.cli import main

SCENARIO = phone_edge(
    "name: traced\nduration: 5 s\nwarmup: 0 s\n",
    rate="2 /s",
    upload="20 KB",
    after="dynamics:\n  - {kind: link-trace, link: [phone, edge], file: up.csv, loop: true}\n",
)
SAID = "dynamics[0] (link-trace): each of the 2 replications plays the same trace from its start"


def _notes(tmp_path, text: str, replications: str = "2") -> list[str]:
    (tmp_path / "up.csv").write_text("time,bandwidth\n0,12 Mbps\n1,4 Mbps\n2,9 Mbps\n")
    (tmp_path / "s.yaml").write_text(text)
    out = tmp_path / f"out-{len(list(tmp_path.iterdir()))}"
    argv = ["compare", str(tmp_path / "s.yaml"), "--policies", "edge,local", "--replications", replications]
    assert main([*argv, "--out", str(out), "-q"]) == 0
    return json.loads((out / "manifest.json").read_text())["notes"]


def test_replications_of_a_trace_played_from_its_start_are_said_to_see_the_same_trace(tmp_path):
    assert any(note.startswith(SAID) for note in _notes(tmp_path, SCENARIO))


def test_a_random_offset_or_a_single_replication_is_not_said(tmp_path):
    offset = SCENARIO.replace("loop: true}", "loop: true, offset: random}")
    assert not any("plays the same trace" in note for note in _notes(tmp_path, offset))
    assert not any("plays the same trace" in note for note in _notes(tmp_path, SCENARIO, "1"))


# HK45: an arrival trace is as fixed as a link trace; with both, nothing varied and every ± was 0.
ARRIVALS = SCENARIO.replace("rate: 2 /s}", "arrivals: trace, trace: arrivals.csv}")


def test_an_arrival_trace_is_named_with_the_link_trace_and_what_would_vary_it(tmp_path):
    (tmp_path / "arrivals.csv").write_text("time\n0.3\n1.1\n2.5\n3.9\n")
    (note,) = [n for n in _notes(tmp_path, ARRIVALS) if "plays the same trace" in n]
    assert note.startswith(
        "dynamics[0] (link-trace), workload[0] (arrivals: trace): each of the 2 replications plays the "
        "same trace from its start, so the intervals hold none of the network's and the arrivals' variation, "
        "only what else the scenario draws at random"
    )
    # Nothing here is drawn at random: the runs' metrics are the same in each replication, and said so.
    assert "here each policy's 2 runs gave the same metrics: every ± 0 is one run's value" in note
    assert "offset: random starts each run at its own point of a looped link trace" in note
    assert "arrivals: poisson at its rate, or periodic with jitter" in note


def test_an_arrival_trace_alone_is_named_and_random_arrivals_beside_a_link_trace_are_not_alike(tmp_path):
    (tmp_path / "arrivals.csv").write_text("time\n0.3\n1.1\n2.5\n3.9\n")
    alone = ARRIVALS.replace(
        "dynamics:\n  - {kind: link-trace, link: [phone, edge], file: up.csv, loop: true}\n", ""
    )
    assert "link-trace" not in alone
    (note,) = [n for n in _notes(tmp_path, alone) if "plays the same trace" in n]
    assert note.startswith("workload[0] (arrivals: trace): each of the 2 replications")
    assert "looped link trace" not in note and "an arrival trace takes no offset" in note
    # Poisson arrivals differ between replications: no "same metrics", the arrivals named as what varies.
    (linked,) = [n for n in _notes(tmp_path, SCENARIO) if "plays the same trace" in n]
    assert "the intervals hold none of the network's variation, only the arrivals' randomness" in linked
    assert "same metrics" not in linked and "arrival trace" not in linked


# HQ45: a sweep's replications of a trace-driven link played the same trace without a word.
def test_a_sweep_with_replications_of_a_link_trace_says_it_at_each_point(tmp_path):
    root = Path(__file__).resolve().parents[1] / "scenarios"
    shutil.copytree(root / "traces", tmp_path / "traces")
    shutil.copy(root / "unstable-uplink.yaml", tmp_path / "uplink.yaml")
    sweep = tmp_path / "sweep.yaml"
    sweep.write_text(
        "name: traced\nbase: uplink.yaml\nset: {duration: 60 s}\n"
        "grid:\n  links[0].latency: [20 ms, 50 ms]\npolicies: [local, neurosurgeon]\nreplications: 2\n"
    )
    assert main(["sweep", str(sweep), "--out", str(tmp_path / "out"), "-q"]) == 0
    notes = json.loads((tmp_path / "out" / "manifest.json").read_text())["notes"]
    (note,) = [n for n in notes if "plays the same trace" in n]
    assert note.startswith(SAID)  # every point's, said once: no "(at points ...)"
    assert "at points" not in note
    assert "only the arrivals' randomness" in note and "offset: random starts each run" in note
    offset = sweep.read_text().replace(
        "set: {duration: 60 s}", "set:\n  duration: 60 s\n  dynamics[0].offset: random"
    )
    sweep.write_text(offset)
    assert main(["sweep", str(sweep), "--out", str(tmp_path / "random"), "-q"]) == 0
    notes = json.loads((tmp_path / "random" / "manifest.json").read_text())["notes"]
    assert not any("plays the same trace" in n for n in notes)
