"""A topology that changes: versions, and routes that are never stale."""

from __future__ import annotations

import itertools
import random

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from offloadsim.scenario.model import LinkSpec, NodeSpec
from offloadsim.world.topology import NoRouteError, Topology


def diamond() -> Topology:
    """phone - ap - {fast, slow} - cloud: two ways from ap to cloud."""
    nodes = [NodeSpec(n, n, "edge") for n in ("phone", "ap", "fast", "slow", "cloud")]
    links = [
        LinkSpec("phone", "ap", 10e6, 10e6, 0.001),
        LinkSpec("ap", "fast", 10e6, 10e6, 0.002),
        LinkSpec("fast", "cloud", 10e6, 10e6, 0.002),
        LinkSpec("ap", "slow", 50e6, 50e6, 0.010),
        LinkSpec("slow", "cloud", 50e6, 50e6, 0.010),
    ]
    return Topology(nodes, links)


def test_a_latency_change_moves_the_route_and_bumps_both_versions():
    topo = diamond()
    assert topo.route("phone", "cloud").nodes == ("phone", "ap", "fast", "cloud")
    topo.set_latency(1, 0.050)
    assert (topo.version, topo.routes_version) == (1, 1)
    route = topo.route("phone", "cloud")
    assert route.nodes == ("phone", "ap", "slow", "cloud")
    assert route.latency_s == pytest.approx(0.021)
    assert topo.latency_s(1) == 0.050


def test_a_capacity_change_bumps_the_version_but_not_the_routes():
    topo = diamond()
    before = topo.route("phone", "cloud")
    heard = []
    topo.watch(heard.append)
    topo.set_capacity(topo.channel("ap", "fast"), 1e6)
    assert (topo.version, topo.routes_version) == (1, 0)
    after = topo.route("phone", "cloud")
    assert after.channels == before.channels and after.bottleneck_bps == 1e6
    assert [(c.what, c.channel, c.value) for c in heard] == [("capacity", 2, 1e6)]
    topo.set_capacity(2, 1e6)  # no change: no version
    assert topo.version == 1


def test_a_link_down_reroutes_and_back_up_restores():
    topo = diamond()
    topo.set_link_up(2, False)
    assert topo.route("phone", "cloud").nodes == ("phone", "ap", "slow", "cloud")
    assert not topo.link_up(2) and topo.latency_s(2) == 0.002
    topo.set_latency(2, 0.001)  # while down: kept for when it is back
    topo.set_link_up(2, True)
    assert topo.route("phone", "cloud").latency_s == pytest.approx(0.004)


def test_a_node_down_is_unreachable_and_its_links_carry_nothing():
    topo = diamond()
    heard = []
    topo.watch(heard.append)
    topo.set_node_up("ap", False)
    assert not topo.reachable("phone", "cloud") and not topo.node_up("ap")
    with pytest.raises(NoRouteError):
        topo.route("phone", "cloud")
    assert heard[-1].what == "node-up" and set(heard[-1].channels) == {0, 1, 2, 3, 6, 7}
    assert not topo.carries(0) and topo.carries(2)
    topo.set_node_up("ap", True)
    assert topo.route("phone", "cloud").nodes == ("phone", "ap", "fast", "cloud")


def test_a_link_or_node_is_down_while_any_holder_holds_it_down():
    """The union is the topology's, whatever calls its setters inside ``applying(i)``."""
    topo = diamond()
    heard = []
    topo.watch(heard.append)
    for holder in (0, 1):  # two entries take link 2 and the node "slow" down, overlapping
        with topo.applying(holder):
            topo.set_link_up(2, False)
            topo.set_node_up("slow", False)
    with topo.applying(0):  # entry 0's outage ends; entry 1's goes on, and nothing is heard
        topo.set_link_up(2, True)
        topo.set_node_up("slow", True)
    assert not topo.link_up(2) and not topo.node_up("slow") and not topo.reachable("phone", "cloud")
    assert [c.what for c in heard] == ["link-up", "node-up"] and topo.version == 2
    with pytest.raises(RuntimeError), topo.applying(1):
        raise RuntimeError  # a change that fails leaves no holder in effect
    topo.set_link_up(2, True)  # outside every entry: a holder of its own, which holds nothing
    assert not topo.link_up(2)
    with topo.applying(1):
        topo.set_link_up(2, True)
        topo.set_node_up("slow", True)
    assert topo.link_up(2) and topo.node_up("slow")
    assert topo.route("phone", "cloud").nodes == ("phone", "ap", "fast", "cloud")


