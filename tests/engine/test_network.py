"""The flow-level network: exact finish times, max-min fairness, capacity changes."""

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from network_environments import environment, make  # noqa: F401  (the fixture runs each test on both)


def start_at(env, net, t, channels, size, latency, name, log):
    def go(_ev):
        net.start(channels, size, latency, lambda p: log.append((p, env.now)), name)

    env.timeout(t).callbacks.append(go)


def test_lone_flow_takes_latency_plus_size_over_bandwidth_exactly():
    env, net = make([8e6, 80e6])  # 1 MB/s and 10 MB/s
    log = []
    start_at(env, net, 0.0, (0, 1), 2_000_000, 0.025, "f", log)
    env.run()
    assert log == [("f", pytest.approx(2.0 + 0.025, rel=1e-12))]


def test_two_flows_share_then_the_survivor_speeds_up():
    env, net = make([8e6])  # 1 MB/s
    log = []
    start_at(env, net, 0.0, (0,), 1_000_000, 0.0, "a", log)
    start_at(env, net, 0.5, (0,), 1_000_000, 0.0, "b", log)
    env.run()
    # a: 0.5 MB alone, then 0.5 MB at half rate -> 1.5 s; b: 0.5 MB shared, 0.5 MB alone -> 2.0 s.
    assert log == [("a", pytest.approx(1.5)), ("b", pytest.approx(2.0))]


def test_zero_bytes_still_pay_propagation_latency():
    env, net = make([8e6])
    log = []
    start_at(env, net, 1.0, (0,), 0, 0.01, "ack", log)
    env.run()
    assert log == [("ack", pytest.approx(1.01))]


def test_max_min_fair_rates_on_a_parking_lot():
    # Channel 0 (10 B/s) carries f1 and f2; channel 1 (4 B/s) carries f2 and f3.
    _env, net = make([80.0, 32.0])
    for channels in [(0,), (0, 1), (1,)]:
        net.start(channels, 1e9, 0.0, lambda p: None, None)
    f1, f2 = net.flows_on[0]
    f3 = net.flows_on[1][1]
    assert (f1.rate, f2.rate, f3.rate) == (pytest.approx(8.0), pytest.approx(2.0), pytest.approx(2.0))


def test_a_channels_load_adds_its_flows_rates_left_to_right_on_every_python():
    """Flows at 0.1, 0.2 and 0.3 B/s (each held back by a channel of its own) share channel 0: left
    to right its load is 0.6000000000000001, which Python 3.12's compensated sum() rounds to 0.6.
    Records must not depend on the Python version."""
    _env, net = make([80.0, 0.8, 1.6, 2.4])
    for own in (1, 2, 3):
        net.start((0, own), 1e9, 0.0, lambda p: None, None)
    net.set_capacity(0, 40.0)  # re-shares the channel's flows: their load is summed anew
    assert [flow.rate for flow in net.flows_on[0]] == [0.1, 0.2, 0.3]
    assert net.load_Bps[0] == (0.1 + 0.2) + 0.3 == 0.6000000000000001


def test_capacity_change_reshapes_a_flow_mid_transfer():
    env, net = make([8e6])
    log = []
    start_at(env, net, 0.0, (0,), 2_000_000, 0.0, "f", log)
    env.timeout(1.0).callbacks.append(lambda _e: net.set_capacity(0, 4e6))  # halve at t=1
    env.run()
    # 1 MB in the first second, the second MB at 0.5 MB/s: done at 3 s.
    assert log == [("f", pytest.approx(3.0))]


def test_unrelated_flows_are_not_rescheduled():
    _env, net = make([8e6, 8e6])
    net.start((0,), 1e6, 0.0, lambda p: None, None)
    before = net.flows_on[0][0].group
    net.start((1,), 1e6, 0.0, lambda p: None, None)
    assert net.flows_on[0][0].group is before
    assert net.reallocations == 0


@settings(max_examples=60, deadline=None)
@given(
    capacities=st.lists(st.integers(1, 20), min_size=2, max_size=5),
    paths=st.lists(st.lists(st.integers(0, 4), min_size=1, max_size=3, unique=True), min_size=1, max_size=8),
)
def test_allocation_is_feasible_and_max_min_fair(capacities, paths):
    _env, net = make([c * 8.0 for c in capacities])
    flows = []
    for path in paths:
        channels = tuple(c for c in path if c < len(capacities))
        if not channels:
            continue
        net.start(channels, 1e12, 0.0, lambda p: None, None)
        flows = list({id(f): f for f in itertools.chain.from_iterable(net.flows_on)}.values())
        for c, cap in enumerate(capacities):
            assert sum(f.rate for f in net.flows_on[c]) <= cap * (1 + 1e-9)
        for f in flows:
            # Max-min: every flow crosses a saturated channel on which no flow is faster.
            assert any(
                sum(g.rate for g in net.flows_on[c]) >= capacities[c] * (1 - 1e-9)
                and all(g.rate <= f.rate * (1 + 1e-9) for g in net.flows_on[c])
                for c in f.channels
            ), (f.channels, f.rate)
