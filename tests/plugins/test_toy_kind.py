"""A kind of work added from outside the package, as a plug-in would: one class, one registration.

The toy kind ``fixed-seconds`` costs every stage exactly the seconds its
application's ``service`` states per layer, whatever the processor, and
adds nothing to the record.  A run over it gives the exact queueing times
worked out by hand.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import pytest

from offloadsim.engine import simulate
from offloadsim.engine.tasks import Task
from offloadsim.engine.work import get_kind, register_kind, unregister_kind
from offloadsim.scenario import load_scenario_text

SECONDS_PER_LAYER = 0.5


class FixedSeconds:
    """Every layer takes SECONDS_PER_LAYER anywhere; 100 KB cross every cut."""

    name = "fixed-seconds"
    fixed_cost = True

    def maker(self, app: Any, source: str, rng: Any, apps: Mapping[str, Any]) -> Any:
        layers = app.layers
        cuts = [100e3] * (layers + 1)

        def make(task_id: int, now: float) -> Task:
            return Task(task_id, app.name, source, now, float("nan"), [0.0] * layers, cuts, None)

        return make

    def pricer(self, world: Any, processor: Any) -> Any:
        return lambda task, start, stop: SECONDS_PER_LAYER * (stop - start)

    def start(self, ctx: Any, task: Task, walk: Any) -> None:
        walk(task)

    def served_as(self, task: Any, app: Any) -> tuple[Sequence[float], Sequence[float]]:
        raise ValueError("serves no other application")


SCENARIO = """
name: toy-kind
duration: 10 s
nodes:
  box: {tier: device, processor: {speed: 1 GFLOP/s}}
  edge: {tier: edge, processor: {speed: 1 TFLOP/s}}
links:
  - {between: [box, edge], bandwidth: 8 Mbps, latency: 0 ms}
applications:
  job:
    stages: [{work: 1 GFLOP}, {work: 1 GFLOP}]
    kind: fixed-seconds                 # a kind the world cannot infer: the plug-in's
workload:
  - {app: job, sources: box, arrivals: trace, trace: trace.csv}
policy: {name: fixed, nodes: [box, edge], cuts: [1]}
"""


@pytest.fixture
def toy_kind() -> Iterator[FixedSeconds]:
    kind = register_kind(FixedSeconds())
    yield kind
    unregister_kind(kind.name)


def test_a_kind_registered_from_outside_runs_a_scenario(toy_kind, tmp_path):
    (tmp_path / "trace.csv").write_text("time\n1\n1.2\n")
    raw = simulate(load_scenario_text(SCENARIO, source="<toy>", base_dir=tmp_path))
    t = raw.tasks
    assert list(t["status"]) == ["completed", "completed"]
    # Layer 0 on the box (0.5 s each, FIFO), 100 KB at 8 Mbit/s (0.1 s), layer 1 on the edge (0.5 s),
    # 100 KB back (0.1 s); the second task waits 0.3 s for the box.
    assert list(t["latency"]) == pytest.approx([1.2, 0.3 + 1.2])
    assert list(t["wait"]) == pytest.approx([0.0, 0.3])
    assert get_kind("model").name == "model"  # the built-ins stay registered beside it


def test_an_application_of_an_unknown_kind_is_a_one_line_engine_error(tmp_path):
    from offloadsim.engine import EngineError

    (tmp_path / "trace.csv").write_text("time\n1\n")
    scenario = load_scenario_text(SCENARIO, source="<toy>", base_dir=tmp_path)  # fixed-seconds unregistered
    with pytest.raises(
        EngineError,
        match=r'^<toy>: applications.job.kind: unknown kind of work "fixed-seconds"; known: .*model',
    ):
        simulate(scenario)


class Round:
    """A toy group: each request spawns MEMBERS pieces at its source and completes when all have ended."""

    name = "round"
    fixed_cost = True
    MEMBERS = 3

    def maker(self, app: Any, source: str, rng: Any, apps: Mapping[str, Any]) -> Any:
        def make(task_id: int, now: float) -> Task:
            return Task(task_id, app.name, source, now, float("nan"), [0.0], [0.0, 0.0], None)

        self._piece = (apps["piece"], rng, apps)
        return make

    def pricer(self, world: Any, processor: Any) -> Any:
        return lambda task, start, stop: 0.0

    def start(self, ctx: Any, task: Task, walk: Any) -> None:
        from offloadsim.engine.group import spawn_group

        piece, rng, apps = self._piece
        make = ctx.kinds["piece"].maker(piece, task.source, rng, apps)
        members = [make(-1, ctx.env.now) for _ in range(self.MEMBERS)]
        spawn_group(ctx, members, lambda ended: ctx.ledger.finish(task, "completed"))

    def served_as(self, task: Any, app: Any) -> tuple[Sequence[float], Sequence[float]]:
        raise ValueError("serves no other application")


GROUP = """
name: toy-group
duration: 20 s
nodes:
  box: {tier: device, processor: {speed: 1 GFLOP/s}}
