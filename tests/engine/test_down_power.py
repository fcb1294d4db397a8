"""A node's draw while it is down (``power.down``): by hand, with its tasks, its tail and its battery."""

from __future__ import annotations

import math

import pytest

from offloadsim.engine import simulate
from offloadsim.scenario import load_scenario_text

# The phone (idle 0.5 W, busy 3 W: 2.5 W above idle on its one core) is down from 2 s to 6 s of
# the 10 s run.  Its one request at 0.5 s computes 2 GFLOP at 1 GFLOP/s locally, from 0.5 s; the
# phone's going down at 2 s cuts it after 1.5 s: 3.75 J above idle, the task's.
DOWN = """
name: down-draw
duration: 10 s
nodes:
  phone:
    tier: device
    processor: {speed: 1 GFLOP/s}
    power: {idle: 0.5 W, busy: 3 W, POWER}
applications:
  job: {work: 2 GFLOP}
workload:
  - {app: job, sources: phone, arrivals: trace, trace: trace.csv}
policy: local
dynamics:
  - {kind: node-schedule, node: phone, steps: [{at: 2 s, up: false}, {at: 6 s, up: true}]}
"""


def _run(tmp_path, power: str, times: str = "0.5"):
    (tmp_path / "trace.csv").write_text("time\n" + "".join(f"{t}\n" for t in times.split()))
    text = DOWN.replace("POWER", power)
    return simulate(load_scenario_text(text, source="<test>", base_dir=tmp_path))


@pytest.mark.parametrize(
    ("power", "down_w"),
    [
        ("down: 0 W", 0.0),  # powered off: nothing while down
        ("down: 0.2 W", 0.2),  # a crashed phone's leak
        ("down: 2 W", 2.0),  # a reboot loop: more than idle, as the key allows
        ("tail: 0 s", 0.5),  # no `down`: idle all along, as before
    ],
)
def test_a_device_down_for_a_known_interval_draws_its_down_power_there(tmp_path, power, down_w):
    """By hand: idle 0.5 W over the 6 s up, ``down`` over the 4 s down, and the cut stage's 3.75 J;
    the task is charged the 3.75 J, so the phone's tasks add up to its energy less idle × the time
    it was up less ``down`` × the time it was down (before, the 4 s down drew idle whatever)."""
    raw = _run(tmp_path, power)
    tasks, nodes = raw.tasks, raw.nodes
    assert list(tasks["status"]) == ["failed"]
    assert tasks["reason"][0] == "phone went down"
    assert nodes["availability"][0] == pytest.approx(0.6, rel=1e-12)
    assert nodes["energy_j"][0] == pytest.approx(0.5 * 6 + down_w * 4 + 3.75, rel=1e-12)
    assert tasks["device_energy"][0] == pytest.approx(3.75, rel=1e-12)
    assert nodes["energy_j"][0] - 0.5 * 6 - down_w * 4 == pytest.approx(tasks["device_energy"][0], rel=1e-12)


@pytest.mark.parametrize(("down", "down_w"), [(", down: 0 W", 0.0), ("", 0.5)])
def test_going_down_ends_a_radio_tail(tmp_path, down, down_w):
    """A tail in progress as the phone goes down ends there: a device that is down has no radio on.
    The 1 MB upload from 1 s leaves by 2 s (1 J above idle); the empty answer's flow is received
    at once, and the 5 s tail after it runs until the phone goes down at 3 s: 1 s at 1 W above
    idle.  Down from 3 s to the end; before, the tail ran on at transmit power to 7 s."""
    text = """
name: down-tail
duration: 10 s
nodes:
  phone: {tier: device, power: {idle: 0.5 W, transmit: 1.5 W, tail: 5 sDOWN}}
  edge: {tier: edge, processor: {speed: 1000 GFLOP/s}}
links:
  - {between: [phone, edge], bandwidth: 8 Mbps}
applications:
  job: {work: 1 MFLOP, input: 1 MB, output: 0 B}
workload:
  - {app: job, sources: phone, arrivals: trace, trace: trace.csv}
policy: {name: fixed, nodes: [edge]}
dynamics:
  - {kind: node-schedule, node: phone, steps: [{at: 3 s, up: false}]}
"""
    (tmp_path / "trace.csv").write_text("time\n1\n")
    raw = simulate(load_scenario_text(text.replace("DOWN", down), source="<test>", base_dir=tmp_path))
    tasks, nodes = raw.tasks, raw.nodes
    phone = list(nodes["node"]).index("phone")
    assert list(tasks["status"]) == ["completed"]
    assert tasks["device_energy"][0] == pytest.approx(1.0 + 1.0, rel=1e-9)
    assert nodes["energy_j"][phone] == pytest.approx(0.5 * 3 + down_w * 7 + 2.0, rel=1e-9)


