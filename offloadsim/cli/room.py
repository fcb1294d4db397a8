"""Room to run: the memory and disk checks that depend on the command line, made before any work.

The scenario's own check (:mod:`offloadsim.scenario.size`) knows what one
run holds in memory; only the command knows where the run writes (``--out``,
``$TMPDIR``), whether it records stages and how many runs its workers hold
at once.  A command that would not fit stops here with one line, exit 2,
instead of filling the disk or the memory part-way.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from offloadsim.scenario.errors import ProblemList
from offloadsim.scenario.size import check_disk, check_memory

if TYPE_CHECKING:
    from offloadsim.scenario.model import Scenario

__all__ = ["check_experiment_room", "check_run_room"]


def check_run_room(scenario: Scenario, out: Path, stages: bool = False) -> None:
    """Refuse a run whose files and spilled records would not fit where its run directory goes.

    They are written beside it (a hidden partial directory) and renamed into place.
    """
    problems = ProblemList(scenario.source)
    check_disk({out: scenario.footprint.disk_bytes(stages)}, problems, scenario.footprint)
    problems.raise_if_any()


def check_experiment_room(
    runs: Sequence[tuple[Scenario, int]], out: Path, at_once: int, sweep_file: str | None = None
) -> None:
    """Refuse a compare or sweep whose runs (scenario, how many runs of it) would not fit.

    ``at_once``: runs held together (the local workers; 0 when a cluster
    runs them).  Memory: that many of the largest run.  Disk: each run's
    task file (in ``$TMPDIR`` for a comparison, in ``OUT/points`` for a
    sweep: ``points``), the merged tables in ``out`` that hold them all
    again, and the records (and the file written from them) of ``at_once``
    runs at a time in ``$TMPDIR``.  ``sweep_file``: a sweep's, named where
    its ``set:`` or grid made the runs large, and where the runs are too many.
    """
    points = sweep_file is not None
    if not runs:
        return
    largest = max((scenario for scenario, _ in runs), key=lambda scenario: scenario.footprint.bytes)
    problems, at, count = ProblemList(largest.source), None, sum(count for _, count in runs)
    what = f"{'this sweep' if points else 'this comparison'} ({count:,} runs)"
    if sweep_file is not None and not any(
        largest.footprint.cause(part, "")[0] for part in ("nodes", "links", "workload")
    ):
        # Nothing the sweep file gave made a run large: the sweep file's runs are many.
        problems, at, what = ProblemList(sweep_file), "", f"this sweep ({count:,} runs of {largest.source})"
    if at_once > 1 and not check_memory(largest.footprint, problems, at_once=at_once, at=at):
        problems.raise_if_any()  # one line: the memory, which the disk would not change
    files = sum(scenario.footprint.run_files * count for scenario, count in runs)
    # A job spills its records to $TMPDIR and writes its task file there from them.
    spilled = max(scenario.footprint.disk_bytes() for scenario, _ in runs) * at_once
    temporary = Path(tempfile.gettempdir())
    needs = {out: files * 2, temporary: spilled} if points else {out: files, temporary: files + spilled}
    check_disk(needs, problems, largest.footprint, what, at)
    problems.raise_if_any()
