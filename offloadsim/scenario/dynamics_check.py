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

Its mirror, ``early-dynamics``: an entry all of whose changes (two or more) fall inside the
warm-up, before measurement starts, is measured by nothing: a node-schedule going down at
``50 ms`` and up at ``80 ms``, where seconds were meant, or steps counted from the end of the
warm-up (which they are not), leave the results those of a world that never failed.  The
measured time sees only what they left: the state of the last, and a backlog that may spill
over (an outage meant to load the system before measurement is legitimate: a warning, which
``skip_checks`` silences, not an error).  An entry of a single change in the
warm-up (a link slowed for good, a ``failures`` entry's ``start``) is its state from then on,
not warned of.

A third, ``unchanging-steps``: a stated step that sets a node to the state its entry already
holds it in changes nothing.  A ``node-schedule`` whose first step is ``up: true`` (nodes start
up), or a step ``up: false`` after another ``up: false``, is most often a mistyped state or time
(``{at: 40 s, up: false}`` where ``up: true`` was meant leaves the node down to the end).  A
warning at the step, naming the earlier step that set the state (its ``also``: a ``--set`` of
either may have made it so), not an error: the run is well defined and does what the file says.
Which steps those are is the world's to say (``CheckedRun.unchanging_steps``, from each kind's
``node_changes``: an entry's ``up`` ends its own outage only, never another's, so a step that
holds down a node another entry has down is not of them).

Neither of the first two reads an entry that starts each run at its own drawn point of its changes (a looped
``link-trace`` with ``offset: random``, by its kind's ``random_start_keys``): a 180 s loop with rows at
0, 60 and 120 s was warned of in a 40 s run as keeping its first values throughout, while most
replications' links changed in the run.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from offloadsim.scenario.checks import CheckedRun
from offloadsim.scenario.errors import Problem, format_path, key_place, values_at
from offloadsim.scenario.timestamps import seconds_after, timestamp
from offloadsim.scenario.units import UnitError, parse_quantity, unit_factor
from offloadsim.suggest import quoted_listing

__all__ = ["change_times", "early_dynamics", "late_dynamics", "unchanging_steps"]

#: The keys that set the run's end (warm-up included), which a change at or after it is about too.
_END = ("duration", "warmup")

Part = str | int


def late_dynamics(run: CheckedRun) -> list[Problem]:
    """One warning per ``dynamics[i]`` entry with a change at or after the run's end, at its first."""
    scenario = run.scenario
    end = scenario.end_s
    warnings = []
    for i, entry, kind in _entries(run):
        late = _late_change(entry, run.change_time_keys(kind), end, ("dynamics", i), scenario.base_dir)
        if late is not None:
            path, at, what = late
            why = f"{_seconds(at)} is at or after the run's end at {_seconds(end)} (warm-up included)"
            # About the run's end too: a --set or sweep key that moved it made the step late.
            problem = Problem(scenario.source, format_path(path), f"{why}: {what}", also=_END)
            warnings.append(problem)
    return warnings


def early_dynamics(run: CheckedRun) -> list[Problem]:
    """One warning per ``dynamics[i]`` entry whose changes (two or more) all fall inside the warm-up."""
    scenario = run.scenario
    start = scenario.warmup_s
    warnings = []
    for i, entry, kind in _entries(run):
        given = [
            (path, at)
            for pattern in run.change_time_keys(kind)
            for path, at in change_times(entry, pattern, ("dynamics", i), scenario.base_dir)
        ]
        times = [(path, at) for path, at in given if at is not None and at < start]
        if len(times) < 2 or len(times) < len(given):
            continue  # a change in the measured time (or none known): measured
        last_path, last = max(times, key=lambda t: t[1])
        first = min(at for _, at in times)
        why = (
            f"all its changes ({_seconds(first)} to {_seconds(last)}) fall inside the warm-up, which ends "
            f"at {_seconds(start)}: none is measured, only what they leave (its state, a backlog; times "
            "are from the run's start, warm-up included; seconds where ms were written?)"
        )
        warnings.append(Problem(scenario.source, format_path(last_path), why, also=("warmup",)))
    return warnings


def unchanging_steps(run: CheckedRun) -> list[Problem]:
    """One warning per stated step before the run's end that sets its nodes to the state they are in."""
    scenario = run.scenario
    found = run.unchanging_steps() if scenario.dynamics else None
    warnings = []
    for path, (nodes, up, previous) in (found or {}).items():
        state = "up" if up else "down"
        them = "it" if len(nodes) == 1 else "them"
        if previous is None:
            why = f"nodes start up and this entry has not taken {them} down before"
        else:
            why = f"the entry's step at {previous} already set {them} {state}"
        message = (
            f"sets {quoted_listing(nodes)} {state}, but {why}: this step changes nothing "
            f"(a mistyped time or state{', or a missing step before it' if previous is None else ''}?)"
        )
        warnings.append(Problem(scenario.source, path, message, also=() if previous is None else (previous,)))
    return warnings


def _entries(run: CheckedRun) -> Iterator[tuple[int, Mapping[str, Any], str]]:
    """Each ``dynamics`` entry with its index and kind (one without a kind the world refuses itself).

    Not one that starts each run at its own drawn point of its changes (a looped ``link-trace``'s
    ``offset: random``, as its kind declares): its stated times are not where a run's changes fall.
    """
    for i, entry in enumerate(run.scenario.dynamics):
        kind = entry.get("kind") if isinstance(entry, Mapping) else None
        if isinstance(kind, str) and not any(key in entry for key in run.random_start_keys(kind)):
            yield i, entry, kind


def _late_change(
    entry: Mapping[str, Any],
    declared: Mapping[str, str | None],
    end: float,
    where: tuple[Part, ...],
    folder: str | Path | None = None,
) -> tuple[tuple[Part, ...], float, str] | None:
    """The key path of ``entry``'s first change at or after ``end``, its time, and what the run misses.

    ``declared``: the keys below an entry of its kind that hold a change's time, each with what
    the kind says a run that ends before it misses (None: the words here).  The first key
    declared with a late time, at its first late item.
    """
    for pattern, words in declared.items():
        parts, _ = key_place(pattern)
        times = change_times(entry, pattern, where, folder)
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
    entry: Mapping[str, Any], pattern: str, where: tuple[Part, ...], folder: str | Path | None = None
) -> list[tuple[tuple[Part, ...], float | None]]:
    """Each key path of ``entry`` (at ``where``) that ``pattern`` (``steps[].at``) names, with its time.

    The time in seconds, None where the value is no time (the world's own checks say why).  A
    pattern with a column (``file:time``) names the key holding a CSV file's path (relative to
    ``folder``, the scenario's), with the time of the file's first change after the run's start:
    its first row's, or its second's where the first is at 0 s.  Also what ``run --dry-run``
    names as the change that holds a link down at 0 s.  An entry whose ``start`` is a timestamp
    (an operator's outage log) reads the file's times as timestamps, in seconds after it.
    """
    parts, column = key_place(pattern)
    if column is None:
        return [(path, _time(value)) for path, value in values_at(entry, parts, where)]
    base = Path(folder) if folder else Path()
    read = timestamp(entry.get("start"))
    epoch = read if isinstance(read, datetime) else None  # what is wrong with it, the world says
    return [
        (path, _first_cell(base / value, column, epoch) if isinstance(value, str) and value else None)
        for path, value in values_at(entry, parts, where)
    ]