@pytest.mark.parametrize(
    ("power", "drained_at", "availability"),
    [
        # The request at 1.9 s computes until the phone goes down at 2 s: 0.5 W × 2 s + 2.5 W × 0.1 s,
        # 1.25 J by 2 s.  Before, the phone drew idle while down: flat at 2 s + 1.75 J / 0.5 W = 5.5 s.
        # Down at 0 W: nothing while down; the last 1.75 J at 0.5 W from 6 s.
        ("down: 0 W, battery: 3 J", 9.5, 0.55),
        # Down at 0.2 W: 0.8 J while down, 2.05 J by 6 s; the last 0.95 J at 0.5 W from 6 s.
        ("down: 0.2 W, battery: 3 J", 7.9, 0.39),
        # Down at 1 W: the last 1.75 J go while down, flat at 3.75 s, down for good (6 s brings it
        # back no more than it does a phone flat while up).
        ("down: 1 W, battery: 3 J", 3.75, 0.2),
    ],
)
def test_a_battery_drains_at_its_down_power_while_down(tmp_path, power, drained_at, availability):
    """A down device with ``down: 0 W`` keeps its charge; with more, it drains, and can run flat
    while down."""
    raw = _run(tmp_path, power, times="1.9")
    nodes = raw.nodes
    assert nodes["drained_at"][0] == pytest.approx(drained_at, rel=1e-12)
    assert nodes["energy_j"][0] == pytest.approx(3.0, rel=1e-12)
    assert nodes["availability"][0] == pytest.approx(availability, rel=1e-12)


def test_a_battery_with_down_power_does_not_drain_while_down_at_0_w(tmp_path):
    """With a battery large enough to outlast the run, ``down: 0 W`` spends nothing down: the
    phone's energy is idle over the 6 s up and the 1.9 s request's 0.1 s of compute."""
    raw = _run(tmp_path, "down: 0 W, battery: 100 J", times="1.9")
    nodes, tasks = raw.nodes, raw.tasks
    assert math.isnan(nodes["drained_at"][0])
    assert nodes["energy_j"][0] == pytest.approx(0.5 * 6 + 2.5 * 0.1, rel=1e-12)
    assert sum(tasks["device_energy"]) == pytest.approx(2.5 * 0.1, rel=1e-12)


@pytest.mark.parametrize(
    ("down", "expected"),
    [
        ("-0.2 W", 'nodes.phone.power.down: expected a non-negative power like "3 W", got "-0.2 W"'),
        (".nan", 'nodes.phone.power.down: expected a power like "3 W", got nan (not finite)'),
        ("0.2 J", 'nodes.phone.power.down: expected a power like "3 W", got "0.2 J": unknown unit "J"'),
    ],
)
def test_validate_refuses_a_bad_down_power_with_one_line_and_exit_2(tmp_path, capsys, down, expected):
    from offloadsim.cli.main import main

    (tmp_path / "trace.csv").write_text("time\n0.5\n")
    path = tmp_path / "bad.yaml"
    path.write_text(DOWN.replace("POWER", f"down: {down}"))
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert f"bad.yaml: {expected}" in err


# The phone (idle 0.5 W, receive 1.5 W: 1 W above idle, down 0.1 W) asks the edge for an answer over
# a link of 1 s latency.  The request at 1 s sends nothing (0 B in), so the edge starts at 2 s (its
# 1 FLOP takes a picosecond); the answer's SIZE leave 2 s to 2 s + SIZE / 1 MB/s and arrive a
# second later: the phone's radio receives from 3 s until the last byte arrives.
ANSWER = """
name: down-receiving
duration: 10 s
nodes:
  phone: {tier: device, power: {idle: 0.5 W, receive: 1.5 W, tail: 0 s, down: 0.1 W}}
  edge: {tier: edge, processor: {speed: 1000 GFLOP/s}}
links:
  - {between: [phone, edge], bandwidth: 8 Mbps, latency: 1 s}
applications:
  job: {work: 1 FLOP, input: 0 B, output: SIZE}
workload:
  - {app: job, sources: phone, arrivals: trace, trace: trace.csv}
policy: {name: fixed, nodes: [edge]}
dynamics:
  - {kind: node-schedule, node: phone, steps: STEPS}
"""


