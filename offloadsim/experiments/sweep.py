"""Sweeps: a grid of scenario variants × replications, run in parallel, resumable, merged into tidy tables.

The sweep file is read and its jobs planned by :mod:`offloadsim.experiments.sweep_spec`;
this module runs them.  Each point × replication is one job.  A finished job is written at once to
``OUT/points/<key>.parquet`` (tmp + rename), named by a hash of its whole
scenario document and replication, so a rerun skips it.  When every job has
finished, :mod:`offloadsim.experiments.sweep_merge` merges the tables in job order,
whatever ran where.  The output folder is locked while a sweep writes it, and a
sweep that fails leaves what finished saved and nothing half-written.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as _dt
import json
import logging
import math
import os
import time
import warnings
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from offloadsim.analysis.breakdown_list import registered_breakdowns
from offloadsim.errors import argument, user_errors
from offloadsim.experiment_defaults import POLICY_TIMEOUT_S
from offloadsim.experiments.dask_cluster import SchedulerLost
from offloadsim.experiments.executors import JobFailure, PoolDied, default_workers, execute, progress_bar
from offloadsim.experiments.jobs import (
    Job,
    JobResult,
    save_job_file,
)
from offloadsim.experiments.storage import ExperimentError, JobMeta
from offloadsim.outdir import (
    LOCK_FILE,
    HeldLock,
    ResultsError,
    check_writable_parent,
    describe_os_error,
    directory_lock,
    holds_non_directory,
    is_result_directory,
    missing_directories,
    move_aside,
    out_not_a_directory,
    out_path,
    remove_stale_temporaries,
    write_text,
)
from offloadsim.progress import ticking
from offloadsim.records.spill import SpilledTable
from offloadsim.scenario import (
    Problem,
)
from offloadsim.scenario.errors import (
    KeyPathError,
)

if TYPE_CHECKING:
    pass
from offloadsim.experiments.sweep_merge import (
    PointNotes,
    SweepResult,
    jobs_by_key,
    merge_sweep,
    reusable_job_file,
)
from offloadsim.experiments.sweep_other_code import saved_by_other_code
from offloadsim.experiments.sweep_spec import (
    SweepSpec,
    default_sweep_dir,
    load_sweep,
    located,
    plan_sweep,
    refusal_problem,
)

__all__ = [
    "JobFileWarning",
    "JobsFailedError",
    "check_sweep_out",
    "point_notes",
    "point_world_notes",
    "sweep",
]


def point_world_notes(
    spec: SweepSpec,
    point: Mapping[str, Any],
    scenario: Any,
    world: Any,
    ahead: bool = False,
    computed: Collection[tuple[str, ...]] | None = None,
) -> list[str]:
    """The notes of one point's built ``world`` (None: none), its ``policies`` entry called by its label.

    What :func:`sweep` says of each point it plans (``plan_sweep``'s ``with_world``) once its runs
    have run (``computed``: the ``(node, processor)`` pairs and ``(application, node, processor)``
    triples they computed on, :func:`~offloadsim.analysis.notes.computed_by`; None: where they may),
    and the command line's dry run lists (``ahead``: of where its runs would be allowed to compute,
    none having run).
    """
    from offloadsim.analysis.notes import world_notes
    from offloadsim.world.notes.accuracy import paired_dropped

    label = spec.entry_label(point)  # a policies entry with parameters, as the table and notes call it
    # a precision zipped with a plain speed has its own rate: "int8 runs no faster" is not said
    ran = None if computed is None else {"": computed}
    notes = world_notes(scenario, None, world, [label] if label else None, ran, ahead)
    return paired_dropped(notes, spec.zipped)


def point_notes(
    spec: SweepSpec, point: Mapping[str, Any], scenario: Any, world: Callable[[], Any]
) -> PointNotes:
    """What says a point's world's notes once its runs have run, of where they computed.

    ``world``: the point's :class:`~offloadsim.api.WorldOnce` its planning built for its checks
    (read again only where it was not): a sweep's notes were decided while planning, and said
    "applications.alexnet ... on t4" of every point of ``sweep-neurosurgeon`` where AlexNet reached
    the T4 at some only.
    """

    def notes(computed: Collection[tuple[str, ...]] | None) -> Sequence[str]:
        return point_world_notes(spec, point, scenario, world(), computed=computed)

    return notes


class JobsFailedError(ExperimentError):
    """Some jobs of a sweep raised; the finished ones are saved and a rerun retries the rest."""

    def __init__(self, message: str, failures: Sequence[JobFailure]):
        super().__init__(message)
        self.failures = list(failures)


def sweep(
    sweep_file: str | Path | SweepSpec,
    *,
    out: str | Path | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = False,
    policy_timeout: float | None = POLICY_TIMEOUT_S,
    jobs: Sequence[Job] | None = None,
    world_notes: Sequence[str] | Mapping[int, Sequence[str] | PointNotes] | None = None,
) -> SweepResult:
    """Run a sweep (file or :class:`SweepSpec`) into ``out`` and return the merged result.

    A sweep always writes its jobs' results, to resume from: into ``out``, else into
    ``results/<sweep name>`` under the working directory, as the command does
    (:func:`~offloadsim.experiments.sweep_spec.default_sweep_dir`).

    Jobs already finished in ``out/points`` are reused; the others run on
    ``workers`` local processes (default: all cores; 1 runs them in this
    process) or on the Dask cluster at ``scheduler``.  Raises
    :class:`ScenarioError` for a bad sweep file or point before any job runs,
    and :class:`JobsFailedError` after the run if some jobs raised (the
    finished ones are kept; ``out/failures.log`` has the tracebacks).  ``policy_timeout``: each
    run's limit on one call of a plug-in policy's code, in wall-clock seconds (:func:`offloadsim.run`'s).
    ``jobs``: what :func:`plan_sweep` planned of this ``spec`` for a caller that needed them first
    (the command line checks the room they need), not planned (nor its points' dynamics read) again.
    ``world_notes``: the notes of their points' worlds, by point (a plain list: of no point in
    particular, its figures say them of every one), or by point what says them once its runs
    have run (:func:`point_notes`: said of where they computed), which the planning gathers where
    ``jobs`` are not given.  The result's :attr:`~SweepResult.notes` (and
    its manifest's ``notes``) are what the command line prints under the sweep's table.
    """
    if not isinstance(sweep_file, str | os.PathLike | SweepSpec):  # pathlib's TypeError, a traceback
        raise ExperimentError(
            f"sweep_file: expected a sweep YAML file path or a SweepSpec, got {type(sweep_file).__name__}"
            + (
                " (offloadsim.experiments.sweep_spec.sweep_from_data(mapping) reads a mapping into one)"
                if isinstance(sweep_file, Mapping)
                else ""
            )
        )
    from offloadsim.api import check_flags, check_policy_timeout

    check_flags(progress=progress)
    check_policy_timeout(policy_timeout)
    if jobs is not None and (
        isinstance(jobs, str | bytes)
        or not isinstance(jobs, Sequence)
        or not all(isinstance(j, Job) for j in jobs)
    ):
        # a str's characters, or ints, ended in "AttributeError: 'str' object has no attribute 'key'"
        raise ExperimentError(
            "jobs: expected the Jobs plan_sweep planned of this sweep, "
            f"got {type(jobs).__name__} {jobs!r:.60}"
        )
    spec = sweep_file if isinstance(sweep_file, SweepSpec) else load_sweep(sweep_file)
    started = _dt.datetime.now(_dt.UTC)
    directory = check_sweep_out(
        out if out is not None else default_sweep_dir(spec), spec.name
    )  # before planning
    gathered: list[tuple[int | None, str]] = []  # each note said whatever the runs did, and its point
    makers: dict[int, PointNotes] = {}  # by point, what says its notes once its runs have run
    for i, notes in (world_notes or {}).items() if isinstance(world_notes, Mapping) else ():
        if callable(notes):
            makers[i] = notes
        else:
            gathered += [(i, note) for note in notes]
    if not isinstance(world_notes, Mapping):
        gathered += [(None, note) for note in world_notes or ()]
    if jobs is None:
        from offloadsim.experiments.sweep_spec import expand

        points = expand(spec)
        jobs = plan_sweep(
            spec,
            progress=progress,
            with_world=lambda i, scenario, world: makers.__setitem__(
                i, point_notes(spec, points[i], scenario, world)
            ),
        )
    jobs = [dataclasses.replace(job, policy_timeout=policy_timeout) for job in jobs]
    clock = time.perf_counter()  # wall_s: the jobs' time, planned here or by the caller, not the merge's
    created = _prepare_out(directory, spec.name)
    with (
        _locked_out(directory, f"sweep {spec.file}", created, spec.name) as lock,
        _undone_on_failure(lock),
    ):
        points_dir = directory / "points"
        _make_points(points_dir, created)
        # Under the lock, any temporary file here was left by a killed sweep.
        remove_stale_temporaries(points_dir)
        remove_stale_temporaries(directory)
        # One run a key: points that differ only where no record does (skip_checks) share their job.
        unsaved: dict[str, Job] = {}
        # What the check read of each reusable file (its metadata, no records): the merge reads it once.
        saved: dict[str, JobMeta] = {}
        claims = jobs_by_key(jobs)
        checking = progress_bar(  # each saved file is read: minutes for thousands, before the jobs' bar
            len(jobs),
            progress and len(jobs) > 1 and any(points_dir.glob("*.parquet")),
            f"checking {spec.name}'s saved jobs",
        )
        try:
            for job in ticking(jobs, checking):
                if job.key in unsaved or job.key in saved:
                    continue
                found = _reusable(points_dir / f"{job.key}.parquet", claims[job.key])
                if found is None:
                    unsaved[job.key] = job
                else:
                    saved[job.key] = found
        except KeyboardInterrupt as stop:
            _tell_saved(stop, _saved(points_dir, jobs), len(jobs), directory)
            raise
        todo = list(unsaved.values())
        other_code = saved_by_other_code(points_dir, todo, saved)  # said why they run again

        def save(job: Job, result: JobResult) -> None:
            with _writing(directory, lambda: _saved(points_dir, jobs)):
                save_job_file(job, result, points_dir / f"{job.key}.parquet", _job_meta)

        # Local jobs write their files into a scratch directory (in $TMPDIR) that is removed however
        # the sweep ends, with what stopped workers left there.
        scratch = SpilledTable(prefix="offloadsim-sweep-", suffix=".parquet")
        dask_log: list[str] = []  # Dask's own log, kept off stderr: failures.log keeps it
        try:
            failures = execute(
                todo,
                save,
                workers=workers,
                scheduler=scheduler,
                progress=progress,
                description=f"sweep {spec.name}",
                scratch=lambda: scratch.directory,
                describe=_job_meta,
                dask_log=dask_log,
            )
        except KeyboardInterrupt as stop:  # Ctrl-C or SIGTERM: the line the command prints says what is kept
            _tell_saved(stop, _saved(points_dir, jobs), len(jobs), directory)
            raise
        # No worker can run a job (local ones died at start, or the Dask scheduler went): the rest wait.
        except (PoolDied, SchedulerLost) as died:
            kept = _saved_text(_saved(points_dir, jobs), len(jobs), directory)
            raise ExperimentError(f"{died.what}; {kept}; {died.advice}") from died
        finally:
            scratch.discard()
        log = directory / "failures.log"
        if failures:
            with _writing(directory, lambda: _saved(points_dir, jobs)):
                write_text(_failure_log(spec, failures, dask_log), log)
            first = failures[0]
            message = _failure_text(spec, first)
            raise JobsFailedError(
                f"{len(failures)} of {len(jobs)} jobs failed (first: {first.job.describe()}: {message}); "
                f"the {len(todo) - len(failures)} that finished are saved, {_logged(failures)} in {log}; "
                "rerun the same command to run only what is missing",
                failures,
            )
        log.unlink(missing_ok=True)
        with _writing(directory, lambda: _saved(points_dir, jobs)), _merge_interrupted(len(jobs), directory):
            merged = merge_sweep(
                spec,
                jobs,
                directory,
                run_info={
                    "jobs_run": len(todo),
                    "jobs_reused": len(jobs) - len(todo),
                    "jobs_run_other_code": other_code,  # of jobs_run, those saved by other code
                    "workers": None if scheduler else (workers or default_workers()),
                    "scheduler": scheduler,
                    "started_utc": started.isoformat(timespec="seconds"),
                    "wall_s": time.perf_counter() - clock,
                },
                world_points=gathered,  # by point: said under the table, and what its figures draw
                point_notes=makers,  # and those said of where each point's runs computed
                progress=progress,
                saved=saved,
            )
        return merged


class JobFileWarning(UserWarning):
    """A finished job's file that cannot be reused: its job runs again (``offloadsim: warning: ...``)."""


def _reusable(file: Path, claims: Sequence[Job]) -> JobMeta | None:
    """The job file ``file``'s record count and metadata if it is there and can be merged, else None.

    A warning says why one is run again (None).  What is read here is handed to the merge, which
    read each reused file's metadata again (:func:`~offloadsim.experiments.sweep_merge.merge_sweep`'s
    ``saved``).  A file edited by hand or cut short (its metadata's ``processors``, ``notes``, ``retried``,
    ``nodes`` or ``context_cuts`` not of their shape) stopped the resumed sweep with an
    internal error; its job is run again instead, and the new file replaces it.  So is one that
    does not say the job of its key (``claims``) or lacks a metric every run has.
    """
    if not file.is_file():
        return None
    found = reusable_job_file(file, claims)
    if not isinstance(found, str):
        return found
    warnings.warn(JobFileWarning(f"{file}: not reusable ({found}); running its job again"), stacklevel=3)
    return None


def _saved(points_dir: Path, jobs: Sequence[Job]) -> int:
    """How many of ``jobs`` have their file in ``points_dir``."""
    return sum((points_dir / f"{job.key}.parquet").is_file() for job in jobs)


def _tell_saved(stop: KeyboardInterrupt, saved: int, total: int, directory: Path) -> None:
    """Give an interrupted sweep's ``stop`` the ``saved_note`` the command adds to its one line.

    A stopped sweep keeps its finished jobs, and the same command reuses them: "offloadsim:
    interrupted" alone left the user to guess whether the hour already run was lost.  No note
    when none is saved: then there is nothing to resume.
    """
    if saved:
        stop.saved_note = _saved_text(saved, total, directory)  # type: ignore[attr-defined]


def _saved_text(saved: int, total: int, directory: Path) -> str:
    """What a stopped sweep kept, and that the same command resumes it (none: nothing to resume)."""
    if not saved:
        return f"none of the {total} jobs had finished"
    return f"{saved} of {total} jobs saved in {directory}: the same command resumes them"


@contextlib.contextmanager
def _merge_interrupted(total: int, directory: Path) -> Iterator[None]:
    """Say of a sweep stopped while merging that every job is saved and the same command merges them.

    The merge of thousands of jobs takes minutes; Ctrl-C there said only "offloadsim: interrupted",
    which left the user to guess whether the night's jobs were lost.
    """
    try:
        yield
    except KeyboardInterrupt as stop:
        stop.saved_note = (  # type: ignore[attr-defined]
            f"all {total} jobs saved in {directory}, their tables not merged: the same command merges them"
        )
        raise


@contextlib.contextmanager
def _writing(directory: Path, saved: Callable[[], int]) -> Iterator[None]:
    """Turn an OSError while writing (a full disk, a removed folder) into a one-line ExperimentError.

    The message says how many jobs are safely saved, so the user knows a
    rerun after freeing space loses nothing.
    """
    try:
        yield
    except OSError as error:
        raise ExperimentError(
            f"cannot write results to {directory}: {describe_os_error(error)}; "
            f"finished jobs saved: {saved()}; rerun the same command once this is fixed"
        ) from None


@contextlib.contextmanager
def _undone_on_failure(lock: HeldLock) -> Iterator[None]:
    """Have the lock's release remove the folders the sweep made if it fails before any job finished.

    An unreachable scheduler, say, leaves nothing behind (a user error
    writes nothing).  Only empty folders go: a finished job's file keeps
    them, and a sweep whose jobs failed keeps its failures.log and points/
    for the rerun the message suggests.  They go only while the sweep holds
    the lock (:func:`~offloadsim.outdir.directory_lock`): a sweep refused by
    it removes at most the folder and its parents, while empty (the holder's
    lock file keeps the folder the holder, another sweep of the same new
    folder started together, works in), and one that locks after this one
    lets go makes again what went.
    """
    try:
        yield
    except JobsFailedError:
        raise
    except BaseException:
        lock.remove_created()
        raise


def _make_points(points_dir: Path, created: list[Path]) -> None:
    """Make ``points/`` under the lock if missing (new, or a failed holder emptied it); add it to created."""
    try:
        points_dir.mkdir()
    except FileExistsError:
        return
    except OSError as error:
        raise ExperimentError(
            f"cannot write results to {points_dir.parent}: {describe_os_error(error)}"
        ) from None
    created.insert(0, points_dir.absolute())


def check_sweep_out(directory: str | Path, name: str | None = None) -> Path:
    """Check that a sweep can write to ``directory``, writing nothing; return it as a Path.

    What :func:`sweep` refuses there when it starts (a file; a non-empty folder that is neither
    a sweep's nor a result to move aside; a folder under one that cannot be written), said before
    planning: ``sweep --dry-run --out FILE`` said "nothing written" and exit 0 of a sweep
    that could not run.  ``name``: the sweep's (another sweep's folder is a result to move aside).
    Raises :class:`ExperimentError`.
    """
    directory = out_path(directory)
    if holds_non_directory(directory):
        raise ExperimentError(out_not_a_directory(directory))
    try:
        check_writable_parent(directory / "points", f"cannot write results to {directory}")
        with contextlib.suppress(FileNotFoundError):  # a new folder
            _check_sweep_folder(directory, name)
    except ResultsError as error:
        raise ExperimentError(str(error)) from None
    except OSError as error:  # unreadable
        raise ExperimentError(f"cannot write results to {directory}: {describe_os_error(error)}") from None
    return directory


def _prepare_out(directory: Path, name: str | None = None) -> list[Path]:
    """Refuse a path that is no directory, or a non-empty one that holds no result; return what is missing.

    Only checks (to fail fast), making nothing: ``directory`` is made, and a run or comparison
    result there moved aside, under its lock (:func:`_locked_out`).  Returns the folders the
    lock step will make, deepest first.
    """
    check_sweep_out(directory, name)  # again: planning may have taken minutes
    return missing_directories(directory)


def _check_sweep_folder(directory: Path, name: str | None = None) -> bool:
    """Whether ``directory`` holds a result not this sweep's (to move aside); refuse one that is no result.

    A folder that is empty (but for a lock file) or holds ``points/`` is a sweep's: False, but where
    its ``manifest.json`` names another sweep than ``name`` (None: any sweep is this one), whose
    figures and tables stayed beside the new sweep's with no word (``run`` and ``compare`` move
    an earlier result aside).  A folder of this sweep is resumed.  Raises FileNotFoundError if it
    is missing; any other OSError (under a file, unreadable) is one line.
    """
    try:
        entries = [name for name in os.listdir(directory) if name != LOCK_FILE]
    except FileNotFoundError:
        raise
    except OSError as error:  # 'afile/under' ended in NotADirectoryError, exit 1
        raise ExperimentError(f"cannot write results to {directory}: {describe_os_error(error)}") from None
    if not entries:
        return False
    if (directory / "points").is_dir():
        return name is not None and _sweep_named(directory) not in (None, name)
    if not is_result_directory(directory):
        raise ExperimentError(
            f"output directory {directory} is not empty and holds no sweep (no points/); "
            f"choose another {argument('out')}"
        )
    return True


def _sweep_named(directory: Path) -> str | None:
    """The name the sweep folder's ``manifest.json`` gives; None where there is none to read.

    A sweep stopped before its first merge has no manifest: its folder is taken for this sweep's,
    to resume, as before.
    """
    try:
        with open(directory / "manifest.json", encoding="utf-8") as file:
            name = json.load(file).get("name")
    except (OSError, ValueError, AttributeError):
        return None
    return name if isinstance(name, str) else None


@contextlib.contextmanager
def _locked_out(
    directory: Path, what: str, created: list[Path], name: str | None = None
) -> Iterator[HeldLock]:
    """Hold ``directory``'s lock, ``directory`` being a sweep's folder (made if missing).

    A run or comparison result found there is moved aside to ``NAME.old-N`` (as a rerun of
    ``run`` would) under the lock, which goes with it, and the lock is taken on the folder made
    anew.  Every check and move is made holding the lock: a result is moved once, by one sweep,
    and never a folder another sweep (or a run's rename) put there meanwhile.  A lock that cannot
    be taken (in use, a full disk, a read-only folder) leaves none of the folders it made.
    """
    for _ in range(100):
        with directory_lock(directory, what, created) as lock:
            try:
                other_result = _check_sweep_folder(directory, name)
            except FileNotFoundError:  # removed under the lock by no offloadsim process: lock again
                continue
            if not other_result:
                yield lock
                return
            previous = move_aside(directory)
            lock.moved(previous)
            logging.getLogger("offloadsim").info(
                "%s held a result that is not this sweep's; it was moved to %s", directory, previous
            )
    raise ExperimentError(f"cannot write results to {directory}: other processes keep moving it")


def _job_meta(job: Job, result: JobResult) -> dict[str, Any]:
    return {
        "key": job.key,
        "index": job.index,
        "replication": job.replication,
        "point": [[k, v] for k, v in job.point],
        "policy": job.label or result.policy,  # a policies entry with parameters: as written
        "seed": result.seed,
        "scenario": job.scenario.name,
        "metrics": {k: _json_value(v) for k, v in result.metrics.items()},
        "end_s": _json_value(result.end_s),
        "nodes": _columns_json(result.nodes),
        "wall_s": result.wall_s,
        "engine_build": result.engine_build,
        "code_fingerprint": result.code_fingerprint,  # the code that ran it; older files have none
        "context_cuts": list(result.context_cuts),
        "decode_ceilings": list(result.decode_ceilings),  # its LLM decodes' bandwidth ceilings (tokens/s)
        "decode_saturated": result.decode_saturated,  # one of them busy all the time (older files: none)
        "prefill_at_efficiency": result.prefill_at_efficiency,  # a prefill at an assumed efficiency
        # Its processors table, own notes and recovery counts; older files have none of them.
        "processors": _columns_json(result.processors),
        "link_bytes": [_json_value(b) for b in result.link_bytes],  # older files have none: not said
        "notes": list(result.notes),
        "computed": [list(each) for each in result.computed],  # (app, node, processor); older files: none
        "retried": result.retried,
        "recovered": result.recovered,
        "warnings": list(result.warnings),  # its summary's; older files have none: none said
        "warning_facts": list(result.warning_facts),  # their numbers; older files have none: said without
        "powered_sources": result.powered_sources,  # older files have none: not known
        # Its summary's numbers per source group (none: one group); older files' are worked out as merged.
        "source_groups": {k: _json_value(v) for k, v in result.source_groups.items()},
        # Its numbers per breakdown (per application: apps; none: one value); older files' are worked
        # out from their records as merged.
        **{
            breakdown.name: {k: _json_value(v) for k, v in result.breakdowns.get(breakdown.name, {}).items()}
            for breakdown in registered_breakdowns()
        },
        # by-group's: which inner policy decided each group (its run's policy.inner); older files: none.
        **({"inner_policies": result.inner_policies} if result.inner_policies else {}),
        # The groups its warnings concern (groups.csv's warned), from its records; older files: read back.
        **({} if result.warned_groups is None else {"warned_groups": _listed(result.warned_groups)}),
        # Its metrics hold the LLM metrics where it served LLM requests; older files' never do.
        "llm_metrics": True,
    }


def _listed(groups: tuple[str, ...] | str) -> list[str] | str:
    """A job's warned groups as JSON: their names, or ``"every"``."""
    return groups if isinstance(groups, str) else list(groups)


def _columns_json(frame: pd.DataFrame | None) -> dict[str, list[Any]]:
    """A table's columns as JSON lists (a job file's metadata); none for None."""
    if frame is None:
        return {}
    return {c: [_json_value(v) for v in frame[c].tolist()] for c in frame.columns}


def _json_value(value: Any) -> Any:
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    if value is pd.NA:
        return None
    return value


def _one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}".rstrip(": ")


