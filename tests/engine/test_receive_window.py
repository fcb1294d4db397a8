"""A flow is received a propagation latency after it is sent: the receiving radio's window, by hand.

A flow that starts at ``s`` and whose last byte leaves at ``e`` over a route
of latency ``L`` is sent during ``[s, e]`` and received during
``[s + L, e + L]``.  Before, the receiving end was charged ``[s, e]``: a
download cut the radio tail after the upload a latency too early, and two
downloads over routes of different latency were shared where they were
sent together, not where they arrived together.
"""

from __future__ import annotations

import pytest

from offloadsim.engine import simulate
from offloadsim.engine.energy import NodeMeter
from offloadsim.engine.environment import RunEnvironment
from offloadsim.engine.records import RecordLog
from offloadsim.engine.tasks import Task
from offloadsim.scenario import load_scenario_text
from offloadsim.scenario.model import PowerSpec

# One request: 125 KB up a 10 Mbit/s, 20 ms link (0.1 s), 10 ms on the edge, 25 KB back (0.02 s).
SPLIT = """
name: one-request
duration: 5 s
nodes:
  phone:
    tier: device
    power: {idle: 0.5 W, transmit: 1.5 W, receive: 1 W, tail: 1 s}
  edge: {tier: edge, processor: {speed: 1 TFLOP/s}}
links:
  - {between: [phone, edge], bandwidth: 10 Mbps, latency: 20 ms}
applications:
  infer: {service: 10 ms, input: 125 KB, output: 25 KB}
workload:
  - {app: infer, sources: phone, arrivals: trace, trace: once.csv}
policy: {name: fixed, node: edge}
"""


def test_the_tail_after_an_upload_runs_until_the_reply_arrives_not_until_it_leaves(tmp_path):
    (tmp_path / "once.csv").write_text("time\n1.0\n")
    raw = simulate(load_scenario_text(SPLIT, source="<t>", base_dir=tmp_path))
    tx, rx, tail_w, tail_s, latency = 1.5 - 0.5, 1.0 - 0.5, 1.5 - 0.5, 1.0, 0.020
    up, edge, down = 0.1, 0.010, 0.02
    # The phone sends [1.0, 1.1]; the edge has the input at 1.12 and replies at 1.13; the reply's
    # bytes reach the phone during [1.15, 1.17]. The tail after the upload runs from 1.1 to 1.15.
    gap = latency + edge + latency
    expected = tx * up + tail_w * min(tail_s, gap) + rx * down + tail_w * tail_s
    assert expected == pytest.approx(1.16)  # 0.1 + 0.05 + 0.01 + 1.0; charged from the reply's start: 1.14
    task = {k: v[0] for k, v in raw.tasks.items()}
    assert task["latency"] == pytest.approx(up + latency + edge + down + latency, rel=1e-9)
    assert task["device_energy"] == pytest.approx(expected, rel=1e-9)
    phone = raw.nodes["node"].index("phone")
    assert raw.nodes["energy_j"][phone] == pytest.approx(0.5 * raw.end_s + expected, rel=1e-9)


# Two replies to one phone over links of 5 ms and 45 ms: "long" runs 1 ms near, then 4 ms far (its
# 0-byte hand-over crossing 50 ms), so its 25 KB (20 ms at 10 Mbit/s) leave far during [1.06, 1.08]
# and arrive during [1.105, 1.125]; "short" arrives at 1.1, its 0-byte request reaches near 5 ms
# later, runs 5 ms, and its reply leaves during [1.11, 1.13], arriving during [1.115, 1.135].
TWO_REPLIES = """
name: two-replies
duration: 5 s
nodes:
  phone:
    tier: device
    power: {idle: 0.5 W, transmit: 1.5 W, receive: 1.3 W}
  near: {tier: edge, processor: {speed: 1 TFLOP/s}}
  far: {tier: cloud, processor: {speed: 1 TFLOP/s}}
links:
  - {between: [phone, near], bandwidth: 10 Mbps, latency: 5 ms}
  - {between: [phone, far], bandwidth: 10 Mbps, latency: 45 ms}
applications:
  short: {service: 5 ms, output: 25 KB}
  long: {stages: [{service: 1 ms}, {service: 4 ms}], output: 25 KB}
workload:
  - {app: short, sources: phone, arrivals: trace, trace: short.csv}
  - {app: long, sources: phone, arrivals: trace, trace: long.csv}
policy: {name: fixed, nodes: [near, far], cuts: [1]}
"""


