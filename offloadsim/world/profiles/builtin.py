"""The shipped derived profiles, with their published sources."""

from __future__ import annotations

import os
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import numpy as np

from offloadsim.errors import LookupMessage
from offloadsim.input_kinds import PROFILE, misdirected_path
from offloadsim.suggest import did_you_mean_file, did_you_mean_key, quoted
from offloadsim.world.profiles.search import (
    PROFILE_SUFFIXES,
    describe_search,
    names_a_file,
    profile_search_path,
)

if TYPE_CHECKING:
    from offloadsim.models.graph import LayerGraph
    from offloadsim.world.profiles.calibrated import CalibratedProfile
    from offloadsim.world.profiles.fusion import FusionRules

__all__ = [
    "Profile",
    "BUILTIN_PROFILES",
    "CPU_EFFICIENCY",
    "GPU_EFFICIENCY",
    "available_profiles",
    "profile_lookups_once",
    "UnknownProfileError",
    "get_profile",
    "profile_file",
    "unknown_profile_message",
    "layer_bytes_moved",
    "roofline_layer_seconds",
]


@dataclass(frozen=True, slots=True)
class Profile:
    """A processor profile.

    ``effective_flops`` = ``peak_flops`` × ``efficiency``: the sustained rate a
    stage of work runs at.  ``kind`` is ``derived`` (scaled from published
    figures) or ``calibrated`` (fitted to timed kernels on the hardware).
    ``peak_flops`` is the fp32 peak; ``peaks`` gives the peak of every other
    precision the hardware states (``("fp16", 312e12)``, ...), and a
    model's precision selects one (:meth:`peak_for`).  The same
    ``efficiency`` applies to every precision.
    """

    name: str
    description: str
    peak_flops: float
    efficiency: float
    memory_bandwidth_Bps: float
    kind: str
    sources: tuple[str, ...]
    peaks: tuple[tuple[str, float], ...] = ()
    #: The data sheet's maximum power (W), shown to help fill a node's ``power:``; the engine never reads it.
    max_power_W: float | None = None
    #: True when no data sheet gives the memory bandwidth (a CPU core's share of its system's memory):
    #: ``offloadsim profiles`` then says so in its "from" column.
    memory_assumed: bool = False

    @property
    def effective_flops(self) -> float:
        """Sustained fp32 FLOP/s used for work ÷ speed service times."""
        return self.peak_flops * self.efficiency

    def peak_for(self, precision: str) -> tuple[str, float]:
        """``(precision used, peak FLOP/s)`` for a model in ``precision``.

        A precision the profile states no peak for falls back along
        :data:`offloadsim.models.precision.FALLBACK` (bf16 → fp32, int4 →
        int8 → fp16 → fp32).

        >>> BUILTIN_PROFILES["a100"].peak_for("bf16")
        ('bf16', 312000000000000.0)
        >>> BUILTIN_PROFILES["cortex-a76"].peak_for("bf16")  # no bf16 arithmetic: widened to fp32
        ('fp32', 44800000000.0)
        """
        from offloadsim.models.precision import fallback_chain

        stated = dict(self.peaks)
        stated["fp32"] = self.peak_flops
        for candidate in fallback_chain(precision):
            if candidate in stated:
                return candidate, stated[candidate]
        raise AssertionError("every fallback chain ends at fp32")  # pragma: no cover

    def layer_seconds(self, graph: LayerGraph, fusion: FusionRules | None = None) -> np.ndarray:
        """Per-layer time by roofline: the slower of FLOPs at sustained rate and bytes at memory bandwidth.

        Bytes are the layer's inputs, weights and output, each moved once; the
        rate is the peak of the graph's precision (see :meth:`peak_for`).
        ``fusion`` (a processor's ``fusion`` key) bounds fused units instead of layers
        (see :func:`roofline_layer_seconds`).
        """
        from offloadsim.models.precision import graph_precision

        _, peak = self.peak_for(graph_precision(graph))
        return roofline_layer_seconds(graph, peak * self.efficiency, self.memory_bandwidth_Bps, fusion)


