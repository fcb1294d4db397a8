"""Workload entries that send nothing into the measured window, found before anything runs.

A workload whose arrivals ``stop`` by the end of the warm-up, or ``start``
at or after the run's end, adds no task to the results: a run of it measures
nothing from that entry and, without a word, reads as an idle system.  These
are warnings, not errors: a warm-up made only of one workload's traffic is a
legitimate set-up (its tasks load the system before the measured window).
"""

from __future__ import annotations

from offloadsim.scenario.errors import Problem
from offloadsim.scenario.model import Scenario

__all__ = ["silent_workloads"]


def silent_workloads(scenario: Scenario) -> list[Problem]:
    """One warning per ``workload[i]`` none of whose arrivals can fall in ``[warmup, end)``."""
    warmup, end = scenario.warmup_s, scenario.end_s
    warnings = []
    for i, entry in enumerate(scenario.workload):
        if entry.stop_s is not None and entry.stop_s <= warmup:
            path, why = (
                f"workload[{i}].stop",
                f"its arrivals stop at {entry.stop_s:g} s, by the end of the warm-up at {warmup:g} s",
            )
        elif entry.start_s >= end:
            path, why = (
                f"workload[{i}].start",
                f"its first arrival is at {entry.start_s:g} s, at or after the run's end at {end:g} s",
            )
        else:
            continue
        warnings.append(Problem(scenario.source, path, f"{why}: none of its tasks is measured"))
    return warnings
