"""Jobs of an experiment (one scenario, one policy, one replication) and the executors that run them.

A job runs the same way wherever it runs: in this process, in a local
process pool, or on a Dask worker.  Its records depend only on the job (the
scenario, its seed and the replication index select the random streams), so
the results do not depend on where, in what order or on how many workers
the jobs ran.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import json
import math
import multiprocessing
import multiprocessing.connection
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
import traceback
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from offloadsim.analysis.summary import metrics_row
from offloadsim.experiments.storage import ExperimentError, write_job_file, write_job_records
from offloadsim.outdir import ResultsError, atomic_write, describe_os_error
from offloadsim.scenario.errors import yaml_text
from offloadsim.scenario.identity import simulated_document
from offloadsim.suggest import quoted

if TYPE_CHECKING:
    from offloadsim.scenario.input_hashes import InputFile
    from offloadsim.scenario.model import Scenario

__all__ = [
    "MAX_JOBS",
    "Job",
    "JobResult",
    "JobFailure",
    "count_builds",
    "job_key",
    "job_plugins",
    "plugins_field",
    "point_text",
    "progress_bar",
    "run_job",
    "run_job_packed",
    "save_job_file",
    "execute",
    "default_workers",
    "local_workers",
    "window_fields",
    "window_text",
]


#: The most jobs one compare or sweep may plan: far more than a study needs, few enough that
#: planning them (a scenario reference and a key each) takes megabytes, and minutes, not hours: a
#: sweep checks each point's scenario (about 2 ms a point: 2,000 in 4.3 s), under a progress bar.
MAX_JOBS = 100_000


# --------------------------------------------------------------------------- jobs


@dataclass(frozen=True)
class Job:
    """One simulation to run: a loaded scenario, an optional policy name, a replication index.

    ``point`` is the swept values (key path → value as written) and ``index``
    the point's position in the experiment; ``key`` names the job's file.
    ``policy`` replaces the scenario's policy the way ``offloadsim run
    --policy`` does (its parameters are kept only when the name is the same).
    ``plugins`` are the plug-ins it uses (:func:`job_plugins`), hashed into its key.
    """

    key: str
    index: int
    replication: int
    scenario: Scenario
    point: tuple[tuple[str, Any], ...] = ()
    policy: str | None = None
    plugins: tuple[dict[str, Any], ...] = ()

    def describe(self) -> str:
        """``point 3 (links[0].bandwidth=5 Mbps, policy.name=edge), replication 1``."""
        values = point_text(self.point)
        if self.policy is not None:
            values = ", ".join(filter(None, (f"policy={self.policy}", values)))
        return (
            f"point {self.index}" + (f" ({values})" if values else "") + f", replication {self.replication}"
        )


def window_fields(scenarios: Iterable[Scenario]) -> dict[str, float | list[float]]:
    """The runs' warm-up and measured time, for a manifest: a number each, or their distinct values.

    A comparison's runs share one window; a sweep's points may vary ``duration`` or ``warmup``.
    """
    window: dict[str, list[float]] = {"warmup_s": [], "duration_s": []}
    for scenario in scenarios:
        for key, value in (("warmup_s", scenario.warmup_s), ("duration_s", scenario.duration_s)):
            if float(value) not in window[key]:
                window[key].append(float(value))
    return {key: values[0] if len(values) == 1 else sorted(values) for key, values in window.items()}


def window_text(manifest: Mapping[str, Any]) -> str:
    """``"60 s measured after a 10 s warm-up"`` (ranges where runs differ); ``""`` if it does not say.

    >>> window_text({"warmup_s": 10.0, "duration_s": 60.0})
    '60 s measured after a 10 s warm-up'
    >>> window_text({"warmup_s": 0.0, "duration_s": [20.0, 60.0]})
    '20–60 s measured, no warm-up'
    """

    def span(value: float | list[float]) -> str:
        values = value if isinstance(value, list) else [value]
        low, high = min(values), max(values)
        return f"{low:g}" if low == high else f"{low:g}–{high:g}"

    if "warmup_s" not in manifest or "duration_s" not in manifest:
        return ""
    warmup = manifest["warmup_s"]
    measured = f"{span(manifest['duration_s'])} s measured"
    if warmup == 0:
        return f"{measured}, no warm-up"
    return f"{measured} after a {span(warmup)} s warm-up"


def point_text(point: Iterable[tuple[str, Any]]) -> str:
    """A point's swept values as the user wrote them: ``policy.flag=true, links[0].bandwidth=5 Mbps``."""
    return ", ".join(f"{key}={yaml_text(value)}" for key, value in point)


