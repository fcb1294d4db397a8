"""VGG-16 (configuration "D") as in torchvision, without batch norm."""

from __future__ import annotations

from offloadsim.models.graph import LayerGraph
from offloadsim.models.zoo.common import image_builder

__all__ = ["vgg16"]

# channels per 3x3 convolution, "M" = 2x2 max pool
_CFG_D = (64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M")


def vgg16(*, image_size: int = 224, num_classes: int = 1000) -> LayerGraph:
    """VGG-16: thirteen 3x3 convolutions and three fully connected layers."""
    b = image_builder("vgg16", image_size, source="torchvision.models.vgg16")
    x = b.input
    block, idx = 1, 1
    for item in _CFG_D:
        if item == "M":
            x = b.pool(x, 2, 2, name=f"pool{block}")
            block, idx = block + 1, 1
            continue
        x = b.conv(x, int(item), 3, 1, 1, bias=True, name=f"conv{block}_{idx}")
        x = b.act(x, "relu", name=f"relu{block}_{idx}")
        idx += 1
    x = b.adaptive_avgpool(x, 7, name="avgpool")
    x = b.flatten(x, name="flatten")
    for i, width in enumerate((4096, 4096), start=6):
        x = b.linear(x, width, name=f"fc{i}")
        x = b.act(x, "relu", name=f"relu{i}")
    b.linear(x, num_classes, name="fc8")
    return b.build()
