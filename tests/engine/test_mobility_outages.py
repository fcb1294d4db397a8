"""Mobility among access points that go down and come back: a device attaches to the nearest *live*
access point covering it, at each sample and the moment one goes down or comes up (hand-checked
latencies), a transfer in flight fares as at any handover, a device that only a downed access point
covers is cut off as under an outage, and overlapping outages still add up."""

from __future__ import annotations

import math

import pytest

from offloadsim.engine import simulate
from offloadsim.scenario import load_scenario_text

# The phone stands at x = 40 m: ap-0 (x = 0) is 40 m away, ap-1 (x = 100) 60 m, each covering
# 100 m, so both cover it and ap-0 is the nearer.  Links 1 MB/s each way (8 Mbps); ap-0's 5 ms,
# ap-1's 10 ms, 1 ms on to the edge, which runs 1 GFLOP in 10 ms.  Samples each second.
SCENARIO = """
name: outage-walk
duration: 20 s
nodes:
  phone: {tier: device, processor: {speed: 10 GFLOP/s}}
  ap: {count: 2, tier: network}
  edge: {tier: edge, processor: {speed: 100 GFLOP/s}}
links:
  - {between: [phone, ap-0], bandwidth: 8 Mbps, latency: 5 ms}
  - {between: [phone, ap-1], bandwidth: 8 Mbps, latency: 10 ms}
  - {between: [ap-*, edge], bandwidth: 1 Gbps, latency: 1 ms}
applications:
  job: {stages: [{work: 1 GFLOP}], input: INPUT, output: 1 KB}
workload:
  - {app: job, sources: phone, arrivals: trace, trace: arrivals.csv}
policy: POLICY
dynamics:
BEFORE  - kind: mobility
    devices: phone
    access_points:
      - {node: ap-0, position: [0 m, 0 m], radius: REACH0}
      - {node: ap-1, position: [AP1X, 0 m], radius: REACH1}
    file: walk.csv
    update: 1 s
    in_flight: RULE
AFTER"""

#: By hand, 8 KB up and 1 KB back through ap-0: 8 ms of bytes + 5 + 1 ms, 10 ms at the edge,
#: 1 ms of bytes + 6 ms.  Through ap-1: the same with 11 ms each way.
VIA_AP0 = 0.008 + 0.006 + 0.010 + 0.001 + 0.006
VIA_AP1 = 0.008 + 0.011 + 0.010 + 0.001 + 0.011


def outage(steps: str, node: str = "ap-0") -> str:
    return f"  - {{kind: node-schedule, node: {node}, steps: [{steps}]}}\n"


def scenario(
    tmp_path,
    times,
    after="",
    before="",
    rule="continue",
    size="8 KB",
    policy="{name: fixed, nodes: [edge]}",
    reach=("100 m", "100 m"),
    at=40,
    ap1_at="100 m",
):
    """SCENARIO with tasks arriving at ``times`` and the phone standing at x = ``at`` m."""
    (tmp_path / "arrivals.csv").write_text("time\n" + "\n".join(str(t) for t in times) + "\n")
    (tmp_path / "walk.csv").write_text(f"time,node,x,y\n0,phone,{at},0\n")
    text = SCENARIO
    for key, value in {
        "INPUT": size,
        "POLICY": policy,
        "RULE": rule,
        "REACH0": reach[0],
        "REACH1": reach[1],
        "AP1X": ap1_at,
        "BEFORE": before,
        "AFTER": after,
    }.items():
        text = text.replace(key, value)
    return load_scenario_text(text, source="<test>", base_dir=tmp_path)


def run(tmp_path, times, **kw):
    return simulate(scenario(tmp_path, times, **kw))


def latencies(raw):
    """Each completed task's latency by arrival (every task must have completed)."""
    tasks = raw.tasks
    assert {str(s) for s in tasks["status"]} == {"completed"}, list(tasks["reason"])
    return {float(a): float(lat) for a, lat in zip(tasks["arrival"], tasks["latency"], strict=True)}


def carried(raw):
    links = raw.links
    ends = zip(links["a"], links["b"], links["bytes"], strict=True)
    return {(str(a), str(b)): float(n) for a, b, n in ends}


