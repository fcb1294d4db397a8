"""A radio tail written as a bare number of 20 or more, read as seconds where milliseconds were meant.

A bare number is a quantity in its SI unit (docs/scenario-format.md, "Quantities and units"), so a
node's ``power: {tail: 200}`` is a 200 s radio tail: every transfer of the device then holds its
radio at transmit power for over three minutes, and its energy reads as if it never slept.  Its
writer meant "200 ms".  No cellular radio's tail is that long (LTE's is about 11.6 s, 3G's up to
about 15 s: :data:`~offloadsim.scenario.plain_numbers.PLAIN_TAIL_FROM_S` gives the sources).  A
scenario check (:mod:`offloadsim.scenario.checks`): a warning per such value, at its key path,
saying how to write it with a unit.  Only the plain document tells a bare number from a string
with a unit, so the check reads ``Scenario.document`` through
:mod:`~offloadsim.scenario.plain_numbers`, which holds the threshold and the words, as
``plain-latencies`` does for links.
"""

from __future__ import annotations

from offloadsim.scenario.checks import CheckedRun
from offloadsim.scenario.errors import Problem
from offloadsim.scenario.plain_numbers import PLAIN_TAIL_FROM_S, plain_warnings

__all__ = ["PLAIN_TAIL_FROM_S", "plain_tails"]


def plain_tails(run: CheckedRun) -> list[Problem]:
    """One warning per node's radio ``tail`` written as a bare number of 20 (seconds) or more."""
    return plain_warnings(run, "tail")
