"""A number with a unit given to a policy's numeric parameter says to write the plain number.

A scenario writes every quantity with its unit (``latency: 5 ms``), so a plug-in's
``margin_s: 10 ms`` is what its author writes first; it was refused as ``must be float, got
"10 ms" (str)``, without saying that a policy's parameters read no unit, nor in which unit to give
the number.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from offloadsim.policies import Plan, make_policy, register_policy
from offloadsim.policies.registry import unregister_policy


@dataclass
class Margin:
    """A toy with a time and a count."""

    margin_s: float = 0.0
    count: int = 1
    label: str = "x"

    def decide(self, task, view):
        return Plan.run_on(task.source)


@pytest.fixture
def margin():
    register_policy("toy-margin")(Margin)
    yield
    unregister_policy("toy-margin")


@pytest.mark.parametrize(
    ("key", "value"), [("margin_s", "10 ms"), ("margin_s", "1e-3 s"), ("count", "3 tasks")]
)
def test_a_number_with_a_unit_says_to_write_the_plain_number(margin, key, value):
    with pytest.raises(ValueError, match=r"a policy's parameters take plain numbers, not a unit") as refused:
        make_policy("toy-margin", {key: value})
    assert f'got "{value}" (str)' in str(refused.value)


@pytest.mark.parametrize(("key", "value"), [("margin_s", "fast"), ("margin_s", "10")])
def test_text_that_is_no_number_with_a_unit_gets_no_such_hint(margin, key, value):
    with pytest.raises(ValueError) as refused:
        make_policy("toy-margin", {key: value})
    assert "not a unit" not in str(refused.value)


def test_a_text_parameter_takes_a_number_with_a_unit_as_text(margin):
    assert make_policy("toy-margin", {"label": "10 ms"}).label == "10 ms"
