"""Device energy per task told apart: what the source device's processors drew, and its radio's.

A phone's energy per task under ``edge`` is mostly its radio's (sending the input, receiving the
answer, the tail after), under ``local`` its processor's: the total alone does not say which, and
reading it from ``--stages`` took the scenario's power values by hand.  The tasks' records carry
``device_compute_energy`` (of ``device_energy``, the part charged for compute stages on the
source); the radio's is the rest: the transmit and receive draw, the tail and the per-bit cost.
"""

from __future__ import annotations

import math

__all__ = ["energy_split_metrics"]


def energy_split_metrics(device_mean_j: float, compute_mean_j: float) -> dict[str, float]:
    """``device_compute_energy_mean_j`` and ``device_radio_energy_mean_j``; ``{}`` where not known.

    Both over the tasks device energy per task is over (those that ended), so they add up to it.
    Not known: device energy not measured (NaN), or tasks written before their
    ``device_compute_energy`` (NaN).

    >>> energy_split_metrics(0.5, 0.125)
    {'device_compute_energy_mean_j': 0.125, 'device_radio_energy_mean_j': 0.375}
    >>> energy_split_metrics(0.045, float("nan"))
    {}
    """
    if math.isnan(device_mean_j) or math.isnan(compute_mean_j):
        return {}
    radio = max(0.0, device_mean_j - compute_mean_j)  # rounding: never a negative radio share
    return {"device_compute_energy_mean_j": compute_mean_j, "device_radio_energy_mean_j": radio}
