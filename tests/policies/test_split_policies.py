"""The split policies through a FakeView: extremes, energy vs latency, load, caching, DADS orders."""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import networkx as nx
import numpy as np
import pytest
from split_oracles import closed_partition_brute_force

from offloadsim.models.graph import INPUT, OUTPUT, Layer, LayerGraph, as_chain
from offloadsim.policies import Plan, PlanError, PolicyParamError, make_policy, validate_plan
from offloadsim.policies.costs import reordered_cut_bytes
from offloadsim.policies.split import DadsPolicy, MultiTierPolicy, NeurosurgeonPolicy, bucket
from offloadsim.scenario.model import PowerSpec

DADS_POLICY_CASES = 200


@pytest.fixture(scope="module")
def SplitView(make_view):
    @dataclass
    class SplitView(make_view):
        """FakeView plus model graphs, power, a bandwidth override, per-layer times and call counts."""

        graphs: dict = field(default_factory=dict)
        powers: dict = field(default_factory=dict)
        bandwidth: float | None = None
        layer_times: dict = field(default_factory=dict)  # node -> per-layer seconds (overrides speed)
        calls: int = 0

        def compute_time_s(self, task, node, start=0, stop=None):
            self.calls += 1
            stop = task.layers if stop is None else stop
            if node in self.layer_times:
                return float(sum(self.layer_times[node][start:stop]))
            return super().compute_time_s(task, node, start, stop)

        def available_bandwidth_bps(self, a, b):
            return self.bandwidth if self.bandwidth is not None else super().available_bandwidth_bps(a, b)

        def power(self, node):
            return self.powers.get(node)

        def layer_graph(self, app):
            return self.graphs.get(app)

    return SplitView


def chain_task(task_factory, layers=6, **kwargs):
    """Shrinking activations: 600 KB input, halving every layer, 4 KB output."""
    task = task_factory(layers=layers, flops=[1e9] * layers, **kwargs)
    sizes = tuple([600e3 / 2**k for k in range(layers)] + [4e3])
    return replace(task, cut_bytes=sizes)


def decide(policy, task, view):
    return validate_plan(policy.decide(task, view), task, view, "under-test")


# --- neurosurgeon -------------------------------------------------------------------------


def test_neurosurgeon_keeps_everything_local_on_a_hopeless_link(SplitView, task_factory):
    view = SplitView(bandwidth=1e3)
    task = chain_task(task_factory)
    assert decide(NeurosurgeonPolicy(), task, view) == Plan(("phone-0", "edge-0"), (task.layers,))


def test_neurosurgeon_offloads_everything_on_a_fast_link_to_a_fast_server(SplitView, task_factory):
    view = SplitView(bandwidth=100e9)
    task = chain_task(task_factory)
    assert decide(NeurosurgeonPolicy(), task, view) == Plan(("phone-0", "edge-0"), (0,))
    assert decide(NeurosurgeonPolicy(server="cloud-0"), task, view) == Plan(("phone-0", "cloud-0"), (0,))


def test_neurosurgeon_cuts_in_the_middle_at_moderate_bandwidth(SplitView, task_factory):
    layers = 8
    view = SplitView(bandwidth=2e6, layer_times={"phone-0": [0.001] * 4 + [0.5] * 4, "edge-0": [0.0001] * 8})
    task = chain_task(task_factory, layers)
    # the cheap early layers shrink the tensor 16-fold before the expensive ones are offloaded
    assert decide(NeurosurgeonPolicy(), task, view).cuts == (4,)


def test_neurosurgeon_split_moves_to_the_device_as_bandwidth_falls(SplitView, task_factory):
    task = chain_task(task_factory, 10)
    view = SplitView()
    policy = NeurosurgeonPolicy()
    splits = []
    for bw in np.geomspace(1e9, 1e5, 20):
        view.bandwidth = float(bw)
        splits.append(decide(policy, task, view).cuts[0])
    assert splits == sorted(splits), splits
    assert splits[0] == 0 and splits[-1] >= 5 and len(set(splits)) >= 3, splits


