"""The breakdowns on the registry (:mod:`offloadsim.analysis.breakdown_registry`): one line each.

A new breakdown is its own module declaring a
:class:`~offloadsim.analysis.breakdown_registry.Breakdown`, and one line here; another
distribution's declares it under the entry-point group :data:`ENTRY_POINT_GROUP` (read on the
first look-up in each process, pool workers included, as the run metrics' are), and one a script
registers travels to compare's and sweep's workers (:mod:`offloadsim.experiments.carried_registries`).
Run, compare and sweep then compute, write and print it.  The order is that of their tables and files.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from offloadsim.analysis.breakdown_apps import APPS
from offloadsim.analysis.breakdown_registry import Breakdown, code_module, register, registered
from offloadsim.plugins import NamedPlugins

__all__ = [
    "ENTRY_POINT_GROUP",
    "PLUGINS",
    "SHIPPED",
    "breakdown_files",
    "breakdown_plugins",
    "registered_breakdowns",
]

#: offloadsim's own breakdowns, in the order of their tables.
SHIPPED: tuple[Breakdown, ...] = (APPS,)
for _breakdown in SHIPPED:
    register(_breakdown, shipped=True)


#: The entry-point group other distributions declare breakdowns in (each entry a ``Breakdown``
#: named as the entry).
ENTRY_POINT_GROUP = "offloadsim.breakdowns"
#: The front end of the registry: the breakdowns other distributions declare, read on the first
#: look-up in each process.
_FRONT = NamedPlugins(ENTRY_POINT_GROUP, "breakdown", Breakdown, register, registered)
PLUGINS = _FRONT.group


def registered_breakdowns() -> tuple[Breakdown, ...]:
    """Every registered breakdown, the shipped ones first (entry points read once; a test's toy one after)."""
    return _FRONT.all()


def breakdown_plugins() -> list[dict[str, Any]]:
    """The registered breakdowns not offloadsim's own, as a manifest's ``plugins`` lists what a run used.

    Each ``{"group": "offloadsim.breakdowns", "name", "distribution", "version", "code"}``, or,
    registered in this process (a script's, a test's), ``"distribution": None`` and the ``module`` of
    its code (:func:`offloadsim.plugins.provenance`).  A breakdown's numbers are in every job file, so
    a job summarised by another breakdown's code has another key and runs again.  None where only
    offloadsim's are registered, so a run or job of those keeps its manifest's ``plugins`` and its key.
    """
    shipped = {id(breakdown) for breakdown in SHIPPED}
    return _FRONT.used(
        lambda breakdown: id(breakdown) in shipped, lambda breakdown: code_module(breakdown) or None
    )


def breakdown_files(files: Sequence[str]) -> list[str]:
    """``files`` (a directory's), with each registered breakdown's file not among them after them.

    >>> breakdown_files(["summary.csv", "apps.csv", "manifest.json"])
    ['summary.csv', 'apps.csv', 'manifest.json']
    """
    return [*files, *(breakdown.file for breakdown in registered_breakdowns() if breakdown.file not in files)]
