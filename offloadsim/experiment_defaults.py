"""Defaults the command line and the Python API share: one value each, so the two cannot drift apart.

It lives in a module of its own, importing nothing, so that ``offloadsim compare --help`` can give
the default without importing the experiments (and pandas with them).
"""

from __future__ import annotations

__all__ = ["COMPARE_REPLICATIONS"]

#: Replications of each policy that ``compare`` runs where none are given (``--replications``,
#: ``replications=``).
COMPARE_REPLICATIONS = 10
