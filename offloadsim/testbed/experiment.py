"""One testbed experiment, end to end: measure on the emulated network, write the scenario, simulate, compare.

Two kinds:

* :func:`run_inference` — split inference of a zoo model: each device runs
  the first ``k`` layers, sends the tensors crossing the cut to the edge over
  TCP, the edge runs the rest and returns the result.
* :func:`run_flows` — concurrent transfers only: every device uploads the
  same number of bytes at (nearly) the same time through the one shaped
  link, so real TCP sharing meets the simulator's max-min sharing.

Each writes one directory, all or nothing (:func:`offloadsim.records.results.write_directory`)::

    manifest.json     what ran (format offloadsim-testbed/1): configuration, cut, tbf, link counters, machine
    measured.csv      one row per request (or flow), as measured
    scenario.yaml     the same configuration as an offloadsim scenario (+ arrivals.csv, profiles/)
    simulated/        the simulator's run directory for that scenario
    predicted.csv     the simulated requests (flows) in the measured file's columns
    summary.json      one row: predicted against measured
    workers/          each worker's configuration, log and raw records
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import math
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from offloadsim import userdirs
from offloadsim.host import cpu_fingerprint, cpu_model, host_platform
from offloadsim.testbed.errors import TestbedError
from offloadsim.testbed.netns import (
    DEFAULT_QUEUE_BYTES,
    MAX_DEVICES,
    Testbed,
    check_available,
    remove_stale,
    shaping_for,
)
from offloadsim.testbed.runner import Worker, execute, signals_as_interrupt

__all__ = [
    "FlowsConfig",
    "InferenceConfig",
    "calibrated_profile",
    "check_link_model",
    "default_cache_dir",
    "run_flows",
    "run_inference",
]

PATTERNS = ("closed", "poisson")
#: The ``format`` of a testbed result's manifest (an offloadsim result: a rerun keeps it as NAME.old-N).
FORMAT = "offloadsim-testbed/1"
_PORT = 50007
_MAX_REQUESTS = 100_000


def default_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/offloadsim/testbed`` (``~/.cache/...`` by default): exported ONNX parts."""
    return userdirs.cache_dir("testbed")


@dataclass(frozen=True, slots=True)
class InferenceConfig:
    """A split-inference experiment.

    ``pattern`` ``closed`` sends one request at a time per device (the next
    ``think_s`` after the previous result); ``poisson`` sends a Poisson stream
    per device whose rate loads the busiest resource (device, edge, or the
    link either way) to ``load``, by the simulator's own cost estimates.
    ``requests`` is per device. ``pin`` puts the edge on the last CPU and
    device ``i`` on CPU ``i`` (modulo the CPU count). ``time_limit_s`` bounds
    the run; by default four times its predicted length plus two minutes, at
    least 600 s. A limit shorter than the predicted length is refused at once.
    """

    model: str = "alexnet"
    split: str = "middle"
    rate_bps: float = 10e6
    latency_s: float = 0.0
    queue_bytes: float = DEFAULT_QUEUE_BYTES
    devices: int = 1
    requests: int = 20
    pattern: str = "closed"
    load: float = 0.5
    think_s: float = 0.0
    connections: int = 4
    seed: int = 0
    profile: str = "epyc-ort-1t"  # the shipped profile of the development machine: calibrate yours
    pin: bool = False
    time_limit_s: float | None = None
    warmup: int = 3
    link_model: str = "max-min"  # the simulator's link model for the prediction (network.model)

    def check(self) -> None:
        """TestbedError naming the first bad field."""
        _check_common(
            self.devices,
            self.rate_bps,
            self.queue_bytes,
            self.latency_s,
            600.0 if self.time_limit_s is None else self.time_limit_s,
            self.link_model,
        )
        if not 1 <= self.requests <= _MAX_REQUESTS:
            raise TestbedError(f"requests must be 1 .. {_MAX_REQUESTS}, got {self.requests}")
        if self.pattern not in PATTERNS:
            raise TestbedError(f"pattern must be one of {', '.join(PATTERNS)}, got {self.pattern!r}")
        if not 0 < self.load < 1:
            raise TestbedError(f"load must be between 0 and 1 (exclusive), got {self.load:g}")
        if not (math.isfinite(self.think_s) and 0 <= self.think_s <= 60):
            raise TestbedError(f"think time must be 0 .. 60 s, got {self.think_s:g} s")
        if not 1 <= self.connections <= 64:
            raise TestbedError(f"connections must be 1 .. 64, got {self.connections}")
        if not 0 <= self.warmup <= 100:
            raise TestbedError(f"warmup must be 0 .. 100, got {self.warmup}")


