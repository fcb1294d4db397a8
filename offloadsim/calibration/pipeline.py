"""One calibration, end to end: models -> distinct units -> timings (cached) -> fitted profile.

>>> from offloadsim.calibration import calibrate, resolve_models
>>> profile = calibrate(resolve_models(["squeezenet1_1@64"]), backend="numpy", repeats=3, warmup=1,
...                     correction=False)  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as _dt
import os
import platform
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from offloadsim import userdirs
from offloadsim.calibration.errors import CalibrationError
from offloadsim.calibration.fit import fit_cost_model, fit_errors
from offloadsim.calibration.kernels import check_known_backend, supported
from offloadsim.calibration.profile import group_spreads
from offloadsim.calibration.specs import ModelSpec, resolve_models
from offloadsim.calibration.timing import (
    METHOD,
    TimingCache,
    choose_clock,
    last_level_cache_bytes,
    machine_fingerprint,
    make_bench,
    summarize_noise,
    time_units,
)
from offloadsim.calibration.trust import TRUST_MODELS, assess
from offloadsim.host import cpu_fingerprint, cpu_model, host_platform
from offloadsim.suggest import quoted
from offloadsim.world.profiles.calibrated import CalibratedProfile, Timing
from offloadsim.world.profiles.fusion import (
    NO_FUSION,
    ORT_FUSION,
    FusionRules,
    distinct_units,
)
from offloadsim.world.profiles.rates import sustained_rate
from offloadsim.world.profiles.trust import NO_CORRECTION

if TYPE_CHECKING:
    from offloadsim.calibration.report import WholeModelTiming

__all__ = [
    "DEFAULT_COLD_BYTES",
    "calibrate",
    "default_cache_dir",
    "fit_layout_correction",
    "library_versions",
]

#: What a profile's ``layout_correction`` is, in its own words.
LAYOUT_CORRECTION_WHAT = "seconds per byte converted between blocked (NCHWc) and plain layouts"
#: Units holding at least this many bytes of weights are also timed with cold caches (see make_bench).
DEFAULT_COLD_BYTES = 4 * 1024**2
#: A unit is timed until the 95 % confidence interval of its median is within this fraction of it.
DEFAULT_TARGET_CI = 0.02


def library_versions(backend: str) -> dict[str, str]:
    """Versions of Python, numpy and the backend's libraries (what a timing depends on)."""
    versions = {"python": platform.python_version(), "numpy": np.__version__}
    modules = {"onnxruntime": ("onnxruntime", "onnx"), "torch": ("torch",)}.get(backend, ())
    for module in modules:
        mod = sys.modules.get(module)
        if mod is None:
            try:
                mod = __import__(module)
            except ImportError:
                continue
        versions[module] = str(getattr(mod, "__version__", "?"))
    return versions


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/offloadsim/calibration`` (``~/.cache/...`` by default)."""
    return userdirs.cache_dir("calibration")


def fusion_rules(backend: str, provider: str = "CPUExecutionProvider") -> FusionRules:
    """The fusion rules calibration uses for ``backend``: the blocked (NCHWc) layout is the CPU provider's."""
    if backend != "onnxruntime":
        return NO_FUSION
    if provider == "CPUExecutionProvider":
        return ORT_FUSION
    return dataclasses.replace(ORT_FUSION, name=f"onnxruntime/{provider}", blocked_heads=(), blocked_pass=())


def check_backend(backend: str, provider: str) -> None:
    """CalibrationError unless ``backend`` is known and importable (and has ``provider``).

    An execution provider is onnxruntime's: another backend times on the CPU, so one given
    with it is refused (the timings were the CPU's, the profile recorded the provider).
    """
    check_known_backend(backend)
    if backend != "onnxruntime" and provider != "CPUExecutionProvider":
        raise CalibrationError(
            f"execution provider {quoted(provider)} is onnxruntime's: the {backend} backend times on "
            f"the CPU (use the onnxruntime backend to time on {quoted(provider)})"
        )
    if backend == "onnxruntime":
        from offloadsim.calibration.kernels import check_provider, import_onnxruntime

        check_provider(import_onnxruntime(), provider)
    elif backend == "torch":
        from offloadsim.calibration.torch_ops import import_torch

        import_torch()


