"""How a note names the runs it holds under and the things it lists: ``a, b and c``, `` (under edge only)``.

A leaf module: the figures merge the notes a manifest keeps with it, without the world.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["joined", "listed", "under_text"]


def listed(labels: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``: the policies a note holds under, the nodes it names, points.

    >>> listed(["0"]), listed(["0", "2"]), listed(["0", "2", "4-6"])
    ('0', '0 and 2', '0, 2 and 4-6')
    """
    return f"{', '.join(labels[:-1])} and {labels[-1]}" if len(labels) > 1 else labels[0]


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
