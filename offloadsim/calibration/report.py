"""The accuracy report: whole models timed end to end against the sum of a profile's per-layer predictions.

Each model is exported to ONNX (:func:`offloadsim.models.export_onnx`, random
weights) and run whole by onnxruntime with the profile's provider and thread
count; all models' runs are interleaved and each is repeated until the
median's confidence interval is tight, on the clock the units were timed with
(thread CPU time for one thread on the CPU). These timings never enter the
per-layer fit. Models the profile was calibrated on are marked
``train``; the others are ``held-out`` and are what the accuracy target is
about (at least 90 % of held-out models within ±10 %).
"""

from __future__ import annotations

import math
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from offloadsim.calibration.errors import CalibrationError
from offloadsim.calibration.kernels import ort_session
from offloadsim.calibration.sampling import Runner, interleave
from offloadsim.calibration.timing import choose_clock
from offloadsim.progress import progress_bar
from offloadsim.suggest import quoted
from offloadsim.world.profiles.trust import MAX_EXTRAPOLATED, extrapolated

if TYPE_CHECKING:
    import pandas as pd

    from offloadsim.calibration.specs import ModelSpec
    from offloadsim.models.graph import LayerGraph
    from offloadsim.world.profiles.calibrated import CalibratedProfile

__all__ = [
    "CI_SCOPE",
    "TOLERANCE",
    "accuracy_summary",
    "accuracy_table",
    "another_machine_line",
    "cpu_timed",
    "WholeModelTiming",
    "exportable",
    "figure_note",
    "format_table",
    "largest_errors",
    "reach_line",
    "time_whole_model",
    "time_whole_models",
    "training_timings",
    "write_report",
]

#: The accuracy target: |error| within this fraction.
TOLERANCE = 0.10
#: What a measured time's ``±CI %`` covers, printed under the accuracy table.
CI_SCOPE = (
    "±CI %: 95% confidence interval of the measured time over this run's repeats only; "
    "it does not cover how the time moves between runs or sessions"
)


def exportable(graph: LayerGraph) -> bool:
    """Whether :func:`offloadsim.models.export_onnx` can write ``graph`` (the zoo's CNNs)."""
    return graph.meta.get("family") == "cnn"


@dataclass(frozen=True, slots=True)
class WholeModelTiming:
    """One model timed end to end: seconds (10th percentile of its runs) on the profile clock, and noise."""

    seconds: float
    spread: float
    ci: float
    wall_seconds: float
    rejected: int
    runs: int

    def noise(self) -> dict[str, float]:
        """The noise figures a profile records beside the median (per cent, ms, counts)."""
        return {
            "spread_pct": round(self.spread * 100, 3),
            "ci_pct": round(self.ci * 100, 3),
            "wall_ms": round(self.wall_seconds * 1e3, 4),
            "rejected": self.rejected,
            "runs": self.runs,
        }

    @classmethod
    def recorded(cls, ms: float, noise: Mapping[str, float] | None = None) -> WholeModelTiming:
        """Inverse of :meth:`noise` with the median in ms (NaN for what was not recorded)."""
        n = noise or {}
        return cls(
            ms / 1e3,
            n.get("spread_pct", math.nan) / 100,
            n.get("ci_pct", math.nan) / 100,
            n.get("wall_ms", math.nan) / 1e3,
            int(n.get("rejected", 0)),
            int(n.get("runs", 0)),
        )


