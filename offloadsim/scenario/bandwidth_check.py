"""A bandwidth written as a bare number below 10,000: read as bit/s, almost surely meant as Mb/s.

A bare number is a quantity in its SI unit (docs/scenario-format.md, "Quantities and units"), so
``bandwidth: 20`` is 20 bit/s: a 150 KB frame then takes 17 hours to upload, and the run ends with
every offloaded task in flight, without a word.  Its writer meant "20 Mbps".  A scenario check
(:mod:`offloadsim.scenario.checks`): a warning per such value, at its key path, saying how to write
it with a unit.  Only the plain document tells a bare number from a string with a unit (the loaded
scenario holds bit/s either way), so the check reads ``Scenario.document``, as
:mod:`offloadsim.scenario.latency_check` does for latencies.

It reads a link's ``bandwidth`` and ``reverse_bandwidth`` and, in each ``dynamics`` entry, the
places its kind declares bandwidths (``quantity_keys["bandwidth"]``: ``link-schedule``'s steps,
``gilbert-elliott``'s states, ``random-walk``'s ``step``, ``min``, ``max`` and ``start``,
``link-trace``'s ``bandwidth`` and ``reverse_bandwidth`` columns, the first such cell of each
warned of at the entry's ``file``) or frequencies (``quantity_keys["frequency"]``: a
``mobility`` entry's ``radio.bandwidth``, a band in Hz: a bare ``20`` is 20 Hz, meant as 20 MHz),
as the world's registry of kinds gives them, through :mod:`~offloadsim.scenario.plain_numbers`,
which holds the threshold and the words; nothing here names a kind.  Zero is 0 in any unit (a
stalled link, on purpose) and is not warned of.
"""

from __future__ import annotations

from offloadsim.scenario.checks import CheckedRun
from offloadsim.scenario.errors import Problem
from offloadsim.scenario.plain_numbers import PLAIN_BANDWIDTH_BELOW, plain_warnings

__all__ = ["PLAIN_BANDWIDTH_BELOW", "plain_bandwidths"]


def plain_bandwidths(run: CheckedRun) -> list[Problem]:
    """One warning per bandwidth (or radio band) written as a bare number above 0 and below 10,000."""
    return [*plain_warnings(run, "bandwidth"), *plain_warnings(run, "frequency")]
