"""Timed kernel runs (warm-up, repeats, median and spread) and the resumable on-disk timing cache.

Each distinct layer configuration is timed once per machine, backend and
thread count. Results are appended, one JSON line per configuration, to a
cache file as soon as they are measured, so an interrupted calibration
resumes where it stopped.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from offloadsim.calibration.kernels import Kernel, LayerConfig, kernel_for, supported

__all__ = [
    "Timing",
    "TimingCache",
    "cpu_model",
    "machine_fingerprint",
    "measure",
    "time_configs",
]


@dataclass(frozen=True, slots=True)
class Timing:
    """Measured run time of one layer configuration.

    ``seconds`` is the median over ``repeats`` timed runs (after ``warmup``
    untimed ones) minus the backend's per-call overhead; ``spread`` is the
    interquartile range over the median, a relative measure of run-to-run noise.
    """

    config: LayerConfig
    seconds: float
    spread: float
    repeats: int
    raw_median_s: float

    def to_dict(self, cache_key: str) -> dict[str, Any]:
        """One cache line."""
        return {
            "key": cache_key,
            "config": self.config.to_dict(),
            "seconds": self.seconds,
            "spread": self.spread,
            "repeats": self.repeats,
            "raw_median_s": self.raw_median_s,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Timing:
        """Inverse of :meth:`to_dict`."""
        return cls(
            config=LayerConfig.from_dict(data["config"]),
            seconds=float(data["seconds"]),
            spread=float(data["spread"]),
            repeats=int(data["repeats"]),
            raw_median_s=float(data.get("raw_median_s", data["seconds"])),
        )


def measure(
    kernel: Kernel, *, warmup: int = 3, repeats: int = 20, min_time_s: float = 0.0
) -> tuple[float, float, np.ndarray]:
    """Run ``kernel`` ``warmup`` times untimed, then time it; return (median s, IQR/median, samples).

    Runs faster than ~50 µs are timed in batches (the mean of a batch is one
    sample) so the clock's resolution and loop overhead do not dominate.
    ``min_time_s`` keeps timing whole batches until that much time is spent.

    >>> med, spread, samples = measure(lambda: sum(range(100)), warmup=1, repeats=5)
    >>> med > 0 and spread >= 0 and len(samples) == 5
    True
    """
    if repeats < 1:
        raise ValueError("repeats must be at least 1")
    clock = time.perf_counter
    start = clock()
    for _ in range(max(warmup, 1)):
        kernel()
    first = (clock() - start) / max(warmup, 1)
    batch = max(1, min(1000, int(50e-6 / max(first, 1e-9))))
    samples: list[float] = []
    spent = 0.0
    while len(samples) < repeats or spent < min_time_s:
        t0 = clock()
        for _ in range(batch):
            kernel()
        elapsed = clock() - t0
        spent += elapsed
        samples.append(elapsed / batch)
    values = np.asarray(samples)
    median = float(np.median(values))
    q75, q25 = np.percentile(values, [75, 25])
    return median, float((q75 - q25) / median) if median > 0 else 0.0, values


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
    """A short hash of what a timing depends on besides the layer: CPU, cores, backend, versions."""
    parts = [cpu_model(), str(os.cpu_count()), platform.machine(), backend, provider, str(threads)]
    parts += [f"{k}={v}" for k, v in sorted(versions.items())]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


class TimingCache:
    """A JSON-lines file of timings, keyed by layer configuration + machine fingerprint.

    Lines that cannot be parsed (a write cut short by an interruption) are
    ignored; the configuration is simply timed again.
    """

    def __init__(self, path: str | os.PathLike[str], fingerprint: str) -> None:
        self.path = Path(path)
        self.fingerprint = fingerprint
        self._entries: dict[str, Timing] = {}
        if self.path.exists():
            for line in self.path.read_text().splitlines():
                try:
                    data = json.loads(line)
                    self._entries[data["key"]] = Timing.from_dict(data)
                except (ValueError, KeyError, TypeError):
                    continue

    def key(self, cfg: LayerConfig) -> str:
        """Cache key of ``cfg`` on this machine and backend."""
        return hashlib.sha256(f"{self.fingerprint}|{cfg.key}".encode()).hexdigest()[:24]

    def get(self, cfg: LayerConfig) -> Timing | None:
        """The cached timing of ``cfg``, or None."""
        return self._entries.get(self.key(cfg))

    def put(self, timing: Timing) -> None:
        """Store ``timing`` and append it to the file at once (flushed)."""
        key = self.key(timing.config)
        self._entries[key] = timing
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a") as fh:
            fh.write(json.dumps(timing.to_dict(key), separators=(",", ":")) + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def __len__(self) -> int:
        return len(self._entries)


def time_configs(
    configs: Iterable[LayerConfig],
    backend: str,
    *,
    threads: int = 1,
    provider: str = "CPUExecutionProvider",
    warmup: int = 3,
    repeats: int = 20,
    overhead_s: float = 0.0,
    cache: TimingCache | None = None,
    progress: bool = False,
    make_kernel: Callable[[LayerConfig], Kernel] | None = None,
) -> Iterator[Timing]:
    """Time each supported configuration (or take it from ``cache``); yield one :class:`Timing` each.

    ``overhead_s`` (the backend's per-call cost, see :func:`call_overhead`) is
    subtracted from every median, floored at 2 % of the raw median.
    """
    todo = [c for c in configs if supported(c)]
    make = make_kernel or (lambda c: kernel_for(c, backend, threads=threads, provider=provider))
    bar: Any = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(todo), desc=f"calibrate ({backend})", unit="layer", leave=False)
    try:
        for cfg in todo:
            cached = cache.get(cfg) if cache is not None else None
            if cached is None:
                median, spread, _ = measure(make(cfg), warmup=warmup, repeats=repeats)
                seconds = max(median - overhead_s, 0.02 * median)
                cached = Timing(cfg, seconds, spread, repeats, median)
                if cache is not None:
                    cache.put(cached)
            if bar is not None:
                bar.set_postfix_str(cfg.group, refresh=False)
                bar.update()
            yield cached
    finally:
        if bar is not None:
            bar.close()


def call_overhead(backend: str, *, threads: int = 1, provider: str = "CPUExecutionProvider",
                  repeats: int = 50) -> float:
    """Median seconds of one call that does (almost) nothing: a 1-element identity layer."""
    tiny = LayerConfig("act", ((1, 1),), (1, 1), (("kind", "relu"),), 1, 0)
    median, _, _ = measure(kernel_for(tiny, backend, threads=threads, provider=provider),
                           warmup=5, repeats=repeats)
    return median
