"""Routes are lowest-latency paths, and what caches them stays linear in the network's size."""

from __future__ import annotations

import itertools
import random

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from offloadsim.scenario.model import LinkSpec, NodeSpec
from offloadsim.world import topology
from offloadsim.world.topology import NoRouteError, Topology

HOP = 1e-12  # the per-hop tie-breaker the topology adds to each link's latency


def build(edges: list[tuple[int, int, float]], nodes: int, tiers: dict[int, str] | None = None) -> Topology:
    tiers = tiers or {}
    specs = [NodeSpec(f"n{i}", f"n{i}", tiers.get(i, "device")) for i in range(nodes)]
    links = [LinkSpec(f"n{a}", f"n{b}", 1e6 * (1 + a), 2e6 * (1 + b), latency) for a, b, latency in edges]
    return Topology(specs, links)


@st.composite
def networks(draw: st.DrawFn) -> tuple[int, list[tuple[int, int, float]]]:
    """A random graph: a few cycles (a core) with trees hanging off it, and maybe a separate tree."""
    n = draw(st.integers(2, 25))
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))
    latency = st.sampled_from([0.0, 0.001, 0.002, 0.005])
    edges: dict[tuple[int, int], float] = {}
    for node in range(1, n):  # a spanning forest: each node joins an earlier one, or starts a tree
        if rng.random() < 0.9:
            edges[(rng.randrange(node), node)] = draw(latency)
    for _ in range(draw(st.integers(0, n))):  # extra links close cycles
        a, b = rng.sample(range(n), 2)
        if (a, b) not in edges and (b, a) not in edges:
            edges[(a, b)] = draw(latency)
    return n, [(a, b, lat) for (a, b), lat in edges.items()]


@settings(max_examples=80, deadline=None)
@given(networks())
def test_routes_are_lowest_latency_paths_with_fewest_hops(network):
    n, edges = network
    topo = build(edges, n, tiers={0: "edge", 1: "cloud"})
    graph = nx.Graph()
    graph.add_nodes_from(f"n{i}" for i in range(n))
    graph.add_weighted_edges_from((f"n{a}", f"n{b}", lat + HOP) for a, b, lat in edges)
    lengths = dict(nx.all_pairs_dijkstra_path_length(graph))
    for a, b in itertools.permutations(graph.nodes, 2):
        if b not in lengths[a]:
            with pytest.raises(NoRouteError):
                topo.route(a, b)
            continue
        route = topo.route(a, b)
        assert route.nodes[0] == a and route.nodes[-1] == b
        assert len(set(route.nodes)) == len(route.nodes)  # a simple path
        for (u, v), channel in zip(itertools.pairwise(route.nodes), route.channels, strict=True):
            assert graph.has_edge(u, v)
            assert topo.channel_ends(channel) == (u, v)
        best = lengths[a][b]
        assert route.latency_s + HOP * len(route.channels) == pytest.approx(best, abs=1e-15)
        assert route.bottleneck_bps == min(topo.channel_capacity_bps[c] for c in route.channels)


def test_a_routes_latency_is_its_links_added_left_to_right_on_every_python():
    """From Python 3.12 sum() compensates rounding (0.6 here, not 0.6000000000000001): records must
    not depend on the Python version, so a route adds its links' latencies in order, as 3.11's sum() did."""
    topo = build([(0, 1, 0.1), (1, 2, 0.2), (2, 3, 0.3)], 4)
    assert topo.route("n0", "n3").latency_s == (0.1 + 0.2) + 0.3 == 0.6000000000000001


def test_every_pair_of_a_large_tree_costs_no_per_device_table():
    """Devices on access points on edges on a cloud: all a tree, so no shortest-path search at all."""
    nodes = [NodeSpec("cloud", "cloud", "cloud")]
    links = []
    for e in range(4):
        nodes.append(NodeSpec(f"edge{e}", "edge", "edge"))
        links.append(LinkSpec(f"edge{e}", "cloud", 1e9, 1e9, 0.02))
        for d in range(300):
            nodes.append(NodeSpec(f"d{e}-{d}", "device", "device"))
            links.append(LinkSpec(f"d{e}-{d}", f"edge{e}", 2e7, 2e7, 0.002))
    topo = Topology(nodes, links)
    devices = [n.name for n in nodes if n.tier == "device"]
    for a in devices[::7]:
        for b in devices[::11]:
            if a != b:
                route = topo.route(a, b)
                same_edge = a.split("-")[0] == b.split("-")[0]
                assert len(route.channels) == (2 if same_edge else 4)
    assert topo._searches == {}  # a tree has a single core node: nothing to search


def test_search_tables_cover_only_the_core_and_stay_within_budget(monkeypatch):
    """A ring of 20 routers with 50 devices each: searches span the 20 routers, not 1,020 nodes."""
    monkeypatch.setattr(topology, "SEARCH_BUDGET", 100)
    nodes, links = [], []
    for r in range(20):
        nodes.append(NodeSpec(f"r{r}", "router", "network"))
        links.append(LinkSpec(f"r{r}", f"r{(r + 1) % 20}", 1e9, 1e9, 0.001))
        for d in range(50):
            nodes.append(NodeSpec(f"d{r}-{d}", "device", "device"))
            links.append(LinkSpec(f"d{r}-{d}", f"r{r}", 2e7, 2e7, 0.002))
    topo = Topology(nodes, links)
    for r in range(20):
        route = topo.route(f"d{r}-0", f"d{(r + 7) % 20}-3")
        assert len(route.channels) == 2 + 7
        assert all(len(table) == 20 for table in topo._searches.values())
        assert topo._search_entries == sum(map(len, topo._searches.values())) <= 100


def test_route_cache_is_bounded(monkeypatch):
    monkeypatch.setattr(topology, "ROUTE_CACHE", 10)
    topo = build([(0, i, 0.001) for i in range(1, 30)], 30)
    first = topo.route("n1", "n2")
    for i in range(3, 30):
        topo.route("n1", f"n{i}")
        assert len(topo._routes) <= 10
    assert topo.route("n1", "n2") == first
