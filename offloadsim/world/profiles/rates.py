"""What a calibrated profile measured, as FLOP rates: per kind of compute unit, and its fastest unit.

Why: a profile's one sustained rate (``effective_flops``) is every timed
convolution and linear unit together, their FLOPs over their time, so it mixes
dense convolutions with depthwise ones and with fully connected layers that are
memory-bound at a batch of one. A dense CNN such as ResNet-50 runs above it
(about 154 GFLOP/s on ``xeon-ort-1t``, which states 124.8; the Xeon timed the
whole model at 151). The rates here say what each kind ran at, and the fastest
unit bounds every model's rate: a model is a sum of units, so none can run
faster than the fastest kernel the machine was seen to run (docs/calibration.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from offloadsim.world.profiles.calibrated import Timing

__all__ = ["RATE_HEADS", "KindRate", "fastest_rate", "kind_rates", "sustained_rate"]

RATE_HEADS = ("conv", "linear", "matmul")
"""Head ops whose units the sustained rate counts: the compute-heavy kinds."""


@dataclass(frozen=True, slots=True)
class KindRate:
    """One kind's timed units: their count, FLOPs, seconds and the fastest unit's FLOP/s."""

    kind: str
    units: int
    flops: float
    seconds: float
    fastest: float

    @property
    def rate(self) -> float:
        """The kind's FLOPs over its time, in FLOP/s (what its units ran at together)."""
        return self.flops / self.seconds if self.seconds > 0 else float("nan")


def _rated(timings: Iterable[Timing]) -> list[Timing]:
    return [t for t in timings if t.unit.head.op in RATE_HEADS and t.seconds > 0]


def sustained_rate(timings: Iterable[Timing]) -> float:
    """FLOP/s of the convolution and linear units together: their total FLOPs / their total seconds.

    Every unit if none of those was timed; NaN if nothing was.
    """
    timings = list(timings)
    rated = _rated(timings) or [t for t in timings if t.seconds > 0]
    seconds = sum(t.seconds for t in rated)
    return sum(t.unit.flops for t in rated) / seconds if seconds > 0 else float("nan")


def kind_rates(timings: Iterable[Timing]) -> list[KindRate]:
    """The convolution and linear units' rates by kind (``conv/spatial``, ...), fastest first."""
    by_kind: dict[str, list[Timing]] = {}
    for timing in _rated(timings):
        by_kind.setdefault(timing.unit.head.group, []).append(timing)
    rates = [
        KindRate(
            kind,
            len(group),
            float(sum(t.unit.flops for t in group)),
            sum(t.seconds for t in group),
            max(t.unit.flops / t.seconds for t in group),
        )
        for kind, group in by_kind.items()
    ]
    return sorted(rates, key=lambda r: -r.rate)


def fastest_rate(timings: Iterable[Timing]) -> float:
    """FLOP/s of the fastest convolution or linear unit timed (NaN if none was)."""
    return max((r.fastest for r in kind_rates(timings)), default=float("nan"))
