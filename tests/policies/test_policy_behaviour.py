"""What each shipped policy decides on the hand-made system of conftest.py."""

from __future__ import annotations

import math
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from offloadsim.policies import Plan, PlanError, PolicyParamError, make_policy, validate_plan
from offloadsim.policies.balancing import expected_completion_s

# --- local ---


def test_local_runs_on_the_source(make_view, task_factory):
    view = make_view()
    policy = make_policy("local", {})
    assert policy.decide(task_factory("phone-1"), view) == Plan(("phone-1",))


def test_local_from_a_source_that_cannot_compute_is_a_plan_error(make_view, task_factory):
    with pytest.raises(PlanError, match=r'source "sensor-0" \(tier "device"\) cannot compute'):
        make_policy("local", {}).decide(task_factory("sensor-0"), make_view())


# --- edge / cloud ---


def test_edge_picks_the_nearest_edge_by_route_latency(make_view, task_factory):
    view = make_view()
    assert make_policy("edge", {}).decide(task_factory(), view) == Plan(("edge-0",))


def test_edge_follows_route_latency_not_node_order(make_view, task_factory):
    links = [(a, b, 9e-3 if b == "edge-0" else lat, bw) for a, b, lat, bw in make_view.DEFAULT_LINKS]
    view = make_view(links=links)
    assert make_policy("edge", {}).decide(task_factory(), view) == Plan(("edge-1",))


def test_edge_moves_to_the_next_edge_while_the_nearest_is_down_and_back(make_view, task_factory):
    view = make_view()
    policy = make_policy("edge", {})
    assert policy.decide(task_factory(), view).nodes == ("edge-0",)
    view.down = {"edge-0"}
    assert policy.decide(task_factory(), view).nodes == ("edge-1",)
    view.down = set()
    assert policy.decide(task_factory(), view).nodes == ("edge-0",)


@pytest.mark.parametrize(
    ("fallback", "source", "expected"),
    [
        ("local", "phone-0", Plan(("phone-0",))),
        ("local", "sensor-0", Plan.reject()),
        ("drop", "phone-0", Plan.reject()),
    ],
)
def test_edge_fallback_when_no_edge_is_usable(make_view, task_factory, fallback, source, expected):
    view = make_view(down={"edge-0", "edge-1"})
    assert make_policy("edge", {"fallback": fallback}).decide(task_factory(source), view) == expected


def test_edge_in_a_system_without_edges_is_a_plan_error(make_view, task_factory):
    nodes = {n: spec for n, spec in make_view.DEFAULT_NODES.items() if spec[0] != "edge"}
    with pytest.raises(PlanError, match='no computing node of tier "edge"'):
        make_policy("edge", {}).decide(task_factory(), make_view(nodes_spec=nodes, links=[]))


def test_cloud_picks_the_cloud(make_view, task_factory):
    view = make_view()
    task = task_factory("sensor-0")
    plan = make_policy("cloud", {}).decide(task, view)
    assert plan == Plan(("cloud-0",))
    validate_plan(plan, task, view, "cloud")


def test_a_plan_one_cut_short_names_the_task_and_its_cuts(make_view, task_factory):
    """A plug-in's plan over three nodes with one cut leaves a station no layers it can be given: the
    line says which task and which cuts, as the out-of-range refusal does."""
    task = task_factory("phone-1", layers=3)
    with pytest.raises(PlanError, match=r'needs 2 cuts, got 1 \(\(1,\)\) for task \d+ of app "'):
        validate_plan(Plan(("phone-1", "edge-0", "cloud-0"), (1,)), task, make_view(), "mine")


# --- fixed ---


def test_fixed_single_node(make_view, task_factory):
    assert make_policy("fixed", {"node": "edge-1"}).decide(task_factory(), make_view()) == Plan(("edge-1",))


def test_fixed_two_station_tandem(make_view, task_factory):
    view = make_view()
    task = task_factory("sensor-0", layers=3)
    plan = make_policy("fixed", {"nodes": ["edge-0", "cloud-0"], "cuts": [1]}).decide(task, view)
    assert plan == Plan(("edge-0", "cloud-0"), (1,))
    assert validate_plan(plan, task, view, "fixed").segments(3) == [("edge-0", 0, 1), ("cloud-0", 1, 3)]


