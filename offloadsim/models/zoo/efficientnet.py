"""EfficientNet-B0 as in torchvision: MBConv blocks with squeeze-and-excitation and SiLU."""

from __future__ import annotations

from offloadsim.models.builder import GraphBuilder, Tensor
from offloadsim.models.graph import LayerGraph
from offloadsim.models.zoo.common import conv_bn_act, image_builder

__all__ = ["efficientnet_b0"]

# expansion, kernel, first stride, output channels, repeats (EfficientNet paper, table 1)
_B0 = (
    (1, 3, 1, 16, 1),
    (6, 3, 2, 24, 2),
    (6, 5, 2, 40, 2),
    (6, 3, 2, 80, 3),
    (6, 5, 1, 112, 3),
    (6, 5, 2, 192, 4),
    (6, 3, 1, 320, 1),
)


def _squeeze_excite(b: GraphBuilder, x: Tensor, squeeze: int, name: str) -> Tensor:
    """Global pool, 1x1 reduce + SiLU, 1x1 expand + sigmoid, channel-wise scale."""
    s = b.global_avgpool(x, name=f"{name}.pool")
    s = b.act(b.conv(s, squeeze, 1, bias=True, name=f"{name}.fc1"), "silu", name=f"{name}.silu")
    s = b.conv(s, x.shape[1], 1, bias=True, name=f"{name}.fc2")
    s = b.act(s, "sigmoid", name=f"{name}.sigmoid")
    return b.mul(x, s, name=f"{name}.scale")


def _mbconv(b: GraphBuilder, x: Tensor, expand: int, kernel: int, stride: int, out: int, name: str) -> Tensor:
    c_in = x.shape[1]
    hidden = c_in * expand
    y = x
    if expand != 1:
        y = conv_bn_act(b, y, hidden, 1, act="silu", name=f"{name}.expand")
    y = conv_bn_act(b, y, hidden, kernel, stride, groups=hidden, act="silu", name=f"{name}.dw")
    y = _squeeze_excite(b, y, max(1, c_in // 4), f"{name}.se")
    y = conv_bn_act(b, y, out, 1, act=None, name=f"{name}.project")
    # stochastic depth is the identity at inference
    return b.add(y, x, name=f"{name}.add") if stride == 1 and c_in == out else y


def efficientnet_b0(*, image_size: int = 224, num_classes: int = 1000) -> LayerGraph:
    """EfficientNet-B0: 16 MBConv blocks, 1280-wide head."""
    b = image_builder("efficientnet_b0", image_size, source="torchvision.models.efficientnet_b0")
    x = conv_bn_act(b, b.input, 32, 3, 2, act="silu", name="features.0")
    for stage, (t, k, s, c, n) in enumerate(_B0, start=1):
        for i in range(n):
            x = _mbconv(b, x, t, k, s if i == 0 else 1, c, f"features.{stage}.{i}")
    x = conv_bn_act(b, x, 1280, 1, act="silu", name="features.8")
    x = b.global_avgpool(x, name="avgpool")
    x = b.flatten(x, name="flatten")
    b.linear(x, num_classes, name="classifier")
    return b.build()
