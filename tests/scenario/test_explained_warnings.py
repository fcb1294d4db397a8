"""One mistake, one warning: a check's warning another check's warning explains is not said.

A bare ``deadline: 50`` (50 s where 50 ms was meant) in a 20 s run was two warnings,
``plain-deadlines`` and ``unmissable-deadlines``; a bare ``speed: 100`` (100 FLOP/s) was
``plain-speeds`` and an ``unmeetable-deadlines`` of the application it made slow.  A check names
the checks that explain its warnings (``checks.EXPLAINED_BY``, ``register_scenario_check``'s
``explained_by``) and the runner drops a warning of it where one of theirs is at or within a key
path it is about.  Each pair: the mistake gives one warning, naming the cause, and the other
warning is still said where the bare number is not the cause.
"""

from __future__ import annotations

import pytest

from offloadsim.cli import main
from offloadsim.scenario.checks import (
    CheckedRun,
    register_scenario_check,
    run_scenario_checks,
    scenario_check_names,
    unregister_scenario_check,
)
from offloadsim.scenario.errors import Problem
from offloadsim.scenario.loader import load_scenario

#: A 20 s run: a 10 GFLOP/s phone and a 100 GFLOP/s edge, a synthetic job of 1 GFLOP (its least
#: compute time 10 ms, on the edge) and nothing any check warns of.
BASE = """\
name: base
duration: 20 s
nodes:
  phone:
    tier: device
    processor: {speed: 10 GFLOP/s}
    power: {idle: 100 mW, busy: 2 W, tail: 100 ms, battery: 10 Wh}
  edge: {tier: edge, processor: {speed: 100 GFLOP/s}}
links:
  - {between: [phone, edge], bandwidth: 20 Mbps, latency: 5 ms}
applications:
  job: {work: 1 GFLOP, input: 150 KB, output: 1 KB, deadline: 50 ms}
  other: {work: 1 GFLOP, input: 150 KB, output: 1 KB}
workload:
  - {app: job, sources: phone, arrivals: poisson, rate: 2 /s}
  - {app: other, sources: phone, arrivals: poisson, rate: 1 /s}
policy: {name: fixed, node: edge}
"""


def _warnings(tmp_path, capsys, *sets: str, text: str = BASE) -> list[str]:
    """``validate``'s warnings of ``text`` with each ``--set`` given, as ``KEY.PATH: ... [check]``."""
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    assert main(["validate", str(path), *(arg for value in sets for arg in ("--set", value))]) == 0
    prefix = f"offloadsim: warning: {path}: "
    lines = capsys.readouterr().err.splitlines()
    assert all(line.startswith(prefix) for line in lines), lines
    return [line.removeprefix(prefix) for line in lines]


def _checks(lines: list[str]) -> list[str]:
    return [line.rsplit(" [", 1)[1].rstrip("]") for line in lines]


def test_the_base_scenario_is_warned_of_nothing(tmp_path, capsys):
    assert _warnings(tmp_path, capsys) == []


def test_a_bare_deadline_past_the_run_is_one_warning_of_plain_deadlines(tmp_path, capsys):
    found = _warnings(tmp_path, capsys, "applications.job.deadline=50")
    assert _checks(found) == ["plain-deadlines"], found
    assert found[0].startswith("applications.job.deadline: a bare number is read as seconds: 50 s")


@pytest.mark.parametrize(
    ("sets", "said"),
    [
        # written with its unit, 50 s is meant: the deadline no task can miss is the warning
        (["applications.job.deadline=50 s"], "50 s is no shorter than the 20 s measured"),
        # bare but below plain-deadlines' 10 s, 5 s is not surely ms: unmissable in a 2 s run
        (["applications.job.deadline=5", "duration=2 s"], "5 s is no shorter than the 2 s measured"),
        # plain-deadlines skipped: the bare 50 is taken as meant, and unmissable is said
        (["applications.job.deadline=50", "skip_checks=[plain-deadlines]"], "50 s is no shorter"),
    ],
)
def test_unmissable_deadlines_is_said_where_no_bare_deadline_explains_it(tmp_path, capsys, sets, said):
    found = _warnings(tmp_path, capsys, *sets)
    assert _checks(found) == ["unmissable-deadlines"], found
    assert found[0].startswith(f"applications.job.deadline: {said}")


def test_another_applications_bare_deadline_explains_nothing_of_this_one(tmp_path, capsys):
    found = _warnings(
        tmp_path,
        capsys,
        "applications.job.deadline=50 s",
        "applications.other.deadline=50",
    )
    assert sorted(zip(_checks(found), (line.split(": ")[0] for line in found), strict=True)) == [
        ("plain-deadlines", "applications.other.deadline"),
        ("unmissable-deadlines", "applications.job.deadline"),
    ], found


def test_a_bare_speed_that_slows_what_an_application_may_run_on_is_one_warning(tmp_path, capsys):
    # edge at 100 FLOP/s: job's least compute time is the phone's 100 ms, past its 50 ms deadline,
    # where 100 GFLOP/s (10 ms) was meant; and the edge is offered 1e9 %: plain-speeds says both.
    found = _warnings(tmp_path, capsys, "nodes.edge.processor.speed=100")
    assert _checks(found) == ["plain-speeds"], found
    assert found[0].startswith("nodes.edge.processor.speed: a bare number is read as FLOP/s: 100 FLOP/s")
    # with its unit, 100 FLOP/s is meant: the deadline no task meets and the load are said
    found = _warnings(tmp_path, capsys, "nodes.edge.processor.speed=100 FLOP/s")
    assert sorted(_checks(found)) == ["offered-load", "unmeetable-deadlines"], found


