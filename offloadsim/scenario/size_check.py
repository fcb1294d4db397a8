"""An application's size written as a bare number below 10,000, read as bytes where KB were meant.

A bare number is a quantity in its SI unit (docs/scenario-format.md, "Quantities and units"), so
an application's ``input: 150`` is a 150-byte request: the quickstart's 150 KB camera frame then
uploads in well under a millisecond and offloading looks twice as fast as it is, with nothing
said.  Its writer meant "150 KB".  A scenario check (:mod:`offloadsim.scenario.checks`): a warning
per such value of an application's ``input`` or ``output`` or a stage's ``output``, at its key
path, saying how to write it with a unit, read from ``Scenario.document`` through
:mod:`~offloadsim.scenario.plain_numbers` (which holds the threshold and the words) as
``plain-tails`` is.
"""

from __future__ import annotations

from offloadsim.scenario.checks import CheckedRun
from offloadsim.scenario.errors import Problem
from offloadsim.scenario.plain_numbers import PLAIN_SIZE_BELOW, plain_warnings

__all__ = ["PLAIN_SIZE_BELOW", "plain_sizes"]


def plain_sizes(run: CheckedRun) -> list[Problem]:
    """One warning per application ``input``, ``output`` or stage ``output`` written bare, in (0, 1e4)."""
    return plain_warnings(run, "size")
