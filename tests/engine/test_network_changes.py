"""A network that changes during a run: cancelled flows, channels down and up, capacity in force."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from network_environments import environment, make  # noqa: F401  (the fixture runs each test on both)

from offloadsim.engine.network import ABORTED, DELIVERED


def at(env, t, action):
    env.timeout(t).callbacks.append(lambda _e: action())


def test_a_cancelled_flow_is_told_aborted_and_the_other_speeds_up():
    env, net = make([8e6])  # 1 MB/s
    log = []
    done = lambda p: log.append(("done", p, env.now))  # noqa: E731
    aborted = lambda p: log.append(("aborted", p, env.now))  # noqa: E731
    a = net.start((0,), 1_000_000, 0.0, done, "a", aborted=aborted)
    net.start((0,), 1_000_000, 0.0, done, "b", aborted=aborted)
    at(env, 0.5, lambda: net.cancel(a))
    env.run()
    # Both at 0.5 MB/s until 0.5 s (0.25 MB each); then b alone sends its last 0.75 MB at 1 MB/s.
    assert log == [("aborted", "a", 0.5), ("done", "b", pytest.approx(1.25, rel=1e-12))]
    assert a.state == ABORTED and not net.cancel(a)
    assert net.bytes_carried[0] == pytest.approx(1_250_000)  # a's 0.25 MB counted, not its whole size


def test_a_flow_cancelled_while_propagating_is_never_delivered():
    env, net = make([8e6])
    log = []
    flow = net.start((0,), 1_000_000, 0.5, log.append, "f", aborted=lambda p: log.append("aborted"))
    at(env, 1.2, lambda: net.cancel(flow))  # last byte left at 1.0, delivery due at 1.5
    env.run()
    assert log == ["aborted"]


def test_a_delivered_flow_cannot_be_cancelled():
    env, net = make([8e6])
    flow = net.start((0,), 1_000, 0.0, lambda p: None, None)
    env.run()
    assert flow.state == DELIVERED and not net.cancel(flow)


def test_a_channel_going_down_aborts_its_flows_and_refuses_new_ones_until_up():
    env, net = make([8e6, 8e6])
    log = []

    def send(name, channels):
        net.start(
            channels,
            1_000_000,
            0.0,
            lambda p: log.append((p, "done", env.now)),
            name,
            aborted=lambda p: log.append((p, "aborted", env.now)),
        )

    send("crossing", (0, 1))
    send("elsewhere", (1,))
    at(env, 0.5, lambda: net.set_up(0, False))
    at(env, 0.7, lambda: send("refused", (0,)))
    at(env, 2.0, lambda: net.set_up(0, True))
    at(env, 2.0, lambda: send("after", (0,)))
    env.run()
    assert log == [
        ("crossing", "aborted", 0.5),
        ("refused", "aborted", 0.7),
        # elsewhere: 0.25 MB by 0.5 s (shared), then alone at 1 MB/s: 0.75 MB more.
        ("elsewhere", "done", pytest.approx(1.25)),
        ("after", "done", pytest.approx(3.0)),
    ]
    assert net.is_up(0)


def test_capacity_set_while_down_is_the_capacity_when_back_up():
    _env, net = make([8e6])
    net.set_up(0, False)
    net.set_capacity(0, 4e6)
    assert net.capacity_Bps_now(0) == 0.0
    net.set_up(0, True)
    assert net.capacity_Bps_now(0) == 4e6 / 8


def test_capacity_in_force_is_integrated_over_time():
    env, net = make([8e6, 1e6])
    at(env, 2.0, lambda: net.set_capacity(0, 4e6))
    at(env, 5.0, lambda: net.set_up(0, False))
    at(env, 6.0, lambda: net.set_up(0, True))
    env.run(until=10.0)
    # 8 Mb/s for 2 s, 4 for 3 s, 0 for 1 s, 4 again for 4 s.
    assert net.capacity_bit_seconds(0, 0.0, 10.0) == pytest.approx(16e6 + 12e6 + 16e6)
    assert net.capacity_bit_seconds(0, 1.0, 5.5) == pytest.approx(8e6 + 12e6)
    assert net.capacity_bit_seconds(1, 3.0, 10.0) == 1e6 * 7.0  # never changed: capacity x time, exactly


@settings(max_examples=40, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 5_000_000), min_size=1, max_size=6),
    cancel_at=st.lists(st.floats(0.0, 6.0), min_size=1, max_size=6),
    steps=st.lists(st.tuples(st.floats(0.01, 6.0), st.sampled_from([0.0, 1e6, 4e6, 8e6, 16e6])), max_size=5),
)
def test_every_flow_ends_exactly_once_and_bytes_are_conserved(sizes, cancel_at, steps):
    env, net = make([8e6, 16e6])
    ended: dict[int, str] = {}

    def end(how):
        def told(i):
            assert i not in ended, "a flow ended twice"
            ended[i] = how

        return told

    flows = [
        net.start((0, 1) if i % 2 else (0,), size, 0.01, end("done"), i, aborted=end("aborted"))
        for i, size in enumerate(sizes)
    ]
    for i, t in enumerate(cancel_at[: len(flows)]):
        if i % 2:
            at(env, t, lambda f=flows[i]: net.cancel(f))
    for t, bps in steps:
        at(env, t, lambda bps=bps: net.set_capacity(0, bps if bps else 1.0))
    at(env, 7.0, lambda: net.set_capacity(0, 8e6))  # every survivor can finish
    env.run()
    assert sorted(ended) == list(range(len(sizes)))
    assert net.active == 0 and not net.flows_on[0] and not net.flows_on[1]
    delivered = sum(size for i, size in enumerate(sizes) if ended[i] == "done")
    assert net.bytes_carried[0] >= delivered * (1 - 1e-9)
    assert net.bytes_carried[0] <= sum(sizes) * (1 + 1e-9)
