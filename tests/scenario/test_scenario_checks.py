"""Scenario checks: one registration makes a new warning reach validate, run, compare and sweep.

The registry in offloadsim/scenario/checks.py is the one channel for what
would run, but not as meant; a plug-in's check runs after the shipped ones,
its warnings name the file and key path, and an error it raises is the
run's refusal (exit 2).
"""

from __future__ import annotations

import os

import pytest
import yaml
from scenario_testkit import small_document

from offloadsim.cli import main
from offloadsim.scenario.checks import (
    SHIPPED,
    CheckedRun,
    register_scenario_check,
    run_scenario_checks,
    scenario_check_names,
    unregister_scenario_check,
    with_note,
)
from offloadsim.scenario.errors import Problem, ScenarioError
from offloadsim.scenario.loader import load_scenario

MESSAGE = "the plug-in's check read this scenario"


@pytest.fixture
def plugin_check():
    """A check warning of every scenario at its seed, counting the runs it saw."""
    seen: list[CheckedRun] = []

    def check(run: CheckedRun) -> list[Problem]:
        seen.append(run)
        return [Problem(run.scenario.source, "seed", MESSAGE)]

    register_scenario_check("test-plugin", check)
    yield seen
    unregister_scenario_check("test-plugin")


def _scenario_file(tmp_path, **changes):
    document = small_document()
    document.update(changes)
    path = tmp_path / "checked.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


def test_shipped_checks_run_first_and_a_plugin_after_them(plugin_check):
    assert scenario_check_names() == [*SHIPPED, "test-plugin"]


def test_a_registered_check_warns_from_validate_and_run(tmp_path, capsys, plugin_check):
    path = _scenario_file(tmp_path)
    line = f"offloadsim: warning: {path}: seed: {MESSAGE} [test-plugin]"
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().err.splitlines() == [line]
    assert main(["run", str(path), "--out", str(tmp_path / "out"), "-q"]) == 0
    assert capsys.readouterr().err.splitlines() == [line]
    assert [run.policy.name for run in plugin_check] == ["local", "local"]  # the scenario's default


def test_a_registered_check_warns_before_a_compare_and_a_sweep(tmp_path, capsys, plugin_check):
    path = _scenario_file(tmp_path)
    out = tmp_path / "cmp"
    compare = ["compare", str(path), "--policies", "local,edge", "--replications", "1", "--out", str(out)]
    assert main([*compare, "-q"]) == 0
    assert f"{path}: seed: {MESSAGE}" in capsys.readouterr().err
    assert {run.policy.name for run in plugin_check} == {"local", "edge"}
    plugin_check.clear()
    sweep = tmp_path / "sweep.yaml"
    grid = {"duration": ["10 s", "20 s"]}
    sweep.write_text(yaml.safe_dump({"name": "s", "base": str(path), "grid": grid, "replications": 1}))
    assert main(["sweep", str(sweep), "--dry-run"]) == 0
    assert f"seed: {MESSAGE}" in capsys.readouterr().err
    assert plugin_check, "the sweep's dry run did not run the registered check"


def test_a_check_that_refuses_makes_validate_exit_2_naming_the_key(tmp_path, capsys):
    def refuse(run: CheckedRun) -> list[Problem]:
        raise ScenarioError([Problem(run.scenario.source, "duration", "too short for the plug-in")])

    register_scenario_check("test-refusal", refuse)
    try:
        path = _scenario_file(tmp_path)
        assert main(["validate", str(path)]) == 2
        err = capsys.readouterr().err
        assert f"{path}: duration: too short for the plug-in" in err
        assert "Traceback" not in err
    finally:
        unregister_scenario_check("test-refusal")


def test_a_check_that_raises_is_named_as_the_plugins_bug_not_offloadsims(tmp_path, capsys):
    """It was ``internal error: RuntimeError: check boom``, exit 1: offloadsim's bug, naming no check."""

    def crashing(run: CheckedRun) -> list[Problem]:
        raise RuntimeError("check boom")

    line = crashing.__code__.co_firstlineno + 1
    register_scenario_check("test-crashing", crashing)
    try:
        path = _scenario_file(tmp_path)
        assert main(["validate", str(path)]) == 2
        (said,) = capsys.readouterr().err.splitlines()
        assert said == (
            f'offloadsim: error: {path}: scenario check "test-crashing" ({__name__}.{crashing.__qualname__}) '
            f"raised RuntimeError: check boom ({os.path.basename(__file__)}, line {line}, in crashing); "
            "run again with --debug to see its traceback"
        )
        assert main(["--debug", "validate", str(path)]) == 2
        err = capsys.readouterr().err
        assert "Traceback" in err and 'raise RuntimeError("check boom")' in err
    finally:
        unregister_scenario_check("test-crashing")


