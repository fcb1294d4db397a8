"""Split algorithms equal brute force on random cases; Neurosurgeon moves on-device as bandwidth falls."""

from __future__ import annotations

import doctest
import importlib
import math
from types import SimpleNamespace

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from split_oracles import (
    closed_partition_brute_force,
    single_cut_brute_force,
    station_cuts_brute_force,
    two_cuts_brute_force,
)

from offloadsim.models.graph import INPUT, OUTPUT
from offloadsim.policies.splitting import (
    CutCodec,
    best_single_cut,
    best_station_cuts,
    best_two_cuts,
    dads_min_cut,
    partition_cost,
    plan_cost,
    single_cut_costs,
)

SINGLE_CASES = 2000
TWO_CUT_CASES = 1000
FOUR_STATION_CASES = 200
DAG_CASES = 1000
BIG_DAG_CASES = 50  # 12 free nodes: 4096 subsets each


def same(a: float, b: float) -> bool:
    if math.isinf(a) or math.isinf(b):
        return a == b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def random_times(rng: np.random.Generator, layers: int, scale: float) -> list[float]:
    times = scale * rng.lognormal(0.0, 1.0, layers)
    times[rng.random(layers) < 0.1] = 0.0  # reshape-like layers with no work
    if layers and rng.random() < 0.05:
        times[rng.integers(layers)] = math.inf  # a layer this station cannot run
    return times.tolist()


def random_sizes(rng: np.random.Generator, layers: int) -> list[float]:
    sizes = 10 ** rng.uniform(2, 7, layers + 1)
    sizes[rng.random(layers + 1) < 0.05] = 0.0
    return sizes.tolist()


def random_power(rng: np.random.Generator) -> SimpleNamespace:
    """Power by state; often an idle floor and a radio tail (up to 3 s, so both cases of min(tail, gap))."""
    busy, transmit, receive = rng.uniform(0, 5, 3) * (rng.random(3) > 0.1)
    idle = float(rng.uniform(0, min(busy, transmit, receive))) if rng.random() < 0.7 else 0.0
    tail = float(rng.choice([0.0, rng.uniform(0, 0.05), rng.uniform(0, 3)]))
    return SimpleNamespace(busy_w=busy, transmit_w=transmit, receive_w=receive, idle_w=idle, tail_s=tail)


def random_codec(rng: np.random.Generator, stations: int) -> CutCodec | None:
    """None, or an fp16/int8-like codec with random encode and decode seconds per byte per station."""
    if rng.random() < 0.4:
        return None
    return CutCodec(
        float(rng.choice([0.25, 0.5])),
        tuple((10 ** rng.uniform(-12, -7, stations)).tolist()),
        tuple((10 ** rng.uniform(-12, -7, stations)).tolist()),
    )


def random_bandwidth(rng: np.random.Generator) -> float:
    return 0.0 if rng.random() < 0.02 else float(10 ** rng.uniform(4, 10))


# --- single cut ------------------------------------------------------------------------


def test_best_single_cut_equals_brute_force():
    rng = np.random.default_rng(1)
    for case in range(SINGLE_CASES):
        layers = int(rng.integers(1, 12))
        objective = "energy" if case % 3 == 0 else "latency"
        args = dict(
            device_times=random_times(rng, layers, 0.05),
            server_times=random_times(rng, layers, 0.005),
            cut_bytes=random_sizes(rng, layers),
            bandwidth_bps=random_bandwidth(rng),
            latency_s=float(rng.uniform(0, 0.05)),
            objective=objective,
            power=random_power(rng) if objective == "energy" else None,
            server_wait_s=float(rng.exponential(0.05)),
            return_bandwidth_bps=random_bandwidth(rng) if case % 2 else None,
            codec=random_codec(rng, 2),
        )
        k, cost = best_single_cut(**args)
        k_ref, cost_ref = single_cut_brute_force(**args)
        assert same(cost, cost_ref), (case, k, cost, k_ref, cost_ref)
        table = single_cut_costs(**args)
        assert same(float(table[k]), cost)
        assert all(same(float(table[j]), float(c)) for j, c in enumerate(table))
        assert k == max(j for j, c in enumerate(table) if c == table.min()), "ties go to the device"


def test_single_cut_extremes_and_validation():
    device, server, sizes = [1.0, 1.0, 1.0], [0.1, 0.1, 0.1], [1e6, 1e6, 1e6, 1e3]
    assert best_single_cut(device, server, sizes, 1e3)[0] == 3  # hopeless link: all local
    assert best_single_cut(device, server, sizes, 1e12)[0] == 0  # free link: all offloaded
    assert best_single_cut(device, server, sizes, 0.0) == (3, 3.0)  # dead link: local, priced
    assert best_single_cut([math.inf] * 3, server, sizes, 8e6)[0] == 0  # device cannot compute
    with pytest.raises(ValueError, match="one per layer"):
        best_single_cut(device, server[:2], sizes, 1e6)
    with pytest.raises(ValueError, match="needs the device's power"):
        best_single_cut(device, server, sizes, 1e6, objective="energy")
    with pytest.raises(ValueError, match="objective"):
        best_single_cut(device, server, sizes, 1e6, objective="speed")  # type: ignore[arg-type]