def test_fixed_source_token_and_cut_clamping(make_view, task_factory):
    policy = make_policy("fixed", {"nodes": ["$source", "edge-0", "cloud-0"], "cuts": [2, 6]})
    view = make_view()
    assert policy.decide(task_factory("phone-1", layers=8), view) == Plan(
        ("phone-1", "edge-0", "cloud-0"), (2, 6)
    )
    short = task_factory("phone-1", layers=4)
    plan = validate_plan(policy.decide(short, view), short, view, "fixed")
    assert plan.cuts == (2, 4)
    assert plan.segments(4)[-1] == ("cloud-0", 4, 4)  # empty, skipped by the engine


def test_fixed_runs_a_source_next_to_itself_in_one_stage(make_view, task_factory):
    """``[$source, edge-0]`` for edge-0's own tasks was ``(edge-0, edge-0)``: two stages queueing on its
    processor one after the other, a plan the engine now refuses; the node runs all of it in one."""
    view = make_view()
    policy = make_policy("fixed", {"nodes": ["$source", "edge-0", "cloud-0"], "cuts": [2, 6]})
    own = task_factory("edge-0", layers=8)
    plan = validate_plan(policy.decide(own, view), own, view, "fixed")
    assert plan == Plan(("edge-0", "edge-0", "cloud-0"), (6, 6))
    assert [s for s in plan.segments(8) if s[2] > s[1]] == [("edge-0", 0, 6), ("cloud-0", 6, 8)]
    assert policy.decide(task_factory("phone-1", layers=8), view) == Plan(
        ("phone-1", "edge-0", "cloud-0"), (2, 6)
    )
    on_two = make_policy("fixed", {"nodes": ["$source", "edge-0"], "cuts": [2], "processors": ["gpu", "cpu"]})
    assert on_two.decide(own, view) == Plan(("edge-0", "edge-0"), (2,), ("gpu", "cpu"))  # two processors


def test_fixed_refuses_one_node_twice_in_a_row_across_stations_its_cuts_leave_empty():
    with pytest.raises(PolicyParamError, match=r'nodes\[0\] and nodes\[2\] are both "edge-0"'):
        make_policy("fixed", {"nodes": ["edge-0", "cloud-0", "edge-0"], "cuts": [2, 2]})
    make_policy("fixed", {"nodes": ["edge-0", "cloud-0", "edge-0"], "cuts": [2, 3]})  # cloud-0 runs one


def test_fixed_on_a_node_that_cannot_compute_is_a_plan_error(make_view, task_factory):
    with pytest.raises(PlanError, match='"ap" cannot compute'):
        make_policy("fixed", {"node": "ap"}).decide(task_factory(), make_view())


def test_fixed_drops_while_a_node_of_its_plan_is_down(make_view, task_factory):
    view = make_view(down={"cloud-0"})
    policy = make_policy("fixed", {"nodes": ["edge-0", "cloud-0"], "cuts": [1]})
    assert policy.decide(task_factory(), view).drop
    view.down = set()
    assert not policy.decide(task_factory(), view).drop


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, 'exactly one of "node"'),
        ({"node": "a", "nodes": ["a"]}, 'exactly one of "node"'),
        ({"node": "a", "cuts": [1]}, '"cuts" goes with "nodes"'),
        ({"nodes": ["a", "b"]}, r"one fewer than nodes \(1 for 2 nodes\), got \[\]"),
        ({"nodes": ["a", "b", "c"], "cuts": [3, 1]}, "non-decreasing"),
        ({"nodes": ["a", "b"], "cuts": [-1]}, "non-negative"),
        ({"nodes": []}, "non-empty list"),
    ],
)
def test_fixed_rejects_bad_parameters(params, message):
    with pytest.raises(PolicyParamError, match=message) as info:
        make_policy("fixed", params)
    assert 'policy "fixed"' in str(info.value)


def test_fixed_blames_cuts_when_their_count_does_not_fit_the_nodes():
    """The scenario message points at policy.cuts (where the mistake is), not at policy.name."""
    with pytest.raises(PolicyParamError, match=r"\(2 for 3 nodes\)") as info:
        make_policy("fixed", {"nodes": ["a", "b", "c"], "cuts": [1, 2, 3]})
    assert info.value.param == "cuts"


