"""A link latency written as a bare number of 1 or more: read as seconds, almost surely meant as ms.

A bare number is a quantity in its SI unit (docs/scenario-format.md, "Quantities and units"), so
``latency: 20`` is 20 s, a propagation delay no network of the edge or the cloud has: its writer
meant "20 ms".  A scenario check (:mod:`offloadsim.scenario.checks`): a warning per such value,
at its key path, saying how to write it with a unit.  Only the plain document tells a bare number
from a string with a unit (the loaded scenario holds seconds either way), so the check reads
``Scenario.document``: ``latency: "1 s"`` is what its writer meant and is not warned of.

It reads a link's ``latency`` and, in each ``dynamics`` entry, the places its kind declares
latencies (``quantity_keys["latency"]``: ``link-schedule``'s ``steps[].latency``,
``gilbert-elliott``'s ``good.latency`` and ``bad.latency``, and ``link-trace``'s
``file:latency``, the ``latency`` column of its CSV file, whose first such cell is warned of at
the entry's ``file`` with its line), as the world's registry of kinds gives them
(``CheckedRun.quantity_keys``), through :mod:`~offloadsim.scenario.plain_numbers`, which holds
the threshold and the words: a kind, built in or a plug-in's, is read by what it declares, and
nothing here names one.
"""

from __future__ import annotations

from offloadsim.scenario.checks import CheckedRun
from offloadsim.scenario.errors import Problem
from offloadsim.scenario.plain_numbers import PLAIN_LATENCY_FROM_S, plain_warnings

__all__ = ["PLAIN_LATENCY_FROM_S", "plain_latencies"]


def plain_latencies(run: CheckedRun) -> list[Problem]:
    """One warning per link latency written as a bare number of at least 1 (seconds, meant as ms)."""
    return plain_warnings(run, "latency")
