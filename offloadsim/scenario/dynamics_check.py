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
:data:`offloadsim.scenario.checks.SHIPPED`.

It reads, in each ``dynamics`` entry, the keys its kind declares the times of its changes
(``change_time_keys``: the schedules' ``steps[].at``, ``failures``' ``start``), as the world's
registry of kinds gives them (``CheckedRun.change_time_keys``): a kind, built in or a
plug-in's, is read by what it declares, and nothing here names one.  What the run misses is
said in the kind's words where it gives them (``missed_changes``: ``failures``' "nothing fails
in the run"), else in the check's: "the run never reaches this step" for an item of a list
(a schedule's steps), "or those after it" where every later item of its list is late too, and
"the run never reaches this change" for another key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from offloadsim.scenario.checks import CheckedRun
from offloadsim.scenario.errors import Problem, format_path, key_pattern, values_at
from offloadsim.scenario.units import UnitError, parse_quantity

__all__ = ["change_times", "late_dynamics"]

#: The keys that set the run's end (warm-up included), which a change at or after it is about too.
_END = ("duration", "warmup")

Part = str | int


def late_dynamics(run: CheckedRun) -> list[Problem]:
    """One warning per ``dynamics[i]`` entry with a change at or after the run's end, at its first."""
    scenario = run.scenario
    end = scenario.end_s
    warnings = []
    for i, entry in enumerate(scenario.dynamics):
        kind = entry.get("kind") if isinstance(entry, Mapping) else None
        if not isinstance(kind, str):
            continue  # the world refuses it, with its own message
        late = _late_change(entry, run.change_time_keys(kind), end, ("dynamics", i))
        if late is not None:
            path, at, what = late
            why = f"{_seconds(at)} is at or after the run's end at {_seconds(end)} (warm-up included)"
            # About the run's end too: a --set or sweep key that moved it made the step late.
            problem = Problem(scenario.source, format_path(path), f"{why}: {what}", also=_END)
            warnings.append(problem)
    return warnings


def _late_change(
    entry: Mapping[str, Any],
    declared: Mapping[str, str | None],
    end: float,
    where: tuple[Part, ...],
) -> tuple[tuple[Part, ...], float, str] | None:
    """The key path of ``entry``'s first change at or after ``end``, its time, and what the run misses.

    ``declared``: the keys below an entry of its kind that hold a change's time, each with what
    the kind says a run that ends before it misses (None: the words here).  The first key
    declared with a late time, at its first late item.
    """
    for pattern, words in declared.items():
        parts = key_pattern(pattern)
        times = change_times(entry, pattern, where)
        for n, (path, at) in enumerate(times):
            if at is None or at < end:
                continue
            if words is not None:
                return path, at, words
            if None not in parts:
                return path, at, "the run never reaches this change"
            # Its list: the same key path up to the innermost list's index.
            item = len(where) + max(k for k, part in enumerate(parts) if part is None)
            later = [t for p, t in times[n + 1 :] if p[:item] == path[:item] and t is not None]
            after = " or those after it" if later and all(t >= end for t in later) else ""
            return path, at, f"the run never reaches this step{after}"
    return None


def change_times(
    entry: Mapping[str, Any], pattern: str, where: tuple[Part, ...]
) -> list[tuple[tuple[Part, ...], float | None]]:
    """Each key path of ``entry`` (at ``where``) that ``pattern`` (``steps[].at``) names, with its time.

    The time in seconds, None where the value is no time (the world's own checks say why).
    Also what ``run --dry-run`` names as the change that holds a link down at 0 s.
    """
    return [(path, _time(value)) for path, value in values_at(entry, key_pattern(pattern), where)]


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
