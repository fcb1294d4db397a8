"""Numpy kernels for calibration units: convolution as im2col + matrix product, and the usual CNN layers.

They need nothing beyond numpy, so every install can calibrate; they are
slower than onnxruntime's kernels and say how fast *numpy* runs a layer.

>>> import numpy as np
>>> from offloadsim.world.profiles.fusion import LayerConfig
>>> x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
>>> cfg = LayerConfig("pool", ((1, 1, 4, 4),), (1, 1, 2, 2),
...                   (("kind", "max"), ("kernel", 2), ("stride", 2), ("padding", 0)), 16, 0)
>>> layer_fn(cfg, np.random.default_rng(0))(x).tolist()
[[[[5.0, 7.0], [13.0, 15.0]]]]
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from offloadsim.world.profiles.fusion import LayerConfig, Unit

__all__ = ["blas_threads", "layer_fn", "numpy_kernel"]

_BLAS_SYMBOLS = (
    ("openblas_set_num_threads", "openblas_get_num_threads"),
    ("scipy_openblas_set_num_threads64_", "scipy_openblas_get_num_threads64_"),
    ("openblas_set_num_threads64_", "openblas_get_num_threads64_"),
    ("MKL_Set_Num_Threads", "MKL_Get_Max_Threads"),
)


@contextmanager
def blas_threads(threads: int) -> Iterator[bool]:
    """Run the block with numpy's BLAS (OpenBLAS or MKL) limited to ``threads``; yields whether it could.

    Finds the loaded BLAS library in ``/proc/self/maps`` (Linux) and calls its
    thread-count setter, restoring the old count afterwards.
    """
    np.ones((2, 2)) @ np.ones((2, 2))  # make sure BLAS is loaded
    found: tuple[Callable[[int], object], int] | None = None
    try:
        with open("/proc/self/maps") as fh:
            paths = {line.split()[-1] for line in fh if ".so" in line and ("blas" in line or "mkl" in line)}
    except OSError:
        paths = set()
    for path in sorted(paths):
        if not os.path.exists(path):
            continue
        lib = ctypes.CDLL(path)
        for setter, getter in _BLAS_SYMBOLS:
            if hasattr(lib, setter) and hasattr(lib, getter):
                found = (getattr(lib, setter), int(getattr(lib, getter)()))
                break
        if found:
            break
    if found is None:
        yield False
        return
    set_threads, previous = found
    set_threads(threads)
    try:
        yield True
    finally:
        set_threads(previous)


LayerFn = Callable[..., np.ndarray]


def numpy_kernel(unit: Unit, inputs: Sequence[np.ndarray], rng: np.random.Generator) -> Callable[[], object]:
    """A callable running ``unit``'s layers in order on ``inputs`` (weights drawn from ``rng``)."""
    fns = [layer_fn(cfg, rng) for cfg in unit.configs]
    arity = [len(cfg.input_shapes) for cfg in unit.configs]
    head_inputs = list(inputs[: arity[0]])
    extras: list[list[np.ndarray]] = []
    at = arity[0]
    for k in arity[1:]:
        extras.append(list(inputs[at : at + k - 1]))
        at += k - 1

    def run() -> object:
        y = fns[0](*head_inputs)
        for fn, more in zip(fns[1:], extras, strict=True):
            y = fn(y, *more)
        return y

    return run


def layer_fn(cfg: LayerConfig, rng: np.random.Generator) -> LayerFn:
    """A numpy function computing one layer (its weights fixed now), taking the layer's inputs."""
    a, kind, out = cfg.attr, cfg.attr("kind"), cfg.output_shape
    if cfg.op == "conv":
        return _conv(cfg, rng)
    if cfg.op == "linear":
        d_in, d_out = cfg.input_shapes[0][-1], out[-1]
        w_t = np.ascontiguousarray((rng.standard_normal((d_out, d_in), dtype=np.float32) * 0.05).T)
        b = np.zeros(d_out, np.float32)
        return lambda x: x @ w_t + b
    if cfg.op == "pool":
        if kind == "global_avg":
            return lambda x: x.mean(axis=(2, 3), keepdims=True)
        if kind == "adaptive_avg":
            from offloadsim.models.onnx_io import adaptive_pool_matrix

            size, (h, w) = int(a("output_size")), cfg.input_shapes[0][2:]
            rows, cols = adaptive_pool_matrix(h, size), np.ascontiguousarray(adaptive_pool_matrix(w, size).T)
            return lambda x: rows @ x @ cols
        return _pool(cfg, max_pool=kind == "max")
    if cfg.op == "norm":
        if kind == "layernorm":
            return lambda x: (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + 1e-5)
        c = cfg.input_shapes[0][1]
        scale = np.ones((c, 1, 1), np.float32)
        shift = np.zeros((c, 1, 1), np.float32)
        return lambda x: x * scale + shift
    if cfg.op == "act":
        return _ACT[kind]
    if cfg.op == "add":
        return np.add
    if cfg.op == "mul":
        return np.multiply
    if cfg.op == "concat":
        axis = int(a("axis", 1))
        return lambda *xs: np.concatenate(xs, axis=axis)
    if cfg.op == "softmax":
        return _softmax
    return lambda x: x.reshape(out)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


