"""Room to run: where a command's runs write, for the memory and disk checks made before any work.

The scenario's own check (:mod:`offloadsim.scenario.size`) knows what one
run holds in memory; only the command knows where the run writes (``--out``,
``$TMPDIR``), whether it records stages and how many runs its workers hold
at once.  :mod:`offloadsim.scenario.refusal` decides whether they fit and
what a refusal says; a command that would not fit stops here with that one
line, exit 2, instead of filling the disk or the memory part-way.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from offloadsim.scenario.errors import ScenarioError
from offloadsim.scenario.refusal import TooLarge, experiment_refusal, run_refusal
from offloadsim.scenario.size import RUN_FILE_BYTES, Footprint

if TYPE_CHECKING:
    from offloadsim.scenario.model import Scenario

__all__ = ["check_experiment_room", "check_run_room"]


def check_run_room(scenario: Scenario, out: Path, stages: bool = False) -> None:
    """Refuse a run whose files and spilled records would not fit where its run directory goes.

    They are written beside it (a hidden partial directory) and renamed into place.
    """

    def needs(runs: Sequence[tuple[Footprint, int]], at_once: int) -> dict[Path, float]:
        return {out: sum(footprint.disk_bytes(stages) * count for footprint, count in runs)}

    _refuse(run_refusal(scenario.footprint, scenario.source, needs))


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
    runs them); ``sweep_file``: a sweep's (its job files go to
    ``out/points``), None for a comparison (see :func:`_experiment_needs`
    and :func:`offloadsim.scenario.refusal.experiment_refusal`).
    """

    def needs(footprints: Sequence[tuple[Footprint, int]], together: int) -> dict[Path, float]:
        return _experiment_needs(footprints, out, together, points=sweep_file is not None)

    _refuse(experiment_refusal(runs, needs, at_once, sweep_file))


def _refuse(refusal: TooLarge | None) -> None:
    """Raise the refusal (exit 2, its one line), if any."""
    if refusal is not None:
        raise ScenarioError([refusal.problem()])
