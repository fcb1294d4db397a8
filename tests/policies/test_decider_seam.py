"""A composite policy words its inner policies' faults in its own module, through the run's Decider.

The fault lines (a plug-in's exception, no Plan, a changed task, ``--policy-timeout``, a plan the
engine refuses) ask the run's :class:`~offloadsim.policies.deciders.Decider` for the policy's name;
for a composite's inner policy the decider asks the composite's own ``inner_said``.  A composite
written here, in the test alone (a two-stage cascade: its first stage's plan unless it rejects the
task), names its inner policies "stage 0" and "stage 1" without a line of offloadsim changed for it:
the decider names the stage that gave the plan (the last asked, or an earlier one whose plan the
cascade gave), not the one a group would route to.
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


class Rejects:
    """Rejects every task: the cascade asks its next stage."""

    def decide(self, task, view):
        return Plan.reject()


class NotComputing:
    """Places every task on the access point, which has no processor."""

    def decide(self, task, view):
        return Plan.run_on("ap")


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


def test_a_plan_refused_is_named_by_the_stage_that_gave_it_not_by_the_first(tmp_path, capsys):
    """The first stage rejected the task; the second's plan is refused naming the second, its stage 1."""
    register_policy("rejects")(Rejects)
    register_policy("not-computing")(NotComputing)
    register_policy("cascade")(Cascade)
    line = _named_as_stage(tmp_path, capsys, "cascade", ["rejects", "not-computing"], 1)
    assert line.startswith('offloadsim: error: policy "not-computing" placed task 0 on "ap"'), line


def _named_as_stage(tmp_path: Path, capsys, composite: str, stages: list[str], stage: int) -> str:
    """The line a run of ``stages[stage]`` alone ends with, which the composite's run says naming the stage.

    Both runs are refused (exit 2); the composite's line is the one alone, the stage named in its words.
    """
    name = stages[stage]
    alone, alone_err = _run(tmp_path / "alone", name, capsys)
    inner, inner_err = _run(tmp_path / "inner", {"name": composite, "stages": stages}, capsys)
    assert alone == inner == 2
    (line,) = alone_err.splitlines()
    assert inner_err == alone_err.replace(quoted(name), f"{quoted(name)} ({composite}'s stage {stage})", 1)
    return line


class FirstThenOwn(Cascade):
    """Each source's first task to its first stage; every later one it places itself, on the access point."""

    def __init__(self, stages: list[str]):
        super().__init__(stages)
        self._asked: set[str] = set()

    def decide(self, task, view) -> Plan:
        if task.source in self._asked:
            return Plan.run_on("ap")
        self._asked.add(task.source)
        return self._seated[0].decide(task, view)


class OwnWhenRejected(Cascade):
    """Its stages' plan, unless every one rejects the task: then its own, on the access point."""

    def decide(self, task, view) -> Plan:
        plan = super().decide(task, view)
        return Plan.run_on("ap") if plan.drop else plan


@pytest.mark.parametrize(
    ("name", "composite", "stages"),
    [("first-then-own", FirstThenOwn, ["edge"]), ("own-when-rejected", OwnWhenRejected, ["rejects"])],
)
def test_a_plan_the_composite_gave_itself_is_named_by_it_not_by_a_stage_asked_before(
    name, composite, stages, tmp_path, capsys
):
    """A stage placed the source's earlier task, or rejected this one: the plan refused is the composite's."""
    register_policy("not-computing")(NotComputing)
    register_policy("rejects")(Rejects)
    register_policy(name)(composite)
    alone, alone_err = _run(tmp_path / "alone", "not-computing", capsys)
    inner, inner_err = _run(tmp_path / "inner", {"name": name, "stages": stages}, capsys)
    assert alone == inner == 2
    (line,) = alone_err.splitlines()
    (refused,) = inner_err.splitlines()
    task = refused.split(" placed task ")[1].split()[0]
    assert (task != "0") == (composite is FirstThenOwn), refused  # a later task of a source its stage placed
    assert refused == line.replace('"not-computing"', quoted(name), 1).replace(" task 0 ", f" task {task} ")


class ServesAnother:
    """Serves each request with an application that is none of its alternatives: the engine refuses it."""

    def decide(self, task, view):
        return Plan((task.source,), app="no-such-app")


class AsksEvery(Cascade):
    """Asks every stage, then gives the first plan that places the task: an earlier one's, not the last's."""

    def decide(self, task, view) -> Plan:
        plans = [policy.decide(task, view) for policy in self._seated]
        return next((plan for plan in plans if not plan.drop), plans[-1])


def test_an_earlier_stages_plan_given_after_a_later_stage_was_asked_is_named_by_that_stage(tmp_path, capsys):
    """Stage 0's plan, refused by the engine, names stage 0: not the composite (stage 1 was asked last)."""
    register_policy("serves-another")(ServesAnother)
    register_policy("asks-every")(AsksEvery)
    line = _named_as_stage(tmp_path, capsys, "asks-every", ["serves-another", "edge"], 0)
    assert line.startswith('offloadsim: error: policy "serves-another" served a request of '), line
