"""A comparison that replicates a trace-driven link says each replication plays the same trace.

The trial (HM33): a link-trace has no start offset, so every replication saw the same bandwidth at
the same time and the ± intervals held the arrivals' randomness only, without a word.
"""

from __future__ import annotations

import json

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
