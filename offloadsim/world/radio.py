"""A radio link's rate from its length: log-distance path loss, then Shannon capacity.

The received power is the transmit power less the *log-distance path loss*

    PL(d) = PL(d0) + 10 n log10(d / d0)        [dB]

(T. S. Rappaport, *Wireless Communications: Principles and Practice*, 2nd
ed., Prentice Hall 2002, section 4.9, eq. 4.68), with ``n`` the path-loss
exponent (2 in free space, about 2.7-3.5 in urban cells, 4-6 indoors
through walls: Rappaport's table 4.2) and ``PL(d0)`` the loss measured at
the reference distance ``d0``.  A link then carries the *Shannon capacity*
of its band

    C = B log2(1 + S / N)                      [bit/s]

(C. E. Shannon, "A Mathematical Theory of Communication", Bell System
Technical Journal 27, 1948, theorem 17), with ``S`` the received power and
``N`` the noise power over the band.  Both are upper bounds a real link
approaches within a few dB; there is no fading here, so the rate is a
function of distance alone.  Closer than ``d0`` the loss is ``PL(d0)``.

The logarithms and the power of ten are taken one value at a time with
Python's :mod:`math` (the C library's ``log10``, ``log2`` and ``pow``), not
with numpy's ufuncs: numpy runs those through SIMD loops chosen by the CPU
(its AVX-512 ones round differently in the last bit from the C library its
other loops call), and these rates become link capacities, so the records
would depend on the CPU.  Through :mod:`math` they are the same bits on
every CPU, and the same as numpy's gave without AVX-512.

>>> radio = Radio(bandwidth_hz=20e6, transmit_dbm=23.0, noise_dbm=-95.0, exponent=3.0,
...               reference_loss_db=40.0, reference_m=1.0)
>>> float(radio.received_dbm(100.0))   # 23 - (40 + 30 * 2)
-77.0
>>> round(float(radio.rate_bps(100.0)) / 1e6, 3)   # 20 MHz * log2(1 + 10^1.8)
120.043
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["Radio", "path_loss_db", "shannon_bps"]


def _power_of_ten(exponent: float) -> float:
    """``10 ** exponent``; infinite past the largest float."""
    try:
        return 10.0**exponent
    except OverflowError:
        return math.inf


def path_loss_db(
    distance_m: np.ndarray | float, exponent: float, reference_loss_db: float, reference_m: float = 1.0
) -> np.ndarray:
    """Log-distance path loss in dB at ``distance_m`` (``reference_loss_db`` up to ``reference_m``)."""
    ratio = np.maximum(np.asarray(distance_m, dtype=float), reference_m) / reference_m
    slope = 10.0 * exponent
    loss = [reference_loss_db + slope * math.log10(r) for r in ratio.ravel().tolist()]
    return np.array(loss, dtype=float).reshape(ratio.shape)


def shannon_bps(bandwidth_hz: float, snr_db: np.ndarray | float) -> np.ndarray:
    """Shannon capacity ``B log2(1 + S/N)`` of a band of ``bandwidth_hz`` at a signal-to-noise ratio in dB."""
    tenths = np.asarray(snr_db, dtype=float) / 10.0
    values = tenths.ravel().tolist()
    try:
        rates = [bandwidth_hz * math.log2(1.0 + 10.0**v) for v in values]
    except OverflowError:  # a ratio past the largest float: infinite, as numpy's power gives
        rates = [bandwidth_hz * math.log2(1.0 + _power_of_ten(v)) for v in values]
    return np.array(rates, dtype=float).reshape(tenths.shape)


@dataclass(frozen=True, slots=True)
class Radio:
    """One radio technology: band, transmit power, noise over the band, and its path loss."""

    bandwidth_hz: float
    transmit_dbm: float
    noise_dbm: float
    exponent: float
    reference_loss_db: float
    reference_m: float = 1.0

    def received_dbm(
        self, distance_m: np.ndarray | float, transmit_dbm: np.ndarray | float | None = None
    ) -> np.ndarray:
        """Power received ``distance_m`` away, in dBm (from ``transmit_dbm``, default the radio's own)."""
        sent = self.transmit_dbm if transmit_dbm is None else transmit_dbm
        return sent - path_loss_db(distance_m, self.exponent, self.reference_loss_db, self.reference_m)

    def rate_bps(
        self, distance_m: np.ndarray | float, transmit_dbm: np.ndarray | float | None = None
    ) -> np.ndarray:
        """Shannon capacity in bit/s of a link ``distance_m`` long."""
        return shannon_bps(self.bandwidth_hz, self.received_dbm(distance_m, transmit_dbm) - self.noise_dbm)
