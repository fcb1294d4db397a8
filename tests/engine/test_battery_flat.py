"""A radio tail ending within a clock tick of the battery's next check does not stop the clock."""

from __future__ import annotations

import math
import signal

import pytest

from offloadsim.engine import simulate
from offloadsim.scenario import load_scenario_text

# Found by a run that never ended: at about 0.7 s the meter of phone-1 kept scheduling its next
# look at the battery for when its radio tail ends, which was less than a clock tick ahead (the
# tail's remaining time a rounding residue), so simulated time stood still.
SCENARIO = """
name: battery-flat
duration: 20 s
seed: 3
nodes:
  phone:
    count: 3
    tier: device
    processor: {speed: 10 GFLOP/s, cores: 2}
    power: {idle: 0.5 W, busy: 3 W, transmit: 1.3 W, receive: 1 W, tail: 0.2 s, battery: BATTERY}
  ap: {tier: network}
  edge: {tier: edge, processor: {speed: 100 GFLOP/s, cores: 2, queue_limit: 5}}
links:
  - {between: [phone-*, ap], bandwidth: 20 Mbps, latency: 2 ms}
  - {between: [ap, edge], bandwidth: 100 Mbps, latency: 5 ms}
applications:
  pipe:
    stages:
      - {work: {exponential: {mean: 1 GFLOP}}, output: 100 KB}
      - {service: {exponential: {mean: 20 ms}}, output: 10 KB}
      - {work: 3 GFLOP}
    input: {exponential: {mean: 200 KB}}
    output: 1 KB
  job:
    work: {exponential: {mean: 2 GFLOP}}
    input: 50 KB
    output: 2 KB
workload:
  - {app: pipe, sources: phone-*, arrivals: poisson, rate: 2 /s}
  - {app: job, sources: phone-*, arrivals: closed, users: 2, think: {exponential: {mean: 0.5 s}}}
  - {app: job, sources: phone-0, arrivals: periodic, period: 0.3 s, jitter: 0.1 s}
policy: edge
"""


def _run(battery_j: float) -> dict[str, tuple[float, float]]:
    """Each phone's (drained_at, energy_j); fails instead of hanging if the clock stands still."""

    def stuck(*_: object) -> None:
        raise TimeoutError("the run did not end: simulated time stood still")

    previous = signal.signal(signal.SIGALRM, stuck)
    signal.alarm(300)
    try:
        raw = simulate(load_scenario_text(SCENARIO.replace("BATTERY", f"{battery_j} J"), source="<t>"))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    nodes = raw.nodes
    return {
        name: (drained, energy)
        for name, drained, energy in zip(nodes["node"], nodes["drained_at"], nodes["energy_j"], strict=True)
        if name.startswith("phone")
    }


def test_the_run_ends_when_a_tail_ends_within_a_clock_tick_of_a_check():
    phones = _run(60.0)  # not flat within the 20 s
    assert all(math.isnan(drained) and 0.0 < energy < 60.0 for drained, energy in phones.values())


@pytest.mark.parametrize("battery_j", [20.0])
def test_a_battery_goes_flat_at_its_capacity(battery_j):
    phones = _run(battery_j)
    assert all(0.0 < drained < 20.0 for drained, _ in phones.values())
    assert all(math.isclose(energy, battery_j, rel_tol=1e-9) for _, energy in phones.values())
