"""A composite policy words its inner policies' faults in its own module, through the run's Decider.

The fault lines (a plug-in's exception, no Plan, a changed task, ``--policy-timeout``, a plan the
engine refuses) ask the run's :class:`~offloadsim.policies.deciders.Decider` for the policy's name;
for a composite's inner policy the decider asks the composite's own ``inner_said``.  A composite
written here, in the test alone (a two-stage cascade: its first stage's plan unless it rejects the
task), names its inner policy "stage 0" without a line of offloadsim changed for it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from fleet_scenario import FLEET

from offloadsim.cli import main
from offloadsim.policies import Plan, make_policy, register_policy
from offloadsim.policies.base import reset_policy
from offloadsim.policies.grouped import Delegate
from offloadsim.suggest import quoted

pytestmark = [pytest.mark.usefixtures("fresh_registry"), pytest.mark.timeout(120)]


class Cascade:
    """Its first stage's plan, unless that one rejects the task: then the next stage's."""

    def __init__(self, stages: list[str]):
        self._delegates = tuple(
            Delegate(("stages", str(i)), True, name, {}, None, make_policy(name, {}))
            for i, name in enumerate(stages)
        )
        self.seat(None)

    @property
    def delegates(self) -> tuple[Delegate, ...]:
        return self._delegates

    def seat(self, wrap: Callable[[Delegate], object] | None) -> None:
        self._seated = [d.policy if wrap is None else wrap(d) for d in self._delegates]

    def inner_said(self, inner: str, name: str, group: str | None) -> str:
        """The seam: ``"no-plan" (cascade's stage 0)``, whatever group its task came from."""
        stage = next(i for i, d in enumerate(self._delegates) if d.name == inner)
        return f"{quoted(inner)} ({name}'s stage {stage})"

    def reset(self, view) -> None:
        for policy in self._seated:
            reset_policy(policy, view)

    def decide(self, task, view) -> Plan:
        for policy in self._seated:
            plan = policy.decide(task, view)
            if not plan.drop:
                break
        return plan


class NoPlan:
    """Returns a node's name, not a Plan."""

    def decide(self, task, view):
        return task.source


def _run(folder: Path, policy: object, capsys) -> tuple[int, str]:
    folder.mkdir()
    path = folder / "fleet.yaml"
    path.write_text(yaml.safe_dump({**FLEET, "duration": "6 s", "policy": policy}), encoding="utf-8")
    code = main(["run", str(path), "--out", str(folder / "out"), "-q"])
    return code, capsys.readouterr().err


def test_a_composite_of_the_tests_own_names_its_inner_policy_in_its_own_words(tmp_path, capsys):
    """The inner plug-in's no-Plan line is the one it gets alone, named as the cascade words it."""
    register_policy("no-plan")(NoPlan)
    register_policy("cascade")(Cascade)
    alone, alone_err = _run(tmp_path / "alone", "no-plan", capsys)
    inner, inner_err = _run(tmp_path / "inner", {"name": "cascade", "stages": ["no-plan", "edge"]}, capsys)
    assert alone == inner == 2
    (line,) = alone_err.splitlines()
    assert line.startswith('offloadsim: error: policy "no-plan" (') and "returned str" in line, line
    assert inner_err == alone_err.replace('"no-plan"', '"no-plan" (cascade\'s stage 0)', 1)
