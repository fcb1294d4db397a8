"""The world's notes build each policy again to read it: a bug in its constructor is not hidden there.

``named_policies`` and ``policy_objects`` swallowed any exception (``except Exception``), where only
what the registry raises for bad input (an unknown name, bad parameters, a plug-in's constructor
that raised, each refused with exit 2 by the run) is said elsewhere; a shipped policy's constructor
that raises is offloadsim's bug (exit 1), and now leaves the notes as it is.
"""

from __future__ import annotations

import pytest

from offloadsim.cli import main
from offloadsim.policies import Plan, register_policy
from offloadsim.policies.basic import EdgePolicy
from offloadsim.scenario.model import PolicySpec
from offloadsim.world.placed import named_policies, policy_names, policy_objects

pytestmark = pytest.mark.usefixtures("fresh_registry")


class DividesByZero:
    """A plug-in whose constructor has a plain bug."""

    def __init__(self):
        self.share = 1 / 0

    def decide(self, task, view):
        return Plan.run_on(task.source)


def test_a_shipped_policys_constructor_bug_leaves_the_notes(monkeypatch):
    def broken(self, *args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(EdgePolicy, "__init__", broken)
    for reads in (named_policies, policy_objects, policy_names):
        with pytest.raises(ZeroDivisionError):
            reads(PolicySpec("edge"))


def test_bad_input_is_left_to_the_run_to_say():
    assert named_policies(PolicySpec("edgee")) == [(None, "edgee")]
    assert named_policies(PolicySpec("edge", {"fallbak": "drop"})) == [(None, "edge")]
    assert policy_objects(PolicySpec("edge", {"fallback": 3})) is None


def test_a_plugins_constructor_bug_is_no_quiet_success(tiny_scenario, tmp_path, capsys):
    register_policy("divides-by-zero")(DividesByZero)
    out = tmp_path / "out"
    assert main(["run", str(tiny_scenario), "--policy", "divides-by-zero", "--out", str(out)]) == 2
    (message,) = capsys.readouterr().err.splitlines()
    assert "raised ZeroDivisionError while it was built: division by zero" in message
    assert not out.exists()
