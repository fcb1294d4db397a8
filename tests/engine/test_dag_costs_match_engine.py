"""A DAG model split between device and server costs what the cost model predicts: predicted = measured.

A DADS partition (a predecessor-closed set of layers on the device) runs as
a chain in the order "device layers, then the rest", so the package's cost
model prices it with :func:`~offloadsim.policies.splitting.plan_cost` over
:func:`~offloadsim.policies.costs.reordered_cut_bytes`.  On an idle system
one request under each partition (every prefix of the model's order, and
random predecessor-closed sets) takes exactly that latency and device
energy, with and without a codec and a radio tail; and ``dads`` picks a
partition at least as good as every one measured.
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