@pytest.mark.parametrize(
    ("nodes", "cuts", "index", "pattern"),
    [
        (["edge-*"], [80], 0, "edge-*"),
        (["phone", "edge-?"], [3], 1, "edge-?"),
        (["edge-[01]", "b"], [], 0, "edge-[01]"),
    ],
)
def test_fixed_says_a_pattern_in_nodes_is_no_station_before_counting_cuts(nodes, cuts, index, pattern):
    """A trial user's nodes: [edge-*] (every edge, meant) was told "cuts must be one fewer than nodes (0 for 1
    node), got [80]": the pattern counted as one node, and nothing said patterns are not expanded."""
    with pytest.raises(PolicyParamError, match="one by one") as info:
        make_policy("fixed", {"nodes": nodes, "cuts": cuts})
    assert info.value.param == "nodes"
    assert f'nodes[{index}] is "{pattern}"' in str(info.value)


# --- random ---


def test_random_is_uniform_over_reachable_computing_nodes(make_view, task_factory):
    view = make_view(seed=2024)
    policy = make_policy("random", {})
    draws = 20_000
    counts = Counter(policy.decide(task_factory(id=i), view).nodes[0] for i in range(draws))
    expected_nodes = {"phone-0", "phone-1", "edge-0", "edge-1", "cloud-0"}  # island is unreachable
    assert set(counts) == expected_nodes
    p = 1 / len(expected_nodes)
    mean, sd = draws * p, math.sqrt(draws * p * (1 - p))
    for node, count in counts.items():
        assert abs(count - mean) < 4 * sd, (node, count, mean, sd)


def test_random_respects_tiers_and_faults(make_view, task_factory):
    view = make_view(seed=1, down={"edge-1"})
    policy = make_policy("random", {"tiers": ["edge", "cloud"]})
    chosen = {policy.decide(task_factory(id=i), view).nodes[0] for i in range(200)}
    assert chosen == {"edge-0", "cloud-0"}


def test_random_with_nothing_usable_drops_and_with_nothing_at_all_is_a_plan_error(make_view, task_factory):
    view = make_view(down={"cloud-0"})
    assert make_policy("random", {"tiers": ["cloud"]}).decide(task_factory(), view).drop
    with pytest.raises(PlanError, match=r"no computing node in tiers \['gpu'\]"):
        make_policy("random", {"tiers": ["gpu"]}).decide(task_factory(), view)


def test_random_draws_from_the_view_rng(make_view, task_factory):
    view = make_view(seed=9)
    before = view.rng.bit_generator.state
    make_policy("random", {}).decide(task_factory(), view)
    assert view.rng.bit_generator.state != before


# --- round-robin ---


def test_round_robin_cycles_per_source(make_view, task_factory):
    view = make_view()
    policy = make_policy("round-robin", {"tiers": ["edge", "cloud"]})
    picks = [(src, policy.decide(task_factory(src), view).nodes[0]) for src in ["phone-0", "phone-1"] * 4]
    phone0 = [node for src, node in picks if src == "phone-0"]
    phone1 = [node for src, node in picks if src == "phone-1"]
    assert phone0 == ["edge-0", "edge-1", "cloud-0", "edge-0"]
    assert phone1 == ["edge-1", "cloud-0", "edge-0", "edge-1"]  # the second source starts one on


def test_round_robin_sources_start_spread_over_the_nodes_not_in_step_on_the_first(make_view, task_factory):
    """100 phones over 4 edges sent their first 100 tasks all to edge-0 (periodic sources: for good)."""
    sources = [f"phone-{i}" for i in range(9)]
    view = make_view(
        nodes_spec={**make_view.DEFAULT_NODES, **{src: ("device", 1e9) for src in sources}},
        links=[*make_view.DEFAULT_LINKS, *((src, "ap", 3e-3, 20e6) for src in sources[2:])],
    )
    policy = make_policy("round-robin", {"tiers": ["edge", "cloud"]})
    first = [policy.decide(task_factory(src), view).nodes[0] for src in sources]
    assert first == ["edge-0", "edge-1", "cloud-0"] * 3
    again = [policy.decide(task_factory(src), view).nodes[0] for src in sources]
    assert again == ["edge-1", "cloud-0", "edge-0"] * 3  # each source's own cycle goes on
    policy.reset(view)
    assert policy.decide(task_factory("phone-5"), view).nodes[0] == "edge-0"  # a new run: first again


