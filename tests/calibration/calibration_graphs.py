"""Small hand-made layer graphs and synthetic profiles for the calibration tests."""

from offloadsim.calibration.fit import fit_cost_model
from offloadsim.calibration.profile import group_spreads
from offloadsim.models import get_model
from offloadsim.models.graph import INPUT, Layer, LayerGraph
from offloadsim.world.profiles.calibrated import CalibratedProfile, Timing
from offloadsim.world.profiles.fusion import ORT_FUSION, distinct_units


def zoo_graph(label: str) -> LayerGraph:
    """A zoo model by its calibrate label: ``mobilenet_v2``, or at another input size ``mobilenet_v2@160``."""
    name, _, size = label.partition("@")
    return get_model(name, image_size=int(size)) if size else get_model(name)


def synthetic_profile(models=("resnet18", "mobilenet_v2"), name="synthetic", measured_every=1, **provenance):
    """A profile fitted to made-up timings of ``models``' units (2 µs + 50 GFLOP/s + 20 GB/s).

    Every ``measured_every``-th unit is kept as measured; the others are left to the fit.
    """
    units = distinct_units([zoo_graph(m) for m in models], ORT_FUSION)
    timings = [Timing(u, 2e-6 + u.flops / 50e9 + u.bytes_moved / 20e9, 0.02, 20, ci=0.01) for u in units]
    return CalibratedProfile(
        name=name,
        description="synthetic",
        backend={"name": "onnxruntime", "provider": "CPUExecutionProvider", "threads": 1},
        fusion=ORT_FUSION,
        model=fit_cost_model(timings),
        effective_flops=50e9,
        memory_bandwidth_Bps=20e9,
        measured={t.unit.key: t for t in timings[::measured_every]},
        group_spread=group_spreads(timings),
        provenance={"cpu_model": "test CPU", "models": list(models), **provenance},
    )


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