@pytest.mark.parametrize("dry_run", [[], ["--dry-run"]])
def test_a_check_that_raises_in_a_sweep_keeps_the_debug_hint_at_the_point(tmp_path, capsys, dry_run):
    """The sweep said the check's line at its point, but without the hint: --debug showed nothing more."""

    def crashing(run: CheckedRun) -> list[Problem]:
        raise RuntimeError("check boom")

    register_scenario_check("test-crashing", crashing)
    try:
        base = _scenario_file(tmp_path)
        sweep = tmp_path / "sw.yaml"
        sweep.write_text(yaml.safe_dump({"base": base.name, "grid": {"duration": ["10 s", "20 s"]}}))
        argv = ["sweep", str(sweep), *dry_run, "--out", str(tmp_path / "out")]
        assert main(argv) == 2
        (said,) = capsys.readouterr().err.splitlines()
        assert said.startswith(f'offloadsim: error: {sweep}: {base}: scenario check "test-crashing" (')
        assert said.endswith(
            "raised RuntimeError: check boom "
            f"({os.path.basename(__file__)}, line {crashing.__code__.co_firstlineno + 1}, in crashing) "
            "(point 0: duration=10 s); run again with --debug to see its traceback"
        )
        assert not (tmp_path / "out").exists()
        assert main(["--debug", *argv]) == 2
        err = capsys.readouterr().err
        assert "Traceback" in err and 'raise RuntimeError("check boom")' in err
        assert err.splitlines()[-1] == said.removesuffix("; run again with --debug to see its traceback")
    finally:
        unregister_scenario_check("test-crashing")


def test_a_sweep_keeps_the_debug_hint_on_a_raising_checks_line_when_a_later_point_s_returns_a_bad_value(
    tmp_path, capsys
):
    """Point 1's refused return (no exception to show) dropped point 0's hint, and --debug showed nothing."""

    def crashing(run: CheckedRun) -> list[Problem]:
        if run.scenario.document["duration"] == "10 s":
            raise RuntimeError("check boom")
        return None  # type: ignore[return-value]

    register_scenario_check("test-crashing", crashing)
    try:
        base = _scenario_file(tmp_path)
        sweep = tmp_path / "sw.yaml"
        sweep.write_text(yaml.safe_dump({"base": base.name, "grid": {"duration": ["10 s", "20 s"]}}))
        assert main(["sweep", str(sweep), "--dry-run"]) == 2
        raised, returned = capsys.readouterr().err.splitlines()
        assert "raised RuntimeError: check boom" in raised and "(point 0: duration=10 s)" in raised
        assert raised.endswith("; run again with --debug to see its traceback"), raised
        assert returned.endswith(
            "returned NoneType, expected a list of offloadsim.scenario.errors.Problem "
            "(point 1: duration=20 s)"
        )
        assert main(["--debug", "sweep", str(sweep), "--dry-run"]) == 2
        assert 'raise RuntimeError("check boom")' in capsys.readouterr().err
    finally:
        unregister_scenario_check("test-crashing")


@pytest.mark.parametrize(
    ("returned", "said"),
    [(None, "NoneType"), ("seed is odd", "str"), (["seed is odd"], "a list holding a str")],
)
def test_a_check_that_returns_no_warnings_is_named_with_what_it_returned(tmp_path, capsys, returned, said):
    """``None`` was ``internal error: TypeError: 'NoneType' object is not iterable`` (exit 1), a string
    ``internal error: AttributeError: 'str' object has no attribute 'key_path'``: neither named the check."""
    register_scenario_check("test-returns", lambda run: returned)
    try:
        path = _scenario_file(tmp_path)
        assert main(["validate", str(path)]) == 2
        (line,) = capsys.readouterr().err.splitlines()
        assert line.startswith(f'offloadsim: error: {path}: scenario check "test-returns" (')
        assert line.endswith(f"returned {said}, expected a list of offloadsim.scenario.errors.Problem")
    finally:
        unregister_scenario_check("test-returns")


def test_a_warning_about_a_set_value_says_so(tmp_path, plugin_check):
    path = _scenario_file(tmp_path)
    scenario = load_scenario(path, ["seed=7"])
    problems = run_scenario_checks(CheckedRun(scenario, scenario.policy, lambda: None))
    assert [str(problem) for problem in problems] == [
        f'{path}: seed: {MESSAGE} (set by --set "seed=7") [test-plugin]'
    ]


