"""Statistics of simulation output: percentiles and confidence intervals (Student t, batch means, paired).

Student t quantiles are computed here (from the regularised incomplete beta
function) so scipy is not a dependency.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "percentile",
    "mean_ci",
    "batch_means_ci",
    "paired_difference_ci",
    "binomial_cdf",
    "quantile_ci_ranks",
    "quantile_ci_least_n",
    "student_t_ppf",
    "student_t_two_sided_p",
]

_NAN = float("nan")


def percentile(values: Sequence[float] | np.ndarray | pd.Series, q: float | Sequence[float]) -> Any:
    """Percentile(s) ``q`` (0-100) of ``values``, ignoring NaN; NaN when there are none.

    Linear interpolation between order statistics (numpy's default).

    >>> percentile([1.0, 2.0, 3.0, float("nan")], 50)
    2.0
    """
    arr = np.asarray(values, dtype=float)
    arr = arr[~np.isnan(arr)]
    if arr.size == 0:
        return _NAN if np.ndim(q) == 0 else np.full(np.shape(q), _NAN)
    result = np.percentile(arr, q)
    return float(result) if np.ndim(result) == 0 else result


def mean_ci(
    values: Sequence[float] | np.ndarray | pd.Series, confidence: float = 0.95
) -> tuple[float, float]:
    """Sample mean and the half-width of its Student t confidence interval.

    NaN values are ignored.  With fewer than two values the half-width is NaN
    (the mean too, with none).  Values that all agree exactly have that value as their mean and
    a half-width of exactly 0: their mean and spread computed in floats were rounding noise
    (seven replications of 0.1 s had a mean of 0.10000000000000002 s, ``ci`` 1.4e-17 s).

    >>> m, h = mean_ci([1.0, 2.0, 3.0])
    >>> round(m, 3), round(h, 3)
    (2.0, 2.484)
    >>> mean_ci([0.1] * 7)
    (0.1, 0.0)
    """
    if not 0.0 < confidence < 1.0:
        raise ValueError(f"confidence must be in (0, 1), got {confidence}")
    arr = np.asarray(values, dtype=float)
    arr = arr[~np.isnan(arr)]
    n = arr.size
    if n == 0:
        return _NAN, _NAN
    if n >= 2 and math.isfinite(arr[0]) and (arr == arr[0]).all():  # identical: no spread, no rounding
        return float(arr[0]), 0.0
    mean = float(arr.mean())
    if n < 2:
        return mean, _NAN
    sd = float(arr.std(ddof=1))
    return mean, student_t_ppf(0.5 + confidence / 2.0, n - 1) * sd / math.sqrt(n)


def batch_means_ci(
    series: Sequence[float] | np.ndarray | pd.Series, n_batches: int = 20, confidence: float = 0.95
) -> tuple[float, float]:
    """Mean and CI half-width of a correlated series by the method of batch means.

    The series (in time order, e.g. latencies by arrival) is cut into
    ``n_batches`` contiguous batches of equal size; the first ``len % n_batches``
    values (the oldest, nearest warm-up) are dropped so all batches are equal.
    The batch means are then treated as independent.  NaN values are ignored.
    """
    if n_batches < 2:
        raise ValueError(f"n_batches must be at least 2, got {n_batches}")
    arr = np.asarray(series, dtype=float)
    arr = arr[~np.isnan(arr)]
    if arr.size < n_batches:
        raise ValueError(f"batch means needs at least n_batches={n_batches} values, got {arr.size}")
    size = arr.size // n_batches
    arr = arr[arr.size - size * n_batches :]
    return mean_ci(arr.reshape(n_batches, size).mean(axis=1), confidence)


def paired_difference_ci(
    a: Sequence[float] | np.ndarray | pd.Series,
    b: Sequence[float] | np.ndarray | pd.Series,
    confidence: float = 0.95,
) -> tuple[float, float]:
    """Mean of ``a - b`` and its CI half-width, for paired observations.

    Pair replications that share random numbers (same seed, two policies):
    the pairing removes the common noise.  Pairs with a NaN are dropped.
    """
    x = np.asarray(a, dtype=float)
    y = np.asarray(b, dtype=float)
    if x.shape != y.shape:
        raise ValueError(f"paired samples must have the same length, got {x.size} and {y.size}")
    return mean_ci(x - y, confidence)


def binomial_cdf(k: int, n: int, p: float) -> float:
    """``P(B <= k)`` for ``B ~ Binomial(n, p)``: ``I_{1-p}(n - k, k + 1)``, the incomplete beta's tail.

    >>> round(binomial_cdf(1, 2, 0.5), 6), binomial_cdf(2, 2, 0.5), binomial_cdf(-1, 2, 0.5)
    (0.75, 1.0, 0.0)
    """
    if k < 0:
        return 0.0
    if k >= n:
        return 1.0
    return _betainc(float(n - k), float(k + 1), 1.0 - p, p)[0]


def quantile_ci_ranks(n: int, q: float, confidence: float = 0.95) -> tuple[int, int] | None:
    """The ranks (from 0) of the order statistics bounding a distribution-free CI of the ``q`` quantile.

    Of ``n`` independent draws, the number below the ``q`` quantile is Binomial(n, q), so the
    ``r``-th and ``s``-th smallest (from 1) bound it with probability ``P(r <= B <= s - 1)``: ``r``
    the largest with ``P(B <= r - 1) <= α/2`` and ``s`` the smallest with ``P(B <= s - 1) >=
    1 - α/2``, for at least ``confidence`` (the classic order-statistic interval; no shape of the
    distribution assumed).  None where the sample is too small for an upper bound inside it:
    ``P(B <= n - 1) = 1 - q^n`` must reach ``1 - α/2``, ``n >= ln(α/2) / ln(q)``
    (:func:`quantile_ci_least_n`).

    >>> quantile_ci_ranks(100, 0.5)
    (39, 60)
    >>> quantile_ci_ranks(1000, 0.999) is None
    True
    """
    half = (1.0 - confidence) / 2.0
    if n < 1 or binomial_cdf(n - 1, n, q) < 1.0 - half:
        return None
    # the cdf at k is increasing in k: bisect for each bound
    low, high = 0, n  # the largest k with cdf(k - 1) <= half: k in [0, n]
    while low < high:
        mid = (low + high + 1) // 2
        if binomial_cdf(mid - 1, n, q) <= half:
            low = mid
        else:
            high = mid - 1
    r = max(low, 1)
    low, high = 1, n  # the smallest k with cdf(k - 1) >= 1 - half
    while low < high:
        mid = (low + high) // 2
        if binomial_cdf(mid - 1, n, q) >= 1.0 - half:
            high = mid
        else:
            low = mid + 1
    return r - 1, low - 1


def quantile_ci_least_n(q: float, confidence: float = 0.95) -> int:
    """The fewest draws with a distribution-free ``confidence`` CI of the ``q`` quantile inside the sample.

    ``ceil(ln(α/2) / ln(q))``: below it even the largest draw is below the ``q`` quantile with
    probability over ``α/2``, so no order statistic bounds the quantile from above.

    >>> quantile_ci_least_n(0.999), quantile_ci_least_n(0.99)
    (3688, 368)
    """
    return math.ceil(math.log((1.0 - confidence) / 2.0) / math.log(q))


def student_t_ppf(p: float, df: float) -> float:
    """Quantile of Student's t distribution with ``df`` (> 0, may be fractional) degrees of freedom.

    Found by bisection on the regularised incomplete beta function, to about
    1e-12 relative accuracy.

    >>> round(student_t_ppf(0.975, 10), 4)
    2.2281
    """
    if not 0.0 < p < 1.0:
        raise ValueError(f"p must be in (0, 1), got {p}")
    if not df > 0:
        raise ValueError(f"df must be positive, got {df}")
    return _t_ppf(float(p), float(df))


def student_t_two_sided_p(t: float, df: float) -> float:
    """``P(|T| >= |t|)`` for Student's t with ``df`` (> 0) degrees of freedom: a t test's two-sided p-value.

    ``I_x(df/2, 1/2)`` with ``x = df / (df + t^2)``, the tail :func:`student_t_ppf` inverts: a
    compare Δ is starred where its p is under 0.05, as its CI then excludes 0.

    >>> round(student_t_two_sided_p(2.2281388519649385, 10), 6), student_t_two_sided_p(0.0, 4)
    (0.05, 1.0)
    """
    if not df > 0:
        raise ValueError(f"df must be positive, got {df}")
    if math.isnan(t):
        return math.nan
    if math.isinf(t):
        return 0.0
    square = t * t
    return _betainc(df / 2.0, 0.5, df / (df + square), square / (df + square))[0]


@functools.lru_cache(maxsize=1024)
def _t_ppf(p: float, df: float) -> float:
    if p == 0.5:
        return 0.0
    if p < 0.5:
        return -_t_ppf(1.0 - p, df)
    if df > 1e5:
        # Imported here: the run's summary imports this module, and the stdlib's statistics module
        # (with fractions and decimal) is needed only for this rare case.
        from statistics import NormalDist

        # Fisher's expansion around the normal quantile; the next term is O(df^-3).
        z = NormalDist().inv_cdf(p)
        g1 = (z**3 + z) / 4.0
        g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96.0
        return z + g1 / df + g2 / df**2
    # Two-sided tail P(|T| > t) = I_x(df/2, 1/2) with x = df / (df + t^2), decreasing in t.
    # Compare whichever of the tail and the central mass is small, so neither loses digits.
    tail = 2.0 * (1.0 - p)
    use_tail = tail <= 0.5
    target = tail if use_tail else 2.0 * p - 1.0

    def beyond(t: float) -> bool:
        """Tell whether the quantile lies below t."""
        x, y = df / (df + t * t), t * t / (df + t * t)
        upper, central = _betainc(df / 2.0, 0.5, x, y)
        return upper < target if use_tail else central > target

    hi = 1.0
    while not beyond(hi):
        hi *= 2.0
    lo = 0.0
    for _ in range(2000):
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        if beyond(mid):
            hi = mid
        else:
            lo = mid
    return 0.5 * (lo + hi)


def _betainc(a: float, b: float, x: float, xc: float) -> tuple[float, float]:
    """Regularised incomplete beta ``I_x(a, b)`` and its complement; ``xc`` is ``1 - x``, given exactly.

    The quantity that the continued fraction gives directly is the accurate
    one when small; the other is found by subtraction.
    """
    if x <= 0.0:
        return 0.0, 1.0
    if xc <= 0.0:
        return 1.0, 0.0
    log_front = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log(xc)
    # The continued fraction converges fast for x < (a + 1) / (a + b + 2); use symmetry otherwise.
    if x < (a + 1.0) / (a + b + 2.0):
        value = math.exp(log_front) * _beta_cf(a, b, x) / a
        return value, 1.0 - value
    value = math.exp(log_front) * _beta_cf(b, a, xc) / b
    return 1.0 - value, value


def _beta_cf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function, evaluated by the modified Lentz method."""
    tiny = 1e-300

    def clamp(v: float) -> float:
        return v if abs(v) > tiny else tiny

    c, d = 1.0, 1.0 / clamp(1.0 - (a + b) * x / (a + 1.0))
    result = d
    for m in range(1, 10_000):
        # Even step: coefficient m(b - m)x / ((a + 2m - 1)(a + 2m)).
        num = m * (b - m) * x / ((a + 2 * m - 1.0) * (a + 2 * m))
        d = 1.0 / clamp(1.0 + num * d)
        c = clamp(1.0 + num / c)
        result *= d * c
        # Odd step: coefficient -(a + m)(a + b + m)x / ((a + 2m)(a + 2m + 1)).
        num = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1.0))
        d = 1.0 / clamp(1.0 + num * d)
        c = clamp(1.0 + num / c)
        step = d * c
        result *= step
        if abs(step - 1.0) < 1e-16:
            break
    return result
