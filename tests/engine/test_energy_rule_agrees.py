"""The engine's meter charges what the policies' estimate prices: one device-energy rule, two readers.

:mod:`offloadsim.policies.device_energy` holds the rule; the meter
(:class:`~offloadsim.engine.energy.NodeMeter`) applies it event by event with
its arithmetic inline (its hot path).  Random sets of flows, overlapping,
with tails cut short by the next activity and downloads received a route
latency after they are sent, run through a meter driven as the kernel drives
it (a download's radio expected at ``now + latency``, delivered ``latency``
after its last byte leaves) and through
:func:`~offloadsim.policies.device_energy.radio_energy_j` over the intervals
the rule says the device's radio is busy; they must agree to 1e-12.  So
must a real run's phone, over the transfers its stage records show (the
kernel's own receive window, not this file's driver).  A change to either
side's rule (the tail, how it is cut short, the receive window) fails here.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from offloadsim.engine import simulate
from offloadsim.engine.energy import NodeMeter
from offloadsim.engine.environment import RunEnvironment
from offloadsim.engine.records import RecordLog
from offloadsim.engine.tasks import Task
from offloadsim.policies.device_energy import DeviceEnergy, radio_energy_j, received_during
from offloadsim.scenario import load_scenario_text
from offloadsim.scenario.model import PowerSpec
from offloadsim.world import build_world

# (start s, seconds its bytes take to leave, sending?, route latency s, owner: a task's index or None)
Flow = tuple[float, float, bool, float, int | None]

flows_st = st.lists(
    st.tuples(
        st.floats(0.0, 6.0),
        st.floats(1e-3, 1.5),
        st.booleans(),
        st.floats(0.0, 0.4),
        st.one_of(st.none(), st.integers(0, 2)),
    ),
    min_size=1,
    max_size=12,
)


def _task(task_id: int) -> Task:
    """A task with no energy yet and no record row (a meter compiled by mypyc takes only Tasks)."""
    return Task(task_id, "app", "phone", 0.0, math.inf, [1.0], [0.0, 0.0], None)


def metered(flows: list[Flow], tail_s: float) -> tuple[NodeMeter, list[Task]]:
    """Run ``flows`` through a phone's meter as the kernel and the network call it; settled at the end."""
    env = RunEnvironment()
    power = PowerSpec(idle_w=0.0, busy_w=2.0, transmit_w=1.3, receive_w=0.9, tail_s=tail_s)
    meter = NodeMeter(env, "phone", power, (), RecordLog(), lambda _: None)
    tasks = [_task(i) for i in range(3)]

    def at(t: float, call) -> None:
        env.call_in(t, lambda _: call(), None)

    for start, moving, sending, latency, owner in flows:
        task = None if owner is None else tasks[owner]
        if sending:  # simulation.py: flow_started now, flow_sent as the last byte leaves
            at(start, lambda task=task: meter.flow_started(True, task))
            at(start + moving, lambda task=task: meter.flow_sent(True, task))
        else:  # expected at now + latency; the network delivers a latency after the last byte leaves
            key = object()

            def sent(key=key, task=task, latency=latency) -> None:
                env.call_in(latency, lambda _: meter.received(key, task), None)

            at(start, lambda key=key, task=task, latency=latency: meter.expect(env.now + latency, key, task))
            at(start + moving, sent)
    env.run(until=20.0)  # past every flow's end and its whole tail
    meter.settle()
    return meter, tasks


def estimated(flows: list[Flow], meter: NodeMeter) -> float:
    """The policies' estimate of the same flows: the device's radio intervals under the rule."""
    intervals = [
        (start, start + moving, True)
        if sending
        else (*received_during(start, start + moving, latency), False)
        for start, moving, sending, latency, _ in flows
    ]
    return radio_energy_j(intervals, meter.marginal)


@settings(max_examples=300, deadline=None)
@given(flows=flows_st, tail_s=st.sampled_from([0.0, 0.05, 0.3, 1.0]))
def test_a_meter_charges_what_the_estimate_prices(flows, tail_s):
    meter, tasks = metered(flows, tail_s)
    expected = estimated(flows, meter)
    assert meter.energy_j() == pytest.approx(expected, rel=1e-12, abs=1e-15)  # idle 0: all above idle
    if all(owner is not None for *_, owner in flows):  # the overlapping flows' shares add up
        assert math.fsum(t.energy for t in tasks) == pytest.approx(expected, rel=1e-12, abs=1e-15)
    if all(owner == 0 for *_, owner in flows):  # a task alone on its device: radio_energy_j's promise
        assert tasks[0].energy == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_the_cases_the_rule_turns_on_occur():
    # An upload [1, 1.1], then a download sent over [1.12, 1.14] 0.03 s away: heard over [1.15,
    # 1.17], cutting the 0.3 s tail after the upload at 0.05 s; a second upload [1.16, 1.2]
    # overlaps the download. Meter and estimate agree, and on the value by hand.
    flows: list[Flow] = [(1.0, 0.1, True, 0.0, 0), (1.12, 0.02, False, 0.03, 0), (1.16, 0.04, True, 0.0, 0)]
    meter, tasks = metered(flows, 0.3)
    by_hand = 1.3 * (0.1 + 0.04) + 0.9 * 0.02 + 1.3 * (0.05 + 0.3)
    assert estimated(flows, meter) == pytest.approx(by_hand, rel=1e-12)
    assert tasks[0].energy == pytest.approx(by_hand, rel=1e-12)


# A real run: a phone offloads to two edges over routes of 5 ms and 40 ms, round robin, with
# arrivals close enough that uploads and replies overlap on its radio and cut its tails short.
RUN = """
name: rule-agrees
duration: 10 s
nodes:
  phone:
    tier: device
    power: {idle: 0 W, transmit: 1.3 W, receive: 0.9 W, tail: 0.3 s}
  near: {tier: edge, processor: {speed: 1 TFLOP/s}}
  far: {tier: edge, processor: {speed: 1 TFLOP/s}}
links:
  - {between: [phone, near], bandwidth: 10 Mbps, latency: 5 ms}
  - {between: [phone, far], bandwidth: 20 Mbps, latency: 40 ms}
applications:
  infer: {service: 10 ms, input: 25 KB, output: 50 KB}
workload:
  - {app: infer, sources: phone, arrivals: trace, trace: times.csv}
policy: round-robin
"""


@settings(max_examples=25, deadline=None)
@given(times_ms=st.lists(st.integers(0, 5000), min_size=1, max_size=30))
def test_a_run_charges_its_phone_what_the_estimate_prices_over_its_transfers(tmp_path_factory, times_ms):
    folder = tmp_path_factory.mktemp("run")
    (folder / "times.csv").write_text("time\n" + "".join(f"{t / 1000}\n" for t in sorted(times_ms)))
    world = build_world(load_scenario_text(RUN, source="<t>", base_dir=folder))
    raw = simulate(world, record_stages=True)
    stages = raw.stages
    intervals = []
    for kind, where, start, end in zip(
        stages["kind"], stages["where"], stages["start"], stages["end"], strict=True
    ):
        if kind != "transfer":
            continue
        a, b = str(where).split(">")
        latency = world.topology.route(a, b).latency_s
        left = float(end) - latency  # delivered a latency after its last byte left
        if a == "phone":
            intervals.append((float(start), left, True))
        else:
            intervals.append((*received_during(float(start), left, latency), False))
    phone = raw.nodes["node"].index("phone")
    expected = radio_energy_j(intervals, DeviceEnergy.of(world.nodes["phone"].power))
    assert raw.nodes["energy_j"][phone] == pytest.approx(expected, rel=1e-12)
