"""SqueezeNet 1.1 as in torchvision: Fire modules (squeeze 1x1, expand 1x1 and 3x3)."""

from __future__ import annotations

from offloadsim.models.builder import GraphBuilder, Tensor
from offloadsim.models.graph import LayerGraph
from offloadsim.models.zoo.common import image_builder

__all__ = ["squeezenet1_1"]

# squeeze, expand1x1, expand3x3 per Fire module; None = 3x3/2 max pool (ceil mode)
_FIRES: tuple[tuple[int, int, int] | None, ...] = (
    None,
    (16, 64, 64),
    (16, 64, 64),
    None,
    (32, 128, 128),
    (32, 128, 128),
    None,
    (48, 192, 192),
    (48, 192, 192),
    (64, 256, 256),
    (64, 256, 256),
)


def _fire(b: GraphBuilder, x: Tensor, squeeze: int, e1: int, e3: int, name: str) -> Tensor:
    s = b.act(b.conv(x, squeeze, 1, bias=True, name=f"{name}.squeeze"), name=f"{name}.squeeze.relu")
    a = b.act(b.conv(s, e1, 1, bias=True, name=f"{name}.expand1x1"), name=f"{name}.expand1x1.relu")
    c = b.act(b.conv(s, e3, 3, padding=1, bias=True, name=f"{name}.expand3x3"), name=f"{name}.expand3x3.relu")
    return b.concat([a, c], name=f"{name}.concat")


def squeezenet1_1(*, image_size: int = 224, num_classes: int = 1000) -> LayerGraph:
    """SqueezeNet 1.1: 8 Fire modules and a 1x1 convolutional classifier."""
    b = image_builder("squeezenet1_1", image_size, source="torchvision.models.squeezenet1_1")
    x = b.act(b.conv(b.input, 64, 3, 2, bias=True, name="conv1"), name="relu1")
    fire = 2
    for i, item in enumerate(_FIRES):
        if item is None:
            x = b.pool(x, 3, 2, ceil=True, name=f"pool{i}")
        else:
            x = _fire(b, x, *item, name=f"fire{fire}")
            fire += 1
    x = b.act(b.conv(x, num_classes, 1, bias=True, name="conv10"), name="relu10")
    x = b.global_avgpool(x, name="avgpool")
    b.flatten(x, name="flatten")
    return b.build()
