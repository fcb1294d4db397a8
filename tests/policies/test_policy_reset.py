"""The per-run reset: a policy object that served one run serves the next as a fresh one would."""

from __future__ import annotations

import numpy as np
import pytest

from offloadsim.engine import Simulation
from offloadsim.policies import Plan
from offloadsim.policies.registry import make_policy, policy_names
from offloadsim.scenario import load_scenario_text
from offloadsim.world import build_world

SYSTEM = """
name: reset
duration: 20 s
seed: 4
nodes:
  phone:
    count: PHONES
    tier: device
    processor: {speed: 20 GFLOP/s}
    power: {idle: 0.5 W, busy: 3 W, transmit: 1.3 W}
  ap: {tier: network}
  edge: {count: EDGES, tier: edge, processor: {speed: 500 GFLOP/s, cores: 2}}
  cloud: {tier: cloud, processor: {speed: 5 TFLOP/s, cores: 4}}
links:
  - {between: [phone-*, ap], bandwidth: BANDWIDTH, latency: 3 ms}
  - {between: [ap, edge-*], bandwidth: 1 Gbps, latency: 0.5 ms}
  - {between: [edge-*, cloud], bandwidth: 200 Mbps, latency: 20 ms}
applications:
  cnn: {model: alexnet, output: 4 KB}
workload:
  - {app: cnn, sources: phone-*, arrivals: poisson, rate: 3 /s}
"""

PARAMS = {
    "fixed": {"node": "edge-0"},
    "by-group": {"groups": {"phone": {"name": "neurosurgeon", "load_aware": True}}, "default": "local"},
}


def _world(phones: int, edges: int, bandwidth: str):
    text = SYSTEM.replace("PHONES", str(phones)).replace("EDGES", str(edges)).replace("BANDWIDTH", bandwidth)
    return build_world(load_scenario_text(text + "policy: local\n", source="<t>"))


def _records(world, policy, name: str) -> dict[str, np.ndarray]:
    tasks = Simulation(world, policy, name, world.scenario.seed).run().tasks
    return {column: tasks[column] for column in ("source", "arrival", "placement", "split", "latency")}


@pytest.mark.parametrize("name", sorted(policy_names()))
def test_a_policy_reused_on_another_system_decides_as_a_fresh_one(name):
    """Whatever the first run cached (nearest nodes, turns, per-layer times) is gone in the second."""
    first, second = _world(4, 2, "20 Mbps"), _world(3, 1, "5 Mbps")
    reused = make_policy(name, PARAMS.get(name, {}))
    _records(first, reused, name)
    again = _records(second, reused, name)
    fresh = _records(second, make_policy(name, PARAMS.get(name, {})), name)
    for column, values in fresh.items():
        np.testing.assert_array_equal(again[column], values, err_msg=column)
    assert len(again["source"]) > 100


class Recording:
    """A plug-in policy that notes what the engine tells it."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, object]] = []

    def reset(self, view) -> None:
        self.calls.append(("reset", view))
        self.first_draw = float(view.rng.random())

    def decide(self, task, view) -> Plan:
        self.calls.append(("decide", view))
        return Plan.run_on(task.source)


def test_the_engine_resets_once_per_run_before_the_first_decision_with_the_policys_own_stream():
    world = _world(2, 1, "20 Mbps")
    policy = Recording()
    draws = []
    for _ in range(2):
        Simulation(world, policy, "recording", 11).run()
        draws.append(policy.first_draw)
    resets = [i for i, (what, _) in enumerate(policy.calls) if what == "reset"]
    assert len(resets) == 2 and resets[0] == 0
    views = {id(view) for _, view in policy.calls}
    assert len(views) == 2  # one view per run; the second run's decisions all come after its reset
    assert all(view is policy.calls[resets[1]][1] for _, view in policy.calls[resets[1] :])
    assert draws[0] == draws[1]  # the same seed: the same stream
    other = Recording()
    Simulation(world, other, "another-name", 11).run()
    assert other.first_draw != draws[0]  # the stream is keyed by the policy's name


def test_a_policy_without_reset_still_runs():
    class Plain:
        def decide(self, task, view) -> Plan:
            return Plan.run_on(task.source)

    tasks = Simulation(_world(2, 1, "20 Mbps"), Plain(), "plain", 1).run().tasks
    assert (np.asarray(tasks["status"]) == "completed").sum() > 50