def job_key(
    document: Mapping[str, Any],
    replication: int,
    policy: str | None = None,
    inputs: Sequence[InputFile] = (),
    plugins: Sequence[Mapping[str, Any]] = (),
) -> str:
    """A stable 16-hex-digit name for a job: a hash of its scenario, the files it reads, and replication.

    The document already holds the swept values; ``inputs`` (from
    :func:`offloadsim.scenario.input_hashes.input_files`) add the content of the
    traces, ONNX files and profiles it reads, so a job whose files changed
    is not reused.  The package version is included so that results of
    another simulator version are not reused.  ``skip_checks`` is left out: it
    changes no record (:mod:`offloadsim.scenario.identity`), so adding it to a
    sweep's base scenario reuses the finished jobs.  ``plugins`` (from :func:`job_plugins`) add the
    distribution and version of each plug-in the job uses, so a job whose plug-in was upgraded is run
    again; a job of offloadsim's own policies and kinds has none, and its key is what it always was.

    >>> job_key({"name": "a"}, 0) == job_key({"name": "a"}, 0) != job_key({"name": "a"}, 1)
    True
    """
    from offloadsim._version import __version__

    data: dict[str, Any] = {
        "document": simulated_document(document),
        "replication": replication,
        "policy": policy,
        "version": __version__,
    }
    if inputs:
        from offloadsim.scenario.input_hashes import content_hashes

        data["inputs"] = content_hashes(inputs)
    if plugins:
        data["plugins"] = [dict(plugin) for plugin in plugins]
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def job_plugins(scenario: Scenario, policy: str | None = None) -> list[dict[str, Any]]:
    """The plug-ins a job of ``scenario`` (with ``policy``, if given) uses, as its run's manifest lists."""
    from offloadsim.engine.plugins_used import plugins_used

    return plugins_used(scenario, policy)