def test_a_bare_speed_of_a_node_the_application_may_not_run_on_leaves_its_deadline_said(tmp_path, capsys):
    # job runs on the phone alone (10 GFLOP/s: 100 ms, past 50 ms); the edge's bare speed is not why
    found = _warnings(
        tmp_path,
        capsys,
        "applications.job.hosts=[phone]",
        "policy=local",
        "nodes.edge.processor.speed=100",
    )
    assert sorted(_checks(found)) == ["plain-speeds", "unmeetable-deadlines"], found
    (unmeetable,) = [line for line in found if line.endswith("[unmeetable-deadlines]")]
    assert unmeetable.startswith("applications.job.deadline: 50 ms is below 100 ms")


def test_a_bare_speed_of_a_nodes_other_processor_leaves_its_load_said(tmp_path, capsys):
    # local runs the phone's first processor, "cpu", at 120 %; its second's bare speed is not why
    # job alone, 2 /s x 0.6 GFLOP on 1 GFLOP/s
    text = BASE.replace(
        "processor: {speed: 10 GFLOP/s}", "processors: {cpu: {speed: 1 GFLOP/s}, npu: {speed: 10}}"
    )
    text = text.replace("work: 1 GFLOP, input: 150 KB, output: 1 KB, deadline: 50 ms", "work: 0.6 GFLOP")
    text = text.replace("  - {app: other, sources: phone, arrivals: poisson, rate: 1 /s}\n", "")
    found = _warnings(tmp_path, capsys, "policy=local", text=text)
    assert sorted(_checks(found)) == ["idle-processors", "offered-load", "plain-speeds"], found
    (load,) = [line for line in found if line.endswith("[offered-load]")]
    assert load.startswith('nodes.phone: phone is offered 120 % of its "cpu"'), load


@pytest.mark.parametrize(
    ("given", "key"),
    [
        ("links[0].bandwidth=20", "plain-bandwidths"),
        ("links[0].latency=5", "plain-latencies"),
        ("applications.job.input=150", "plain-sizes"),
        ("nodes.phone.power.tail=100", "plain-tails"),
        ("nodes.phone.power.battery=3000", "plain-batteries"),
        ("nodes.phone.power.busy=2000", "plain-powers"),
    ],
)
def test_every_other_bare_number_is_one_warning_of_its_own_check(tmp_path, capsys, given, key):
    """What no other check reads before the run: each such mistake is said once, by its plain-* check."""
    found = _warnings(tmp_path, capsys, given)
    assert _checks(found) == [key], found


@pytest.fixture
def explained_plugin():
    """A plug-in check at ``seed`` (about ``seed``, or what ``about`` holds) explained by ``test-cause``."""
    about: list[str] = []
    cause: list[str] = []

    def effect(run: CheckedRun) -> list[Problem]:
        return [Problem(run.scenario.source, "seed", "the effect", about=tuple(about))]

    def causes(run: CheckedRun) -> list[Problem]:
        return [Problem(run.scenario.source, path, "the cause") for path in cause]

    register_scenario_check("test-effect", effect, explained_by=["test-cause"])
    register_scenario_check("test-cause", causes)
    yield about, cause
    unregister_scenario_check("test-effect")
    unregister_scenario_check("test-cause")


def _plugin_checks(tmp_path, skipped: tuple[str, ...] = ()) -> list[tuple[str | None, str]]:
    path = tmp_path / "s.yaml"
    path.write_text(BASE, encoding="utf-8")
    scenario = load_scenario(path, [f"skip_checks=[{', '.join(skipped)}]"] if skipped else [])
    found = run_scenario_checks(CheckedRun(scenario, scenario.policy, lambda: None))
    return [(problem.check, problem.key_path) for problem in found]


def test_a_plugin_check_is_explained_by_a_check_it_names_at_or_within_its_key(tmp_path, explained_plugin):
    about, cause = explained_plugin
    assert _plugin_checks(tmp_path) == [("test-effect", "seed")]
    cause.append("duration")  # another key: explains nothing
    assert _plugin_checks(tmp_path) == [("test-effect", "seed"), ("test-cause", "duration")]
    cause.append("seed")  # at its key path: the effect is not said
    assert _plugin_checks(tmp_path) == [("test-cause", "duration"), ("test-cause", "seed")]
    assert _plugin_checks(tmp_path, ("test-cause",)) == [("test-effect", "seed")]  # skipped: explains nothing
    cause[:] = ["nodes.edge.processor.speed"]
    about.append("nodes.edge.processor")  # about a processor: a key within it explains the effect
    assert _plugin_checks(tmp_path) == [("test-cause", "nodes.edge.processor.speed")]
    about[:] = ["nodes.edge.processor.speed.x"]  # a key above what it is about explains nothing
    assert _plugin_checks(tmp_path) == [("test-effect", "seed"), ("test-cause", "nodes.edge.processor.speed")]


@pytest.mark.parametrize("explained_by", [["test-self"], [3], ["Not A Name"]])
def test_explained_by_names_other_checks(explained_by):
    with pytest.raises(ValueError, match="explained_by names other checks"):
        register_scenario_check("test-self", lambda run: [], explained_by=explained_by)
    assert "test-self" not in scenario_check_names()