def test_neurosurgeon_energy_and_latency_disagree_where_they_should(SplitView, task_factory):
    # the phone is as fast as the edge but burns 5 W computing; sending costs little
    nodes = dict(SplitView.DEFAULT_NODES, **{"phone-0": ("device", 1e10)})
    power = PowerSpec(idle_w=0.5, busy_w=5.0, transmit_w=1.3, receive_w=1.0)
    view = SplitView(nodes_spec=nodes, powers={"phone-0": power}, bandwidth=1e9)
    task = chain_task(task_factory)
    assert decide(NeurosurgeonPolicy(objective="latency"), task, view).cuts == (task.layers,)
    assert decide(NeurosurgeonPolicy(objective="energy"), task, view).cuts == (0,)


def test_energy_objective_needs_the_source_power(SplitView, task_factory):
    with pytest.raises(PlanError, match='objective "energy" needs the power draw of source "phone-0"'):
        NeurosurgeonPolicy(objective="energy").decide(chain_task(task_factory), SplitView())


def test_load_aware_moves_work_to_the_device_when_the_server_queue_is_long(SplitView, task_factory):
    task = chain_task(task_factory)
    idle = SplitView()
    busy = SplitView(waits={"edge-0": 30.0})
    assert decide(NeurosurgeonPolicy(load_aware=True), task, idle).cuts == (0,)
    assert decide(NeurosurgeonPolicy(), task, busy).cuts == (0,)  # blind to the queue
    assert decide(NeurosurgeonPolicy(load_aware=True), task, busy).cuts == (task.layers,)


def test_neurosurgeon_source_that_cannot_compute_offloads_everything(SplitView, task_factory):
    view = SplitView()
    task = chain_task(task_factory, source="sensor-0")
    assert decide(NeurosurgeonPolicy(), task, view) == Plan(("edge-0",))


def test_neurosurgeon_without_a_usable_server(SplitView, task_factory):
    view = SplitView(down={"edge-0", "edge-1", "cloud-0"})
    assert decide(NeurosurgeonPolicy(), chain_task(task_factory), view) == Plan(("phone-0",))
    assert decide(NeurosurgeonPolicy(), chain_task(task_factory, source="sensor-0"), view).drop
    # the nearest edge is down: the next usable edge (FakeView.nearest skips it), else the cloud
    view = SplitView(down={"edge-0"}, bandwidth=100e9)
    assert decide(NeurosurgeonPolicy(), chain_task(task_factory), view).nodes == ("phone-0", "edge-1")


@pytest.mark.parametrize("policy", [NeurosurgeonPolicy, DadsPolicy], ids=["neurosurgeon", "dads"])
def test_a_named_servers_own_tasks_run_there_whole_not_split_with_itself(SplitView, task_factory, policy):
    """``server: edge-0`` gave edge-0's own tasks ``(edge-0, edge-0)`` split at the cheapest cut: two stages
    queueing on its processor one after the other, a plan the engine now refuses."""
    view = SplitView(layer_times={"edge-0": [0.001] * 6}, bandwidth=1e9)
    task = chain_task(task_factory, source="edge-0")
    assert decide(policy(server="edge-0"), task, view) == Plan(("edge-0",))


def test_named_server_must_compute(SplitView, task_factory):
    with pytest.raises(PlanError, match='server "ap" is not a node that can compute'):
        NeurosurgeonPolicy(server="ap").decide(chain_task(task_factory), SplitView())


def test_parameters_are_checked():
    with pytest.raises(PolicyParamError, match="objective"):
        make_policy("neurosurgeon", {"objective": "speed"})
    with pytest.raises(PolicyParamError, match="load_aware"):
        make_policy("multi-tier", {"load_aware": "yes"})
    with pytest.raises(PolicyParamError, match='did you mean "server"'):
        make_policy("dads", {"sever": "edge-0"})
    assert make_policy("neurosurgeon", {"objective": "energy", "load_aware": True}).load_aware


# --- caching ---------------------------------------------------------------------------


