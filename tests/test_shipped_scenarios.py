"""Every shipped scenario validates and runs (shortened), and the quickstart's numbers are sane."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import offloadsim
from offloadsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted(p for p in (ROOT / "scenarios").glob("*.yaml") if not p.name.startswith("sweep-"))


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_shipped_scenario_runs(path):
    scenario = load_scenario(path)
    short = ["duration=120 s", f"warmup={min(scenario.warmup_s, 5.0)} s"]
    result = offloadsim.run(path, overrides=short)
    tasks = result.tasks
    assert len(tasks) > 0, "a shipped scenario should generate work in two minutes"
    assert set(tasks.status.unique()) <= {"completed", "dropped", "failed", "in_flight"}
    assert (tasks.status == "completed").sum() > 0
    assert (tasks.status == "dropped").mean() < 0.05
    done = tasks[tasks.status == "completed"]
    assert np.all(done.latency > 0)
    assert np.allclose(done.latency, done.finish - done.arrival)


def test_quickstart_offloads_resnet50_and_meets_its_deadline():
    result = offloadsim.run(ROOT / "scenarios" / "quickstart.yaml")
    tasks = result.tasks
    # ResNet-50 on a phone core takes ~0.5 s; over 20 Mbps Wi-Fi to the calibrated CPU edge
    # server it is ~125 ms, so Neurosurgeon sends the frame (split 0) and the 200 ms deadline holds
    # but for the rare frames that queue behind others: 0.5 % missed on average over replications
    # 0-11 of the shipped seed, from 0.2 % to 1.1 % (this run's).
    assert (tasks.split == 0).mean() > 0.95
    assert result.summary.deadline_miss_rate < 0.02
    assert 0.05 < result.summary.latency_mean_s < 0.2


def test_camera_multitier_runs_as_its_comments_and_the_readme_say():
    """The README read "cameras -> edge -> cloud with two cuts"; every frame ran on camera and edge.

    By hand: 32 layers on the Pi (59.8 ms roofline), 25,088 int8 bytes at 12 Mbit/s plus 2.5 ms
    (19.2 ms), the rest on the Orin (0.46 ms), 2 KB back (3.8 ms): 83.3 ms.
    """
    path = ROOT / "scenarios" / "camera-multitier.yaml"
    short = ["duration=10 s", "warmup=1 s"]
    tasks = offloadsim.run(path, overrides=short).tasks
    placement = tasks.placement.astype(str).str.replace(r"\d+", "N", regex=True)
    assert set(placement) == {"camera-N>edge-N"} and set(tasks.split) == {32}
    assert np.allclose(tasks.latency.dropna(), 0.0833, atol=0.0001)
    slow = offloadsim.run(path, overrides=[*short, "nodes.edge.processor.profile=raspberry-pi-4"]).tasks
    assert set(slow.placement.astype(str).str.replace(r"\d+", "N", regex=True)) == {"camera-N>cloud"}


def test_quickstart_edge_uses_the_calibrated_profile():
    from offloadsim.world import build_world

    world = build_world(load_scenario(ROOT / "scenarios" / "quickstart.yaml"))
    costs = world.processors["edge"].costs
    assert costs.kind == "calibrated"
    assert costs.name == "xeon-ort-1t"
