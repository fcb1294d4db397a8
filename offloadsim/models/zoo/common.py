"""Pieces shared by the image models of the zoo: the input convention and conv-BN-act."""

from __future__ import annotations

from typing import Any

from offloadsim.models.builder import GraphBuilder, Tensor

__all__ = ["conv_bn_act", "image_builder"]


def image_builder(name: str, image_size: int, **meta: Any) -> GraphBuilder:
    """Start a builder for one ``3 x image_size x image_size`` float32 image (batch 1).

    The input bytes are those of the float32 tensor the network reads, not of
    a compressed or uint8 camera frame.
    """
    return GraphBuilder(
        name,
        (1, 3, image_size, image_size),
        dtype_bytes=4,
        meta={"family": "cnn", "image_size": image_size, **meta},
    )


def conv_bn_act(
    b: GraphBuilder,
    x: Tensor,
    out_channels: int,
    kernel: int,
    stride: int = 1,
    groups: int = 1,
    act: str | None = "relu",
    name: str = "conv",
) -> Tensor:
    """Bias-free convolution with "same" padding, batch norm and an optional activation."""
    x = b.conv(x, out_channels, kernel, stride, (kernel - 1) // 2, groups, bias=False, name=name)
    x = b.bn(x, name=f"{name}.bn")
    return x if act is None else b.act(x, act, name=f"{name}.{act}")
