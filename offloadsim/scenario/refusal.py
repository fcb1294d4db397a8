"""Refusals of runs too large for the memory or the disk: what does not fit, where it was set, what to change.

:mod:`offloadsim.scenario.size` counts what a run holds and writes; this
module decides, in one place, what a refusal blames and says: the
``--set`` or sweep key that made a run large (else the scenario's own
part), a place too small for any run, runs too many rather than too large,
and the keys or options to change.  A command says only where its runs
write (:data:`Needs`) and turns the :class:`TooLarge` into its one line.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from offloadsim.disk import shortfall
from offloadsim.field_values import FieldValues
from offloadsim.memory import available_bytes, format_bytes, shortage
from offloadsim.scenario.errors import Problem, ProblemList
from offloadsim.scenario.size import CHANGE_BYTES, HELD_BYTES, TASK_BYTES, Footprint

if TYPE_CHECKING:
    from offloadsim.scenario.model import Scenario

__all__ = [
    "Needs",
    "TooLarge",
    "check_memory",
    "experiment_refusal",
    "memory_refusal",
    "rows_refusal",
    "run_refusal",
]

#: Bytes by place (a run directory, ``$TMPDIR``) that runs (footprint, how many runs of it) write
#: with a number of them running together: what a command knows of where its runs write.
Needs = Callable[[Sequence[tuple[Footprint, int]], int], Mapping[Path, float]]

#: The smallest run: one node, no links, no tasks; only its fixed files.
SMALLEST = Footprint(nodes=1)

_PARTS = ("nodes", "links", "workload")


# eq=False, repr=False: FieldValues's __eq__, __hash__ and __repr__ (issue 12 e: see offloadsim.field_values).
@dataclass(frozen=True, eq=False, repr=False)
class TooLarge(FieldValues):
    """A run, or a command's runs, too large: the one line of a refusal, in its parts.

    ``file`` and ``key``: where what made it too large was set (a scenario
    file and its part, the path of a ``--set``, a sweep file and its
    ``set.KEY`` or ``grid[...]`` key; ``key`` empty for the file as a
    whole); ``what``: what does not fit, and the room there is; ``change``:
    what to do; ``note``: how the key got its value outside the file
    (`` (set by --set "duration=1e7 s")``).
    """

    file: str
    key: str
    what: str
    change: str
    note: str = ""

    @property
    def message(self) -> str:
        """``what; change note``: the refusal's text after its file and key."""
        return f"{self.what}; {self.change}{self.note}"

    def problem(self) -> Problem:
        """The refusal as a scenario problem (file, key path, message)."""
        return Problem(self.file, self.key, self.message)


def memory_refusal(
    footprint: Footprint, file: str, key: str | None = None, at_once: int = 1, at: str | None = None
) -> TooLarge | None:
    """The refusal of runs that would not fit in memory, None if they fit (or the memory is unknown).

    At ``key`` of ``file`` (a trace's, whose rows are what is large), else
    where what made the heaviest part large was given (:func:`_blame`),
    else at ``at`` (default: the heaviest part).  ``at_once``: runs held in
    memory together (the worker processes of a compare or sweep).
    """
    available = available_bytes()
    needed = footprint.bytes * at_once
    if available is None or needed <= available:
        return None
    if at_once == 1:
        what, change = f"a run of this scenario needs about {format_bytes(needed)}", ""
    else:
        what = f"{at_once} runs at once (one per worker) need about {format_bytes(needed)}"
        change = "use fewer --workers, "
    part = footprint.largest()
    if key is None:
        file, key, note = _blame(footprint, part, file, at)
        change += f"make it smaller or shorter{_keys(footprint, part)}"
    else:
        note = ""
        change += "make it smaller or shorter"
    each = " each" if at_once > 1 else ""
    return TooLarge(
        file,
        key,
        f"{what} of memory ({_counts(footprint)}{each}), but only {format_bytes(available)} is available",
        f"{change}, or run it on a machine with more memory",
        note,
    )


