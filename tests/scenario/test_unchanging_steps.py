"""A node-schedule step that changes nothing: a warning naming the step, not silence.

A step that sets its nodes to the state its entry already holds them in (the first step ``up:
true``, as nodes start up; a second ``up: false`` after one) was accepted without a word, though
it is most often a mistyped time or state.  Another entry's outage is not this entry's: a step
that takes down a node another schedule holds down does change what the run does (its own
outage), and is not warned of.
"""

from __future__ import annotations

import pytest
import yaml

from offloadsim.cli import main

BASE = """\
name: steps
duration: 30 s
warmup: 1 s
nodes:
  phone: {count: 2, tier: device, processor: {speed: 1 GFLOP/s}}
  edge: {count: 2, tier: edge, processor: {speed: 100 GFLOP/s}}
links:
  - {between: [phone-*, edge-*], bandwidth: 20 Mbps, latency: 3 ms}
applications:
  job: {work: 2 GFLOP, input: 150 KB, output: 4 KB}
workload:
  - {app: job, sources: phone-*, rate: 1 /s}
policy: local
"""


def _scenario(tmp_path, *schedules, skip=()):
    document = yaml.safe_load(BASE)
    document["dynamics"] = [
        {"kind": "node-schedule", "node": node, "steps": [{"at": at, "up": up} for at, up in steps]}
        for node, steps in schedules
    ]
    if skip:
        document["skip_checks"] = list(skip)
    path = tmp_path / "steps.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


def _warnings(capsys):
    return [line for line in capsys.readouterr().err.splitlines() if line.endswith("[unchanging-steps]")]


def test_a_repeated_state_is_warned_of_at_the_step_naming_the_one_before(tmp_path, capsys):
    path = _scenario(tmp_path, ("edge-0", [("5 s", False), ("10 s", False), ("20 s", True)]))
    assert main(["validate", str(path)]) == 0
    assert _warnings(capsys) == [
        f'offloadsim: warning: {path}: dynamics[0].steps[1].at: sets "edge-0" down, but the '
        "entry's step at dynamics[0].steps[0].at already set it down: this step changes nothing (a "
        "mistyped time or state?) [unchanging-steps]"
    ]


def test_a_first_step_up_is_warned_of_as_nodes_start_up(tmp_path, capsys):
    path = _scenario(tmp_path, ("edge-*", [("5 s", True), ("10 s", False), ("12 s", True), ("14 s", True)]))
    assert main(["validate", str(path)]) == 0
    warned = _warnings(capsys)
    assert len(warned) == 2
    first = 'dynamics[0].steps[0].at: sets "edge-0", "edge-1" up, but nodes start up and this entry has not'
    assert first in warned[0]
    assert "dynamics[0].steps[3].at" in warned[1]
    assert "step at dynamics[0].steps[2].at already set them up" in warned[1]


@pytest.mark.parametrize(
    "schedules",
    [
        # Down and up in turn: every step changes its node.
        [("edge-0", [("5 s", False), ("10 s", True), ("15 s", False)])],
        # Another entry's outage is not this entry's: its down step starts an outage of its own,
        # and its up step ends it (the node stays down while the first holds it).
        [("edge-0", [("5 s", False), ("20 s", True)]), ("edge-0", [("10 s", False), ("15 s", True)])],
        # A repeat at or after the run's end is the late-dynamics check's, not this one's.
        [("edge-0", [("5 s", False), ("40 s", False)])],
    ],
)
def test_steps_that_change_something_are_not_warned_of(tmp_path, capsys, schedules):
    path = _scenario(tmp_path, *schedules)
    assert main(["validate", str(path)]) == 0
    assert _warnings(capsys) == []


def test_the_run_warns_too_and_skip_checks_silences_it(tmp_path, capsys):
    schedule = ("edge-0", [("5 s", False), ("10 s", False)])
    path = _scenario(tmp_path, schedule)
    assert main(["run", str(path), "--out", str(tmp_path / "out"), "-q"]) == 0
    assert len(_warnings(capsys)) == 1
    quiet = _scenario(tmp_path, schedule, skip=["unchanging-steps"])
    assert main(["validate", str(quiet)]) == 0
    assert _warnings(capsys) == []
