"""The accuracy report: whole models timed end to end against the sum of a profile's per-layer predictions.

Each model is exported to ONNX (:func:`offloadsim.models.export_onnx`, random
weights) and run whole by onnxruntime with the profile's provider and thread
count: the wall-clock median of ``repeats`` runs. These timings never enter
the per-layer fit. Models the profile was calibrated on are marked
``train``; the others are ``held-out`` and are what the accuracy target is
about (at least 90 % of held-out models within ±10 %).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from offloadsim.calibration.errors import CalibrationError
from offloadsim.calibration.kernels import ort_session
from offloadsim.calibration.timing import measure, summarize

if TYPE_CHECKING:
    import pandas as pd

    from offloadsim.calibration.pipeline import ModelSpec
    from offloadsim.calibration.profile import CalibratedProfile
    from offloadsim.models.graph import LayerGraph

__all__ = [
    "TOLERANCE",
    "accuracy_summary",
    "accuracy_table",
    "exportable",
    "format_table",
    "time_whole_model",
    "write_report",
]

#: The accuracy target: |error| within this fraction.
TOLERANCE = 0.10


def exportable(graph: LayerGraph) -> bool:
    """Whether :func:`offloadsim.models.export_onnx` can write ``graph`` (the zoo's CNNs)."""
    return graph.meta.get("family") == "cnn"


def time_whole_model(
    spec: ModelSpec, profile: CalibratedProfile, *, warmup: int = 3, repeats: int = 10
) -> tuple[float, float]:
    """(median seconds, IQR/median) of whole-model inference with the profile's onnxruntime settings."""
    if profile.backend.get("name") != "onnxruntime":
        raise CalibrationError(
            f"the accuracy report times whole models with onnxruntime; profile {profile.name!r} was "
            f"calibrated with {profile.backend.get('name')!r}"
        )
    threads = int(profile.backend.get("threads", 1))
    provider = str(profile.backend.get("provider", "CPUExecutionProvider"))
    with tempfile.TemporaryDirectory(prefix="offloadsim-report-") as tmp:
        path = spec.onnx_path
        if path is None:
            if not exportable(spec.graph):
                raise CalibrationError(f"{spec.label}: only the zoo's CNNs can be exported to ONNX and timed")
            from offloadsim.models import export_onnx

            path = export_onnx(spec.graph, os.path.join(tmp, "model.onnx"))
        session = ort_session(os.fspath(path), threads, provider)
    rng = np.random.default_rng(0)
    feed = {}
    for arg in session.get_inputs():
        shape = [d if isinstance(d, int) and d > 0 else 1 for d in arg.shape]
        feed[arg.name] = rng.standard_normal(shape, dtype=np.float32)
    return summarize(measure(lambda: session.run(None, feed), warmup=warmup, repeats=repeats))


def accuracy_table(
    profile: CalibratedProfile,
    models: Sequence[ModelSpec],
    *,
    warmup: int = 3,
    repeats: int = 10,
    measured: dict[str, float] | None = None,
    progress: bool = False,
) -> pd.DataFrame:
    """One row per model: role, measured and predicted ms, error %, share of time from timed units.

    ``measured`` gives whole-model seconds already taken (by label); the
    others are timed now, one model after the other.
    """
    import pandas as pd

    trained = set(profile.provenance.get("models", []))
    rows: list[dict[str, Any]] = []
    bar: Any = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=len(models), desc="whole models", unit="model", leave=False)
    try:
        for spec in models:
            spread = float("nan")
            if measured is not None and spec.label in measured:
                seconds = measured[spec.label]
            else:
                seconds, spread = time_whole_model(spec, profile, warmup=warmup, repeats=repeats)
            pred = profile.predict(spec.graph)
            total = float(np.sum(pred.seconds))
            from_timed = float(
                sum(s for s, src in zip(pred.seconds, pred.source, strict=True) if src == "measured")
            )
            rows.append(
                {
                    "model": spec.label,
                    "role": "train" if spec.label in trained else "held-out",
                    "measured_ms": seconds * 1e3,
                    "predicted_ms": total * 1e3,
                    "error_pct": (total / seconds - 1.0) * 100.0,
                    "spread_pct": spread * 100.0,
                    "timed_share_pct": from_timed / total * 100.0 if total > 0 else 0.0,
                    "extrapolated_layers": sum(src == "extrapolated" for src in pred.source),
                }
            )
            if bar is not None:
                bar.update()
    finally:
        if bar is not None:
            bar.close()
    return pd.DataFrame(rows)


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


def format_table(table: pd.DataFrame) -> str:
    """A fixed-width text table: model, role, measured ms, predicted ms, error %."""
    lines = [f"{'model':24s} {'role':8s} {'measured ms':>12s} {'predicted ms':>13s} {'error %':>8s}"]
    for row in table.itertuples(index=False):
        lines.append(
            f"{row.model:24s} {row.role:8s} {row.measured_ms:12.2f} {row.predicted_ms:13.2f} "
            f"{row.error_pct:+8.1f}"
        )
    return "\n".join(lines)


def write_report(table: pd.DataFrame, out_dir: str | os.PathLike[str], *, title: str = "") -> list[Path]:
    """Write ``accuracy.csv`` and ``accuracy.txt`` to ``out_dir`` (the figure is the plots layer's job)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "accuracy.csv", out / "accuracy.txt"]
    table.to_csv(paths[0], index=False, float_format="%.4f")
    paths[1].write_text((title + "\n\n" if title else "") + format_table(table) + "\n")
    return paths
