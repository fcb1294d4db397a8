"""The ``fifo`` link model: transfers served first come, first served, checked against hand computation."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from network_environments import ENVIRONMENTS

from offloadsim.engine.fifo_network import FifoNetwork

MB = 1_000_000
ONE_MB_S = 8e6  # bit/s: 1 MB/s


_ENVIRONMENT = [ENVIRONMENTS["simpy"]]


@pytest.fixture(autouse=True, scope="module", params=sorted(ENVIRONMENTS))
def environment(request):
    """Every test runs on SimPy's own environment (timeouts) and on the run's (light calls)."""
    _ENVIRONMENT[0] = ENVIRONMENTS[request.param]
    yield request.param
    _ENVIRONMENT[0] = ENVIRONMENTS["simpy"]


def make(capacities_bps):
    env = _ENVIRONMENT[0]()
    return env, FifoNetwork(env, capacities_bps)


def at(env, t, action):
    env.timeout(t).callbacks.append(lambda _e: action())


def starter(env, net, log):
    """``send(t, channels, size, name)``: start a transfer at ``t``; the log gets (name, how, when)."""
    handles = {}

    def send(t, channels, size, name, latency=0.0):
        def go():
            handles[name] = net.start(
                channels,
                size,
                latency,
                lambda p: log.append((p, "done", env.now)),
                name,
                aborted=lambda p: log.append((p, "aborted", env.now)),
            )

        at(env, t, go)

    return send, handles


def test_two_overlapping_transfers_one_after_the_other():
    # The testbed's finding: two requests 3 ms apart; the first finishes at its time alone, the second waits.
    env, net = make([ONE_MB_S])
    log = []
    send, _ = starter(env, net, log)
    send(0.0, (0,), MB, "a", latency=0.01)
    send(0.003, (0,), MB, "b", latency=0.01)
    env.run()
    assert log == [
        ("a", "done", pytest.approx(1.01, rel=1e-12)),
        ("b", "done", pytest.approx(2.01, rel=1e-12)),
    ]
    assert net.busy_s == [pytest.approx(2.0)]
    assert net.bytes_carried == [2 * MB]


def test_a_capacity_change_re_rates_the_transfer_in_service_and_those_waiting():
    env, net = make([ONE_MB_S])
    log = []
    send, _ = starter(env, net, log)
    send(0.0, (0,), MB, "a")
    send(0.0, (0,), MB, "b")
    at(env, 0.5, lambda: net.set_capacity(0, 2 * ONE_MB_S))
    env.run()
    # a: 0.5 MB alone at 1 MB/s, the other 0.5 MB at 2 MB/s -> 0.75 s; b then 1 MB at 2 MB/s -> 1.25 s.
    assert log == [("a", "done", pytest.approx(0.75)), ("b", "done", pytest.approx(1.25))]
    assert net.capacity_bit_seconds(0, 0.0, 1.25) == pytest.approx(8e6 * 0.5 + 16e6 * 0.75)


def test_a_link_down_aborts_the_transfer_in_service_and_those_waiting_and_refuses_new_ones():
    env, net = make([ONE_MB_S])
    log = []
    send, _ = starter(env, net, log)
    send(0.0, (0,), MB, "a")
    send(0.1, (0,), MB, "b")
    at(env, 0.5, lambda: net.set_up(0, False))
    send(0.6, (0,), MB, "c")
    at(env, 1.0, lambda: net.set_up(0, True))
    send(1.0, (0,), MB, "d")
    env.run()
    assert log == [
        ("a", "aborted", 0.5),
        ("b", "aborted", 0.5),
        ("c", "aborted", 0.6),
        ("d", "done", pytest.approx(2.0)),
    ]
    assert net.bytes_carried == [pytest.approx(0.5 * MB + MB)]  # what a sent before the link went down
    assert net.busy_s == [pytest.approx(0.5 + 1.0)]
    assert net.capacity_bit_seconds(0, 0.0, 2.0) == pytest.approx(8e6 * 1.5)


def test_cancelling_the_transfer_in_service_moves_the_next_one_up():
    env, net = make([ONE_MB_S])
    log = []
    send, handles = starter(env, net, log)
    send(0.0, (0,), MB, "a")
    send(0.0, (0,), MB, "b")
    at(env, 0.5, lambda: net.cancel(handles["a"]))
    env.run()
    assert log == [("a", "aborted", 0.5), ("b", "done", pytest.approx(1.5))]
    assert not net.cancel(handles["a"]) and not net.cancel(handles["b"])


def test_a_shared_bottleneck_behind_fast_links_is_first_come_first_served():
    # The testbed's layout: device-i -> ap at 10 MB/s (channels 0, 1), ap -> edge at 1 MB/s (channel 2).
    env, net = make([10 * ONE_MB_S, 10 * ONE_MB_S, ONE_MB_S])
    log = []
    send, _ = starter(env, net, log)
    send(0.0, (1, 2), MB, "dev1")
    send(0.1, (0, 2), MB, "dev0")
    # Over the fast link alone: dev0 holds none of it while waiting (10 MB/s), 1 MB/s in service (9 left).
    send(0.2, (0,), 0.9 * MB, "waiting-aside")
    send(1.5, (0,), 0.9 * MB, "in-service-aside")
    env.run()
    assert log == [
        ("waiting-aside", "done", pytest.approx(0.29)),
        ("dev1", "done", pytest.approx(1.0)),
        ("in-service-aside", "done", pytest.approx(1.6)),
        ("dev0", "done", pytest.approx(2.0)),
    ]
    # Channel 0 carried bytes over [0.2, 0.29] and [1.0, 2.0]: waiting behind channel 2 is not busy.
    assert net.busy_s == [pytest.approx(0.09 + 1.0), pytest.approx(1.0), pytest.approx(2.0)]


def test_rates_are_given_in_the_order_transfers_started():
    # Channel 0 (10 B/s) carries f1 and f2; channel 1 (4 B/s) carries f2 and f3 (max-min's parking lot).
    _env, net = make([80.0, 32.0])
    f3 = net.start((1,), 1e9, 0.0, lambda p: None, None)
    f2 = net.start((0, 1), 1e9, 0.0, lambda p: None, None)
    f1 = net.start((0,), 1e9, 0.0, lambda p: None, None)
    # f3 first takes all of channel 1; f2 is left nothing; f1 gets all of channel 0.
    assert (f1.rate, f2.rate, f3.rate) == (10.0, 0.0, 4.0)
    assert net.share_Bps((0, 1)) == pytest.approx(4.0 / 3)  # capacity / (transfers crossing + 1)
    assert (net.flow_count(0), net.flow_count(1)) == (2, 2)


def _fifo_rates(routes, capacities):
    """The definition, computed directly: in order, each takes the least its route has left."""
    left = list(capacities)
    rates = []
    for route in routes:
        rate = max(min(left[c] for c in route), 0.0)
        for c in route:
            left[c] -= rate
        rates.append(rate)
    return rates


@settings(max_examples=60, deadline=None)
@given(
    routes=st.lists(st.lists(st.integers(0, 3), min_size=1, max_size=3, unique=True), min_size=1, max_size=8),
    capacities=st.lists(st.sampled_from([1.0, 2.0, 5.0, 8.0, 13.0]), min_size=4, max_size=4),
    ends=st.lists(st.integers(0, 7), max_size=4),
)
def test_rates_follow_the_definition_as_transfers_start_and_end(routes, capacities, ends):
    _env, net = make([8 * c for c in capacities])
    live = []
    for route in routes:
        live.append(net.start(tuple(route), 1e9, 0.0, lambda p: None, None))
        expected = _fifo_rates([t.channels for t in live], capacities)
        assert [t.rate for t in live] == pytest.approx(expected, rel=1e-9, abs=1e-9)
    for i in ends:
        if i < len(live):
            net.cancel(live.pop(i))
            expected = _fifo_rates([t.channels for t in live], capacities)
            assert [t.rate for t in live] == pytest.approx(expected, rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("restart, expected", [(False, {"a": 1.0, "b": 2.0}), (True, {"b": 1.5, "a": 2.5})])
def test_a_handover_keeps_the_transfer_s_place_unless_it_restarts(restart, expected):
    # a and b share channel 2 (1 MB/s) from their own first links; a hands over from channel 0 to 3 at 0.5 s.
    env, net = make([ONE_MB_S, ONE_MB_S, ONE_MB_S, 10 * ONE_MB_S])
    log = []
    send, handles = starter(env, net, log)
    send(0.0, (0, 2), MB, "a")
    send(0.1, (1, 2), MB, "b")

    def hand_over():
        ((flow, channels),) = net.sending_over(0)
        assert channels == (0, 2)
        handles["a"] = net.move(flow, (3, 2), 0.0, restart)

    at(env, 0.5, hand_over)
    env.run()
    assert {name: when for name, how, when in log} == pytest.approx(expected)
    assert [name for name, _, _ in log] == list(expected)
    assert net.bytes_carried[0] == pytest.approx(0.5 * MB)  # what a sent before it moved
    assert net.bytes_carried[3] == pytest.approx(MB if restart else 0.5 * MB)


@settings(max_examples=40, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 5_000_000), min_size=1, max_size=6),
    starts=st.lists(st.floats(0.0, 3.0), min_size=6, max_size=6),
)
def test_one_link_never_idles_while_transfers_wait_and_serves_them_in_order(sizes, starts):
    env, net = make([ONE_MB_S])
    log = []
    send, _ = starter(env, net, log)
    for i, size in enumerate(sizes):
        send(starts[i], (0,), size, i)
    env.run()
    order = sorted(range(len(sizes)), key=lambda i: (starts[i], i))
    assert [name for name, _, _ in log] == order
    # Hand computation of a FIFO queue: each starts when it arrives or when the one before it is through.
    free = 0.0
    for i in order:
        free = max(free, starts[i]) + sizes[i] / MB
        assert dict((n, t) for n, _, t in log)[i] == pytest.approx(free, rel=1e-9)


@settings(max_examples=40, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 5_000_000), min_size=1, max_size=6),
    cancel_at=st.lists(st.floats(0.0, 6.0), min_size=1, max_size=6),
    steps=st.lists(st.tuples(st.floats(0.01, 6.0), st.sampled_from([0.0, 1e6, 4e6, 8e6, 16e6])), max_size=5),
    downs=st.lists(st.floats(0.01, 6.0), max_size=2),
)
def test_every_transfer_ends_exactly_once_and_bytes_are_conserved(sizes, cancel_at, steps, downs):
    env, net = make([8e6, 16e6])
    ended: dict[int, str] = {}

    def end(how):
        def told(i):
            assert i not in ended, "a transfer ended twice"
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
        at(env, t, lambda bps=bps: net.set_capacity(0, bps))
    for t in downs:
        at(env, t, lambda: net.set_up(1, False))
        at(env, t + 0.5, lambda: net.set_up(1, True))
    at(env, 7.0, lambda: net.set_capacity(0, 8e6))  # every survivor can finish
    env.run()
    assert sorted(ended) == list(range(len(sizes)))
    assert not net.queue[0] and not net.queue[1] and net.load_Bps == [0.0, 0.0]
    delivered = sum(size for i, size in enumerate(sizes) if ended[i] == "done")
    assert delivered * (1 - 1e-9) <= net.bytes_carried[0] <= sum(sizes) * (1 + 1e-9)
    assert net.busy_s[0] * 16e6 / 8 >= net.bytes_carried[0] * (1 - 1e-9)  # never above the top capacity


# --------------------------------------------------------------------------- in a scenario

# Two phones upload 1 MB each, 3 ms apart, over one shared 8 Mbps uplink to the edge (1 ms compute there).
SCENARIO = """
name: fifo-uplink
duration: 10 s
nodes:
  phone: {count: 2, tier: device, processor: {speed: 10 GFLOP/s}}
  ap: {tier: network}
  edge: {tier: edge, processor: {speed: 100 GFLOP/s, cores: 2}}
