"""A pending light call on the run's calendar (:mod:`offloadsim.engine.environment`).

A module of its own so that a build compiled by mypyc leaves it pure Python:
mypyc compiles only classes whose base is ``object``, and this one's is
``float`` (``benchmarks/mypyc_build.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["Due"]


class Due(float):
    """A pending light call: its time (the float itself, and ``at``), its eid from SimPy's counter, its call.

    The calendar's heaps compare these as floats, in C: one comparison of
    floats where a ``(time, priority, eid, ...)`` tuple's took three (its
    times equal? then less?, each through the generic rich comparison), and
    one object read where a tuple is read with its float time besides (the
    city's thousand chain entries are each touched once in a thousand tasks,
    so every object a pop's comparisons read is a cache miss).  Floats cannot
    order equal times by eid; the calendar does that itself
    (:meth:`Calendar._untie`).  The priority is always ``NORMAL``.  ``at`` is
    the time as an exact float, for the calendar's comparisons and its
    clock: 3.11 specialises comparisons of exact floats only, and reads a
    slot for less than ``float(due)`` costs.
    """

    __slots__ = ("argument", "at", "call", "eid")

    at: float
    eid: int
    call: Callable[[Any], None]
    argument: Any
