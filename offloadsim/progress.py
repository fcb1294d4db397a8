"""Progress bars on stderr, never where it is not a terminal (a pipe, a file, a CI log).

A Jupyter notebook's stderr is no terminal either, yet a person watches it: the bars show there too.

:func:`make_progress` draws simulated time: the engine calls the callback every
so many events with the current simulated time.  The bar appears only after
``delay_s`` of wall time (short runs stay silent), and never when disabled or
when the stream is not a terminal; until it appears the callback costs one
clock read.  :func:`progress_bar` counts things done (jobs, points, timed units,
whole models), for compare, sweep and calibrate alike.
"""

from __future__ import annotations

import io
import math
import os
import sys
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import contextmanager
from typing import IO, Any, TypeVar

__all__ = ["bar_size", "make_progress", "progress_bar", "ProgressCallback", "ticking"]

_T = TypeVar("_T")

ProgressCallback = Callable[[float], None]

_BAR_FORMAT = "{desc}{percentage:3.0f}%|{bar}| {n:.0f}/{total:.0f} s simulated [{elapsed}<{remaining}]"


class _LazyBar:
    """Callable progress sink; creates the tqdm bar on the first call after the delay."""

    def __init__(self, total_s: float, delay_s: float, stream: IO[str], clock: Callable[[], float]) -> None:
        self._total = total_s
        self._stream = stream
        self._clock = clock
        self._show_at = clock() + delay_s
        self._bar: Any = None
        self._shown = 0.0

    def __call__(self, sim_time_s: float) -> None:
        bar = self._bar
        if bar is None:
            if self._clock() < self._show_at:
                return
            bar = self._bar = self._open(sim_time_s)
        step = min(sim_time_s, self._total) - self._shown
        if step > 0:
            self._shown += step
            bar.update(step)

    def _open(self, sim_time_s: float) -> Any:
        from tqdm import tqdm

        start = min(max(sim_time_s, 0.0), self._total)
        self._shown = start
        return tqdm(
            total=self._total,
            initial=start,
            desc="simulating ",
            file=self._stream,
            leave=False,
            **bar_size(self._stream),
            mininterval=0.5,
            bar_format=_BAR_FORMAT,
        )

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def _noop(sim_time_s: float) -> None:
    """Progress sink that ignores its input."""


@contextmanager
def make_progress(
    total_s: float,
    enabled: bool,
    *,
    delay_s: float = 2.0,
    stream: IO[str] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Iterator[ProgressCallback]:
    """Yield a ``callback(sim_time_s)`` that drives a progress bar to ``total_s`` simulated seconds.

    The bar (on ``stream``, default stderr) appears only once ``delay_s``
    of wall time has passed, and is removed on exit so the summary prints
    cleanly.  When ``enabled`` is false, the stream is not a terminal or
    ``total_s`` is not a positive number, the callback does nothing.

    >>> with make_progress(60.0, enabled=False) as tick:
    ...     tick(30.0)
    """
    out = sys.stderr if stream is None else stream
    if not enabled or not (math.isfinite(total_s) and total_s > 0) or not _is_terminal(out):
        yield _noop
        return
    bar = _LazyBar(total_s, delay_s, out, clock)
    try:
        yield bar
    finally:
        bar.close()


class _NoBar:
    def update(self, n: int = 1) -> None:
        """Ignore progress."""

    def set_postfix_str(self, text: str, refresh: bool = True) -> None:
        """Ignore what is being done."""

    def close(self) -> None:
        """Nothing to close."""


def progress_bar(total: int, enabled: bool, description: str, unit: str = "job") -> Any:
    """A tqdm bar over jobs (or another ``unit``) with an ETA, on stderr, only when it is a terminal.

    Not on a pipe or a file: ``calibrate | tee log`` wrote a bar whose first ETA (53:24) was a guess.
    """
    if not enabled or not _is_terminal(sys.stderr):
        return _NoBar()
    from tqdm import tqdm

    return tqdm(
        total=total,
        desc=description,
        unit=unit,
        disable=False,  # tqdm's None hid it in a notebook, whose stderr says it is no terminal
        **bar_size(sys.stderr),  # a terminal reporting no size (a pty nobody sized) showed nothing
        mininterval=0.5,
        leave=False,
    )


def ticking(items: Iterable[_T], bar: Any) -> Generator[_T, None, None]:
    """``items`` one by one, the ``bar`` a step on as each is done, closed as the generator is.

    Where the loop may raise, take it under ``contextlib.closing``: a generator a traceback keeps alive
    is closed late, and its bar, cleared then, could wipe the error line printed after it.
    """
    try:
        for item in items:
            yield item
            bar.update(1)
    finally:
        bar.close()


def bar_size(stream: IO[str]) -> dict[str, Any]:
    """The size arguments of a tqdm bar on ``stream``: the terminal's, or 80 x 24 where it reports none.

    A terminal that reports no size (some CI ttys, a pty nobody sized) hid tqdm's bar altogether.
    """
    sized = _columns(stream) > 0
    return {"dynamic_ncols": sized, "ncols": None if sized else 80, "nrows": None if sized else 24}


def _columns(stream: IO[str]) -> int:
    """Width of the terminal behind ``stream``; 0 when unknown."""
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, ValueError, OSError, io.UnsupportedOperation):
        return 0


def _is_terminal(stream: IO[str]) -> bool:
    """Whether a person watches ``stream``: a terminal, or a Jupyter notebook's output (ipykernel's)."""
    if type(stream).__module__.startswith("ipykernel."):
        return True
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
