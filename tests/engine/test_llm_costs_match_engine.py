"""An LLM request costs what the split optimisers predict: on an idle system, predicted = measured.

For every cut of a small LLM between the phone and the edge, and every pair
of cuts over phone, edge and cloud, one request runs through the engine
alone under a fixed plan; its latency, time to first token and device
energy (compute, radio and radio tail) equal
:func:`~offloadsim.policies.costs.llm_request_cost` over stage times from
the LLM's cost model.  A split decode pays a round trip per token, which
the optimisers price, so the cut they choose is the engine's best.
"""

from __future__ import annotations

import itertools

import pytest

from offloadsim.engine import simulate
from offloadsim.policies.costs import TOKEN_BYTES, DeviceEnergy, LLMStage, llm_request_cost
from offloadsim.scenario import load_scenario_text
from offloadsim.scenario.model import PolicySpec
from offloadsim.world import build_world

SCENARIO = """
name: llm-agree
duration: 120 s
nodes:
  phone:
    tier: device
    processor: {speed: 40 GFLOP/s, memory_bandwidth: 12 GB/s}
    power: {idle: 0.5 W, busy: 3 W, transmit: 1.3 W, receive: 1 W, tail: TAIL}
  ap: {tier: network}
  edge: {tier: edge, processor: {speed: 2 TFLOP/s, memory_bandwidth: 100 GB/s}}
  cloud: {tier: cloud, processor: {speed: 50 TFLOP/s, memory_bandwidth: 1 TB/s}}
links:
  - {between: [phone, ap], bandwidth: 20 Mbps, reverse_bandwidth: 40 Mbps, latency: 6 ms}
  - {between: [ap, edge], bandwidth: 1 Gbps, latency: 1 ms}
  - {between: [edge, cloud], bandwidth: 200 Mbps, latency: 15 ms}
applications:
  chat: {model: gpt2, prompt_tokens: 48, output_tokens: 6}
workload:
  - {app: chat, sources: phone, arrivals: trace, trace: once.csv}
policy: local
"""
STATIONS = ("phone", "edge", "cloud")

#: A radio whose draw grows with its throughput (docs/scenario-format.md, "Radio power that grows
#: with throughput"), written where a tail is: its bits are priced as the engine charges them.
PER_RATE = "0.05 s, transmit_per_rate: 438.39 mW/Mbps, receive_per_rate: 51.97 mW/Mbps"


def world_for(tmp_path, tail: str):
    (tmp_path / "once.csv").write_text("time\n1.0\n")
    text = SCENARIO.replace("TAIL", tail)
    return build_world(load_scenario_text(text, source="<t>", base_dir=tmp_path))


def outcome(world, nodes, cuts) -> tuple[float, float, float]:
    """Latency, time to first token and device energy of the one request under a fixed plan."""
    params = {"nodes": list(nodes), "cuts": list(cuts)}
    tasks = simulate(world, policy=PolicySpec("fixed", params)).tasks
    assert list(tasks["status"]) == ["completed"]
    return float(tasks["latency"][0]), float(tasks["ttft"][0]), float(tasks["device_energy"][0])


def predicted(world, nodes, cuts) -> tuple[float, float, float]:
    """llm_request_cost over ``nodes`` split at ``cuts``, stage by stage from the LLM's cost model."""
    cost = world.apps["chat"].llm
    prompt, output = 48, 6
    bounds = (0, *cuts, cost.layers)
    stages = []
    for j, node in enumerate(nodes):
        start, stop = bounds[j], bounds[j + 1]
        if stop > start:
            speed = world.app_speed("chat", node)
            memory = world.processors[node].memory_Bps
            decode = [cost.decode_s(speed, memory, start, stop, prompt + i) for i in range(output - 1)]
            prefill = cost.prefill_s(speed, memory, start, stop, prompt)
            stages.append(LLMStage(node, prefill, decode, cost.hidden_bytes))

    def hop(a: str, b: str) -> tuple[float, float]:
        route = world.topology.route(a, b)
        return route.latency_s, route.bottleneck_bps

    power = DeviceEnergy.of(world.nodes["phone"].power)
    priced = llm_request_cost(stages, "phone", prompt, output, hop, power)
    return priced.latency_s, priced.ttft_s, priced.energy_j