applications:
  round: {work: 1 GFLOP, kind: round}
  piece: {work: 1 GFLOP}
workload:
  - {app: round, sources: box, arrivals: trace, trace: trace.csv}
policy: local
"""


def test_a_group_of_tasks_waits_on_its_barrier(tmp_path):
    kind = register_kind(Round())
    try:
        (tmp_path / "trace.csv").write_text("time\n1\n")
        raw = simulate(load_scenario_text(GROUP, source="<toy>", base_dir=tmp_path))
    finally:
        unregister_kind(kind.name)
    t = raw.tasks
    assert raw.counters["arrived"] == 1 + Round.MEMBERS
    assert list(t["app"]) == ["piece", "piece", "piece", "round"]  # in the order they ended
    # Three 1-s pieces queue on the box's one core from t = 1; the round passes its barrier at 4 s.
    assert list(t["finish"]) == pytest.approx([2.0, 3.0, 4.0, 4.0])
    assert list(t["status"]) == ["completed"] * 4


class OwnStage:
    """A kind that runs its one stage itself: what a kind hands the engine is the documented contract.

    Its maker returns a :class:`Task` made by ``Task(...)`` with the ``task_id`` it was given (a
    subclass or another object in its place fails in the engine compiled by mypyc, which types
    them); its ``start`` submits the stage to the plan's processor with the task itself as the
    payload, and charges and ends that task through ``ctx.ledger`` (``book_compute``, ``finish``).
    """

    name = "own-stage"
    fixed_cost = True

    def maker(self, app: Any, source: str, rng: Any, apps: Mapping[str, Any]) -> Any:
        def make(task_id: int, now: float) -> Task:
            return Task(task_id, app.name, source, now, float("nan"), [0.0], [0.0, 0.0], None)

        return make

    def pricer(self, world: Any, processor: Any) -> Any:
        return lambda task, start, stop: SECONDS_PER_LAYER * (stop - start)

    def start(self, ctx: Any, task: Task, walk: Any) -> None:
        (step,) = task.plan.steps  # one compute step: the policy runs the task where it arrived
        # fixed_cost: the plan's step holds the stage's seconds, priced once by the processor.

        def done(payload: Task, wait_s: float, service_s: float) -> None:
            ctx.ledger.book_compute(payload, step.processor.node, wait_s, service_s, step.power_w)
            ctx.ledger.finish(payload, "completed")

        if not step.processor.submit(step.service_s, done, task):
            ctx.ledger.finish(task, "dropped", "refused")

    def served_as(self, task: Any, app: Any) -> tuple[Sequence[float], Sequence[float]]:
        raise ValueError("serves no other application")


def test_a_kind_running_its_own_stages_through_the_ledger(tmp_path):
    kind = register_kind(OwnStage())
    try:
        (tmp_path / "trace.csv").write_text("time\n1\n1.2\n")
        text = GROUP.replace("kind: round", "kind: own-stage").replace("  piece: {work: 1 GFLOP}\n", "")
        raw = simulate(load_scenario_text(text, source="<toy>", base_dir=tmp_path))
    finally:
        unregister_kind(kind.name)
    t = raw.tasks
    # 0.5 s each on the box's one core: the second (at 1.2) waits 0.3 s.
    assert list(t["status"]) == ["completed"] * 2
    assert list(t["latency"]) == pytest.approx([0.5, 0.8])
    assert list(t["wait"]) == pytest.approx([0.0, 0.3])
    assert list(t["compute_time"]) == pytest.approx([0.5, 0.5])
