"""Random quantities of a scenario: their spec (SI units) and batched samplers.

A :class:`Dist` is a frozen description (``deterministic``, ``exponential``,
``lognormal``, ``uniform``, ``empirical``).  :func:`Dist.sampler` binds it to
a numpy generator and returns a zero-argument callable that draws one value;
values are drawn in batches of a fixed growing schedule so a scalar draw costs
a list pop, and the sequence is identical run to run.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from offloadsim.field_values import FieldValues
from offloadsim.suggest import counted

__all__ = [
    "Dist",
    "DIST_KINDS",
    "LOGNORMAL_MAX_SIGMA",
    "RARE_DRAW",
    "lognormal_rare_share",
    "lognormal_sigma_problem",
]

DIST_KINDS = ("deterministic", "exponential", "lognormal", "uniform", "empirical")

#: One draw in this many: rarer than any run draws (a billion draws of one distribution).
RARE_DRAW = 1e9
#: The most ``sigma`` a lognormal may have: past it, more than a tenth of its mean is carried by
#: draws rarer than one in :data:`RARE_DRAW` (:func:`lognormal_rare_share`), so no run's draws
#: average to its mean, and nearly all are far below it (the median is ``mean * exp(-sigma^2 / 2)``).
#: About 4.72: ``NormalDist().inv_cdf(1 - 1 / RARE_DRAW) - NormalDist().inv_cdf(0.9)``, written out so
#: that start-up need not import :mod:`statistics` (issue 12 e; a test holds the two equal).
LOGNORMAL_MAX_SIGMA = 4.716255454057038


def lognormal_rare_share(sigma: float) -> float:
    """The share of a lognormal's mean its draws rarer than one in :data:`RARE_DRAW` carry.

    For ``X = exp(N(mu, sigma^2))``, ``E[X; X > x_q] / E[X] = Phi(sigma - z_q)``, with ``x_q`` the
    quantile ``q = 1 - 1 / RARE_DRAW`` and ``z_q`` the normal's.  Sigma 1: nothing; 4.72: a tenth;
    10: 99.997 %.

    >>> round(lognormal_rare_share(LOGNORMAL_MAX_SIGMA), 6), f"{lognormal_rare_share(1.0):.0e}"
    (0.1, '3e-07')
    """
    from statistics import NormalDist  # here: only a refused sigma's message asks

    return NormalDist().cdf(sigma - NormalDist().inv_cdf(1 - 1 / RARE_DRAW))


def lognormal_sigma_problem(sigma: float, given: str) -> str | None:
    """Why a lognormal's ``sigma`` (written ``given``) is refused: past :data:`LOGNORMAL_MAX_SIGMA`.

    Its draws are nearly all far below its mean (a failure's times crawled the clock along, a
    task's work came to nothing), the rare rest too rare for any run to draw: the run's numbers
    would be those of another distribution, without a word.  Every lognormal a scenario or the
    synthetic traces state is held to it.
    """
    if sigma <= LOGNORMAL_MAX_SIGMA:
        return None
    return (
        f"expected a sigma of at most {LOGNORMAL_MAX_SIGMA:.1f}, got {given}: "
        f"half its draws would be below {math.exp(-sigma * sigma / 2):.2g} of its mean, and "
        f"{lognormal_rare_share(sigma) * 100:.3g} % of the mean comes from draws rarer than one in a "
        "billion, which no run makes (sigma is the spread of the logarithm: a standard deviation s "
        "about a mean m is sigma = sqrt(ln(1 + s^2/m^2)))"
    )


# Draws come in batches growing from 16 to 1024: cheap per value for long
# runs, little wasted work for the thousands of short-lived streams of a big
# scenario.  The schedule is fixed, so the sequence is too.
_FIRST_BATCH = 16
_MAX_BATCH = 1024


# eq=False, repr=False: FieldValues's __eq__, __hash__ and __repr__ (issue 12 e: see offloadsim.field_values).
@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Dist(FieldValues):
    """A distribution over non-negative SI values.

    ``params`` by kind: deterministic ``(value,)``; exponential ``(mean,)``;
    lognormal ``(mean, sigma)`` where ``sigma`` is the standard deviation of
    the underlying normal and ``mean`` the mean of the lognormal itself;
    uniform ``(low, high)``; empirical: the sample values themselves, drawn
    with equal probability.
    """

    kind: str
    params: tuple[float, ...]

    @classmethod
    def fixed(cls, value: float) -> Dist:
        """A deterministic value."""
        return cls("deterministic", (float(value),))

    @property
    def mean(self) -> float:
        """The distribution's mean (used by policies and theory checks)."""
        if self.kind in ("deterministic", "exponential", "lognormal"):
            return self.params[0]
        if self.kind == "uniform":
            return 0.5 * (self.params[0] + self.params[1])
        return float(np.mean(self.params))

    @property
    def second_moment(self) -> float:
        """E[X^2], for Pollaczek-Khinchine style checks."""
        if self.kind == "deterministic":
            return self.params[0] ** 2
        if self.kind == "exponential":
            return 2.0 * self.params[0] ** 2
        if self.kind == "lognormal":
            mean, sigma = self.params
            return mean**2 * math.exp(sigma**2)
        if self.kind == "uniform":
            low, high = self.params
            return (low * low + low * high + high * high) / 3.0
        return float(np.mean(np.square(self.params)))

    @property
    def minimum(self) -> float:
        """The least value it can draw (0 where it reaches down to 0)."""
        if self.kind in ("deterministic", "uniform"):
            return self.params[0]
        if self.kind == "empirical":
            return min(self.params)
        return 0.0

    @property
    def maximum(self) -> float:
        """An upper bound used for sanity limits (inf where unbounded)."""
        if self.kind == "deterministic":
            return self.params[0]
        if self.kind == "uniform":
            return self.params[1]
        if self.kind == "empirical":
            return max(self.params)
        return math.inf

    def _batch(self, rng: np.random.Generator, size: int) -> list[float]:
        kind, p = self.kind, self.params
        if kind == "exponential":
            values = rng.exponential(p[0], size)
        elif kind == "lognormal":
            mean, sigma = p
            mu = math.log(mean) - 0.5 * sigma * sigma if mean > 0 else -math.inf
            values = rng.lognormal(mu, sigma, size) if mean > 0 else np.zeros(size)
        elif kind == "uniform":
            values = rng.uniform(p[0], p[1], size)
        elif kind == "empirical":
            values = np.asarray(p)[rng.integers(0, len(p), size)]
        else:  # pragma: no cover - deterministic never batches
            raise ValueError(kind)
        values = values.tolist()
        values.reverse()  # pop() from the end returns them in draw order
        return values

    def sampler(self, rng: np.random.Generator) -> Callable[[], float]:
        """Return a callable drawing one value per call from ``rng``."""
        if self.kind == "deterministic":
            value = self.params[0]
            return lambda: value
        return _Batches(self, rng).draw

    def describe(self) -> str:
        """A short human-readable form, e.g. ``exponential(mean=0.1)``."""
        if self.kind == "deterministic":
            return f"{self.params[0]:g}"
        if self.kind == "empirical":
            return f"empirical({counted(len(self.params), 'value')})"
        names = {"exponential": ("mean",), "lognormal": ("mean", "sigma"), "uniform": ("low", "high")}
        args = ", ".join(f"{n}={v:g}" for n, v in zip(names[self.kind], self.params, strict=True))
        return f"{self.kind}({args})"


class _Batches:
    """The draws of one :class:`Dist` from one generator, made in batches and handed out one by one.

    An object, not a closure: a draw then touches this object and its
    buffer, where a closure's call touches its function, its cells' tuple
    and every cell.  A big scenario has thousands of samplers, each drawn
    from once in a thousand tasks, so each distinct object is a cache miss.
    """

    __slots__ = ("buffer", "dist", "rng", "size")

    def __init__(self, dist: Dist, rng: np.random.Generator):
        self.buffer: list[float] = []
        self.dist = dist
        self.rng = rng
        self.size = _FIRST_BATCH

    def draw(self) -> float:
        """The next value."""
        buffer = self.buffer
        if not buffer:
            buffer.extend(self.dist._batch(self.rng, self.size))
            self.size = min(2 * self.size, _MAX_BATCH)
        return buffer.pop()
