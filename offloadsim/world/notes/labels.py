"""How a note names the runs it holds under: `` (under edge and cloud only)``, listed by suggest.listed.

A leaf module: the figures merge the notes a manifest keeps with it, without the world.
"""

from __future__ import annotations

from offloadsim.suggest import listed

__all__ = ["joined", "under_text"]


def under_text(labels: tuple[str, ...]) -> str:
    """`` (under edge and cloud only)``, or ``""`` where every run may (``()``)."""
    return f" (under {listed(labels)} only)" if labels else ""


def joined(first: tuple[str, ...] | None, second: tuple[str, ...] | None) -> tuple[str, ...] | None:
    """The runs that may place on either of two processors: ``()`` (every run) wins."""
    if first is None or second is None:
        return first if second is None else second
    if not first or not second:
        return ()
    return tuple(dict.fromkeys((*first, *second)))
