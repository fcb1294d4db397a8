"""The run's environment: light calls happen exactly where SimPy's timeouts would, ties included."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import simpy
from hypothesis import given, settings
from hypothesis import strategies as st

import offloadsim
import offloadsim.engine.simulation as simulation
from offloadsim.engine.environment import RunEnvironment, caller

ROOT = Path(__file__).resolve().parents[2]

# A program: each fired node schedules its children, each (delay, how) -- delays on a coarse grid so
# that many fire at the same instant, where only the order of scheduling (the eid) decides; ``how`` is
# a SimPy timeout, a light call or a chain's light call (the two calendars of light calls), or an
# urgent SimPy event (a timeout whose callback succeeds an event: it fires before the instant's calls).
Program = list[list[tuple[float, str]]]
HOW = ["timeout", "urgent", "call", "chain"]
programs = st.lists(
    st.lists(st.tuples(st.sampled_from([0.0, 0.5, 1.0, 1.5]), st.sampled_from(HOW)), max_size=3),
    min_size=1,
    max_size=40,
)


def _fire_order(env: simpy.Environment, program: Program, light: bool) -> list[tuple[int, float]]:
    """Run ``program`` from node 0; the (node, time) of every firing, in the order they fired."""
    log: list[tuple[int, float]] = []
    call_in = {"call": caller(env), "chain": caller(env, chain=True)}
    counter = [0]

    def urgent(node: int) -> None:
        event = env.event()
        event.callbacks.append(lambda event: fire(event.value))
        event.succeed(node)

    def fire(node: int) -> None:
        log.append((node, env.now))
        for delay, how in program[node % len(program)]:
            counter[0] += 1
            child = counter[0]
            if child > 200:
                return
            if light and how in call_in:
                call_in[how](delay, fire, child)
            elif how == "urgent":
                env.timeout(delay, child).callbacks.append(lambda event: urgent(event.value))
            else:
                env.timeout(delay, child).callbacks.append(lambda event: fire(event.value))

    fire(0)
    env.run()
    return log


@settings(max_examples=150, deadline=None)
@given(programs)
def test_light_calls_fire_in_simpys_order_of_timeouts(program):
    reference = _fire_order(simpy.Environment(), program, light=False)
    assert _fire_order(RunEnvironment(), program, light=True) == reference


def test_run_until_stops_before_calls_due_then_and_keeps_them():
    env = RunEnvironment()
    log = []
    env.call_in(1.0, log.append, "a")
    env.call_in(2.0, log.append, "b")
    env.run(until=2.0)
    assert log == ["a"] and env.now == 2.0  # SimPy's until comes first at its instant
    env.run(until=3.0)
    assert log == ["a", "b"] and env.now == 3.0


def test_the_clock_reads_the_time_of_what_fires():
    env = RunEnvironment()
    seen = []
    env.call_in(0.25, lambda _: seen.append(env.now), None)
    env.timeout(0.75).callbacks.append(lambda _: seen.append(env.now))
    env.run()
    assert seen == [0.25, 0.75] and env.peek() == float("inf")


@pytest.mark.parametrize("scenario", ["edge-outage.yaml", "commute.yaml"])
def test_a_run_on_simpys_own_environment_keeps_every_record(monkeypatch, scenario):
    """The whole engine (arrivals, stages, flows, a changing world) on light calls or on timeouts."""
    overrides = ["duration=30 s"]
    light = offloadsim.run(ROOT / "scenarios" / scenario, overrides=overrides)
    monkeypatch.setattr(simulation, "RunEnvironment", simpy.Environment)
    timeouts = offloadsim.run(ROOT / "scenarios" / scenario, overrides=overrides)
    assert len(light.tasks) > 50
    pd.testing.assert_frame_equal(light.tasks, timeouts.tasks, check_exact=True)
    pd.testing.assert_frame_equal(light.links, timeouts.links, check_exact=True)
