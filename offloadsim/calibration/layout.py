"""The layout correction's one coefficient, fitted only where the training models can tell it.

The correction charges seconds per byte converted between blocked (NCHWc) and
plain layouts. It is fitted on the training models' whole-model timings, on
the residual between each timing and the sum of its units. That residual
holds the conversions, but also the timing's noise and whatever a whole run
costs beyond its units. A model converting a few KiB (SqueezeNet, MobileNetV2,
ResNet-18: only the final tensor) cannot tell the conversions from the rest:
fitted on such models the coefficient came out at 1e-7 to 4e-6 s/byte, a
thousand times slower than memory, and predicted EfficientNet-B0 (18 MB
converted) 120 to 800 times too slow. So the coefficient is fitted only when

* some training model's conversions, costed at :func:`conversion_seconds`
  (each byte read and written once at the profile's measured memory
  bandwidth), exceed that model's residual noise: its whole timing's 95 % CI,
  and at least :data:`RESIDUAL_NOISE_FLOOR` of its time; and
* the fitted coefficient is no more than :data:`MAX_COPY_SLOWDOWN` times that
  plausible cost per byte.

Otherwise it is 0, and the profile records why.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from offloadsim.memory import format_bytes
from offloadsim.world.profiles.fusion import layout_transitions
from offloadsim.world.profiles.trust import conversion_seconds

if TYPE_CHECKING:
    from collections.abc import Mapping

    from offloadsim.calibration.report import WholeModelTiming
    from offloadsim.calibration.specs import ModelSpec
    from offloadsim.world.profiles.calibrated import CalibratedProfile

__all__ = [
    "MAX_COPY_SLOWDOWN",
    "RESIDUAL_NOISE_FLOOR",
    "LayoutRow",
    "fit_layout",
    "layout_rows",
    "refit_recorded",
    "training_converted_bytes",
]

#: A residual is known no better than this share of the model's time, whatever its timing's CI: the
#: units it is taken against are timed to a 2 % CI (``DEFAULT_TARGET_CI``), and the Xeon profile's
#: training models kept residuals of 1 to 6 % that no conversion explains (ResNet-18: 2 KiB converted).
RESIDUAL_NOISE_FLOOR = 0.02
#: A conversion is a strided copy: no more than this many times slower per byte than a plain copy at the
#: measured memory bandwidth. The Xeon's fitted 5.4e-11 s/byte is 0.75 times such a copy.
MAX_COPY_SLOWDOWN = 4.0


@dataclass(frozen=True, slots=True)
class LayoutRow:
    """One training model: bytes it converts, the sum of its units' predictions, its whole timing."""

    label: str
    converted_bytes: float
    units_seconds: float
    timing: WholeModelTiming

    def noise_seconds(self) -> float:
        """The residual's noise: the whole timing's 95 % CI, at least :data:`RESIDUAL_NOISE_FLOOR`."""
        ci = self.timing.ci if math.isfinite(self.timing.ci) else 0.0
        return self.timing.seconds * max(ci, RESIDUAL_NOISE_FLOOR)


def fit_layout(rows: Sequence[LayoutRow], bandwidth_Bps: float) -> tuple[float, dict[str, Any]]:
    """(seconds per converted byte, what the profile records about the fit) from ``rows``.

    The coefficient minimises the relative error of the whole-model
    predictions (non-negative, closed form) when the rules in the module
    docstring allow it, and is 0 otherwise, with ``fitted: False`` and
    ``why``. The record always holds each model's ``converted_bytes``, which
    :func:`~offloadsim.world.profiles.trust.layout_extrapolated` compares
    held-out models with.

    >>> from offloadsim.calibration.report import WholeModelTiming
    >>> few_kib = LayoutRow("squeezenet1_1", 4000, 9.0e-3, WholeModelTiming.recorded(9.9, {"ci_pct": 1.0}))
    >>> fit_layout([few_kib], 40e9)[0]
    0.0
    """
    record: dict[str, Any] = {"converted_bytes": {row.label: int(row.converted_bytes) for row in rows}}
    if not (bandwidth_Bps > 0 and math.isfinite(bandwidth_Bps)):
        why = "the profile measured no memory bandwidth to bound it by"
        return 0.0, {**record, "fitted": False, "why": why}
    per_byte = conversion_seconds(1.0, bandwidth_Bps)
    bound = MAX_COPY_SLOWDOWN * per_byte
    record["max_s_per_byte"] = bound
    if not rows:
        return 0.0, {**record, "fitted": False, "why": "no training model was timed whole"}
    if not any(row.converted_bytes * per_byte > row.noise_seconds() for row in rows):
        most = max(rows, key=lambda row: row.converted_bytes)
        why = (
            f"the training models convert at most {format_bytes(most.converted_bytes)} ({most.label}), "
            f"about {most.converted_bytes * per_byte * 1e3:.2g} ms at the memory bandwidth, within "
            f"that model's ±{most.noise_seconds() * 1e3:.2g} ms timing noise"
        )
        return 0.0, {**record, "fitted": False, "why": why}
    num = den = 0.0
    for row in rows:
        seconds = row.timing.seconds
        a, b = row.converted_bytes / seconds, 1.0 - row.units_seconds / seconds
        num, den = num + a * b, den + a * a
    coefficient = max(num / den, 0.0) if den > 0 else 0.0
    if coefficient > bound:
        why = (
            f"the fit came to {coefficient:.2g} s/byte, over {MAX_COPY_SLOWDOWN:.0f} times a copy at the "
            f"memory bandwidth ({bound:.2g} s/byte): the whole-model residual is not the conversions"
        )
        return 0.0, {**record, "fitted": False, "why": why, "rejected_s_per_byte": coefficient}
    return coefficient, {**record, "fitted": True}


def layout_rows(
    profile: CalibratedProfile, specs: Sequence[ModelSpec], measured: Mapping[str, WholeModelTiming]
) -> list[LayoutRow]:
    """One row per spec: its converted bytes, its units' predicted sum (without correction), its timing."""
    rows = []
    for spec in specs:
        converted = float(layout_transitions(spec.graph, profile.fusion).sum())
        units = float(np.sum(profile.layer_seconds(spec.graph))) - profile.layout_s_per_byte * converted
        rows.append(LayoutRow(spec.label, converted, units, measured[spec.label]))
    return rows


def refit_recorded(profile: CalibratedProfile) -> tuple[float, dict[str, Any]]:
    """What :func:`fit_layout` makes of the whole-model timings ``profile`` recorded (no timing)."""
    from offloadsim.calibration.report import training_timings
    from offloadsim.calibration.specs import resolve_models

    measured = training_timings(profile)
    return fit_layout(
        layout_rows(profile, resolve_models(list(measured)), measured), profile.memory_bandwidth_Bps
    )


def training_converted_bytes(profile: CalibratedProfile) -> dict[str, int]:
    """Bytes each model ``profile``'s layout correction was fitted on converts, from its graph alone.

    What :func:`fit_layout` records as ``converted_bytes``, derived from the
    models named in ``fitted_on`` and the profile's fusion rules, without
    timing anything: how profiles calibrated before it was recorded (the
    shipped ones) were given it, so that
    :func:`~offloadsim.world.profiles.trust.layout_extrapolated` can question
    them too.
    """
    from offloadsim.calibration.specs import resolve_models

    specs = resolve_models(list(profile.correction.get("fitted_on", [])))
    return {spec.label: int(layout_transitions(spec.graph, profile.fusion).sum()) for spec in specs}
