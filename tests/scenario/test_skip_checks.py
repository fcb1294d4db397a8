"""Each scenario warning names its check, and a scenario's ``skip_checks`` silences named checks.

A warning read and accepted (a workload meant only for the warm-up, ``workload: []``) printed on
every run and every compare; now it ends with the registered name of the check that gave it
(``[silent-workloads]``), and ``skip_checks: [silent-workloads]`` in the scenario (or a ``--set``
of it) keeps that check from running, for validate, run, compare, sweep and the Python API alike.
A name that is no check is refused: a typo must not silence nothing.  A policy chosen by
``--policy``/``--policies`` is not the file's ``policy`` key, so a warning about it names the
argument.
"""

from __future__ import annotations

import json
import warnings

import pytest
import yaml
from scenario_testkit import small_document

import offloadsim
from offloadsim import api
from offloadsim.cli import main
from offloadsim.experiments import compare
from offloadsim.scenario import ScenarioError, ScenarioWarning, load_scenario
from offloadsim.scenario.checks import (
    CheckedRun,
    register_scenario_check,
    scenario_check_names,
    unregister_scenario_check,
)
from offloadsim.scenario.errors import Problem

EMPTY = "workload: no entry: no task is sent, so the run measures nothing"


def _write(tmp_path, name="s.yaml", **changes):
    document = small_document()
    document.update(changes)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def counted_check():
    """A plug-in check warning at the seed, recording each run it is asked about."""
    seen: list[CheckedRun] = []

    def check(run: CheckedRun) -> list[Problem]:
        seen.append(run)
        return [Problem(run.scenario.source, "seed", "the plug-in read it")]

    register_scenario_check("test-counted", check)
    yield seen
    unregister_scenario_check("test-counted")


def test_each_warning_ends_with_its_checks_registered_name(tmp_path, capsys, counted_check):
    path = _write(tmp_path, workload=[])
    assert main(["validate", str(path)]) == 0
    assert capsys.readouterr().err.splitlines() == [
        f"offloadsim: warning: {path}: {EMPTY} [silent-workloads]",
        f"offloadsim: warning: {path}: seed: the plug-in read it [test-counted]",
    ]


def test_a_skipped_check_does_not_run_in_validate_run_compare_or_sweep(tmp_path, capsys, counted_check):
    path = _write(tmp_path, workload=[], skip_checks=["silent-workloads", "test-counted"])
    assert main(["validate", str(path)]) == 0
    assert main(["run", str(path), "--out", str(tmp_path / "run"), "-q", "--set", "duration=1 s"]) == 0
    compare_argv = ["compare", str(path), "--policies", "local,edge", "-n", "1", "--workers", "1"]
    assert main([*compare_argv, "--out", str(tmp_path / "cmp"), "-q", "--set", "duration=1 s"]) == 0
    sweep = tmp_path / "sw.yaml"
    sweep.write_text(yaml.safe_dump({"name": "sw", "base": path.name, "grid": {"duration": ["1 s", "2 s"]}}))
    assert main(["sweep", str(sweep), "--dry-run"]) == 0
    assert "warning" not in capsys.readouterr().err
    assert counted_check == []  # not run and hidden: not run at all
    with warnings.catch_warnings():
        warnings.simplefilter("error", ScenarioWarning)
        offloadsim.run(path, overrides=["duration=1 s"])
    assert counted_check == []


def test_the_skipped_checks_are_in_each_manifest(tmp_path):
    path = _write(tmp_path, workload=[], skip_checks=["silent-workloads"])
    run_dir, cmp_dir = tmp_path / "run", tmp_path / "cmp"
    assert main(["run", str(path), "--out", str(run_dir), "-q", "--set", "duration=1 s"]) == 0
    assert json.loads((run_dir / "manifest.json").read_text())["skipped_checks"] == ["silent-workloads"]
    argv = ["compare", str(path), "--policies", "local", "-n", "1", "--workers", "1", "--out", str(cmp_dir)]
    assert main([*argv, "-q", "--set", "duration=1 s"]) == 0
    assert json.loads((cmp_dir / "manifest.json").read_text())["skipped_checks"] == ["silent-workloads"]
    plain = _write(tmp_path, "plain.yaml")
    assert offloadsim.run(plain, overrides=["duration=1 s"]).manifest["skipped_checks"] == []


def test_a_skipped_check_leaves_the_scenario_hash_as_it_was(tmp_path):
    """The hash names what was simulated; what was looked for before is the manifest's skipped_checks."""
    plain = offloadsim.run(_write(tmp_path, "plain.yaml"), overrides=["duration=1 s"]).manifest
    skips = offloadsim.run(
        _write(tmp_path, skip_checks=["idle-processors"]), overrides=["duration=1 s"]
    ).manifest
    assert skips["scenario_hash"] == plain["scenario_hash"]
    assert (plain["skipped_checks"], skips["skipped_checks"]) == ([], ["idle-processors"])


