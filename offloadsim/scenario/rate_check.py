"""A radio power per rate written as a bare number of 0.001 or more, read as J/bit where mW/Mbps were meant.

A bare number is a quantity in its SI unit (docs/scenario-format.md, "Quantities and units"), so a
node's ``power: {transmit_per_rate: 438.39}`` charges 438.39 joules for every bit it sends: its
writer meant Huang et al.'s LTE slope, "438.39 mW/Mbps" (438.39 nJ/bit).  No radio's slope is
1 mJ/bit (a kilowatt at 1 Mbit/s: :data:`~offloadsim.scenario.plain_numbers.PLAIN_PER_RATE_FROM_J_PER_BIT`).
A scenario check (:mod:`offloadsim.scenario.checks`): a warning per such value, at its key path,
saying how to write it with a unit, read from ``Scenario.document`` through
:mod:`~offloadsim.scenario.plain_numbers` as ``plain-tails`` is.
"""

from __future__ import annotations

from offloadsim.scenario.checks import CheckedRun
from offloadsim.scenario.errors import Problem
from offloadsim.scenario.plain_numbers import plain_warnings

__all__ = ["plain_rates"]


def plain_rates(run: CheckedRun) -> list[Problem]:
    """One warning per node's ``transmit_per_rate`` or ``receive_per_rate`` written bare, 0.001 or more."""
    return plain_warnings(run, "power_per_rate")
