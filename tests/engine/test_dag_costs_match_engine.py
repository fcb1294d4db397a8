"""A DAG model split between device and server costs what the cost model predicts: predicted = measured.

A DADS partition (a predecessor-closed set of layers on the device) runs as
a chain in the order "device layers, then the rest", so the package's cost
model prices it with :func:`~offloadsim.policies.splitting.plan_cost` over
:func:`~offloadsim.policies.costs.reordered_cut_bytes`.  On an idle system
one request under each partition (every prefix of the model's order, and
random predecessor-closed sets) takes exactly that latency and device
energy, with and without a codec and a radio tail; and ``dads`` picks a
partition at least as good as every one measured.  A three-layer skip DAG cut
under a codec is worked out by hand, stage by stage, apart from the cost model.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from offloadsim.engine import simulate
from offloadsim.policies import Plan
from offloadsim.policies.costs import CODECS, DeviceEnergy, reordered_cut_bytes
from offloadsim.policies.registry import register_policy, unregister_policy
from offloadsim.policies.splitting import CutCodec, plan_cost
from offloadsim.scenario import load_scenario_text
from offloadsim.scenario.model import PolicySpec
from offloadsim.world import build_world

SCENARIO = """
name: dag-agree
duration: 60 s
nodes:
  phone:
    tier: device
    processor: {profile: raspberry-pi-4}
    power: {idle: 0.5 W, busy: 3 W, transmit: 1.3 W, receive: 1 W, tail: TAIL}
  ap: {tier: network}
  edge: {tier: edge, processor: {profile: jetson-orin}}
links:
  - {between: [phone, ap], bandwidth: 20 Mbps, reverse_bandwidth: 40 Mbps, latency: 3 ms}
  - {between: [ap, edge], bandwidth: 1 Gbps, latency: 0.5 ms}
applications:
  cnn: {model: squeezenet1_1, output: 4 KB, compression: CODEC}
workload:
  - {app: cnn, sources: phone, arrivals: trace, trace: once.csv}
policy: local
"""
RANDOM_PARTITIONS = 25


class PartitionPolicy:
    """Run the layers ``device`` on the source and the rest on ``server``, in that order.

    Parameters
    ----------
    device : list
        Layer positions on the device (closed under predecessors).
    server : str
        Where the other layers run.
    """

    def __init__(self, device: list | None = None, server: str = "edge") -> None:
        self.device = sorted(device or [])
        self.server = server

    def decide(self, task, view):
        taken = set(self.device)
        order = (*self.device, *(i for i in range(task.layers) if i not in taken))
        return Plan((task.source, self.server), (len(self.device),), order=order)


@pytest.fixture(scope="module", autouse=True)
def _partition_policy():
    register_policy("test-partition")(PartitionPolicy)
    yield
    unregister_policy("test-partition")


#: A radio whose draw grows with its throughput (docs/scenario-format.md, "Radio power that grows
#: with throughput"), written where a tail is: its bits are priced as the engine charges them.
PER_RATE = "0.05 s, transmit_per_rate: 438.39 mW/Mbps, receive_per_rate: 51.97 mW/Mbps"


def world_for(tmp_path, codec: str, tail: str):
    (tmp_path / "once.csv").write_text("time\n1.0\n")
    text = SCENARIO.replace("CODEC", codec).replace("TAIL", tail)
    return build_world(load_scenario_text(text, source="<t>", base_dir=tmp_path))


def partitions(graph, rng: np.random.Generator) -> list[tuple[int, ...]]:
    """Every prefix of the model's order, and prefixes of random topological orders."""
    n = len(graph)
    found = {tuple(range(k)) for k in range(n + 1)}
    readers: dict[int, list[int]] = {i: [] for i in range(n)}
    needs = [0] * n
    for producer, consumer in graph.edges:
        if producer >= 0 and consumer < n:
            readers[producer].append(consumer)
            needs[consumer] += 1
    while len(found) < n + 1 + RANDOM_PARTITIONS:
        waiting, ready, order = list(needs), [i for i in range(n) if needs[i] == 0], []
        while ready:
            layer = ready.pop(int(rng.integers(len(ready))))
            order.append(layer)
            for reader in readers[layer]:
                waiting[reader] -= 1
                if waiting[reader] == 0:
                    ready.append(reader)
        found.add(tuple(sorted(order[: int(rng.integers(1, n))])))
    return sorted(found, key=lambda d: (len(d), d))


def outcome(world, device: tuple[int, ...]) -> tuple[float, float]:
    tasks = simulate(world, policy=PolicySpec("test-partition", {"device": list(device)})).tasks
    assert list(tasks["status"]) == ["completed"]
    return float(tasks["latency"][0]), float(tasks["device_energy"][0])


def predicted(world, device: tuple[int, ...]) -> tuple[float, float]:
    """plan_cost of the partition run as the chain "device layers, then the rest"."""
    app = world.apps["cnn"]
    n = app.layers
    taken = set(device)
    order = [*device, *(i for i in range(n) if i not in taken)]
    sizes = reordered_cut_bytes(app.graph, order, app.cut_bytes[0], app.cut_bytes[-1])
    times = [np.asarray(world.layer_seconds("cnn", x))[order].tolist() for x in ("phone", "edge")]
    up, down = world.topology.route("phone", "edge"), world.topology.route("edge", "phone")
    bandwidth = [[math.inf, up.bottleneck_bps], [down.bottleneck_bps, math.inf]]
    latency = [[0.0, up.latency_s], [down.latency_s, 0.0]]
    codec = CutCodec.of(
        CODECS.get(app.spec.compression), [world.processors[x].speed_flops for x in ("phone", "edge")]
    )
    power = DeviceEnergy.of(world.nodes["phone"].power)
    args = (times, sizes, [len(device)], bandwidth, latency)
    return (
        plan_cost(*args, "latency", codec=codec),
        plan_cost(*args, "energy", power, codec=codec),
    )


