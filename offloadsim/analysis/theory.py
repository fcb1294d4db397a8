"""Closed-form queueing results the simulator is validated against.

Each function is the textbook formula, in SI units, used by the validation
tests and by ``analysis/`` scripts.  ``λ`` is the arrival rate (1/s), ``μ``
the service rate of one server (1/s), ``c`` the number of servers.
"""

from __future__ import annotations

import math

__all__ = [
    "mm1_wait",
    "mm1_sojourn",
    "mm1_sojourn_quantile",
    "erlang_c",
    "mmc_wait",
    "md1_wait",
    "mg1_wait",
    "jackson_tandem_sojourn",
    "ps_sojourn",
]


def _check_stable(rho: float) -> None:
    if not 0.0 <= rho < 1.0:
        raise ValueError(f"unstable queue: utilisation {rho:.3f} must be below 1")


def mm1_wait(arrival_rate: float, service_rate: float) -> float:
    """Mean wait in queue of M/M/1: ρ / (μ − λ).

    >>> round(mm1_wait(0.9, 1.0), 6)
    9.0
    """
    rho = arrival_rate / service_rate
    _check_stable(rho)
    return rho / (service_rate - arrival_rate)


def mm1_sojourn(arrival_rate: float, service_rate: float) -> float:
    """Mean time in system of M/M/1: 1 / (μ − λ).

    >>> round(mm1_sojourn(0.8, 1.0), 6)
    5.0
    """
    _check_stable(arrival_rate / service_rate)
    return 1.0 / (service_rate - arrival_rate)


def mm1_sojourn_quantile(arrival_rate: float, service_rate: float, quantile: float) -> float:
    """The ``quantile`` of the time in system of M/M/1 (FIFO): −ln(1 − q) / (μ − λ).

    The time in system of a FIFO M/M/1 queue is exponential of rate μ − λ, so its
    quantiles, not only its mean, have a closed form (the 95th percentile at
    ρ = 0.8 is ln 20 / 0.2 ≈ 14.98 s).

    >>> round(mm1_sojourn_quantile(0.8, 1.0, 0.95), 4)
    14.9787
    """
    if not 0.0 <= quantile < 1.0:
        raise ValueError(f"quantile {quantile} must be in [0, 1)")
    return -math.log1p(-quantile) * mm1_sojourn(arrival_rate, service_rate)


def erlang_c(servers: int, offered_load: float) -> float:
    """Probability an arrival waits in M/M/c (Erlang C), with offered load a = λ/μ.

    Computed through the numerically stable Erlang B recursion.

    >>> round(erlang_c(1, 0.5), 6)
    0.5
    """
    _check_stable(offered_load / servers)
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = offered_load * blocking / (k + offered_load * blocking)
    rho = offered_load / servers
    return blocking / (1.0 - rho + rho * blocking)


def mmc_wait(arrival_rate: float, service_rate: float, servers: int) -> float:
    """Mean wait in queue of M/M/c: C(c, a) / (cμ − λ).

    Three servers at ρ = 0.85 (a = 2.55): C = 0.730377, so the wait is 0.730377 / 0.45.

    >>> round(mmc_wait(2.55, 1.0, 3), 4)
    1.6231
    """
    offered = arrival_rate / service_rate
    return erlang_c(servers, offered) / (servers * service_rate - arrival_rate)


def mg1_wait(arrival_rate: float, mean_service: float, second_moment_service: float) -> float:
    """Mean wait in queue of M/G/1 (Pollaczek–Khinchine): λ E[S²] / (2 (1 − ρ)).

    Exponential service of mean 1 s has E[S²] = 2 s², and gives M/M/1's ρ / (μ − λ):

    >>> round(mg1_wait(0.5, 1.0, 2.0), 6), round(mm1_wait(0.5, 1.0), 6)
    (1.0, 1.0)
    """
    rho = arrival_rate * mean_service
    _check_stable(rho)
    return arrival_rate * second_moment_service / (2.0 * (1.0 - rho))


def md1_wait(arrival_rate: float, service_time: float) -> float:
    """Mean wait in queue of M/D/1: ρ D / (2 (1 − ρ)).

    >>> round(md1_wait(0.8, 1.0), 6)
    2.0
    """
    return mg1_wait(arrival_rate, service_time, service_time**2)


def jackson_tandem_sojourn(arrival_rate: float, service_rates: list[float] | tuple[float, ...]) -> float:
    """Mean end-to-end time through exponential stations in series: Σ 1 / (μᵢ − λ).

    >>> round(jackson_tandem_sojourn(0.8, [1.0, 1.25]), 4)  # 1 / 0.2 + 1 / 0.45
    7.2222
    """
    return math.fsum(mm1_sojourn(arrival_rate, mu) for mu in service_rates)


def ps_sojourn(arrival_rate: float, mean_size: float, capacity: float) -> float:
    """Mean sojourn in an M/G/1 processor-sharing queue: E[S] / (1 − ρ), with E[S] = size / capacity.

    This is a link shared equally by Poisson flows (insensitive to the size
    distribution).

    >>> round(ps_sojourn(1.0, 800_000, 1_000_000), 6)  # 0.8 MB flows at 1 /s over 1 MB/s
    4.0
    """
    mean_service = mean_size / capacity
    rho = arrival_rate * mean_service
    _check_stable(rho)
    return mean_service / (1.0 - rho)
