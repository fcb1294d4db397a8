"""The shipped derived profiles, with their published sources."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from offloadsim.calibration.profile import CalibratedProfile
    from offloadsim.models.graph import LayerGraph

__all__ = [
    "Profile",
    "BUILTIN_PROFILES",
    "available_profiles",
    "get_profile",
    "layer_bytes_moved",
    "roofline_layer_seconds",
]


@dataclass(frozen=True, slots=True)
class Profile:
    """A processor profile.

    ``effective_flops`` = ``peak_flops`` × ``efficiency``: the sustained rate a
    stage of work runs at.  ``kind`` is ``derived`` (scaled from published
    figures) or ``calibrated`` (fitted to timed kernels on the hardware).
    """

    name: str
    description: str
    peak_flops: float
    efficiency: float
    memory_bandwidth_Bps: float
    kind: str
    sources: tuple[str, ...]

    @property
    def effective_flops(self) -> float:
        """Sustained FLOP/s used for work ÷ speed service times."""
        return self.peak_flops * self.efficiency

    def layer_seconds(self, graph: LayerGraph) -> np.ndarray:
        """Per-layer time by roofline: the slower of FLOPs at sustained rate and bytes at memory bandwidth.

        Bytes are the layer's inputs, weights and output, each moved once.
        """
        return roofline_layer_seconds(graph, self.effective_flops, self.memory_bandwidth_Bps)


# Efficiency 0.35 (CPU) / 0.40 (GPU, fp32) is the fraction of peak typically
# sustained by whole-network inference; calibration replaces it per layer.
BUILTIN_PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        Profile(
            "cortex-a76",
            "Arm Cortex-A76 big core at 2.8 GHz, fp32 NEON (one core)",
            2.8e9 * 16,
            0.35,
            15e9,
            "derived",
            ("Arm Cortex-A76 Software Optimization Guide: 2x128-bit FMA pipes (16 fp32 FLOP/cycle)",),
        ),
        Profile(
            "raspberry-pi-4",
            "Raspberry Pi 4, Cortex-A72 at 1.5 GHz, fp32 NEON (one core)",
            1.5e9 * 8,
            0.35,
            4e9,
            "derived",
            ("Arm Cortex-A72 Software Optimization Guide: 1x128-bit FMA per cycle (8 fp32 FLOP/cycle)",),
        ),
        Profile(
            "jetson-orin",
            "NVIDIA Jetson AGX Orin 64GB GPU, fp32",
            5.3e12,
            0.40,
            204.8e9,
            "derived",
            ("NVIDIA Jetson AGX Orin data sheet: 5.3 TFLOPS fp32 (CUDA cores), 204.8 GB/s",),
        ),
        Profile(
            "t4",
            "NVIDIA T4, fp32",
            8.1e12,
            0.40,
            320e9,
            "derived",
            ("NVIDIA T4 data sheet: 8.1 TFLOPS fp32, 320 GB/s",),
        ),
        Profile(
            "a100",
            "NVIDIA A100 SXM 80GB, fp32 (no TF32)",
            19.5e12,
            0.40,
            2039e9,
            "derived",
            ("NVIDIA A100 data sheet: 19.5 TFLOPS fp32, 2,039 GB/s (80GB SXM)",),
        ),
        Profile(
            "h100",
            "NVIDIA H100 SXM, fp32",
            67e12,
            0.40,
            3350e9,
            "derived",
            ("NVIDIA H100 data sheet: 67 TFLOPS fp32 (SXM), 3.35 TB/s",),
        ),
    )
}


def available_profiles(search_dirs: Sequence[str | Path] = ()) -> list[str]:
    """Names a scenario may give as ``processor: {profile: NAME}``.

    The shipped derived profiles, then the calibrated profile files found in
    ``search_dirs`` (see :func:`offloadsim.calibration.profile_search_path`).
    """
    from offloadsim.calibration.profile import list_profiles

    calibrated = [name for name in list_profiles(list(search_dirs)) if name not in BUILTIN_PROFILES]
    return sorted(BUILTIN_PROFILES) + sorted(calibrated)


def get_profile(name: str, search_dirs: Sequence[str | Path] = ()) -> Profile | CalibratedProfile:
    """The profile called ``name``: a shipped derived one, else a calibrated profile file.

    A calibrated profile is a path to its ``.json``/``.yaml`` file (relative
    paths tried in each of ``search_dirs`` first), or ``NAME`` with a file
    ``NAME.json|yaml`` in one of ``search_dirs``.  Raises KeyError naming the
    closest profiles when nothing matches.
    """
    profile = BUILTIN_PROFILES.get(name)
    if profile is not None:
        return profile
    from offloadsim.calibration.profile import find_profile

    for folder in search_dirs:
        candidate = Path(folder) / name
        if candidate.suffix in (".json", ".yaml", ".yml") and candidate.is_file():
            found = find_profile(str(candidate))
            if found is not None:
                return found
    found = find_profile(name, list(search_dirs))
    if found is not None:
        return found
    known = available_profiles(search_dirs)
    close = difflib.get_close_matches(name, known, n=3)
    hint = f" (did you mean {', '.join(map(repr, close))}?)" if close else ""
    raise KeyError(f"unknown profile {name!r}{hint}; known: {', '.join(known)}")


def layer_bytes_moved(graph: LayerGraph) -> np.ndarray:
    """Bytes each layer reads and writes once: its input tensors, its weights and its output."""
    moved = []
    for layer in graph.layers:
        inputs = sum(int(np.prod(shape)) for shape in layer.input_shapes) * layer.dtype_bytes
        moved.append(float(inputs + layer.param_bytes + layer.output_bytes))
    return np.asarray(moved, dtype=np.float64)


def roofline_layer_seconds(graph: LayerGraph, speed_flops: float, memory_Bps: float | None) -> np.ndarray:
    """``max(flops / speed, bytes / memory bandwidth)`` per layer (FLOPs alone without a bandwidth)."""
    flops = np.asarray([layer.flops for layer in graph.layers], dtype=np.float64)
    compute = flops / speed_flops
    if not memory_Bps:
        return compute
    return np.maximum(compute, layer_bytes_moved(graph) / memory_Bps)