def test_a_sweep_manifest_lists_the_checks_its_points_skipped(tmp_path, capsys):
    _write(tmp_path, "base.yaml", workload=[])
    sweep = tmp_path / "sw.yaml"
    # A list is set, not swept: the checks skipped are the same at every point.
    fixed = {"duration": "1 s", "skip_checks": ["silent-workloads", "idle-processors"]}
    grid = {"warmup": ["0 s", "1 s"]}
    sweep.write_text(yaml.safe_dump({"name": "sw", "base": "base.yaml", "grid": grid, "set": fixed}))
    out = tmp_path / "out"
    assert main(["sweep", str(sweep), "--out", str(out), "--workers", "1", "-q"]) == 0
    assert "warning" not in capsys.readouterr().err
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["skipped_checks"] == ["silent-workloads", "idle-processors"]


@pytest.mark.parametrize(
    ("given", "where", "expected"),
    [
        (
            ["silent-workload"],
            "skip_checks[0]",
            'unknown scenario check "silent-workload" (did you mean "silent-workloads"?)',
        ),
        (["idle-processors", "idle-processors"], "skip_checks[1]", '"idle-processors" is given twice'),
        (
            ["policy"],
            "skip_checks[0]",
            '"policy" cannot be skipped: it refuses before the run what the run would refuse; '
            'skip "policy-reach" for what it warns of',
        ),
    ],
)
def test_a_name_that_is_no_skippable_check_is_refused_naming_the_key_and_the_checks(
    tmp_path, capsys, given, where, expected
):
    path = _write(tmp_path, workload=[], skip_checks=given)
    for argv in (["validate", str(path)], ["run", str(path), "--out", str(tmp_path / "out")]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"offloadsim: error: {path}: {where}: {expected}"), err
        assert "warning" not in err and not (tmp_path / "out").exists()
    if "given twice" not in expected:
        assert err.rstrip().endswith(
            "; skippable checks: " + ", ".join(name for name in scenario_check_names() if name != "policy")
        )


def _out_of_reach(tmp_path, policy):
    """A cloud without a link; for "edge", two cameras linked only to each other send tasks too."""
    document = small_document()
    document["nodes"]["cloud"] = {"tier": "cloud", "processor": {"speed": "100 GFLOP/s"}}
    if policy == "edge":
        document["nodes"]["cam"] = {"count": 2, "tier": "device", "processor": {"speed": "4 GFLOP/s"}}
        document["links"].append({"between": ["cam-0", "cam-1"], "bandwidth": "1 Gbps"})
        document["workload"].append({"app": "job", "sources": "cam-*", "rate": "1 /s"})
    return _write(
        tmp_path,
        policy=policy,
        nodes=document["nodes"],
        links=document["links"],
        workload=document["workload"],
    )


@pytest.mark.parametrize(
    ("policy", "warned"),
    [
        ("edge", "2 of 5 task sources cannot reach a node of tier edge"),
        ("multi-tier", "no task source can reach a node of tier cloud"),
    ],
)
def test_the_policy_checks_warnings_are_skipped_as_policy_reach_its_refusals_never(
    tmp_path, capsys, policy, warned
):
    """The policy check's warnings could not be silenced: skipping it would skip its refusals too."""
    path = _out_of_reach(tmp_path, policy)
    assert main(["validate", str(path)]) == 0
    lines = capsys.readouterr().err.splitlines()
    assert any(warned in line and line.endswith("[policy-reach]") for line in lines), lines
    skip = ["--set", "skip_checks=[policy-reach]"]
    assert main(["validate", str(path), *skip]) == 0
    assert capsys.readouterr().err == ""
    assert main(["validate", str(path), *skip, "--set", "policy={name: fixed, node: nowhere}"]) == 2
    assert 'policy.node: policy "fixed": "nowhere" is not a node of this scenario' in capsys.readouterr().err


def test_a_skip_given_by_set_is_named_and_a_plugin_check_may_be_skipped(tmp_path, capsys, counted_check):
    path = _write(tmp_path)
    assert main(["validate", str(path), "--set", "skip_checks=[test-countd]"]) == 2
    err = capsys.readouterr().err
    assert 'did you mean "test-counted"?' in err and '(set by --set "skip_checks=[test-countd]")' in err
    assert main(["validate", str(path), "--set", "skip_checks=[test-counted]"]) == 0
    assert capsys.readouterr().err == "" and counted_check == []


