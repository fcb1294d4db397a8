"""What an arrival process's contract methods return, checked once, as its workload entry is read.

``closed_loop()`` and ``mean_rate_per_s()`` are read by the size checks (``served_arrivals``) and,
after the run, by every reader of a run's offered load and closed loops
(``analysis/offered_load.py``: the ``settling``, ``overloaded`` and ``closed_loop`` warnings).  A
plug-in's that returned what the contract does not allow (a user count below 1, a string, a NaN
think time, a negative rate) was read as it came: an internal error deep in a reader (exit 1),
or a warning of numbers that mean nothing.  :func:`returns_problems` asks each once, as the scenario
is resolved, and says one that is not of the contract at the entry's ``arrivals`` in one line naming
the process and the method (exit 2 from ``validate`` and ``run``), with the value tests every
plug-in adapter uses (:mod:`offloadsim.plugin_checks`).  The values are those of a frozen process,
so the readers after it read what was checked.
"""

from __future__ import annotations

from typing import Any

from offloadsim.plugin_checks import number_at_least, whole
from offloadsim.plugins import dotted_name
from offloadsim.scenario.arrivals.base import ArrivalProcess, ClosedLoop

__all__ = ["returned", "returns_problems"]

_RATE = "None or requests a second per source, a finite number at least 0"
_LOOP = (
    "None or ClosedLoop(users, think_s): users per source a whole number at least 1, "
    "their mean think time in seconds a finite number at least 0"
)


def returned(process: ArrivalProcess, value: Any, method: str, expected: str) -> str:
    """The one line refusing what ``process``'s ``method`` returned: ``arrivals: KIND (CLASS) returned ...``.

    >>> from offloadsim.scenario.arrivals import Poisson
    >>> print(returned(Poisson(rate_per_s=1.0), "lots", "expected_arrivals", "a number of arrivals"))
    arrivals: poisson (offloadsim.scenario.arrivals.poisson.Poisson) returned 'lots' from expected_arrivals(); expected a number of arrivals
    """  # noqa: E501
    said = f"returned {value!r} from {method}(); expected {expected}"
    return f"arrivals: {process.kind} ({dotted_name(type(process))}) {said}"


def returns_problems(process: ArrivalProcess) -> list[str]:
    """The lines refusing what ``process``'s ``mean_rate_per_s()`` and ``closed_loop()`` gave: none if sound.

    A rate is None or a finite number >= 0; a loop None or a :class:`ClosedLoop` of at least one
    user (a whole number: numpy's ints too) and a finite think time >= 0.
    """
    problems = []
    rate = process.mean_rate_per_s()
    if rate is not None and not number_at_least(rate):
        problems.append(returned(process, rate, "mean_rate_per_s", _RATE))
    loop = process.closed_loop()
    if loop is not None and not (
        isinstance(loop, ClosedLoop)
        and whole(loop.users)
        and loop.users >= 1
        and number_at_least(loop.think_s)
    ):
        problems.append(returned(process, loop, "closed_loop", _LOOP))
    return problems
