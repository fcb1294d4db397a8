"""Torch kernels for calibration units (eager ``torch.nn.functional``, CPU, inference mode).

torch is optional and large: without it, asking for this backend is a
:class:`~offloadsim.calibration.errors.CalibrationError` that says so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from offloadsim.calibration.errors import CalibrationError
from offloadsim.world.profiles.fusion import LayerConfig, Unit

__all__ = ["import_torch", "torch_kernel"]


def import_torch() -> Any:
    """``torch``, or a CalibrationError naming the alternatives."""
    try:
        import torch
    except ImportError:
        raise CalibrationError(
            "the torch backend needs PyTorch, which is not installed "
            "(pip install torch, or use --backend onnxruntime or numpy)"
        ) from None
    return torch


def torch_kernel(
    unit: Unit, inputs: Sequence[np.ndarray], threads: int, rng: np.random.Generator
) -> Callable[[], object]:
    """A callable running ``unit`` with torch on the CPU with ``threads`` intra-op threads."""
    torch = import_torch()
    torch.set_num_threads(threads)
    fns = [_layer(torch, cfg, rng) for cfg in unit.configs]
    arity = [len(cfg.input_shapes) for cfg in unit.configs]
    tensors = [torch.from_numpy(np.ascontiguousarray(x)) for x in inputs]
    head, extras, at = tensors[: arity[0]], [], arity[0]
    for k in arity[1:]:
        extras.append(tensors[at : at + k - 1])
        at += k - 1

    def run() -> object:
        with torch.inference_mode():
            y = fns[0](*head)
            for fn, more in zip(fns[1:], extras, strict=True):
                y = fn(y, *more)
        return y

    return run


def _layer(torch: Any, cfg: LayerConfig, rng: np.random.Generator) -> Callable[..., Any]:
    f = torch.nn.functional
    a, kind = cfg.attr, cfg.attr("kind")

    def weight(*shape: int) -> Any:
        return torch.from_numpy(rng.standard_normal(shape, dtype=np.float32) * np.float32(0.05))

    if cfg.op == "conv":
        c_in, c_out, k, groups = (
            cfg.input_shapes[0][1],
            cfg.output_shape[1],
            int(a("kernel")),
            int(a("groups", 1)),
        )
        w, b = weight(c_out, c_in // groups, k, k), torch.zeros(c_out) if a("bias") else None
        stride, pad = int(a("stride", 1)), int(a("padding", 0))
        return lambda x: f.conv2d(x, w, b, stride, pad, 1, groups)
    if cfg.op == "linear":
        w, b = weight(cfg.output_shape[-1], cfg.input_shapes[0][-1]), torch.zeros(cfg.output_shape[-1])
        return lambda x: f.linear(x, w, b)
    if cfg.op == "pool":
        if kind == "global_avg":
            return lambda x: f.adaptive_avg_pool2d(x, 1)
        if kind == "adaptive_avg":
            size = int(a("output_size"))
            return lambda x: f.adaptive_avg_pool2d(x, size)
        k, pad, ceil = int(a("kernel")), int(a("padding", 0)), bool(a("ceil"))
        stride = int(a("stride", k))
        if kind == "max":
            return lambda x: f.max_pool2d(x, k, stride, pad, ceil_mode=ceil)
        return lambda x: f.avg_pool2d(x, k, stride, pad, ceil_mode=ceil)
    if cfg.op == "norm":
        if kind == "layernorm":
            d = cfg.input_shapes[0][-1]
            return lambda x: f.layer_norm(x, (d,))
        c = cfg.input_shapes[0][1]
        mean, var = torch.zeros(c), torch.ones(c)
        return lambda x: f.batch_norm(x, mean, var, training=False)
    if cfg.op == "act":
        return {
            "relu": f.relu,
            "relu6": f.relu6,
            "sigmoid": torch.sigmoid,
            "silu": f.silu,
            "tanh": torch.tanh,
            "gelu": f.gelu,
        }[kind]
    if cfg.op == "add":
        return torch.add
    if cfg.op == "mul":
        return torch.mul
    if cfg.op == "concat":
        axis = int(a("axis", 1))
        return lambda *xs: torch.cat(xs, axis)
    if cfg.op == "softmax":
        return lambda x: torch.softmax(x, -1)
    return lambda x: torch.flatten(x, 1)
