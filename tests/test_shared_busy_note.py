"""The note where a node's processors share its busy power: an NPU's energy then follows the CPU's cores.

A phone with a CPU and an NPU, neither with a busy power of its own, charged a stage on the NPU the
node's (busy - idle) over every core of the node: 7.21, 2.88, 1.60 mJ a task at 1, 4, 8 CPU cores,
at the same latency, and nothing said so.  The run now says it, and says nothing once the NPU has
its own ``busy`` (or the node has one processor, or draws nothing busy).
"""

from __future__ import annotations

from offloadsim.scenario import PolicySpec, load_scenario_text
from offloadsim.world import build_world
from offloadsim.world.notes.shared_busy import KIND

SCENARIO = """
nodes:
  phone:
    tier: device
    processors: {cpu: {speed: 1 GFLOP/s, cores: 4}, npu: {speed: 4 GFLOP/s}}
    power: {idle: 1 W, busy: 3 W}
applications: {job: {work: 2 GFLOP}}
workload: [{app: job, sources: phone, arrivals: poisson, rate: 1 /s}]
policy: {name: fixed, node: phone, processors: [npu]}
name: phone-with-an-npu
duration: 10 s
"""


def _shared(*overrides: str) -> list[str]:
    world = build_world(load_scenario_text(SCENARIO, source="npu.yaml", overrides=overrides))
    return [line for line in world.notes if line.note.kind == KIND]


def test_a_run_says_the_npu_shares_the_node_busy_power_with_the_cpu_cores():
    (line,) = _shared()
    assert line.startswith("nodes.phone.processors.cpu, nodes.phone.processors.npu: no busy power")
    assert "shared by their 5 cores (0.4 W a busy core)" in line
    assert "processors.NAME.busy" in line
    assert line.note.facts == {
        "keys": ["nodes.phone.processors.cpu", "nodes.phone.processors.npu"],
        "cores": 5,
        "core_w": 0.4,
    }


def test_nothing_is_said_once_the_npu_has_its_own_busy_power():
    assert _shared("nodes.phone.processors.npu.busy=2 W") == []


def test_nothing_is_said_of_a_node_with_one_processor_or_no_busy_draw():
    assert _shared("nodes.phone.processors={cpu: {speed: 1 GFLOP/s, cores: 4}}") == []
    assert _shared("nodes.phone.power={idle: 1 W, busy: 1 W}") == []


def test_nothing_is_said_where_the_run_never_computes_on_the_node():
    scenario = load_scenario_text(
        SCENARIO.replace("nodes:\n", "nodes:\n  edge: {tier: edge, processor: {speed: 1 TFLOP/s}}\n")
        + "links:\n  - {between: [phone, edge], bandwidth: 20 Mbps, latency: 3 ms}\n",
        source="npu.yaml",
    )
    world = build_world(scenario)
    lines = world.notes_under(PolicySpec("fixed", {"node": "edge"}))
    assert [line for line in lines if line.note.kind == KIND] == []


def test_a_processor_busy_power_on_a_node_without_power_is_said_to_charge_nothing():
    scenario = load_scenario_text(
        SCENARIO.replace("    power: {idle: 1 W, busy: 3 W}\n", ""),
        source="npu.yaml",
        overrides=["nodes.phone.processors.npu.busy=2 W"],
    )
    (line,) = [line for line in build_world(scenario).notes if "processors.npu.busy" in line]
    assert line.startswith("nodes.phone.processors.npu.busy: the node has no power: entry")
