"""Where an experiment's jobs run: in this process, a local process pool, or a Dask cluster.

Whatever runs them, the command's process gets each result as the job ends and writes it;
a job that raises does not stop the others, and Ctrl-C or SIGTERM ends the workers at once.
A local pool starts its workers from a forkserver (clean of this process's threads; its socket
in a short folder where ``$TMPDIR`` is too long, :mod:`offloadsim.experiments.socket_folder`), each
dying with the command however it ends; the policies, run metrics and all else the user's
code registered travel to them (:mod:`offloadsim.experiments.carried_kinds`, a script without its
guard refused by :mod:`offloadsim.experiments.carried`), and a Dask cluster is reached by
:mod:`offloadsim.experiments.dask_cluster`.
"""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import multiprocessing.connection
import multiprocessing.queues
import os
import signal
import threading
import traceback
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from offloadsim.errors import argument, as_flags, naming_flags
from offloadsim.experiments.carried import check_main_is_guarded
from offloadsim.experiments.carried_kinds import (
    CarriedKinds,
    carried_code,
    carried_kinds,
    register_carried_kinds,
)
from offloadsim.experiments.carried_unreadable import CarriedUnreadable
from offloadsim.experiments.dask_cluster import run_on_dask
from offloadsim.experiments.jobs import (
    Describe,
    Finished,
    Job,
    JobResult,
    Runner,
    run_job,
    run_job_packed,
    sent_to_worker,
)
from offloadsim.experiments.socket_folder import fit_socket_folder
from offloadsim.experiments.storage import ExperimentError
from offloadsim.outdir import ResultsError, describe_os_error
from offloadsim.progress import progress_bar
from offloadsim.suggest import quoted

__all__ = [
    "JobFailure",
    "PoolDied",
    "WorkerDied",
    "default_workers",
    "execute",
    "local_workers",
    "progress_bar",
]


@dataclass
class JobFailure:
    """A job that raised: the job, the exception, and its formatted traceback."""

    job: Job
    error: BaseException
    traceback: str


class PoolDied(ExperimentError):
    """The local workers died before they ran a job: none can run.

    ``what`` says what happened and ``advice`` what to do; a sweep says between them what it kept.
    """

    def __init__(self, what: str, advice: str) -> None:
        super().__init__(f"{what}; what finished is kept; {advice}")
        self.what, self.advice = what, advice


class WorkerDied(ExperimentError):
    """A job's local worker process died running it (killed, out of memory, ``os._exit``): its failure.

    ``status`` is how the process ended, as :attr:`multiprocessing.Process.exitcode` says it
    (``-9``: killed by SIGKILL); None where it is not known.
    """

    def __init__(self, status: int | None) -> None:
        super().__init__(f"its worker process died running it ({_ended(status)})")
        self.status = status


def _ended(status: int | None) -> str:
    """How a worker process ended, from its exit code: a signal by name, or its exit status."""
    if status is None:
        return "how it ended is not known"
    if status < 0:
        try:
            name = signal.Signals(-status).name
        except ValueError:
            name = f"signal {-status}"
        killed = ": kill -9, or the out-of-memory killer" if -status == signal.SIGKILL else ""
        return f"killed by {name}{killed}"
    return f"it exited with status {status}, no Python error: os._exit, or a crash in native code"


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
    dask_log: list[str] | None = None,
) -> list[JobFailure]:
    """Run ``jobs`` and call ``on_result(job, result)`` in this process as each one finishes.

    Jobs run in this process when ``workers`` is 1, in a local process pool
    of ``workers`` processes (default: all cores) otherwise, or on the Dask
    cluster whose scheduler is at ``scheduler`` (``tcp://host:8786``; not with ``workers``).  A job
    that raises does not stop the others, nor one whose local worker process dies (a
    :class:`WorkerDied` failure); the failures are returned, in job order.  Ctrl-C cancels the
    jobs not yet started and is re-raised; what ``on_result`` already saw stays saved.
    ``progress`` shows a bar with an ETA on a terminal.

    ``scratch`` gives the command's scratch directory: jobs run here then
    run as :func:`run_job` with it as their ``directory`` (and ``describe``
    for their file's metadata), writing their records from the engine's
    chunks, so none holds its run's whole table.  A Dask worker's disk may
    be another machine's: a job there runs as :func:`run_job_packed` and
    hands back its file's bytes, which are written into ``scratch`` before
    ``on_result`` sees the result.  Either way ``on_result`` gets a
    ``JobResult.file`` in ``scratch``.  ``dask_log`` gets Dask's own log lines of the run, kept off
    stderr (:func:`~offloadsim.experiments.dask_cluster.run_on_dask`).
    """
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int)):
        # workers=1.5 from Python ran on one process without a word; "2" ended in a TypeError
        raise ExperimentError(f"workers: expected a whole number of processes, got {quoted(workers)}")
    if workers is not None and workers < 1:
        raise ExperimentError(f"workers must be at least 1, got {workers}")
    if scheduler is not None and not isinstance(scheduler, str):  # Dask's own TypeError, a traceback
        raise ExperimentError(
            f"scheduler: expected a Dask scheduler address like 'tcp://host:8786', got {quoted(scheduler)}"
        )
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
    if naming_flags():  # the command line's: its workers' messages name its flags too (--policy-timeout)
        runner = functools.partial(_as_flags, runner)
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
            run_on_dask(jobs, scheduler, finished, runner, dask_log)
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


