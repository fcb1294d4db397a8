"""A processor model added from outside the package, as a plug-in would: one factory, one registration.

The toy ``turbo`` model is a FIFO processor that prices every stage at a
tenth of the standard cost of its kind of work on its profile (it decides
its own service time).  It runs as a second processor beside a node's CPU;
a policy that names it in ``Plan.processors`` gets it, and one that names
nothing gets the node's first processor.
"""

from __future__ import annotations

from typing import Any

import pytest

from offloadsim.engine import EngineError, simulate
from offloadsim.engine.processor import Processor
from offloadsim.engine.processor_models import register_processor_model, unregister_processor_model
from offloadsim.policies.base import Plan
from offloadsim.policies.registry import register_policy, unregister_policy
from offloadsim.scenario import PolicySpec, load_scenario_text
from offloadsim.world import build_world


class Turbo(Processor):
    """FIFO cores that take a tenth of the kind's standard time."""

    def pricer(self, kind: Any, world: Any) -> Any:
        standard = kind.pricer(world, self)
        return lambda task, start, stop: standard(task, start, stop) / 10.0


def turbo(env: Any, model: Any) -> Turbo:
    spec = model.spec
    return Turbo(env, model.node, spec.name, model.cores, model.speed_flops, spec.queue_limit)


class OnProcessor:
    """Every task whole on ``box``, on the processor named ``processor`` (None: the node's first)."""

    def __init__(self, processor: str | None = None):
        self.processor = processor

    def decide(self, task: Any, view: Any) -> Plan:
        return Plan(("box",), processors=(self.processor,))


SCENARIO = """
name: toy-processor
duration: 10 s
nodes:
  box:
    tier: device
    processors:
      cpu: {speed: 1 GFLOP/s}
      gpu: {speed: 1 GFLOP/s, model: turbo}    # the plug-in's processor model
applications:
  job: {work: 1 GFLOP}
workload:
  - {app: job, sources: box, arrivals: trace, trace: trace.csv}
policy: local
"""


@pytest.fixture
def world(tmp_path):
    register_processor_model("turbo", turbo)
    register_policy("on-processor")(OnProcessor)
    try:
        (tmp_path / "trace.csv").write_text("time\n1\n1.05\n")
        yield build_world(load_scenario_text(SCENARIO, source="<toy>", base_dir=tmp_path))
    finally:
        unregister_policy("on-processor")
        unregister_processor_model("turbo")


def test_plan_processors_picks_a_plugged_in_processor_model(world):
    on_gpu = simulate(world, policy=PolicySpec("on-processor", {"processor": "gpu"})).tasks
    # 1 GFLOP at 1 GFLOP/s is 1 s; turbo takes 0.1 s: the second task (at 1.05) waits 0.05 s.
    assert list(on_gpu["compute_time"]) == pytest.approx([0.1, 0.1])
    assert list(on_gpu["wait"]) == pytest.approx([0.0, 0.05])
    on_cpu = simulate(world, policy=PolicySpec("on-processor", {"processor": None})).tasks
    assert list(on_cpu["compute_time"]) == pytest.approx([1.0, 1.0])
    assert list(on_cpu["wait"]) == pytest.approx([0.0, 0.95])


def test_a_plan_naming_a_processor_the_node_lacks_is_an_engine_error(world):
    with pytest.raises(EngineError, match='named processor "npu" at "box", which has "cpu", "gpu"'):
        simulate(world, policy=PolicySpec("on-processor", {"processor": "npu"}))