def token_sharing_bound_s(world, nodes, cuts) -> float:
    """How much later the engine may finish than the prediction, which prices each flow alone.

    When a split decode's first segment is not the source, each token leaves
    the last segment twice at once (home, and to the first segment); where
    the two routes share a channel, max-min fairness gives each at least
    half of it, so each copy takes at most twice its lone time.  0 for
    every other plan (one flow at a time).
    """
    bounds = (0, *cuts, world.apps["chat"].layers)
    used = [node for j, node in enumerate(nodes) if bounds[j + 1] > bounds[j]]
    first, last = used[0], used[-1]
    if len(used) == 1 or first == last or first == "phone":
        return 0.0
    tokens = 6

    def lone_s(a: str, b: str) -> float:
        return 8.0 * TOKEN_BYTES / world.topology.route(a, b).bottleneck_bps

    return (tokens - 1) * lone_s(last, first) + lone_s(last, "phone")


def assert_agree(world, nodes, cuts) -> None:
    measured = outcome(world, nodes, cuts)
    expected = predicted(world, nodes, cuts)
    slack_s = token_sharing_bound_s(world, nodes, cuts)
    watts = DeviceEnergy.of(world.nodes["phone"].power)
    slack = (slack_s, slack_s, slack_s * max(watts.receive_w, watts.tail_w))
    for what, got, want, over in zip(("latency", "ttft", "energy"), measured, expected, slack, strict=True):
        assert got == pytest.approx(want, rel=1e-9, abs=over), (what, nodes, cuts)


@pytest.mark.parametrize("tail", ["0 s", "0.004 s", "2 s", pytest.param(PER_RATE, id="per-rate")])
def test_every_cut_between_phone_and_edge_costs_what_the_engine_measures(tmp_path, tail):
    world = world_for(tmp_path, tail)
    for k in range(world.apps["chat"].layers + 1):
        assert_agree(world, ("phone", "edge"), (k,))


@pytest.mark.parametrize("tail", ["0 s", "0.2 s"])
def test_every_pair_of_cuts_over_three_tiers_costs_what_the_engine_measures(tmp_path, tail):
    world = world_for(tmp_path, tail)
    layers = world.apps["chat"].layers
    for cuts in itertools.combinations_with_replacement(range(0, layers + 1, 2), 2):
        assert_agree(world, STATIONS, cuts)


def chosen(world, policy: str, objective: str) -> tuple[tuple[float, float, float], str, int]:
    raw = simulate(world, policy=PolicySpec(policy, {"objective": objective}))
    tasks = raw.tasks
    assert list(tasks["status"]) == ["completed"]
    value = (float(tasks["latency"][0]), float(tasks["ttft"][0]), float(tasks["device_energy"][0]))
    return value, str(tasks["placement"][0]), int(tasks["split"][0])


@pytest.mark.parametrize("tail", ["0 s", "0.2 s", pytest.param(PER_RATE, id="per-rate")])
@pytest.mark.parametrize("objective", ["latency", "energy"])
def test_neurosurgeon_chooses_the_engines_best_cut_for_an_llm(tmp_path, objective, tail):
    world = world_for(tmp_path, tail)
    index = 0 if objective == "latency" else 2
    measured = [outcome(world, ("phone", "edge"), (k,))[index] for k in range(world.apps["chat"].layers + 1)]
    value, _, _ = chosen(world, "neurosurgeon", objective)
    assert value[index] == pytest.approx(min(measured), rel=1e-9)


