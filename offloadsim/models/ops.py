"""Operator kinds and the FLOP, MAC and parameter formulas shared by the zoo and ONNX import.

Counting convention (one everywhere in offloadsim):

* ``macs`` counts multiply-accumulates of tensor contractions only: convolution,
  transposed convolution, linear (fully connected) and matmul. This is what
  torchvision's "GFLOPS" column and most papers report.
* ``flops`` counts every arithmetic operation, with a multiply-accumulate worth
  **2 FLOPs**, so for contractions ``flops == 2 * macs``. Bias additions are not
  counted (they are < 0.1 % of a contraction). Other operators have ``macs == 0``
  and the per-element costs in :data:`ELEMENTWISE_FLOPS` (a max, add, multiply,
  compare or exp is one FLOP).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from enum import StrEnum
from types import MappingProxyType

__all__ = [
    "ELEMENTWISE_FLOPS",
    "Op",
    "adaptive_pool_flops",
    "adaptive_windows",
    "conv_macs",
    "conv_output_hw",
    "conv_params",
    "conv_transpose_macs",
    "elementwise_flops",
    "linear_macs",
    "matmul_macs",
    "numel",
    "pool_flops",
    "pool_output_hw",
]


class Op(StrEnum):
    """Kind of a layer; values are plain strings so ``layer.op == "conv"`` works."""

    CONV = "conv"
    CONV_TRANSPOSE = "conv_transpose"
    LINEAR = "linear"
    MATMUL = "matmul"
    POOL = "pool"
    NORM = "norm"
    ACT = "act"
    ADD = "add"
    MUL = "mul"
    CONCAT = "concat"
    SOFTMAX = "softmax"
    EMBEDDING = "embedding"
    RESHAPE = "reshape"
    ELEMENTWISE = "elementwise"
    OTHER = "other"


#: FLOPs per output element of non-contraction operators (a documented convention,
#: not a measurement): batch norm at inference is a folded scale and shift.
ELEMENTWISE_FLOPS: MappingProxyType[str, int] = MappingProxyType(
    {
        "identity": 0,
        "relu": 1,
        "relu6": 2,  # max and min
        "leaky_relu": 2,
        "sigmoid": 4,  # exp, add, divide, negate
        "tanh": 4,
        "silu": 5,  # sigmoid then multiply
        "gelu": 8,  # tanh approximation
        "hardswish": 4,
        "batchnorm": 2,
        "layernorm": 5,  # mean, subtract, variance, normalise, scale+shift
        "rmsnorm": 4,  # square, mean, rsqrt-multiply, scale
        "softmax": 5,  # max, subtract, exp, sum, divide
        "rope": 3,  # x*cos + rotate(x)*sin
        "add": 1,
        "mul": 1,
        "swiglu": 6,  # silu(gate) * up
    }
)


def numel(shape: Sequence[int]) -> int:
    """Count the elements of a tensor with ``shape`` (1 for a scalar ``()``).

    >>> numel((1, 3, 224, 224))
    150528
    """
    return math.prod(int(d) for d in shape)


def elementwise_flops(kind: str, shape: Sequence[int]) -> int:
    """FLOPs of an element-wise operator ``kind`` producing a tensor of ``shape``.

    >>> elementwise_flops("relu", (1, 64, 112, 112))
    802816
    """
    return ELEMENTWISE_FLOPS[kind] * numel(shape)


def conv_output_hw(
    size: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1, ceil: bool = False
) -> int:
    """Output length of one spatial axis of a convolution or pooling window.

    >>> conv_output_hw(224, 7, stride=2, padding=3)
    112
    """
    span = size + 2 * padding - dilation * (kernel - 1) - 1
    out = (-(-span // stride) if ceil else span // stride) + 1
    if ceil and (out - 1) * stride >= size + padding:
        out -= 1  # PyTorch/ONNX rule: the last window must start inside the input
    if out < 1:
        raise ValueError(f"window {kernel} with stride {stride} does not fit input length {size}")
    return out


pool_output_hw = conv_output_hw


def conv_macs(out_shape: Sequence[int], in_channels: int, kernel: Sequence[int], groups: int = 1) -> int:
    """MACs of a (grouped) convolution: every output element reads ``in/groups * k`` inputs.

    ``out_shape`` is (N, C_out, *spatial).

    >>> conv_macs((1, 64, 112, 112), 3, (7, 7))
    118013952
    """
    return numel(out_shape) * (in_channels // groups) * numel(kernel)


def conv_transpose_macs(
    in_shape: Sequence[int], out_channels: int, kernel: Sequence[int], groups: int = 1
) -> int:
    """MACs of a transposed convolution: each input element scatters into ``out/groups * k``.

    >>> conv_transpose_macs((1, 16, 8, 8), 8, (2, 2))
    32768
    """
    return numel(in_shape) * (out_channels // groups) * numel(kernel)


def conv_params(
    in_channels: int, out_channels: int, kernel: Sequence[int], groups: int = 1, bias: bool = True
) -> int:
    """Trainable parameters of a convolution (weights plus optional bias).

    >>> conv_params(3, 64, (11, 11), bias=True)
    23296
    """
    return out_channels * (in_channels // groups) * numel(kernel) + (out_channels if bias else 0)


def linear_macs(rows: int, in_features: int, out_features: int) -> int:
    """MACs of a linear layer applied to ``rows`` vectors (tokens or batch).

    >>> linear_macs(1, 9216, 4096)
    37748736
    """
    return rows * in_features * out_features


def matmul_macs(out_shape: Sequence[int], inner: int) -> int:
    """MACs of a (batched) matmul producing ``out_shape`` with contraction length ``inner``.

    >>> matmul_macs((12, 197, 197), 64)
    29805312
    """
    return numel(out_shape) * inner


def pool_flops(out_shape: Sequence[int], kernel: Sequence[int]) -> int:
    """FLOPs of a windowed max/avg pool: one compare or add per window element.

    >>> pool_flops((1, 64, 56, 56), (3, 3))
    1806336
    """
    return numel(out_shape) * numel(kernel)


def adaptive_windows(size: int, out: int) -> list[tuple[int, int]]:
    """The ``[start, end)`` input window of each of ``out`` outputs of an adaptive pool over ``size`` inputs.

    PyTorch's rule (``torch.nn.AdaptiveAvgPool2d``, torchvision's classifiers):
    output ``i`` pools ``floor(i·size/out)`` to ``ceil((i+1)·size/out)``, so
    windows may differ in length and overlap, and ``out > size`` repeats inputs.

    >>> adaptive_windows(9, 6)  # AlexNet at 320 px: 9x9 features to 6x6
    [(0, 2), (1, 3), (3, 5), (4, 6), (6, 8), (7, 9)]
    >>> adaptive_windows(3, 7)  # VGG-16 at 112 px: 3x3 features to 7x7
    [(0, 1), (0, 1), (0, 2), (1, 2), (1, 3), (2, 3), (2, 3)]
    """
    if size < 1 or out < 1:
        raise ValueError(f"adaptive pool from {size} to {out}: sizes must be at least 1")
    return [((i * size) // out, -(-((i + 1) * size) // out)) for i in range(out)]


def adaptive_pool_flops(channels: int, in_hw: Sequence[int], out_hw: Sequence[int]) -> int:
    """FLOPs of an adaptive average pool: one add per element of every output's window.

    >>> adaptive_pool_flops(256, (9, 9), (6, 6))  # 6 windows of 2 per axis: 12 x 12 adds per channel
    36864
    """
    rows = sum(end - start for start, end in adaptive_windows(in_hw[0], out_hw[0]))
    cols = sum(end - start for start, end in adaptive_windows(in_hw[1], out_hw[1]))
    return channels * rows * cols
