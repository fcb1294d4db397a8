"""ResNet-18 and ResNet-50 as in torchvision (v1.5: stride on the 3x3 of the bottleneck)."""

from __future__ import annotations

from offloadsim.models.builder import GraphBuilder, Tensor
from offloadsim.models.graph import LayerGraph
from offloadsim.models.zoo.common import conv_bn_act, image_builder

__all__ = ["resnet18", "resnet50"]


def _basic(b: GraphBuilder, x: Tensor, width: int, stride: int, name: str) -> Tensor:
    """Two 3x3 convolutions plus the identity (or a 1x1 projection)."""
    out = conv_bn_act(b, x, width, 3, stride, name=f"{name}.conv1")
    out = conv_bn_act(b, out, width, 3, 1, act=None, name=f"{name}.conv2")
    return _merge(b, x, out, width, stride, name)


def _bottleneck(b: GraphBuilder, x: Tensor, width: int, stride: int, name: str) -> Tensor:
    """1x1 reduce, 3x3 (strided), 1x1 expand x4, plus the identity or a projection."""
    out = conv_bn_act(b, x, width, 1, name=f"{name}.conv1")
    out = conv_bn_act(b, out, width, 3, stride, name=f"{name}.conv2")
    out = conv_bn_act(b, out, 4 * width, 1, act=None, name=f"{name}.conv3")
    return _merge(b, x, out, 4 * width, stride, name)


def _merge(b: GraphBuilder, x: Tensor, out: Tensor, channels: int, stride: int, name: str) -> Tensor:
    if stride != 1 or x.shape[1] != channels:
        x = conv_bn_act(b, x, channels, 1, stride, act=None, name=f"{name}.downsample")
    return b.act(b.add(out, x, name=f"{name}.add"), "relu", name=f"{name}.relu")


def _resnet(name: str, block: str, depths: tuple[int, ...], image_size: int, num_classes: int) -> LayerGraph:
    b = image_builder(name, image_size, source=f"torchvision.models.{name}")
    x = conv_bn_act(b, b.input, 64, 7, 2, name="conv1")
    x = b.pool(x, 3, 2, 1, name="maxpool")
    unit = _basic if block == "basic" else _bottleneck
    for stage, depth in enumerate(depths, start=1):
        width = 64 * 2 ** (stage - 1)
        for i in range(depth):
            stride = 2 if stage > 1 and i == 0 else 1
            x = unit(b, x, width, stride, f"layer{stage}.{i}")
    x = b.global_avgpool(x, name="avgpool")
    x = b.flatten(x, name="flatten")
    b.linear(x, num_classes, name="fc")
    return b.build()


def resnet18(*, image_size: int = 224, num_classes: int = 1000) -> LayerGraph:
    """ResNet-18: basic blocks [2, 2, 2, 2]."""
    return _resnet("resnet18", "basic", (2, 2, 2, 2), image_size, num_classes)


def resnet50(*, image_size: int = 224, num_classes: int = 1000) -> LayerGraph:
    """ResNet-50: bottleneck blocks [3, 4, 6, 3]."""
    return _resnet("resnet50", "bottleneck", (3, 4, 6, 3), image_size, num_classes)
