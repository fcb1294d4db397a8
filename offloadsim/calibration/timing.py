"""Timed unit runs (warm-up, repeats, median and spread) and the resumable on-disk timing cache.

Two clocks:

* ``wall``: ``time.perf_counter`` around each call (numpy, torch).
* ``kernel``: onnxruntime's own per-node profiler. The sample of one run is the
  sum of its nodes' kernel times, leaving out the layout conversions
  (``ReorderInput``/``ReorderOutput``) onnxruntime adds at the edges of a
  one-unit graph, which a whole model does once, not per layer, and the
  per-call Python overhead, which a whole model also pays once.

Each distinct unit is timed once per machine, backend, provider and thread
count. Results are appended, one JSON line per unit, to a cache file as soon
as they are measured, so an interrupted calibration resumes where it stopped.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from offloadsim.calibration.kernels import (
    Kernel,
    kernel_for,
    onnx_unit_model,
    ort_session,
    random_inputs,
    supported,
)
from offloadsim.calibration.units import Unit

__all__ = [
    "CacheFlusher",
    "Timer",
    "Timing",
    "TimingCache",
    "cpu_model",
    "last_level_cache_bytes",
    "machine_fingerprint",
    "make_timer",
    "measure",
    "summarize",
    "time_units",
    "unit_weight_bytes",
]

#: ``timer(unit, warmup, repeats, cold)`` -> per-run seconds.
Timer = Callable[[Unit, int, int, bool], np.ndarray]

_LAYOUT_OPS = ("ReorderInput", "ReorderOutput")


@dataclass(frozen=True, slots=True)
class Timing:
    """Measured run time of one unit: the median of ``repeats`` runs and its relative spread (IQR/median).

    ``cold_seconds``/``cold_spread`` are set for units with large weights,
    timed a second time with the caches flushed before every run.
    """

    unit: Unit
    seconds: float
    spread: float
    repeats: int
    cold_seconds: float | None = None
    cold_spread: float | None = None

    def to_dict(self, cache_key: str = "") -> dict[str, Any]:
        """One JSON-ready record (a cache line when ``cache_key`` is given)."""
        data: dict[str, Any] = {"key": cache_key} if cache_key else {}
        data.update(unit=self.unit.to_dict(), seconds=self.seconds, spread=self.spread, repeats=self.repeats)
        if self.cold_seconds is not None:
            data.update(cold_seconds=self.cold_seconds, cold_spread=self.cold_spread)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Timing:
        """Inverse of :meth:`to_dict`."""
        cold = data.get("cold_seconds")
        return cls(
            Unit.from_dict(data["unit"]),
            float(data["seconds"]),
            float(data["spread"]),
            int(data["repeats"]),
            None if cold is None else float(cold),
            None if cold is None else float(data.get("cold_spread", 0.0)),
        )


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
    per_node: dict[str, list[float]] = defaultdict(list)
    for event in events:
        name = event.get("name", "")
        if event.get("cat") != "Node" or not name.endswith("_kernel_time"):
            continue
        if event.get("args", {}).get("op_name") in _LAYOUT_OPS:
            continue
        per_node[name].append(float(event["dur"]) * 1e-6)
    runs = np.zeros(repeats)
    for durations in per_node.values():
        if len(durations) >= repeats:
            runs += np.asarray(durations[-repeats:])
    return runs


def make_timer(
    backend: str, *, threads: int = 1, provider: str = "CPUExecutionProvider", clock: str = "auto"
) -> Timer:
    """The timer for ``backend``: onnxruntime's kernel profiler by default, else the wall clock.

    ``timer(unit, warmup, repeats, cold)`` returns per-run seconds; with
    ``cold`` the CPU caches are flushed before every run, as a layer whose
    weights were last read a whole inference ago finds them in a model too
    large for the cache.
    """
    flusher = CacheFlusher()
    if clock == "auto":
        clock = "kernel" if backend == "onnxruntime" else "wall"
    if clock == "kernel":
        if backend != "onnxruntime":
            raise ValueError("the kernel clock is onnxruntime's profiler; use clock='wall'")

        def kernel_timer(unit: Unit, warmup: int, repeats: int, cold: bool = False) -> np.ndarray:
            before = flusher if cold else None
            return measure_ort_kernels(
                unit, threads=threads, provider=provider, warmup=warmup, repeats=repeats, before=before
            )

        return kernel_timer

    def wall_timer(unit: Unit, warmup: int, repeats: int, cold: bool = False) -> np.ndarray:
        kernel = kernel_for(unit, backend, threads=threads, provider=provider)
        return measure(kernel, warmup=warmup, repeats=repeats, before=flusher if cold else None)

    return wall_timer


def unit_weight_bytes(unit: Unit) -> int:
    """Bytes of all weights of the unit's layers."""
    return sum(c.param_bytes for c in unit.configs)