def test_round_robin_over_all_tiers_includes_devices_and_skips_down_nodes(make_view, task_factory):
    view = make_view(down={"edge-1"})
    policy = make_policy("round-robin", {})
    picks = [policy.decide(task_factory(), view).nodes[0] for _ in range(5)]
    assert picks == ["phone-0", "phone-1", "edge-0", "cloud-0", "phone-0"]


# --- least-loaded ---


def test_least_loaded_expected_completion_counts_every_term(make_view, task_factory):
    view = make_view(waits={"edge-0": 0.25})
    task = task_factory(input_bytes=100e3, output_bytes=10e3)
    up = 3e-3 + 0.5e-3 + 8 * 100e3 / 20e6
    down = 3e-3 + 0.5e-3 + 8 * 10e3 / 20e6
    assert expected_completion_s(task, view, "edge-0") == pytest.approx(up + 0.25 + 4e9 / 1e10 + down)
    assert expected_completion_s(task, view, "phone-0") == pytest.approx(4.0)  # no transfer when local


def test_least_loaded_prefers_the_fastest_when_idle_and_avoids_congestion(make_view, task_factory):
    policy = make_policy("least-loaded", {})
    view = make_view()
    assert policy.decide(task_factory(), view).nodes == ("cloud-0",)
    view.waits = {"cloud-0": 10.0}
    assert policy.decide(task_factory(), view).nodes == ("edge-1",)
    view.waits = {"cloud-0": 10.0, "edge-1": 10.0, "edge-0": 10.0}
    assert policy.decide(task_factory(), view).nodes == ("phone-0",)


def test_least_loaded_counts_transfer(make_view, task_factory):
    # 100 MB over a 20 Mbps access link takes 40 s: computing locally (4 s) wins.
    task = task_factory(input_bytes=100e6)
    assert make_policy("least-loaded", {}).decide(task, make_view()).nodes == ("phone-0",)


def test_least_loaded_breaks_ties_by_node_order(make_view, task_factory):
    nodes = dict(make_view.DEFAULT_NODES, **{"edge-1": ("edge", 1e10)})
    links = [(a, b, 0.5e-3 if b == "edge-1" else lat, bw) for a, b, lat, bw in make_view.DEFAULT_LINKS]
    view = make_view(nodes_spec=nodes, links=links)
    task = task_factory()
    assert expected_completion_s(task, view, "edge-0") == expected_completion_s(task, view, "edge-1")
    assert make_policy("least-loaded", {"tiers": ["edge"]}).decide(task, view).nodes == ("edge-0",)


@settings(max_examples=200, deadline=None)
@given(
    waits=st.lists(st.sampled_from([0.0, 0.0, 0.1, 0.4, 2.0, 10.0]), min_size=6, max_size=6),
    source=st.sampled_from(["phone-0", "phone-1"]),
    input_bytes=st.sampled_from([0.0, 1e3, 150e3, 100e6]),
    output_bytes=st.sampled_from([0.0, 4e3]),
    tiers=st.sampled_from([None, ["edge"], ["device", "cloud"]]),
)
def test_least_loaded_picks_what_a_scan_of_every_node_picks(
    make_view, task_factory, waits, source, input_bytes, output_bytes, tiers
):
    """Its pruning by lower bounds changes nothing: the first node with the least expected completion."""
    view = make_view()
    view.waits = dict(zip(view.nodes(), waits, strict=False))
    task = task_factory(source, input_bytes=input_bytes, output_bytes=output_bytes)
    usable = [
        n for n in view.nodes() if (tiers is None or view.tier(n) in tiers) and view.reachable(source, n)
    ]
    costs = [expected_completion_s(task, view, n) for n in usable]
    expected = usable[costs.index(min(costs))]
    params = {} if tiers is None else {"tiers": tiers}
    assert make_policy("least-loaded", params).decide(task, view).nodes == (expected,)
