"""Run the workers of one testbed run inside its namespaces and collect their records, cleaning up always.

:func:`execute` starts the edge and device workers together (a device
retries its connections until the edge listens), waits until each is ready,
then tells the devices one start time ``T0`` (``go T0``) so their arrival
times share one origin. It
waits for every worker to exit (bounded by the time limit) and reads their
records. Whatever happens — a worker failing, the time limit, Ctrl-C,
SIGTERM — the workers are killed (their own process groups) before the
namespaces are deleted, so nothing is left running or configured.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import offloadsim
from offloadsim.testbed.errors import TestbedError
from offloadsim.testbed.netns import Testbed
from offloadsim.testbed.worker import PARENT_ENV

__all__ = ["Worker", "execute", "signals_as_interrupt"]

#: Seconds a worker may take to load its model and say ``ready``.
READY_TIMEOUT_S = 120.0
#: Seconds between ``go`` and the devices' common start time ``T0``.
START_MARGIN_S = 0.3
_KILL_GRACE_S = 3.0


_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@contextlib.contextmanager
def signals_as_interrupt() -> Iterator[None]:
    """Within the block, SIGINT, SIGTERM and SIGHUP interrupt once, so clean-up runs.

    The first signal is handed to the handler that was there before (the
    command line's: Ctrl-C raises KeyboardInterrupt, SIGTERM its own
    subclass of it, so the exit status says which) or, where there was none,
    raises KeyboardInterrupt. Later signals are ignored until the block has
    exited, so a second Ctrl-C cannot cut the clean-up short (every clean-up
    step is bounded in time). Only the main thread can install signal
    handlers; elsewhere this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: Any) -> None:
        for sig in _SIGNALS:
            signal.signal(sig, signal.SIG_IGN)
        before = previous.get(signum)
        if callable(before):
            before(signum, frame)  # raises what the caller maps this signal to
        raise KeyboardInterrupt(f"signal {signum}")

    previous: dict[int, Any] = {}
    previous.update((sig, signal.signal(sig, interrupt)) for sig in _SIGNALS)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextlib.contextmanager
def _signals_blocked() -> Iterator[None]:
    """Hold back the interrupting signals for a short step that must not be cut in half."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@dataclass
class Worker:
    """A worker process: its name (``edge``, ``device-0``), namespace, config and, once started, process."""

    name: str
    namespace: str
    config: dict[str, Any]
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    log: Path | None = None
    _buffer: bytes = field(default=b"", repr=False)

    def read_line(self, deadline: float) -> str:
        """The worker's next stdout line; TestbedError if it exits or says nothing before ``deadline``."""
        assert self.process is not None and self.process.stdout is not None
        fd = self.process.stdout.fileno()
        while b"\n" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TestbedError(f"{self.name} did not answer in time{self.last_words()}")
            ready, _, _ = select.select([fd], [], [], min(remaining, 0.5))
            if ready:
                chunk = os.read(fd, 4096)
                if not chunk:
                    self.process.wait(timeout=_KILL_GRACE_S)
                    raise TestbedError(
                        f"{self.name} exited with status {self.process.returncode}{self.last_words()}"
                    )
                self._buffer += chunk
        line, _, self._buffer = self._buffer.partition(b"\n")
        return line.decode(errors="replace").strip()

    def last_words(self) -> str:
        """``: <last line of its log>`` if the worker wrote one, for error messages."""
        if self.log is None or not self.log.exists():
            return ""
        lines = [line for line in self.log.read_text(errors="replace").splitlines() if line.strip()]
        return f": {lines[-1].strip()}" if lines else ""


def _package_root() -> str:
    return str(Path(offloadsim.__file__).resolve().parents[1])


