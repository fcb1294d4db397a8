"""The per-group cost model fitted to unit timings: ``t = a + b·flops + c·bytes + d·cold_weight_bytes``.

Coefficients are non-negative (a time never shrinks with more work) and are
fitted by exact non-negative least squares on *relative* errors, so a 20 µs
activation counts as much as a 20 ms convolution. ``cold_weight_bytes`` are
the weights of a unit run with cold caches (timed so with the caches flushed,
see :func:`offloadsim.calibration.timing.make_timer`; predicted so for models
too large for the cache): their weights come from memory, not from the cache.

Groups go from specific to general: the unit's group (``conv/pointwise+act``),
the head layer's group (``conv/pointwise``), its op (``conv``; for linear
layers the vector/matrix group, as the two are bound differently), then
every unit pooled (``*``). A prediction uses the most specific group fitted to at
least ``min_points`` timings; one that reaches the pooled model is flagged
*extrapolated*.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from offloadsim.calibration.timing import Timing
from offloadsim.calibration.units import Unit

__all__ = [
    "FEATURES",
    "POOLED",
    "CostModel",
    "GroupFit",
    "features",
    "fit_cost_model",
    "fit_group",
    "nnls",
]

#: Names of the model's features, in coefficient order.
FEATURES = ("intercept_s", "s_per_flop", "s_per_byte", "s_per_cold_weight_byte")
#: The group every unit belongs to: the fallback model.
POOLED = "*"


def features(unit: Unit, cold: bool = False) -> np.ndarray:
    """``[1, flops, bytes moved, weight bytes if run cold else 0]`` of ``unit``.

    >>> from offloadsim.calibration.units import LayerConfig
    >>> fc = LayerConfig("linear", ((1, 1024),), (1, 1024), (), 2 * 1024 * 1024, 4 * 1024 * 1024)
    >>> features(Unit((fc,)), cold=True).tolist()
    [1.0, 2097152.0, 4202496.0, 4194304.0]
    """
    weights = float(sum(c.param_bytes for c in unit.configs)) if cold else 0.0
    return np.array([1.0, float(unit.flops), float(unit.bytes_moved), weights])


def group_chain(unit: Unit) -> tuple[str, ...]:
    """The groups ``unit`` belongs to, most specific first, ending with :data:`POOLED`.

    >>> from offloadsim.calibration.units import LayerConfig
    >>> relu = LayerConfig("act", ((1, 8),), (1, 8), (("kind", "relu"),), 8, 0)
    >>> group_chain(Unit((relu,)))
    ('act/relu', 'act', '*')
    """
    chain = [unit.group, unit.head.group, unit.head.family, POOLED]
    return tuple(dict.fromkeys(chain))


def nnls(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Exact non-negative least squares ``min ||a x - b||, x >= 0`` for a few columns.

    Tries every subset of active columns (2**k least-squares solves, k <= 6) and
    keeps the best feasible one, so no solver dependency is needed.

    >>> a = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    >>> np.round(nnls(a, np.array([1.0, -1.0, 0.0])), 6).tolist()
    [0.5, 0.0]
    """
    k = a.shape[1]
    if k > 6:
        raise ValueError("nnls here enumerates subsets; use at most 6 columns")
    best, best_cost = np.zeros(k), float(np.sum(b**2))
    for size in range(1, k + 1):
        for cols in itertools.combinations(range(k), size):
            sub = a[:, cols]
            x, *_ = np.linalg.lstsq(sub, b, rcond=None)
            if np.any(x < 0):
                continue
            cost = float(np.sum((sub @ x - b) ** 2))
            if cost < best_cost - 1e-15 * max(best_cost, 1.0):
                best, best_cost = np.zeros(k), cost
                best[list(cols)] = x
    return best


@dataclass(frozen=True, slots=True)
class GroupFit:
    """One group's fitted coefficients and how well they fit its own timings."""

    coef: tuple[float, ...]
    n: int
    mdape: float
    r2: float

    def predict(self, x: np.ndarray) -> float:
        """Predicted seconds for feature row ``x``."""
        return float(np.dot(self.coef, x))

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


def fit_group(x: np.ndarray, t: np.ndarray, *, power: float = 1.0, rescale: bool = True) -> GroupFit:
    """Fit one group: NNLS on residuals relative to ``t**power``; MdAPE and R² on the timings themselves.

    Least squares on relative errors predicts low on average; ``rescale``
    then scales the coefficients so the group's predicted total equals its
    measured total (by a factor within 2/3..3/2), since the simulator adds
    layers up.

    >>> rng = np.random.default_rng(1)
    >>> flops = rng.uniform(1e6, 1e9, 50)
    >>> x = np.column_stack([np.ones(50), flops, np.zeros(50), np.zeros(50)])
    >>> fit = fit_group(x, 1e-5 + flops / 1e11)
    >>> round(fit.coef[1] * 1e11, 6), fit.mdape < 1e-9
    (1.0, True)
    """
    t = np.asarray(t, dtype=float)
    scale = t**-power
    # Columns are scaled to unit size so the least-squares problems are well conditioned.
    norms = np.abs(x).max(axis=0)
    norms[norms == 0] = 1.0
    coef = nnls(x / norms * scale[:, None], t * scale) / norms
    pred = x @ coef
    if rescale and pred.sum() > 0:  # bounded, so a few outlying timings cannot swamp the group
        coef = coef * float(np.clip(t.sum() / pred.sum(), 2 / 3, 3 / 2))
        pred = x @ coef
    ape = np.abs(pred - t) / t
    ss_tot = float(np.sum((t - t.mean()) ** 2))
    r2 = 1.0 - float(np.sum((pred - t) ** 2)) / ss_tot if ss_tot > 0 else 1.0
    return GroupFit(tuple(float(c) for c in coef), len(t), float(np.median(ape)), r2)


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
            if fit is not None and fit.n >= self.min_points:
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


def fit_cost_model(timings: Iterable[Timing], *, min_points: int = 3) -> CostModel:
    """Fit every group that has at least ``min_points`` timings (the pooled group always, if any).

    A unit timed warm and cold gives two rows, the cold one with its weight bytes as a feature.
    """
    rows: dict[str, list[tuple[np.ndarray, float]]] = defaultdict(list)
    for timing in timings:
        for cold, seconds in ((False, timing.seconds), (True, timing.cold_seconds)):
            if seconds is None or not (seconds > 0 and np.isfinite(seconds)):
                continue
            x = features(timing.unit, cold)
            for group in group_chain(timing.unit):
                rows[group].append((x, seconds))
    groups: dict[str, GroupFit] = {}
    for group, data in rows.items():
        if len(data) >= min_points or group == POOLED:
            groups[group] = fit_group(np.array([r[0] for r in data]), np.array([r[1] for r in data]))
    return CostModel(groups, min_points)


def fit_errors(model: CostModel, timings: Sequence[Timing]) -> dict[str, float]:
    """Median and 90th-percentile absolute percentage error of ``model`` on ``timings``."""
    ape = [abs(model.predict(t.unit)[0] - t.seconds) / t.seconds for t in timings if t.seconds > 0]
    if not ape:
        return {"mdape": float("nan"), "p90_ape": float("nan")}
    return {"mdape": float(np.median(ape)), "p90_ape": float(np.percentile(ape, 90))}