def time_whole_models(
    specs: Sequence[ModelSpec],
    profile: CalibratedProfile,
    *,
    warmup: int = 3,
    repeats: int = 10,
    max_repeats: int | None = None,
    target_ci: float = 0.01,
    progress: bool = False,
    desc: str = "timing whole models",
) -> dict[str, WholeModelTiming]:
    """Whole-model inference of every spec with the profile's onnxruntime settings, timed together.

    The models' runs are interleaved, at least ``repeats`` each and until the
    95 % CI of the estimate (the 10th percentile, as for units) is within
    ``target_ci`` (at most ``max_repeats``, default ``4 × repeats``); one
    thread on the CPU is timed by thread CPU time, as the units were
    (:func:`offloadsim.calibration.timing.choose_clock`). ``progress``: a bar
    over the models whose time is known, on a terminal only (this phase took
    some 45 s with nothing shown).
    """
    if profile.backend.get("name") != "onnxruntime":
        raise CalibrationError(
            f"the accuracy report times whole models with onnxruntime; profile {quoted(profile.name)} was "
            f"calibrated with {quoted(profile.backend.get('name'))}"
        )
    threads = int(profile.backend.get("threads", 1))
    provider = str(profile.backend.get("provider", "CPUExecutionProvider"))
    cpu = cpu_timed(profile)
    runners = []
    with tempfile.TemporaryDirectory(prefix="offloadsim-report-") as tmp:
        for i, spec in enumerate(specs):
            path = spec.onnx_path
            if path is None:
                if not exportable(spec.graph):
                    raise CalibrationError(
                        f"{spec.label}: only the zoo's CNNs can be exported to ONNX and timed"
                    )
                from offloadsim.models import export_onnx

                path = export_onnx(spec.graph, os.path.join(tmp, f"model{i}.onnx"))
            runners.append(_whole_model_runner(ort_session(os.fspath(path), threads, provider), warmup, cpu))
    bar = progress_bar(len(runners), progress, desc, unit="model")
    try:
        sets = interleave(
            runners,
            min_repeats=repeats,
            max_repeats=max_repeats,
            target_ci=target_ci,
            on_done=lambda i: bar.update(1),
        )
    finally:
        bar.close()
    timings = {}
    for spec, samples in zip(specs, sets, strict=True):
        stats = samples.summary()
        timings[spec.label] = WholeModelTiming(
            stats.value,
            stats.spread,
            stats.ci,
            float(np.median(samples.wall)),
            stats.rejected,
            len(samples.clock),
        )
    return timings


def cpu_timed(profile: CalibratedProfile) -> bool:
    """Whether whole models are timed by thread CPU time (one thread on the CPU), else by wall time."""
    threads = int(profile.backend.get("threads", 1))
    provider = str(profile.backend.get("provider", "CPUExecutionProvider"))
    return choose_clock("onnxruntime", threads, provider) == "cpu"


def _whole_model_runner(session: Any, warmup: int, cpu: bool) -> Runner:
    rng = np.random.default_rng(0)
    feed = {}
    for arg in session.get_inputs():
        shape = [d if isinstance(d, int) and d > 0 else 1 for d in arg.shape]
        feed[arg.name] = rng.standard_normal(shape, dtype=np.float32)
    for _ in range(max(warmup, 1)):
        session.run(None, feed)

    def run() -> tuple[float, float]:
        c0, w0 = time.thread_time_ns(), time.perf_counter_ns()
        session.run(None, feed)
        wall = (time.perf_counter_ns() - w0) * 1e-9
        return ((time.thread_time_ns() - c0) * 1e-9 if cpu else wall), wall

    return run


def time_whole_model(
    spec: ModelSpec, profile: CalibratedProfile, *, warmup: int = 3, repeats: int = 10
) -> tuple[float, float]:
    """(median seconds, IQR/median) of one model's whole inference (see :func:`time_whole_models`)."""
    timing = time_whole_models([spec], profile, warmup=warmup, repeats=repeats)[spec.label]
    return timing.seconds, timing.spread


