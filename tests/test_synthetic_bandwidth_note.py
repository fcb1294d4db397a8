"""A synthetic application where a processor's ``memory_bandwidth`` is set is told it does not slow it.

Synthetic stages cost FLOPs ÷ speed only (docs/models.md, "Your own model"); ``validate`` and the
run said nothing, and a bandwidth set to slow a pipeline changed no time.
"""

import pytest

from offloadsim.scenario.loader import load_scenario_text
from offloadsim.world.build import build_world

SCENARIO = """
name: pipe
duration: 10 s
nodes:
  phone: {tier: device, processor: {speed: 10 GFLOP/s}}
  edge: {tier: edge, processor: {speed: 100 GFLOP/s, memory_bandwidth: 10 GB/s}}
links:
  - {between: [phone, edge], bandwidth: 20 Mbps}
applications:
  pipe: APP
workload:
  - {app: pipe, sources: phone, rate: 1 /s}
policy: edge
"""

SAID = (
    "applications.pipe: synthetic work costs its FLOPs at the processor's speed only; "
    "nodes.edge.processor.memory_bandwidth does not slow it (docs/models.md#your-own-model)"
)


def _notes(app: str) -> tuple[str, ...]:
    return build_world(load_scenario_text(SCENARIO.replace("APP", app), source="<t>")).notes


@pytest.mark.parametrize(
    "app", ["{stages: [{work: 1 GFLOP, output: 1 MB}, {work: 2 GFLOP}]}", "{work: 1 GFLOP}"]
)
def test_synthetic_work_beside_a_memory_bandwidth_is_told_it_is_not_bounded(app):
    assert SAID in _notes(app)


@pytest.mark.parametrize(
    "app",
    [
        "{service: 5 ms}",  # a stated time: no FLOPs for a speed, nor a bandwidth, to change
        "{work: 1 GFLOP, hosts: [phone]}",  # kept off the node with the bandwidth
        "{model: alexnet}",  # a model's layers are bounded by it (a roofline)
    ],
)
def test_no_note_where_the_bandwidth_could_not_have_slowed_it(app):
    assert not any("does not slow it" in note for note in _notes(app))


def test_the_note_and_the_times_agree_the_bandwidth_changes_nothing():
    from offloadsim.api import run

    scenario = SCENARIO.replace("APP", "{work: 1 GFLOP}")
    slow = scenario.replace("10 GB/s", "1 KB/s")
    times = [
        run(load_scenario_text(text, source="<t>")).tasks["compute_time"].tolist()
        for text in (scenario, slow)
    ]
    assert times[0] == times[1]