links:
  - {between: [phone-*, ap], bandwidth: 100 Mbps, latency: 1 ms}
  - {between: [ap, edge], bandwidth: 8 Mbps, latency: 4 ms}
applications:
  job: {stages: [{work: 0.1 GFLOP}], input: 1 MB, output: 0 B}
workload:
  - {app: job, sources: phone-*, arrivals: trace, trace: trace.csv}
policy: {name: fixed, nodes: [edge]}
network: {model: fifo}
"""


def _scenario_file(tmp_path):
    (tmp_path / "trace.csv").write_text("time,source\n1.0,phone-0\n1.003,phone-1\n")
    path = tmp_path / "fifo.yaml"
    path.write_text(SCENARIO)
    return path


def test_a_scenario_naming_fifo_validates_and_runs_first_come_first_served(tmp_path, capsys):
    from offloadsim import api
    from offloadsim.cli import main

    path = _scenario_file(tmp_path)
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().out.startswith("ok: ")
    tasks = api.run(path).tasks
    # 1 MB at the 1 MB/s bottleneck (the 100 Mbps hop costs nothing extra: it is not the bottleneck),
    # 5 ms of propagation up, 1 ms compute, 5 ms back with no bytes.
    first = 1.0 + 0.005 + 0.001 + 0.005
    assert list(tasks["latency"]) == pytest.approx([first, first + 1.0 - 0.003], rel=1e-9)
    shared = api.run(path, overrides=["network.model=max-min"]).tasks["latency"]
    # Max-min: after 3 ms alone the first shares the link with the second, and both take 1.997 s.
    assert list(shared) == pytest.approx([2.0 - 0.003 + 0.011] * 2, rel=1e-9)
    ends, shared_ends = tasks["arrival"] + tasks["latency"], tasks["arrival"] + shared
    assert ends.max() == pytest.approx(shared_ends.max(), rel=1e-12)  # the link's work is the same


def test_a_fifo_run_is_deterministic(tmp_path):
    from offloadsim import api

    path = _scenario_file(tmp_path)
    (tmp_path / "trace.csv").write_text(
        "time,source\n" + "".join(f"{1.2 * (i // 2) + 0.4 * (i % 2):.3f},phone-{i % 2}\n" for i in range(40))
    )  # pairs 0.4 s apart, every 1.2 s: overlapping transfers, a link loaded to 83 %
    one, two = api.run(path, overrides=["duration=60 s"]), api.run(path, overrides=["duration=60 s"])
    assert one.tasks.equals(two.tasks) and one.links.equals(two.links)
    assert (one.tasks["status"] == "completed").all()
