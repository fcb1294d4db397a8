"""Published latencies the built-in profiles are held against: GPUs at batch one, and int8 on a phone.

Every built-in GPU profile runs layers at one assumed efficiency of its data-sheet peak
(:data:`~offloadsim.world.profiles.builtin.GPU_EFFICIENCY`); published single-image latencies
of ResNet-50 in int8 exist for two of them.  This table is the one place both read them: the
comparison in docs/profiles.md ("Batch one against published latencies", sources there) and the
note a run prints when a layer graph runs on a GPU profile (:mod:`offloadsim.world.build`).

A built-in profile runs int8 at its data sheet's int8/fp32 peak ratio (4x on a Cortex-A76);
:data:`TFLITE_PIXEL2_MS` holds the measured fp32 and int8 latencies of two CNNs on a phone's
big core, whose ratios the precision note quotes beside it (:func:`measured_int8_speedups`).
"""

from __future__ import annotations

import functools

__all__ = [
    "RESNET50_INT8_BATCH_ONE_MS",
    "SECTION",
    "TFLITE_PIXEL2_MS",
    "batch_one_ratio",
    "measured_int8_speedups",
]

#: Median single-stream latency (ms) of ResNet-50 v1.5 in int8, by (profile, source).
RESNET50_INT8_BATCH_ONE_MS: dict[tuple[str, str], float] = {
    ("a100", "MLPerf Inference v3.0"): 0.470,
    ("a100", "TensorRT 8.4 model zoo"): 0.46,
    ("jetson-orin", "MLPerf Inference v3.0"): 0.630,
}

#: Latency (ms) of float and int8 (quantisation-aware training) models on one big core of a Pixel 2, by
#: (model, precision): TensorFlow Lite's model optimisation page
#: (``tensorflow/lite/g3doc/performance/model_optimization.md`` in tensorflow/tensorflow; quoted in
#: docs/models.md#precision).
TFLITE_PIXEL2_MS: dict[tuple[str, str], float] = {
    ("mobilenet_v2", "fp32"): 117.0,
    ("mobilenet_v2", "int8"): 80.3,
    ("inception_v3", "fp32"): 1585.0,
    ("inception_v3", "int8"): 637.0,
}

#: Where the comparison and its sources are written.
SECTION = "docs/profiles.md#batch-one-against-published-latencies"


@functools.cache
def batch_one_ratio(profile: str, fusion: str = "none") -> float | None:
    """Published ÷ simulated time of int8 ResNet-50 at batch one on built-in ``profile`` (its first source).

    None where no latency was published for it.  Above 1, the simulation is that many times faster.
    ``fusion``: the processor's ``fusion`` key, which the simulated time is costed with.

    >>> round(batch_one_ratio("a100"), 2), round(batch_one_ratio("a100", "onnxruntime"), 1)
    (7.19, 12.2)
    >>> batch_one_ratio("t4") is None
    True
    """
    published = next((ms for (name, _), ms in RESNET50_INT8_BATCH_ONE_MS.items() if name == profile), None)
    if published is None:
        return None
    from offloadsim.models import get_model
    from offloadsim.world.profiles.builtin import BUILTIN_PROFILES
    from offloadsim.world.profiles.fusion import FUSION_RULES

    resnet50 = get_model("resnet50", precision="int8")
    rules = FUSION_RULES[fusion] if fusion != "none" else None
    simulated_s = float(BUILTIN_PROFILES[profile].layer_seconds(resnet50, rules).sum())
    return published / (simulated_s * 1e3)


def measured_int8_speedups() -> tuple[float, float]:
    """The least and greatest fp32 ÷ int8 latency of :data:`TFLITE_PIXEL2_MS`'s models.

    >>> [round(x, 1) for x in measured_int8_speedups()]
    [1.5, 2.5]
    """
    models = {model for model, _ in TFLITE_PIXEL2_MS}
    ratios = [TFLITE_PIXEL2_MS[(m, "fp32")] / TFLITE_PIXEL2_MS[(m, "int8")] for m in sorted(models)]
    return min(ratios), max(ratios)