def test_a_warning_names_its_check_as_data_not_in_its_message(tmp_path, plugin_check):
    """The ``[NAME]`` was appended to the message, so a note added after had to read it back off."""
    path = _scenario_file(tmp_path)
    scenario = load_scenario(path, ["seed=7"])
    (problem,) = run_scenario_checks(CheckedRun(scenario, scenario.policy, lambda: None))
    assert (problem.message, problem.check) == (f'{MESSAGE} (set by --set "seed=7")', "test-plugin")
    refusal = Problem(str(path), "seed", MESSAGE)
    assert refusal == (str(path), "seed", MESSAGE, None, (), ())  # names no check, nor other key paths


def test_a_note_goes_before_the_checks_name_whatever_the_message_ends_with():
    noted = with_note(Problem("s.yaml", "seed", "as the docs say [policy]", "test-plugin"), "(point 3)")
    assert str(noted) == "s.yaml: seed: as the docs say [policy] (point 3) [test-plugin]"
    assert str(with_note(Problem("s.yaml", "", "no entry"), "(point 0)")) == "s.yaml: no entry (point 0)"


def test_names_are_unique_and_shipped_checks_stay(plugin_check):
    with pytest.raises(ValueError, match="already registered"):
        register_scenario_check("test-plugin", lambda run: [])
    with pytest.raises(ValueError, match="is shipped"):
        unregister_scenario_check("policy")


def test_compare_prints_each_warning_once_not_per_policy_and_job(tmp_path, capsys):
    """A warning of the scenario came once per policy, then once per job, raw from the workers."""
    document = small_document()
    document["warmup"] = "5 s"
    document["workload"].append({"app": "job", "sources": "phone-*", "rate": "1 /s", "stop": "3 s"})
    path = tmp_path / "twice.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    out = tmp_path / "cmp"
    argv = ["compare", str(path), "--policies", "local,edge", "-n", "2", "--workers", "2", "--out", str(out)]
    assert main([*argv, "-q"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"offloadsim: warning: {path}: workload[1].stop: its arrivals stop at 3 s, by the end of the "
        "warm-up at 5 s: none of its tasks is measured [silent-workloads]"
    ]


def test_a_sweep_warning_names_the_sweep_key_behind_it_once(tmp_path, capsys):
    """A grid value that moved the window was reported at the base file, which has no such key."""
    document = small_document()
    document["warmup"] = "5 s"
    (tmp_path / "base.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    sweep = tmp_path / "sw.yaml"
    grid = {"duration": ["10 s", "20 s"], "workload[0].stop": ["3 s", "30 s"]}
    sweep.write_text(yaml.safe_dump({"name": "sw", "base": "base.yaml", "grid": grid, "replications": 1}))
    assert main(["sweep", str(sweep), "--dry-run"]) == 0
    warned = [line for line in capsys.readouterr().err.splitlines() if "warning" in line]
    assert warned == [
        f'offloadsim: warning: {sweep}: grid["workload[0].stop"]: its arrivals stop at 3 s, by the end of '
        "the warm-up at 5 s: none of its tasks is measured (point 0: duration=10 s, workload[0].stop=3 s) "
        "[silent-workloads]"
    ]


def test_the_runner_drops_each_check_s_warnings_in_a_refused_dynamics_entry_and_no_other(tmp_path):
    """The run refuses ``dynamics[0]`` with one line: a warning at it or below it is noise until then.

    The rule is the runner's, so it holds for a plug-in's check as for the shipped ones; an entry
    the world reads (``dynamics[1]``, ``dynamics[10]``, not ``dynamics[1]``'s prefix), the list
    itself and any other key keep theirs.  Only an entry warned of is asked about.
    """
    at = ["dynamics[0].radio.bandwidth", "dynamics[0]", "dynamics[0].steps[2].at", "dynamics[1].file"]
    at += ["dynamics[10].step", "dynamics", "seed"]
    register_scenario_check("test-dynamics", lambda run: [Problem(run.scenario.source, k, "?") for k in at])
    asked = []
    try:
        scenario = load_scenario(_scenario_file(tmp_path))
        run = CheckedRun(
            scenario, scenario.policy, lambda: None, dynamics_refused=lambda i: asked.append(i) or i == 0
        )
        found = [p.key_path for p in run_scenario_checks(run) if p.check == "test-dynamics"]
    finally:
        unregister_scenario_check("test-dynamics")
    assert found == ["dynamics[1].file", "dynamics[10].step", "dynamics", "seed"]
    assert sorted(set(asked)) == [0, 1, 10]