def _run_pool(jobs: Sequence[Job], workers: int, finished: Finished, runner: Runner) -> None:
    """Run on a local process pool; a forkserver keeps workers clean of this process's threads.

    A worker that dies (killed, out of memory, ``os._exit``) breaks its pool: every job not finished
    then fails with it.  The jobs it had not started go to a fresh pool; each it was running runs
    again alone in a pool of one, so that the one whose worker dies there is the one that killed it,
    whatever the worker count: it fails (:class:`WorkerDied`, with how its worker ended), the
    others finish.
    """
    check_main_is_guarded(carried_code())
    methods = multiprocessing.get_all_start_methods()
    forkserver = "forkserver" in methods
    context = multiprocessing.get_context("forkserver" if forkserver else "spawn")
    said = _read_plugins()
    kinds = carried_kinds(jobs=jobs)  # what the script registered: refused now if it cannot go
    if forkserver:
        fit_socket_folder()  # its socket goes in $TMPDIR, which may be too long for one
    todo = list(jobs)
    while todo:
        running, todo, _ = _pool_round(todo, workers, context, (said, kinds), finished, runner)
        for job in running:
            died, _, statuses = _pool_round([job], 1, context, (said, kinds), finished, runner)
            if died:
                finished(job, None, WorkerDied(statuses[0] if statuses else None))


def _pool_round(
    jobs: Sequence[Job],
    workers: int,
    context: multiprocessing.context.BaseContext,
    carried: tuple[Sequence[str], CarriedKinds],
    finished: Finished,
    runner: Runner,
) -> tuple[list[Job], list[Job], list[int | None]]:
    """Run ``jobs`` on a fresh pool until they finish or a worker dies; ``finished`` gets each that ends.

    Returns, where a worker died, the jobs its pool was running (in job order), those it had not
    started, and how its workers ended (their exit codes); else three empty lists.
    """
    started = context.SimpleQueue()  # each job's position as a worker starts it
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_start_worker, initargs=(*carried, started)
    )
    broken: list[int] = []
    try:
        with _signals_deferred(signal.SIGINT, signal.SIGTERM):  # the workers start as the first jobs go in
            if context.get_start_method() == "forkserver":
                context.set_forkserver_preload(["offloadsim.experiments.executors", "offloadsim.api"])
                _start_forkserver_deaf_to_ctrl_c()
            pending: dict[Future[JobResult], int] = {
                pool.submit(_in_worker, runner, sent_to_worker(job), i): i for i, job in enumerate(jobs)
            }
            processes = list((getattr(pool, "_processes", None) or {}).values())  # none before 3.14's API
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=lambda f: (jobs[pending[f]].index, jobs[pending[f]].replication)):
                position = pending.pop(future)
                job, error = jobs[position], future.exception()
                if isinstance(error, CarriedUnreadable):  # every worker lacks it: no job can run
                    fix = (
                        "make its module importable there (install it, or put its folder on PYTHONPATH "
                        "before the command starts), or run"
                        if error.about_module
                        else "run"
                    )
                    raise ExperimentError(
                        f"{error}; {fix} the jobs in this process ({argument('workers', 1)})"
                    ) from None
                if isinstance(error, BrokenProcessPool):
                    broken.append(position)
                    continue
                if getattr(error, "no_cause_to_show", False):  # the pool made its traceback text the cause
                    error.__cause__ = None  # type: ignore[union-attr]
                finished(job, None if error is not None else future.result(), error)
    except BaseException:
        _stop_pool(pool)
        raise
    pool.shutdown(wait=True)
    if not broken:
        return [], [], []
    running = set()
    while not started.empty():
        running.add(started.get())
    for process in processes:
        process.join(timeout=5)
    statuses = [process.exitcode for process in processes]
    if not running and len(broken) == len(jobs):  # no job started nor ended: its workers died as they began
        raise PoolDied(
            "a worker process died before it ran a job (started from a script without an "
            "`if __name__ == '__main__':` guard?)",
            f"run with one worker ({argument('workers', 1)}) to see the error",
        )
    broken.sort()
    return [jobs[i] for i in broken if i in running], [jobs[i] for i in broken if i not in running], statuses


