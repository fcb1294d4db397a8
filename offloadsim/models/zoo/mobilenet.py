"""MobileNetV2 (width 1.0) as in torchvision: inverted residuals with linear bottlenecks."""

from __future__ import annotations

from offloadsim.models.builder import GraphBuilder, Tensor
from offloadsim.models.graph import LayerGraph
from offloadsim.models.zoo.common import conv_bn_act, image_builder

__all__ = ["mobilenet_v2"]

# expansion t, output channels c, repeats n, first stride s (MobileNetV2 paper, table 2)
_SETTINGS = (
    (1, 16, 1, 1),
    (6, 24, 2, 2),
    (6, 32, 3, 2),
    (6, 64, 4, 2),
    (6, 96, 3, 1),
    (6, 160, 3, 2),
    (6, 320, 1, 1),
)


def _inverted_residual(b: GraphBuilder, x: Tensor, out: int, stride: int, expand: int, name: str) -> Tensor:
    c_in = x.shape[1]
    hidden = c_in * expand
    y = x
    if expand != 1:
        y = conv_bn_act(b, y, hidden, 1, act="relu6", name=f"{name}.expand")
    y = conv_bn_act(b, y, hidden, 3, stride, groups=hidden, act="relu6", name=f"{name}.dw")
    y = conv_bn_act(b, y, out, 1, act=None, name=f"{name}.project")
    return b.add(y, x, name=f"{name}.add") if stride == 1 and c_in == out else y


def mobilenet_v2(*, image_size: int = 224, num_classes: int = 1000) -> LayerGraph:
    """MobileNetV2 1.0: 17 inverted-residual blocks, 1280-wide head."""
    b = image_builder("mobilenet_v2", image_size, source="torchvision.models.mobilenet_v2")
    x = conv_bn_act(b, b.input, 32, 3, 2, act="relu6", name="features.0")
    block = 1
    for t, c, n, s in _SETTINGS:
        for i in range(n):
            x = _inverted_residual(b, x, c, s if i == 0 else 1, t, f"features.{block}")
            block += 1
    x = conv_bn_act(b, x, 1280, 1, act="relu6", name=f"features.{block}")
    x = b.global_avgpool(x, name="avgpool")
    x = b.flatten(x, name="flatten")
    b.linear(x, num_classes, name="classifier")
    return b.build()
