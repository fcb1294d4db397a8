"""compare says a scenario warning once, not once per compared policy.

The scenario of tests/processors_scenario.py has a phone's NPU and an edge's GPU after each node's
CPU; every shipped policy but ``fixed`` runs on the first processor, so each of them warned of both
(``idle-processors``): three policies printed the same two warnings three times, six lines.  A
policy is warned of only the nodes it may compute on: ``local`` never computes on the edge.
"""

from __future__ import annotations

import pytest
import yaml
from processors_scenario import write_scenario

from offloadsim.cli import main
from offloadsim.scenario.checks import merged_by_policy
from offloadsim.scenario.errors import Problem


def _warnings(tmp_path, policies: str, workers: int, capsys: pytest.CaptureFixture[str]) -> list[str]:
    scenario = write_scenario(tmp_path)
    args = ["compare", str(scenario), "--policies", policies, "-n", "1", "--workers", str(workers)]
    assert main([*args, "--out", str(tmp_path / f"out-{policies}-{workers}")]) == 0
    return [line for line in capsys.readouterr().err.splitlines() if "warning:" in line]


@pytest.mark.parametrize("workers", [1, 2])
def test_a_warning_every_compared_policy_gives_is_said_once(tmp_path, capsys, workers):
    lines = _warnings(tmp_path, "edge,round-robin", workers, capsys)
    where = [line.split(": ")[3] for line in lines]
    assert where == ["nodes.phone.processors.npu", "nodes.edge.processors.gpu"]
    for line in lines:
        assert "every compared policy runs a node's stages on its first processor" in line
        assert line.endswith("[idle-processors]")


def test_a_warning_some_compared_policies_give_names_them_once(tmp_path, capsys):
    lines = _warnings(tmp_path, "fixed,local,edge", 1, capsys)  # fixed chooses its processors
    npu, gpu = lines
    assert 'nodes.phone.processors.npu: each of policies "local", "edge" runs a node\'s stages' in npu
    assert 'nodes.edge.processors.gpu: policy "edge" runs a node\'s stages' in gpu  # local: not on the edge


def test_a_warning_naming_no_policy_ends_with_the_policies_it_applies_to_where_not_all():
    late = Problem("s.yaml", "dynamics[0]", "after the end", "late-dynamics")
    own = Problem("s.yaml", "--policies edge", 'policy "edge" cannot reach it', "policy-reach")
    merged = merged_by_policy([("local", []), ("edge", [late, own]), ("neurosurgeon", [late])])
    assert [str(problem) for problem in merged] == [
        "s.yaml: dynamics[0]: after the end (edge, neurosurgeon) [late-dynamics]",
        's.yaml: --policies edge: policy "edge" cannot reach it [policy-reach]',
    ]
    everyone = merged_by_policy([("local", [late]), ("edge", [late])])
    assert [str(problem) for problem in everyone] == ["s.yaml: dynamics[0]: after the end [late-dynamics]"]


def _swept(tmp_path, policies: list[str], capsys: pytest.CaptureFixture[str]) -> list[str]:
    write_scenario(tmp_path)
    sweep = tmp_path / "sw.yaml"
    points = {"duration": ["5 s", "6 s", "7 s"]}
    sweep.write_text(yaml.safe_dump({"base": "npu-and-gpu.yaml", "grid": points, "policies": policies}))
    assert main(["sweep", str(sweep), "--dry-run"]) == 0
    return [line for line in capsys.readouterr().err.splitlines() if "warning:" in line]


def test_a_sweep_says_a_warning_of_every_swept_policy_once_not_once_per_policy(tmp_path, capsys):
    lines = _swept(tmp_path, ["edge", "round-robin"], capsys)  # 6 points: 3 durations x 2 policies
    where = [line.split(": ")[3] for line in lines]
    assert where == ["nodes.phone.processors.npu", "nodes.edge.processors.gpu"]
    assert all("every swept policy runs a node's stages on its first processor" in line for line in lines)


def test_a_sweep_names_the_swept_policies_a_warning_is_of_where_not_all(tmp_path, capsys):
    lines = _swept(tmp_path, ["fixed", "edge", "round-robin"], capsys)
    assert len(lines) == 2
    assert all('each of policies "edge", "round-robin" runs a node\'s stages' in line for line in lines)
    assert all(line.endswith(" (at points 1, 2, 4, 5, 7 and 8) [idle-processors]") for line in lines)