@pytest.mark.parametrize(
    ("size", "steps", "times", "up_s", "device_energy"),
    [
        # The last byte left at 3 s and arrives at 4 s; the phone goes down at 3.5 s: received 3 to
        # 3.5 s (0.5 J), not on to 4 s while down (before: 1 J, half of it drawn while down).
        ("1 MB", "[{at: 3.5 s, up: false}]", "1", 3.5, [0.5]),
        # ... up again at 3.7 s, before the delivery at 4 s: still 0.5 J (the delivery goes unheard).
        ("1 MB", "[{at: 3.5 s, up: false}, {at: 3.7 s, up: true}]", "1", 9.8, [0.5]),
        # ... and a second request at 5 s after it is up: its answer is received 7 s to 8 s in full.
        ("1 MB", "[{at: 3.5 s, up: false}, {at: 3.7 s, up: true}]", "1 5", 9.8, [0.5, 1.0]),
        # Half a megabyte leaves 2 s to 2.5 s and would arrive 3 s to 3.5 s; down at 2.8 s, before
        # its first byte: never received (before: 0.5 J while down).
        ("0.5 MB", "[{at: 2.8 s, up: false}]", "1", 2.8, [0.0]),
        ("0.5 MB", "[{at: 2.8 s, up: false}, {at: 2.9 s, up: true}]", "1", 9.9, [0.0]),
    ],
)
def test_a_device_going_down_stops_receiving_what_was_still_on_its_way(
    tmp_path, size, steps, times, up_s, device_energy
):
    """A flow whose last byte had left the edge but was still arriving when the phone went down is
    received until then, not while the phone is down: the first task fails (its source went down),
    and the phone's tasks add up to its energy less idle × the time up less ``down`` × the time down."""
    (tmp_path / "trace.csv").write_text("time\n" + "".join(f"{t}\n" for t in times.split()))
    text = ANSWER.replace("SIZE", size).replace("STEPS", steps)
    raw = simulate(load_scenario_text(text, source="<test>", base_dir=tmp_path))
    tasks, nodes = raw.tasks, raw.nodes
    phone = list(nodes["node"]).index("phone")
    assert list(tasks["status"]) == ["failed"] + ["completed"] * (len(device_energy) - 1)
    assert tasks["reason"][0] == "phone went down"
    assert list(tasks["device_energy"]) == pytest.approx(device_energy, rel=1e-9, abs=1e-9)
    energy = 0.5 * up_s + 0.1 * (10 - up_s) + sum(device_energy)
    assert nodes["energy_j"][phone] == pytest.approx(energy, rel=1e-9)
    assert nodes["energy_j"][phone] - 0.5 * up_s - 0.1 * (10 - up_s) == pytest.approx(
        sum(tasks["device_energy"]), rel=1e-9, abs=1e-9
    )


def test_a_battery_running_flat_stops_receiving_what_was_still_on_its_way(tmp_path):
    """The same answer, the phone's battery flat at 3.5 s (1.5 J idle by 3 s, then 1.5 W receiving:
    2.25 J): received 3 s to 3.5 s only, 0.5 J, and nothing after (this one was right before)."""
    (tmp_path / "trace.csv").write_text("time\n1\n")
    text = ANSWER.replace("SIZE", "1 MB").replace("down: 0.1 W", "battery: 2.25 J")
    text = text.replace("steps: STEPS", "steps: [{at: 9.9 s, up: false}]")
    raw = simulate(load_scenario_text(text, source="<test>", base_dir=tmp_path))
    tasks, nodes = raw.tasks, raw.nodes
    phone = list(nodes["node"]).index("phone")
    assert nodes["drained_at"][phone] == pytest.approx(3.5, rel=1e-9)
    assert list(tasks["status"]) == ["failed"]
    assert tasks["device_energy"][0] == pytest.approx(0.5, rel=1e-9)
    assert nodes["energy_j"][phone] == pytest.approx(2.25, rel=1e-9)