# Efficiency 0.35 (CPU) / 0.40 (GPU) is the fraction of peak typically
# sustained by whole-network inference; calibration replaces it per layer.
# It applies to the peak of whichever precision a model runs in.
#: The efficiency every built-in GPU profile assumes: at a batch of one, published latencies put the
#: A100 far below it (docs/profiles.md, "Batch one against published latencies").
GPU_EFFICIENCY = 0.40
#: The efficiency every built-in CPU profile assumes (one core's sustained share of its peak).
CPU_EFFICIENCY = 0.35
BUILTIN_PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        Profile(
            "cortex-a76",
            "Arm Cortex-A76 big core at 2.8 GHz, NEON (one core)",
            2.8e9 * 16,
            CPU_EFFICIENCY,
            15e9,
            "derived",
            (
                "Arm Cortex-A76 Software Optimization Guide: 2x128-bit FMA pipes (16 fp32 FLOP/cycle)",
                "fp16: Armv8.2-A half-precision arithmetic on the same pipes, 8 lanes (32 FLOP/cycle)",
                "int8: Armv8.2-A dot product (SDOT), 2 per cycle x 16 MACs (64 OP/cycle)",
                "bf16: not implemented (Armv8.6-A), computed as fp32",
                "memory bandwidth 15 GB/s: assumed, not from a data sheet: the SoC's memory (LPDDR4X or "
                "LPDDR5), not the core, sets it; for a given phone give a plain speed with memory_bandwidth",
            ),
            (("fp16", 2.8e9 * 32), ("int8", 2.8e9 * 64)),
            memory_assumed=True,
        ),
        Profile(
            "raspberry-pi-4",
            "Raspberry Pi 4, Cortex-A72 at 1.5 GHz, fp32 NEON (one core)",
            1.5e9 * 8,
            CPU_EFFICIENCY,
            4e9,
            "derived",
            (
                "Arm Cortex-A72 Software Optimization Guide: 1x128-bit FMA per cycle (8 fp32 FLOP/cycle)",
                "Armv8.0-A: no half-precision arithmetic and no dot product; every precision runs at fp32",
                "memory bandwidth 4 GB/s: assumed, not from a data sheet: about a third of the peak of the "
                "Pi 4's 32-bit LPDDR4-3200 (12.8 GB/s), for one core",
            ),
            memory_assumed=True,
        ),
        Profile(
            "jetson-orin",
            "NVIDIA Jetson AGX Orin 64GB GPU (CUDA and Tensor cores)",
            5.3e12,
            GPU_EFFICIENCY,
            204.8e9,
            "derived",
            (
                "NVIDIA Jetson AGX Orin data sheet: 5.3 TFLOPS fp32 (CUDA cores), 204.8 GB/s, "
                "module power 15-60 W",
                "NVIDIA Jetson AGX Orin Series Technical Brief v1.2: GPU Tensor cores 170 sparse INT8 TOPS "
                "(85 dense); Ampere Tensor cores run fp16/bf16 at half the int8 rate (42.5 dense TFLOPS) "
                "and int4 at twice it (170 dense TOPS)",
            ),
            (("fp16", 42.5e12), ("bf16", 42.5e12), ("int8", 85e12), ("int4", 170e12)),
            max_power_W=60.0,
        ),
        Profile(
            "t4",
            "NVIDIA T4 (CUDA and Tensor cores)",
            8.1e12,
            GPU_EFFICIENCY,
            320e9,
            "derived",
            (
                "NVIDIA T4 data sheet: 8.1 TFLOPS fp32, 65 TFLOPS mixed fp16/fp32, 130 INT8 TOPS, "
                "260 INT4 TOPS, 320 GB/s, 70 W",
                "bf16: not supported by Turing Tensor cores, computed as fp32",
            ),
            (("fp16", 65e12), ("int8", 130e12), ("int4", 260e12)),
            max_power_W=70.0,
        ),
        Profile(
            "a100",
            "NVIDIA A100 SXM 80GB (fp32 without TF32; Tensor cores for 16-bit and integer)",
            19.5e12,
            GPU_EFFICIENCY,
            2039e9,
            "derived",
            (
                "NVIDIA A100 data sheet: 19.5 TFLOPS fp32, 2,039 GB/s, max TDP 400 W (80GB SXM)",
                "NVIDIA A100 data sheet, dense (without sparsity): 312 TFLOPS bf16 and fp16 Tensor, "
                "624 INT8 TOPS, 1,248 INT4 TOPS",
            ),
            (("fp16", 312e12), ("bf16", 312e12), ("int8", 624e12), ("int4", 1248e12)),
            max_power_W=400.0,
        ),
        Profile(
            "h100",
            "NVIDIA H100 SXM (fp32 CUDA cores; Tensor cores for 16-bit and int8)",
            67e12,
            GPU_EFFICIENCY,
            3350e9,
            "derived",
            (
                "NVIDIA H100 data sheet: 67 TFLOPS fp32 (SXM), 3.35 TB/s, max TDP up to 700 W",
                "NVIDIA H100 data sheet (SXM), halved to dense from the with-sparsity figures: "
                "989.5 TFLOPS bf16 and fp16 Tensor (1,979 sparse), 1,979 INT8 TOPS (3,958 sparse); "
                "no int4 rate stated (int4 runs at the int8 rate)",
            ),
            (("fp16", 989.5e12), ("bf16", 989.5e12), ("int8", 1979e12)),
            max_power_W=700.0,
        ),
    )
}


