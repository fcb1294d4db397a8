"""The trust record calibrate leaves in a profile it makes.

The checks themselves are the world's (:mod:`offloadsim.world.profiles.trust`): a scenario
states them about the profiles it uses without importing calibration.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from offloadsim.world.profiles.trust import (
    MAX_EXTRAPOLATED,
    MAX_FIT_ERROR,
    MAX_NOISE_CI,
    MIN_HELD_OUT,
    extrapolated,
    layout_extrapolated,
    profile_issues,
)

if TYPE_CHECKING:
    from offloadsim.calibration.specs import ModelSpec
    from offloadsim.world.profiles.calibrated import CalibratedProfile

__all__ = ["TRUST_MODELS", "assess", "layout_untrusted_for", "recorded_layout_untrusted_for"]

#: Models every new profile's coverage is checked on: the zoo's CNNs.
TRUST_MODELS = (
    "alexnet",
    "vgg16",
    "resnet18",
    "resnet50",
    "mobilenet_v2",
    "efficientnet_b0",
    "squeezenet1_1",
)


def assess(profile: CalibratedProfile, models: Iterable[ModelSpec]) -> dict[str, Any]:
    """The profile's trust record: issues, and the share of each model's time it extrapolates.

    ``untrusted_for`` lists the models over :data:`MAX_EXTRAPOLATED`;
    ``layout_untrusted_for`` those whose layout correction is extrapolated, and why;
    ``ok`` is false when the profile has issues of its own.
    """
    shares: dict[str, float] = {}
    groups: dict[str, tuple[str, ...]] = {}
    specs = []
    for spec in models:
        if spec.label in shares:
            continue
        specs.append(spec)
        share, kinds = extrapolated(profile, spec.graph)
        shares[spec.label] = round(share * 100, 1)
        groups[spec.label] = kinds
    issues = profile_issues(profile)
    return {
        "ok": not issues,
        "issues": issues,
        "extrapolated_pct": shares,
        "untrusted_for": {
            label: list(groups[label]) for label, pct in shares.items() if pct > MAX_EXTRAPOLATED * 100
        },
        "layout_untrusted_for": layout_untrusted_for(profile, specs),
        "thresholds": {
            "max_extrapolated_pct": MAX_EXTRAPOLATED * 100,
            "max_fit_error_pct": MAX_FIT_ERROR * 100,
            "max_noise_ci_pct": MAX_NOISE_CI * 100,
            "min_held_out_pct": MIN_HELD_OUT * 100,
        },
    }


def layout_untrusted_for(profile: CalibratedProfile, models: Iterable[ModelSpec]) -> dict[str, str]:
    """``{label: why}`` for the models whose layout correction ``profile`` cannot be trusted with.

    The record's ``layout_untrusted_for``
    (:func:`~offloadsim.world.profiles.trust.layout_extrapolated`); it depends
    on the profile and the models' graphs only, so it can be derived without
    timing anything.
    """
    reasons = {spec.label: layout_extrapolated(profile, spec.graph) for spec in models}
    return {label: reason for label, reason in reasons.items() if reason}


def recorded_layout_untrusted_for(profile: CalibratedProfile) -> dict[str, str]:
    """:func:`layout_untrusted_for` the models ``profile``'s trust record assessed (``extrapolated_pct``).

    How a profile whose record predates ``layout_untrusted_for`` (the shipped
    ``epyc-ort-1t``) was given it, as :func:`assess` would have derived it,
    without timing anything.
    """
    from offloadsim.calibration.specs import resolve_models

    labels = list((profile.trust or {}).get("extrapolated_pct", {}))
    return layout_untrusted_for(profile, resolve_models(labels))
