"""Periodic arrivals with a random phase per source and uniform jitter."""

from __future__ import annotations

from dataclasses import dataclass

from offloadsim.field_values import FieldValues
from offloadsim.scenario.arrivals.base import ArrivalProcess, ArrivalRun
from offloadsim.scenario.keys import key

__all__ = ["Periodic"]


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Periodic(ArrivalProcess, FieldValues):
    """``arrivals: periodic, period: T[, jitter: J]``: every T, each arrival shifted by U(0, J)."""

    kind = "periodic"

    period_s: float = key(
        yaml="period", unit="time", positive=True, doc="Periodic: time between requests per source."
    )
    jitter_s: float = key(
        0.0,
        yaml="jitter",
        unit="time",
        default_doc="0 s",
        doc="Periodic: each arrival shifted later by U(0, jitter) from its place on the grid (no drift).",
    )

    def start(self, run: ArrivalRun) -> None:
        """Schedule this process's arrivals at one source."""
        rng, clock = run.rng, run.clock
        period, jitter = self.period_s, self.jitter_s
        # A random phase per source keeps many periodic sources from firing in lockstep.
        phase = float(rng.uniform(0.0, period))
        nominal = [run.start + phase]
        offset = [float(rng.uniform(0.0, jitter)) if jitter > 0 else 0.0]

        def periodic_gap() -> float:
            nominal[0] += period
            new_offset = float(rng.uniform(0.0, jitter)) if jitter > 0 else 0.0
            gap = max(0.0, nominal[0] + new_offset - clock.now)
            offset[0] = new_offset
            return gap

        run.chain(periodic_gap, nominal[0] + offset[0])

    def mean_rate_per_s(self) -> float | None:
        """One request a period per source (the jitter shifts each, not how many)."""
        return 1.0 / self.period_s

    def expected_arrivals(self, sources: int, window_s: float) -> float:
        """About how many arrivals ``sources`` sources make in ``window_s``."""
        return sources * window_s / self.period_s

    def lone_between(self, start_s: float, stop_s: float, t0: float, t1: float) -> tuple[str, str] | None:
        """A period, less the jitter, no shorter than the window: two arrivals never both fall in it."""
        window = min(stop_s, t1) - max(start_s, t0)
        apart = self.period_s - self.jitter_s  # consecutive arrivals are at least this far apart
        if window <= 0.0 or apart < window:
            return None
        spread = f" less its jitter of {self.jitter_s:g} s" if self.jitter_s > 0 else ""
        return (
            "period",
            f"{self.period_s:g} s{spread} is no shorter than the {window:g} s measured, so its one "
            "source sends at most one measured task, or none, as its random phase falls "
            "(a plain number is in seconds)",
        )

    def clock_problems(self, tick_s: float) -> list[tuple[str, str]]:
        """``(key, message)`` for settings the clock could not resolve."""
        if self.period_s >= tick_s:
            return []
        return [
            (
                "period",
                f"{self.period_s:g} s is shorter than the clock's resolution at the end of the run "
                f"({tick_s:g} s): arrivals would repeat forever at one instant",
            )
        ]

    def stall_allowance(self, source: str) -> int:
        """Arrivals in a row at one instant that are legitimate at ``source``."""
        # Jitter wider than the period legitimately lines a few arrivals up at one instant.
        return int(min(self.jitter_s / self.period_s, 1e9))
