"""A plug-in policy that writes to the task it is asked about ends the run in one line, not a wrong record.

Before, ``task.source = "edge"`` in a plug-in's ``decide`` ran on without a word and the records
said the request came from the edge (latency 10 ms, no transfer); ``task.deadline = 0`` made every
task a deadline miss, ``task.flops = [0.0]`` every compute time 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

import offloadsim
from offloadsim.cli import main
from offloadsim.engine.policy_faults import PolicyFailed
from offloadsim.policies import Plan, register_policy
from offloadsim.policies.basic import EdgePolicy

pytestmark = pytest.mark.usefixtures("fresh_registry")


@dataclass
class Writes:
    """Writes one of the task's fields, then offloads it."""

    field: str = "source"
    value: Any = "edge"

    def decide(self, task, view):
        if self.field == "flops[0]":
            task.flops = list(task.flops)  # a list of its own first, then a change in place
            task.flops[0] = 0.0
        else:
            setattr(task, self.field, self.value)
        return Plan.run_on(view.nearest(task.source, "edge") or "edge")


@dataclass
class ReadsOnly:
    """Reads the task (and writes nothing)."""

    def decide(self, task, view):
        return Plan.run_on("edge") if task.deadline != 0 and task.flops[0] >= 0 else Plan.reject()


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [
        ("source", "edge", 'task 0\'s source was "phone", then "edge"'),
        ("deadline", 0.0, "task 0's deadline was "),
        ("arrival", -5.0, "task 0's arrival was "),
        ("flops", [0.0], "task 0's flops was 1 value, the first "),
        ("flops[0]", None, "task 0's flops was 1 value, the first "),
        ("alive", False, "task 0's alive was True, then False"),
    ],
)
def test_a_change_to_the_task_ends_the_run_naming_the_policy_and_the_field(tiny_scenario, field, value, said):
    register_policy("writes")(Writes)
    with pytest.raises(PolicyFailed) as caught:
        offloadsim.run(tiny_scenario, policy="writes", policy_params={"field": field, "value": value})
    message = str(caught.value)
    assert message.startswith(
        f'policy "writes" ({__name__}.Writes) changed the task it was given in decide() at simulated time '
    ), message
    assert said in message and "it may not change the task" in message, message


def test_the_command_line_says_it_in_one_line_exit_2_and_writes_nothing(tiny_scenario, tmp_path, capsys):
    register_policy("writes")(Writes)
    out = tmp_path / "out"
    assert main(["run", str(tiny_scenario), "--policy", "writes", "--out", str(out)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith('offloadsim: error: policy "writes"') and "source was " in line, line
    assert "--debug" not in line  # no exception of the policy's: no traceback to offer
    assert not out.exists()


def test_a_policy_that_only_reads_runs_as_before(tiny_scenario):
    register_policy("reads-only")(ReadsOnly)
    result = offloadsim.run(tiny_scenario, policy="reads-only")
    assert set(result.tasks.source) == {"phone"} and (result.tasks.placement == "edge").all()


def test_a_shipped_policys_decide_is_handed_back_unwrapped():
    from offloadsim.engine.policy_guard import decide_of

    policy = EdgePolicy()
    assert decide_of(policy, "edge", lambda: 0.0) == policy.decide
    assert decide_of(ReadsOnly(), "reads-only", lambda: 0.0) != ReadsOnly().decide