def rows_refusal(
    footprint: Footprint,
    rows: int,
    file: str,
    row_bytes: float = TASK_BYTES + HELD_BYTES,
    holding: str = "their times",
    table: str = "trace",
) -> str | None:
    """The refusal of a run of ``footprint`` holding ``rows`` rows read from ``file``, None if they fit.

    Asked with the file's line count, before its rows are read (:func:`~offloadsim.scenario.csvdata.
    read_trace` and the other readers of a scenario's tables), each row taking ``row_bytes``
    (measured for each reader, :data:`~offloadsim.scenario.size.SAMPLE_BYTES` and the rest; a
    trace's row is a task and its time held, :data:`~offloadsim.scenario.size.HELD_BYTES`): a file
    of 256 MiB of tiny rows (the most a reader takes) would need 1.6 GB (positions) to 8.7 GB (a
    trace) before any check after reading could refuse it.  ``holding`` (``their times``) and
    ``table`` (``trace``) say what a row is and what to shorten.
    """
    return _beside(
        footprint,
        rows * row_bytes,
        lambda short: (
            f"{file} holds up to {rows:,} rows (one a line): holding {holding}, a run of this "
            f"scenario {short}; use a shorter {table}, or run it on a machine with more memory"
        ),
    )


def changes_refusal(footprint: Footprint, changes: float, end_s: float) -> str | None:
    """The refusal of a run of ``footprint`` whose dynamics entry makes ``changes`` changes; None if they fit.

    Each change is kept until the run ends (:data:`~offloadsim.scenario.size.CHANGE_BYTES`): a day
    of a 10 ms trace on four links is 34.6 million changes, some 10 GB, which a run would otherwise
    find out only by running out of memory hours into it.
    """
    return _beside(
        footprint,
        changes * CHANGE_BYTES,
        lambda short: (
            f"changes the world about {changes:,.0f} times in a run of {end_s:g} s (warm-up "
            "and duration), each kept in memory until the run ends (the link_changes table and the links' "
            f"time-weighted means, about {CHANGE_BYTES} bytes a change): a run of this scenario {short}; "
            "make it change less often or the run shorter, or run it on a machine with more memory"
        ),
    )


def _beside(footprint: Footprint, extra: float, refusal: Callable[[str], str]) -> str | None:
    """``refusal`` of :func:`shortage`'s words where ``extra`` bytes more would not fit; else None."""
    short = shortage(footprint.bytes + extra, available_bytes())
    return None if short is None else refusal(short)


def check_memory(footprint: Footprint, problems: ProblemList, key: str | None = None) -> bool:
    """Add :func:`memory_refusal`'s refusal to ``problems`` if a run would not fit; True if it fits."""
    refusal = memory_refusal(footprint, problems.file, key)
    if refusal is not None:
        problems.add(refusal.key, refusal.message, file=refusal.file)
    return refusal is None


def run_refusal(footprint: Footprint, file: str, needs: Needs) -> TooLarge | None:
    """The refusal of a run whose files and records would not fit where it writes, None if they fit."""
    return _disk_refusal(needs, [(footprint, 1)], 1, footprint, file, "a run of this scenario")


def experiment_refusal(
    runs: Sequence[tuple[Scenario, int]], needs: Needs, at_once: int, sweep_file: str | None = None
) -> TooLarge | None:
    """The refusal of a compare's or sweep's runs (scenario, how many runs of it), None if they fit.

    ``at_once``: runs held together (the local workers; 0 when a cluster
    runs them).  Memory: that many of the largest run.  Disk: ``needs``.
    ``sweep_file``: a sweep's, named where its ``set:`` or grid made the
    runs large, and where the runs are too many.  Where the largest run
    alone (as one job) would fit, the runs are too many, and the refusal
    advises fewer; else it names what made that run large.
    """
    if not runs:
        return None
    largest = max((scenario for scenario, _ in runs), key=lambda scenario: scenario.footprint.bytes)
    count = sum(count for _, count in runs)
    file, at, what = largest.source, None, f"this comparison ({count:,} runs)"
    if sweep_file is not None:
        what = f"this sweep ({count:,} runs)"
        if not any(_blame(largest.footprint, part, "")[0] for part in _PARTS):
            # Nothing the sweep file gave made a run large: the sweep file's runs are many.
            file, at, what = sweep_file, "", f"this sweep ({count:,} runs of {largest.source})"
    if at_once > 1:
        refusal = memory_refusal(largest.footprint, file, at_once=at_once, at=at)
        if refusal is not None:
            return refusal  # the memory, which the disk would not change
    footprints = [(scenario.footprint, n) for scenario, n in runs]
    heaviest = max((footprint for footprint, _ in footprints), key=lambda footprint: footprint.disk_bytes())
    fewer = None
    if shortfall(needs([(heaviest, 1)], 1)) is None:
        # One run fits, all of them do not: they are too many, which the sweep file or -n sets, or
        # too many spill at once (--workers).
        fewer, at = "fewer replications (-n) or policies", ""
        if sweep_file is not None:
            fewer, file, what = (
                "fewer replications or points",
                sweep_file,
                f"this sweep ({count:,} runs of {largest.source})",
            )
        if shortfall(needs(footprints, 1)) is None:
            fewer = "fewer --workers"  # all of them, one at a time, would fit
    return _disk_refusal(needs, footprints, at_once, largest.footprint, file, what, at, fewer)