def test_tasks_leave_through_the_farther_access_point_while_the_nearer_is_down_and_come_back_after(
    tmp_path,
):
    """ap-0 is down from 4.5 s to 8.5 s, between samples: the phone moves at once, both ways.

    Before, it stayed attached to ap-0 while it was down (it covers the phone): the tasks at 4.6 s
    and 6 s had no route to the edge and were dropped, though ap-1 covered the phone.
    """
    raw = run(tmp_path, [1.0, 4.6, 6.0, 8.6], after=outage("{at: 4.5 s, up: false}, {at: 8.5 s, up: true}"))
    assert latencies(raw) == pytest.approx(
        {
            1.0: VIA_AP0,
            4.6: VIA_AP1,  # 0.1 s after ap-0 went down, before the next sample
            6.0: VIA_AP1,
            8.6: VIA_AP0,  # 0.1 s after it came back: the nearer again
        }
    )
    sent = carried(raw)
    assert sent["phone", "ap-0"] == 2 * 8e3 and sent["phone", "ap-1"] == 2 * 8e3
    assert sent["ap-1", "phone"] == 2 * 1e3 and sent["ap-0", "phone"] == 2 * 1e3
    assert list(raw.tasks["handovers"]) == [0.0, 0.0, 0.0, 0.0]  # nothing was in flight at them
    # phone-ap-0 carried traffic 0-4.5 s and 8.5-20 s; phone-ap-1 4.5-8.5 s.
    up = {
        (str(a), str(b)): float(v)
        for a, b, v in zip(raw.links["a"], raw.links["b"], raw.links["availability"], strict=True)
        if str(a) == "phone"
    }
    assert up == pytest.approx({("phone", "ap-0"): 16 / 20, ("phone", "ap-1"): 4 / 20}, abs=1e-12)


def test_an_access_point_down_from_the_start_is_passed_over_at_the_first_sample(tmp_path):
    """The schedule's entry comes first, so ap-0 is down when mobility first attaches the phone."""
    raw = run(tmp_path, [1.0, 6.0], before=outage("{at: 0 s, up: false}, {at: 5 s, up: true}"))
    assert latencies(raw) == pytest.approx({1.0: VIA_AP1, 6.0: VIA_AP0})


@pytest.mark.parametrize("order", ["mobility first", "schedules first"])
def test_overlapping_outages_of_an_access_point_still_add_up(tmp_path, order):
    """Two entries hold ap-0 down, 4-8 s and 6-10 s: it is down 4-10 s, and the phone on ap-1 so long."""
    schedules = outage("{at: 4 s, up: false}, {at: 8 s, up: true}") + outage(
        "{at: 6 s, up: false}, {at: 10 s, up: true}"
    )
    where = {"after": schedules} if order == "mobility first" else {"before": schedules}
    raw = run(tmp_path, [3.0, 5.0, 9.0, 10.5], **where)
    assert latencies(raw) == pytest.approx(
        {
            3.0: VIA_AP0,
            5.0: VIA_AP1,
            9.0: VIA_AP1,  # the first outage ended at 8 s; the second holds it down
            10.5: VIA_AP0,
        }
    )


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        # 8 MB up from 1 s at 1 MB/s: 3 MB by 4 s, when ap-0 goes down.  continue: the 5 MB left
        # over ap-1 leave at 9 s and land 11 ms later; 10 ms; 1 KB back: 1 ms + 11 ms.
        ("continue", ("completed", 9.0 + 0.011 + 0.010 + 0.001 + 0.011 - 1.0)),
        # restart: all 8 MB again from 4 s: the last byte leaves at 12 s.
        ("restart", ("completed", 12.0 + 0.011 + 0.010 + 0.001 + 0.011 - 1.0)),
    ],
)
def test_an_upload_in_flight_when_its_access_point_goes_down_fares_as_at_any_handover(
    tmp_path, rule, expected
):
    raw = run(tmp_path, [1.0], after=outage("{at: 4 s, up: false}"), rule=rule, size="8 MB")
    status, latency = expected
    tasks = raw.tasks
    assert str(tasks["status"][0]) == status
    assert float(tasks["latency"][0]) == pytest.approx(latency, rel=1e-12)
    assert tasks["handovers"][0] == 1.0
    sent = carried(raw)
    assert sent["phone", "ap-0"] == pytest.approx(3e6)
    assert sent["phone", "ap-1"] == pytest.approx(5e6 if rule == "continue" else 8e6)


def test_under_fail_an_upload_in_flight_when_its_access_point_goes_down_fails_with_the_outage(tmp_path):
    raw = run(tmp_path, [1.0, 5.0], after=outage("{at: 4 s, up: false}"), rule="fail", size="8 MB")
    tasks = raw.tasks
    assert [str(s) for s in tasks["status"]] == ["failed", "completed"]
    assert str(tasks["reason"][0]) == "ap-0 went down"
    assert tasks["handovers"][0] == 1.0
    # The next task goes over ap-1 from the start: 8 s up + 11 ms, 10 ms, 1 ms + 11 ms back.
    assert float(tasks["latency"][1]) == pytest.approx(8.0 + 0.011 + 0.010 + 0.001 + 0.011, rel=1e-12)