def available_profiles(search_dirs: Sequence[str | Path] | None = None) -> list[str]:
    """Names a scenario may give as ``processor: {profile: NAME}``.

    The shipped derived profiles, then the calibrated profile files found in
    ``search_dirs`` (default: :func:`offloadsim.world.profiles.profile_search_path`,
    which ends with the shipped calibrated profiles).
    """
    from offloadsim.world.profiles.calibrated import list_profiles

    dirs = profile_search_path() if search_dirs is None else list(search_dirs)
    calibrated = [name for name in list_profiles(dirs) if name not in BUILTIN_PROFILES]
    return sorted(BUILTIN_PROFILES) + sorted(calibrated)


_OnceKey = tuple[Any, ...]
#: Inside :func:`profile_lookups_once`: each (name, search path)'s file, and its profile, found once;
#: and what :func:`kept_while_planning` keeps.
_ONCE: ContextVar[dict[_OnceKey, Any] | None] = ContextVar("_ONCE", default=None)
_T = TypeVar("_T")


@contextmanager
def profile_lookups_once() -> Iterator[None]:
    """Within: a profile name is looked up along one search path once, its file read once.

    A sweep's planning builds every point's world, and each looked the same names up again: a dozen
    file checks per name and point (17 % of a large ``sweep --dry-run``). Planning checks the files
    as they are when it starts; each job looks its profiles up afresh when it runs, so a profile
    file added or edited after planning is still the one a job reads. A lookup that fails is not
    kept (it is made, and refused, each time).
    """
    token = _ONCE.set({})
    try:
        yield
    finally:
        _ONCE.reset(token)


def kept_while_planning(key: tuple[Hashable, ...], objects: tuple[Any, ...], make: Callable[[], _T]) -> _T:
    """``make()``, a pure function of ``key``'s values and ``objects``, once in :func:`profile_lookups_once`.

    Planning's worlds share each profile (read once) and model graph (cached): what a profile
    says of a graph (its trust caveats, 4 ms a point, three times the rest of a large
    ``sweep --dry-run`` that prints its notes) is the same at every point. ``key`` (which says
    what is made) is compared by value and ``objects`` by identity, kept with what was made so
    that no other object takes their ids; outside, made each time.
    """
    once = _ONCE.get()
    if once is None:
        return make()
    at = ("made", *key, *map(id, objects))
    if at not in once:
        once[at] = (objects, make())
    return cast("_T", once[at][1])


def _once_key(what: str, name: str, search_dirs: Sequence[str | Path] | None) -> _OnceKey:
    dirs = profile_search_path() if search_dirs is None else search_dirs
    return what, name, tuple(os.fspath(folder) for folder in dirs)


def profile_file(name: str, search_dirs: Sequence[str | Path] | None = None) -> Path | None:
    """The file :func:`get_profile` reads for ``name``; None for a shipped derived profile or no match.

    Relative ``.json``/``.yaml`` paths are tried in each of ``search_dirs``
    (default: :func:`offloadsim.world.profiles.profile_search_path`) first, then as
    given, then ``NAME.json|yaml`` in ``search_dirs``.
    """
    if name in BUILTIN_PROFILES:
        return None
    once = _ONCE.get()
    if once is None:
        return _profile_file(name, search_dirs)
    key = _once_key("file", name, search_dirs)
    if key not in once:
        once[key] = _profile_file(name, search_dirs)
    return once[key]


def _profile_file(name: str, search_dirs: Sequence[str | Path] | None) -> Path | None:
    """:func:`profile_file`, looked up now."""
    from offloadsim.world.profiles.calibrated import profile_path

    dirs = profile_search_path() if search_dirs is None else list(search_dirs)
    for folder in dirs:
        candidate = Path(folder) / name
        if candidate.suffix in PROFILE_SUFFIXES and os.path.isfile(candidate):  # a long name: False
            return candidate
    return profile_path(name, dirs)


class UnknownProfileError(LookupMessage):
    """No profile by that name or at that path (a ``KeyError``): the closest names, and where it looked.

    ``not_found``: no file was found by that name or path (not one there that is no profile), so a
    rerun from a result's folder can say where the result read it (``offloadsim.world.build``).
    """

    not_found = False


