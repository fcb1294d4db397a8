"""Defaults the command line and the Python API share: one value each, so the two cannot drift apart.

It lives in a module of its own, importing nothing, so that ``offloadsim compare --help`` can give
the default without importing the experiments (and pandas with them).
"""

from __future__ import annotations

__all__ = ["COMPARE_REPLICATIONS", "POLICY_TIMEOUT_S"]

#: Replications of each policy that ``compare`` runs where none are given (``--replications``,
#: ``replications=``).
COMPARE_REPLICATIONS = 10

#: How long one call of a plug-in policy's code may run, in wall-clock seconds, before the run ends
#: (``--policy-timeout``, ``policy_timeout=`` of ``run``, ``compare`` and ``sweep``;
#: :mod:`offloadsim.engine.policy_watch` keeps the watch).
POLICY_TIMEOUT_S = 60.0