_ACT: dict[str, LayerFn] = {
    "relu": lambda x: np.maximum(x, 0),
    "relu6": lambda x: np.clip(x, 0, 6),
    "sigmoid": _sigmoid,
    "silu": lambda x: x * _sigmoid(x),
    "tanh": np.tanh,
    "gelu": lambda x: 0.5 * x * (1 + np.tanh(0.7978845608 * (x + 0.044715 * x**3))),
}


def _pad(x: np.ndarray, pad: int, k: int, stride: int, out_hw: tuple[int, int], value: float) -> np.ndarray:
    """Pad H and W by ``pad`` and, on the far side, as far as the output size needs (ceil mode)."""
    need_h = (out_hw[0] - 1) * stride + k - x.shape[2] - pad
    need_w = (out_hw[1] - 1) * stride + k - x.shape[3] - pad
    widths = ((0, 0), (0, 0), (pad, max(need_h, pad)), (pad, max(need_w, pad)))
    if not any(w for pair in widths for w in pair):
        return x
    return np.pad(x, widths, constant_values=value)


def _windows(xp: np.ndarray, k: int, stride: int, out_hw: tuple[int, int]) -> np.ndarray:
    """(N, C, Ho, Wo, k, k) view of the sliding windows."""
    view = sliding_window_view(xp, (k, k), axis=(2, 3))[:, :, ::stride, ::stride]
    return view[:, :, : out_hw[0], : out_hw[1]]


def _pool(cfg: LayerConfig, *, max_pool: bool) -> LayerFn:
    k, stride, pad = (
        int(cfg.attr("kernel")),
        int(cfg.attr("stride", cfg.attr("kernel"))),
        int(cfg.attr("padding", 0)),
    )
    out_hw = (cfg.output_shape[2], cfg.output_shape[3])
    fill = -np.inf if max_pool else 0.0

    def run(x: np.ndarray) -> np.ndarray:
        w = _windows(_pad(x, pad, k, stride, out_hw, fill), k, stride, out_hw)
        return w.max(axis=(4, 5)) if max_pool else w.mean(axis=(4, 5))

    return run


def _conv(cfg: LayerConfig, rng: np.random.Generator) -> LayerFn:
    """Convolution by im2col + matmul per group (depthwise: a windowed multiply-sum)."""
    c_in, c_out = cfg.input_shapes[0][1], cfg.output_shape[1]
    k, stride = int(cfg.attr("kernel")), int(cfg.attr("stride", 1))
    pad, groups = int(cfg.attr("padding", 0)), int(cfg.attr("groups", 1))
    out_hw = (cfg.output_shape[2], cfg.output_shape[3])
    w = rng.standard_normal((c_out, c_in // groups, k, k), dtype=np.float32) * np.float32(0.05)
    bias = np.zeros((1, c_out, 1, 1), np.float32)
    if groups == c_in and c_out == c_in:  # depthwise
        wd = w[:, 0][None, :, None, None]  # (1, C, 1, 1, k, k)

        def depthwise(x: np.ndarray) -> np.ndarray:
            win = _windows(_pad(x, pad, k, stride, out_hw, 0.0), k, stride, out_hw)
            return np.einsum("nchwij,nchwij->nchw", win, np.broadcast_to(wd, win.shape)) + bias

        return depthwise
    cg, og = c_in // groups, c_out // groups
    mats = [np.ascontiguousarray(w[g * og : (g + 1) * og].reshape(og, -1).T) for g in range(groups)]

    def conv(x: np.ndarray) -> np.ndarray:
        win = _windows(_pad(x, pad, k, stride, out_hw, 0.0), k, stride, out_hw)
        n, _, ho, wo = win.shape[:4]
        outs = []
        for g, mat in enumerate(mats):
            cols = win[:, g * cg : (g + 1) * cg].transpose(0, 2, 3, 1, 4, 5).reshape(n * ho * wo, -1)
            outs.append(cols @ mat)
        y = np.concatenate(outs, axis=1) if groups > 1 else outs[0]
        return y.reshape(n, ho, wo, c_out).transpose(0, 3, 1, 2) + bias

    return conv