def cpu_model() -> str:
    """The CPU model name from /proc/cpuinfo (or the platform's processor string)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def machine_fingerprint(backend: str, provider: str, threads: int, versions: dict[str, str]) -> str:
    """A short hash of what a timing depends on besides the unit: CPU, cores, backend, versions."""
    parts = [cpu_model(), str(os.cpu_count()), platform.machine(), backend, provider, str(threads)]
    parts += [f"{k}={v}" for k, v in sorted(versions.items())]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


class TimingCache:
    """A JSON-lines file of timings keyed by unit + machine fingerprint; resumes interrupted runs.

    Lines that cannot be parsed (a write cut short by an interruption) are
    skipped and that unit is timed again.
    """

    def __init__(self, path: str | os.PathLike[str], fingerprint: str) -> None:
        self.path = Path(path)
        self.fingerprint = fingerprint
        self._entries: dict[str, Timing] = {}
        self._newline_first = False
        if self.path.exists():
            text = self.path.read_text()
            self._newline_first = bool(text) and not text.endswith("\n")  # a line cut short
            for line in text.splitlines():
                try:
                    data = json.loads(line)
                    self._entries[data["key"]] = Timing.from_dict(data)
                except (ValueError, KeyError, TypeError):
                    continue

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
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a") as fh:
            fh.write(
                ("\n" if self._newline_first else "") + json.dumps(timing.to_dict(key), separators=(",", ":"))
            )
            fh.write("\n")
            self._newline_first = False
            fh.flush()
            os.fsync(fh.fileno())

    def __len__(self) -> int:
        return len(self._entries)


def time_units(
    units: Iterable[Unit],
    timer: Timer,
    *,
    warmup: int = 3,
    repeats: int = 20,
    cold_bytes: float = float("inf"),
    cache: TimingCache | None = None,
    progress: bool = False,
    desc: str = "calibrate",
) -> Iterator[Timing]:
    """Time each supported unit (or take it from ``cache``); yield one :class:`Timing` per unit.

    Units holding at least ``cold_bytes`` of weights are also timed cold.
    """
    todo = [u for u in units if supported(u)]
    bar: Any = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(todo), desc=desc, unit="unit", leave=False)
    try:
        for unit in todo:
            timing = cache.get(unit) if cache is not None else None
            if timing is not None and timing.cold_seconds is None and unit_weight_bytes(unit) >= cold_bytes:
                timing = None  # cached warm only; time both again
            if timing is None:
                median, spread = summarize(timer(unit, warmup, repeats, False))
                cold_median = cold_spread = None
                if unit_weight_bytes(unit) >= cold_bytes:
                    cold_median, cold_spread = summarize(timer(unit, warmup, repeats, True))
                timing = Timing(unit, median, spread, repeats, cold_median, cold_spread)
                if cache is not None:
                    cache.put(timing)
            if bar is not None:
                bar.set_postfix_str(unit.group, refresh=False)
                bar.update()
            yield timing
    finally:
        if bar is not None:
            bar.close()
