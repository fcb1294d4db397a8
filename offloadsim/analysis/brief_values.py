"""A swept value too long for a line said by its size: ``a list of 4``, ``a mapping of 3 keys``.

A zipped list of access points or links, written out in full, took half a figure's height in
the notes under it and made a sweep's terminal table hundreds of characters wide. The notes
under a figure and the sweep's table both shorten a value here, so both read alike, and both
say where the whole value is (the results' ``summary.csv``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import yaml

from offloadsim.analysis.values import axis_texts

__all__ = ["IN_FULL", "LONGEST_VALUE", "brief_text", "brief_texts"]

#: The longest value written out whole.
LONGEST_VALUE = 40
#: Said once after the values where one was too long to write out.
IN_FULL = "(in full in the results' summary.csv)"


def brief_text(text: str) -> str:
    """``text``, or, longer than :data:`LONGEST_VALUE`, its list's or mapping's size.

    A long text that is neither stays whole: cut short, two trace paths could read alike.

    >>> brief_text("[{node: rsu-0, radius: 150 m}, {node: rsu-1, radius: 150 m}]"), brief_text("[1, 2]")
    ('a list of 2', '[1, 2]')
    """
    if len(text) <= LONGEST_VALUE:
        return text
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        value = None
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, dict):
        return f"a mapping of {len(value)} keys"
    return text


def brief_texts(values: Sequence[Any]) -> tuple[list[str], str]:
    """:func:`axis_texts` of ``values``, each by :func:`brief_text`, and :data:`IN_FULL` where one was cut.

    ``[{node: rsu-0, position: ...}, ...]`` reads ``a list of 4``: the values still tell the series
    apart where their sizes do, and the table holds them in full, which the second text says
    (``""`` where every value was written whole).

    >>> brief_texts(["[{node: ap-0, position: [0 m, 0 m], radius: 150 m}]", "[1, 2]"])
    (['a list of 1', '[1, 2]'], "(in full in the results' summary.csv)")
    """
    texts = axis_texts(values)
    short = [brief_text(text) for text in texts]
    return short, IN_FULL if short != texts else ""
