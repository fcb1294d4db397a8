"""``by-group``'s inner policies run under the run's guards, on streams of their own, and are said.

An inner plug-in that hangs, writes to its task or returns no Plan ends the run in the very line
(and exit) it does as the run's own policy; an inner ``random`` draws from its group's own stream;
the manifest says which inner policy decided each group of task sources.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from fleet_scenario import FLEET

import offloadsim
from offloadsim.cli import main
from offloadsim.engine.streams import stream
from offloadsim.policies import Plan, register_policy

pytestmark = [pytest.mark.usefixtures("fresh_registry"), pytest.mark.timeout(120)]


class Sleeper:
    """Never returns from a decision (until the watcher ends it)."""

    def decide(self, task, view):
        time.sleep(1e6)


class Writes:
    """Writes to the task it is asked about."""

    def decide(self, task, view):
        task.deadline = 0.0
        return Plan.run_on(task.source)


class NoPlan:
    """Returns a node's name, not a Plan."""

    def decide(self, task, view):
        return task.source


class NotComputing:
    """Places every task on the access point, which has no processor."""

    def decide(self, task, view):
        return Plan.run_on("ap")


class Raises:
    """Raises in its decision."""

    def decide(self, task, view):
        raise ValueError("cannot decide")


PLUGINS = {
    "guard-raises": Raises,
    "guard-sleeper": Sleeper,
    "guard-writes": Writes,
    "guard-no-plan": NoPlan,
    "guard-not-computing": NotComputing,
}


def _write(folder: Path, policy: Any) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / "fleet.yaml"
    path.write_text(yaml.safe_dump({**FLEET, "policy": policy}, sort_keys=False), encoding="utf-8")
    return path


def _run(folder: Path, policy: Any, capsys, *extra: str) -> tuple[int, str, Path]:
    out = folder / "out"
    code = main(["run", str(_write(folder, policy)), "--out", str(out), "-q", *extra])
    return code, capsys.readouterr().err, out


@pytest.mark.parametrize(
    ("name", "extra", "said"),
    [
        ("guard-raises", (), "raised ValueError in decide() at simulated time"),
        ("guard-sleeper", ("--policy-timeout", "1 s"), "did not return from decide() at simulated time"),
        ("guard-writes", (), "changed the task it was given in decide() at simulated time"),
        ("guard-no-plan", (), "returned str"),
        ("guard-not-computing", (), '"ap"'),
    ],
)
def test_an_inner_plug_in_is_refused_in_the_line_and_exit_of_the_runs_own(
    tmp_path, capsys, name, extra, said
):
    """Both groups' policy the plug-in: the first task decided (a new phone's) is the one alone.

    Its line is the one the plug-in gets alone, naming it with the group it decided for.
    """
    register_policy(name)(PLUGINS[name])
    alone, alone_err, alone_out = _run(tmp_path / "alone", name, capsys, *extra)
    groups = {"name": "by-group", "groups": {"new-phone": name}, "default": name}
    inner, inner_err, inner_out = _run(tmp_path / "inner", groups, capsys, *extra)
    assert alone == inner == 2
    (line,) = alone_err.splitlines()
    assert line.startswith(f'offloadsim: error: policy "{name}" ') and said in line, line
    named = f'"{name}" (by-group\'s policy of group "new-phone")'
    assert inner_err == alone_err.replace(f'"{name}"', named, 1)
    assert not alone_out.exists() and not inner_out.exists()


class WrongProcessor:
    """Names a processor the edge does not have."""

    def decide(self, task, view):
        return Plan(("edge",), processors=("gpu",))


class NonModelOrder:
    """Gives a layer order for an application that is no model."""

    def decide(self, task, view):
        return Plan(("edge",), order=(0,))


class OtherApp:
    """Serves a request with an application that is not among its alternatives."""

    def decide(self, task, view):
        return Plan(("edge",), app="nope")


