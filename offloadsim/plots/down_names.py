"""What was down in an outage, said short: ``phone-0…phone-19↔ap (20 links, both ways)``.

An uplink schedule on ``link: 0`` of twenty phones takes forty link directions down; the note under
a figure listed each, ``phone-0→ap, ap→phone-0, ...``, in four lines.  A link down both ways is
said once (``a↔b``), and links that differ only by a numbered node (``phone-0`` … ``phone-19``)
sharing the other end are said as a range with their count.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["down_said"]

_NUMBERED = re.compile(r"^(.*?)(\d+)$")


def down_said(names: Sequence[str]) -> str:
    """``names`` (nodes, and link directions ``a→b``) merged as the module says, in their order.

    >>> down_said(["edge"])
    'edge'
    >>> down_said(["p-0→ap", "ap→p-0", "p-1→ap", "ap→p-1", "p-2→ap", "ap→p-2", "ap→cloud"])
    'p-0…p-2↔ap (3 links, both ways), ap→cloud'
    """
    nodes = [n for n in names if "→" not in n]
    directions = [tuple(n.split("→", 1)) for n in names if "→" in n]
    given = set(directions)
    links: list[tuple[str, str, str]] = []  # (a, arrow, b), each link once
    both: set[tuple[str, str]] = set()  # the links said both ways, as (a, b)
    for a, b in directions:
        if (b, a) in both:
            continue
        if (b, a) in given:
            both.add((a, b))
        links.append((a, "↔" if (b, a) in given else "→", b))
    groups: dict[tuple[str, str, str, str], list[tuple[int, str]]] = {}
    said: list[str | tuple[str, str, str, str]] = list(nodes)
    for a, arrow, b in links:
        key, number = _grouped(a, arrow, b)
        if key is None:
            said.append(f"{a}{arrow}{b}")
            continue
        if key not in groups:
            said.append(key)
        groups.setdefault(key, []).append(number)
    return ", ".join(item if isinstance(item, str) else _range(item, groups[item]) for item in said)


def _grouped(a: str, arrow: str, b: str) -> tuple[tuple[str, str, str, str] | None, tuple[int, str]]:
    """The group of a link whose one end is numbered (``phone-3``): (prefix, arrow, other end, side)."""
    for side, end, other in (("a", a, b), ("b", b, a)):
        found = _NUMBERED.match(end)
        if found and not _NUMBERED.match(other):
            return (found.group(1), arrow, other, side), (int(found.group(2)), end)
    return None, (0, "")


def _range(key: tuple[str, str, str, str], members: list[tuple[int, str]]) -> str:
    """``phone-0…phone-19↔ap (20 links, both ways)``, or the one or two links written out."""
    prefix, arrow, other, side = key
    ends = [end for _, end in sorted(members)]
    if len(ends) <= 2:
        return ", ".join(f"{e}{arrow}{other}" if side == "a" else f"{other}{arrow}{e}" for e in ends)
    numbers = sorted(n for n, _ in members)
    run = f"{ends[0]}…{ends[-1]}" if numbers == list(range(numbers[0], numbers[-1] + 1)) else f"{prefix}*"
    span = f"{run}{arrow}{other}" if side == "a" else f"{other}{arrow}{run}"
    ways = ", both ways" if arrow == "↔" else ""
    return f"{span} ({len(ends)} links{ways})"
