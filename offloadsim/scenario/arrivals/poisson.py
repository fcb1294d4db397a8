"""Poisson arrivals: exponential gaps at a constant rate per source."""

from __future__ import annotations

from dataclasses import dataclass

from offloadsim.field_values import FieldValues
from offloadsim.scenario.arrivals.base import ArrivalProcess, ArrivalRun
from offloadsim.scenario.distributions import Dist
from offloadsim.scenario.keys import key

__all__ = ["Poisson"]


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Poisson(ArrivalProcess, FieldValues):
    """``arrivals: poisson, rate: R``: a Poisson process of rate R per source."""

    kind = "poisson"

    rate_per_s: float = key(
        yaml="rate", unit="rate", positive=True, doc="Poisson: requests per second per source."
    )

    def start(self, run: ArrivalRun) -> None:
        """Schedule this process's arrivals at one source."""
        gap = Dist("exponential", (1.0 / self.rate_per_s,)).sampler(run.rng)
        run.chain(gap, run.start + gap())

    def mean_rate_per_s(self) -> float | None:
        """Its rate: requests a second per source."""
        return self.rate_per_s

    def expected_arrivals(self, sources: int, window_s: float) -> float:
        """About how many arrivals ``sources`` sources make in ``window_s``."""
        return sources * self.rate_per_s * window_s

    def clock_problems(self, tick_s: float) -> list[tuple[str, str]]:
        """``(key, message)`` for settings the clock could not resolve."""
        if 1.0 / self.rate_per_s >= tick_s:
            return []
        return [
            (
                "rate",
                f"{self.rate_per_s:g} /s puts arrivals closer together than the clock's resolution at "
                f"the end of the run ({tick_s:g} s): they would repeat forever at one instant",
            )
        ]
