"""A toy split optimiser added from outside the package, as a plug-in would: one class, one registration.

It tries every cut between a task's device and the edge and prices each
with the package's one cost model: :func:`~offloadsim.policies.splitting.plan_cost`
for a model's layer chain, :func:`~offloadsim.policies.costs.llm_request_cost`
for an LLM request (through ``view.llm_stage``).  Because that model is the
one the engine executes, the plan it picks costs, in the engine, the least
of every cut, as the shipped ``neurosurgeon`` does.
"""

from __future__ import annotations

import numpy as np
import pytest

from offloadsim.engine import simulate
from offloadsim.policies import Plan
from offloadsim.policies.costs import DeviceEnergy, llm_request_cost
from offloadsim.policies.registry import register_policy, unregister_policy
from offloadsim.policies.splitting import plan_cost
from offloadsim.scenario import load_scenario_text
from offloadsim.scenario.model import PolicySpec
from offloadsim.world import build_world


class ExhaustiveSplit:
    """Try every cut between the device and ``server``; keep the one the cost model prices lowest.

    Parameters
    ----------
    server : str
        The node that runs the layers after the cut.
    objective : str
        ``latency`` or ``energy`` (the device's joules above idle).
    """

    def __init__(self, server: str = "edge", objective: str = "latency") -> None:
        self.server = server
        self.objective = objective

    def decide(self, task, view):
        source, server = task.source, self.server
        power = view.power(source) if self.objective == "energy" else None
        energy = DeviceEnergy.of(power, view.cores(source)) if power is not None else None
        costs = [self._price(task, view, (source, server), k, energy) for k in range(task.layers + 1)]
        k = min(range(len(costs)), key=lambda i: (costs[i], -i))  # ties: more on the device
        return Plan((source, server), (k,))

    def _price(self, task, view, nodes, k, energy) -> float:
        source, server = nodes
        if getattr(task, "llm", None) is not None:
            prompt, output = task.llm
            stages = [
                view.llm_stage(task, node, start, stop)
                for node, start, stop in ((source, 0, k), (server, k, task.layers))
                if stop > start
            ]

            def hop(a, b):
                return view.route_latency_s(a, b), view.available_bandwidth_bps(a, b)

            priced = llm_request_cost(stages, source, prompt, output, hop, energy)
            return priced.energy_j if energy is not None else priced.latency_s
        times = [[view.compute_time_s(task, node, i, i + 1) for i in range(task.layers)] for node in nodes]
        bandwidth = [[0.0, view.available_bandwidth_bps(source, server)], [0.0, 0.0]]
        bandwidth[1][0] = view.available_bandwidth_bps(server, source)
        latency = [[0.0, view.route_latency_s(source, server)], [view.route_latency_s(server, source), 0.0]]
        codec = view.cut_codec(task.app, nodes)
        objective = "energy" if energy is not None else "latency"
        return plan_cost(times, task.cut_bytes, (k,), bandwidth, latency, objective, energy, codec=codec)


SCENARIO = """
name: toy-split
duration: 60 s
nodes:
  phone:
    tier: device
    processor: {speed: 40 GFLOP/s, memory_bandwidth: 12 GB/s}
    power: {idle: 0.5 W, busy: 3 W, transmit: 1.3 W, receive: 1 W, tail: 0.2 s}
  edge: {tier: edge, processor: {speed: 2 TFLOP/s, memory_bandwidth: 100 GB/s}}
links:
  - {between: [phone, edge], bandwidth: 10 Mbps, reverse_bandwidth: 40 Mbps, latency: 8 ms}
applications:
  APP
workload:
  - {app: app, sources: phone, arrivals: trace, trace: once.csv}
policy: local
"""
APPS = {
    "cnn": "app: {model: alexnet, output: 4 KB, compression: int8}",
    "llm": "app: {model: gpt2, prompt_tokens: 48, output_tokens: 6}",
}


@pytest.fixture
def toy_policy():
    register_policy("toy-exhaustive-split")(ExhaustiveSplit)
    yield
    unregister_policy("toy-exhaustive-split")


@pytest.mark.usefixtures("toy_policy")
@pytest.mark.parametrize("objective", ["latency", "energy"])
@pytest.mark.parametrize("app", sorted(APPS))
def test_a_toy_optimiser_pricing_with_the_cost_model_finds_the_engines_best_cut(tmp_path, app, objective):
    (tmp_path / "once.csv").write_text("time\n1.0\n")
    scenario = load_scenario_text(SCENARIO.replace("APP", APPS[app]), source="<toy>", base_dir=tmp_path)
    column = "latency" if objective == "latency" else "device_energy"

    def measured(policy: PolicySpec) -> float:
        tasks = simulate(scenario, policy=policy).tasks
        assert list(tasks["status"]) == ["completed"]
        return float(tasks[column][0])

    layers = build_world(scenario).apps["app"].layers
    every_cut = [
        measured(PolicySpec("fixed", {"nodes": ["phone", "edge"], "cuts": [k]})) for k in range(layers + 1)
    ]
    toy = measured(PolicySpec("toy-exhaustive-split", {"objective": objective}))
    assert toy == pytest.approx(min(every_cut), rel=1e-9)
    assert toy == pytest.approx(measured(PolicySpec("neurosurgeon", {"objective": objective})), rel=1e-9)


class ArgminSplit(ExhaustiveSplit):
    """The same prices, its cut from ``np.argmin`` and its layer order from ``np.arange``: numpy integers.

    ``validate_plan`` takes any whole number for a cut (``numbers.Integral``), numpy's included;
    the engine compiled by mypyc types the steps' layer indices ``int`` and raised a TypeError on
    them, where the pure build ran.  The engine now takes them as Python ints, in both builds.
    """

    def decide(self, task, view):
        source, server = task.source, self.server
        costs = np.array([self._price(task, view, (source, server), k, None) for k in range(task.layers + 1)])
        k = len(costs) - 1 - np.argmin(costs[::-1])  # ties: more on the device, as ExhaustiveSplit
        order = None if getattr(task, "llm", None) is not None else tuple(np.arange(task.layers))
        return Plan((source, server), (k,), order=order)


@pytest.mark.parametrize("app", sorted(APPS))
def test_a_plan_of_numpy_integers_runs_as_the_same_plan_of_ints(tmp_path, app):
    (tmp_path / "once.csv").write_text("time\n1.0\n2.0\n")
    scenario = load_scenario_text(SCENARIO.replace("APP", APPS[app]), source="<toy>", base_dir=tmp_path)
    register_policy("toy-argmin-split")(ArgminSplit)
    register_policy("toy-exhaustive-split")(ExhaustiveSplit)
    try:
        numpy_plan = simulate(scenario, policy=PolicySpec("toy-argmin-split")).tasks
        int_plan = simulate(scenario, policy=PolicySpec("toy-exhaustive-split")).tasks
    finally:
        unregister_policy("toy-argmin-split")
        unregister_policy("toy-exhaustive-split")
    assert list(numpy_plan["status"]) == ["completed"] * 2
    for column in ("split", "placement", "latency", "device_energy", "bytes_sent"):
        assert list(numpy_plan[column]) == list(int_plan[column]), column