def accuracy_table(
    profile: CalibratedProfile,
    models: Sequence[ModelSpec],
    *,
    warmup: int = 3,
    repeats: int = 10,
    measured: Mapping[str, WholeModelTiming | float] | None = None,
    progress: bool = False,
) -> pd.DataFrame:
    """One row per model: role, measured and predicted ms, error %, noise, shares of timed and untimed work.

    ``measured`` gives whole models already timed (by label; a bare float is
    seconds); the others are timed now, together (see :func:`time_whole_models`).
    """
    import pandas as pd

    trained = set(profile.provenance.get("models", []))
    known: dict[str, WholeModelTiming] = {
        label: value if isinstance(value, WholeModelTiming) else WholeModelTiming.recorded(value * 1e3)
        for label, value in (measured or {}).items()
    }
    todo = [spec for spec in models if spec.label not in known]
    if todo:
        if progress:
            print(f"timing {len(todo)} whole model(s), interleaved ...", file=sys.stderr)
        known.update(time_whole_models(todo, profile, warmup=warmup, repeats=repeats, progress=progress))
    rows: list[dict[str, Any]] = []
    for spec in models:
        timing = known[spec.label]
        pred = profile.predict(spec.graph)
        total = float(np.sum(pred.seconds))
        timed = float(sum(s for s, src in zip(pred.seconds, pred.source, strict=True) if src == "measured"))
        untimed_share, _ = extrapolated(profile, spec.graph)
        rows.append(
            {
                "model": spec.label,
                "role": "train" if spec.label in trained else "held-out",
                "measured_ms": timing.seconds * 1e3,
                "predicted_ms": total * 1e3,
                "error_pct": (total / timing.seconds - 1.0) * 100.0,
                "spread_pct": timing.spread * 100.0,
                "ci_pct": timing.ci * 100.0,
                "wall_ms": timing.wall_seconds * 1e3,
                "timed_share_pct": timed / total * 100.0 if total > 0 else 0.0,
                "untimed_pct": untimed_share * 100.0,
                "extrapolated_layers": sum(src == "extrapolated" for src in pred.source),
            }
        )
    return pd.DataFrame(rows)


def training_timings(profile: CalibratedProfile) -> dict[str, WholeModelTiming]:
    """The whole-model timings the layout correction was fitted on (recorded in the profile)."""
    recorded = profile.correction.get("whole_model_ms", {})
    noise = profile.correction.get("whole_model_noise", {})
    return {label: WholeModelTiming.recorded(ms, noise.get(label)) for label, ms in recorded.items()}


def accuracy_summary(table: pd.DataFrame, tolerance: float = TOLERANCE) -> dict[str, Any]:
    """Held-out (and train) counts within ``tolerance``, worst and median absolute error."""
    summary: dict[str, Any] = {"tolerance_pct": tolerance * 100}
    for role in ("held-out", "train"):
        rows = table[table["role"] == role]
        err = rows["error_pct"].abs()
        key = role.replace("-", "_")
        summary[key] = {
            "models": len(rows),
            "within": int((err <= tolerance * 100).sum()),
            "fraction_within": float((err <= tolerance * 100).mean()) if len(rows) else float("nan"),
            "median_abs_error_pct": float(err.median()) if len(rows) else float("nan"),
            "max_abs_error_pct": float(err.max()) if len(rows) else float("nan"),
        }
    summary["rows"] = [
        {k: (round(v, 3) if isinstance(v, float) else v) for k, v in row.items()}
        for row in table.to_dict(orient="records")
    ]
    return summary


def largest_errors(summary: Mapping[str, Any], shown: int = 3) -> str:
    """The models whose simulated whole-model time is furthest from the measured one, one line, or ``""``.

    The held-out line counts held-out models only: a training model the simulation ran 25 % fast
    (a trial's mobilenet_v2, −25 %) went unsaid under the table.  Names every model, training or
    held-out, outside the summary's tolerance, worst first (``shown`` of them, and how many more);
    where none is, the largest error, so that the line always says how far the worst one is.
    """
    tolerance = float(summary.get("tolerance_pct", TOLERANCE * 100))
    rows = [
        row
        for row in summary.get("rows", [])
        if isinstance(row.get("error_pct"), int | float) and math.isfinite(row["error_pct"])
    ]
    if not rows:
        return ""
    rows.sort(key=lambda row: -abs(row["error_pct"]))
    named = [f"{row.get('model')} ({row.get('role')}) {row['error_pct']:+.1f}%" for row in rows]
    outside = [text for text, row in zip(named, rows, strict=True) if abs(row["error_pct"]) > tolerance]
    against = "simulated time against measured; negative: the simulation runs faster"
    if not outside:
        return f"whole models all within ±{tolerance:.0f}% (largest: {named[0]}; {against})"
    more = f" and {len(outside) - shown} more" if len(outside) > shown else ""
    return f"whole models outside ±{tolerance:.0f}%: {', '.join(outside[:shown])}{more} ({against})"