@dataclass(frozen=True, slots=True)
class FlowsConfig:
    """A concurrent-flows experiment: ``rounds`` rounds, each device uploading ``size_bytes`` per round.

    Device ``i`` starts its flow ``i * stagger_s`` after the round starts;
    rounds are ``gap_s`` apart (by default twice the time all flows of a
    round take at the link rate, plus 0.2 s, so rounds do not overlap).
    """

    devices: int = 4
    size_bytes: float = 500e3
    rate_bps: float = 10e6
    latency_s: float = 0.0
    queue_bytes: float = DEFAULT_QUEUE_BYTES
    rounds: int = 5
    stagger_s: float = 0.0
    gap_s: float | None = None
    seed: int = 0
    time_limit_s: float = 600.0
    link_model: str = "max-min"  # the simulator's link model for the prediction (network.model)

    def check(self) -> None:
        """TestbedError naming the first bad field."""
        _check_common(
            self.devices, self.rate_bps, self.queue_bytes, self.latency_s, self.time_limit_s, self.link_model
        )
        if not (math.isfinite(self.size_bytes) and 1 <= self.size_bytes <= 1e9):
            raise TestbedError(f"flow size must be 1 B .. 1 GB, got {self.size_bytes:g} B")
        if not 1 <= self.rounds <= 10_000:
            raise TestbedError(f"rounds must be 1 .. 10000, got {self.rounds}")
        if not (math.isfinite(self.stagger_s) and 0 <= self.stagger_s <= 60):
            raise TestbedError(f"stagger must be 0 .. 60 s, got {self.stagger_s:g} s")
        if self.gap_s is not None and not (math.isfinite(self.gap_s) and 0 < self.gap_s <= 3600):
            raise TestbedError(f"gap must be above 0 and at most 3600 s, got {self.gap_s:g} s")

    def round_gap_s(self) -> float:
        """Seconds between round starts."""
        if self.gap_s is not None:
            return self.gap_s
        together = self.devices * self.size_bytes * 8 / self.rate_bps
        return 2 * together + (self.devices - 1) * self.stagger_s + 2 * self.latency_s + 0.2


def _check_common(
    devices: int, rate_bps: float, queue_bytes: float, latency_s: float, time_limit_s: float, link_model: str
) -> None:
    if not 1 <= devices <= MAX_DEVICES:
        raise TestbedError(f"devices must be 1 .. {MAX_DEVICES}, got {devices}")
    shaping_for(rate_bps, queue_bytes)  # checks both
    if not (math.isfinite(latency_s) and 0 <= latency_s <= 10):
        raise TestbedError(f"latency must be 0 .. 10 s, got {latency_s:g} s")
    if not (math.isfinite(time_limit_s) and 1 <= time_limit_s <= 86_400):
        raise TestbedError(f"time limit must be 1 s .. 24 h, got {time_limit_s:g} s")
    check_link_model(link_model)


def check_link_model(name: str) -> None:
    """TestbedError unless ``name`` is a registered link model (before anything runs)."""
    from offloadsim.scenario.link_models import link_model

    try:
        link_model(name)
    except KeyError as exc:
        raise TestbedError(f"link model: {exc.args[0]}") from None


# --------------------------------------------------------------------------- shared steps