# A powered edge (idle 1 W, receive 3 W: 2 W above idle, down 0.2 W) hears two phones: "far"'s
# 1 MB leave 1 s to 2 s over a link of 1 s latency and arrive 2 s to 3 s; "near"'s are behind a
# link of 10 ms.  The edge goes down at 2.5 s (far's reception ends there, its delivery at 3 s is
# not heard, its task fails) and is up again at 2.6 s, within that latency.
SERVER = """
name: server-down-up
duration: 10 s
nodes:
  far: {tier: device}
  near: {tier: device}
  edge:
    tier: edge
    processor: {speed: 1000 GFLOP/s}
    power: {idle: 1 W, receive: 3 W, tail: 0 s, down: 0.2 W}
links:
  - {between: [far, edge], bandwidth: 8 Mbps, latency: 1 s}
  - {between: [near, edge], bandwidth: 8 Mbps, latency: 10 ms}
applications:
  big: {work: 1 FLOP, input: 1 MB, output: 0 B}
  small: {work: 1 FLOP, input: NEAR_SIZE, output: 0 B}
workload:
  - {app: big, sources: far, arrivals: trace, trace: far.csv}
  - {app: small, sources: near, arrivals: trace, trace: near.csv}
policy: {name: fixed, nodes: [edge]}
dynamics:
  - {kind: node-schedule, node: edge, steps: [{at: 2.5 s, up: false}, {at: 2.6 s, up: true}]}
"""


# far's link (or near's) down from 2.55 s to 2.58 s, while the edge is down: far's bytes were all on
# their way (a link going down ends the transfers still sending over it), so nothing changes.
LINK_DOWN = (
    "  - {kind: link-schedule, link: [LINK, edge],"
    " steps: [{at: 2.55 s, up: false}, {at: 2.58 s, up: true}]}\n"
)


@pytest.mark.parametrize(
    ("near_size", "near_at", "extra", "near_rx_s"),
    [
        # near's 0.1 MB leave 2.7 s to 2.8 s and arrive 2.71 s to 2.81 s, before far's unheard
        # delivery at 3 s.  Before, that delivery ended near's reception: 0.29 s received, 0.38 J
        # too many (the edge's tasks are not its own: no task was charged, only its energy was off).
        ("0.1 MB", 2.7, "", 0.1),
        ("0.1 MB", 2.7, LINK_DOWN.replace("LINK", "far"), 0.1),
        ("0.1 MB", 2.7, LINK_DOWN.replace("LINK", "near"), 0.1),
        # ... and 0.5 MB from 2.65 s arrive 2.66 s to 3.16 s, across far's delivery: right before too.
        ("0.5 MB", 2.65, "", 0.5),
    ],
)
def test_a_server_up_again_within_a_latency_ends_a_new_reception_at_its_own_delivery(
    tmp_path, near_size, near_at, extra, near_rx_s
):
    """By hand: idle over the 9.9 s up, ``down`` over the 0.1 s down, and 2 W above idle over far's
    0.5 s received before the down and near's whole reception after the up."""
    (tmp_path / "far.csv").write_text("time\n1\n")
    (tmp_path / "near.csv").write_text(f"time\n{near_at}\n")
    text = SERVER.replace("NEAR_SIZE", near_size) + extra
    raw = simulate(load_scenario_text(text, source="<test>", base_dir=tmp_path))
    tasks, nodes = raw.tasks, raw.nodes
    assert list(tasks["status"]) == ["failed", "completed"]
    assert tasks["reason"][0] == "edge went down"
    edge = list(nodes["node"]).index("edge")
    expected = 1.0 * 9.9 + 0.2 * 0.1 + 2.0 * (0.5 + near_rx_s)
    assert nodes["energy_j"][edge] == pytest.approx(expected, rel=1e-12)


def test_a_server_down_before_a_flow_is_sent_hears_nothing_of_it(tmp_path):
    """near's request at 2.55 s, while the edge is down, is dropped (no route to it): the edge
    receives only far's 0.5 s before it went down (right before too)."""
    (tmp_path / "far.csv").write_text("time\n1\n")
    (tmp_path / "near.csv").write_text("time\n2.55\n")
    text = SERVER.replace("NEAR_SIZE", "0.1 MB")
    raw = simulate(load_scenario_text(text, source="<test>", base_dir=tmp_path))
    tasks, nodes = raw.tasks, raw.nodes
    assert list(tasks["status"]) == ["failed", "dropped"]
    edge = list(nodes["node"]).index("edge")
    assert nodes["energy_j"][edge] == pytest.approx(1.0 * 9.9 + 0.2 * 0.1 + 2.0 * 0.5, rel=1e-12)