def test_a_handover_holds_the_links_it_drops_and_leaves_one_held_by_another_down():
    nodes = [NodeSpec(n, n, t) for n, t in (("phone", "device"), ("ap-0", "network"), ("ap-1", "network"))]
    links = [LinkSpec("phone", "ap-0", 10e6, 10e6, 0.001), LinkSpec("phone", "ap-1", 10e6, 10e6, 0.001)]
    topo = Topology(nodes, links)
    with topo.applying(0):  # a schedule's window on phone-ap-1
        topo.set_link_up(1, False)
    with topo.applying(1):  # mobility: onto ap-1, which the window holds down
        topo.hand_over("phone", (0,), 1, "continue")
    assert topo.attachment("phone") == "ap-1" and not topo.link_up(0) and not topo.link_up(1)
    with topo.applying(0):  # the window ends: ap-1 up; ap-0 stays down, held by the handover
        topo.set_link_up(1, True)
        topo.set_link_up(0, True)
    assert not topo.link_up(0) and topo.link_up(1)
    assert topo.route("phone", "ap-1").channels == (2,)


def test_a_node_change_reaction_runs_as_its_registrant_before_a_node_goes_down_and_after_it_comes_up():
    """What ``on_node_change`` promises mobility: the node in its new state, the listeners told after
    a going down and before a coming up, and the reaction's changes held by whoever registered it."""
    topo = diamond()
    heard = []
    topo.watch(lambda change: heard.append((change.what, change.node or change.link)))

    def react(node, up):
        heard.append(("reaction", node, up, topo.node_up(node)))
        topo.set_link_up(0, up)  # held by entry 1, whichever entry moved the node

    with topo.applying(1):
        topo.on_node_change(react)
    with topo.applying(0):
        topo.set_node_up("slow", False)
    assert heard == [("reaction", "slow", False, False), ("link-up", 0), ("node-up", "slow")]
    heard.clear()
    with topo.applying(0):
        topo.set_link_up(0, True)  # entry 0 holds nothing on link 0: the reaction's hold stands
        topo.set_node_up("slow", True)
    assert heard == [("node-up", "slow"), ("reaction", "slow", True, True), ("link-up", 0)]
    assert topo.link_up(0)
    with topo.applying(0):
        topo.set_node_up("slow", False)
    with topo.applying(1):
        topo.set_link_up(0, True)  # the reaction held it as entry 1's: entry 1 lets it go
    assert topo.link_up(0)


