"""A processor model added from outside the package, as a plug-in would: one factory, one registration.

The toy ``turbo`` model is a FIFO processor that prices every stage at a
tenth of the standard cost of its kind of work on its profile (it decides
its own service time).  It runs as a second processor beside a node's CPU;
a policy that names it in ``Plan.processors`` gets it, and one that names
nothing gets the node's first processor.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from offloadsim.cli import main
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


class OneCore:
    """A ProcessorLike written from scratch (no base class): one core, first come first served.

    What the kernel hands ``submit`` comes back unchanged: ``callback(payload, wait_s, service_s)``
    with the payload it was given, and ``abort`` returns those payloads (the engine compiled by
    mypyc types them as its tasks: a wrapper in their place is a TypeError there).
    """

    def __init__(self, env: Any, model: Any):
        self.env, self.node, self.name = env, model.node, model.spec.name
        self.cores, self.speed_flops = 1, model.speed_flops
        self.up, self.busy, self.completed, self.refused, self.watch = True, 0, 0, 0, None
        self.free_at = self.busy_s = 0.0
        self.waiting: list[Any] = []

    def submit(self, service_s: float, callback: Any, payload: Any) -> bool:
        if not self.up:
            return False
        now = self.env.now
        begin = max(now, self.free_at)
        self.free_at = begin + service_s
        self.busy_s += service_s
        self.waiting.append(payload)

        def done(_event: Any) -> None:
            if self.up:
                self.waiting.remove(payload)
                self.completed += 1
                callback(payload, begin - now, service_s)

        self.env.timeout(self.free_at - now).callbacks.append(done)
        return True

    def pricer(self, kind: Any, world: Any) -> Any:
        return kind.pricer(world, self)

    def abort(self) -> list[Any]:
        self.up = False
        dropped, self.waiting = self.waiting, []
        return dropped

    def expected_wait_s(self) -> float:
        return max(0.0, self.free_at - self.env.now)

    def busy_core_seconds(self) -> float:
        return self.busy_s

    def queued(self) -> int:
        return max(0, len(self.waiting) - 1)


def test_a_processor_model_written_from_the_protocol_alone(tmp_path):
    """Not derived from ``Processor``: ``ProcessorLike`` is the whole contract, in either build."""
    register_processor_model("one-core", OneCore)
    try:
        (tmp_path / "trace.csv").write_text("time\n1\n1.05\n")
        scenario = SCENARIO.replace("{speed: 1 GFLOP/s, model: turbo}", "{speed: 2 GFLOP/s, model: one-core}")
        world = build_world(load_scenario_text(scenario, source="<toy>", base_dir=tmp_path))
        on_it = simulate(world, policy=PolicySpec("fixed", {"nodes": ["box"], "processors": ["gpu"]})).tasks
    finally:
        unregister_processor_model("one-core")
    # 1 GFLOP at its 2 GFLOP/s (not the CPU's 1): 0.5 s each, the second (at 1.05) waits 0.45 s.
    assert list(on_it["compute_time"]) == pytest.approx([0.5, 0.5])
    assert list(on_it["wait"]) == pytest.approx([0.0, 0.45])


class Untold(OneCore):
    """``OneCore`` counting its stages in service (``busy``), but with no ``in_service()``: it cannot
    say how long the stages its node's going down cut had run."""

    def submit(self, service_s: float, callback: Any, payload: Any) -> bool:
        if not super().submit(service_s, callback, payload):
            return False
        now = self.env.now

        def step(by: int) -> Any:
            def change(_event: Any) -> None:
                if self.up:
                    self.busy += by

            return change

        self.env.timeout(self.free_at - service_s - now).callbacks.append(step(1))
        self.env.timeout(self.free_at - now).callbacks.append(step(-1))
        return True

    def busy_core_seconds(self) -> float:  # what ran, not what was booked (the meter reads it)
        return self.busy_s - self.busy * max(0.0, self.free_at - self.env.now)

    def abort(self) -> list[Any]:
        self.busy_s -= self.busy * max(0.0, self.free_at - self.env.now)
        self.busy = 0
        return super().abort()


