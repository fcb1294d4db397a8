"""A policy missing a required parameter is said at ``policy``, naming the parameter, its unit and help.

Before, ``policy: {name: needy}`` was refused at ``policy.name`` as ``needs parameter(s): margin_s``:
the key the user had written right, and only the parameter's name, not what it takes.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from offloadsim.cli import main
from offloadsim.policies import Plan, register_policy

pytestmark = pytest.mark.usefixtures("fresh_registry")


@dataclass
class Needy:
    """Runs every task on its source, after a margin.

    Parameters
    ----------
    margin_s : float
        Slack before the deadline.
    count : int
        How many.
    """

    margin_s: float
    count: int

    def decide(self, task, view):
        return Plan.run_on(task.source)


@pytest.mark.parametrize(
    ("policy", "key", "said"),
    [
        (
            "{name: needy, count: 2}",
            "policy",
            'policy "needy" needs parameter "margin_s" (float, in seconds: Slack before the deadline)',
        ),
        (
            "needy",
            "policy",
            'policy "needy" needs parameters "margin_s" (float, in seconds: Slack before the deadline) '
            'and "count" (int: How many)',
        ),
        (
            "{name: by-group, groups: {phone: {name: needy, margin_s: 0.1}}}",
            "policy.groups.phone",
            'policy "by-group": groups.phone: policy "needy" needs parameter "count" (int: How many)',
        ),
    ],
)
def test_a_missing_parameter_is_said_where_it_goes_with_its_unit_and_help(
    policy, key, said, tiny_scenario, capsys
):
    register_policy("needy")(Needy)
    tiny_scenario.write_text(tiny_scenario.read_text().replace("policy: edge", f"policy: {policy}"))
    assert main(["validate", str(tiny_scenario)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line == f"offloadsim: error: {tiny_scenario}: {key}: {said}", line