def test_a_fork_starts_from_the_scenario_and_leaves_the_original_alone():
    topo = diamond()
    topo.route("phone", "cloud")
    fork = topo.fork()
    fork.set_link_up(1, False)
    assert topo.route("phone", "cloud").nodes == ("phone", "ap", "fast", "cloud")
    assert topo.version == 0 and fork.version == 1


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), changes=st.integers(1, 30))
def test_routes_after_any_changes_are_those_of_the_graph_in_force(seed, changes):
    rng = random.Random(seed)
    n = 12
    names = [f"n{i}" for i in range(n)]
    specs = [NodeSpec(name, name, rng.choice(["device", "edge"])) for name in names]
    pairs = {(i, i + 1) for i in range(n - 1)} | {tuple(sorted(rng.sample(range(n), 2))) for _ in range(8)}
    links = [
        LinkSpec(names[a], names[b], 1e6, 1e6, rng.choice([0.001, 0.002, 0.005])) for a, b in sorted(pairs)
    ]
    topo = Topology(specs, links)
    for _ in range(changes):
        what = rng.random()
        if what < 0.4:
            topo.set_latency(rng.randrange(len(links)), rng.choice([0.001, 0.003, 0.02]))
        elif what < 0.7:
            topo.set_link_up(rng.randrange(len(links)), rng.random() < 0.5)
        else:
            topo.set_node_up(rng.choice(names), rng.random() < 0.6)
        for _ in range(3):  # ask between changes, so caches fill and must be dropped
            a, b = rng.sample(names, 2)
            if topo.reachable(a, b):
                topo.route(a, b)
    live = nx.Graph()
    live.add_nodes_from(names)
    for i, link in enumerate(links):
        if topo.carries(i):
            live.add_edge(link.a, link.b, latency=topo.latency_s(i))
    for a in names:
        for b in names:
            connected = nx.has_path(live, a, b)
            assert topo.reachable(a, b) == connected
            if connected and a != b:
                best = nx.dijkstra_path_length(live, a, b, weight="latency")
                route = topo.route(a, b)
                assert route.latency_s == pytest.approx(best, abs=1e-9)
                assert all(live.has_edge(u, v) for u, v in itertools.pairwise(route.nodes))


def test_a_leaf_going_down_keeps_the_peeled_trees_and_routes_match_a_topology_built_afresh():
    """A device on one access point going down (a flat battery, a crash) moves only its own place in
    the cached trees, as a handover out of reach does: no search starts afresh, and every route
    is still the one a topology built with the same nodes down finds."""
    rng = random.Random(7)
    phones = [f"phone-{i}" for i in range(8)]
    aps = ["ap-0", "ap-1", "ap-2"]
    nodes = [NodeSpec(p, "phone", "device") for p in phones] + [NodeSpec(a, "ap", "network") for a in aps]
    nodes += [NodeSpec(n, n, t) for n, t in (("edge-0", "edge"), ("edge-1", "edge"), ("cloud", "cloud"))]
    links = [LinkSpec(p, aps[i % 3], 1e6, 1e6, 0.001) for i, p in enumerate(phones)]
    links += [LinkSpec("phone-7", "phone-6", 1e6, 1e6, 0.001)]  # phone-6 relays phone-7: not a leaf
    links += [
        LinkSpec(a, e, 1e9, 1e9, 0.002 * (1 + j)) for a in aps for j, e in enumerate(("edge-0", "edge-1"))
    ]
    links += [LinkSpec(e, "cloud", 1e9, 1e9, 0.02) for e in ("edge-0", "edge-1")]
    topo = Topology(nodes, links)
    down: set[str] = set()
    targets = ["edge-0", "edge-1", "cloud", *phones]
    kept = 0
    for _ in range(60):
        for a in phones:  # fill the caches, so the change must keep or drop them rightly
            for b in targets:
                if topo.reachable(a, b):
                    topo.route(a, b)
        node = rng.choice([*phones, *phones, "ap-1"])
        up = node in down and rng.random() < 0.7
        trees, searches = topo._trees, dict(topo._searches)
        peeled = trees is not None and trees.parent.get(node) is not None
        leaf = not up and node not in down and topo.graph.degree(node) == 1 and peeled
        topo.set_node_up(node, up)
        (down.discard if up else down.add)(node)
        if leaf:
            assert topo._trees is trees and topo._searches == searches  # moved in place
            kept += 1
        fresh = Topology(nodes, links)
        for name in down:
            fresh.set_node_up(name, False)
        for a in phones:
            for b in targets:
                assert topo.reachable(a, b) == fresh.reachable(a, b), (a, b)
                if a != b and fresh.reachable(a, b):
                    mine, theirs = topo.route(a, b), fresh.route(a, b)
                    assert (mine.nodes, mine.channels) == (theirs.nodes, theirs.channels)
                    assert mine.latency_s == pytest.approx(theirs.latency_s)
                elif a != b:  # none served from the cache: the routes of a node gone down went with it
                    with pytest.raises(NoRouteError):
                        topo.route(a, b)
    assert kept > 10
