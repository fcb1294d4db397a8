"""A processor's sustained speed for work in a precision, and what a calibrated profile does with one.

Read by the world (:meth:`offloadsim.world.build.World.app_speed`) and by the notes that say
where a precision's speed comes from (:mod:`offloadsim.world.notes`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from offloadsim.models.graph import LayerGraph

__all__ = ["calibrated", "fit_alone_note", "precision_speed"]

# The world's ProcessorModel (offloadsim.world.build), typed Any: that module imports this one.
ProcessorModel = Any


def calibrated(proc: ProcessorModel) -> bool:
    """Whether ``proc`` costs layers by a calibrated profile's fit, not at one rate."""
    return getattr(proc.costs, "kind", None) == "calibrated"


def precision_speed(proc: ProcessorModel, precision: str) -> tuple[float, str | None]:
    """Sustained FLOP/s of ``proc`` for work in ``precision``, and a note when it is not that precision's.

    A derived profile gives the peak it states for the precision (or the
    closest one it states, along the fallback rule) times its efficiency.
    A calibrated profile was timed in fp32 and serves every precision at its
    measured rate; a plain ``speed`` serves every precision.
    """
    if proc.costs is None:
        return proc.speed_flops, None
    peak_for = getattr(proc.costs, "peak_for", None)
    if peak_for is None:
        note = None
        if precision != "fp32":
            note = f"a calibrated profile timed in fp32; {precision} work is costed at its measured rate"
        return proc.speed_flops, note
    used, peak = peak_for(precision)
    note = None
    if used != precision:
        from offloadsim.models.precision import fallback_chain

        chain = fallback_chain(precision)
        rule = " -> ".join(chain[: chain.index(used) + 1])
        note = f"states no {precision} peak; its {used} peak stands in ({rule})"
    return peak * proc.costs.efficiency, note


def fit_alone_note(proc: ProcessorModel, graph: LayerGraph, precision: str) -> str:
    """What a calibrated profile does with a layer graph in another precision than fp32: its fit alone.

    ``calibrate`` times fp32 kernels, so no timed unit stands for an int8 layer: each is priced by
    the profile's fit, from its FLOPs and its (fewer) bytes moved (docs/calibration.md, "How far a
    profile can be trusted").  The note said "costed at its measured rate" while ResNet-50's time on
    ``xeon-ort-1t`` fell 5.5 % in int8; it says how far the fit moved it from fp32.
    """
    from offloadsim.models.precision import with_precision

    own = float(proc.costs.layer_seconds(graph).sum())
    fp32 = float(proc.costs.layer_seconds(with_precision(graph, "fp32")).sum())
    change = own / fp32 - 1.0 if fp32 > 0.0 else 0.0
    moved = (
        f"{abs(change) * 100:.1f} % {'less' if change < 0 else 'more'} time than in fp32"
        if change
        else "as in fp32"
    )
    return (
        f"calibrate times fp32 kernels only, so each {precision} layer is costed from the profile's fit "
        f"alone (its FLOPs and its {precision} bytes moved), not at a measured {precision} rate: "
        f"{moved} (docs/calibration.md#how-far-a-profile-can-be-trusted)"
    )
