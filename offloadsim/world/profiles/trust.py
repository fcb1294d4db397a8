"""How far a calibrated profile can be trusted, and for which models: what calibrate warns and scenarios say.

A calibrated profile is trustworthy for a model when three things hold:

* its timings were quiet enough: the median 95 % CI of the unit medians is
  within :data:`MAX_NOISE_CI`;
* its cost model fits its own timings: median error within :data:`MAX_FIT_ERROR`,
  and, when the accuracy report ran, at least :data:`MIN_HELD_OUT` of the
  held-out models within ±10 %;
* the model is made of what was timed: at most :data:`MAX_EXTRAPOLATED` of its
  work (roofline time) is in units whose op kind the profile never timed, or
  timed fewer than :data:`MIN_GROUP_TIMINGS` times, or whose variant (the kind
  and the activations fused into it, :func:`variant`) it timed fewer than
  :data:`MIN_VARIANT_TIMINGS` times (:func:`extrapolated`). A profile
  calibrated on AlexNet and ResNet-18 has timed no depthwise convolution and
  no SiLU, so it must not be believed on EfficientNet; one calibrated on
  SqueezeNet has timed 1×1 convolutions followed by ReLU only, so it must not
  be believed on MobileNetV2's, followed by ReLU6 or by nothing;
* its layout correction holds for the model (:func:`layout_extrapolated`): the
  model's conversions between blocked and plain layouts are a small share of
  its time, or the correction was fitted and the model converts at most
  :data:`LAYOUT_EXTRAPOLATION` times what a training model did. A correction
  fitted on MobileNetV2 (5 KiB converted) says nothing about EfficientNet-B0
  (18 MB).

The offline calibration tool records this in a profile when it makes one
(``offloadsim.calibration.trust.assess``); :func:`caveats` is what a scenario
says about a profile and a model it runs.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from offloadsim.memory import format_bytes
from offloadsim.suggest import quoted
from offloadsim.world.profiles.fusion import Unit, layout_transitions, partition, unit_at

if TYPE_CHECKING:
    from offloadsim.models.graph import LayerGraph
    from offloadsim.world.profiles.calibrated import CalibratedProfile

__all__ = [
    "LAYOUT_CAVEAT_SHARE",
    "LAYOUT_EXTRAPOLATION",
    "MAX_EXTRAPOLATED",
    "MAX_FIT_ERROR",
    "MAX_NOISE_CI",
    "MIN_GROUP_TIMINGS",
    "MIN_HELD_OUT",
    "MIN_VARIANT_TIMINGS",
    "NO_CORRECTION",
    "caveats",
    "conversion_seconds",
    "extrapolated",
    "layout_extrapolated",
    "model_label",
    "profile_issues",
    "recorded_caveats",
    "variant",
]

#: At most this share of a model's work may be in op kinds the profile never timed (enough).
MAX_EXTRAPOLATED = 0.20
#: A group fitted to fewer timings than this predicts its kind only roughly: counted as not timed.
MIN_GROUP_TIMINGS = 8
#: A unit's variant (its kind and fused activations) timed fewer times than this is counted as not timed.
MIN_VARIANT_TIMINGS = 3
#: The cost model's median error on its own timings must be within this.
MAX_FIT_ERROR = 0.15
#: The median (over units) of the 95 % CI half-width of a unit's median time must be within this.
MAX_NOISE_CI = 0.05
#: When the accuracy report ran, at least this share of held-out models must be within ±10 %.
MIN_HELD_OUT = 0.75
#: A model converting more than this many times the bytes any training model converted extrapolates the
#: layout correction (its one coefficient was fitted on the training models' conversions).
LAYOUT_EXTRAPOLATION = 10.0
#: Conversions costing less than this share of a model's time (at :func:`conversion_seconds`) cannot
#: take its prediction out of the ±10 % target alone: below it, the layout correction is not questioned.
LAYOUT_CAVEAT_SHARE = 0.05


#: The layout correction record of a profile calibrated without it (``calibrate --no-correction``).
NO_CORRECTION: dict[str, Any] = {
    "fitted": False,
    "skipped": "--no-correction",
    "why": "calibrate ran with --no-correction, so the conversions are charged nothing",
}


def conversion_seconds(converted_bytes: float, bandwidth_Bps: float) -> float:
    """What converting ``converted_bytes`` between layouts plausibly costs: each byte read and written once.

    At the profile's measured memory bandwidth (``memory_bandwidth_Bps``); the
    Xeon profile's fitted 5.4e-11 s/byte is 0.75 of this (2 / 28 GB/s).

    >>> conversion_seconds(18e6, 20e9)
    0.0018
    """
    return 2.0 * converted_bytes / bandwidth_Bps


def variant(unit: Unit) -> str:
    """The unit's kind as far as its kernel's cost goes: its head's group and each fused activation.

    The cost model's groups tell a unit with an activation from one without
    (``conv/pointwise+act``) but not which activation: onnxruntime's blocked
    convolution applies a ReLU inside its kernel and any other activation
    (ReLU6, SiLU, sigmoid) in a further pass over the output, which the
    features (FLOPs and bytes) do not count. Folded batch norms and fused
    residual adds are left out: the first cost nothing, the second's bytes are
    in the features.

    >>> from offloadsim.world.profiles.fusion import LayerConfig
    >>> conv = LayerConfig("conv", ((1, 16, 8, 8),), (1, 32, 8, 8), (("kernel", 1),), 8192, 2048)
    >>> relu6 = LayerConfig("act", ((1, 32, 8, 8),), (1, 32, 8, 8), (("kind", "relu6"),), 2048, 0)
    >>> variant(Unit((conv, relu6))), variant(Unit((conv,)))
    ('conv/pointwise+relu6', 'conv/pointwise')
    """
    acts = (str(c.attr("kind") or c.op) for c in unit.configs[1:] if c.op == "act")
    return unit.head.group + "".join(f"+{kind}" for kind in acts)


def extrapolated(
    profile: CalibratedProfile, graph: LayerGraph, *, variants: bool = True
) -> tuple[float, tuple[str, ...]]:
    """(share of ``graph``'s work in units the profile never timed enough, their variants).

    A unit counts when its own kind was not timed enough: its prediction came
    from the op's family (a depthwise convolution from dense ones, SiLU from
    ReLU), from every unit pooled (``extrapolated``), or from a group fitted
    to fewer than :data:`MIN_GROUP_TIMINGS` timings (three strided 1×1
    convolutions say little about ResNet-50's bottlenecks); or when its
    :func:`variant` was timed fewer than :data:`MIN_VARIANT_TIMINGS` times
    (a 1×1 convolution with ReLU6, predicted from SqueezeNet's with ReLU, ran
    15 % slower than that). The share weighs each unit by its roofline time
    at the profile's sustained rate and memory bandwidth, not by its
    prediction, which is exactly what cannot be believed. ``variants=False``
    counts by kind alone, the rule before variants were counted (what
    ``benchmarks/calibration_trust.py`` compares).

    >>> from offloadsim.world.profiles.calibrated import CalibratedProfile
    >>> from offloadsim.world.profiles.cost_model import CostModel, GroupFit
    >>> from offloadsim.world.profiles.fusion import NO_FUSION
    >>> from offloadsim.models import get_model
    >>> pooled_only = CalibratedProfile("p", "", {"name": "numpy"}, NO_FUSION,
    ...     CostModel({"*": GroupFit((1e-4, 0.0, 0.0, 0.0), 9, 0.0, 1.0)}), 1e9, 1e9)
    >>> round(extrapolated(pooled_only, get_model("alexnet"))[0], 6)
    1.0
    """
    prediction = profile.predict(graph)
    timed = Counter(variant(timing.unit) for timing in profile.measured.values())
    rate, bandwidth = profile.effective_flops, profile.memory_bandwidth_Bps
    total = untimed = 0.0
    groups: set[str] = set()
    for positions in partition(graph, profile.fusion):
        unit = unit_at(graph, positions)
        work = max(unit.flops / rate, unit.bytes_moved / bandwidth)
        total += work
        source = prediction.source[positions[0]]
        if source == "measured":
            continue
        group = source.removeprefix("fitted:")
        fit = profile.model.groups.get(group)
        own_kind = group in (unit.group, unit.head.group)
        kind_untimed = source == "extrapolated" or not own_kind or fit is None or fit.n < MIN_GROUP_TIMINGS
        if kind_untimed or (variants and timed[variant(unit)] < MIN_VARIANT_TIMINGS):
            untimed += work
            groups.add(variant(unit))
    return (untimed / total if total > 0 else 0.0), tuple(sorted(groups))


def layout_extrapolated(profile: CalibratedProfile, graph: LayerGraph) -> str | None:
    """Why ``profile``'s layout correction cannot be believed for ``graph``, or None.

    Only when the graph's conversions plausibly cost at least
    :data:`LAYOUT_CAVEAT_SHARE` of its predicted time: then when calibrate
    refused to fit the correction (``fitted: false``, and why), or when the
    graph converts more than :data:`LAYOUT_EXTRAPOLATION` times the most
    bytes a training model converted (``converted_bytes``). A profile
    calibrated before ``converted_bytes`` was recorded (one with ``fitted_on``
    but without it) cannot be checked, and the reason says so rather than
    nothing. A profile calibrated with ``--no-correction`` charges the
    conversions nothing, as a refused fit does (unit timings leave them out:
    onnxruntime's profiler times a unit's kernels without the reorders at its
    edges), so it is questioned as one: it records ``fitted: false`` and
    ``skipped``, and a profile with no record at all (``--no-correction``
    before that was recorded) is taken to be one. The shipped profiles carry
    ``converted_bytes`` derived from their training models' graphs.
    """
    converted = float(layout_transitions(graph, profile.fusion).sum())
    if converted <= 0:
        return None
    cost = conversion_seconds(converted, profile.memory_bandwidth_Bps)
    units = float(np.sum(profile.layer_seconds(graph))) - profile.layout_s_per_byte * converted
    # NaN (no measured bandwidth) cannot tell, nor can units left at 0 s: a huge s_per_byte (1e300,
    # hand-edited) taken back out of their sum cancels it, and the share below was a ZeroDivisionError.
    if not (units > 0 and cost > LAYOUT_CAVEAT_SHARE * units):
        return None
    record = _correction_record(profile)
    amount = (
        f"it converts {format_bytes(converted)} between blocked and plain layouts "
        f"(about {cost / units:.0%} of its time)"
    )
    if record.get("fitted") is False:  # absent: fitted before the rule was recorded
        return f"{amount} and the layout correction was not fitted: {record.get('why', 'no reason recorded')}"
    if "converted_bytes" not in record:
        return (
            f"{amount}, and the profile does not record what its training models converted (it was "
            "calibrated before that was recorded), so whether its layout correction "
            f"({profile.layout_s_per_byte:.2g} s/byte) holds for this model cannot be checked"
        )
    most = max(record["converted_bytes"].values(), default=None)
    if most is not None and converted > LAYOUT_EXTRAPOLATION * most:
        return (
            f"{amount}, over {LAYOUT_EXTRAPOLATION:.0f} times the most a training model converted "
            f"({format_bytes(most)}), so the layout correction "
            f"({profile.layout_s_per_byte:.2g} s/byte) is extrapolated"
        )
    return None


def _correction_record(profile: CalibratedProfile) -> Mapping[str, Any]:
    """The profile's layout correction record, :data:`NO_CORRECTION` where it has none (--no-correction)."""
    record = profile.correction
    fitted = {"fitted", "fitted_on", "whole_model_ms"} & record.keys() or profile.layout_s_per_byte > 0
    return record if fitted else {**NO_CORRECTION, **record}  # --no-correction before calibrate said so


def profile_issues(profile: CalibratedProfile) -> list[str]:
    """Why ``profile`` cannot be trusted for any model (empty when it can): noise, fit, held-out accuracy."""
    issues = []
    noise = profile.provenance.get("noise", {})
    ci = noise.get("median_ci_pct")
    if ci is not None and math.isfinite(ci) and ci > MAX_NOISE_CI * 100:
        issues.append(
            f"its timings were noisy (median 95% CI of a unit's time ±{ci:.1f}%, over ±{MAX_NOISE_CI:.0%})"
        )
    mdape = profile.provenance.get("fit", {}).get("mdape")
    if mdape is not None and math.isfinite(mdape) and mdape > MAX_FIT_ERROR:
        issues.append(
            f"its cost model fits its own timings poorly (median error {mdape:.0%}, over {MAX_FIT_ERROR:.0%})"
        )
    held = (profile.report or {}).get("held_out", {})
    if held.get("models"):
        fraction = held["within"] / held["models"]
        if fraction < MIN_HELD_OUT:
            issues.append(_held_out_issue(profile.report, held))
    return issues


def _held_out_issue(report: Mapping[str, Any], held: Mapping[str, Any]) -> str:
    """The failed held-out check: its bar (a share of held-out models within the tolerance), who missed it.

    A profile calibrated with one held-out model predicted +10.7 % against the ±10 % tolerance read
    "not to be trusted" with nothing to say that one model's error decided it.
    """
    tolerance = float(report.get("tolerance_pct", 10))
    missed = [
        f"{row['model']} {row['error_pct']:+.1f}%"
        for row in report.get("rows", [])
        if isinstance(row, Mapping)
        and row.get("role") == "held-out"
        and isinstance(row.get("error_pct"), int | float)
        and abs(row["error_pct"]) > tolerance
    ]
    shown = ", ".join(missed[:3]) + (f" and {len(missed) - 3} more" if len(missed) > 3 else "")
    one = (
        "; with one held-out model, its error alone decides this (--holdout more models)"
        if held["models"] == 1
        else ""
    )
    return (
        f"only {held['within']} of {held['models']} held-out models were predicted within ±{tolerance:.0f}%"
        + (f" ({shown})" if shown else "")
        + f", fewer than the {MIN_HELD_OUT:.0%} of them the held-out check asks for{one}"
    )


def caveats(profile: CalibratedProfile, graphs: Mapping[str, LayerGraph] | Sequence[Any] = ()) -> list[str]:
    """One line per reason not to trust ``profile`` with the given graphs (``{label: graph}``).

    Profile-wide issues first, then each graph with more than
    :data:`MAX_EXTRAPOLATED` of its work in op kinds never timed (enough), naming them,
    then each graph whose layout correction is extrapolated (:func:`layout_extrapolated`).
    """
    lines = [
        f"profile {quoted(profile.name)} is not to be trusted: {issue}" for issue in profile_issues(profile)
    ]
    items = graphs.items() if isinstance(graphs, Mapping) else graphs
    from offloadsim.models.precision import graph_precision

    for label, graph in items:
        share, kinds = extrapolated(profile, graph)
        if share > MAX_EXTRAPOLATED:
            precision = graph_precision(graph)
            sized = model_label(graph)
            lines.append(
                _extrapolation_line(
                    profile.name, label, share, kinds, precision, sized, _sizes_timed(profile, sized)
                )
            )
    for label, graph in items:
        reason = layout_extrapolated(profile, graph)
        if reason:
            lines.append(_layout_line(profile, label, reason))
    return lines


def recorded_caveats(profile: CalibratedProfile) -> list[str]:
    """:func:`caveats` from the trust record calibrate left in the profile (what calibrate warns)."""
    record = profile.trust or {}
    lines = [
        f"profile {quoted(profile.name)} is not to be trusted: {issue}" for issue in record.get("issues", [])
    ]
    shares = record.get("extrapolated_pct", {})
    for label, kinds in record.get("untrusted_for", {}).items():
        share = shares.get(label, math.nan) / 100
        timed = _sizes_timed(profile, label)
        lines.append(_extrapolation_line(profile.name, label, share, tuple(kinds), "fp32", label, timed))
    for label, reason in record.get("layout_untrusted_for", {}).items():
        lines.append(_layout_line(profile, label, reason))
    return lines


def _layout_line(profile: CalibratedProfile, label: str, reason: str) -> str:
    skipped = " without --no-correction" if _correction_record(profile).get("skipped") else ""
    return (
        f"profile {quoted(profile.name)} is not to be trusted for {label}: {reason}; "
        f"calibrate on this model{skipped} (--models or --onnx)"
    )


def model_label(graph: LayerGraph) -> str:
    """``graph``'s model as ``calibrate --models`` names it: ``squeezenet1_1@160`` at a size not its default.

    A scenario's ``params: {image_size: 160}`` builds the model at 160 px under its own name; a
    caveat naming it ``squeezenet1_1`` read as the model a profile was calibrated on, at 224 px.
    """
    from offloadsim.models.registry import sized_label

    size = graph.meta.get("image_size")
    if size is None:
        return graph.name
    try:
        default = sized_label(graph.name)
    except (ValueError, KeyError):  # not a zoo name (an ONNX file's graph): its size as built
        return f"{graph.name}@{size}"
    return graph.name if default == f"{graph.name}@{size}" else f"{graph.name}@{size}"


def _sizes_timed(profile: CalibratedProfile, model: str) -> tuple[str, ...]:
    """The sizes other than ``model``'s at which the profile timed that model (``224 px``); none: not timed.

    ``model``: a label as ``calibrate --models`` takes it (``squeezenet1_1@160``).  Where the
    profile timed the model at other sizes only, its caveat says so, and the remedy is that size.
    """
    from offloadsim.models.registry import sized_label

    try:
        wanted = sized_label(model)
        timed = {sized_label(str(label)) for label in profile.provenance.get("models", [])}
    except (ValueError, KeyError):  # an ONNX file's name, or a label this version does not know
        return ()
    base = wanted.partition("@")[0]
    if not wanted.partition("@")[2] or wanted in timed:
        return ()
    return tuple(
        sorted(f"{label.partition('@')[2]} px" for label in timed if label.partition("@")[0] == base)
    )


def _extrapolation_line(
    name: str,
    label: str,
    share: float,
    kinds: Sequence[str],
    precision: str = "fp32",
    model: str = "",
    sizes_timed: Sequence[str] = (),
) -> str:
    shown = ", ".join(kinds[:4]) + (f" and {len(kinds) - 4} more" if len(kinds) > 4 else "")
    # calibrate times fp32 kernels: another precision's units are never timed, whatever the models
    if precision != "fp32":
        remedy = f"calibrate times fp32 only, so its {precision} layers are predicted from the fit"
    elif sizes_timed:  # the model itself was timed, at other sizes: its units here are the fit's
        from offloadsim.models.registry import sized_label

        # its default size where the label names none: "at  px" read a trial's squeezenet1_1
        base, _, size = sized_label(model).partition("@")
        remedy = (
            f"it timed {base} at {' and '.join(sizes_timed)} only, and at {size} px these kinds are "
            f"predicted by fits to too few timings; calibrate at this size too (--models {model})"
        )
    else:
        remedy = "calibrate on this model (--models or --onnx)"
    return (
        f"profile {quoted(name)} is not to be trusted for {label}: {share:.0%} of its work is in op kinds, "
        f"or variants of them, it never timed, or timed too few times ({shown}); {remedy}"
    )
