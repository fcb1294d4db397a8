"""A processor speed or memory bandwidth written as a bare number below a million, surely meant in G.

A bare number is a quantity in its SI unit (docs/scenario-format.md, "Quantities and units"), so
``speed: 10`` is 10 FLOP/s: ResNet-50 then takes 26 years a frame on that processor, and a
run that places work there ends with it all in flight, a warning of overload its only word.  Its
writer meant "10 GFLOP/s" (``memory_bandwidth: 50``, 50 B/s, meant "50 GB/s").  A scenario check
(:mod:`offloadsim.scenario.checks`): a warning per such value of a node's ``processor`` or of each
of its ``processors``, at its key path, saying how to write it with a unit.  Only the plain
document tells a bare number from a string with a unit, so the check reads ``Scenario.document``
through :mod:`~offloadsim.scenario.plain_numbers`, which holds the threshold and the words, as
``plain-latencies`` and ``plain-bandwidths`` do for links.
"""

from __future__ import annotations

from offloadsim.scenario.checks import CheckedRun
from offloadsim.scenario.errors import Problem
from offloadsim.scenario.plain_numbers import PLAIN_PROCESSOR_RATE_BELOW, PROCESSOR_RATES, plain_warnings

__all__ = ["PLAIN_PROCESSOR_RATE_BELOW", "plain_speeds"]


def plain_speeds(run: CheckedRun) -> list[Problem]:
    """One warning per processor speed or memory bandwidth written as a bare number above 0 and below 1e6."""
    return [warning for quantity in PROCESSOR_RATES for warning in plain_warnings(run, quantity)]