def _in_worker(runner: Runner, job: Job, position: int) -> JobResult:
    """``runner(job)`` in a pool's worker; an error with no exception of its own to show is marked so.

    The pool gives every error it hands back a cause (the worker's traceback, as text), so a plug-in
    metric or note provider's wrong result, which has none, said "run again with --debug to see its
    traceback" under ``compare`` and ``sweep``: the mark has the parent drop that cause.
    """
    if _STARTED is not None:  # before the job: a worker it kills has said which job it ran
        _STARTED.put(position)
    if _UNREADABLE is not None:  # said with the first job, not as a worker dead at start
        raise _UNREADABLE
    try:
        return runner(job)
    except Exception as error:
        if not getattr(error, "show_cause_with_debug", True):
            with contextlib.suppress(AttributeError):  # an exception of __slots__: said as it was
                error.no_cause_to_show = True  # type: ignore[attr-defined]
        raise


def _as_flags(runner: Runner, job: Job) -> JobResult:
    """``runner(job)`` with messages naming the command line's flags, in whatever process it runs.

    The flag context is this process's: a ``compare`` worker's timed-out policy said "give it longer
    with policy_timeout=", Python's wording, under a command that takes ``--policy-timeout``.
    """
    with as_flags():
        return runner(job)


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


#: Why this pool worker could not register what the parent handed it (None: it could); its jobs raise it.
_UNREADABLE: CarriedUnreadable | None = None
#: Where this pool worker says which job it starts (its position in its pool's jobs); None outside a pool.
_STARTED: multiprocessing.queues.SimpleQueue[int] | None = None


def _start_worker(
    said: Sequence[str] = (),
    kinds: CarriedKinds | None = None,
    started: multiprocessing.queues.SimpleQueue[int] | None = None,
) -> None:
    """Pool worker initializer: die with the parent, and register what the parent's code registered.

    ``said``: the entry-point groups whose skipped plug-ins the parent has warned of already
    (:func:`_read_plugins`); the worker does not warn of them again.  ``kinds``: the policies, run
    metrics and all else the parent's code registered (:mod:`offloadsim.experiments.carried_kinds`),
    rebuilt here one by one, so that one this worker cannot rebuild or register is named
    (:mod:`offloadsim.experiments.carried_unreadable`) with its first job instead of the worker
    dying at start.  ``started``: where it says which job it starts (:func:`_pool_round`).
    """
    from offloadsim.plugins import said_elsewhere

    global _UNREADABLE, _STARTED
    _STARTED = started
    said_elsewhere(said)
    _die_with_parent()
    try:
        register_carried_kinds(kinds)
    except CarriedUnreadable as error:
        _UNREADABLE = error


def _read_plugins() -> tuple[str, ...]:
    """Read every registry's entry points here, before the workers start: the groups read.

    A plug-in that cannot be loaded is then said once, by this process, in the command's
    one-line form, and not by every worker in Python's own (two lines, with a source line).
    """
    from offloadsim.analysis import metric_list
    from offloadsim.engine import processor_models, work
    from offloadsim.plugins import GROUPS
    from offloadsim.policies import registry
    from offloadsim.records import schema, tables
    from offloadsim.scenario import link_models as links
    from offloadsim.scenario.arrivals import base
    from offloadsim.world.dynamics import registry as dynamics
    from offloadsim.world.notes import registry as notes
    from offloadsim.world.notes import shipped  # noqa: F401  (the shipped notes first, a plug-in's after)

    for module in (
        processor_models,
        work,
        registry,
        schema,
        tables,
        base,
        links,
        dynamics,
        notes,
        metric_list,
    ):
        module.PLUGINS.load()
    return tuple(GROUPS)


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


def _format_traceback(error: BaseException) -> str:
    return "".join(traceback.format_exception(type(error), error, error.__traceback__))