def _swept_refusal(spec: SweepSpec, failure: JobFailure) -> str | None:
    """A failed job's world refusal, said as ``--dry-run`` says it; None for another failure.

    A run plans without building worlds (each job builds its own), so a value the world
    refuses (a step a grid value put out of order) fails that job: said at the sweep key
    that gave one of the refusal's key paths, or, where none did (a grid key inside the key
    refused, ``dynamics[0].link[1]`` making ``dynamics[0].link`` no pair), at the sweep file
    with the base's key path, not as the bare ``EngineError`` of the base alone.
    """
    refusal = getattr(failure.error, "refusal", None)  # an EngineError's
    if not isinstance(refusal, KeyPathError):
        return None
    scenario = failure.job.scenario
    key, text = located(spec, refusal_problem(scenario, refusal), scenario.document)
    return str(Problem(spec.file, key or "", text))


def _failure_text(spec: SweepSpec, failure: JobFailure) -> str:
    """A failed job's error in one line: at the sweep key behind it where a point's value was refused."""
    return _swept_refusal(spec, failure) or _one_line(failure.error)


def _failure_log(spec: SweepSpec, failures: Sequence[JobFailure], dask_log: Sequence[str] = ()) -> str:
    """``failures.log``: each failed job's point, then its one line, or its traceback for a bug.

    A user error (a bad trace at a grid point) is said in its one line, as the command says it:
    a traceback of offloadsim's own frames says nothing more of it.  A bug's traceback is kept, and
    so is a plug-in's fault's (the plug-in's code, which ``--debug`` shows elsewhere).  Dask's own
    log of the run (``dask_log``, kept off stderr) ends it, where there is any.
    """
    parts = []
    for failure in failures:
        head = f"== {failure.job.describe()} (job {failure.job.key})"
        swept = _swept_refusal(spec, failure)
        body: tuple[str | None, ...] = (
            (swept or _first_line(failure.error),)
            if _user_error(failure.error)
            else (swept, failure.traceback.rstrip())
        )
        parts.append("\n".join(filter(None, (head, *body))) + "\n")
    if dask_log:
        parts.append("\n".join(("== Dask's own log of the run", *dask_log)) + "\n")
    return "\n".join(parts)


def _user_error(error: BaseException) -> bool:
    """Whether ``error`` is the user's (exit 2 on the command line), not a bug nor a plug-in's fault."""
    return isinstance(error, user_errors()) and not getattr(error, "show_cause_with_debug", False)


def _first_line(error: BaseException) -> str:
    """A user error's message, its first line (a ScenarioError's problems, one a line)."""
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def _logged(failures: Sequence[JobFailure]) -> str:
    """What ``failures.log`` holds of ``failures``: their errors, tracebacks, or both."""
    users = sum(_user_error(failure.error) for failure in failures)
    return "tracebacks" if users == 0 else "errors" if users == len(failures) else "errors and tracebacks"
