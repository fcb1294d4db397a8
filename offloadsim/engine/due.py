"""A chain's pending call on the run's calendar (:mod:`offloadsim.engine.environment`).

A module of its own so that a build compiled by mypyc leaves it pure Python:
mypyc compiles only classes whose base is ``object``, and this one's is
``float`` (``benchmarks/mypyc_build.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["Due"]


class Due(float):
    """A chain's pending call: its time (the float itself), its eid from SimPy's counter, and its call.

    The chains' heap compares these as floats, in C, so a comparison reads
    one object where a ``(time, priority, eid, ...)`` tuple is read with its
    float time besides: the city's thousand entries are each touched once in
    a thousand tasks, so every object a pop's comparisons read is a cache
    miss.  Floats cannot order equal times by eid; the environment does that
    itself (:meth:`Calendar._untie`).  The priority is always ``NORMAL``.
    ``at`` is the time again, as an exact float: 3.11 specialises comparisons
    of exact floats only, and a slot reads for less than ``float(due)``.
    """

    __slots__ = ("argument", "at", "call", "eid")

    at: float
    eid: int
    call: Callable[[Any], None]
    argument: Any
