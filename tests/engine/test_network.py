"""The flow-level network: exact finish times, max-min fairness, capacity changes."""

import itertools
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from network_environments import environment, make  # noqa: F401  (the fixture runs each test on both)

from offloadsim.engine import network as network_module


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


@pytest.mark.skipif(
    not network_module.__file__.endswith(".py"), reason="a compiled network has no Python frames to watch"
)
def test_a_group_event_retires_its_flows_and_keeps_the_rest_without_calls_of_its_own():
    """A shared event's group is walked in plain loops, its finished flows' deliveries scheduled inline.

    In Python 3.11 a list comprehension is a function object and a call of its own, and handing each
    finished flow to ``_deliver_after`` was another; the city benchmark fires about 0.36 group events
    a task, so they were some 0.95 Python-level calls a task (docs/performance.md, a twenty-first look).
    """
    env, net = make([8e6])  # 1 MB/s, shared by three flows from t = 0: one group, 1/3 MB/s each
    log = []
    for name, size in (("a", 1_000_000), ("b", 2_000_000), ("c", 3_000_000)):
        start_at(env, net, 0.0, (0,), size, 0.25, name, log)
    callees: list[str] = []
    events = 0

    def watch(frame, event, arg):
        nonlocal events
        if event != "call":
            return
        if frame.f_code is network_module.FlowNetwork._on_group_event.__code__:
            events += 1
        elif frame.f_back is not None and frame.f_back.f_code.co_name == "_on_group_event":
            callees.append(frame.f_code.co_name)

    sys.setprofile(watch)
    try:
        env.run()
    finally:
        sys.setprofile(None)
    # a leaves at 3 s (1 MB at 1/3 MB/s), b at 5 s (1 MB more at 1/2), c at 6 s; each 0.25 s later.
    assert log == [("a", pytest.approx(3.25)), ("b", pytest.approx(5.25)), ("c", pytest.approx(6.25))]
    assert events >= 2  # a's event (b and c re-shared after it), then b's
    assert "<listcomp>" not in callees and "_deliver_after" not in callees
    # A re-share, the calendar, a group of one's own end (and SimPy's clock, a property, on its environment).
    assert set(callees) <= {"_reallocate", "_schedule", "_finish_one", "call_in", "now"}