#: What follows when whole models are timed on another CPU than the profile's.
TIMED_ELSEWHERE = (
    "the whole models timed here measure this machine; where it is not the profile's, the errors "
    "compare two CPUs (the profile's own check is its recorded report: offloadsim profiles show "
    "{name}); to check a profile of this machine, calibrate one here: "
    "offloadsim calibrate --threads 1 --report --name my-cpu"
)


def another_machine_line(
    profile: CalibratedProfile, *, here: str | None = None, fingerprint: Mapping[str, Any] | None = None
) -> str:
    """A line when the whole models timed now run on another CPU than ``profile`` measured, or ``""``.

    A reviewer retimed the shipped EPYC profile on a Xeon and read +170 % to +490 % as the
    profile's error; it was the two CPUs' difference. ``here``/``fingerprint``: this machine's
    (None: read now), see :func:`offloadsim.world.profiles.another_cpu.another_cpu_note`.
    """
    from offloadsim.host import cpu_model
    from offloadsim.world.profiles.another_cpu import another_cpu_note

    note = another_cpu_note(
        profile,
        cpu_model() if here is None else here,
        fingerprint=fingerprint,
        then=TIMED_ELSEWHERE.format(name=profile.name),
    )
    return note or ""


def reach_line(profile: CalibratedProfile, rows: Sequence[Mapping[str, Any]], shown: int = 8) -> str:
    """What the held-out line's count covers: models made of the layer kinds the fit timed, or ``""``.

    The quickest documented calibration (squeezenet1_1, held out at 160 px) printed "held-out:
    1/1 within ±10 %", which read as a green light; used for ResNet-50 the profile ran 24 % fast,
    57 % of ResNet-50's work being in kinds SqueezeNet has not. Names the training models, the
    held-out models' largest share of work in kinds not timed (``untimed_pct``), and the models
    the trust record found extrapolated (``extrapolated_pct`` over
    :data:`~offloadsim.world.profiles.trust.MAX_EXTRAPOLATED`) that the check did not time.
    """
    held = [row for row in rows if row.get("role") == "held-out"]
    if not held:
        return ""
    trained = [str(m) for m in profile.provenance.get("models", [])]
    untimed = [float(row.get("untimed_pct", math.nan)) for row in held]
    worst = max((u for u in untimed if math.isfinite(u)), default=math.nan)
    fitted = f"{trained[0]} only" if len(trained) == 1 else f"{len(trained)} models ({', '.join(trained)})"
    whose = "its" if len(trained) == 1 else "their"
    # Held-out models mostly in kinds not timed (a distilled student of other sizes than its teacher):
    # their errors test the extrapolation, so the line does not say the check covers timed kinds.
    far = sorted(
        (
            (str(row.get("model")), u)
            for row, u in zip(held, untimed, strict=True)
            if u > 100 * MAX_EXTRAPOLATED
        ),
        key=lambda item: -item[1],
    )
    if far:
        named = ", ".join(f"{m} {u:.0f}%" for m, u in far)
        text = (
            f"held-out check is extrapolated for {named} of their work in kinds, or variants of them, "
            f"not timed (fitted on {fitted}): their errors test the extrapolation, not the fit"
        )
    else:
        text = "held-out check covers the layer kinds the fit timed: "
        text += f"fitted on {fitted}, {whose} layers' kinds"
        if math.isfinite(worst):
            text += f" (the held-out models have at most {worst:.0f}% of their work in other kinds)"
    checked = {str(row.get("model")) for row in rows}
    shares = (profile.trust or {}).get("extrapolated_pct")
    if shares is None:  # xeon-ort-1t's: "the other zoo CNNs checked for trust" were never checked
        return (
            f"{text}; the profile records no trust check of other models (calibrated before "
            "calibrate made one)"
        )
    others = sorted(
        ((str(m), float(p)) for m, p in shares.items() if m not in checked and p > MAX_EXTRAPOLATED * 100),
        key=lambda item: -item[1],
    )
    if not others:
        return f"{text}; the other zoo CNNs checked for trust are made of those kinds too"
    more = f" and {len(others) - shown} more" if len(others) > shown else ""
    listed = ", ".join(f"{m} {p:.0f}%" for m, p in others[:shown])
    return (
        f"{text}; models with other layers are extrapolated, not checked: "
        f"{listed}{more} of their work in kinds not timed"
    )


