"""Published batch-one latencies the built-in GPU profiles are held against, and by how much they differ.

Every built-in GPU profile runs layers at one assumed efficiency of its data-sheet peak
(:data:`~offloadsim.world.profiles.builtin.GPU_EFFICIENCY`); published single-image latencies
of ResNet-50 in int8 exist for two of them.  This table is the one place both read them: the
comparison in docs/profiles.md ("Batch one against published latencies", sources there) and the
note a run prints when a layer graph runs on a GPU profile (:mod:`offloadsim.world.build`).
"""

from __future__ import annotations

import functools

__all__ = ["RESNET50_INT8_BATCH_ONE_MS", "SECTION", "batch_one_ratio"]

#: Median single-stream latency (ms) of ResNet-50 v1.5 in int8, by (profile, source).
RESNET50_INT8_BATCH_ONE_MS: dict[tuple[str, str], float] = {
    ("a100", "MLPerf Inference v3.0"): 0.470,
    ("a100", "TensorRT 8.4 model zoo"): 0.46,
    ("jetson-orin", "MLPerf Inference v3.0"): 0.630,
}

#: Where the comparison and its sources are written.
SECTION = "docs/profiles.md#batch-one-against-published-latencies"


@functools.cache
def batch_one_ratio(profile: str) -> float | None:
    """Published ÷ simulated time of int8 ResNet-50 at batch one on built-in ``profile`` (its first source).

    None where no latency was published for it.  Above 1, the simulation is that many times faster.

    >>> round(batch_one_ratio("a100"), 2), batch_one_ratio("t4")
    (7.19, None)
    """
    published = next((ms for (name, _), ms in RESNET50_INT8_BATCH_ONE_MS.items() if name == profile), None)
    if published is None:
        return None
    from offloadsim.models import get_model
    from offloadsim.world.profiles.builtin import BUILTIN_PROFILES

    resnet50 = get_model("resnet50", precision="int8")
    simulated_s = float(BUILTIN_PROFILES[profile].layer_seconds(resnet50).sum())
    return published / (simulated_s * 1e3)
