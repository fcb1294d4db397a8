"""Arrival processes from a registry: Poisson, periodic with jitter, trace replay, closed loop.

A new process is one module (a frozen dataclass subclassing
:class:`ArrivalProcess`, its keys declared with
:func:`offloadsim.scenario.keys.key`) and one call to
:func:`register_arrival_process`; see docs/architecture.md, "How to add".
"""

from __future__ import annotations

from offloadsim.scenario.arrivals.base import (
    ENTRY_POINT_GROUP,
    ArrivalContext,
    ArrivalProcess,
    ArrivalRun,
    Clock,
    ClosedLoop,
    Submitted,
    arrival_kinds,
    arrival_process,
    arrival_processes,
    register_arrival_process,
    registry_version,
    unregister_arrival_process,
)
from offloadsim.scenario.arrivals.closed import Closed
from offloadsim.scenario.arrivals.periodic import Periodic
from offloadsim.scenario.arrivals.poisson import Poisson
from offloadsim.scenario.arrivals.trace import Trace

__all__ = [
    "ArrivalContext",
    "ArrivalProcess",
    "ArrivalRun",
    "Clock",
    "ClosedLoop",
    "Submitted",
    "Closed",
    "Periodic",
    "Poisson",
    "Trace",
    "arrival_kinds",
    "arrival_process",
    "arrival_processes",
    "register_arrival_process",
    "registry_version",
    "unregister_arrival_process",
    "ENTRY_POINT_GROUP",
]

for _process in (Poisson, Periodic, Trace, Closed):  # the schema lists them in this order
    register_arrival_process(_process)
