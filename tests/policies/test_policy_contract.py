"""Contract tests run over every registered policy (shipped and installed plug-ins)."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from offloadsim.policies import Plan, PlanError, SystemView, available_policies, make_policy, validate_plan

# Parameters for policies that cannot be built from defaults alone.
EXAMPLE_PARAMS: dict[str, dict[str, object]] = {
    "fixed": {"nodes": ["$source", "edge-0", "cloud-0"], "cuts": [1, 3]},
    "by-group": {"groups": {"phone": "random"}, "default": "local"},  # the phones drawn at random
}
ALL_POLICIES = sorted(available_policies())
SOURCES = ("phone-0", "phone-1")


def build(name: str):
    info = available_policies()[name]
    missing = [p.name for p in info.params if p.required and p.name not in EXAMPLE_PARAMS.get(name, {})]
    if missing and info.origin != "offloadsim":
        pytest.skip(f"plug-in policy {name!r} ({info.origin}) needs parameters {missing}")
    assert not missing, f"add example params for {name!r} to EXAMPLE_PARAMS"
    return make_policy(name, EXAMPLE_PARAMS.get(name, {}))


def decide_many(policy, view, task_factory, n: int = 40) -> list[Plan]:
    plans = []
    for i in range(n):
        view.waits = {"edge-0": (i % 5) * 0.1, "cloud-0": (i % 3) * 0.2}
        task = task_factory(SOURCES[i % 2], id=i, layers=2 + i % 4)
        plans.append(validate_plan(policy.decide(task, view), task, view, "under-test"))
    return plans


def test_fake_view_implements_the_whole_protocol(make_view):
    members = [name for name in vars(SystemView) if not name.startswith("_")]
    assert {"nearest", "transfer_time_s", "rng", "expected_wait_s"} <= set(members)
    view = make_view()
    for name in members:
        assert hasattr(view, name), name


def test_shipped_policies_are_registered():
    assert {"local", "edge", "cloud", "fixed", "random", "round-robin", "least-loaded"} <= set(ALL_POLICIES)


@pytest.mark.parametrize("name", ALL_POLICIES)
def test_builds_and_satisfies_the_protocol(name):
    policy = build(name)
    assert callable(policy.decide)
    assert available_policies()[name].summary, f"policy {name!r} needs a one-line docstring"


@pytest.mark.parametrize("name", ALL_POLICIES)
def test_returns_valid_plans_on_computing_nodes(name, make_view, task_factory):
    view = make_view(seed=3)
    computing = set(view.nodes())
    for plan in decide_many(build(name), view, task_factory):
        assert isinstance(plan, Plan)
        assert plan.drop or set(plan.nodes) <= computing


@pytest.mark.parametrize("name", ALL_POLICIES)
def test_same_seed_same_plans(name, make_view, task_factory):
    first = decide_many(build(name), make_view(seed=11), task_factory)
    np.random.seed(1)  # global generators must play no part
    random.seed(1)
    second = decide_many(build(name), make_view(seed=11), task_factory)
    np.random.seed(2)
    random.seed(2)
    third = decide_many(build(name), make_view(seed=11), task_factory)
    assert first == second == third


@pytest.mark.parametrize("name", ALL_POLICIES)
def test_a_policy_reused_for_a_new_run_starts_afresh(name, make_view, task_factory):
    policy = build(name)
    first = decide_many(policy, make_view(seed=5), task_factory)
    again = decide_many(policy, make_view(seed=5), task_factory)
    assert first == again


@pytest.mark.parametrize("name", ALL_POLICIES)
def test_source_that_cannot_compute_gets_a_plan_or_plan_error(name, make_view, task_factory):
    view = make_view()
    task = task_factory("sensor-0")
    try:
        plan = build(name).decide(task, view)
    except PlanError as exc:
        assert str(exc)
        return
    validate_plan(plan, task, view, name)
    assert plan.drop or set(plan.nodes) <= set(view.nodes())


@pytest.mark.parametrize("name", ALL_POLICIES)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_valid_under_any_load_and_faults(name, make_view, task_factory, data):
    names = ["phone-0", "phone-1", "edge-0", "edge-1", "cloud-0", "island"]
    down = data.draw(st.sets(st.sampled_from(names[1:])), label="down")
    waits = data.draw(st.dictionaries(st.sampled_from(names), st.floats(0, 100)), label="waits")
    view = make_view(seed=data.draw(st.integers(0, 2**32 - 1)), waits=waits, down=down)
    policy = build(name)
    for i in range(6):
        task = task_factory(SOURCES[0], id=i, layers=data.draw(st.integers(1, 6)))
        plan = validate_plan(policy.decide(task, view), task, view, name)
        if not plan.drop:
            placed = [node for node, start, stop in plan.segments(task.layers) if stop > start]
            assert all(view.is_up(node) for node in placed), (plan, down)
