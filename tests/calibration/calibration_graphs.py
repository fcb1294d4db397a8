"""Small hand-made layer graphs for the calibration tests."""

from offloadsim.models.graph import INPUT, Layer, LayerGraph


def tiny_cnn(channels: int = 8, size: int = 16) -> LayerGraph:
    """conv 3x3 -> relu -> max pool: three small layers, milliseconds to time."""
    c, s = channels, size
    return LayerGraph(
        "tiny",
        (
            Layer(
                "conv",
                "conv",
                (INPUT,),
                ((1, 3, s, s),),
                (1, c, s, s),
                flops=2 * c * s * s * 27,
                macs=c * s * s * 27,
                params=c * 27,
                attrs=(("kernel", 3), ("stride", 1), ("padding", 1), ("groups", 1), ("bias", False)),
            ),
            Layer(
                "relu",
                "act",
                ("conv",),
                ((1, c, s, s),),
                (1, c, s, s),
                flops=c * s * s,
                attrs=(("kind", "relu"),),
            ),
            Layer(
                "pool",
                "pool",
                ("relu",),
                ((1, c, s, s),),
                (1, c, s // 2, s // 2),
                flops=c * s * s,
                attrs=(("kind", "max"), ("kernel", 2), ("stride", 2), ("padding", 0), ("ceil", False)),
            ),
        ),
        input_shape=(1, 3, s, s),
        meta={"family": "cnn"},
    )
