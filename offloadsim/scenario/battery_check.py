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

Why not 10,000 and more: there the units overlap, so no number is surely another unit's.  Real
batteries in joules run from 10 kJ up with no ceiling: an old phone's 5.45 Wh is 19.6 kJ, two AA
cells of a sensor (2 x 2.5 Ah x 1.5 V, 7.5 Wh) 27 kJ, a phone's 15.4 Wh 55 kJ, a tablet's 40 Wh
144 kJ, a DJI Mavic 3's 77 Wh 277 kJ, a Matrice 300's two 274 Wh packs 1.97 MJ, a car's 60 kWh
216 MJ.  The numbers a unit slip leaves fall among them: a drone's 6S pack of 18000 mAh
(``battery: 18000``, 400 Wh at 22.2 V) reads 18 kJ, a tablet's 10758 mAh 10.8 kJ, a phone's
15400 mWh 15.4 kJ, each a battery that exists (2.8 to 8.3 Wh between 10 kJ and 30 kJ: a small
phone's, a sensor's pack).  A warning from 10,000 to any bound would name every such real battery
in joules, and what SI numbers are for would need a unit to be quiet; none above it is sure either
(no device's battery is too big to be a vehicle's).  Such a slip shows in the run instead: the
battery runs flat at capacity / draw (18 kJ at a 2 W idle in 2.5 hours), which ``battery_left``
and ``drained_at`` report.
"""

from __future__ import annotations

from offloadsim.scenario.checks import CheckedRun
from offloadsim.scenario.errors import Problem
from offloadsim.scenario.plain_numbers import PLAIN_BATTERY_BELOW_J, plain_warnings

__all__ = ["PLAIN_BATTERY_BELOW_J", "plain_batteries"]


def plain_batteries(run: CheckedRun) -> list[Problem]:
    """One warning per node's battery capacity written as a bare number above 0 and below 10,000."""
    return plain_warnings(run, "battery")