def _disk_refusal(
    needs: Needs,
    runs: Sequence[tuple[Footprint, int]],
    at_once: int,
    footprint: Footprint,
    file: str,
    what: str,
    at: str | None = None,
    fewer: str | None = None,
) -> TooLarge | None:
    """The refusal of ``runs`` whose bytes by place (``needs``) do not fit on their disks, None if they fit.

    Places on one file system share its free space.  The refusal is at the
    heaviest part of ``footprint`` (the largest run's, or ``at``), or where
    what made it heavy was given (:func:`_blame`).  Two cases name no part:
    where even the smallest run (its fixed files, no tasks) does not fit,
    nothing in the scenario can make room, and only another place is
    advised; where ``fewer`` is given (the runs are too many, not too large:
    ``fewer replications (-n)``), the refusal is at ``at`` in ``file`` and
    advises that.  None also where the free space cannot be read.
    """
    short = shortfall(needs(runs, at_once))
    if short is None:
        return None
    # Name only what moves the places that are short: a run's own directory moves with --out (its
    # records spill beside it), compare's and sweep's scratch files with TMPDIR.
    temporary = Path(tempfile.gettempdir())
    movers = ["--out"] if any(place != temporary for place in short.where) else []
    if temporary in short.where:
        movers.append("TMPDIR")
    elsewhere = f"write elsewhere ({', '.join(movers)})"
    key, note = at or "", ""
    smallest = needs([(SMALLEST, 1)], 1)
    if shortfall(smallest) is not None:
        change = (
            f"that is too little for any run (one of no tasks writes about "
            f"{format_bytes(sum(smallest.values()))}); free space or {elsewhere}"
        )
    elif fewer is not None:
        change = f"use {fewer}, or free space or {elsewhere}"
    else:
        part = footprint.largest(disk=True)
        file, key, note = _blame(footprint, part, file, at)
        kind = "shorter" if part == "workload" else "smaller"
        change = f"make it {kind}{_keys(footprint, part)}, or free space or {elsewhere}"
    return TooLarge(
        file,
        key,
        f"{what} writes about {format_bytes(short.needed)} to {' and '.join(map(str, short.where))} "
        f"(its records and files while they are written), but only {format_bytes(short.free)} is free there",
        change,
        note,
    )


def _blame(footprint: Footprint, part: str, file: str, at: str | None = None) -> tuple[str, str, str]:
    """Where a refusal of ``part`` points: ``(file, key path, note)``.

    The last key given by a ``--set`` or a sweep (its point's after its
    ``set:``) that is one of the part's keys, or a key above one
    (``--set nodes.phone={count: ...}``), is what made the scenario this
    large; else ``file`` at ``at`` (default: ``part``).
    """
    keys = footprint.keys_of(part)
    for path, where in reversed(footprint.set_by):
        if any(key == path or key.startswith((path + ".", path + "[")) for key in keys):
            return where.file, where.key, f" ({where.note})"
    return file, part if at is None else at, ""


def _keys(footprint: Footprint, part: str) -> str:
    """`` (change duration, workload[0].rate or nodes.phone.count)``: what to change; '' if not known."""
    keys = footprint.keys_of(part)
    if not keys:
        return ""
    return f" (change {keys[0]})" if len(keys) == 1 else f" (change {', '.join(keys[:-1])} or {keys[-1]})"


def _counts(footprint: Footprint) -> str:
    """``500,000 nodes (400,000 computing), 1,000,000 links, about 2,000,000 tasks``."""
    tasks = (
        f"about {footprint.tasks:,.0f} tasks" if math.isfinite(footprint.tasks) else "unboundedly many tasks"
    )
    nodes = f"{footprint.nodes:,} node{'' if footprint.nodes == 1 else 's'}"
    links = f"{footprint.links:,} link{'' if footprint.links == 1 else 's'}"
    return f"{nodes} ({footprint.processors:,} computing), {links}, {tasks}"