def get_profile(name: str, search_dirs: Sequence[str | Path] | None = None) -> Profile | CalibratedProfile:
    """The profile called ``name``: a shipped derived one, else a calibrated profile file.

    A calibrated profile is a path to its ``.json``/``.yaml`` file (relative
    paths tried in each of ``search_dirs`` first), or ``NAME`` with a file
    ``NAME.json|yaml`` in one of ``search_dirs`` (default:
    :func:`offloadsim.world.profiles.profile_search_path`). Raises :class:`UnknownProfileError` (a
    ``KeyError``) naming
    the closest profiles and every place searched when nothing matches.

    >>> get_profile("xeon-ort-1t").kind  # shipped inside the package: found from anywhere
    'calibrated'
    """
    if not isinstance(name, str | os.PathLike):  # None or a number: a TypeError from joining it to a folder
        raise UnknownProfileError(
            "profile: expected a profile name or a profile file's path, "
            f"got {type(name).__name__} {name!r:.40}"
        )
    profile = BUILTIN_PROFILES.get(name)
    if profile is not None:
        return profile
    path = profile_file(name, search_dirs)
    if path is not None:
        from offloadsim.world.profiles.calibrated import load_profile

        once = _ONCE.get()
        if once is None:
            return load_profile(path)
        key = _once_key("profile", os.fspath(path), ())
        if key not in once:
            once[key] = load_profile(path)  # a file that fails raises, and is not kept
        return once[key]
    dirs = profile_search_path() if search_dirs is None else list(search_dirs)
    message, not_found = _refusal(name, dirs)
    error = UnknownProfileError(message)
    error.not_found = not_found
    raise error


def unknown_profile_message(name: str, search_dirs: Sequence[str | Path]) -> str:
    """``unknown profile "x" (did you mean ...?); known: ...; searched: ...``: one line.

    A path to another kind of input (a results directory) says what it is instead.
    """
    return _refusal(name, search_dirs)[0]


def _refusal(name: str, search_dirs: Sequence[str | Path]) -> tuple[str, bool]:
    """:func:`unknown_profile_message`'s line, and whether no file was found by ``name`` at all."""
    wrong = misdirected_path(name, PROFILE)
    if wrong is not None:
        return wrong, False
    from offloadsim.world.profiles.calibrated import not_a_profile_file

    for candidate in (Path(name), *(Path(folder) / name for folder in search_dirs)):
        # A path that is there but is no profile file: "unknown profile" and the search list mislead.
        if (what := not_a_profile_file(candidate)) is not None:
            return f"{name}: {what}", False
        if os.path.isfile(candidate):  # not Path.is_file, whose OSError a too long name was
            return (
                f"{name}: not a calibrated profile file: a profile is a .json or .yaml file "
                "written by offloadsim calibrate"
            ), False
    if names_a_file(name):
        # A path, not a name: the known names and the folders NAME.json is looked for in do not help.
        tried = [*(str(Path(folder) / name) for folder in search_dirs), name]
        looked = ", ".join(dict.fromkeys(tried))
        return f"no such profile file {name!r} (looked for {looked}){did_you_mean_file(name, *tried)}", True
    known = available_profiles(search_dirs)
    hint = did_you_mean_key(name, known)
    return (
        f"unknown profile {quoted(name)}{hint}; known: {', '.join(known)}; searched: "
        f"{describe_search(search_dirs)}"
    ), True


def layer_bytes_moved(graph: LayerGraph) -> np.ndarray:
    """Bytes each layer reads and writes once: its input tensors, its weights and its output."""
    moved = []
    for layer in graph.layers:
        inputs = sum(int(np.prod(shape)) for shape in layer.input_shapes) * layer.dtype_bytes
        moved.append(float(inputs + layer.param_bytes + layer.output_bytes))
    return np.asarray(moved, dtype=np.float64)


def roofline_layer_seconds(
    graph: LayerGraph, speed_flops: float, memory_Bps: float | None, fusion: FusionRules | None = None
) -> np.ndarray:
    """``max(flops / speed, bytes / memory bandwidth)`` per layer (FLOPs alone without a bandwidth).

    Every layer is its own round trip to memory, a BatchNorm or a ReLU as much as a
    convolution.  With ``fusion`` rules that fuse anything (onnxruntime's), the bound is
    taken per fused unit instead and charged to its head
    (:func:`~offloadsim.world.profiles.fusion.fused_roofline_seconds`).
    """
    if fusion is not None and fusion.heads:
        from offloadsim.world.profiles.fusion import fused_roofline_seconds  # models only

        return fused_roofline_seconds(graph, speed_flops, memory_Bps, fusion)
    flops = np.asarray([layer.flops for layer in graph.layers], dtype=np.float64)
    compute = flops / speed_flops
    if not memory_Bps:
        return compute
    return np.maximum(compute, layer_bytes_moved(graph) / memory_Bps)
