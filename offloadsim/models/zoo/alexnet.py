"""AlexNet as in torchvision ("one weird trick" single-tower variant, no dropout at inference)."""

from __future__ import annotations

from offloadsim.models.graph import LayerGraph
from offloadsim.models.zoo.common import image_builder

__all__ = ["alexnet"]

# (out_channels, kernel, stride, padding, max-pool after)
_FEATURES = (
    (64, 11, 4, 2, True),
    (192, 5, 1, 2, True),
    (384, 3, 1, 1, False),
    (256, 3, 1, 1, False),
    (256, 3, 1, 1, True),
)


def alexnet(*, image_size: int = 224, num_classes: int = 1000) -> LayerGraph:
    """AlexNet: five convolutions and three fully connected layers (61.1 M parameters)."""
    b = image_builder("alexnet", image_size, source="torchvision.models.alexnet")
    x = b.input
    for i, (out, k, s, p, pool) in enumerate(_FEATURES, start=1):
        x = b.conv(x, out, k, s, p, bias=True, name=f"conv{i}")
        x = b.act(x, "relu", name=f"relu{i}")
        if pool:
            x = b.pool(x, 3, 2, name=f"pool{i}")
    x = b.adaptive_avgpool(x, 6, name="avgpool")
    x = b.flatten(x, name="flatten")
    for i, width in enumerate((4096, 4096), start=6):
        x = b.linear(x, width, name=f"fc{i}")
        x = b.act(x, "relu", name=f"relu{i}")
    b.linear(x, num_classes, name="fc8")
    return b.build()
