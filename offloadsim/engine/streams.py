"""Named random streams: one seeded generator per purpose, derived from one root seed.

Every stream is keyed by (replication, purpose, *key) through numpy's
SeedSequence, so the arrivals of source 3 in workload 0 are the same numbers
whichever policy runs and however many worker processes share the work:
common random numbers come for free, and a run is bit-for-bit repeatable.
"""

from __future__ import annotations

import numpy as np

__all__ = ["PURPOSES", "stream"]

PURPOSES = {"arrivals": 1, "attributes": 2, "policy": 3, "faults": 4, "noise": 5, "phase": 6}


def stream(seed: int, replication: int, purpose: str, *key: int) -> np.random.Generator:
    """The generator for ``purpose`` (see :data:`PURPOSES`) under ``key`` in one replication.

    >>> a = stream(7, 0, "arrivals", 0, 3).random()
    >>> b = stream(7, 0, "arrivals", 0, 3).random()
    >>> a == b and a != stream(7, 1, "arrivals", 0, 3).random()
    True
    """
    sequence = np.random.SeedSequence(entropy=seed, spawn_key=(replication, PURPOSES[purpose], *key))
    return np.random.Generator(np.random.PCG64(sequence))
