"""``by-group``: each group of sources (a ``count:`` entry) placed by its own policy.

Worked by hand on a fleet whose tasks never meet (one every 5 s per phone, the edge with a core
for each): an old phone (1 GFLOP/s) offloads 1 GFLOP to the edge (10 GFLOP/s) over 100 Mbit/s and
1 Gbit/s links (5 ms + 1 ms): 100 kB up (8 ms + 6 ms), 0.1 s there, 1 kB back (0.08 ms + 6 ms),
120.08 ms; a new phone (4 GFLOP/s) runs it itself in 250 ms.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from fleet_scenario import FLEET

import offloadsim
from offloadsim.cli import main
from offloadsim.experiments import compare
from offloadsim.policies import make_policy
from offloadsim.policies.grouped import ByGroupPolicy


def _write(tmp_path: Path, policy: Any) -> Path:
    path = tmp_path / "fleet.yaml"
    path.write_text(yaml.safe_dump({**FLEET, "policy": policy}, sort_keys=False), encoding="utf-8")
    return path


def _old(tasks: Any) -> Any:
    return tasks.source.str.startswith("old-phone")


def test_each_group_runs_as_under_its_policy_alone(tmp_path):
    path = _write(tmp_path, FLEET["policy"])
    grouped = offloadsim.run(path).tasks
    edge = offloadsim.run(path, policy="edge").tasks
    local = offloadsim.run(path, policy="local").tasks
    old, new = grouped[_old(grouped)], grouped[~_old(grouped)]
    assert len(old) > 0 and len(new) > 0
    assert (old.placement == "edge").all() and (new.placement.astype(str) == new.source.astype(str)).all()
    # By hand (the module's docstring), and exactly as each inner policy alone places that group.
    assert old.latency.to_numpy() == pytest.approx(0.12008, abs=1e-9)
    assert new.latency.to_numpy() == pytest.approx(0.25, abs=1e-9)
    assert np.array_equal(old.latency.to_numpy(), edge[_old(edge)].latency.to_numpy())
    assert np.array_equal(new.latency.to_numpy(), local[~_old(local)].latency.to_numpy())
    assert np.array_equal(old.arrival.to_numpy(), edge[_old(edge)].arrival.to_numpy())


def test_default_serves_the_groups_not_named(tmp_path):
    path = _write(tmp_path, {"name": "by-group", "groups": {"new-phone": "local"}, "default": "edge"})
    tasks = offloadsim.run(path).tasks
    assert (tasks[_old(tasks)].placement == "edge").all()
    assert (tasks[~_old(tasks)].placement.astype(str) == tasks[~_old(tasks)].source.astype(str)).all()


def test_inner_decision_caches_still_work(make_view, task_factory):
    policy = make_policy("by-group", {"groups": {"phone": "edge"}, "default": "local"})
    assert isinstance(policy, ByGroupPolicy)
    inner = policy.delegates[0].policy
    view = make_view()  # the policies' test view: phone-0..2 (group "phone"), edge-0, cloud-0
    policy.reset(view)
    task = task_factory("phone-0")
    first = policy.decide(task, view)
    assert policy.decide(task, view) is first  # edge's cached plan, handed back as the same object
    assert inner.decide(task, view) is first


def test_deterministic_under_one_and_two_workers(tmp_path):
    path = _write(tmp_path, FLEET["policy"])
    entries = ["by-group", "edge"]
    one = compare(path, entries, 2, workers=1)
    two = compare(path, entries, 2, workers=2)
    columns = ["task_id", "source", "policy", "replication", "latency", "placement"]
    key = ["policy", "replication", "task_id"]
    a = one.tasks[columns].sort_values(key).reset_index(drop=True)
    b = two.tasks[columns].sort_values(key).reset_index(drop=True)
    assert len(a) > 0 and a.equals(b)


MISTAKES = [
    pytest.param(
        {"name": "by-group", "groups": {"old-phone": "edge", "new-phon": "local"}},
        "policy.groups.new-phon",
        '"new-phon" is not a group of task sources (did you mean "new-phone"?); '
        'expected one of "old-phone", "new-phone"',
        id="unknown-group",
    ),
    pytest.param(
        {"name": "by-group", "groups": {"old-phone": {"name": "egde"}, "new-phone": "local"}},
        "policy.groups.old-phone.name",
        'unknown policy "egde" (did you mean "edge"',
        id="unknown-policy",
    ),
    pytest.param(
        {"name": "by-group", "groups": {"old-phone": "edge"}},
        "policy.groups",
        '"new-phone" has no policy: expected a policy for every group of task sources, '
        "or a default (policy.default)",
        id="group-without-policy",
    ),
    pytest.param(
        {
            "name": "by-group",
            "groups": {"old-phone": {"name": "edge", "fallback": "dro"}},
            "default": "local",
        },
        "policy.groups.old-phone.fallback",
        'policy "edge": parameter "fallback" must be "local" | "drop", got "dro"',
        id="bad-inner-parameter",
    ),
    pytest.param(
        {"name": "by-group", "groups": {"old-phone": {"name": "fixed", "node": "edgee"}}, "default": "local"},
        "policy.groups.old-phone.node",
        'policy "fixed": "edgee" is not a node of this scenario (did you mean "edge"?)',
        id="inner-unknown-node",
    ),
    pytest.param(
        {
            "name": "by-group",
            "groups": {"old-phone": "edge"},
            "default": {"name": "neurosurgeon", "objective": "energy"},
        },
        "policy.default.objective",
        '"new-phone-0", "new-phone-1" have no power draw',  # the default's sources alone
        id="inner-requirement-over-its-sources",
    ),
]


@pytest.mark.parametrize(("policy", "key_path", "expected"), MISTAKES)
def test_validate_refuses_in_one_line(policy, key_path, expected, tmp_path, capsys):
    path = _write(tmp_path, policy)
    assert main(["validate", str(path)]) == 2
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1, lines
    # The file as the message names it (the whole path; xdist's tmp_path runs past shown_path's 80 characters)
    assert lines[0].startswith(f"offloadsim: error: {path}: {key_path}: "), lines[0]
    assert expected in lines[0], lines[0]


def test_an_inner_cut_is_checked_against_its_groups_applications_alone(tmp_path, capsys):
    """New phones send ResNet-18 alone (69 layers): a cut at 100 is beyond all they send, refused.

    The old phones' MobileNetV2 is deeper, which a check over the whole workload would have let pass.
    """
    document = {
        **FLEET,
        "applications": {"job": {"model": "resnet18"}, "small": {"model": "mobilenet_v2"}},
        "workload": [
            {"app": "job", "sources": ["new-phone-*"], "arrivals": "periodic", "period": "5 s"},
            {"app": "small", "sources": ["old-phone-*"], "arrivals": "periodic", "period": "5 s"},
        ],
        "policy": {
            "name": "by-group",
            "groups": {"new-phone": {"name": "fixed", "nodes": ["$source", "edge"], "cuts": [100]}},
            "default": "local",
        },
    }
    path = tmp_path / "deep.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        f"offloadsim: error: {path}: policy.groups.new-phone.cuts[0]: "
    ), lines
    assert "no application of the workload has that many layers (job: 69 layers)" in lines[0]


def test_an_inner_plug_in_that_raises_is_blamed_by_its_own_name(tmp_path, fresh_registry):
    from offloadsim.engine.errors import EngineError
    from offloadsim.policies import register_policy

    @register_policy("by-group-test-boom")
    class Boom:
        """Raise at every decision."""

        def decide(self, task, view):
            return 1 / 0

    path = _write(
        tmp_path, {"name": "by-group", "groups": {"old-phone": "by-group-test-boom"}, "default": "local"}
    )
    with pytest.raises(
        EngineError, match=r'^policy "by-group-test-boom" \(.*Boom\) raised ZeroDivisionError in decide\(\)'
    ):
        offloadsim.run(path)


def test_a_clamped_inner_cut_is_noted_at_its_key_for_its_groups_alone():
    """The old phones send both models: a cut at 100 clamps ResNet-18's 69 layers, noted at its key.

    The new phones' cut at 60 is within the ResNet-18 they send: no note, though MobileNetV2 is not theirs.
    """
    from offloadsim.scenario import load_scenario_text
    from offloadsim.scenario.policy_check import layer_notes

    fixed = {"name": "fixed", "nodes": ["$source", "edge"]}
    document = {
        **FLEET,
        "workload": [
            {
                "app": "job",
                "sources": ["old-phone-*", "new-phone-*"],
                "arrivals": "periodic",
                "period": "5 s",
            },
            {"app": "small", "sources": ["old-phone-*"], "arrivals": "periodic", "period": "5 s"},
        ],
        "applications": {"job": {"model": "resnet18"}, "small": {"model": "mobilenet_v2"}},
        "policy": {
            "name": "by-group",
            "groups": {"new-phone": {**fixed, "cuts": [60]}},
            "default": {**fixed, "cuts": [100]},
        },
    }
    scenario = load_scenario_text(yaml.safe_dump(document, sort_keys=False), source="deep.yaml")
    policy = make_policy("by-group", scenario.policy.params)
    notes = layer_notes(scenario, policy, "by-group", {"job": 69, "small": 152})
    assert notes == [
        'policy.default.cuts[0]: policy "fixed" cuts at layer 100, beyond the 69 layers of job: '
        "clamped there, so its tasks run all their layers on the stations before the cut"
    ]
