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

from offloadsim.disk import shortfall
from offloadsim.scenario.errors import ProblemList
from offloadsim.scenario.size import RUN_FILE_BYTES, Footprint, check_disk, check_memory

if TYPE_CHECKING:
    from offloadsim.scenario.model import Scenario

__all__ = ["check_experiment_room", "check_run_room"]

#: The smallest run: one node, no links, no tasks; only its fixed files.
SMALLEST = Footprint(nodes=1)


def check_run_room(scenario: Scenario, out: Path, stages: bool = False) -> None:
    """Refuse a run whose files and spilled records would not fit where its run directory goes.

    They are written beside it (a hidden partial directory) and renamed into place.
    """
    problems = ProblemList(scenario.source)
    needs, smallest = {out: scenario.footprint.disk_bytes(stages)}, {out: SMALLEST.disk_bytes()}
    check_disk(needs, problems, scenario.footprint, smallest=smallest)
    problems.raise_if_any()


def _experiment_needs(
    runs: Sequence[tuple[Footprint, int]], out: Path, at_once: int, points: bool
) -> dict[Path, float]:
    """Bytes by place of ``runs`` (footprint, how many runs of it) with ``at_once`` running together.

    Every run's job file stays until the tables are merged (a sweep keeps
    it in ``out/points``, a comparison in ``$TMPDIR``), and the merged
    tables in ``out`` hold every run's rows.  A job spills its records to
    ``$TMPDIR`` and writes its job file there from them (a sweep's is then
    moved to ``points``, a comparison's kept there, so counted above).
    """
    jobs = sum(footprint.job_file * count for footprint, count in runs)
    merged = RUN_FILE_BYTES + sum(footprint.merged_rows * count for footprint, count in runs)
    largest = max(footprint.spilled() + (footprint.job_file if points else 0) for footprint, _ in runs)
    temporary = Path(tempfile.gettempdir())
    if points:
        return {out: jobs + merged, temporary: largest * at_once}
    return {out: merged, temporary: jobs + largest * at_once}


def check_experiment_room(
    runs: Sequence[tuple[Scenario, int]], out: Path, at_once: int, sweep_file: str | None = None
) -> None:
    """Refuse a compare or sweep whose runs (scenario, how many runs of it) would not fit.

    ``at_once``: runs held together (the local workers; 0 when a cluster
    runs them).  Memory: that many of the largest run.  Disk: each run's
    job file (in ``$TMPDIR`` for a comparison, in ``OUT/points`` for a
    sweep), the merged tables in ``out`` that hold their rows again, and
    the records (and the file written from them) of ``at_once`` runs at a
    time in ``$TMPDIR``.  ``sweep_file``: a sweep's, named where
    its ``set:`` or grid made the runs large, and where the runs are too many.
    Where the largest run alone (as one job) would fit, the runs are too
    many, and the refusal advises fewer; else it names what made that run large.
    """
    if not runs:
        return
    largest = max((scenario for scenario, _ in runs), key=lambda scenario: scenario.footprint.bytes)
    count = sum(count for _, count in runs)
    problems, at, what = ProblemList(largest.source), None, f"this comparison ({count:,} runs)"
    if sweep_file is not None:
        what = f"this sweep ({count:,} runs)"
    if sweep_file is not None and not any(
        largest.footprint.cause(part, "")[0] for part in ("nodes", "links", "workload")
    ):
        # Nothing the sweep file gave made a run large: the sweep file's runs are many.
        problems, at, what = ProblemList(sweep_file), "", f"this sweep ({count:,} runs of {largest.source})"
    if at_once > 1 and not check_memory(largest.footprint, problems, at_once=at_once, at=at):
        problems.raise_if_any()  # one line: the memory, which the disk would not change
    points = sweep_file is not None
    footprints = [(scenario.footprint, n) for scenario, n in runs]
    needs = _experiment_needs(footprints, out, at_once, points)
    heaviest = max((scenario.footprint for scenario, _ in runs), key=lambda footprint: footprint.disk_bytes())
    fewer = None
    if shortfall(_experiment_needs([(heaviest, 1)], out, 1, points)) is None:
        # One run fits, all of them do not: they are too many, which the sweep file or -n sets, or
        # too many spill at once (--workers).
        fewer = "fewer replications (-n) or policies"
        at = ""
        if sweep_file is not None:
            fewer = "fewer replications or points"
            problems, what = ProblemList(sweep_file), f"this sweep ({count:,} runs of {largest.source})"
        if shortfall(_experiment_needs(footprints, out, 1, points)) is None:
            fewer = "fewer --workers"  # all of them, one at a time, would fit
    smallest = _experiment_needs([(SMALLEST, 1)], out, 1, points)
    check_disk(needs, problems, largest.footprint, what, at, smallest=smallest, fewer=fewer)
    problems.raise_if_any()
