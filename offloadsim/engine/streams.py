"""Named random streams: one seeded generator per purpose and name, derived from one root seed.

A stream is keyed by (replication, purpose, *names), each name hashed with a
stable hash (BLAKE2b, never Python's per-process salted ``hash``) into
numpy's SeedSequence spawn key.  The names are what a scenario calls things:
the workload entry (its application, and how many earlier entries request the
same one), the source node's *name*, the policy's name.  So

* the arrivals at ``phone-3`` are the same numbers whichever policy runs and
  however many worker processes share the work (common random numbers), and a
  run is bit-for-bit repeatable;
* adding a node, a workload entry of another application or a sweep point with
  more devices leaves every other source's numbers as they were: nothing is
  keyed by position.

Purposes in use: ``arrivals`` and ``attributes`` (per workload entry and
source), ``noise`` (per node), ``policy`` (per policy name).  A new purpose is
just a new name; streams of distinct keys are independent.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

__all__ = ["Name", "name_key", "stream", "workload_name"]

Name = str | int


def name_key(name: Name) -> int:
    """A stable 64-bit integer for ``name``: the same on every machine, process and Python version.

    Strings and integers are told apart, so the node ``"3"`` and the index ``3`` differ.

    >>> name_key("phone-3") == name_key("phone-3") != name_key("phone-4")
    True
    >>> name_key("3") != name_key(3)
    True
    """
    tag = b"s" if isinstance(name, str) else b"i"
    digest = hashlib.blake2b(tag + str(name).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def stream(seed: int, replication: int, purpose: str, *names: Name) -> np.random.Generator:
    """The generator for ``purpose`` under ``names`` in one replication.

    >>> a = stream(7, 0, "arrivals", "classify", 0, "phone-3").random()
    >>> b = stream(7, 0, "arrivals", "classify", 0, "phone-3").random()
    >>> a == b and a != stream(7, 1, "arrivals", "classify", 0, "phone-3").random()
    True
    """
    key = (replication, name_key(purpose), *(name_key(name) for name in names))
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy=seed, spawn_key=key)))


def workload_name(apps: Sequence[str], index: int) -> tuple[str, int]:
    """The stream name of workload entry ``index`` given every entry's application, in order.

    Its application and how many earlier entries request the same one: adding
    or removing an entry of another application does not rename it.

    >>> workload_name(["chat", "classify", "chat"], 2)
    ('chat', 1)
    >>> workload_name(["classify", "chat"], 1)
    ('chat', 0)
    """
    app = apps[index]
    return app, sum(1 for other in apps[:index] if other == app)
