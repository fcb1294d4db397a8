"""The breakdowns on the registry (:mod:`offloadsim.analysis.breakdown_registry`): one line each.

A new breakdown is its own module declaring a
:class:`~offloadsim.analysis.breakdown_registry.Breakdown`, and one line here; run, compare and
sweep then compute, write and print it.  The order is that of their tables and files.
"""

from __future__ import annotations

from offloadsim.analysis.breakdown_apps import APPS
from offloadsim.analysis.breakdown_registry import Breakdown, register, registered

__all__ = ["SHIPPED", "registered_breakdowns"]

#: offloadsim's own breakdowns, in the order of their tables.
SHIPPED: tuple[Breakdown, ...] = (APPS,)
for _breakdown in SHIPPED:
    register(_breakdown)


def registered_breakdowns() -> tuple[Breakdown, ...]:
    """Every registered breakdown, the shipped ones first (a test's toy one after them)."""
    return registered()
