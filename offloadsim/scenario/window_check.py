"""What the measured window makes meaningless, found before anything runs (three scenario checks).

A workload whose arrivals ``stop`` by the end of the warm-up, or ``start``
at or after the run's end (or no workload at all), adds no task to the results: a run of it measures
nothing from that entry and, without a word, reads as an idle system; so do some of a trace's
sources whose own times all miss the window.  A single source whose arrivals
are further apart than the window sends one measured task at most.  A
deadline no shorter than the measured time cannot be missed by a task that
completes or is still in flight (a plain ``deadline: 100`` is 100 s, not
100 ms).  These are warnings, not errors: a warm-up made only of one
workload's traffic is a legitimate set-up, and so is a deadline that only
dropped and failed tasks miss.  Each warning is about the keys that set the
window too (its ``also``): ``duration`` and ``warmup`` where the run's end or
the warm-up bounds it (a deadline: ``duration`` alone), an entry's ``start`` or
``stop`` where that does, so a ``--set`` or a sweep's key that gave one of them,
and not the warned key, is named as what made the warning.  All are registered in
:data:`offloadsim.scenario.checks.SHIPPED`.
"""

from __future__ import annotations

from offloadsim.scenario.checks import CheckedRun
from offloadsim.scenario.errors import Problem, format_path
from offloadsim.scenario.model import WorkloadSpec
from offloadsim.scenario.size import measured_window

__all__ = ["lone_arrivals", "silent_workloads", "unmissable_deadlines"]

#: The keys that set the run's end (the warm-up plus ``duration``), the measured window's last edge.
_END = ("duration", "warmup")


def _window_keys(i: int, entry: WorkloadSpec, warmup: float, end: float) -> tuple[str, ...]:
    """The keys that set the edges of ``workload[i]``'s measured time: its warnings' ``also``.

    The time is ``[max(start, warmup), min(stop, end))``: its last edge first (its ``stop``, or
    the run's end: ``duration`` and ``warmup``), then its first (the warm-up, or its ``start``);
    both where the two are equal.
    """
    keys: list[str] = []
    if entry.stop_s is not None and entry.stop_s <= end:
        keys.append(f"workload[{i}].stop")
    if entry.stop_s is None or entry.stop_s >= end:
        keys.extend(_END)
    if warmup >= entry.start_s:
        keys.append("warmup")
    if entry.start_s >= warmup:
        keys.append(f"workload[{i}].start")
    return tuple(dict.fromkeys(keys))


def silent_workloads(run: CheckedRun) -> list[Problem]:
    """One warning per ``workload[i]`` none of whose arrivals can fall in ``[warmup, end)`` (one if none)."""
    scenario = run.scenario
    if not scenario.workload:
        why = "no entry: no task is sent, so the run measures nothing"
        return [Problem(scenario.source, "workload", why)]
    warmup, end = scenario.warmup_s, scenario.end_s
    warnings = []
    for i, entry in enumerate(scenario.workload):
        if measured_window(entry.start_s, entry.stop_s, warmup, end) > 0.0:
            stop = end if entry.stop_s is None else entry.stop_s
            window = _window_keys(i, entry, warmup, end)  # what its arrivals were asked about
            none = entry.arrivals.none_between(entry.start_s, stop, warmup, end)
            if none is not None:
                key, why = none
                warnings.append(
                    Problem(
                        scenario.source,
                        f"workload[{i}].{key}",
                        f"{why}: none of its tasks is measured",
                        also=window,
                    )
                )
                continue
            some = entry.arrivals.sources_none_between(entry.start_s, stop, warmup, end)
            if some is not None:
                key, why = some
                warnings.append(Problem(scenario.source, f"workload[{i}].{key}", why, also=window))
            continue
        also: tuple[str, ...]
        if entry.stop_s is not None and entry.stop_s <= warmup:  # the run's end plays no part
            path, why, also = (
                f"workload[{i}].stop",
                f"its arrivals stop at {entry.stop_s:g} s, by the end of the warm-up at {warmup:g} s",
                ("warmup",),
            )
        else:  # a stop after its start and a warm-up before the end leave this one way
            path, why, also = (
                f"workload[{i}].start",
                f"its first arrival is at {entry.start_s:g} s, at or after the run's end at {end:g} s",
                _END,
            )
        warnings.append(Problem(scenario.source, path, f"{why}: none of its tasks is measured", also=also))
    return warnings


def lone_arrivals(run: CheckedRun) -> list[Problem]:
    """One warning per ``workload[i]`` of one source that makes at most one arrival in the measured window.

    Its measured tasks are then one or none, as chance falls: no latency or rate measured of it
    means anything.  Entries that miss the window altogether are :func:`silent_workloads`' warnings.
    """
    scenario = run.scenario
    warmup, end = scenario.warmup_s, scenario.end_s
    warnings = []
    for i, entry in enumerate(scenario.workload):
        if len(entry.sources) != 1 or measured_window(entry.start_s, entry.stop_s, warmup, end) <= 0.0:
            continue
        stop = end if entry.stop_s is None else entry.stop_s
        lone = entry.arrivals.lone_between(entry.start_s, stop, warmup, end)
        if lone is not None:
            key, why = lone
            also = _window_keys(i, entry, warmup, end)
            warnings.append(Problem(scenario.source, f"workload[{i}].{key}", why, also=also))
    return warnings


def unmissable_deadlines(run: CheckedRun) -> list[Problem]:
    """One warning per requested application whose ``deadline`` is no shorter than the measured time.

    A measured task arrives at or after the warm-up and is judged by the run's end, so its latency
    (or its age, still in flight) is under ``duration``: only dropped and failed tasks miss such a
    deadline.
    """
    scenario = run.scenario
    requested = dict.fromkeys(entry.app for entry in scenario.workload)
    warnings = []
    for name in requested:
        app = scenario.applications.get(name)
        deadline = None if app is None else app.deadline_s
        if deadline is not None and deadline >= scenario.duration_s:
            written = (scenario.document.get("applications") or {}).get(name, {}).get("deadline")
            # said of a bare number only: "deadline: 100 ms" with a 10 ms --set duration was told it too
            bare = isinstance(written, int | float) and not isinstance(written, bool)
            warnings.append(
                Problem(
                    scenario.source,
                    format_path(("applications", name, "deadline")),
                    f"{deadline:g} s is no shorter than the {scenario.duration_s:g} s measured, so no task "
                    "that completes or is still in flight can miss it"
                    + (" (a plain number is in seconds)" if bare else ""),
                    also=("duration",),  # the measured time; the warm-up only moves it
                )
            )
    return warnings