#: How much of a file :func:`_first_cell` reads at the most: its header and first row are in it.
_HEAD_BYTES = 1 << 16


def _first_cell(path: Path, column: str, epoch: datetime | None = None) -> float | None:
    """The time in ``column`` of the first row after 0 s of the CSV file at ``path`` (of its first two).

    None where it cannot be read, or the file has one row at 0 s.  Read as the world reads it (a
    header row, then rows; ``#`` comments and blank lines passed over); whatever is wrong with the
    file, the world refuses it with its own message.
    """
    try:
        with path.open("rb") as file:
            head = file.read(_HEAD_BYTES).decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    rows = [
        [cell.strip() for cell in line.split(",")]
        for line in head.splitlines()[:-1] + ([] if len(head) == _HEAD_BYTES else head.splitlines()[-1:])
        if line.strip() and not line.lstrip().startswith("#")
    ]
    from offloadsim.scenario.csvdata import named_column  # read where a file is named

    # Named as the world names its columns: whatever the case, a unit the header states apart
    # (``time (ms)``: its bare cells are milliseconds; a unit the world refuses, refused there).
    named = [named_column(cell) for cell in rows[0]] if rows else []
    at = next((i for i, (name, _) in enumerate(named) if name == column), None)
    if len(rows) < 2 or at is None:
        return None
    unit = named[at][1]
    try:
        factor = 1.0 if unit is None else unit_factor(unit, "time")
    except UnitError:
        return None
    first = _cell_time(rows, 1, at, factor, epoch)
    return _cell_time(rows, 2, at, factor, epoch) if first == 0.0 else first


def _cell_time(
    rows: list[list[str]], row: int, at: int, factor: float, epoch: datetime | None = None
) -> float | None:
    """The time in column ``at`` of ``rows[row]`` (the header is row 0), None where there is none.

    ``factor``: the header's unit, to seconds, which a bare number is read in; ``epoch``: the
    timestamp that is time 0, where the cells are timestamps.
    """
    if len(rows) <= row or len(rows[row]) != len(rows[0]):
        return None
    cell = rows[row][at]
    if epoch is not None:
        seconds = seconds_after(epoch, cell)
        return None if isinstance(seconds, str) else seconds
    try:
        return float(cell) * factor  # a bare number: seconds or the header's unit, as the world reads it
    except ValueError:
        return _time(cell)


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
