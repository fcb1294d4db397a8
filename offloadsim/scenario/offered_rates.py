"""Each (source, application) pair's mean arrival rate, where the scenario fixes it.

What an offered load is read from, before a run (the ``offered-load`` check's nominal estimate,
:mod:`offloadsim.world.nominal_load`) and after it (the settling and ``overloaded`` warnings'
measured one, :mod:`offloadsim.analysis.offered_load`): one reading of the workload for both.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from offloadsim.scenario.model import WorkloadSpec

__all__ = ["offered_rates"]


def offered_rates(
    workload: Iterable[WorkloadSpec], start_s: float, end_s: float
) -> dict[tuple[str, str], float]:
    """(source, app) -> its mean arrival rate (requests/s), for the pairs the scenario fixes it for.

    Each workload entry whose arrival process has a mean rate (:meth:`mean_rate_per_s`) and that
    sends all through the measured time ``[start_s, end_s)`` (no later ``start``, no earlier
    ``stop``) gives each of its sources that rate; a pair that some other entry feeds at a rate not
    known so is left out, as its load is not known.
    """
    rates: dict[tuple[str, str], float] = {}
    unknown: set[tuple[str, str]] = set()
    for entry in workload:
        rate = entry.arrivals.mean_rate_per_s()
        whole = entry.start_s <= start_s and (entry.stop_s is None or entry.stop_s >= end_s)
        for source in entry.sources:
            pair = (source, entry.app)
            if rate is None or not whole:
                unknown.add(pair)
            else:
                rates[pair] = rates.get(pair, 0.0) + rate
    return {pair: rate for pair, rate in rates.items() if pair not in unknown}
