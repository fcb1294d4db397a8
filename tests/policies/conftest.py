"""A hand-made system for policy tests: FakeView implements the whole SystemView protocol.

The default system (node order as listed; `ap` and `sensor-0` cannot compute,
`island` has no links):

    phone-0 ─┐ 3 ms, 20 Mbps
    phone-1 ─┼─ ap ── 0.5 ms, 1 Gbps ── edge-0 ── 20 ms, 200 Mbps ── cloud-0
    sensor-0 ┘    └── 2 ms, 1 Gbps ─── edge-1
                                        island (edge, unreachable)
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

import networkx as nx
import numpy as np
import pytest

from offloadsim.policies import registry

# name -> (tier, speed in FLOP/s, or None if it cannot compute)
DEFAULT_NODES: dict[str, tuple[str, float | None]] = {
    "phone-0": ("device", 1e9),
    "phone-1": ("device", 1e9),
    "sensor-0": ("device", None),
    "ap": ("network", None),
    "edge-0": ("edge", 1e10),
    "edge-1": ("edge", 2e10),
    "cloud-0": ("cloud", 1e11),
    "island": ("edge", 1e10),
}
# (a, b, latency s, bandwidth bps)
DEFAULT_LINKS: list[tuple[str, str, float, float]] = [
    ("phone-0", "ap", 3e-3, 20e6),
    ("phone-1", "ap", 3e-3, 20e6),
    ("sensor-0", "ap", 3e-3, 20e6),
    ("ap", "edge-0", 0.5e-3, 1e9),
    ("ap", "edge-1", 2e-3, 1e9),
    ("edge-0", "cloud-0", 20e-3, 200e6),
]


@dataclass(frozen=True)
class FakeTask:
    id: int
    app: str
    source: str
    arrival: float
    deadline: float
    layers: int
    flops: tuple[float, ...]
    cut_bytes: tuple[float, ...]


def make_task(
    source: str = "phone-0",
    *,
    id: int = 0,
    layers: int = 4,
    flops: Sequence[float] | None = None,
    input_bytes: float = 150e3,
    output_bytes: float = 4e3,
    app: str = "classify",
) -> FakeTask:
    """A chain of `layers` layers of 1 GFLOP each; inner cuts carry 50 KB."""
    flops = tuple(flops) if flops is not None else (1e9,) * layers
    cut_bytes = (input_bytes, *([50e3] * (layers - 1)), output_bytes)
    return FakeTask(id, app, source, float(id), math.nan, layers, flops, cut_bytes)


@dataclass
class FakeView:
    """SystemView over a static graph; waits, down nodes and the rng are set by the test."""

    DEFAULT_NODES: ClassVar[dict[str, tuple[str, float | None]]] = DEFAULT_NODES
    DEFAULT_LINKS: ClassVar[list[tuple[str, str, float, float]]] = DEFAULT_LINKS

    seed: int = 0
    nodes_spec: Mapping[str, tuple[str, float | None]] = field(default_factory=lambda: dict(DEFAULT_NODES))
    links: Iterable[tuple[str, str, float, float]] = field(default_factory=lambda: list(DEFAULT_LINKS))
    waits: dict[str, float] = field(default_factory=dict)
    down: set[str] = field(default_factory=set)
    time: float = 0.0

    def __post_init__(self) -> None:
        self._rng = np.random.default_rng(self.seed)
        self.graph = nx.Graph()
        self.graph.add_nodes_from(self.nodes_spec)
        for a, b, latency, bandwidth in self.links:
            self.graph.add_edge(a, b, latency=latency, bandwidth=bandwidth)

    # --- SystemView ---
    @property
    def now(self) -> float:
        return self.time

    @property
    def topology_version(self) -> int:
        return 0

    @property
    def routes_version(self) -> int:
        return 0

    @property
    def up_version(self) -> int:
        # Moves whenever the set of nodes down does (tests reassign or mutate ``down`` between decisions).
        return hash(tuple(sorted(self.down)))

    @property
    def rng(self) -> np.random.Generator:
        return self._rng

    def nodes(self, tier: str | None = None) -> tuple[str, ...]:
        return tuple(
            n
            for n, (t, speed) in self.nodes_spec.items()
            if speed is not None and (tier is None or t == tier)
        )

    def tier(self, node: str) -> str:
        return self.nodes_spec[node][0]

    def group(self, node: str) -> str:
        head, _, tail = node.rpartition("-")  # phone-0 .. phone-2: a count: entry's nodes
        return head if head and tail.isdigit() else node

    def attachment(self, device: str) -> str | None:
        return None

    def is_up(self, node: str) -> bool:
        return node not in self.down

    def processors(self, node: str) -> tuple[str, ...]:
        spec = self.nodes_spec.get(node)
        return ("cpu",) if spec is not None and spec[1] is not None else ()  # one each, a single processor

    def cores(self, node: str) -> int:
        spec = self.nodes_spec.get(node)
        return 1 if spec is not None and spec[1] is not None else 0  # as the engine's: 0 if it cannot compute

    def busy_cores(self, node: str) -> int:
        return 1 if self.waits.get(node, 0.0) > 0 else 0

    def queue_length(self, node: str) -> int:
        return math.ceil(self.waits.get(node, 0.0))

    def expected_wait_s(self, node: str) -> float:
        return self.waits.get(node, 0.0)

    def compute_time_s(self, task, node: str, start: int = 0, stop: int | None = None, app=None) -> float:
        speed = self.nodes_spec[node][1]
        assert speed is not None, f"{node} cannot compute"
        return sum(task.flops[start : task.layers if stop is None else stop]) / speed

    def _path(self, a: str, b: str) -> list[str]:
        alive = self.graph.subgraph(n for n in self.graph if n not in self.down)
        return nx.shortest_path(alive, a, b, weight="latency")

    def reachable(self, a: str, b: str) -> bool:
        if a in self.down or b in self.down:
            return False
        try:
            self._path(a, b)
        except nx.NetworkXNoPath:
            return False
        return True

    def route_latency_s(self, a: str, b: str) -> float:
        path = self._path(a, b)
        return sum(self.graph.edges[u, v]["latency"] for u, v in itertools.pairwise(path))

    def route_bandwidth_bps(self, a: str, b: str) -> float:
        path = self._path(a, b)
        return min(
            (self.graph.edges[u, v]["bandwidth"] for u, v in itertools.pairwise(path)),
            default=math.inf,
        )

    def available_bandwidth_bps(self, a: str, b: str) -> float:
        return self.route_bandwidth_bps(a, b)

    def transfer_time_s(self, a: str, b: str, size_bytes: float) -> float:
        if a == b:
            return 0.0
        return self.route_latency_s(a, b) + 8 * size_bytes / self.available_bandwidth_bps(a, b)

    def transfer_floor_s(self, node: str, size_bytes: float, inbound: bool = False) -> float:
        links = [self.graph.edges[node, other] for other in self.graph.adj[node]]
        if not links:
            return 0.0
        return min(e["latency"] for e in links) + 8 * size_bytes / max(e["bandwidth"] for e in links)

    def nearest(self, source: str, tier: str) -> str | None:
        options = [n for n in self.nodes(tier) if self.reachable(source, n)]
        return min(options, key=lambda n: self.route_latency_s(source, n), default=None)

    def power(self, node: str):
        return None

    def core_busy_w(self, node: str, processor=None):
        return 0.0  # no node draws power here

    def layer_graph(self, app: str):
        return None

    def alternatives(self, app: str):
        return ()

    def hosts(self, app: str):
        return None

    def cut_codec(self, app: str, nodes, processors=None):
        return None

    def llm_stage(self, task, node: str, start: int, stop: int, processor=None):
        return None  # no LLM requests here


@pytest.fixture(scope="session")
def make_view():
    return FakeView


@pytest.fixture(scope="session")
def task_factory():
    return make_task


@pytest.fixture
def fresh_registry():
    """Forget cached plug-ins before and after; drop any policy a test registers."""
    registry._load_builtins()  # shipped policies are not the test's to drop, even when it loads them first
    before = set(registry._REGISTERED)
    registry.clear_policy_cache()
    yield
    registry.clear_policy_cache()
    for name in set(registry._REGISTERED) - before:
        registry.unregister_policy(name)
