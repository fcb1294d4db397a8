"""Whether a name is a glob pattern (``phone-*``, ``edge-?``, ``edge-[0-3]``): the one test of it.

A scenario selects nodes by pattern (:mod:`offloadsim.scenario.patterns`); a split policy's
``nodes`` and a link change's ``between`` name nodes one by one and refuse a pattern.  The three
test alike here, importing nothing, so that the policies (below the scenario in the import
layers) and the world's dynamics may ask it too.
"""

from __future__ import annotations

__all__ = ["is_glob"]

#: The characters that make a name an ``fnmatch`` pattern.
_GLOB_CHARS = frozenset("*?[")


def is_glob(name: str) -> bool:
    """Whether ``name`` has a glob character (``*``, ``?`` or ``[``): a pattern, not one name.

    >>> is_glob("phone-*"), is_glob("edge-[0-3]"), is_glob("edge-0")
    (True, True, False)
    """
    return not _GLOB_CHARS.isdisjoint(name)