def plugins_field(used: Iterable[Sequence[Mapping[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """``{"plugins": [...]}``: every plug-in some job used, each once, for a manifest; ``{}`` for none."""
    seen: dict[str, dict[str, Any]] = {}
    for plugins in used:
        for plugin in plugins:
            seen.setdefault(json.dumps(plugin, sort_keys=True), dict(plugin))
    return {"plugins": list(seen.values())} if seen else {}


@dataclass
class JobResult:
    """What a job hands back: its task and node records, its metrics, and its wall time.

    The task records are in memory (``tasks``, a DataFrame), or, for a job
    run with a directory, in the job file ``file``, or, for a job run where
    that directory may be another machine's, in ``packed``, the bytes of its
    job file (:func:`run_job_packed`); ``tasks`` is None in the last two.
    """

    key: str
    tasks: pd.DataFrame | None
    nodes: pd.DataFrame
    metrics: dict[str, float]
    policy: str
    seed: int
    wall_s: float
    extra: dict[str, Any] = field(default_factory=dict)
    file: Path | None = None
    packed: bytes | None = None
    #: The simulated time the run stopped (warm-up and duration): whether a task still in flight had
    #: missed its deadline, for metrics recomputed from the task records (per application).
    end_s: float = math.nan
    #: Per application, the LLM requests after the warm-up cut to the context window (the run
    #: manifest's ``context_cuts``), for ``compare`` and ``sweep`` to add up over runs.
    context_cuts: tuple[dict[str, Any], ...] = ()
    #: The engine the job ran on, in the process that ran it (a Dask worker's may differ from the command's).
    engine_build: str = ""


#: What a job file's metadata says of a job, from the job and its result (sweep's ``_job_meta``).
Describe = Callable[[Job, JobResult], Mapping[str, Any]]


def run_job(job: Job, directory: Path | None = None, describe: Describe | None = None) -> JobResult:
    """Simulate one job (in whatever process it lands) and return its records.

    Without ``directory`` the records come back as a DataFrame.  With it, the
    engine spills them into ``directory`` as the run goes and they are written
    from its chunks to the job file ``directory/<key>.parquet`` (with
    ``describe(job, result)`` as its metadata; ``JobResult.file``), so that a
    job never holds its whole table, however many tasks it has.  The
    directory is the command's scratch directory: the parent removes it, with
    whatever a stopped worker left there.
    """
    from offloadsim import api
    from offloadsim.scenario.errors import ScenarioWarning

    started = time.perf_counter()
    spill = None if directory is None else directory / f"{job.key}-{os.getpid()}.records"
    with warnings.catch_warnings():  # the command warned of its scenarios before any job, once each
        warnings.simplefilter("ignore", ScenarioWarning)
        result = api.run(job.scenario, policy=job.policy, replication=job.replication, records_dir=spill)
    done = JobResult(
        key=job.key,
        tasks=None if directory is not None else result.tasks,
        nodes=result.nodes,
        metrics=metrics_row(result.summary),
        policy=str(result.manifest["policy"]["name"]),
        seed=int(result.manifest["seed"]),
        wall_s=time.perf_counter() - started,
        end_s=float(result.manifest["end_s"]),
        context_cuts=tuple(result.manifest.get("context_cuts", ())),
        engine_build=str(result.manifest["engine_build"]),
    )
    if directory is not None:
        records = result.records
        assert records is not None, "a run's records are the engine's until written"
        meta = describe(job, done) if describe is not None else {}
        try:
            done.file = write_job_records(directory / f"{job.key}.parquet", records, meta)
        except OSError as error:  # a full disk: the one-line error (exit 2) of results that cannot be written
            where = f"{directory} (the runs' task records, until written)"
            raise ResultsError(f"cannot write results to {where}: {describe_os_error(error)}") from error
        finally:
            records.log.discard()
    return done


def count_builds(builds: Iterable[str]) -> dict[str, int]:
    """Jobs per engine build they ran on (``unrecorded`` for a job saved before it was), sorted by build.

    A manifest's ``engine_build`` is the command's; a Dask worker's may be another one.

    >>> count_builds(["python", "", "mypyc (13 modules)", "python"])
    {'mypyc (13 modules)': 1, 'python': 2, 'unrecorded': 1}
    """
    counts = Counter(build or "unrecorded" for build in builds)
    return dict(sorted(counts.items()))


def run_job_packed(job: Job, describe: Describe | None = None) -> JobResult:
    """Simulate one job on a machine whose disk may not be this command's; records as file bytes.

    The job writes its file from the engine's chunks, as :func:`run_job` with
    a directory does, into a temporary directory of its own, and hands back
    the file's bytes (``JobResult.packed``: Parquet, tens of bytes a task),
    so that neither the worker nor the command builds the run's table
    (hundreds of bytes a task).  For Dask workers.
    """
    with tempfile.TemporaryDirectory(prefix="offloadsim-job-") as tmp:
        done = run_job(job, Path(tmp), describe)
        assert done.file is not None, "a job run with a directory writes its file"
        done.packed, done.file = done.file.read_bytes(), None
    return done


def _unpacking(
    on_result: Callable[[Job, JobResult], None], scratch: Path
) -> Callable[[Job, JobResult], None]:
    """``on_result`` for results of :func:`run_job_packed`, their bytes first written into ``scratch``."""

    def unpack(job: Job, result: JobResult) -> None:
        if result.packed is not None:
            path = scratch / f"{job.key}.parquet"
            try:
                path.write_bytes(result.packed)
            except OSError as error:  # a full disk, as a job writing its own file would meet it
                where = f"{scratch} (the runs' task records, until written)"
                raise ResultsError(f"cannot write results to {where}: {describe_os_error(error)}") from error
            result.file, result.packed = path, None
        on_result(job, result)

    return unpack


def save_job_file(job: Job, result: JobResult, path: Path, describe: Describe) -> Path:
    """Make ``path`` the job file of ``job``, atomically.

    The file the job wrote (described by the job itself, with the same
    ``describe``) is moved there; records handed back in memory are written.
    """
    file = result.file
    if file is not None:

        def move(tmp: Path) -> None:
            shutil.move(file, tmp)  # a rename, or a copy where $TMPDIR is another file system

        return atomic_write(path, move)
    assert result.tasks is not None, "a job hands back its records or the file it wrote"
    return write_job_file(path, result.tasks, describe(job, result))


# --------------------------------------------------------------------------- executors


@dataclass
class JobFailure:
    """A job that raised: the job, the exception, and its formatted traceback."""

    job: Job
    error: BaseException
    traceback: str


Runner = Callable[[Job], JobResult]

#: How long to keep trying to reach a Dask scheduler, in seconds.
DASK_CONNECT_TIMEOUT_S = 20.0
#: How long a scheduler address may refuse connections before the sweep gives up on it, in seconds.
#: Dask's Client retries a refused connection until its one timeout (a scheduler still starting
#: refuses too; dask/distributed#3487) and has no setting for refusals: the Client is given this
#: timeout first; if it fails and the address then refuses a plain TCP connection, nothing is
#: starting there; otherwise the Client gets the rest of DASK_CONNECT_TIMEOUT_S.
DASK_REFUSED_S = 3.0


def default_workers() -> int:
    """All local cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def local_workers(workers: int | None, jobs: int) -> int:
    """The processes :func:`execute` runs ``jobs`` jobs on here (1: in this process), so runs held at once.

    ``workers`` as given (None: every core), never more than there are jobs.
    """
    return max(1, min(workers or default_workers(), jobs))


def execute(
    jobs: Sequence[Job],
    on_result: Callable[[Job, JobResult], None],
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = False,
    description: str = "jobs",
    runner: Runner = run_job,
    scratch: Callable[[], Path] | None = None,
    describe: Describe | None = None,
) -> list[JobFailure]:
    """Run ``jobs`` and call ``on_result(job, result)`` in this process as each one finishes.

    Jobs run in this process when ``workers`` is 1, in a local process pool
    of ``workers`` processes (default: all cores) otherwise, or on the Dask
    cluster whose scheduler is at ``scheduler`` (``tcp://host:8786``; not with ``workers``).  A job
    that raises does not stop the others; the failures are returned, in job
    order.  Ctrl-C cancels the jobs not yet started and is re-raised; what
    ``on_result`` already saw stays saved.  ``progress`` shows a bar with an
    ETA on a terminal.

    ``scratch`` gives the command's scratch directory: jobs run here then
    run as :func:`run_job` with it as their ``directory`` (and ``describe``
    for their file's metadata), writing their records from the engine's
    chunks, so none holds its run's whole table.  A Dask worker's disk may
    be another machine's: a job there runs as :func:`run_job_packed` and
    hands back its file's bytes, which are written into ``scratch`` before
    ``on_result`` sees the result.  Either way ``on_result`` gets a
    ``JobResult.file`` in ``scratch``.
    """
    if workers is not None and workers < 1:
        raise ExperimentError(f"workers must be at least 1, got {workers}")
    if workers is not None and scheduler is not None:
        raise ExperimentError(
            f"workers={workers} and scheduler={scheduler!r}: give one (workers counts local processes; "
            "the Dask cluster's own workers run the jobs)"
        )
    if not jobs:
        return []
    if scratch is not None:  # jobs write their files (a Dask job its file's bytes), in place of ``runner``
        if scheduler is None:
            runner = functools.partial(run_job, directory=scratch(), describe=describe)
        else:
            runner = functools.partial(run_job_packed, describe=describe)
            on_result = _unpacking(on_result, scratch())
    failures: list[JobFailure] = []
    bar = progress_bar(len(jobs), progress, description)
    try:

        def finished(job: Job, result: JobResult | None, error: BaseException | None, tb: str = "") -> None:
            if error is not None:
                failures.append(JobFailure(job, error, tb or _format_traceback(error)))
            else:
                assert result is not None
                on_result(job, result)
            bar.update(1)

        if scheduler is not None:
            _run_dask(jobs, scheduler, finished, runner)
        elif local_workers(workers, len(jobs)) == 1:
            for job in jobs:
                try:
                    result = runner(job)
                except Exception as error:
                    finished(job, None, error, traceback.format_exc())
                else:
                    finished(job, result, None)
        else:
            _run_pool(jobs, local_workers(workers, len(jobs)), finished, runner)
    finally:
        bar.close()
    order = {id(job): i for i, job in enumerate(jobs)}
    failures.sort(key=lambda f: order[id(f.job)])
    return failures


Finished = Callable[[Job, "JobResult | None", "BaseException | None"], None]


def _run_pool(jobs: Sequence[Job], workers: int, finished: Finished, runner: Runner) -> None:
    """Run on a local process pool; a forkserver keeps workers clean of this process's threads."""
    left: dict[str, str] = {}
    carried = _carried_policies(left=left)
    _check_main_is_guarded(carried)
    carried = _by_value_from_a_session(carried, left)
    for job in jobs if left else ():  # a policy the jobs run that the workers could not be handed
        name = job.policy or getattr(getattr(job.scenario, "policy", None), "name", None)
        if name in left:
            raise ExperimentError(
                f"policy {quoted(name)} cannot be handed to the worker processes: {left[name]}; "
                'define it at the top level of a module (above the `if __name__ == "__main__":` guard), '
                "or pass workers=1 to run the jobs in this process"
            )
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    said = _read_plugins()
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_start_worker,
        initargs=(carried, said),
    )
    try:
        with _signals_deferred(signal.SIGINT, signal.SIGTERM):  # the workers start as the first jobs go in
            if "forkserver" in methods:
                context.set_forkserver_preload(["offloadsim.experiments.jobs", "offloadsim.api"])
                _start_forkserver_deaf_to_ctrl_c()
            pending: dict[Future[JobResult], Job] = {pool.submit(runner, job): job for job in jobs}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=lambda f: (pending[f].index, pending[f].replication)):
                job = pending.pop(future)
                error = future.exception()
                if isinstance(error, BrokenProcessPool):
                    raise ExperimentError(
                        "a worker process died (killed, out of memory, or started from a script without "
                        "an `if __name__ == '__main__':` guard); what finished is kept; "
                        "run with one worker (--workers 1) to see the error"
                    ) from error
                finished(job, None if error is not None else future.result(), error)
    except BaseException:
        _stop_pool(pool)
        raise
    pool.shutdown(wait=True)


_MAIN_READ_LIMIT = 4 << 20  # a script larger than this is not read (and not checked)


def _check_main_is_guarded(policies: Mapping[str, Any] | None = None) -> None:
    """Refuse, before any worker starts, a main script with no ``if __name__ == "__main__":`` guard.

    Each worker imports the script that started Python again (forkserver and
    spawn do): without the guard it would run the experiment again inside
    every worker, which Python stops with a traceback per worker and the
    pool reports as a dead worker.  A script with no ``__main__`` in it at
    all cannot have the guard.  What is not imported again is not read: a
    package's ``__main__`` run with ``-m``, a notebook, ``python -c``.
    ``policies``: the script's own policies handed to the workers
    (:func:`_carried_policies`), each of which must be defined above the guard.
    """
    main = sys.modules.get("__main__")
    name = getattr(getattr(main, "__spec__", None), "name", None)
    if name is not None and (name == "__main__" or name.endswith(".__main__")):
        return  # a package's __main__ (`python -m offloadsim`): multiprocessing does not import it again
    path = getattr(main, "__file__", None)
    if not isinstance(path, str) or os.path.splitext(os.path.basename(path))[0] == "ipython":
        return  # no script (a notebook, python -c), or IPython's, which multiprocessing skips too
    if not os.path.isfile(path) or os.path.getsize(path) > _MAIN_READ_LIMIT:
        return
    try:
        source = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return
    if "__main__" not in source:
        raise ExperimentError(
            f"{path}: compare and sweep run their jobs in worker processes, which import this script again, "
            'and it has no `if __name__ == "__main__":` guard, so every worker would start the experiment '
            "again: put the call under that guard, or pass workers=1 to run the jobs in this process"
        )
    _check_policies_above_the_guard(path, source, policies or {})


@dataclass(frozen=True)
class _ByValue:
    """A policy of an interactive session, pickled by value (cloudpickle), for a worker to rebuild."""

    pickled: bytes


def _by_value_from_a_session(carried: dict[str, Any], left: dict[str, str]) -> dict[str, Any]:
    """``carried``, with the policies of a notebook (or ``python -c``, stdin) pickled by value.

    A worker finds a policy of the main script by name, importing the script again; a notebook's
    ``__main__`` has no file to import, so each worker died unpickling the class and the pool said
    only that a worker died. cloudpickle (Dask's) carries the class itself, as it does to Dask's
    workers; without it, such a policy is ``left`` with the reason.
    """
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if getattr(main, "__spec__", None) is not None or (isinstance(path, str) and os.path.isfile(path)):
        return carried  # a script or a package's __main__: the workers import it again
    session = [
        name for name, factory in carried.items() if getattr(factory, "__module__", None) == "__main__"
    ]
    if not session:
        return carried
    try:
        import cloudpickle
    except ImportError:
        for name in session:
            left[name] = (
                f"{_describe_factory(carried.pop(name))} is defined in this interactive session, which the "
                "worker processes cannot import, and cloudpickle, which would carry it, is not installed "
                "(pip install 'offloadsim[distributed]')"
            )
        return carried
    return {
        name: _ByValue(cloudpickle.dumps(factory)) if name in session else factory
        for name, factory in carried.items()
    }


def _describe_factory(factory: Any) -> str:
    """``__main__.main.<locals>.Inner``: where a policy's factory is defined."""
    return f"{getattr(factory, '__module__', '?')}.{getattr(factory, '__qualname__', repr(factory))}"


def _check_policies_above_the_guard(path: str, source: str, policies: Mapping[str, Any]) -> None:
    """Refuse a policy of the main script that a worker, importing the script again, would not find.

    A class defined under the ``if __name__ == "__main__":`` guard is pickled by name, and the
    worker, which runs none of the guarded code, has no such name: it died unpickling it, and
    the pool said only that a worker died.
    """
    import ast

    mains = {name: f for name, f in policies.items() if getattr(f, "__module__", None) == "__main__"}
    if not mains:
        return
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return
    defined = _unguarded_names(tree.body)
    for name, factory in mains.items():
        qualname = str(getattr(factory, "__qualname__", ""))
        if qualname and qualname.split(".")[0] not in defined:
            raise ExperimentError(
                f"{path}: policy {quoted(name)} (__main__.{qualname}) is defined under the "
                '`if __name__ == "__main__":` guard, so the worker processes, which import this script '
                "again without running the guarded code, cannot find it: define it above the guard, or "
                "pass workers=1 to run the jobs in this process"
            )


def _unguarded_names(body: Sequence[Any]) -> set[str]:
    """The names a module's statements bind outside ``if __name__ == "__main__":`` blocks."""
    import ast

    names: set[str] = set()
    for statement in body:
        if isinstance(statement, ast.If) and "__main__" in ast.unparse(statement.test):
            names |= _unguarded_names(statement.orelse)
            continue
        if isinstance(statement, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(statement.name)
        elif isinstance(statement, ast.Import | ast.ImportFrom):
            names.update((alias.asname or alias.name).split(".")[0] for alias in statement.names)
        else:
            names.update(
                node.id
                for node in ast.walk(statement)
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)
            )
        for field_name in ("body", "orelse", "finalbody", "handlers"):  # if, try, with, for: their blocks
            inner = getattr(statement, field_name, None)
            if isinstance(inner, list) and not isinstance(statement, ast.ClassDef | ast.FunctionDef):
                names |= _unguarded_names(inner)
    return names


def _start_forkserver_deaf_to_ctrl_c() -> None:
    """Start the forkserver (unless it runs) with SIGINT blocked: neither it nor any worker sees Ctrl-C.

    The terminal sends Ctrl-C to the whole process group.  A forkserver
    still importing its preloaded modules (the first second or two) would
    die of it with a traceback printed after the command's one-line message,
    and an idle worker likewise; this process stops the workers itself
    (:func:`_stop_pool`).  The blocked mask is inherited across the
    forkserver's exec and by every worker it forks (the standard library
    starts its resource tracker so).
    """
    from multiprocessing import forkserver, resource_tracker

    resource_tracker.ensure_running()  # first: its own start unblocks SIGINT in this thread
    with _signals_held(signal.SIGINT):
        forkserver.ensure_running()


@contextlib.contextmanager
def _signals_held(*signals: signal.Signals) -> Iterator[None]:
    """Block ``signals`` in this thread while the block runs (a process started meanwhile inherits it)."""
    if not hasattr(signal, "pthread_sigmask"):  # not POSIX: nothing to block
        yield
        return
    held = signal.pthread_sigmask(signal.SIG_BLOCK, set(signals))
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


@contextlib.contextmanager
def _signals_deferred(*signals: signal.Signals) -> Iterator[None]:
    """Note ``signals`` while the block runs, and handle the first that came once it is over.

    Starting the workers must not be cut short: a worker the forkserver forks
    after this process stopped waiting for it is one :func:`_stop_pool` does
    not know, and it prints a traceback when it finds the pool gone.
    Deferred, Ctrl-C or SIGTERM is handled a moment later (raised again with
    the handler it had), once every worker is known.  Handlers can only be
    set in the main thread; elsewhere the block runs as it is.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    came: list[int] = []
    previous = {
        signum: signal.signal(signum, lambda signum, frame: came.append(signum)) for signum in signals
    }
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, signal.SIG_DFL if handler is None else handler)  # None: set outside Python
        if came:
            signal.raise_signal(came[0])


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and end the workers now (Ctrl-C, SIGTERM, an error while saving).

    ``shutdown(wait=False)`` alone lets each worker finish its current job
    first, which can take minutes and keeps this process from exiting.
    """
    terminate = getattr(pool, "terminate_workers", None)  # Python 3.14+
    if terminate is not None:
        terminate()
        return
    # Before 3.14, by hand (private attributes, read before shutdown() drops them).
    processes = list((getattr(pool, "_processes", None) or {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)
    results = getattr(pool, "_result_queue", None)
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        process.terminate()
    for process in processes:
        process.join(timeout=5)
    # A worker ended while sending its result leaves the pool's manager thread waiting for the
    # rest of the message, and Python waits for that thread at exit: a hang.  Closing our end
    # of the result pipe (the workers' ends died with them) ends that wait.
    with contextlib.suppress(AttributeError, OSError):
        results._writer.close()  # type: ignore[union-attr]
    if manager is not None:
        # Let the manager thread finish closing its pipes now: at exit, Python would otherwise
        # race it and print a traceback (EBADF) after our one-line message.
        manager.join(timeout=5)


def _carried_policies(
    dumps: Callable[[Any], bytes] | None = None, left: dict[str, str] | None = None
) -> dict[str, Any]:
    """The policies registered in this process by the user's code that a worker can be handed (pickled).

    A worker imports the main script again but runs none of its guarded code, so a
    policy registered there would be unknown to it; a Dask worker does not import it at
    all.  ``dumps`` is how they travel: the standard pickle to a local pool (a class of the
    main script by name, found again there), cloudpickle to Dask (a class of the main script
    by value).  A factory that cannot be pickled so (a class defined inside a function, for
    the standard pickle) stays behind; ``left`` is told why, by name.
    """
    import pickle

    from offloadsim.policies.registry import registered_here

    carried = {}
    for name, factory in registered_here().items():
        try:
            (dumps or pickle.dumps)(factory)
        except Exception as error:  # any pickling failure: not carried
            if left is not None:
                left[name] = (
                    f"{_describe_factory(factory)} cannot be pickled ({type(error).__name__}: {error})"
                )
            continue
        carried[name] = factory
    return carried


#: The policies jobs brought to this process (:func:`_register_carried`), by name, and the lock
#: that makes a Dask worker's threads register them one at a time.
_CARRIED: dict[str, Any] = {}
_CARRIED_LOCK = threading.Lock()


def _register_carried(policies: Mapping[str, Any]) -> None:
    """Register the parent's own policies in this worker: those it lacks, or brought by an earlier job.

    A Dask worker outlives the command: a policy an earlier command brought under the
    same name (the script since edited) is replaced, never run stale; one the worker
    has of its own (a plug-in, its own registration) is kept, as in a local pool.
    """
    if not policies:
        return
    from offloadsim.policies.registry import find_policy, register_policy, unregister_policy

    with _CARRIED_LOCK:
        for name, factory in policies.items():
            if isinstance(factory, _ByValue):  # a notebook's: rebuilt from its pickled class
                import cloudpickle

                factory = cloudpickle.loads(factory.pickled)
            known = find_policy(name)
            if known is not None and (known.factory is factory or _CARRIED.get(name) is not known.factory):
                continue
            if known is not None:
                unregister_policy(name)
            register_policy(name)(factory)
            _CARRIED[name] = factory


def _start_worker(policies: Mapping[str, Any], said: Sequence[str] = ()) -> None:
    """Pool worker initializer: die with the parent, and register the parent's own policies it lacks.

    ``said``: the entry-point groups whose skipped plug-ins the parent has warned of already
    (:func:`_read_plugins`); the worker does not warn of them again.
    """
    from offloadsim.plugins import said_elsewhere

    said_elsewhere(said)
    _die_with_parent()
    _register_carried(policies)


def _read_plugins() -> tuple[str, ...]:
    """Read every registry's entry points here, before the workers start: the groups read.

    A plug-in that cannot be loaded is then said once, by this process, in the command's
    one-line form, and not by every worker in Python's own (two lines, with a source line).
    """
    from offloadsim.engine import processor_models, work
    from offloadsim.plugins import GROUPS
    from offloadsim.policies import registry
    from offloadsim.records import schema
    from offloadsim.scenario.arrivals import base
    from offloadsim.world import links
    from offloadsim.world.dynamics import registry as dynamics

    for module in (processor_models, work, registry, schema, base, links, dynamics):
        module.PLUGINS.load()
    return tuple(GROUPS)


def _run_carrying(job: Job, runner: Runner, policies: Mapping[str, Any]) -> JobResult:
    """A Dask job: register the submitting script's own ``policies`` on its worker, then run it.

    A Dask worker never imports the user's script, so a policy it registered would be
    unknown there; each job brings them (pickled by value where they are the script's).
    """
    _register_carried(policies)
    return runner(job)


def _die_with_parent() -> None:
    """Pool worker initializer: exit at once when the process that made the pool ends, however it ends.

    Without this, a SIGKILLed sweep leaves its workers waiting for work
    forever, and with them the forkserver and the resource tracker (they
    live as long as a worker does), all holding the caller's stdout and
    stderr, so a script reading them hangs.  The parent's sentinel is a
    pipe only the parent holds open; it becomes readable when the parent
    ends.  (``PR_SET_PDEATHSIG`` would not do: a worker's parent is the
    forkserver, which outlives the sweep as long as the worker does.)
    """
    parent = multiprocessing.parent_process()
    if parent is None:
        return
    sentinel = parent.sentinel

    def watch() -> None:
        multiprocessing.connection.wait([sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="offloadsim-parent-watch", daemon=True).start()


def _run_dask(jobs: Sequence[Job], address: str, finished: Finished, runner: Runner) -> None:
    """Run on a Dask distributed cluster; results come back to this process, which writes them."""
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise ExperimentError(
            "--scheduler needs Dask distributed, which is not installed: pip install 'dask[distributed]'"
        ) from None
    try:
        client = _connect(Client, address)
    except ValueError as error:  # no port, a port that is no number, an unknown scheme
        raise ExperimentError(
            f"cannot connect to the Dask scheduler at {address}: expected an address like "
            f"tcp://HOST:PORT ({error})"
        ) from None
    except (OSError, TimeoutError) as error:
        raise ExperimentError(f"cannot connect to the Dask scheduler at {address}: {error}") from None
    import cloudpickle  # what Dask pickles a job with

    policies = _carried_policies(cloudpickle.dumps)
    if policies:
        runner = functools.partial(_run_carrying, runner=runner, policies=policies)
    try:
        futures = {client.submit(runner, job, pure=False): job for job in jobs}
        for future in as_completed(list(futures), loop=client.loop):
            job = futures.pop(future)
            try:
                result = future.result()
            except Exception as error:
                finished(job, None, error)
            else:
                finished(job, result, None)
            future.release()
    except BaseException:
        for future in futures:
            future.cancel()
        raise
    finally:
        client.close()


def _connect(client: type[Any], address: str) -> Any:
    """A Dask ``client`` of the scheduler at ``address``; one that refuses fails after DASK_REFUSED_S."""
    first = min(DASK_REFUSED_S, DASK_CONNECT_TIMEOUT_S)
    try:
        return _client(client, address, first)
    except OSError:
        if first >= DASK_CONNECT_TIMEOUT_S:
            raise
        if _refused(address):
            raise ConnectionRefusedError(
                f"connection refused for {first:g} s, so no scheduler listens there (start one with "
                "'dask scheduler', which prints its address, or check the host and port)"
            ) from None
    return _client(client, address, DASK_CONNECT_TIMEOUT_S - first)


def _client(client: type[Any], address: str, timeout: float) -> Any:
    """``client(address)``; what answers there but not as a Dask scheduler is a ConnectionError.

    Dask reads the first bytes of another service (an HTTP server, say) as a
    message's length and raises whatever follows (a MemoryError for an
    exabyte), leaving the half-made client to print a traceback when it is
    collected; it is closed here instead.
    """
    try:
        _handshake(address, timeout)
        return client(address, timeout=timeout, set_as_default=False)
    except (OSError, ValueError, ImportError):  # unreachable, a bad address, a scheduler lacking a package
        raise
    except Exception as error:
        trace = error.__traceback__
        while trace is not None:
            made = trace.tb_frame.f_locals.get("self")
            if isinstance(made, client):
                with contextlib.suppress(Exception):
                    made.close()
                break
            trace = trace.tb_next
        raise ConnectionError(
            f"something answers there, but not as a Dask scheduler ({type(error).__name__}); "
            "check the host and port (a scheduler listens on 8786 by default)"
        ) from None


def _handshake(address: str, timeout: float) -> None:
    """Open and close one Dask connection to ``address``; TimeoutError if it takes over ``timeout`` s.

    Dask's ``connect`` bounds the TCP connection by its timeout but not the read of the
    handshake after it, so a Client of an address that accepts and never writes (a hung
    scheduler, a service that waits for its client to speak first) waited for good. This
    bounds the whole of it, in a thread of its own so that a caller's running event loop
    (a notebook's) is not in the way. A scheduler writes its handshake as it accepts.
    """
    from distributed.comm import connect

    async def shake() -> None:
        comm = await asyncio.wait_for(connect(address, timeout=timeout), timeout)
        await comm.close()

    failed: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(shake())
        except BaseException as error:  # handed to the caller's thread
            failed.append(error)

    thread = threading.Thread(target=run, name="offloadsim-dask-handshake", daemon=True)
    thread.start()
    thread.join(timeout + 1.0)
    silent = TimeoutError(
        f"it accepted the connection but did not answer as a Dask scheduler in {DASK_CONNECT_TIMEOUT_S:g} s "
        "(check the host and port: a scheduler listens on 8786 by default)"
    )
    if thread.is_alive():
        raise silent
    if failed:
        error = failed[0]
        if isinstance(error, asyncio.TimeoutError) and not str(error):  # wait_for's own, not Dask's
            raise silent from None
        raise error


def _refused(address: str) -> bool:
    """Whether a TCP connection to a Dask address is refused now: nothing listens there.

    Dask's own connection retries a refusal until its timeout and keeps only
    the last attempt's error, which is sometimes a timeout (an attempt begun
    just before the deadline), so the sweep asks once itself.
    """
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, location = parse_address(address)
        if scheme not in ("tcp", "tls"):
            return False
        with socket.create_connection(parse_host_port(location), timeout=DASK_REFUSED_S):
            return False
    except ConnectionRefusedError:
        return True
    except (OSError, ValueError):
        return False


def _format_traceback(error: BaseException) -> str:
    return "".join(traceback.format_exception(type(error), error, error.__traceback__))


class _NoBar:
    def update(self, n: int) -> None:
        """Ignore progress."""

    def close(self) -> None:
        """Nothing to close."""


def progress_bar(total: int, enabled: bool, description: str, unit: str = "job") -> Any:
    """A tqdm bar over jobs (or another ``unit``) with an ETA, on stderr, only when it is a terminal."""
    if not enabled:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(
        total=total,
        desc=description,
        unit=unit,
        disable=None,  # None: shown only on a terminal
        dynamic_ncols=True,
        mininterval=0.5,
        leave=False,
    )