def test_a_sweep_refuses_an_unknown_name_at_its_grid_key(tmp_path, capsys):
    _write(tmp_path, "base.yaml")
    sweep = tmp_path / "sw.yaml"
    sweep.write_text(
        yaml.safe_dump({"name": "sw", "base": "base.yaml", "grid": {"skip_checks": [[], ["nope"]]}})
    )
    assert main(["sweep", str(sweep), "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert (
        err.startswith(f"offloadsim: error: {sweep}: grid.skip_checks: ")
        and 'unknown scenario check "nope"' in err
    )


# A policy chosen by an argument: a plug-in check that warns at the policy key, as policy-reach does.


@pytest.fixture
def policy_key_check():
    def check(run: CheckedRun) -> list[Problem]:
        return [Problem(run.scenario.source, "policy", f"policy {run.policy.name!r} was read")]

    register_scenario_check("test-policy-key", check)
    yield
    unregister_scenario_check("test-policy-key")


def test_a_warning_of_a_policy_from_policies_is_said_at_the_command_line(tmp_path, capsys, policy_key_check):
    path = _write(tmp_path, policy="local")
    argv = ["compare", str(path), "--policies", "local,edge", "-n", "1", "--workers", "1"]
    assert main([*argv, "--out", str(tmp_path / "cmp"), "-q", "--set", "duration=1 s"]) == 0
    assert capsys.readouterr().err.splitlines() == [
        f"offloadsim: warning: {path}: policy: policy 'local' was read [test-policy-key]",  # the file's
        f"offloadsim: warning: {path}: --policies edge: policy 'edge' was read [test-policy-key]",
    ]
    for verb in (["validate"], ["run", "--out", str(tmp_path / "run"), "-q"]):
        assert main([verb[0], str(path), "--policy", "edge", *verb[1:]]) == 0
        line = f"offloadsim: warning: {path}: --policy edge: policy 'edge' was read [test-policy-key]"
        assert capsys.readouterr().err.splitlines() == [line]


def test_from_python_the_policy_argument_is_named(tmp_path, policy_key_check):
    path = _write(tmp_path, policy="local")
    with pytest.warns(ScenarioWarning) as caught:
        offloadsim.run(path, policy="edge", overrides=["duration=1 s"])
    assert [str(w.message) for w in caught] == [
        f"{path}: policy=edge: policy 'edge' was read [test-policy-key]"
    ]
    with pytest.warns(ScenarioWarning) as caught:
        compare(path, ["edge"], 1, workers=1, overrides=["duration=1 s"])
    assert str(caught[0].message) == f"{path}: policies=edge: policy 'edge' was read [test-policy-key]"


def test_a_real_policy_warning_and_error_for_a_policy_from_policies(tmp_path, capsys):
    """Cameras only linked to each other: "edge" cannot reach the edge from them (``policy-reach``)."""
    document = small_document()
    document["nodes"]["cam"] = {"count": 2, "tier": "device", "processor": {"speed": "4 GFLOP/s"}}
    document["links"].append({"between": ["cam-0", "cam-1"], "bandwidth": "1 Gbps"})
    document["workload"].append({"app": "job", "sources": "cam-*", "rate": "1 /s"})
    path = tmp_path / "cams.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    scenario = load_scenario(path)
    problems = api.scenario_warnings(api.resolve_policy(scenario, "edge"), scenario, "--policies edge")
    assert [(p.file, p.key_path) for p in problems] == [(str(path), "--policies edge")]
    assert problems[0].message.startswith('policy "edge": 2 of 5 task sources cannot reach')
    assert problems[0].check == "policy-reach"
    assert str(problems[0]).endswith("their tasks cannot be sent there [policy-reach]")
    with pytest.raises(ScenarioError) as caught:  # an error of the policy check moves the same way
        api.scenario_warnings(api.resolve_policy(scenario, "fixed"), scenario, "--policy fixed")
    assert [p.key_path for p in caught.value.problems] == ["--policy fixed"]


@pytest.mark.parametrize("name", ["Silent", "two words", "", "-x", "a]b"])
def test_a_check_name_must_be_writable_in_skip_checks_and_brackets(name):
    with pytest.raises(ValueError, match="lower-case letters, digits and '-'"):
        register_scenario_check(name, lambda run: [])
    assert name not in scenario_check_names()


def test_the_policy_and_policy_reach_checks_walk_the_scenario_once(tmp_path, monkeypatch):
    """Two checks, one analysis: at 100,000 nodes its walk of the links takes a good part of a second."""
    from offloadsim.scenario import policy_check

    calls = []
    analyse = policy_check.policy_warnings
    monkeypatch.setattr(policy_check, "policy_warnings", lambda run: calls.append(run) or analyse(run))
    scenario = load_scenario(_out_of_reach(tmp_path, "edge"))
    assert [p.check for p in api.scenario_warnings(scenario.policy, scenario)] == ["policy-reach"]
    assert len(calls) == 1
