"""Jobs run on a Dask distributed cluster: reaching its scheduler, and refusing one that is not there.

Dask's own Client retries a refused connection until its timeout and reads another service's
first bytes as a message, so the address is tried here first: one line, not a hang or a
traceback, for an address where no scheduler listens or something else answers.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import logging
import socket
import threading
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from typing import Any

from offloadsim.errors import argument
from offloadsim.experiments.carried_kinds import carried_kinds, run_carrying
from offloadsim.experiments.carried_unreadable import CarriedUnreadable
from offloadsim.experiments.jobs import Finished, Job, Runner, sent_to_worker
from offloadsim.experiments.storage import ExperimentError
from offloadsim.suggest import quoted

__all__ = [
    "DASK_CONNECT_TIMEOUT_S",
    "DASK_REFUSED_S",
    "DaskWorkersDied",
    "SchedulerLost",
    "dask_log_shown",
    "run_on_dask",
]

#: How long to keep trying to reach a Dask scheduler, in seconds.
DASK_CONNECT_TIMEOUT_S = 20.0
#: How long a scheduler address may refuse connections before the sweep gives up on it, in seconds.
#: Dask's Client retries a refused connection until its one timeout (a scheduler still starting
#: refuses too; dask/distributed#3487) and has no setting for refusals: the Client is given this
#: timeout first; if it fails and the address then refuses a plain TCP connection, nothing is
#: starting there; otherwise the Client gets the rest of DASK_CONNECT_TIMEOUT_S.
DASK_REFUSED_S = 3.0


def run_on_dask(
    jobs: Sequence[Job], address: str, finished: Finished, runner: Runner, log: list[str] | None = None
) -> None:
    """Run on a Dask distributed cluster; results come back to this process, which writes them.

    Dask's own log (its warnings, its client's traceback of a lost scheduler) goes into ``log``,
    not to stderr, where it buried the command's one line (:func:`dask_log_shown` leaves it there).
    """
    try:
        from distributed import Client, KilledWorker, as_completed
    except ImportError:
        raise ExperimentError(
            f"{argument('scheduler')} needs Dask distributed, which is not installed: "
            "pip install 'dask[distributed]'"
        ) from None
    with _dask_log_kept([] if log is None else log) as keeper:
        try:
            client = _connect(Client, address)
        except ValueError as error:  # no port, a port that is no number, an unknown scheme
            raise ExperimentError(
                f"cannot connect to the Dask scheduler at {address}: expected an address like "
                f"tcp://HOST:PORT ({error})"
            ) from None
        except (OSError, TimeoutError) as error:
            raise ExperimentError(f"cannot connect to the Dask scheduler at {address}: {error}") from None
        _refuse_no_workers(client, address)
        import cloudpickle  # what Dask pickles a job with

        kinds = carried_kinds(cloudpickle.dumps, jobs)
        if kinds:
            runner = functools.partial(run_carrying, runner=runner, kinds=kinds)
        came_back: set[Any] = set()  # the keys of the jobs that came back with a result
        try:
            # In one message, not one a job: Dask then queues the jobs on its scheduler and hands each
            # worker only what it can start (its worker-saturation), so a worker that dies takes
            # fewer jobs with it, each counted against Dask's allowed-failures.
            sent = client.map(runner, [sent_to_worker(job) for job in jobs], pure=False)
            futures = dict(zip(sent, jobs, strict=True))
            for future in as_completed(list(futures), loop=client.loop):
                job = futures.pop(future)
                try:
                    result = future.result()
                except CarriedUnreadable as error:  # the workers lack its module: no job can run there
                    fix = (
                        "install its module on the Dask workers, or leave" if error.about_module else "leave"
                    )
                    raise ExperimentError(
                        f"{error}; {fix} out {argument('scheduler')} to run the jobs on this machine"
                    ) from None
                except KilledWorker as error:  # its failure, said of it as a local worker's death is
                    finished(job, None, DaskWorkersDied(error.allowed_failures))
                except Exception as error:
                    if _scheduler_lost(client, error):  # every job not yet back is lost with it, none failed
                        if keeper is not None:  # its client, closed, still tries to reconnect for its timeout
                            keeper.linger_s = DASK_CONNECT_TIMEOUT_S + 1.0
                        raise SchedulerLost(address) from None
                    finished(job, None, error)
                else:
                    came_back.add(future.key)
                    finished(job, result, None)
                future.release()
            _say_reruns(client, came_back)
        except BaseException:
            for future in futures:
                with contextlib.suppress(Exception):  # a client that lost its scheduler cannot cancel
                    future.cancel()
            raise
        finally:
            client.close()


class DaskWorkersDied(ExperimentError):
    """Each Dask worker that ran a job died running it (Dask's ``KilledWorker``): the job's failure.

    Dask gives a job whose worker dies to another worker, up to ``allowed_failures`` times more
    (its ``distributed.scheduler.allowed-failures``), then gives up on it.
    """

    def __init__(self, allowed_failures: int) -> None:
        tried = allowed_failures + 1
        workers = "the Dask worker process" if tried == 1 else f"each of the {tried} Dask worker processes"
        super().__init__(
            f"{workers} that ran it died running it (killed, out of memory, or a crash in native code; "
            f"Dask's allowed-failures is {allowed_failures})"
        )
        self.allowed_failures = allowed_failures


#: Whether Dask's own log goes to stderr as Dask sets it up (the command line's ``--debug``).
_DASK_LOG_SHOWN: ContextVar[bool] = ContextVar("offloadsim_dask_log_shown", default=False)


@contextlib.contextmanager
def dask_log_shown(shown: bool = True) -> Iterator[None]:
    """Leave Dask's own log on stderr while the block runs (``--debug``), not kept aside."""
    token = _DASK_LOG_SHOWN.set(shown)
    try:
        yield
    finally:
        _DASK_LOG_SHOWN.reset(token)


@contextlib.contextmanager
def _dask_log_kept(lines: list[str]) -> Iterator[_Kept | None]:
    """Send Dask's log records (``distributed`` and below) into ``lines`` while the block runs.

    Its "Couldn't gather keys, rescheduling" warnings and its client's traceback of a lost
    scheduler went to stderr, around the command's one line.  The block may set the handler's
    ``linger_s`` (a client left reconnecting to a lost scheduler logs its failure that long after
    it is closed): its log goes on into ``lines`` that long after, from a daemon timer.
    """
    if _DASK_LOG_SHOWN.get():
        yield None
        return
    _LINGERING.end()  # a lost client's lingering keeper, if any: Dask's handlers back before they go aside
    keeper = _Kept(lines)
    keeper.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s: %(message)s"))
    # Dask's logging config gives some of its loggers a handler of their own (distributed.client's),
    # not propagated: each such one is kept aside, as is the top one.
    named = [name for name in logging.root.manager.loggerDict if name.startswith("distributed.")]
    loggers = [logging.getLogger("distributed")] + [
        logger for logger in map(logging.getLogger, named) if logger.handlers
    ]
    was = [(logger, list(logger.handlers), logger.propagate) for logger in loggers]
    for logger, handlers, _ in was:
        for handler in handlers:
            logger.removeHandler(handler)
        logger.addHandler(keeper)
        logger.propagate = False

    def restore() -> None:
        for logger, handlers, propagate in was:
            logger.removeHandler(keeper)
            for handler in handlers:
                logger.addHandler(handler)
            logger.propagate = propagate

    try:
        yield keeper
    finally:
        if keeper.linger_s > 0:
            _LINGERING.start(keeper.linger_s, restore)
        else:
            restore()


class _Lingering:
    """The one restore of Dask's log handlers left to a timer, run by the timer or by the next run first.

    Two restores in an order other than the keepers' (a timer firing during the next run) left
    Dask's handlers on beside the next keeper, or a keeper on for good.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._restore: Callable[[], None] | None = None

    def start(self, delay_s: float, restore: Callable[[], None]) -> None:
        """Run ``restore`` in ``delay_s`` seconds, from a daemon timer, unless :meth:`end` runs it first."""
        with self._lock:
            self._restore = restore
        timer = threading.Timer(delay_s, self.end)
        timer.daemon = True  # the command's exit does not wait for it
        timer.start()

    def end(self) -> None:
        """Run the restore left, if one is (once, whoever calls first)."""
        with self._lock:
            restore, self._restore = self._restore, None
            if restore is not None:
                restore()


_LINGERING = _Lingering()


class _Kept(logging.Handler):
    """A log handler that keeps each record's text in a list."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__()
        self.lines = lines
        self.linger_s = 0.0

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(Exception):  # a record that cannot be formatted is not worth a failure
            self.lines.append(self.format(record))


def _say_reruns(client: Any, came_back: set[Any]) -> None:
    """Say once how many jobs Dask ran again, unasked, because the worker it gave them to went.

    Dask gives the jobs a lost worker held to another worker without a word (the records are the
    same); the scheduler's ``remove-worker`` events name them, and one call reads them all.
    """
    try:
        events = client.get_events("all")
    except Exception:  # a scheduler too old or gone: nothing to say
        return
    rerun: set[Any] = set()
    for _, event in events:
        if isinstance(event, dict) and event.get("action") == "remove-worker":
            held = {*event.get("processing-tasks", ()), *event.get("lost-computed-tasks", ())}
            rerun |= held & came_back
    if rerun:
        jobs = "1 job was" if len(rerun) == 1 else f"{len(rerun)} jobs were"
        each = "it was" if len(rerun) == 1 else "each was"
        logging.getLogger("offloadsim").info(
            f"{jobs} rerun on another Dask worker after the worker {each} given died or left "
            "(Dask does so unasked; the records are the same)"
        )


class SchedulerLost(ExperimentError):
    """The Dask scheduler went away mid-run: the jobs it held are lost, not failed.

    ``what`` says what happened and ``advice`` what to do; a sweep says between them what it kept.
    """

    def __init__(self, address: str) -> None:
        self.what = (
            f"lost the connection to the Dask scheduler at {address} (it stopped, or the network to it did)"
        )
        self.advice = "start it and its workers again before you rerun the command"
        super().__init__(f"{self.what}; {self.advice}")


def _scheduler_lost(client: Any, error: Exception) -> bool:
    """Whether ``error`` is Dask cancelling a job because the client lost its scheduler."""
    if not isinstance(error, concurrent.futures.CancelledError):
        return False
    return getattr(error, "reason", None) == "scheduler-connection-lost" or client.status != "running"


def _refuse_no_workers(client: Any, address: str) -> None:
    """One line, not a silent hang, for a scheduler none of whose workers joins in DASK_CONNECT_TIMEOUT_S.

    Dask holds submitted jobs until a worker joins, for good: a sweep sent to a scheduler whose
    workers were never started (or have all gone) sat at 0 jobs without a word.
    """
    try:
        client.wait_for_workers(1, timeout=DASK_CONNECT_TIMEOUT_S)
    except TimeoutError:
        client.close()
        raise ExperimentError(
            f"the Dask scheduler at {address} has no workers: none joined in {DASK_CONNECT_TIMEOUT_S:g} s "
            f"(start some with 'dask worker {address}')"
        ) from None
    except OSError:  # after TimeoutError, one of them: the scheduler went meanwhile (Dask's CommClosedError)
        client.close()
        raise SchedulerLost(address) from None


def _connect(client: type[Any], address: str) -> Any:
    """A Dask ``client`` of the scheduler at ``address``; one that refuses fails after DASK_REFUSED_S."""
    _resolve(address)
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


def _resolve(address: str) -> None:
    """OSError if the host of a Dask address has no address: a misspelt or unknown host name.

    Dask retries a name that does not resolve until its timeout, and the handshake's bound
    then said that something there "accepted the connection but did not answer", 20 s later.
    An address Dask cannot parse is left to it (its ValueError names what is wrong).
    """
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, location = parse_address(address)
        if scheme not in ("tcp", "tls"):
            return
        host, port = parse_host_port(location)
    except ValueError:
        return
    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise OSError(
            f"cannot find the host {quoted(host)}: {error.strerror} "
            "(check its spelling, or give its IP address)"
        ) from None


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