def figure_note(profile: CalibratedProfile, table: pd.DataFrame) -> str:
    """The note under the report's figure: what each axis is, and the wall time beside a CPU time.

    Its x axis said "measured whole-model latency" over thread CPU times: a trial's resnet50 took
    50 ms of CPU time and 221 ms of wall time, the latency a user would have waited.
    """
    from offloadsim.world.profiles.wall_ratio import row_wall_ratios

    threads = int(profile.backend.get("threads", 1))
    if cpu_timed(profile):
        how = "one onnxruntime thread's CPU time, not latency"
        ratios = row_wall_ratios(table.to_dict(orient="records"))
        if ratios:
            how += f" (wall time {statistics.median(ratios.values()):.2f}x it, median)"
    else:
        provider = profile.backend.get("provider", "CPUExecutionProvider")
        how = f"wall time ({threads} onnxruntime thread{'s' * (threads != 1)}, {provider})"
    return (
        f"x: whole model timed end to end (10th percentile of its runs), {how}; "
        f"y: the sum of profile {profile.name}'s per-layer times, as simulated, over that time, less 1"
    )


def format_table(table: pd.DataFrame) -> str:
    """Fixed-width: model, role, measured ms, its CI, wall ms, predicted ms, error %, untimed %.

    ``untimed %`` is the share of the model's work in op kinds or variants the profile never timed
    (:func:`~offloadsim.world.profiles.trust.extrapolated`). A last line says what ``±CI %`` covers:
    this run's repeats only. Between sessions MobileNetV2's whole time moved by up to 20 % on the
    shared development VM, against CIs of 0.2 to 8 %: the CI is not the time's uncertainty.
    """
    lines = [
        f"{'model':24s} {'role':8s} {'measured ms':>12s} {'±CI %':>6s} {'wall ms':>9s} "
        f"{'predicted ms':>13s} {'error %':>8s} {'untimed %':>9s}"
    ]
    for row in table.itertuples(index=False):
        ci = getattr(row, "ci_pct", math.nan)
        wall = getattr(row, "wall_ms", math.nan)
        untimed = getattr(row, "untimed_pct", math.nan)
        lines.append(
            f"{row.model:24s} {row.role:8s} {row.measured_ms:12.2f} {ci:6.1f} {wall:9.2f} "
            f"{row.predicted_ms:13.2f} {row.error_pct:+8.1f} {untimed:9.0f}"
        )
    lines.append(CI_SCOPE)
    return "\n".join(lines)


def write_report(
    table: pd.DataFrame, out_dir: str | os.PathLike[str], *, title: str = "", notes: Sequence[str] = ()
) -> list[Path]:
    """Write ``accuracy.csv`` and ``accuracy.txt`` to ``out_dir`` (the figure is the plots layer's job).

    ``notes``: lines under the table in ``accuracy.txt`` (how loaded the machine was, what the
    held-out check covers), as ``calibrate`` prints them under it.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "accuracy.csv", out / "accuracy.txt"]
    table.to_csv(paths[0], index=False, float_format="%.4f")
    text = "\n".join([format_table(table), *(n for n in notes if n)])
    paths[1].write_text((title + "\n\n" if title else "") + text + "\n")
    return paths