def test_energy_counts_only_the_device():
    power = SimpleNamespace(busy_w=2.0, transmit_w=1.0, receive_w=0.5)
    device, server, sizes = [1.0, 1.0], [9.0, 9.0], [1e6, 2e6, 1e6]
    # offloading everything: 8 Mbit up at 8 Mbit/s (1 s × 1 W) + 8 Mbit back (1 s × 0.5 W);
    # the server's time costs the device nothing
    assert best_single_cut(device, server, sizes, 8e6, 0.3, "energy", power) == (0, 1.5)
    assert best_single_cut(device, server, sizes, 8e6, 0.3, "latency")[0] == 2


# --- two cuts and more stations --------------------------------------------------------


def test_best_two_cuts_equals_brute_force():
    rng = np.random.default_rng(2)
    for case in range(TWO_CUT_CASES):
        layers = int(rng.integers(1, 8))
        objective = "energy" if case % 4 == 0 else "latency"
        args = dict(
            device_times=random_times(rng, layers, 0.05),
            edge_times=random_times(rng, layers, 0.01),
            cloud_times=random_times(rng, layers, 0.002),
            cut_bytes=random_sizes(rng, layers),
            uplink_bps=random_bandwidth(rng),
            backhaul_bps=random_bandwidth(rng),
            uplink_latency_s=float(rng.uniform(0, 0.01)),
            backhaul_latency_s=float(rng.uniform(0, 0.05)),
            objective=objective,
            power=random_power(rng) if objective == "energy" else None,
            edge_wait_s=float(rng.exponential(0.02)),
            cloud_wait_s=float(rng.exponential(0.02)),
            codec=random_codec(rng, 3),
        )
        (k1, k2), cost = best_two_cuts(**args)
        _, cost_ref = two_cuts_brute_force(**args)
        assert 0 <= k1 <= k2 <= layers
        assert same(cost, cost_ref), (case, (k1, k2), cost, cost_ref)


@pytest.mark.parametrize("stations", [1, 2, 4])
def test_best_station_cuts_equals_brute_force(stations):
    rng = np.random.default_rng(3 + stations)
    for case in range(FOUR_STATION_CASES):
        layers = int(rng.integers(0, 7))
        objective = "energy" if case % 4 == 0 else "latency"
        times = [random_times(rng, layers, 0.05 / 4**j) for j in range(stations)]
        sizes = random_sizes(rng, layers)
        bandwidth = (10 ** rng.uniform(4, 10, (stations, stations))).tolist()
        latency = rng.uniform(0, 0.05, (stations, stations)).tolist()
        waits = [0.0, *rng.exponential(0.02, stations - 1).tolist()]
        power = random_power(rng) if objective == "energy" else None
        codec = random_codec(rng, stations)
        cuts, cost = best_station_cuts(times, sizes, bandwidth, latency, objective, power, waits, codec)
        _, cost_ref = station_cuts_brute_force(
            times, sizes, bandwidth, latency, objective, power, waits, codec
        )
        assert same(cost, cost_ref), (case, cuts, cost, cost_ref)
        assert len(cuts) == stations - 1
        assert same(plan_cost(times, sizes, cuts, bandwidth, latency, objective, power, waits, codec), cost)


def test_two_station_dp_agrees_with_single_cut():
    rng = np.random.default_rng(4)
    for _ in range(300):
        layers = int(rng.integers(1, 10))
        device, server = random_times(rng, layers, 0.05), random_times(rng, layers, 0.005)
        sizes, bw = random_sizes(rng, layers), random_bandwidth(rng)
        _, single = best_single_cut(device, server, sizes, bw, 0.01, server_wait_s=0.02)
        _, dp = best_station_cuts([device, server], sizes, bw, 0.01, wait_s=[0.0, 0.02])
        assert same(single, dp)


