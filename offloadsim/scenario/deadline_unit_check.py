"""An application's deadline written as a bare number of 10 or more, read as seconds where ms were meant.

A bare number is a quantity in its SI unit (docs/scenario-format.md, "Quantities and units"), so an
application's ``deadline: 50`` is 50 s, where its writer meant "50 ms": hardly a task misses it, and the
deadline-miss rate reads near 0 whatever the policy does.  ``unmissable-deadlines`` says so only of a
deadline no shorter than the run; in a run longer than 50 s nothing did.  No single inference
request of a vision or speech model waits 10 s
(:data:`~offloadsim.scenario.plain_numbers.PLAIN_DEADLINE_FROM_S`), and no LLM's answer five
minutes (:data:`~offloadsim.scenario.plain_numbers.PLAIN_LLM_DEADLINE_FROM_S`, for an application
the scenario says is an LLM: ``kind: llm``, or a decoder-only LLM of the zoo as its ``model``).  A
scenario check (:mod:`offloadsim.scenario.checks`): a warning per such value, at its key path,
saying how to write it with a unit, read from ``Scenario.document`` through
:mod:`~offloadsim.scenario.plain_numbers`, which holds the thresholds and the words, as
``plain-tails`` is.
"""

from __future__ import annotations

from offloadsim.scenario.checks import CheckedRun
from offloadsim.scenario.errors import Problem
from offloadsim.scenario.plain_numbers import PLAIN_DEADLINE_FROM_S, PLAIN_LLM_DEADLINE_FROM_S, plain_warnings

__all__ = ["PLAIN_DEADLINE_FROM_S", "PLAIN_LLM_DEADLINE_FROM_S", "plain_deadlines"]


def plain_deadlines(run: CheckedRun) -> list[Problem]:
    """One warning per application's ``deadline`` written as a bare number of 10 (300 for an LLM) or more."""
    return plain_warnings(run, "deadline")
