"""Fitting the per-group cost model to unit timings: exact non-negative least squares on relative errors.

The model itself (groups, features, prediction) is
:mod:`offloadsim.world.profiles.cost_model`, which the world evaluates
without importing this offline tool.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable, Sequence

import numpy as np

from offloadsim.world.profiles.calibrated import Timing
from offloadsim.world.profiles.cost_model import POOLED, CostModel, GroupFit, features, group_chain

__all__ = ["fit_cost_model", "fit_errors", "fit_group", "nnls"]


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
