"""A printed table kept within a terminal's width: headings wrapped, then its values split into blocks.

A sweep of an LLM under three policies printed a table 380 characters wide (nine metrics, each
heading as long as ``mean decode rate per request (tokens/s)``): every row wrapped onto four
terminal lines, and no column could be read down.  A table that fits is printed as it always was,
one heading line over its rows; a wider one wraps each heading to its column's values, and where it
is still too wide, prints its values in blocks, each under the columns that name its rows.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

__all__ = ["TABLE_WIDTH", "fit_table", "table_width", "wrapped_width"]

#: The widest a printed table may be: a terminal of 120 columns, or a page's listing.
TABLE_WIDTH = 120
_GAP = "  "
_DEEPEST = 3  # lines a heading wraps onto at most


def table_width(rows: Sequence[Sequence[str]]) -> int:
    """The width of ``rows`` (headings first) printed one heading line over them, columns two apart."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return sum(widths) + len(_GAP) * (len(widths) - 1)


def fit_table(rows: Sequence[Sequence[str]], keys: int, width: int = TABLE_WIDTH) -> list[str]:
    r"""``rows`` (headings first) as lines of at most ``width`` where they can be.

    The first ``keys`` columns name each row (left-aligned, repeated in every block); the others are
    values (right-aligned).  Headings wrap at spaces onto several lines, down to their longest word.

    >>> rows = [["policy", "mean latency (ms)"], ["edge", "12.5 ± 0.3"]]
    >>> print("\n".join(fit_table(rows, 1)))
    policy  mean latency (ms)
    ------  -----------------
    edge           12.5 ± 0.3
    >>> print("\n".join(fit_table(rows, 1, width=20)))
                  mean
               latency
    policy        (ms)
    ------  ----------
    edge    12.5 ± 0.3
    """
    headings = _wrapped(rows, width, keys)
    widths = _widths(headings, rows[1:])
    lines: list[str] = []
    for block in _blocks(widths, keys, width):
        columns = [*range(keys), *block]
        if lines:
            lines.append("")
        lines += _lines([headings[i] for i in columns], [[row[i] for i in columns] for row in rows[1:]], keys)
    return lines


def wrapped_width(rows: Sequence[Sequence[str]]) -> int:
    """The width of ``rows`` printed with every heading wrapped to its column's values, in one block."""
    return sum(_widths(_wrapped(rows, 0, 0), rows[1:])) + len(_GAP) * (len(rows[0]) - 1)


def _widths(headings: Sequence[Sequence[str]], rows: Sequence[Sequence[str]]) -> list[int]:
    return [max([*map(len, h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headings)]


def _wrapped(rows: Sequence[Sequence[str]], width: int, keys: int) -> list[list[str]]:
    """The headings wrapped, the values' widest first, then the keys', until the table fits ``width``.

    A heading wraps to its column's values, no narrower than its longest word nor onto more than
    three lines; one that fits its values stays on one line, and so do the rest once the table fits.
    """
    headings = [[heading] for heading in rows[0]]
    narrow = []
    for i, heading in enumerate(rows[0]):
        values = max((len(row[i]) for row in rows[1:]), default=0)
        words = max(map(len, heading.split()), default=0)
        wrap = max(values, words)
        while len(textwrap.wrap(heading, wrap)) > _DEEPEST:
            wrap += 1
        narrow.append(textwrap.wrap(heading, wrap) or [""])
    wide, slim = _widths(headings, rows[1:]), _widths(narrow, rows[1:])
    # The values' headings first, most saved first; a key's (``mobility radio noise (dBm)``) last.
    for i in sorted(range(len(headings)), key=lambda i: (i < keys, slim[i] - wide[i])):
        if sum(_widths(headings, rows[1:])) + len(_GAP) * (len(headings) - 1) <= width:
            break
        headings[i] = narrow[i]
    return headings


def _blocks(widths: Sequence[int], keys: int, width: int) -> list[list[int]]:
    """The value columns in order, in as few blocks as each fit ``width`` beside the key columns."""
    base = sum(widths[:keys]) + len(_GAP) * (keys - 1)
    blocks: list[list[int]] = [[]]
    used = base
    for i in range(keys, len(widths)):
        if blocks[-1] and used + len(_GAP) + widths[i] > width:
            blocks.append([])
            used = base
        blocks[-1].append(i)
        used += len(_GAP) + widths[i]
    return blocks


def _lines(heading: Sequence[Sequence[str]], rows: Sequence[Sequence[str]], keys: int) -> list[str]:
    """One table: each column's heading lines (bottom-aligned) over a rule and its rows."""
    depth = max(len(h) for h in heading)
    tops = [[""] * (depth - len(h)) + list(h) for h in heading]
    widths = [max([*map(len, h), *(len(r[i]) for r in rows)]) for i, h in enumerate(heading)]

    def line(cells: Sequence[str]) -> str:
        return _GAP.join(
            c.ljust(w) if i < keys else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    out = [line([t[k] for t in tops]) for k in range(depth)]
    out.append(_GAP.join("-" * w for w in widths))
    out += [line(row) for row in rows]
    return out