def _prepare() -> list[str]:
    """Check the machine can host the testbed; remove namespaces left by killed runs (their names)."""
    check_available()
    return remove_stale()


def _cpus() -> list[int]:
    return (
        sorted(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else list(range(os.cpu_count() or 1))
    )


def _machine() -> dict[str, Any]:
    from offloadsim.calibration.pipeline import library_versions

    return {
        "cpu_model": cpu_model(),
        "cpu": cpu_fingerprint(),  # the name alone does not tell cloud machines' CPUs apart
        "cores": os.cpu_count(),
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        "platform": host_platform(),
        "versions": library_versions("onnxruntime"),
    }


def _write_yaml(path: Path, document: dict[str, Any], comment: str) -> None:
    """``document`` as a scenario file, as the scenario reader reads it back (a text ``1e9`` quoted)."""
    from offloadsim.strict_yaml import dump_yaml

    text = dump_yaml(document, sort_keys=False, allow_unicode=True, width=110)
    path.write_text("".join(f"# {line}\n" for line in comment.splitlines()) + text)


def _conclude(
    directory: Path,
    summary: dict[str, Any],
    link: dict[str, dict[str, int]],
    meta: dict[str, Any],
    started: float,
) -> None:
    """Add the link drop counts to ``summary``; write it to summary.json and ``meta`` to manifest.json."""
    summary.update(drops_up=link["upload"]["drops"], drops_down=link["download"]["drops"])
    (directory / "summary.json").write_text(json.dumps(_plain(summary), indent=2) + "\n")
    from offloadsim._version import __version__

    meta = {"format": FORMAT, "version": __version__, **meta}
    meta.update(link=link, wall_s=round(time.monotonic() - started, 3))
    (directory / "manifest.json").write_text(json.dumps(meta, indent=2, default=str) + "\n")


def _write_out(out: str | Path, overwrite: bool, fill: Any) -> Path:
    """Run ``fill`` into ``out``, all or nothing; SIGTERM and SIGHUP interrupt it as Ctrl-C does."""
    from offloadsim.outdir import ResultsError, check_out_dir, write_directory

    try:
        check_out_dir(out, overwrite)
        with signals_as_interrupt():
            return write_directory(out, fill, overwrite=overwrite).path
    except ResultsError as exc:
        raise TestbedError(str(exc)) from None


# --------------------------------------------------------------------------- inference


def calibrated_profile(name: str) -> Any:
    """The calibrated profile ``name`` (a name or a file), checked to be onnxruntime on one thread."""
    from offloadsim.world.profiles import get_profile
    from offloadsim.world.profiles.calibrated import CalibratedProfile, ProfileError

    try:
        profile = get_profile(name)
    except (KeyError, ProfileError) as exc:
        raise TestbedError(f"profile: {exc.args[0] if exc.args else exc}") from None
    if not isinstance(profile, CalibratedProfile):
        raise TestbedError(
            f"profile {name!r} is a derived profile; the testbed needs one calibrated on this machine "
            "(offloadsim calibrate --threads 1)"
        )
    if profile.backend.get("name") != "onnxruntime" or int(profile.backend.get("threads", 1)) != 1:
        raise TestbedError(
            f"profile {name!r} was calibrated with {profile.backend.get('name')} on "
            f"{profile.backend.get('threads')} thread(s); the testbed runs onnxruntime on one thread"
        )
    return profile


def _save_profile(profile: Any, directory: Path) -> None:
    """Keep ``profile`` in ``directory/profiles``, where the scenario beside it finds it by name."""
    from offloadsim.calibration.profile import save_profile

    (directory / "profiles").mkdir(exist_ok=True)
    save_profile(profile, directory / "profiles" / f"{profile.name}.json")


def _time_limit(config: InferenceConfig, costs: Any, arrivals: list[list[float]] | None) -> float:
    """The run's bound: the one given, or generous against the predicted length (at least 600 s).

    A given limit shorter than the predicted length is refused before anything starts.
    """
    alone = costs.device_s + costs.edge_s + costs.upload_s + costs.download_s
    if arrivals is None:
        expected = config.requests * (alone + config.think_s)
    else:
        expected = max(times[-1] for times in arrivals) + alone
    if config.time_limit_s is None:
        return max(600.0, 4 * expected + 120)
    if expected > config.time_limit_s:
        raise TestbedError(
            f"the run would take about {expected:.0f} s (predicted), more than the time limit of "
            f"{config.time_limit_s:g} s: raise it or send fewer requests"
        )
    return config.time_limit_s


def _poisson_arrivals(rate_hz: float, count: int, devices: int, seed: int) -> list[list[float]]:
    """``count`` Poisson arrival times per device (seconds from 0), one seeded stream per device."""
    out = []
    for device in range(devices):
        rng = np.random.default_rng([seed, device])
        out.append([float(t) for t in np.cumsum(rng.exponential(1 / rate_hz, count))])
    return out


def resolved_cut(config: InferenceConfig) -> tuple[Any, int]:
    """``config`` checked, its model resolved and its split as a layer count (TestbedError if any is bad).

    What :func:`run_inference` refuses before it touches the system; the campaign asks it of every
    configuration before its first run, so a bad model or split is said at once, not after hours.
    """
    from offloadsim.calibration.errors import CalibrationError
    from offloadsim.calibration.specs import resolve_models
    from offloadsim.models.onnx_io import export_refusal
    from offloadsim.testbed.split import resolve_split

    config.check()
    try:
        (spec,) = resolve_models([config.model])
    except CalibrationError as exc:
        raise TestbedError(f"model: {exc}") from None
    refusal = export_refusal(spec.graph)  # an LLM has no cuts: the costs failed an assertion (exit 1)
    if refusal is not None:
        raise TestbedError(f"{spec.label}: {refusal}")
    return spec, resolve_split(spec.graph, config.split)


def run_inference(
    config: InferenceConfig,
    out: str | Path,
    *,
    cache_dir: str | Path | None = None,
    overwrite: bool = False,
) -> dict[str, Any]:
    """Measure split inference on the testbed, simulate the same scenario, and return the summary row."""
    from offloadsim.testbed import compare, measure, scenario
    from offloadsim.testbed.split import export_split

    spec, k = resolved_cut(config)
    graph = spec.graph
    profile = calibrated_profile(config.profile)
    from offloadsim.testbed.profile_note import profile_note

    another_cpu = profile_note(profile)  # kept in the summary, said by every table and figure of it
    common: dict[str, Any] = {
        "name": f"testbed-{spec.label.replace('@', '-')}-k{k}",
        "label": spec.label,
        "k": k,
        "layers": len(graph),
        "devices": config.devices,
        "rate_bps": config.rate_bps,
        "latency_s": config.latency_s,
        "profile": profile.name,
        "seed": config.seed,
    }
    with tempfile.TemporaryDirectory(
        prefix="offloadsim-testbed-"
    ) as tmp:  # costs, before touching the system
        _save_profile(profile, Path(tmp))
        costs = scenario.predicted_costs(
            scenario.inference_scenario(**common, duration_s=1.0, think_s=0.0), k, tmp
        )
    arrivals: list[list[float]] | None = None
    rate_hz = float("nan")
    if config.pattern == "poisson":
        rate_hz = config.load / costs.bottleneck_s(config.devices)
        arrivals = _poisson_arrivals(rate_hz, config.requests, config.devices, config.seed)
    time_limit = _time_limit(config, costs, arrivals)
    removed = _prepare()
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    summary: dict[str, Any] = {}
    started = time.monotonic()

    def fill(directory: Path) -> None:
        _save_profile(profile, directory)
        split = export_split(spec.label, graph, k, cache)
        from offloadsim.models import as_chain

        chain = as_chain(graph)
        offload = k < len(graph)
        workdir = directory / "workers"
        workdir.mkdir()
        cpus = _cpus()
        shaping = shaping_for(config.rate_bps, config.queue_bytes)
        with Testbed(config.devices, shaping) as bed:
            edge = None
            if offload:
                edge = Worker(
                    "edge",
                    bed.edge_ns,
                    {
                        "role": "edge",
                        "onnx": str(split.edge_onnx),
                        "host": bed.edge_address,
                        "port": _PORT,
                        "latency_s": config.latency_s,
                        "connections": config.devices * config.connections,
                        "max_requests": config.requests,
                        "warmup": config.warmup,
                        "cpu": cpus[-1] if config.pin else None,
                    },
                )
            devices = []
            for i in range(config.devices):
                pattern: dict[str, Any] = (
                    {"kind": "open", "times": arrivals[i]}
                    if arrivals is not None
                    else {"kind": "closed", "count": config.requests, "think_s": config.think_s}
                )
                devices.append(
                    Worker(
                        f"device-{i}",
                        bed.device_ns(i),
                        {
                            "role": "device",
                            "device": f"device-{i}",
                            "onnx": str(split.device_onnx) if split.device_onnx else None,
                            "input_name": split.input_name,
                            "input_shape": list(split.input_shape),
                            "offload": offload,
                            "edge_host": bed.edge_address,
                            "edge_port": _PORT,
                            "connections": config.connections,
                            "latency_s": config.latency_s,
                            "arrivals": pattern,
                            "seed": config.seed + i,
                            "warmup": config.warmup,
                            "cpu": cpus[i % len(cpus)] if config.pin else None,
                            "save_output": str(workdir / f"device-{i}-output.npz") if i == 0 else None,
                        },
                    )
                )
            device_records, edge_records = execute(bed, edge, devices, workdir, time_limit)
            link = bed.link_stats()
        measured = measure.requests_frame(device_records, edge_records)
        measured.to_csv(directory / "measured.csv", index=False)
        span = float(measured["finish"].max()) if len(measured) else 1.0
        document = scenario.inference_scenario(
            **common,
            input_bytes=float(chain.cut_bytes[0]),
            output_bytes=float(chain.cut_bytes[-1]),
            duration_s=max(span, 1e-3) * (1.0 if arrivals is None else 2.0) + 1.0,
            think_s=config.think_s if arrivals is None else None,
            trace="arrivals.csv" if arrivals is not None else None,
            link_model=config.link_model,
        )
        if arrivals is not None:
            (directory / "arrivals.csv").write_text(scenario.trace_csv(arrivals))
        _write_yaml(
            directory / "scenario.yaml",
            document,
            f"Written by 'offloadsim testbed run': what the testbed measured, as a scenario.\n"
            f"model {spec.label}, cut after {k} of {len(graph)} layers, tbf {shaping}",
        )
        result = compare.simulate(directory / "scenario.yaml", directory / "simulated")
        predicted = compare.predicted_requests(result)
        predicted.to_csv(directory / "predicted.csv", index=False)
        row_config = {
            "model": spec.label,
            "split": config.split,
            "k": k,
            "layers": len(graph),
            "cut_bytes": float(chain.cut_bytes[k]) if offload else 0.0,
            "rate_mbps": config.rate_bps / 1e6,
            "latency_ms": config.latency_s * 1e3,
            "queue_bytes": float(config.queue_bytes),
            "devices": config.devices,
            "pattern": config.pattern,
            "load": config.load if config.pattern == "poisson" else float("nan"),
            "rate_per_device_hz": rate_hz,
            "link_model": config.link_model,
            "profile": profile.name,
            "profile_note": another_cpu,
        }
        summary.update(compare.inference_summary(row_config, measured, predicted))
        _conclude(
            directory,
            summary,
            link,
            {
                "kind": "inference",
                "config": dataclasses.asdict(config),
                "split": split.as_dict(),
                "shaping": dataclasses.asdict(shaping),
                "predicted_costs_s": dataclasses.asdict(costs),
                "machine": _machine(),
                "date": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
                "stale_namespaces_removed": removed,
                "measured_requests": len(measured),
            },
            started,
        )

    _write_out(out, overwrite, fill)
    return summary


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    """``row`` with NaN as None, so the JSON written is valid JSON."""
    return {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}


# --------------------------------------------------------------------------- flows


def run_flows(config: FlowsConfig, out: str | Path, *, overwrite: bool = False) -> dict[str, Any]:
    """Measure concurrent uploads through the shaped link, simulate them, and return the summary row."""
    from offloadsim.testbed import compare, measure, scenario

    config.check()
    removed = _prepare()
    summary: dict[str, Any] = {}
    started = time.monotonic()
    gap = config.round_gap_s()
    arrivals = [[r * gap + i * config.stagger_s for r in range(config.rounds)] for i in range(config.devices)]

    def fill(directory: Path) -> None:
        workdir = directory / "workers"
        workdir.mkdir()
        shaping = shaping_for(config.rate_bps, config.queue_bytes)
        with Testbed(config.devices, shaping) as bed:
            edge = Worker(
                "edge",
                bed.edge_ns,
                {
                    "role": "edge",
                    "onnx": None,
                    "host": bed.edge_address,
                    "port": _PORT,
                    "latency_s": config.latency_s,
                    "connections": config.devices,
                    "max_requests": config.rounds,
                    "warmup": 0,
                },
            )
            devices = [
                Worker(
                    f"device-{i}",
                    bed.device_ns(i),
                    {
                        "role": "device",
                        "device": f"device-{i}",
                        "onnx": None,
                        "payload_bytes": int(config.size_bytes),
                        "offload": True,
                        "edge_host": bed.edge_address,
                        "edge_port": _PORT,
                        "connections": 1,
                        "latency_s": config.latency_s,
                        "arrivals": {"kind": "open", "times": arrivals[i]},
                        "warmup": 0,
                    },
                )
                for i in range(config.devices)
            ]
            device_records, edge_records = execute(bed, edge, devices, workdir, config.time_limit_s)
            link = bed.link_stats()
        measured = measure.flows_frame(device_records, edge_records)
        measured.to_csv(directory / "measured.csv", index=False)
        (directory / "arrivals.csv").write_text(scenario.trace_csv(arrivals))
        document = scenario.flows_scenario(
            name=f"testbed-flows-{config.devices}x{config.size_bytes:.0f}B",
            size_bytes=float(config.size_bytes),
            devices=config.devices,
            rate_bps=config.rate_bps,
            latency_s=config.latency_s,
            seed=config.seed,
            duration_s=config.rounds * gap + 1.0,
            trace="arrivals.csv",
            link_model=config.link_model,
        )
        _write_yaml(
            directory / "scenario.yaml",
            document,
            "Written by 'offloadsim testbed flows': what the testbed measured, as a scenario.\n"
            f"tbf {shaping}",
        )
        result = compare.simulate(directory / "scenario.yaml", directory / "simulated")
        predicted = compare.predicted_flows(result)
        predicted.to_csv(directory / "predicted.csv", index=False)
        row_config = {
            "devices": config.devices,
            "size_bytes": float(config.size_bytes),
            "rate_mbps": config.rate_bps / 1e6,
            "latency_ms": config.latency_s * 1e3,
            "queue_bytes": float(config.queue_bytes),
            "stagger_ms": config.stagger_s * 1e3,
            "rounds": config.rounds,
            "link_model": config.link_model,
        }
        summary.update(compare.flows_summary(row_config, measured, predicted))
        _conclude(
            directory,
            summary,
            link,
            {
                "kind": "flows",
                "config": dataclasses.asdict(config),
                "round_gap_s": gap,
                "shaping": dataclasses.asdict(shaping),
                "machine": _machine(),
                "date": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
                "stale_namespaces_removed": removed,
            },
            started,
        )

    _write_out(out, overwrite, fill)
    return summary
