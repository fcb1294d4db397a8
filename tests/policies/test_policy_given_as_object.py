"""A policy's class or object given where its name goes says how to name it.

A student passed ``policy=WaitThreshold`` (or an instance) to ``offloadsim.run`` and read
"expected a policy name ..., got type <class ...>", and to ``compare`` ``unknown policy
"<class 'paper.WaitThreshold'>"``; an instance's repr, ``WaitThreshold(threshold_s=0.5)``, was even
read as an entry naming a policy ``WaitThreshold``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

import offloadsim
from offloadsim.api import RunError
from offloadsim.experiments import compare
from offloadsim.policies import Plan, register_policy

pytestmark = pytest.mark.usefixtures("fresh_registry")


@dataclass
class WaitThreshold:
    """Stay on the source."""

    threshold_s: float = 0.3

    def decide(self, task, view):
        return Plan.run_on(task.source)


REGISTERED = (
    'policy: got the policy class WaitThreshold, not its name: it is registered as "wait-threshold": '
    'pass policy="wait-threshold" (its parameters in the entry, "wait-threshold(KEY=VALUE, ...)")'
)
UNREGISTERED = (
    "policy: got the policy class WaitThreshold, not its name: register it first, "
    'offloadsim.policies.register_policy("NAME")(WaitThreshold), and pass policy="NAME"'
)


@pytest.mark.parametrize("given", [WaitThreshold, WaitThreshold(0.5)], ids=["class", "object"])
def test_run_says_the_name_a_policy_class_is_registered_under(tiny_scenario, given):
    register_policy("wait-threshold")(WaitThreshold)
    said = REGISTERED.replace("class", "class" if isinstance(given, type) else "object of class")
    with pytest.raises(RunError) as caught:
        offloadsim.run(tiny_scenario, policy=given)
    assert str(caught.value) == said


def test_run_says_to_register_a_class_that_is_not(tiny_scenario):
    with pytest.raises(RunError) as caught:
        offloadsim.run(tiny_scenario, policy=WaitThreshold)
    assert str(caught.value) == UNREGISTERED


@pytest.mark.parametrize("given", [WaitThreshold, WaitThreshold(0.5)], ids=["class", "object"])
def test_compare_says_so_naming_the_entry(tiny_scenario, given):
    register_policy("wait-threshold")(WaitThreshold)
    with pytest.raises(RunError) as caught:
        compare(tiny_scenario, ["local", given], replications=1, workers=1)
    message = str(caught.value)
    assert message.startswith("policies[1]: got the policy ")
    assert 'it is registered as "wait-threshold": pass "wait-threshold"' in message


def test_a_sweep_from_a_dict_says_so_at_the_entry(tiny_scenario):
    from offloadsim.experiments import sweep_from_data
    from offloadsim.scenario import ScenarioError

    register_policy("wait-threshold")(WaitThreshold)
    with pytest.raises(ScenarioError) as caught:
        sweep_from_data({"base": str(tiny_scenario), "policies": ["local", WaitThreshold(0.5)]})
    assert (
        "policies[1]: got the policy object of class WaitThreshold, not its name: "
        'it is registered as "wait-threshold"' in str(caught.value)
    )