@pytest.mark.parametrize("objective", ["latency", "energy"])
def test_multi_tier_chooses_the_engines_best_pair_of_cuts_for_an_llm(tmp_path, objective):
    world = world_for(tmp_path, "0.2 s")
    layers = world.apps["chat"].layers
    index = 0 if objective == "latency" else 2
    plans = list(itertools.combinations_with_replacement(range(layers + 1), 2))
    measured = {cuts: outcome(world, STATIONS, cuts)[index] for cuts in plans}
    slack = max(token_sharing_bound_s(world, STATIONS, cuts) for cuts in plans) * (3.0 if index else 1.0)
    value, _, _ = chosen(world, "multi-tier", objective)
    assert value[index] == pytest.approx(min(measured.values()), rel=1e-9, abs=slack)


PROFILED = """
name: llm-profiles
duration: 60 s
nodes:
  phone: {tier: device, processor: {profile: cortex-a76, cores: 1}}
  ap: {tier: network}
  edge: {tier: edge, processor: {profile: t4, cores: 1}}
  cloud: {tier: cloud, processor: {profile: a100, cores: 1}}
links:
  - {between: [phone, ap], bandwidth: 50 Mbps, latency: 5 ms}
  - {between: [ap, edge], bandwidth: 1 Gbps, latency: 1 ms}
  - {between: [edge, cloud], bandwidth: 1 Gbps, latency: 20 ms}
applications:
  chat: {model: llama-3.2-1b, prompt_tokens: 128, output_tokens: 32}
workload:
  - {app: chat, sources: phone, arrivals: trace, trace: once.csv}
policy: local
"""


def test_the_policies_ttft_of_a_lone_request_on_each_profiled_node_is_the_engines(tmp_path, monkeypatch):
    """The time to first token a split policy prices (``RequestCost.ttft_s``, from ``view.llm_stage``)
    for Llama 3.2 1B in bf16 alone on a phone, a t4 (no bf16 peak: its fp32 stands in) and an a100
    (its bf16 peak) is what the engine then measures (docs/policies.md says so)."""
    from offloadsim.policies import split

    (tmp_path / "once.csv").write_text("time\n1.0\n")
    world = build_world(load_scenario_text(PROFILED, source="<t>", base_dir=tmp_path))
    priced = {}
    real = split.llm_request_cost

    def keeping(stages, source, prompt, output, hop, power=None):
        cost = real(stages, source, prompt, output, hop, power)
        if len(stages) == 1:
            priced.setdefault(stages[0].node, cost)
        return cost

    monkeypatch.setattr(split, "llm_request_cost", keeping)
    simulate(world, policy=PolicySpec("multi-tier", {}))
    assert set(priced) == set(STATIONS)
    for node, cost in priced.items():
        tasks = simulate(world, policy=PolicySpec("fixed", {"nodes": [node]})).tasks
        assert list(tasks["status"]) == ["completed"]
        assert float(tasks["ttft"][0]) == pytest.approx(cost.ttft_s, rel=1e-9), node
        assert float(tasks["latency"][0]) == pytest.approx(cost.latency_s, rel=1e-9), node


@pytest.mark.parametrize("policy", ["model-select", "least-loaded"])
def test_a_load_balancers_price_of_a_lone_llm_request_is_the_engines_latency(policy, tmp_path, monkeypatch):
    """model-select (and least-loaded) priced an LLM request's return as its whole answer (256 bytes)
    sent after its last token; the engine streams each token home as it is made: the price of a lone
    Llama request on the a100 read 40 µs over the latency the engine then measured."""
    from offloadsim.policies import balancing, routing

    (tmp_path / "once.csv").write_text("time\n1.0\n")
    world = build_world(load_scenario_text(PROFILED, source="<t>", base_dir=tmp_path))
    priced = {}
    real = balancing.expected_completion_s

    def keeping(task, view, node, app=None, processor=None):
        cost = real(task, view, node, app, processor)
        priced.setdefault(node, cost)
        return cost

    for module in (balancing, routing):
        monkeypatch.setattr(module, "expected_completion_s", keeping)
    simulate(world, policy=PolicySpec(policy, {}))
    assert "cloud" in priced
    for node, cost in priced.items():
        tasks = simulate(world, policy=PolicySpec("fixed", {"node": node})).tasks
        assert float(tasks["latency"][0]) == pytest.approx(cost, rel=1e-9), node
