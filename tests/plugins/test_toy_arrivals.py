"""A toy arrival process added from outside the package, as a plug-in would: one class, one registration.

Its keys are declared once (on its fields) and reach the schema, the error
messages, the JSON Schema and the run without any other file changing.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

import offloadsim
from offloadsim import plugins
from offloadsim.scenario import ScenarioError, load_scenario_text, scenario_json_schema
from offloadsim.scenario.arrivals import (
    ArrivalProcess,
    ArrivalRun,
    arrival_kinds,
    register_arrival_process,
    unregister_arrival_process,
)
from offloadsim.scenario.arrivals import base as registry
from offloadsim.scenario.keys import key


@dataclass(frozen=True, slots=True)
class Burst(ArrivalProcess):
    """``arrivals: burst, every: T, size: N``: N requests at once, every T."""

    kind = "burst"

    every_s: float = key(yaml="every", unit="time", positive=True, doc="Burst: time between bursts.")
    size: int = key(3, ge=1, le=100, default_doc="3", doc="Burst: requests per burst.")

    def start(self, run: ArrivalRun) -> None:
        left = [self.size]

        def gap() -> float:
            left[0] -= 1
            if left[0] > 0:
                return 0.0
            left[0] = self.size
            return self.every_s

        run.chain(gap, run.start)

    def expected_arrivals(self, sources: int, window_s: float) -> float:
        return sources * self.size * window_s / self.every_s

    def stall_allowance(self, source: str) -> int:
        return self.size  # a burst is several arrivals at one instant, on purpose


SCENARIO = """\
name: bursts
duration: 10 s
nodes:
  phone: {tier: device, count: 2, processor: {speed: 1 GFLOPS}}
applications:
  job: {work: 1 MFLOP}
workload:
  - {app: job, sources: phone-*, arrivals: burst, every: 2 s, size: 3, start: 1 s}
"""


@pytest.fixture
def burst():
    register_arrival_process(Burst)
    yield Burst
    unregister_arrival_process("burst")


def test_a_registered_process_runs_with_its_own_keys(burst):
    scenario = load_scenario_text(SCENARIO)
    assert scenario.workload[0].arrivals == Burst(every_s=2.0, size=3)
    tasks = offloadsim.run(scenario).tasks
    # Bursts of 3 at 1, 3, 5, 7 and 9 s from each of the two phones, all served at once.
    for phone in ("phone-0", "phone-1"):
        times = sorted(tasks.loc[tasks["source"] == phone, "arrival"])
        assert times == [t for t in (1.0, 3.0, 5.0, 7.0, 9.0) for _ in range(3)]
    assert set(tasks["status"]) == {"completed"}


@pytest.mark.parametrize(
    ("edit", "path", "message"),
    [
        ("every: 2 s, ", "workload[0]", 'arrivals: burst needs "every"'),
        (
            "every: 2 s",
            "workload[0].every",
            'got "2 parsecs": unknown unit "parsecs"; known: ns',  # no "sec" suggested: no slip of it
        ),
        ("size: 3", "workload[0].size", "expected a value at most 100, got 500"),
        (
            "arrivals: burst",
            "workload[0].arrivals",
            "expected one of poisson, periodic, trace, closed, burst",
        ),
    ],
)
def test_its_keys_are_checked_like_every_key(burst, edit, path, message):
    replacement = {
        "every: 2 s, ": "",
        "every: 2 s": "every: 2 parsecs",
        "size: 3": "size: 500",
        "arrivals: burst": "arrivals: bursty",
    }[edit]
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(SCENARIO.replace(edit, replacement, 1))
    [problem] = caught.value.problems
    assert problem.key_path == path and message in problem.message, problem


def test_its_keys_belong_to_it_alone(burst):
    text = SCENARIO.replace("arrivals: burst, every: 2 s, size: 3", "rate: 1 /s, every: 2 s")
    with pytest.raises(ScenarioError) as caught:
        load_scenario_text(text)
    [problem] = caught.value.problems
    assert (problem.key_path, problem.message) == (
        "workload[0].every",
        '"every" is a key of arrivals: burst; arrivals: poisson (the default) takes "rate" (required)',
    )


@dataclass(frozen=True, slots=True)
class Steady(ArrivalProcess):
    """``arrivals: steady``: one request a second, with no keys of its own."""

    kind = "steady"

    def start(self, run: ArrivalRun) -> None:
        run.chain(lambda: 1.0, run.start)


def test_a_process_without_keys_says_so_of_another_kind_s_key(burst):
    """Its message ended in "takes " and nothing."""
    register_arrival_process(Steady)
    try:
        with pytest.raises(ScenarioError) as caught:
            load_scenario_text(
                SCENARIO.replace("arrivals: burst, every: 2 s, size: 3", "arrivals: steady, size: 3")
            )
    finally:
        unregister_arrival_process("steady")
    [problem] = caught.value.problems
    assert (problem.key_path, problem.message) == (
        "workload[0].size",
        '"size" is a key of arrivals: burst; arrivals: steady takes no keys',
    )


def test_its_keys_are_in_the_json_schema_with_their_docs(burst):
    workload = scenario_json_schema()["$defs"]["WorkloadDoc"]["properties"]
    assert "burst" in workload["arrivals"]["enum"]
    assert workload["every"]["description"].startswith("Burst: time between bursts. A time: string with unit")
    assert "Default: 3." in workload["size"]["description"]


def test_unregistered_it_is_gone(burst):
    unregister_arrival_process("burst")
    with pytest.raises(ScenarioError, match='expected one of poisson, periodic, trace, closed, got "burst"'):
        load_scenario_text(SCENARIO.replace("arrivals: burst, every: 2 s, size: 3", "arrivals: burst"))
    register_arrival_process(Burst)


class _EntryPoint:
    """What importlib.metadata hands for one entry point of an installed distribution."""

    def __init__(self, name, target):
        self.name, self.dist, self._target = name, None, target

    def load(self):
        if isinstance(self._target, Exception):
            raise self._target
        return self._target


def test_an_installed_plugin_is_found_through_its_entry_point(monkeypatch):
    found = [_EntryPoint("burst", Burst), _EntryPoint("broken", ImportError("no module named toy"))]
    monkeypatch.setattr(
        plugins, "entry_points", lambda group: found if group == "offloadsim.arrivals" else []
    )
    monkeypatch.setattr(registry.PLUGINS, "loaded", False)
    try:
        with pytest.warns(
            plugins.PluginWarning, match="'broken' from an unknown distribution; it is skipped"
        ):
            assert arrival_kinds()[-1] == "burst"
        assert load_scenario_text(SCENARIO).workload[0].arrivals.kind == "burst"
    finally:
        unregister_arrival_process("burst")
