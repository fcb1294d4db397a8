"""A device's power written as a bare number of 100 or more, read as watts where milliwatts were meant.

A bare number is a quantity in its SI unit (docs/scenario-format.md, "Quantities and units"), so a
phone's ``power: {idle: 500, busy: 3000, transmit: 1400}`` draws 2.5 kW above idle while it
computes: every device energy reads a thousand times too high, and a battery runs flat in seconds,
with no word of why.  Its writer copied milliwatts, the unit power monitors and data sheets give.
No phone, tablet, wearable or single-board computer draws 100 W
(:data:`~offloadsim.scenario.plain_numbers.PLAIN_DEVICE_POWER_FROM_W`); a server may, so only
``tier: device`` nodes are read.  A scenario check (:mod:`offloadsim.scenario.checks`): a warning
per such value of a device's ``power`` (``idle``, ``busy``, ``transmit``, ``receive``, ``down``)
or of its processors' own ``busy``, at its key path, saying how to write it with a unit, read
from ``Scenario.document`` through :mod:`~offloadsim.scenario.plain_numbers` as ``plain-tails`` is.
"""

from __future__ import annotations

from offloadsim.scenario.checks import CheckedRun
from offloadsim.scenario.errors import Problem
from offloadsim.scenario.plain_numbers import PLAIN_DEVICE_POWER_FROM_W, plain_warnings

__all__ = ["PLAIN_DEVICE_POWER_FROM_W", "plain_powers"]


def plain_powers(run: CheckedRun) -> list[Problem]:
    """One warning per device's power (of its node or a processor) written as a bare number of 100 or more."""
    return plain_warnings(run, "power")