@pytest.mark.parametrize(
    ("plugin", "said"),
    [
        (WrongProcessor, 'named processor "gpu" at "edge"'),
        (NonModelOrder, 'gave a layer order for non-model app "job"'),
        (OtherApp, 'served a request of "job" with "nope"'),
    ],
)
def test_a_plan_the_engine_refuses_names_the_inner_policy_that_gave_it_and_its_group(
    tmp_path, capsys, plugin, said
):
    """Not by-group: the inner plug-in's name and group, in the line the plug-in gets alone."""
    register_policy("guard-faulty")(plugin)
    alone, alone_err, _ = _run(tmp_path / "alone", "guard-faulty", capsys)
    groups = {"name": "by-group", "groups": {"new-phone": "local"}, "default": "guard-faulty"}
    inner, inner_err, inner_out = _run(tmp_path / "inner", groups, capsys)
    assert alone == inner == 2
    (line,) = alone_err.splitlines()
    assert line.startswith('offloadsim: error: policy "guard-faulty" ') and said in line, line
    named = '"guard-faulty" (by-group\'s policy of group "old-phone")'
    assert inner_err == alone_err.replace('"guard-faulty"', named, 1)
    assert not inner_out.exists()


class OnSource:
    """Runs each task where it is sent from: not among its application's hosts (the edge) here."""

    def decide(self, task, view):
        return Plan.run_on(task.source)


def test_a_task_an_inner_plans_infeasible_plan_drops_names_it_and_its_group_in_its_reason(tmp_path):
    """Not by-group: the reason the inner plug-in's plan gets alone, naming it with its group."""
    register_policy("guard-on-source")(OnSource)
    hosted = {**FLEET, "applications": {"job": {**FLEET["applications"]["job"], "hosts": ["edge"]}}}

    def reasons(folder: str, policy: Any) -> list[str]:
        folder_path = tmp_path / folder
        folder_path.mkdir()
        path = folder_path / "fleet.yaml"
        path.write_text(yaml.safe_dump({**hosted, "policy": policy}, sort_keys=False), encoding="utf-8")
        tasks = offloadsim.run(path).tasks
        old = tasks[_old(tasks)]
        assert len(old) >= 10 and (old.status.astype(str) == "dropped").all()
        return old.reason.astype(str).tolist()

    alone = reasons("alone", "guard-on-source")
    inner = reasons(
        "inner", {"name": "by-group", "groups": {"old-phone": "guard-on-source"}, "default": "edge"}
    )
    assert re.fullmatch(
        r'policy "guard-on-source" placed "job" on "old-phone-\d", which is not among its hosts', alone[0]
    )
    named = '"guard-on-source" (by-group\'s policy of group "old-phone")'
    assert inner == [reason.replace('"guard-on-source"', named, 1) for reason in alone]


def test_an_inner_plug_in_under_the_default_is_guarded_too(tmp_path, capsys):
    register_policy("guard-writes")(Writes)
    code, err, _ = _run(
        tmp_path, {"name": "by-group", "groups": {"old-phone": "edge"}, "default": "guard-writes"}, capsys
    )
    assert code == 2
    (line,) = err.splitlines()
    named = '"guard-writes" (by-group\'s policy of group "new-phone")'
    assert f"policy {named} (test_by_group_guards.Writes) changed the task it was given" in line


def _old(tasks: Any) -> Any:
    return tasks.source.astype(str).str.startswith("old-phone")


def test_an_inner_random_draws_from_its_own_groups_stream(tmp_path):
    """Old phones' random placements are the same whatever the new phones' policy draws."""
    both = offloadsim.run(
        _write(tmp_path / "a", {"name": "by-group", "groups": {"old-phone": "random", "new-phone": "random"}})
    ).tasks
    one = offloadsim.run(
        _write(tmp_path / "b", {"name": "by-group", "groups": {"old-phone": "random", "new-phone": "local"}})
    ).tasks
    old_both, old_one = both[_old(both)], one[_old(one)]
    assert len(old_both) >= 10
    placed = old_both.placement.astype(str).to_numpy()
    assert {"edge"} < set(placed)  # it drew both the edge and a phone: the draws are random
    assert np.array_equal(placed, old_one.placement.astype(str).to_numpy())
    # The new phones' random draws from another stream: not the old phones' sequence.
    new_both = both[~_old(both)].placement.astype(str).to_numpy()
    assert len(new_both) >= 10 and {"edge"} < set(new_both)