def test_overlapping_downloads_share_the_radio_where_they_arrive_together(tmp_path):
    (tmp_path / "short.csv").write_text("time\n1.1\n")
    (tmp_path / "long.csv").write_text("time\n1.0\n")
    raw = simulate(load_scenario_text(TWO_REPLIES, source="<t>", base_dir=tmp_path))
    tasks = raw.tasks
    assert list(tasks["placement"]) == ["near:1>far", "near"]  # long (cut at layer 1), then short
    rx = 1.3 - 0.5
    # Sent apart ([1.06, 1.08] and [1.11, 1.13]), received together over [1.115, 1.125]: each
    # reply has the radio alone for 10 ms and shares it for 10 ms (charged from when they were
    # sent, each had 20 ms alone: 16 mJ, and the phone 32 mJ).
    alone, together = 0.010, 0.010
    each = rx * (alone + together / 2)
    assert each == pytest.approx(0.012)
    assert list(tasks["device_energy"]) == pytest.approx([each, each], rel=1e-9)
    phone = raw.nodes["node"].index("phone")
    above_idle = raw.nodes["energy_j"][phone] - 0.5 * raw.end_s
    assert above_idle == pytest.approx(rx * (alone + together + alone), rel=1e-9)


def _charged(task_id: int) -> Task:
    """A task with no energy yet and no record row (a meter compiled by mypyc takes only Tasks)."""
    return Task(task_id, "app", "phone", 0.0, float("inf"), [1.0], [0.0, 0.0], None)


def _meter(env: RunEnvironment) -> NodeMeter:
    power = PowerSpec(idle_w=0.5, busy_w=0.5, transmit_w=1.5, receive_w=1.0, tail_s=1.0)
    return NodeMeter(env, "phone", power, (), RecordLog(), lambda meter: None)


def _at(env: RunEnvironment, t: float, call) -> None:
    env.call_in(t - env.now, lambda _: call(), None)


def test_a_reception_aborted_before_its_first_byte_arrives_never_turns_the_radio_on():
    env = RunEnvironment()
    meter, upload, reply = _meter(env), _charged(0), _charged(1)
    _at(env, 1.0, lambda: meter.flow_started(True, upload))
    _at(env, 1.1, lambda: meter.flow_sent(True, upload))  # tail from 1.1
    _at(env, 1.2, lambda: meter.expect(1.3, reply, reply))  # would arrive from 1.3 ...
    _at(env, 1.25, lambda: meter.reception_aborted(reply, reply))  # ... but its link went down
    env.run(until=5.0)
    meter.settle()
    assert reply.energy == 0.0
    assert upload.energy == pytest.approx(1.0 * 0.1 + 1.0 * 1.0)  # its whole tail: nothing cut it
    assert meter.energy_j() == pytest.approx(0.5 * 5.0 + upload.energy)


def test_a_reception_delivered_before_it_was_due_ends_there():
    # A flow handed over to a route of less latency is delivered before its first byte was due on
    # the old route: it is received in no time, cutting the tail then, and nothing stays pending.
    env = RunEnvironment()
    meter, upload, reply = _meter(env), _charged(0), _charged(1)
    _at(env, 1.0, lambda: meter.flow_started(True, upload))
    _at(env, 1.1, lambda: meter.flow_sent(True, upload))
    _at(env, 1.2, lambda: meter.expect(1.5, reply, reply))
    _at(env, 1.4, lambda: meter.received(reply, reply))
    env.run(until=5.0)
    meter.settle()
    assert meter.pending == []
    assert upload.energy == pytest.approx(1.0 * 0.1 + 1.0 * 0.3)  # tail 1.1 to 1.4
    assert reply.energy == pytest.approx(1.0 * 1.0)  # no receive time; the tail after it
