"""A battery's capacity written as a bare number below 10,000, read as joules where mAh or Wh were meant.

A bare number is a quantity in its SI unit (docs/scenario-format.md, "Quantities and units"), so a
phone's ``power: {battery: 3000}``, its 3000 mAh as the phone's box states it, holds 3 kJ, not the
41.6 kJ 3000 mAh hold at 3.85 V: the phone runs flat fourteen times too soon, its tasks fail
``battery flat`` and ``battery_left`` reads low, with no word of why; ``battery: 15`` (15 Wh) holds
15 J.  No phone's or tablet's battery holds under 10 kJ
(:data:`~offloadsim.scenario.plain_numbers.PLAIN_BATTERY_BELOW_J`).  A scenario check
(:mod:`offloadsim.scenario.checks`): a warning per node whose ``power.battery`` is such a number, at
its key path, saying how to write it with a unit (a charge as the energy it holds at a cell's
voltage), read from ``Scenario.document`` through :mod:`~offloadsim.scenario.plain_numbers` as
``plain-powers`` is.
"""

from __future__ import annotations

from offloadsim.scenario.checks import CheckedRun
from offloadsim.scenario.errors import Problem
from offloadsim.scenario.plain_numbers import PLAIN_BATTERY_BELOW_J, plain_warnings

__all__ = ["PLAIN_BATTERY_BELOW_J", "plain_batteries"]


def plain_batteries(run: CheckedRun) -> list[Problem]:
    """One warning per node's battery capacity written as a bare number above 0 and below 10,000."""
    return plain_warnings(run, "battery")