@pytest.mark.parametrize(
    ("codec", "tail"),
    [("none", "0 s"), ("int8", "0.05 s"), ("fp16", "2 s"), pytest.param("int8", PER_RATE, id="per-rate")],
)
def test_every_partition_costs_what_the_engine_measures(tmp_path, codec, tail):
    world = world_for(tmp_path, codec, tail)
    rng = np.random.default_rng(7)
    for device in partitions(world.apps["cnn"].graph, rng):
        latency, energy = outcome(world, device)
        want_latency, want_energy = predicted(world, device)
        assert latency == pytest.approx(want_latency, rel=1e-9), device
        assert energy == pytest.approx(want_energy, rel=1e-9), device


@pytest.mark.parametrize("tail", ["0.05 s", pytest.param(PER_RATE, id="per-rate")])
@pytest.mark.parametrize("objective", ["latency", "energy"])
def test_dads_beats_every_measured_partition(tmp_path, objective, tail):
    world = world_for(tmp_path, "int8", tail)
    rng = np.random.default_rng(11)
    index = 0 if objective == "latency" else 1
    best = min(outcome(world, device)[index] for device in partitions(world.apps["cnn"].graph, rng))
    tasks = simulate(world, policy=PolicySpec("dads", {"objective": objective})).tasks
    value = float(tasks["latency" if index == 0 else "device_energy"][0])
    assert value <= best * (1 + 1e-9)


HAND_DAG = """
name: dag-codec-by-hand
duration: 10 s
nodes:
  phone: {tier: device, processor: {speed: 100 MFLOP/s}}
  edge: {tier: edge, processor: {speed: 10 GFLOP/s}}
links:
  - {between: [phone, edge], bandwidth: 40 Mbps, latency: 5 ms}
applications:
  net: {onnx: skip.onnx, output: 4 KB, compression: CODEC}
workload:
  - {app: net, sources: phone, arrivals: trace, trace: once.csv}
policy: {name: fixed, nodes: [phone, edge], cuts: [2]}
"""


@pytest.mark.parametrize("codec", ["int8", "none"])
def test_a_cut_of_a_skip_dag_under_a_codec_adds_up_by_hand(tmp_path, codec):
    """``a = relu(x)``, ``b = sigmoid(a)``, ``c = a + b`` over N = 250,000 float32 elements; a and b on
    the phone, c on the edge: the cut after b carries both a and b (the skip), 2 MB in fp32.

    By hand (FLOPs: relu N, sigmoid 4N, add N): the phone computes 2.5 + 10 ms and int8 encodes the
    2N elements at 4 FLOP each (20 ms, on the sender's step); 500 kB cross at 40 Mbit/s (100 ms +
    5 ms); the edge decodes them at 2 FLOP each (0.1 ms, on its step) and adds (25 us); 4 kB of
    result come home (0.8 + 5 ms).  Each stage row is its part, and compute + transfer (+ no wait)
    is the latency.  Without a codec the cut's 2 MB take 405 ms and nothing is encoded.
    """
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper

    n = 250_000
    nodes = [
        helper.make_node("Relu", ["x"], ["a"], name="a"),
        helper.make_node("Sigmoid", ["a"], ["b"], name="b"),
        helper.make_node("Add", ["a", "b"], ["c"], name="c"),
    ]
    graph = helper.make_graph(
        nodes,
        "skip",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, n])],
        [helper.make_tensor_value_info("c", TensorProto.FLOAT, None)],
    )
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), tmp_path / "skip.onnx")
    (tmp_path / "once.csv").write_text("time\n1.0\n")
    text = HAND_DAG.replace("CODEC", codec)
    raw = simulate(load_scenario_text(text, source="<t>", base_dir=tmp_path), record_stages=True)
    tasks, stages = raw.tasks, raw.stages
    assert stages is not None and list(tasks["status"]) == ["completed"]

    cut = 2 * n * 4.0  # a and b, float32
    wire, encode, decode = (cut / 4, 2 * n * 4 / 100e6, 2 * n * 2 / 10e9) if codec == "int8" else (cut, 0, 0)
    phone = (n + 4 * n) / 100e6 + encode
    edge = decode + n / 10e9
    up, home = wire * 8 / 40e6 + 0.005, 4000 * 8 / 40e6 + 0.005
    rows = list(
        zip(stages["kind"], stages["where"], stages["bytes"], stages["end"] - stages["start"], strict=True)
    )
    want = [
        ("compute", "phone", 0.0, phone),
        ("transfer", "phone>edge", wire, up),
        ("compute", "edge", 0.0, edge),
        ("transfer", "edge>phone", 4000.0, home),
    ]
    assert [row[:3] for row in rows] == [w[:3] for w in want]
    assert [row[3] for row in rows] == pytest.approx([w[3] for w in want], rel=1e-9)
    assert tasks["compute_time"][0] == pytest.approx(phone + edge, rel=1e-12)
    assert tasks["transfer_time"][0] == pytest.approx(up + home, rel=1e-12)
    assert tasks["wait"][0] == 0.0
    assert tasks["latency"][0] == pytest.approx(phone + up + edge + home, rel=1e-12)
    assert tasks["compute_time"][0] + tasks["transfer_time"][0] == pytest.approx(
        tasks["latency"][0], rel=1e-12
    )
    assert tasks["bytes_sent"][0] == wire + 4000.0