def calibrate(
    models: Sequence[ModelSpec],
    *,
    backend: str = "onnxruntime",
    provider: str = "CPUExecutionProvider",
    threads: int = 1,
    warmup: int = 3,
    repeats: int = 20,
    max_repeats: int | None = None,
    target_ci: float = DEFAULT_TARGET_CI,
    clock: str = "auto",
    cold_bytes: float | None = None,
    cold_model_bytes: float | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    name: str | None = None,
    description: str | None = None,
    correction: bool = True,
    progress: bool = False,
    command: str = "",
) -> CalibratedProfile:
    """Time every distinct unit of ``models`` on ``backend``, fit the cost model, return the profile.

    Each unit runs at least ``repeats`` times, interleaved with the other
    units of its batch, and more (up to ``max_repeats``, default 4 ×
    ``repeats``) until the 95 % CI of its median is within ``target_ci``;
    ``clock`` is chosen by :func:`~offloadsim.calibration.timing.choose_clock`
    (thread CPU time for one thread on the CPU). The profile records the
    measured noise (``provenance.noise``) and how far it can be trusted
    (``trust``, :mod:`offloadsim.calibration.trust`). ``correction``
    (onnxruntime only) also times the models whole and fits the
    layout-conversion cost on them (see :func:`fit_layout_correction`).
    """
    if not models:
        raise CalibrationError("no models to calibrate on")
    if threads < 1 or repeats < 1 or warmup < 0:
        raise CalibrationError("threads and repeats must be at least 1, warmup at least 0")
    check_backend(backend, provider)
    rules = fusion_rules(backend, provider)
    on_cpu = backend != "onnxruntime" or provider == "CPUExecutionProvider"
    if cold_bytes is None:
        cold_bytes = DEFAULT_COLD_BYTES if on_cpu else float("inf")
    if cold_model_bytes is None:
        cold_model_bytes = last_level_cache_bytes() / 2 if on_cpu else float("inf")
    versions = library_versions(backend)
    units = distinct_units([m.graph for m in models], rules)
    skipped = sum(1 for u in units if not supported(u))
    try:
        clock = choose_clock(backend, threads, provider, clock)
    except ValueError as error:
        raise CalibrationError(str(error)) from None
    most = max_repeats or 4 * repeats
    bench = make_bench(backend, threads=threads, provider=provider, clock=clock, warmup=warmup, burst=most)
    cache = None
    if cache_dir is not None:
        fingerprint = machine_fingerprint(backend, provider, threads, versions)
        cache = TimingCache(Path(cache_dir) / f"{backend}-{fingerprint}.jsonl", fingerprint)
    with contextlib.ExitStack() as stack:
        # What the cache holds now: a unit given back as that same timing was timed by an earlier run.
        earlier = {u.key: cache.get(u) for u in units} if cache is not None else {}
        if backend == "numpy":
            from offloadsim.calibration.numpy_ops import blas_threads

            versions["blas_threads_pinned"] = str(stack.enter_context(blas_threads(threads)))
        timings = list(
            time_units(
                units,
                bench,
                repeats=repeats,
                max_repeats=most,
                target_ci=target_ci,
                cold_bytes=cold_bytes,
                cache=cache,
                progress=progress,
                desc=f"calibrate {backend}",
            )
        )
    if not timings:
        raise CalibrationError("none of the models' layers can be timed by the calibration kernels")
    model = fit_cost_model(timings)
    errors = fit_errors(model, timings)
    slug = {"onnxruntime": "ort"}.get(backend, backend)
    where = provider if backend == "onnxruntime" else "CPU"
    profile = CalibratedProfile(
        name=name or f"calibrated-{slug}-{threads}t",
        description=description or f"{cpu_model()}, {backend} ({where}), {threads} thread(s)",
        backend={
            "name": backend,
            "provider": provider,
            "threads": threads,
            "clock": clock,
        },
        fusion=rules,
        model=model,
        effective_flops=sustained_rate(timings),  # what each kind ran at: world/profiles/rates.py
        memory_bandwidth_Bps=_memory_bandwidth(timings),
        measured={t.unit.key: t for t in timings},
        group_spread=group_spreads(timings),
        cold_bytes=cold_bytes,
        cold_model_bytes=cold_model_bytes,
        provenance={
            "cpu_model": cpu_model(),
            "cpu": cpu_fingerprint(),  # the name alone does not tell cloud VMs' CPUs apart
            "cores": os.cpu_count(),
            "machine": platform.machine(),
            "platform": host_platform(),
            "threads": threads,
            "versions": versions,
            "date": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
            "command": command,
            "models": [m.label for m in models],
            "warmup": warmup,
            "repeats": repeats,
            "max_repeats": most,
            "method": METHOD,
            "units_timed": len(timings),
            # taken from the timing cache, timed by an earlier run: a rerun said "timed 27 units"
            "units_cached": sum(1 for t in timings if earlier.get(t.unit.key) is t),
            "units_skipped": skipped,
            "fit": errors,
            "noise": summarize_noise(timings, target_ci),
        },
    )
    if correction and rules.blocked_heads:
        profile, _ = fit_layout_correction(profile, models, warmup=warmup, progress=progress)
    elif rules.blocked_heads:  # conversions charged nothing, as by a refused fit: say so in the profile
        profile = dataclasses.replace(profile, correction={"what": LAYOUT_CORRECTION_WHAT, **NO_CORRECTION})
    return dataclasses.replace(profile, trust=assess(profile, [*models, *resolve_models(TRUST_MODELS)]))