def _start(worker: Worker, bed: Testbed, workdir: Path) -> None:
    config_path = workdir / f"{worker.name}.json"
    worker.config["records"] = str(workdir / f"{worker.name}-records.json")
    config_path.write_text(json.dumps(worker.config, indent=1))
    worker.log = workdir / f"{worker.name}.log"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (_package_root(), env.get("PYTHONPATH", "")) if p)
    env["PYTHONUNBUFFERED"] = "1"
    env[PARENT_ENV] = str(os.getpid())
    argv = [
        *bed.exec_prefix(worker.namespace),
        sys.executable,
        "-m",
        "offloadsim.testbed.worker",
        str(config_path),
    ]
    with open(worker.log, "wb") as log, _signals_blocked():  # no interrupt between start and bookkeeping
        worker.process = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            env=env,
            start_new_session=True,  # own process group: killed as one; Ctrl-C reaches only the runner
        )


def _stop(workers: Sequence[Worker]) -> None:
    """SIGTERM every worker still running (its whole process group), then SIGKILL the stubborn ones."""
    alive = [w.process for w in workers if w.process is not None and w.process.poll() is None]
    for proc in alive:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + _KILL_GRACE_S
    for proc in alive:
        try:
            proc.wait(timeout=max(deadline - time.monotonic(), 0.01))
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=_KILL_GRACE_S)
    for worker in workers:
        if worker.process is not None:
            for stream in (worker.process.stdin, worker.process.stdout):
                _close(stream)


def _close(stream: IO[bytes] | None) -> None:
    if stream is not None:
        with contextlib.suppress(OSError):
            stream.close()


def execute(
    bed: Testbed, edge: Worker | None, devices: Sequence[Worker], workdir: Path, time_limit_s: float
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Run ``edge`` (if any) and ``devices`` in ``bed``; return (device records, edge records).

    Every worker gets ``time_limit_s`` (measured from its start) in its
    config; the runner gives up a few seconds after that.
    """
    workers = ([edge] if edge is not None else []) + list(devices)
    for worker in workers:
        worker.config["time_limit_s"] = time_limit_s
    give_up = time.monotonic() + time_limit_s + 2 * _KILL_GRACE_S
    try:
        for worker in workers:  # all at once: devices load their models while the edge loads its own
            _start(worker, bed, workdir)
        ready_by = time.monotonic() + READY_TIMEOUT_S
        for worker in workers:  # a device is ready once connected, so after the edge listens
            _expect(worker, "ready", ready_by)
        t0 = time.monotonic_ns() + int(START_MARGIN_S * 1e9)
        for device in devices:
            assert device.process is not None and device.process.stdin is not None
            device.process.stdin.write(f"go {t0}\n".encode())
            device.process.stdin.flush()
        for worker in [*devices, *([edge] if edge is not None else [])]:
            _expect(worker, "done", give_up)
            assert worker.process is not None
            worker.process.wait(timeout=max(give_up - time.monotonic(), 0.01))
        return _records(devices, t0), (_records([edge], t0) if edge is not None else [])
    except subprocess.TimeoutExpired:
        raise TestbedError(f"the workers did not finish within the time limit ({time_limit_s:g} s)") from None
    finally:
        _stop(workers)


def _expect(worker: Worker, word: str, deadline: float) -> None:
    line = worker.read_line(deadline)
    if line != word:
        raise TestbedError(f"{worker.name} said {line!r} where {word!r} was expected{worker.last_words()}")


def _records(workers: Sequence[Worker], t0_ns: int) -> list[dict[str, Any]]:
    """Every worker's records, clock readings turned into seconds after ``t0_ns``."""
    rows: list[dict[str, Any]] = []
    for worker in workers:
        path = Path(worker.config["records"])
        if not path.exists():
            raise TestbedError(f"{worker.name} wrote no records{worker.last_words()}")
        for record in json.loads(path.read_text()):
            rows.append({k: _seconds(k, v, t0_ns) for k, v in record.items()})
    return rows


_NOT_CLOCK = frozenset({"device", "id", "bytes_in", "bytes_out", "compute_cpu"})


def _seconds(key: str, value: Any, t0_ns: int) -> Any:
    if key in _NOT_CLOCK or not isinstance(value, int):
        return value
    return (value - t0_ns) / 1e9
