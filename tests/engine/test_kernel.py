"""The kernel's seams: the stage-abort hook (a node going down); no engine module imports the kernel."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from offloadsim.engine.simulation import Simulation
from offloadsim.policies.registry import make_policy
from offloadsim.scenario import load_scenario_text
from offloadsim.world import build_world

SCENARIO = """
name: abort
duration: 10 s
nodes:
  phone: {tier: device, processor: {speed: 1 GFLOP/s}}
  edge: {tier: edge, processor: {speed: 1 GFLOP/s}}
links:
  - {between: [phone, edge], bandwidth: 1 Gbps, latency: 0 ms}
applications:
  job: {work: 1 GFLOP, input: 0 B, output: 0 B}
workload:
  - {app: job, sources: phone, arrivals: trace, trace: trace.csv}
policy: edge
"""


def test_a_node_going_down_fails_its_running_and_queued_stages(tmp_path):
    # Arrivals at 1, 1.5, 2 and 4 s; each takes 1 s on the edge's one core (no transfer time).
    (tmp_path / "trace.csv").write_text("time\n1\n1.5\n2\n4\n")
    world = build_world(load_scenario_text(SCENARIO, source="<t>", base_dir=tmp_path))
    sim = Simulation(world, make_policy("edge"), "edge", seed=1)
    # At 2.5 s the edge goes down: the first task finished there at 2 s; the second (in service since
    # 2 s) and the third (queued behind it) fail.  The policy sees the edge down (view.is_up) and runs
    # the task of 4 s on the phone instead.
    sim.env.timeout(2.5).callbacks.append(lambda _: sim.context.node_down("edge", "edge lost power"))
    raw = sim.run()
    t = raw.tasks
    assert list(t["arrival"]) == [1.0, 1.5, 2.0, 4.0]  # in the order they ended
    assert list(t["status"]) == ["completed", "failed", "failed", "completed"]
    assert list(t["reason"]) == ["", "edge lost power", "edge lost power", ""]
    assert t["finish"][0] == pytest.approx(2.0) and t["finish"][3] == pytest.approx(5.0)
    assert t["placement"][0] == "edge" and t["placement"][3] == "phone"
    assert raw.counters == {"arrived": 4, "completed": 2, "failed": 2, "dropped": 0}
    # The stage in service when the node went down ends without reviving its task.
    assert sim.in_flight == {}


def test_no_engine_module_but_the_run_builder_imports_the_kernel():
    engine = Path(__file__).resolve().parents[2] / "offloadsim" / "engine"
    importers = set()
    for path in engine.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module == "offloadsim.engine.simulation":
                importers.add(path.name)
    assert importers <= {"__init__.py"}