def fit_layout_correction(
    profile: CalibratedProfile,
    models: Sequence[ModelSpec],
    *,
    warmup: int = 3,
    repeats: int = 10,
    progress: bool = False,
) -> tuple[CalibratedProfile, dict[str, WholeModelTiming]]:
    """Fit seconds per layout-converted byte on whole-model timings of ``models`` (the training models).

    Minimises the relative error of the whole-model predictions over one
    non-negative coefficient, where the models' conversions can be told from
    their timing noise and the result is physically plausible
    (:func:`offloadsim.calibration.layout.fit_layout`; else 0, and the
    profile records why). Returns ``profile`` with the fit (a new profile:
    profiles are frozen) and the measured whole-model timings by label.
    """
    from offloadsim.calibration.layout import fit_layout, layout_rows
    from offloadsim.calibration.report import exportable, time_whole_models

    profile = dataclasses.replace(profile, layout_s_per_byte=0.0)
    timeable = [spec for spec in models if spec.onnx_path is not None or exportable(spec.graph)]
    if progress and timeable:
        print(f"timing {len(timeable)} whole training model(s), interleaved ...", file=sys.stderr)
    measured: dict[str, WholeModelTiming] = time_whole_models(
        timeable, profile, warmup=warmup, repeats=repeats, progress=progress, desc="timing training models"
    )
    rows = layout_rows(profile, timeable, measured)  # without correction yet
    s_per_byte, fit = fit_layout(rows, profile.memory_bandwidth_Bps)
    correction = {
        "what": LAYOUT_CORRECTION_WHAT,
        **fit,
        "fitted_on": sorted(measured),
        "whole_model_ms": {k: round(v.seconds * 1e3, 4) for k, v in sorted(measured.items())},
        "whole_model_noise": {k: v.noise() for k, v in sorted(measured.items())},
    }
    if progress and not fit["fitted"]:
        print(f"layout correction not fitted: {fit['why']}", file=sys.stderr)
    return dataclasses.replace(profile, layout_s_per_byte=s_per_byte, correction=correction), measured


def _memory_bandwidth(timings: Sequence[Timing]) -> float:
    """Bytes/s of memory-bound units (< 1 FLOP per byte, >= 1 MB moved): their median, else all pooled."""
    rates = [
        t.unit.bytes_moved / t.seconds
        for t in timings
        if t.seconds > 0 and t.unit.flops < t.unit.bytes_moved and t.unit.bytes_moved >= 1e6
    ]
    if rates:
        return float(np.median(rates))
    total = sum(t.seconds for t in timings)
    return sum(t.unit.bytes_moved for t in timings) / total if total > 0 else float("nan")


def slugify(text: str) -> str:
    """Lower-case, dash-separated: ``Intel(R) Xeon(R) Processor`` -> ``intel-xeon-processor``."""
    return re.sub(r"[^a-z0-9]+", "-", re.sub(r"\(r\)|\(tm\)", "", text.lower())).strip("-")