def model_graph(layers: int) -> LayerGraph:
    """A chain model whose layers each produce a smaller tensor."""
    built = []
    previous, width = INPUT, 150_000
    for i in range(layers):
        out = max(width // 2, 250)
        built.append(
            Layer(f"l{i}", "linear", (previous,), ((1, width),), (1, out), flops=10**9, macs=5 * 10**8)
        )
        previous, width = f"l{i}", out
    return LayerGraph("toy", tuple(built), input_shape=(1, 150_000))


def model_task(task_factory, graph: LayerGraph, **kwargs):
    chain = as_chain(graph)
    task = task_factory(layers=len(graph), flops=list(chain.flops), **kwargs)
    return replace(task, cut_bytes=tuple(float(b) for b in chain.cut_bytes))


@pytest.mark.parametrize("policy_cls", [NeurosurgeonPolicy, MultiTierPolicy, DadsPolicy])
def test_model_decisions_are_cached_and_reused(policy_cls, SplitView, task_factory):
    graph = model_graph(6)
    view = SplitView(graphs={"classify": graph})
    policy = policy_cls()
    first = policy.decide(model_task(task_factory, graph), view)
    calls = view.calls
    stations = 3 if policy_cls is MultiTierPolicy else 2
    assert calls == stations * len(graph)  # one prediction per layer and node
    again = [policy.decide(model_task(task_factory, graph, id=i), view) for i in range(1, 50)]
    assert all(plan is first for plan in again)  # the same decision object
    assert view.calls == calls
    # another bandwidth bucket: decided afresh, but the per-layer times stay cached
    view.bandwidth = 1e5
    slow = policy.decide(model_task(task_factory, graph), view)
    assert view.calls == calls
    assert slow.cuts[0] >= first.cuts[0]
    # a new run (another view, after reset) starts afresh
    fresh = SplitView(graphs={"classify": graph})
    policy.reset(fresh)
    assert policy.decide(model_task(task_factory, graph), fresh) == first
    assert fresh.calls == calls


def test_synthetic_tasks_are_priced_per_task(SplitView, task_factory):
    view = SplitView()
    policy = NeurosurgeonPolicy()
    for i in range(5):
        policy.decide(task_factory(id=i, layers=3, flops=[1e9 * (i + 1)] * 3), view)
    assert view.calls == 5 * 2 * 3


def test_bucket_is_five_percent_log_scale():
    x = 1.05**94  # the middle of a bucket
    assert bucket(x / 1.02) == bucket(x) == bucket(x * 1.02) != bucket(x * 1.06)
    assert bucket(0.0) == "zero" and bucket(math.inf) == "inf" and bucket(math.nan) == "nan"


def test_load_aware_decisions_are_keyed_by_the_wait(SplitView, task_factory):
    graph = model_graph(6)
    view = SplitView(graphs={"classify": graph})
    policy = NeurosurgeonPolicy(load_aware=True)
    task = model_task(task_factory, graph)
    assert policy.decide(task, view).cuts == (0,)
    view.waits = {"edge-0": 60.0}
    assert policy.decide(task, view).cuts == (6,)
    view.waits = {}
    assert policy.decide(task, view).cuts == (0,)


# --- multi-tier ------------------------------------------------------------------------


def test_multi_tier_uses_all_three_tiers_when_each_is_best_at_a_part(SplitView, task_factory):
    # cheap early layers on the phone, middle on the edge, the heavy tail in the cloud
    times = {
        "phone-0": [0.001, 0.001, 1, 1, 1, 1],
        "edge-0": [0.1, 0.1, 0.001, 0.001, 1, 1],
        "cloud-0": [0.1, 0.1, 0.1, 0.1, 0.001, 0.001],
    }
    view = SplitView(layer_times=times)
    plan = decide(MultiTierPolicy(), chain_task(task_factory), view)
    assert plan == Plan(("phone-0", "edge-0", "cloud-0"), (2, 4))


def test_multi_tier_skips_tiers_that_do_not_pay(SplitView, task_factory):
    task = chain_task(task_factory)
    assert decide(MultiTierPolicy(), task, SplitView(bandwidth=1e3)).cuts == (6, 6)  # all local
    fast = SplitView(bandwidth=100e9)
    assert decide(MultiTierPolicy(), task, fast).cuts == (0, 0)  # all in the (fastest) cloud
    # a long cloud queue keeps the work on the edge when load-aware
    busy = SplitView(bandwidth=100e9, waits={"cloud-0": 10.0})
    assert decide(MultiTierPolicy(load_aware=True), task, busy).cuts == (0, 6)


def test_multi_tier_with_a_tier_down_or_missing(SplitView, task_factory):
    task = chain_task(task_factory)
    view = SplitView(bandwidth=100e9, down={"cloud-0"})
    assert decide(MultiTierPolicy(), task, view) == Plan(("phone-0", "edge-0"), (0,))
    view = SplitView(down={"edge-0", "edge-1", "cloud-0"})
    assert decide(MultiTierPolicy(), task, view) == Plan(("phone-0",))
    sensor = chain_task(task_factory, source="sensor-0")
    plan = decide(MultiTierPolicy(), sensor, SplitView())
    assert "sensor-0" not in plan.nodes and plan.nodes[0] == "edge-0"


def test_multi_tier_energy_objective(SplitView, task_factory):
    power = PowerSpec(busy_w=5.0, transmit_w=1.0, receive_w=1.0)
    nodes = dict(SplitView.DEFAULT_NODES, **{"phone-0": ("device", 1e11)})  # as fast as the cloud
    view = SplitView(nodes_spec=nodes, powers={"phone-0": power}, bandwidth=1e9)
    task = chain_task(task_factory)
    assert decide(MultiTierPolicy(), task, view).cuts == (6, 6)
    assert decide(MultiTierPolicy(objective="energy"), task, view).cuts[0] == 0


# --- DADS ------------------------------------------------------------------------------


def two_branch_graph() -> LayerGraph:
    """a reads the input; b (heavy) reads a; c reads the input again; d adds b and c.

    Keeping a and c on the device avoids uploading the 1 MB input, so the best
    device set {a, c} is not a prefix of the order a, b, c, d.
    """
    layers = (
        Layer("a", "linear", (INPUT,), ((1, 250_000),), (1, 25_000), flops=10**8),
        Layer("b", "linear", ("a",), ((1, 25_000),), (1, 250), flops=10**10),
        Layer("c", "linear", (INPUT,), ((1, 250_000),), (1, 250), flops=10**7),
        Layer("d", "add", ("b", "c"), ((1, 250),) * 2, (1, 250), flops=10**6),
    )
    return LayerGraph("two-branch", layers, input_shape=(1, 250_000))


def engine_cost(view, task, plan: Plan, graph: LayerGraph, power=None) -> float:
    """What the engine would charge for ``plan`` (seconds, or device joules given ``power``).

    Stage times and the bytes crossing are taken in ``plan.order``, as the engine runs it.
    """
    order = plan.order or tuple(range(task.layers))
    sizes = reordered_cut_bytes(graph, order, task.cut_bytes[0], task.cut_bytes[-1])
    source, server = task.source, plan.nodes[-1]
    (k,) = plan.cuts if len(plan.nodes) == 2 else (task.layers,)
    device = sum(view.compute_time_s(task, source, i, i + 1) for i in order[:k])
    bw = view.available_bandwidth_bps(source, server)
    if power is not None:
        if k == task.layers:
            return power.busy_w * device
        return power.busy_w * device + (power.transmit_w * sizes[k] + power.receive_w * sizes[-1]) * 8 / bw
    if k == task.layers:
        return device
    latency = view.route_latency_s(source, server)
    remote = sum(view.compute_time_s(task, server, i, i + 1) for i in order[k:])
    return device + latency + 8 * sizes[k] / bw + remote + latency + 8 * sizes[-1] / bw


def brute_force_cost(view, task, graph: LayerGraph, power=None) -> float:
    """The best over every predecessor-closed device set, by brute force."""
    n = len(graph)
    G = nx.DiGraph()
    G.add_nodes_from([INPUT, *range(n), OUTPUT])
    G.add_edges_from((INPUT if p < 0 else p, OUTPUT if c >= n else c) for p, c in graph.edges)
    server = view.nearest(task.source, "edge")
    bw = view.available_bandwidth_bps(task.source, server)
    device = {i: view.compute_time_s(task, task.source, i, i + 1) for i in range(n)}
    remote = {i: view.compute_time_s(task, server, i, i + 1) for i in range(n)}
    overhead = 2 * view.route_latency_s(task.source, server) + 8 * task.cut_bytes[-1] / bw
    if power is not None:  # joules: busy power on the device, radio power per byte, servers free
        device = {i: power.busy_w * t for i, t in device.items()}
        remote = dict.fromkeys(remote, 0.0)
        bw /= power.transmit_w
        overhead = (
            power.receive_w * 8 * task.cut_bytes[-1] / view.available_bandwidth_bps(server, task.source)
        )
    _, cost = closed_partition_brute_force(
        G,
        device,
        remote,
        lambda u, v, d: task.cut_bytes[0] if u == INPUT else graph.layers[u].output_bytes,
        bw,
        offload_overhead_s=overhead,
    )
    return cost


def test_dads_runs_a_device_set_that_is_not_a_prefix_through_plan_order(SplitView, task_factory):
    graph = two_branch_graph()
    view = SplitView(graphs={"classify": graph})
    task = model_task(task_factory, graph)
    plan = decide(DadsPolicy(), task, view)
    assert plan.nodes == ("phone-0", "edge-0") and plan.cuts == (2,) and plan.order == (0, 2, 1, 3)
    assert engine_cost(view, task, plan, graph) == pytest.approx(brute_force_cost(view, task, graph))
    # Neurosurgeon, restricted to prefixes of the order, does worse
    prefix = decide(NeurosurgeonPolicy(), task, view)
    assert engine_cost(view, task, prefix, graph) > engine_cost(view, task, plan, graph) * 1.1


def random_layer_graph(rng: np.random.Generator, layers: int) -> LayerGraph:
    built: list[Layer] = []
    for i in range(layers):
        earlier = [INPUT, *(layer.name for layer in built)]
        # the previous layer, the input again (a second view of the frame) or any earlier layer
        pick = rng.random()
        first = (
            earlier[-1] if pick < 0.4 else INPUT if pick < 0.7 else earlier[int(rng.integers(len(earlier)))]
        )
        reads = tuple(dict.fromkeys([first, *(u for u in earlier if rng.random() < 0.15)]))
        width = int(10 ** rng.uniform(1, 5))
        built.append(
            Layer(
                f"l{i}", "op", reads, ((1, 8),) * len(reads), (1, width), flops=int(10 ** rng.uniform(6, 10))
            )
        )
    return LayerGraph("random", tuple(built), input_shape=(1, int(10 ** rng.uniform(4, 6))))


def test_dads_plans_cost_what_brute_force_finds_as_the_engine_prices_them(SplitView, task_factory):
    rng = np.random.default_rng(9)
    power = PowerSpec(busy_w=3.0, transmit_w=1.3, receive_w=1.0)
    checked, orders = 0, 0
    for case in range(DADS_POLICY_CASES):
        graph = random_layer_graph(rng, int(rng.integers(2, 10)))
        if graph.is_chain():
            continue
        bandwidth = float(10 ** rng.uniform(5, 9))
        view = SplitView(graphs={"classify": graph}, bandwidth=bandwidth, powers={"phone-0": power})
        task = model_task(task_factory, graph, id=case)
        energy = case % 3 == 0
        plan = decide(DadsPolicy(objective="energy" if energy else "latency"), task, view)
        used = power if energy else None
        expected = brute_force_cost(view, task, graph, used)
        assert engine_cost(view, task, plan, graph, used) == pytest.approx(expected, rel=1e-9), case
        checked += 1
        orders += plan.order is not None
    assert checked >= DADS_POLICY_CASES // 2 and orders >= 5, (checked, orders)


def test_dads_falls_back_to_neurosurgeon_for_chains_and_synthetic_work(SplitView, task_factory):
    chain = model_graph(5)
    view = SplitView(graphs={"classify": chain}, bandwidth=2e6)
    task = model_task(task_factory, chain)
    assert decide(DadsPolicy(), task, view) == decide(NeurosurgeonPolicy(), task, view)
    synthetic = chain_task(task_factory)
    plain = SplitView(bandwidth=2e6)
    assert decide(DadsPolicy(), synthetic, plain) == decide(NeurosurgeonPolicy(), synthetic, plain)


def test_dads_on_a_zoo_model_is_fast_once_cached(SplitView, task_factory):
    models = pytest.importorskip("offloadsim.models")
    try:
        graph = models.get_model("resnet18")
    except Exception as exc:  # the zoo is still growing
        pytest.skip(f"resnet18 not available: {exc}")
    view = SplitView(graphs={"classify": graph}, bandwidth=50e6)
    task = model_task(task_factory, graph)
    policy = DadsPolicy()
    plan = decide(policy, task, view)
    assert plan.nodes == ("phone-0", "edge-0")
    calls = view.calls
    for i in range(100):
        assert policy.decide(model_task(task_factory, graph, id=i), view) is plan
    assert view.calls == calls


def engine_price(view, task, graph: LayerGraph, device_set: frozenset, power, codec) -> float:
    """The engine's price of running ``device_set`` on the device and the rest on the edge.

    Codec on the tensors crossing a cut after at least one device layer (never on the raw
    input alone, nor the output); under ``power``, joules above idle with the radio tail
    (min(tail, gap) after the upload, a whole tail after the output).
    """
    from offloadsim.policies.costs import DeviceEnergy

    n = task.layers
    source, server = task.source, view.nearest(task.source, "edge")
    on_device = sorted(v for v in device_set if isinstance(v, int))
    k = len(on_device)
    dev = sum(view.compute_time_s(task, source, i, i + 1) for i in on_device)
    energy = DeviceEnergy.of(power) if power is not None else None
    if k == n:
        return dev if energy is None else energy.busy_w * dev
    order = (*on_device, *(i for i in range(n) if i not in device_set))
    size = reordered_cut_bytes(graph, order, task.cut_bytes[0], task.cut_bytes[-1])[k]
    wire, encode, decode = size, 0.0, 0.0
    if codec is not None and k > 0:
        wire = size * codec.size_factor
        encode, decode = size * codec.encode_s_per_byte[0], size * codec.decode_s_per_byte[1]
    up = 8 * wire / view.available_bandwidth_bps(source, server)
    down = 8 * task.cut_bytes[-1] / view.available_bandwidth_bps(server, source)
    latency = view.route_latency_s(source, server)
    remote = sum(view.compute_time_s(task, server, i, i + 1) for i in order[k:])
    if energy is None:
        return dev + encode + latency + up + decode + remote + latency + down
    gap = latency + decode + remote
    tail = energy.tail_w * (min(energy.tail_s, gap) + energy.tail_s) if energy.tail_s > 0 else 0.0
    return energy.busy_w * (dev + encode) + energy.transmit_w * up + energy.receive_w * down + tail


def test_dads_prices_codecs_and_radio_tails_as_the_engine_runs_them(SplitView, task_factory):
    """Against every predecessor-closed device set priced as the engine runs it."""
    from offloadsim.policies.splitting import CutCodec

    @dataclass
    class CodecView(SplitView):
        codec: CutCodec | None = None

        def cut_codec(self, app, nodes):
            return self.codec

    rng = np.random.default_rng(17)
    checked = 0
    for case in range(DADS_POLICY_CASES):
        graph = random_layer_graph(rng, int(rng.integers(2, 8)))
        if graph.is_chain():
            continue
        energy = case % 2 == 0
        idle = float(rng.uniform(0, 0.5))
        power = PowerSpec(
            idle_w=idle,
            busy_w=idle + float(rng.uniform(0, 4)),
            transmit_w=idle + float(rng.uniform(0, 2)),
            receive_w=idle + float(rng.uniform(0, 2)),
            tail_s=float(rng.choice([0.0, 0.01, 2.0])),
        )
        codec = None
        if case % 3:
            encode, decode = 10 ** rng.uniform(-11, -7, 2), 10 ** rng.uniform(-12, -8, 2)
            codec = CutCodec(float(rng.choice([0.25, 0.5])), tuple(encode.tolist()), tuple(decode.tolist()))
        view = CodecView(
            graphs={"classify": graph},
            bandwidth=float(10 ** rng.uniform(5, 9)),
            powers={"phone-0": power},
            codec=codec,
        )
        task = model_task(task_factory, graph, id=case)
        used = power if energy else None
        plan = decide(DadsPolicy(objective="energy" if energy else "latency"), task, view)
        (k,) = plan.cuts
        order = plan.order or tuple(range(task.layers))
        chosen = engine_price(view, task, graph, frozenset(order[:k]), used, codec)
        free = list(range(task.layers))
        best = math.inf
        for mask in range(2**task.layers):
            device_set = frozenset(v for v in free if mask >> v & 1)
            preds = {v: [p for p, c in graph.edges if c == v and p >= 0] for v in device_set}
            if any(p not in device_set for v in device_set for p in preds[v]):
                continue
            best = min(best, engine_price(view, task, graph, device_set, used, codec))
        assert chosen == pytest.approx(best, rel=1e-9), case
        checked += 1
    assert checked >= DADS_POLICY_CASES // 3


# --- LLM requests: priced with the per-token round trip of a split decode ---------------


@dataclass(frozen=True)
class LLMTask:
    """A 4-block LLM request as a policy sees it (``llm``: prompt and output tokens)."""

    id: int = 0
    app: str = "chat"
    source: str = "phone-0"
    arrival: float = 0.0
    deadline: float = math.nan
    layers: int = 4
    flops: tuple[float, ...] = (1e9,) * 4
    cut_bytes: tuple[float, ...] = (128.0, 16e3, 16e3, 16e3, 400.0)
    llm: tuple[int, int] = (16, 50)


def llm_view(make_view, phone_latency_s: float):
    """The phone is quick at the first two blocks, the edge at the last two; a decode step per block."""
    from offloadsim.policies.costs import LLMStage

    decode = {"phone-0": [0.001, 0.001, 0.02, 0.02], "edge-0": [0.02, 0.02, 0.001, 0.001]}

    @dataclass
    class LLMView(make_view):
        stage_calls: int = 0

        def llm_stage(self, task, node, start, stop):
            self.stage_calls += 1
            step = sum(decode[node][start:stop]) if node in decode else 1e-4 * (stop - start)
            return LLMStage(node, 10 * step, [step] * (task.llm[1] - 1), 1e3)

    links = [
        (a, b, phone_latency_s if "phone" in a else latency, bw)
        for a, b, latency, bw in make_view.DEFAULT_LINKS
    ]
    return LLMView(links=links)


def test_a_split_llm_pays_a_round_trip_per_token(make_view):
    task = LLMTask()
    # Close to the edge, splitting after block 2 wins even with 49 round trips (each ~10 ms).
    near = decide(NeurosurgeonPolicy(server="edge-0"), task, llm_view(make_view, 3e-3))
    assert near == Plan(("phone-0", "edge-0"), (2,))
    # 40 ms away, 49 round trips (~4 s) cost more than running it all on the phone (2.5 s). Priced
    # as a one-shot chain (one crossing each way, as before), the split looked best (0.32 s).
    far = decide(NeurosurgeonPolicy(server="edge-0"), task, llm_view(make_view, 40e-3))
    assert far == Plan(("phone-0", "edge-0"), (4,))


def test_llm_decisions_are_cached_per_tokens_and_bandwidth(make_view):
    view = llm_view(make_view, 3e-3)
    policy = MultiTierPolicy()
    first = policy.decide(LLMTask(), view)
    calls = view.stage_calls
    assert calls > 0
    assert all(policy.decide(LLMTask(id=i), view) is first for i in range(1, 20))
    assert view.stage_calls == calls  # the same tokens and bandwidths: decided once
    policy.decide(LLMTask(llm=(16, 51)), view)
    assert view.stage_calls > calls  # other tokens: priced afresh