def test_plan_cost_follows_the_engine_rules():
    times = [[1.0, 2.0, 3.0], [0.1, 0.2, 0.3], [0.01, 0.02, 0.03]]
    sizes = [8e6, 4e6, 2e6, 1e6]  # bytes; at 8 Mbit/s: 8, 4, 2, 1 s
    bw, lat = 8e6, 0.5
    assert plan_cost(times, sizes, (3, 3), bw, lat) == 6.0  # all on the device: nothing sent
    # the edge segment is empty: the device sends straight to the cloud, the cloud returns the output
    assert plan_cost(times, sizes, (1, 1), bw, lat, wait_s=[0, 9, 0.25]) == pytest.approx(
        1.0 + (0.5 + 4 + 0.25) + 0.05 + (0.5 + 1)
    )
    # device -> edge -> cloud, the output comes back from the cloud only
    assert plan_cost(times, sizes, (1, 2), bw, lat) == pytest.approx(
        1 + 0.5 + 4 + 0.2 + 0.5 + 2 + 0.03 + 0.5 + 1
    )
    # everything on the edge: the raw input is uploaded
    assert plan_cost(times, sizes, (0, 3), bw, lat) == pytest.approx(0.5 + 8 + 0.6 + 0.5 + 1)
    with pytest.raises(ValueError, match="non-decreasing"):
        plan_cost(times, sizes, (2, 1), bw)
    with pytest.raises(ValueError, match="expected 2 cuts for 3 stations"):
        plan_cost(times, sizes, (2,), bw)


# --- DAG min-cut -----------------------------------------------------------------------


def random_dag(rng: np.random.Generator, layers: int) -> nx.DiGraph:
    """A model-like DAG: an input, layers in topological order with skip edges, an output."""
    G = nx.DiGraph()
    G.add_node(INPUT)
    for v in range(layers):
        G.add_node(v)
        earlier = [INPUT, *range(v)]
        # the previous layer or any earlier one (parallel branches), plus skip connections
        first = earlier[-1] if rng.random() < 0.4 else earlier[int(rng.integers(len(earlier)))]
        reads = {first} | {u for u in earlier if rng.random() < 0.15}
        for u in reads:
            G.add_edge(u, v)
    G.add_node(OUTPUT)
    G.add_edge(layers - 1, OUTPUT)
    if layers > 2 and rng.random() < 0.3:
        G.add_edge(int(rng.integers(layers - 1)), OUTPUT)  # a second model output
    sizes = {u: float(10 ** rng.uniform(3, 7)) for u in G}
    for u, v in G.edges:
        G.edges[u, v]["bytes"] = sizes[u]
    for v in range(layers):
        G.nodes[v]["device_time"] = random_times(rng, 1, 0.05)[0]
        G.nodes[v]["server_time"] = random_times(rng, 1, 0.005)[0]
    return G


def closed_sets(G: nx.DiGraph) -> int:
    free = [v for v in G if v not in (INPUT, OUTPUT)]
    return sum(
        all(u in chosen or u == INPUT for v in chosen for u in G.predecessors(v))
        for mask in range(2 ** len(free))
        for chosen in [{v for i, v in enumerate(free) if mask >> i & 1}]
    )


def check_dag_case(rng: np.random.Generator, layers: int) -> bool:
    """Min-cut vs brute force on one random DAG; True if its optimum is not a prefix of the layer order."""
    G = random_dag(rng, layers)
    bw = random_bandwidth(rng)
    overhead = float(rng.uniform(0, 0.2))
    device, cost = dads_min_cut(G, bandwidth_bps=bw, offload_overhead_s=overhead)
    _, cost_ref = closed_partition_brute_force(G, bandwidth_bps=bw, offload_overhead_s=overhead)
    assert same(cost, cost_ref), (layers, sorted(map(str, device)), cost, cost_ref)
    assert INPUT in device and OUTPUT not in device
    assert all(u in device for v in device for u in G.predecessors(v)), "closed under predecessors"
    assert same(partition_cost(G, device, bandwidth_bps=bw, offload_overhead_s=overhead), cost)
    on_device = sorted(v for v in device if isinstance(v, int))
    return on_device != list(range(len(on_device)))


def test_dads_min_cut_equals_brute_force_on_random_dags():
    rng = np.random.default_rng(5)
    not_prefix = sum(check_dag_case(rng, 1 + case % 10) for case in range(DAG_CASES))
    assert not_prefix >= DAG_CASES // 20, "the cases must include partitions that are not prefixes"
    # and the DAGs have many more closed device sets than prefixes
    assert closed_sets(random_dag(np.random.default_rng(0), 10)) > 11


def test_dads_min_cut_equals_brute_force_on_twelve_layer_dags():
    rng = np.random.default_rng(6)
    for _ in range(BIG_DAG_CASES):
        check_dag_case(rng, 12)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), layers=st.integers(1, 9))
def test_dads_min_cut_property(seed, layers):
    check_dag_case(np.random.default_rng(seed), layers)


