"""The run's compiled plans: one compilation per (plan, source, application), whatever object asks."""

from __future__ import annotations

from offloadsim.engine.planning import CompiledPlans
from offloadsim.engine.tasks import CompiledPlan, Task
from offloadsim.policies.base import Plan


def _cache(limit: int = 100) -> tuple[CompiledPlans, list[tuple[Plan, str, str]]]:
    compiled: list[tuple[Plan, str, str]] = []

    def compile(plan: Plan, task: Task) -> CompiledPlan:
        compiled.append((plan, task.source, task.app))
        return CompiledPlan((), code=len(compiled))

    return CompiledPlans(compile, limit), compiled


def _task(source: str, app: str = "a") -> Task:
    # A real Task, not a stand-in with its two attributes: a build compiled by mypyc checks the type.
    return Task(0, app, source, 0.0, float("inf"), [], [], None)


def test_an_equal_plan_from_another_object_is_the_same_compiled_plan():
    plans, compiled = _cache()
    first = plans.get(Plan.run_on("edge-0"), _task("d-0"))
    assert plans.get(Plan.run_on("edge-0"), _task("d-0")) is first  # equal, not identical: by key
    same = Plan.run_on("edge-0")
    assert plans.get(same, _task("d-0")) is first and plans.get(same, _task("d-0")) is first
    assert len(compiled) == 1


def test_a_source_s_last_plan_does_not_answer_for_another_plan_application_or_source():
    plans, compiled = _cache()
    plan = Plan.run_on("edge-0")
    a = plans.get(plan, _task("d-0", "a"))
    b = plans.get(plan, _task("d-0", "b"))  # the same plan object, another application
    other = plans.get(Plan.run_on("edge-1"), _task("d-0", "a"))
    elsewhere = plans.get(plan, _task("d-1", "a"))
    assert len({a.code, b.code, other.code, elsewhere.code}) == 4 and len(compiled) == 4
    assert plans.get(plan, _task("d-0", "a")) is a  # back to the first: kept by key


def test_forgetting_a_source_or_everything_compiles_afresh():
    plans, compiled = _cache()
    plan = Plan.run_on("edge-0")
    kept = plans.get(plan, _task("d-1"))
    plans.get(plan, _task("d-0"))
    plans.forget_source("d-0")
    assert plans.get(plan, _task("d-0")).code == 3 and plans.get(plan, _task("d-1")) is kept
    plans.clear()
    assert plans.get(plan, _task("d-1")).code == 4 and len(compiled) == 4


def test_the_cache_is_bounded():
    plans, compiled = _cache(limit=3)
    for i in range(10):
        plans.get(Plan.run_on(f"edge-{i}"), _task("d-0"))
    assert len(plans._by_key) <= 3 and len(compiled) == 10


def test_a_source_s_record_stays_its_own_and_forgetting_empties_it():
    """The kernel's arrivals hold each source's record all run: it must be emptied, never replaced."""
    plans, _ = _cache()
    plan = Plan.run_on("edge-0")
    held = plans.record("d-0")
    first = plans.get(plan, _task("d-0"), held)
    assert held.plan is plan and held.compiled is first and plans.record("d-0") is held
    plans.clear()
    assert held.plan is None and held.compiled is None and plans.record("d-0") is held
    again = plans.get(plan, _task("d-0"), held)
    assert again.code == 2 and held.compiled is again  # compiled afresh, and held again
    plans.forget_source("d-0")
    assert held.compiled is None and plans.record("d-0") is held
    assert plans.get(plan, _task("d-0")).code == 3 and held.compiled is not None