def test_a_device_only_a_downed_access_point_covers_is_cut_off_as_under_an_outage(tmp_path):
    """ap-1 reaches 50 m, not the phone 60 m off: only ap-0 covers it, and ap-0 is down 4-8 s.

    The phone attaches to no access point meanwhile, and its tasks fare as a static phone's on ap-0
    alone under the same outage: the upload in flight at 4 s fails with ap-0's going down, a task
    in the window runs on the phone (edge's fallback: no route), and after 8 s through ap-0 again.
    """
    steps = outage("{at: 4 s, up: false}, {at: 8 s, up: true}")
    times = [1.0, 3.9, 5.0, 9.0]
    policy = "edge"
    moving = run(tmp_path, times, after=steps, size="200 KB", policy=policy, reach=("100 m", "50 m"))
    static_text = (
        SCENARIO.split("dynamics:")[0]
        .replace("  - {between: [phone, ap-1], bandwidth: 8 Mbps, latency: 10 ms}\n", "")
        .replace("INPUT", "200 KB")
        .replace("POLICY", policy)
    )
    static = simulate(
        load_scenario_text(static_text + "dynamics:\n" + steps, source="<test>", base_dir=tmp_path)
    )
    columns = ("arrival", "status", "reason", "final_node", "placement", "latency", "bytes_sent")
    for column in columns:
        assert [str(v) for v in moving.tasks[column]] == [str(v) for v in static.tasks[column]], column
    tasks = moving.tasks
    ended = {float(a): str(n) for a, n in zip(tasks["arrival"], tasks["final_node"], strict=True)}
    assert ended == {1.0: "edge", 3.9: "edge", 5.0: "phone", 9.0: "edge"}
    assert str(tasks["status"][1]) == "failed" and str(tasks["reason"][1]) == "ap-0 went down"


def test_the_view_sees_the_device_on_the_live_access_point_and_on_none_when_none_is_live(tmp_path):
    from offloadsim.engine.simulation import Simulation
    from offloadsim.policies.registry import make_policy
    from offloadsim.world import build_world

    steps = outage("{at: 2 s, up: false}, {at: 6 s, up: true}") + outage(
        "{at: 3 s, up: false}, {at: 5 s, up: true}", node="ap-1"
    )
    world = build_world(scenario(tmp_path, [1.0], after=steps, size="1 KB", policy="edge"))
    sim = Simulation(world, make_policy("edge"), "edge", seed=1)
    seen = []
    for t in (1.5, 2.5, 3.5, 5.5, 6.5):
        sim.env.timeout(t).callbacks.append(lambda _, t=t: seen.append((t, sim.view.attachment("phone"))))
    sim.run()
    assert seen == [(1.5, "ap-0"), (2.5, "ap-1"), (3.5, None), (5.5, "ap-1"), (6.5, "ap-0")]


def test_with_a_radio_the_access_point_taken_over_carries_its_own_rate(tmp_path):
    """The phone stands 100 m from ap-0 and 150 m from ap-1 (each covering 200 m); ap-0 is down from
    0.5 s: the upload at 1 s goes through ap-1 at the Shannon rate 150 m gives, not ap-0's."""
    radio = (
        "    radio: {bandwidth: 20 MHz, transmit_power: 23 dBm, noise: -95 dBm, exponent: 3, "
        "reference_loss: 40 dB}\n"
    )
    after = radio + outage("{at: 0.5 s, up: false}")
    kw = {"size": "8 MB", "reach": ("200 m", "200 m"), "at": 100, "ap1_at": "250 m"}
    raw = run(tmp_path, [1.0], after=after, **kw)
    # 23 dBm out, 40 dB at 1 m, exponent 3: at 150 m, 40 + 30 log10(150) dB lost; -95 dBm of noise.
    snr_db = 23.0 - (40.0 + 30.0 * math.log10(150.0)) + 95.0
    rate = 20e6 * math.log2(1.0 + 10.0 ** (snr_db / 10.0)) / 8  # bytes/s, both ways (same power)
    expected = 8e6 / rate + 0.011 + 0.010 + 1e3 / rate + 0.011
    assert float(raw.tasks["latency"][0]) == pytest.approx(expected, rel=1e-9)


def test_a_link_handed_over_to_at_the_same_distance_gets_its_radio_rate_too(tmp_path):
    """The phone stands midway, 50 m from each access point: ap-0 (first on the tie) serves it until
    it goes down at 0.5 s, then ap-1, at the same Shannon rate.  Before, the rates were kept per
    device, so ap-1's link, whose rate equalled the one the phone had on ap-0, was never set and
    carried the scenario's 8 Mbps."""
    radio = (
        "    radio: {bandwidth: 20 MHz, transmit_power: 23 dBm, noise: -95 dBm, exponent: 3, "
        "reference_loss: 40 dB}\n"
    )
    after = radio + outage("{at: 0.5 s, up: false}")
    raw = run(tmp_path, [1.0], after=after, size="8 MB", at=50)
    snr_db = 23.0 - (40.0 + 30.0 * math.log10(50.0)) + 95.0
    rate = 20e6 * math.log2(1.0 + 10.0 ** (snr_db / 10.0)) / 8
    expected = 8e6 / rate + 0.011 + 0.010 + 1e3 / rate + 0.011
    assert float(raw.tasks["latency"][0]) == pytest.approx(expected, rel=1e-9)
