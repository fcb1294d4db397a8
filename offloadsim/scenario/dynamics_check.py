"""Timed changes the run never reaches, found before anything runs (a scenario check).

A ``link-schedule`` or ``node-schedule`` step at or after the run's end, or
a ``failures`` entry whose ``start`` is, changes nothing: an edge outage
written ``{at: 30 min, up: false}`` in a 2-minute run (or with ``at``
counted from the end of the warm-up, which it is not) leaves the results
those of a world that never fails, without a word.  A warning, not an
error: a schedule written for a longer run and reused with a shorter
``duration`` is legitimate.  Each warning is about ``duration`` and ``warmup``
too (its ``also``): a ``--set`` or a sweep's key that gave one of them, and
not the step's time, is named as what made the step late.  Registered in
:data:`offloadsim.scenario.checks.SHIPPED`; a plug-in kind's entries are
left to their kind.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from offloadsim.scenario.checks import CheckedRun
from offloadsim.scenario.errors import Problem
from offloadsim.scenario.units import UnitError, parse_quantity

__all__ = ["late_dynamics"]

#: The shipped kinds whose ``steps[i].at`` are times from the start of the run.
_SCHEDULES = ("link-schedule", "node-schedule")
#: The keys that set the run's end (warm-up included), which a change at or after it is about too.
_END = ("duration", "warmup")


def late_dynamics(run: CheckedRun) -> list[Problem]:
    """One warning per ``dynamics[i]`` entry with a change at or after the run's end, at its first."""
    scenario = run.scenario
    end = scenario.end_s
    warnings = []
    for i, entry in enumerate(scenario.dynamics):
        if not isinstance(entry, Mapping):
            continue
        late = _late_key(entry, end)
        if late is not None:
            key, at, what = late
            why = f"{_seconds(at)} is at or after the run's end at {_seconds(end)} (warm-up included)"
            # About the run's end too: a --set or sweep key that moved it made the step late.
            problem = Problem(scenario.source, f"dynamics[{i}].{key}", f"{why}: {what}", also=_END)
            warnings.append(problem)
    return warnings


def _late_key(entry: Mapping[str, Any], end: float) -> tuple[str, float, str] | None:
    """The key of ``entry``'s first change at or after ``end``, its time, and what the run misses."""
    kind = entry.get("kind")
    if kind in _SCHEDULES and isinstance(entry.get("steps"), list):
        steps = entry["steps"]
        for j, step in enumerate(steps):
            at = _time(step.get("at")) if isinstance(step, Mapping) else None
            if at is not None and at >= end:
                after = "" if j == len(steps) - 1 else " or those after it"
                what = f"the run never reaches this step{after}"
                return f"steps[{j}].at", at, what
    elif kind == "failures":
        start = _time(entry.get("start"))
        if start is not None and start >= end:
            return "start", start, "nothing fails in the run"
    return None


def _time(value: Any) -> float | None:
    """``value`` in seconds, or None where it is not a time (the world's own checks say why)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return parse_quantity(value, "time")
    except (UnitError, TypeError, ValueError):
        return None


def _seconds(value: float) -> str:
    return f"{value:g} s"