@pytest.mark.parametrize("model", ["untold", "fifo"])
def test_a_processor_model_without_in_service_says_its_cut_stages_are_nobodys(tmp_path, model):
    """The request at 1 s runs on ``gpu`` (0.5 s at 2 GFLOP/s) until the box goes down at 1.25 s.
    ``fifo`` tells the kernel the stage ran 0.25 s: 1.25 W (3 W busy less 0.5 W idle, over the
    box's 2 cores) × 0.25 s is the task's, and the box's tasks add up to its energy less idle × 1.25 s
    less ``down`` (0 W) × the rest.  A model without ``in_service()`` cannot: that energy is the
    box's and no task's, and the run says so in a note naming the model, the processor and the node
    (before, silently)."""
    register_processor_model("untold", Untold)
    try:
        (tmp_path / "trace.csv").write_text("time\n1\n")
        scenario = (
            SCENARIO.replace("{speed: 1 GFLOP/s, model: turbo}", f"{{speed: 2 GFLOP/s, model: {model}}}")
            .replace("tier: device", "tier: device\n    power: {idle: 0.5 W, busy: 3 W, down: 0 W}")
            .replace(
                "policy: local",
                "policy: local\ndynamics:\n  - {kind: node-schedule, node: box, "
                "steps: [{at: 1.25 s, up: false}]}",
            )
        )
        world = build_world(load_scenario_text(scenario, source="<toy>", base_dir=tmp_path))
        raw = simulate(world, policy=PolicySpec("fixed", {"nodes": ["box"], "processors": ["gpu"]}))
    finally:
        unregister_processor_model("untold")
    assert list(raw.tasks["status"]) == ["failed"]
    energy = raw.nodes["energy_j"][0]
    assert energy == pytest.approx(0.5 * 1.25 + 1.25 * 0.25, rel=1e-9)
    untold = [note for note in raw.notes if "in_service()" in note]
    if model == "fifo":
        assert raw.tasks["device_energy"][0] == pytest.approx(1.25 * 0.25, rel=1e-9)
        assert untold == []
    else:
        assert raw.tasks["device_energy"][0] == 0.0
        assert untold == [
            'processor model "untold" (processor "gpu" at "box") has no in_service(): the stages it was '
            "serving as the node went down (1 time) drew energy in the node's energy_j but in no task's "
            "device_energy, so its tasks do not add up to its energy"
        ]


class NoRefusals(OneCore):
    """A model written from the protocol that forgot the ``refused`` counter."""

    def __init__(self, env: Any, model: Any):
        super().__init__(env, model)
        del self.refused


def broken(env: Any, model: Any) -> OneCore:
    raise ValueError("no such accelerator")


@pytest.mark.parametrize(
    ("factory", "said"),
    [
        (NoRefusals, "built a processor of class NoRefusals, which lacks refused (what offloadsim.engine."),
        (broken, f"raised ValueError: no such accelerator ({os.path.basename(__file__)}, line "),
    ],
)
def test_a_plugged_in_model_that_breaks_the_protocol_is_named_before_the_run(tmp_path, capsys, factory, said):
    """A missing counter was ``internal error: AttributeError: 'NoRefusals' object has no attribute
    'refused'`` (exit 1) from the kernel, and a factory's exception the same, naming no model; then
    it named the model but neither the file nor the key naming it."""
    register_processor_model("half-done", factory)
    try:
        (tmp_path / "trace.csv").write_text("time\n1\n1.05\n")
        path = tmp_path / "toy.yaml"
        path.write_text(SCENARIO.replace("model: turbo", "model: half-done"))
        assert main(["run", str(path), "--out", str(tmp_path / "out"), "-q"]) == 2
        *_, line = capsys.readouterr().err.splitlines()  # after idle-processors: local uses the CPU
        where = f'"half-done" ({__name__}.{factory.__qualname__}), for processor "gpu" of "box", '
        at = f"{path}: nodes.box.processors.gpu.model"  # the file as the message names it, whole
        assert line.startswith(f"offloadsim: error: {at}: processor model {where}{said}"), line
    finally:
        unregister_processor_model("half-done")