def test_an_inner_policys_stream_is_keyed_by_the_run_policy_and_where_it_is_given(tmp_path):
    seen: list[float] = []

    @register_policy("guard-draws")
    class Draws:
        def reset(self, view):
            seen.append(float(view.rng.random()))

        def decide(self, task, view):
            return Plan.run_on(task.source)

    offloadsim.run(
        _write(
            tmp_path, {"name": "by-group", "groups": {"old-phone": "guard-draws"}, "default": "guard-draws"}
        )
    )
    assert seen == [
        stream(3, 0, "policy", "by-group", "groups", "old-phone").random(),
        stream(3, 0, "policy", "by-group", "default").random(),
    ]


def test_the_manifest_says_which_inner_policy_decided_each_group(tmp_path, capsys):
    policy = {
        "name": "by-group",
        "groups": {"new-phone": {"name": "local"}},
        "default": {"name": "edge", "fallback": "drop"},
    }
    code, _, out = _run(tmp_path, policy, capsys)
    assert code == 0
    ran = json.loads((out / "manifest.json").read_text())["policy"]
    assert ran["name"] == "by-group"
    assert ran["inner"] == {
        "new-phone": {"name": "local", "params": {}},
        "old-phone": {"name": "edge", "params": {"fallback": "drop"}},
    }


def test_a_comparisons_manifest_says_it_for_its_by_group_entry(tmp_path):
    from offloadsim.experiments import compare

    path = _write(tmp_path, {"name": "by-group", "groups": {"new-phone": "local"}, "default": "edge"})
    out = tmp_path / "cmp"
    compare(path, policies=["by-group", "edge"], replications=1, out=out)
    by_group, edge = json.loads((out / "manifest.json").read_text())["policies"]
    assert by_group["inner"] == {
        "new-phone": {"name": "local", "params": {}},
        "old-phone": {"name": "edge", "params": {}},
    }
    assert edge == {"name": "edge", "params": {}}


def test_another_policys_manifest_has_no_inner(tmp_path, capsys):
    code, _, out = _run(tmp_path, "edge", capsys)
    assert code == 0
    assert "inner" not in json.loads((out / "manifest.json").read_text())["policy"]


def test_a_sweeps_manifest_says_it_for_each_by_group_point_and_keeps_it_when_resumed(tmp_path):
    from offloadsim.experiments import sweep

    _write(tmp_path, {"name": "by-group", "groups": {"new-phone": "local"}, "default": "edge"})
    spec = tmp_path / "sweep.yaml"
    spec.write_text(
        "name: fleet-inner\nbase: fleet.yaml\nreplications: 2\nset: {duration: 10 s}\n"
        "policies: [by-group, edge, 'by-group(groups={old-phone: local}, default=edge)']\n",
        encoding="utf-8",
    )
    out = tmp_path / "sw"
    EDGE, LOCAL = {"name": "edge", "params": {}}, {"name": "local", "params": {}}
    said = [
        {
            "point": 0,
            "policy": "by-group",
            "inner": {"new-phone": LOCAL, "old-phone": EDGE},
        },
        {
            "point": 2,
            "policy": "by-group(groups={old-phone: local}, default=edge)",
            "inner": {"new-phone": EDGE, "old-phone": LOCAL},
        },
    ]
    assert sweep(spec, out=out).manifest["policy_inner"] == said
    assert json.loads((out / "manifest.json").read_text())["policy_inner"] == said
    again = sweep(spec, out=out)  # every job reused: read back from the job files
    assert again.manifest["resumed"][-1]["jobs_reused"] == 6 and again.manifest["policy_inner"] == said
