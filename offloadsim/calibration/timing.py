"""Timed unit runs (warm-up, interleaved repeats, robust median, noise) and the resumable timing cache.

Three clocks (:func:`choose_clock`):

* ``cpu`` (the default with one thread on the CPU): the CPU time of the
  thread that ran the kernel (``time.thread_time``), which other processes
  taking the core do not inflate. For onnxruntime, a run is charged the
  smaller of its kernels' time from the per-node profiler (which leaves out
  the layout conversions, ``ReorderInput``/``ReorderOutput``, onnxruntime
  adds at the edges of a one-unit graph, since a whole model does them once,
  not per layer, and the per-call overhead, which a whole model also pays
  once) and the run's CPU time (:class:`ProfiledRunner`).
* ``kernel``: onnxruntime's per-node profiler alone (wall time of the kept
  kernels), for several threads or a GPU, where thread CPU time is not latency.
* ``wall``: ``time.perf_counter`` around each call (numpy, torch with threads).

Units are timed in batches, interleaved run by run and until each median's
confidence interval is tight (:mod:`offloadsim.calibration.sampling`); each
timing keeps its noise: spread, CI, wall spread and wall/clock ratio.

Each distinct unit is timed once per machine, backend, provider, thread count
and method. Results are appended, one JSON line per unit, to a cache file as
soon as a batch is measured, so an interrupted calibration resumes where it
stopped.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import platform
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from offloadsim.calibration.errors import CalibrationError
from offloadsim.calibration.kernels import (
    Kernel,
    kernel_for,
    onnx_unit_model,
    ort_session,
    random_inputs,
    supported,
)
from offloadsim.calibration.sampling import Runner, SampleSet, interleave
from offloadsim.host import cpu_fingerprint, cpu_model
from offloadsim.progress import progress_bar
from offloadsim.suggest import quoted
from offloadsim.world.profiles.calibrated import Timing, unit_weight_bytes
from offloadsim.world.profiles.fusion import Unit

__all__ = [
    "CLOCKS",
    "METHOD",
    "Bench",
    "CacheFlusher",
    "TimingCache",
    "choose_clock",
    "ProfiledRunner",
    "last_level_cache_bytes",
    "machine_fingerprint",
    "make_bench",
    "measure",
    "summarize",
    "summarize_noise",
    "time_units",
]

_LAYOUT_OPS = ("ReorderInput", "ReorderOutput")


def summarize(samples: np.ndarray) -> tuple[float, float]:
    """(median, IQR / median) of ``samples``.

    >>> summarize(np.array([1.0, 2.0, 3.0, 4.0, 5.0]))
    (3.0, 0.6666666666666666)
    """
    median = float(np.median(samples))
    q75, q25 = np.percentile(samples, [75, 25])
    return median, float((q75 - q25) / median) if median > 0 else 0.0


def last_level_cache_bytes() -> int:
    """Size of the largest CPU cache (sysfs), or 32 MiB when it cannot be read."""
    sizes = []
    for path in Path("/sys/devices/system/cpu/cpu0/cache").glob("index*/size"):
        text = path.read_text().strip().upper()
        scale = {"K": 1024, "M": 1024**2, "G": 1024**3}.get(text[-1:], 1)
        try:
            sizes.append(int(text.rstrip("KMG")) * scale)
        except ValueError:
            continue
    return max(sizes, default=32 * 1024**2)


class CacheFlusher:
    """Evicts the CPU caches by streaming through a buffer 1.5x the last-level cache (at most 1 GiB)."""

    def __init__(self, nbytes: int | None = None) -> None:
        self.nbytes = nbytes or min(int(1.5 * last_level_cache_bytes()), 1024**3)
        self._buffer: np.ndarray | None = None

    def __call__(self) -> None:
        """Touch (read and write) every cache line of the buffer."""
        if self._buffer is None:
            self._buffer = np.zeros(self.nbytes, dtype=np.uint8)
        np.add(self._buffer, 1, out=self._buffer)


def measure(
    kernel: Kernel, *, warmup: int = 3, repeats: int = 20, before: Callable[[], None] | None = None
) -> np.ndarray:
    """Run ``kernel`` ``warmup`` times untimed, then return ``repeats`` per-run wall times (s).

    Runs faster than ~50 µs are timed in batches (a batch's mean is one
    sample) so the clock's resolution and loop overhead do not dominate.
    ``before`` (e.g. a :class:`CacheFlusher`) runs untimed before each sample,
    which is then a single run.

    >>> samples = measure(lambda: sum(range(100)), warmup=1, repeats=5)
    >>> len(samples), bool((samples > 0).all())
    (5, True)
    """
    if repeats < 1:
        raise ValueError("repeats must be at least 1")
    clock = time.perf_counter
    start = clock()
    for _ in range(max(warmup, 1)):
        kernel()
    first = (clock() - start) / max(warmup, 1)
    batch = 1 if before is not None else max(1, min(1000, int(50e-6 / max(first, 1e-9))))
    samples = np.empty(repeats)
    for i in range(repeats):
        if before is not None:
            before()
        t0 = clock()
        for _ in range(batch):
            kernel()
        samples[i] = (clock() - t0) / batch
    return samples


def measure_ort_kernels(
    unit: Unit,
    *,
    threads: int,
    provider: str,
    warmup: int,
    repeats: int,
    seed: int = 0,
    before: Callable[[], None] | None = None,
) -> np.ndarray:
    """Per-run seconds of ``unit`` from onnxruntime's profiler, without layout-conversion nodes.

    ``before`` runs before every run (outside the measured kernels).
    """
    with tempfile.TemporaryDirectory(prefix="offloadsim-prof-") as tmp:
        session = ort_session(
            onnx_unit_model(unit, seed=seed), threads, provider, profile_prefix=os.path.join(tmp, "unit")
        )
        feed = {f"x{i}": x for i, x in enumerate(random_inputs(unit, seed))}
        for _ in range(warmup + repeats):
            if before is not None:
                before()
            session.run(None, feed)
        events = json.loads(Path(session.end_profiling()).read_text())
    return _kept_kernel_seconds(events, repeats)


#: How units are measured; part of the cache fingerprint, so a new method never reuses old timings.
METHOD = "interleaved-p10-2"
CLOCKS = ("cpu", "kernel", "wall")
#: A warm unit moving at least this much is run once untimed before each timed run, so the units
#: timed between two of its runs (interleaving) do not leave it with a cache colder than a model would.
REWARM_BYTES = 1024**2


def choose_clock(
    backend: str, threads: int, provider: str = "CPUExecutionProvider", clock: str = "auto"
) -> str:
    """The clock a calibration uses: thread CPU time for one thread on the CPU, else kernel or wall time.

    >>> choose_clock("onnxruntime", 1), choose_clock("onnxruntime", 4), choose_clock("numpy", 2)
    ('cpu', 'kernel', 'wall')
    """
    if clock != "auto":
        if clock not in CLOCKS:
            raise ValueError(f"unknown clock {quoted(clock)}; choose one of {', '.join(CLOCKS)}")
        if clock == "kernel" and backend != "onnxruntime":
            raise ValueError("the kernel clock is onnxruntime's profiler; use clock='cpu' or 'wall'")
        return clock
    on_cpu = backend != "onnxruntime" or provider == "CPUExecutionProvider"
    if threads == 1 and on_cpu:
        return "cpu"
    return "kernel" if backend == "onnxruntime" else "wall"


#: ``bench(unit, cold)`` -> a warmed-up :data:`~offloadsim.calibration.sampling.Runner` for one unit.
Bench = Callable[[Unit, bool], Runner]


def make_bench(
    backend: str,
    *,
    threads: int = 1,
    provider: str = "CPUExecutionProvider",
    clock: str = "auto",
    warmup: int = 3,
    burst: int = 80,
) -> Bench:
    """Runners for ``backend``'s kernels on ``clock`` (see :func:`choose_clock`).

    ``bench(unit, cold)`` builds the unit's kernel, runs it ``warmup`` times
    and returns a runner; with ``cold`` the CPU caches are flushed before
    every run, as a layer whose weights were last read a whole inference ago
    finds them in a model too large for the cache. The ``kernel`` clock
    reads onnxruntime's profiler, which reports once the session ends, so its
    runner times ``burst`` runs up front and hands them out one by one.
    """
    clock = choose_clock(backend, threads, provider, clock)
    flusher = CacheFlusher()

    def bench(unit: Unit, cold: bool = False) -> Runner:
        before = flusher if cold else None
        if clock == "kernel":
            samples = iter(
                measure_ort_kernels(
                    unit, threads=threads, provider=provider, warmup=warmup, repeats=burst, before=before
                ).tolist()
            )

            def replay() -> tuple[float, float]:
                value = next(samples)
                return value, value

            return replay
        rewarm = not cold and unit.bytes_moved >= REWARM_BYTES
        if backend == "onnxruntime":
            return ProfiledRunner(unit, threads, provider, warmup, before, rewarm)
        kernel = kernel_for(unit, backend, threads=threads, provider=provider)
        return _call_runner(kernel, warmup, before, rewarm, cpu=clock == "cpu")

    return bench


def _call_runner(
    kernel: Kernel, warmup: int, before: Callable[[], None] | None, rewarm: bool, *, cpu: bool
) -> Runner:
    """A runner timing ``kernel`` (in batches when it is faster than ~50 µs) on thread CPU or wall time."""
    start = time.perf_counter()
    for _ in range(max(warmup, 1)):
        kernel()
    first = (time.perf_counter() - start) / max(warmup, 1)
    batch = 1 if before is not None else max(1, min(1000, int(50e-6 / max(first, 1e-9))))

    def run() -> tuple[float, float]:
        if before is not None:
            before()
        elif rewarm and batch == 1:
            kernel()
        c0, w0 = time.thread_time_ns(), time.perf_counter_ns()
        for _ in range(batch):
            kernel()
        wall = (time.perf_counter_ns() - w0) * 1e-9 / batch
        return ((time.thread_time_ns() - c0) * 1e-9 / batch if cpu else wall), wall

    return run


class ProfiledRunner:
    """An onnxruntime unit run under the per-node profiler; each run is charged its kernels' time, bounded.

    A run's sample is ``min(kernel time, thread CPU time)``: the summed wall
    time of its kept kernels (not the layout conversions at the edges of a
    one-unit graph, not the call overhead), which is exact when nothing
    preempted the run, capped by the CPU time of the whole run, which other
    processes holding the core do not inflate. Both bound the kernels' own
    time from above, so a sample is never too small, and the low quantile
    the estimate takes (:mod:`~offloadsim.calibration.sampling`) finds the
    runs where the bound was tight. The profiler reports only when the
    session ends, so a call returns a provisional sample (the run's CPU
    time) for the stopping rule and :meth:`samples` gives the real ones.
    """

    def __init__(
        self,
        unit: Unit,
        threads: int,
        provider: str,
        warmup: int,
        before: Callable[[], None] | None,
        rewarm: bool,
    ) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="offloadsim-prof-")
        self._session = ort_session(
            onnx_unit_model(unit), threads, provider, profile_prefix=os.path.join(self._tmp.name, "unit")
        )
        self._feed = {f"x{i}": x for i, x in enumerate(random_inputs(unit))}
        self._before, self._rewarm = before, rewarm
        self._timed: list[tuple[int, float, float]] = []  # (call index, cpu s, wall s)
        self._calls = 0
        for _ in range(max(warmup, 1)):
            self._run()

    def _run(self) -> tuple[float, float]:
        c0, w0 = time.thread_time_ns(), time.perf_counter_ns()
        self._session.run(None, self._feed)
        self._calls += 1
        return (time.thread_time_ns() - c0) * 1e-9, (time.perf_counter_ns() - w0) * 1e-9

    def __call__(self) -> tuple[float, float]:
        """One timed run (after a cache flush, or an untimed re-warming run): its provisional sample."""
        if self._before is not None:
            self._before()
        elif self._rewarm:
            self._run()
        cpu, wall = self._run()
        self._timed.append((self._calls - 1, cpu, wall))
        return cpu, wall

    def samples(self) -> tuple[list[float], list[float]]:
        """End profiling; per timed run, (min(kept kernel seconds, CPU seconds), kept kernel seconds)."""
        events = json.loads(Path(self._session.end_profiling()).read_text())
        self._tmp.cleanup()
        kernels = _kept_kernel_seconds(events, self._calls)
        clock = [min(float(kernels[call]), cpu) for call, cpu, _ in self._timed]
        return clock, [float(kernels[call]) for call, _, _ in self._timed]


def _kept_kernel_seconds(events: list[dict[str, Any]], runs: int) -> np.ndarray:
    """Per run (the last ``runs``), the summed kernel time of every node but the layout conversions."""
    per_node: dict[str, list[float]] = defaultdict(list)
    for event in events:
        name = event.get("name", "")
        if event.get("cat") != "Node" or not name.endswith("_kernel_time"):
            continue
        if event.get("args", {}).get("op_name") in _LAYOUT_OPS:
            continue
        per_node[name].append(float(event["dur"]) * 1e-6)
    total = np.zeros(runs)
    for durations in per_node.values():
        if len(durations) >= runs:
            total += np.asarray(durations[-runs:])
    return total


def machine_fingerprint(backend: str, provider: str, threads: int, versions: dict[str, str]) -> str:
    """A short hash of what a timing depends on besides the unit: CPU, cores, backend, versions.

    The CPU is its name and its fingerprint (family, model, caches): cloud machines under one name
    differ, and a cache in a home directory shared between them must not hand one's timings to another.
    """
    design = json.dumps(cpu_fingerprint(), sort_keys=True)
    parts = [cpu_model(), design, str(os.cpu_count()), platform.machine(), backend, provider, str(threads)]
    parts.append(METHOD)
    parts += [f"{k}={v}" for k, v in sorted(versions.items())]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def _usable(timing: Timing) -> bool:
    """Whether a cached timing's times are finite and non-negative, as a profile's reader requires.

    An edited cache line's ``seconds: -1`` or ``NaN`` went into the profile as it came: calibrate
    wrote, at exit 0, a profile that every scenario naming it then refused.
    """
    return all(t is None or (math.isfinite(t) and t >= 0) for t in (timing.seconds, timing.cold_seconds))


class TimingCache:
    """A JSON-lines file of timings keyed by unit + machine fingerprint; resumes interrupted runs.

    Lines that cannot be parsed (a write cut short by an interruption), or whose times are not
    finite and non-negative (:func:`_usable`), are skipped and that unit is timed again.
    """

    def __init__(self, path: str | os.PathLike[str], fingerprint: str) -> None:
        self.path = Path(path)
        self.fingerprint = fingerprint
        self._entries: dict[str, Timing] = {}
        self._newline_first = False
        if self.path.exists():
            text = self._read()
            self._newline_first = bool(text) and not text.endswith("\n")  # a line cut short
            for line in text.splitlines():
                try:
                    data = json.loads(line)
                    timing = Timing.from_dict(data)
                except (ValueError, KeyError, TypeError):
                    continue
                if _usable(timing):
                    self._entries[data["key"]] = timing

    def _read(self) -> str:
        """The cache file's text; a line that is not UTF-8 (or not JSON) is dropped and timed again.

        Not UTF-8 or a directory in its place was an internal error, and a FIFO there waited forever.
        """
        from offloadsim.bounded_read import MAX_TABLE_BYTES, read_head
        from offloadsim.outdir import describe_os_error

        try:
            return read_head(self.path, MAX_TABLE_BYTES)  # undecodable bytes replaced
        except OSError as error:
            reason = describe_os_error(error)
        except ValueError as error:  # InputFileError: a FIFO or a device
            reason = str(error)
        raise CalibrationError(
            f"cannot read the timing cache {self.path}: {reason} "
            "(remove it, or give --cache DIR or --no-cache)"
        )

    def key(self, unit: Unit) -> str:
        """Cache key of ``unit`` on this machine and backend."""
        return hashlib.sha256(f"{self.fingerprint}|{unit.key}".encode()).hexdigest()[:24]

    def get(self, unit: Unit) -> Timing | None:
        """The cached timing of ``unit``, or None."""
        return self._entries.get(self.key(unit))

    def put(self, timing: Timing) -> None:
        """Store ``timing`` and append it to the file at once (flushed to disk)."""
        key = self.key(timing.unit)
        self._entries[key] = timing
        line = ("\n" if self._newline_first else "") + json.dumps(timing.to_dict(key), separators=(",", ":"))
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a") as fh:
                fh.write(line + "\n")
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as error:  # a read-only or full disk: an internal error at the first unit timed
            from offloadsim.outdir import describe_os_error

            raise CalibrationError(
                f"cannot write the timing cache {self.path}: {describe_os_error(error)} "
                "(give --cache DIR or --no-cache)"
            ) from None
        self._newline_first = False

    def __len__(self) -> int:
        return len(self._entries)


def time_units(
    units: Iterable[Unit],
    bench: Bench,
    *,
    repeats: int = 20,
    max_repeats: int | None = None,
    target_ci: float = 0.02,
    cold_bytes: float = float("inf"),
    cache: TimingCache | None = None,
    batch: int = 16,
    progress: bool = False,
    desc: str = "calibrate",
) -> Iterator[Timing]:
    """Time each supported unit (or take it from ``cache``); yield one :class:`Timing` per unit, in order.

    Units are timed ``batch`` at a time, interleaved run by run (see
    :func:`offloadsim.calibration.sampling.interleave`): at least
    ``repeats`` runs each, more until the median's 95 % CI is within
    ``target_ci``, at most ``max_repeats`` (default ``4 × repeats``). Units
    holding at least ``cold_bytes`` of weights are also timed cold. A
    batch's timings reach the cache as soon as it is done.
    """
    todo = [u for u in units if supported(u)]
    bar = progress_bar(len(todo), progress, desc, unit="unit")  # a terminal's only, as compare's and sweep's
    try:
        for first in range(0, len(todo), max(batch, 1)):
            chunk = todo[first : first + max(batch, 1)]
            done: dict[str, Timing] = {}
            for unit in chunk:
                timing = cache.get(unit) if cache is not None else None
                if (
                    timing is not None
                    and timing.cold_seconds is None
                    and unit_weight_bytes(unit) >= cold_bytes
                ):
                    timing = None  # cached warm only; time both again
                if timing is not None:
                    done[unit.key] = timing
            fresh = [u for u in chunk if u.key not in done]
            for timing in _time_interleaved(fresh, bench, repeats, max_repeats, target_ci, cold_bytes):
                done[timing.unit.key] = timing
                if cache is not None:
                    cache.put(timing)
            for unit in chunk:
                bar.set_postfix_str(unit.group, refresh=False)
                bar.update(1)
                yield done[unit.key]
    finally:
        bar.close()


def _time_interleaved(
    units: list[Unit],
    bench: Bench,
    repeats: int,
    max_repeats: int | None,
    target_ci: float,
    cold_bytes: float,
) -> list[Timing]:
    """Timings of ``units`` measured together: their warm runners and cold ones interleaved."""
    if not units:
        return []
    entries = [(u, False) for u in units] + [(u, True) for u in units if unit_weight_bytes(u) >= cold_bytes]
    runners = [bench(unit, cold) for unit, cold in entries]
    sets = interleave(runners, min_repeats=repeats, max_repeats=max_repeats, target_ci=target_ci)
    for runner, samples in zip(runners, sets, strict=True):
        if isinstance(runner, ProfiledRunner):
            samples.clock, samples.wall = runner.samples()
    measured: dict[tuple[str, bool], SampleSet] = {
        (unit.key, cold): samples for (unit, cold), samples in zip(entries, sets, strict=True)
    }
    timings = []
    for unit in units:
        warm = measured[(unit.key, False)]
        stats, wall = warm.summary(), warm.wall_summary()
        cold = measured.get((unit.key, True))
        cold_stats = cold.summary() if cold is not None else None
        timings.append(
            Timing(
                unit,
                stats.value,
                stats.spread,
                len(warm.clock),
                None if cold_stats is None else cold_stats.value,
                None if cold_stats is None else cold_stats.spread,
                ci=stats.ci,
                wall_ratio=warm.wall_ratio,
                wall_spread=wall.spread,
                rejected=stats.rejected,
                median=stats.median,
            )
        )
    return timings


def summarize_noise(timings: Sequence[Timing], target_ci: float) -> dict[str, Any]:
    """How noisy the measurement was, over every timed unit: what ``calibrate`` reports and records.

    Medians and 90th percentiles over units of the median's CI, the spread
    on the clock used and on the wall clock, the wall/clock ratio (how much
    other processes slowed runs), and the share of runs rejected.
    """

    def stat(values: list[float], q: float) -> float:
        finite = [v for v in values if math.isfinite(v)]
        return float(np.percentile(finite, q)) * 100 if finite else math.nan

    ci = [t.ci for t in timings]
    runs = sum(t.repeats for t in timings)
    return {
        "units": len(timings),
        "target_ci_pct": target_ci * 100,
        "median_ci_pct": stat(ci, 50),
        "p90_ci_pct": stat(ci, 90),
        "units_over_target": sum(1 for v in ci if math.isfinite(v) and v > target_ci),
        "median_spread_pct": stat([t.spread for t in timings], 50),
        "median_wall_spread_pct": stat([t.wall_spread for t in timings], 50),
        "median_wall_ratio": stat([t.wall_ratio for t in timings], 50) / 100,
        "runs": runs,
        "rejected_pct": 100.0 * sum(t.rejected for t in timings) / runs if runs else math.nan,
    }
