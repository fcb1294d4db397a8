"""The per-group cost model of a calibrated profile: ``t = a + b·flops + c·bytes + d·cold_weight_bytes``.

Coefficients are non-negative (a time never shrinks with more work) and are
fitted by exact non-negative least squares on *relative* errors, so a 20 µs
activation counts as much as a 20 ms convolution. ``cold_weight_bytes`` are
the weights of a unit run with cold caches (timed so with the caches flushed,
see ``offloadsim.calibration.timing.make_bench``; predicted so for models
too large for the cache): their weights come from memory, not from the cache.

Groups go from specific to general: the unit's group (``conv/pointwise+act``),
the head layer's group (``conv/pointwise``), its op (``conv``; for linear
layers the vector/matrix group, as the two are bound differently), then
every unit pooled (``*``). A prediction uses the most specific group fitted to at
least ``min_points`` timings; one that reaches the pooled model is flagged
*extrapolated*.

It is part of the profile file the world reads; the offline calibration tool
fits it (``offloadsim.calibration.fit``) and the world only evaluates it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from offloadsim.world.profiles.fusion import Unit

__all__ = ["FEATURES", "POOLED", "CostModel", "GroupFit", "features", "group_chain"]

#: Names of the model's features, in coefficient order.
FEATURES = ("intercept_s", "s_per_flop", "s_per_byte", "s_per_cold_weight_byte")
#: The group every unit belongs to: the fallback model.
POOLED = "*"


def features(unit: Unit, cold: bool = False) -> np.ndarray:
    """``[1, flops, bytes moved, weight bytes if run cold else 0]`` of ``unit``.

    >>> from offloadsim.world.profiles.fusion import LayerConfig
    >>> fc = LayerConfig("linear", ((1, 1024),), (1, 1024), (), 2 * 1024 * 1024, 4 * 1024 * 1024)
    >>> features(Unit((fc,)), cold=True).tolist()
    [1.0, 2097152.0, 4202496.0, 4194304.0]
    """
    weights = float(sum(c.param_bytes for c in unit.configs)) if cold else 0.0
    return np.array([1.0, float(unit.flops), float(unit.bytes_moved), weights])


def group_chain(unit: Unit) -> tuple[str, ...]:
    """The groups ``unit`` belongs to, most specific first, ending with :data:`POOLED`.

    >>> from offloadsim.world.profiles.fusion import LayerConfig
    >>> relu = LayerConfig("act", ((1, 8),), (1, 8), (("kind", "relu"),), 8, 0)
    >>> group_chain(Unit((relu,)))
    ('act/relu', 'act', '*')
    """
    chain = [unit.group, unit.head.group, unit.head.family, POOLED]
    return tuple(dict.fromkeys(chain))


@dataclass(frozen=True, slots=True)
class GroupFit:
    """One group's fitted coefficients and how well they fit its own timings."""

    coef: tuple[float, ...]
    n: int
    mdape: float
    r2: float

    def predict(self, x: np.ndarray) -> float:
        """Predicted seconds for feature row ``x``: ``coef · x`` summed in order, first to last.

        Not ``np.dot``: that calls the BLAS, whose kernel is chosen by the CPU (OpenBLAS's
        AVX-512 ``ddot`` adds in another order than its AVX2 one), and these seconds are
        the records' ``compute_time``.  A plain ordered sum is the same bits on every CPU,
        and the same as the AVX2 and generic kernels give for four features.
        """
        total = 0.0
        for coef, value in zip(self.coef, x.tolist(), strict=True):
            total += coef * value
        return total

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        return {
            "coef": dict(zip(FEATURES, self.coef, strict=True)),
            "n": self.n,
            "mdape": self.mdape,
            "r2": self.r2,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> GroupFit:
        """Inverse of :meth:`to_dict`."""
        return cls(
            tuple(float(data["coef"][f]) for f in FEATURES),
            int(data["n"]),
            float(data["mdape"]),
            float(data["r2"]),
        )


@dataclass(frozen=True)
class CostModel:
    """Fitted groups, used from the most specific with at least ``min_points`` timings."""

    groups: dict[str, GroupFit]
    min_points: int = 3
    _memo: dict[tuple[str, bool], tuple[float, str]] = field(default_factory=dict, repr=False, compare=False)

    def predict(self, unit: Unit, cold: bool = False) -> tuple[float, str]:
        """(predicted seconds, group used) for ``unit``; the group is :data:`POOLED` when extrapolated."""
        hit = self._memo.get((unit.key, cold))
        if hit is not None:
            return hit
        x = features(unit, cold)
        result = (float("nan"), POOLED)
        for group in group_chain(unit):
            fit = self.groups.get(group)
            # The pooled fit is the last resort whatever its count (calibrate fits it from any timings):
            # skipped under min_points, it priced such a unit NaN, and its tasks stayed in flight.
            if fit is not None and (fit.n >= self.min_points or group == POOLED):
                result = (max(fit.predict(x), 0.0), group)
                break
        self._memo[(unit.key, cold)] = result
        return result

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form."""
        return {
            "features": list(FEATURES),
            "min_points": self.min_points,
            "groups": {g: f.to_dict() for g, f in sorted(self.groups.items())},
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CostModel:
        """Inverse of :meth:`to_dict`."""
        return cls(
            {g: GroupFit.from_dict(f) for g, f in data["groups"].items()}, int(data.get("min_points", 3))
        )