def test_dads_counts_a_tensor_once_and_keeps_closure():
    G = nx.DiGraph([(INPUT, "a"), ("a", "b"), ("a", "c"), ("b", "d"), ("c", "d"), ("d", OUTPUT)])
    nx.set_edge_attributes(G, 1e6, "bytes")
    device = {"a": 0.1, "b": 5.0, "c": 5.0, "d": 5.0}
    server = {"a": 0.1, "b": 0.1, "c": 0.1, "d": 0.1}
    chosen, cost = dads_min_cut(G, device, server, bandwidth_bps=8e6)
    assert chosen == {INPUT, "a"} or chosen == {INPUT}  # a's 1 MB crosses once (1 s), not twice
    assert cost == pytest.approx(0.1 + 0.3 + 1.0)
    # the device never reads a server output, even when that would be cheaper
    device = {"a": 0.1, "b": 5.0, "c": 0.0, "d": 0.0}
    chosen, _ = dads_min_cut(G, device, server, bandwidth_bps=8e6)
    assert "d" not in chosen or "b" in chosen


def test_dads_input_validation():
    with pytest.raises(ValueError, match="acyclic"):
        dads_min_cut(nx.DiGraph([("a", "b"), ("b", "a")]))
    with pytest.raises(ValueError, match="pinned to the server feeds"):
        dads_min_cut(nx.DiGraph([("a", "b")]), device_nodes=["b"], server_nodes=["a"])
    with pytest.raises(ValueError, match="not closed"):
        partition_cost(nx.DiGraph([("a", "b")]), {"b"})
    with pytest.raises(ValueError, match="at most 16"):
        closed_partition_brute_force(nx.path_graph(20, create_using=nx.DiGraph))


def test_dads_unbounded_cut_means_stay_local():
    G = nx.DiGraph([(INPUT, "a"), ("a", OUTPUT)])
    G.nodes["a"]["server_time"] = math.inf  # the server cannot run it and the link is dead
    chosen, cost = dads_min_cut(G, {"a": 1.0}, bandwidth_bps=0.0)
    assert chosen == {INPUT, "a"} and cost == 1.0


# --- monotonicity: the split moves to the device as bandwidth falls ----------------------

BANDWIDTHS = np.geomspace(1e9, 1e5, 20)


def splits_over_bandwidth(device, server, sizes, **kwargs) -> list[int]:
    return [best_single_cut(device, server, sizes, float(bw), **kwargs)[0] for bw in BANDWIDTHS]


def test_split_moves_to_the_device_as_bandwidth_falls_on_a_shrinking_chain():
    # conv/relu/pool-like: the first conv expands the input, then activations shrink with depth
    flops = np.array([2e7, 1e6, 3e7, 1e6, 2e8, 1e6, 3e8, 1e7, 1e6, 1e5])
    sizes = [600e3, 2e6, 2e6, 400e3, 400e3, 100e3, 100e3, 10e3, 10e3, 4e3, 4e3]
    splits = splits_over_bandwidth(flops / 1e9, flops / 1e11, sizes, latency_s=0.002)
    assert splits == sorted(splits), splits
    assert splits[0] < splits[-1] == len(flops)
    assert len(set(splits)) >= 3, splits  # it really moves, through intermediate cuts


def test_split_moves_to_the_device_as_bandwidth_falls_on_alexnet():
    models = pytest.importorskip("offloadsim.models")
    try:
        graph = models.get_model("alexnet")
    except Exception as exc:  # the zoo is still growing
        pytest.skip(f"alexnet not available: {exc}")
    chain = models.as_chain(graph)
    device, server = chain.flops / 20e9, chain.flops / 2e12
    for wait in (0.0, 0.05):
        splits = splits_over_bandwidth(device, server, chain.cut_bytes, latency_s=0.005, server_wait_s=wait)
        assert splits == sorted(splits), splits
        assert splits[-1] == len(chain)
        assert splits[0] < len(chain)


@settings(max_examples=200, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    layers=st.integers(1, 15),
    ratio=st.floats(1.0, 1000.0),
    objective=st.sampled_from(["latency", "energy"]),
)
def test_split_is_monotone_in_bandwidth_whenever_activations_shrink(seed, layers, ratio, objective):
    rng = np.random.default_rng(seed)
    server = rng.lognormal(-5, 1, layers)
    device = server * ratio  # the device is slower on every layer
    sizes = np.sort(10 ** rng.uniform(2, 7, layers + 1))[::-1]  # activations shrink with depth
    power = SimpleNamespace(busy_w=2.0, transmit_w=1.3, receive_w=1.0) if objective == "energy" else None
    splits = splits_over_bandwidth(
        device, server, sizes.tolist(), latency_s=0.003, objective=objective, power=power
    )
    assert splits == sorted(splits), splits


# --- the examples in the docstrings run --------------------------------------------------


@pytest.mark.parametrize(
    "module",
    [
        "offloadsim.policies.costs",
        "offloadsim.policies.device_energy",
        "offloadsim.policies.splitting",
        "offloadsim.policies.split",
        "split_oracles",
    ],
)
def test_docstring_examples(module):
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
