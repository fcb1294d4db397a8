"""Synthetic LTE, 5G and Wi-Fi uplink traces, generated in code from stated statistics (nothing downloaded).

Each trace is one sample per second of a stationary process whose log is
Gaussian and first-order autoregressive (AR(1)): the rate has a lognormal
marginal with the stated median and coefficient of variation, and
successive seconds are correlated (lag-1 correlation ``rho`` of the log),
so a bad second tends to be followed by another, as measured cellular
throughput is (Xu et al. 2013 report large swings in instantaneous
throughput over short periods; Sommers and Barford 2012 report Wi-Fi more
consistent than cellular).  Where the numbers come from:

* **LTE** median uplink 6 Mb/s: Huang et al., "A Close Examination of
  Performance and Power Characteristics of 4G LTE Networks", MobiSys 2012
  (4GTest, 3,000+ users: "a median value of 13Mbps and 6Mbps" downlink and
  uplink).
* **5G** median uplink 21.08 Mb/s: Ookla, "Growing and Slowing: The State
  of 5G Worldwide in 2021" (20 Dec 2021; Speedtest Intelligence, Q3 2021
  global median 5G upload speed).
* **Wi-Fi** median uplink 12 Mb/s: *assumed*, not measured; Sommers and
  Barford, "Cell vs. WiFi: On the Performance of Metro Area Mobile
  Connections", IMC 2012, find Wi-Fi upload throughput higher and more
  consistent than cellular, hence a lower variability here.

The coefficients of variation (LTE 0.6, 5G 0.8, Wi-Fi 0.35) and lag-1
correlations (0.8, 0.7, 0.9) are *modelling choices* in the ranges those
studies describe qualitatively, not fitted values: use these traces to
exercise a policy under a varying uplink, not as measurements.  ``python -m
offloadsim.world.synthetic_traces DIR`` writes the shipped files again
(``scenarios/traces/``); a test checks they come out byte for byte.
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from offloadsim.scenario.distributions import lognormal_sigma_problem

__all__ = ["TRACES", "TraceStats", "synthesize", "trace_csv", "write_traces"]


@dataclass(frozen=True, slots=True)
class TraceStats:
    """A synthetic uplink: the marginal's median (bit/s) and CV, the log's lag-1 correlation, a seed."""

    name: str
    median_bps: float
    cv: float
    rho: float
    seed: int
    source: str

    def __post_init__(self) -> None:
        """Refuse a ``cv`` whose log-rate's sigma is past what any lognormal may have (as a scenario's)."""
        problem = lognormal_sigma_problem(self.sigma, f"{self.sigma:.3g} (cv {self.cv:g})")
        if problem is not None:
            raise ValueError(f"{self.name}: {problem}")

    @property
    def sigma(self) -> float:
        """The log-rate's standard deviation: a lognormal's CV is sqrt(exp(sigma^2) - 1)."""
        return math.sqrt(math.log1p(self.cv**2))

    @property
    def mean_bps(self) -> float:
        """The marginal's mean: median x exp(sigma^2 / 2)."""
        return self.median_bps * math.exp(self.sigma**2 / 2.0)


#: The shipped traces: 600 one-second samples each.
TRACES = (
    TraceStats("lte-uplink", 6e6, 0.6, 0.8, 4, "Huang et al., MobiSys 2012 (median)"),
    TraceStats("5g-uplink", 21.08e6, 0.8, 0.7, 5, "Ookla, State of 5G Worldwide 2021 (median)"),
    TraceStats("wifi-uplink", 12e6, 0.35, 0.9, 6, "assumed (Sommers and Barford, IMC 2012: steadier)"),
)


def synthesize(stats: TraceStats, seconds: int) -> np.ndarray:
    """``seconds`` one-second rates (bit/s), from the stationary AR(1) log-normal process ``stats`` states.

    >>> rates = synthesize(TRACES[0], 600)
    >>> len(rates), bool((rates > 0).all())
    (600, True)
    """
    rng = np.random.default_rng(stats.seed)
    noise = rng.standard_normal(seconds)
    log = np.empty(seconds)
    log[0] = noise[0]  # started in the stationary law: no transient
    innovation = math.sqrt(1.0 - stats.rho**2)
    for i in range(1, seconds):
        log[i] = stats.rho * log[i - 1] + innovation * noise[i]
    # math.exp, not np.exp: numpy's AVX-512 exp rounds differently in the last bit, and the shipped
    # files must come out the same on every CPU.
    rates: np.ndarray = stats.median_bps * np.array([math.exp(stats.sigma * v) for v in log.tolist()])
    return rates


def trace_csv(stats: TraceStats, seconds: int = 600) -> str:
    """The trace as the CSV a ``link-trace`` reads: ``time,bandwidth`` in s and bit/s (whole kbit/s)."""
    lines = [
        f"# {stats.name}: synthetic, median {stats.median_bps / 1e6:g} Mb/s ({stats.source}),",
        f"# CV {stats.cv:g}, lag-1 correlation of the log {stats.rho:g}, seed {stats.seed};",
        "# made by offloadsim/world/synthetic_traces.py (python -m offloadsim.world.synthetic_traces DIR)",
        "time,bandwidth",
    ]
    lines += [
        f"{second},{round(rate / 1e3) * 1000}" for second, rate in enumerate(synthesize(stats, seconds))
    ]
    return "\n".join(lines) + "\n"


def write_traces(folder: Path) -> list[Path]:
    """Write every shipped trace as ``folder/NAME.csv``; returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for stats in TRACES:
        path = folder / f"{stats.name}.csv"
        path.write_text(trace_csv(stats), encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    """``python -m offloadsim.world.synthetic_traces DIR``: write the shipped traces into DIR."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("folder", type=Path, help="where to write NAME.csv (the shipped: scenarios/traces)")
    for path in write_traces(parser.parse_args(argv).folder):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
