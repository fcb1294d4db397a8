"""The values of a breakdown some of a sweep's points never served: its table has no row of them.

A point whose runs served none of a value's tasks (an application: ``local`` beside
``model-select``, which alone answers with the alternative) has no rows of it in the breakdown's
file (``apps.csv``); compare says ``baseline served none`` where its table has no Δ, and a sweep's
table said nothing: a missing row read as one left out.  The line under the table names each such
value with the points, by their values.  Any registered breakdown's
(:mod:`offloadsim.analysis.breakdown_registry`) table has it.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from offloadsim.point_spans import points_named

__all__ = ["unserved", "unserved_line"]


def unserved(rows: pd.DataFrame, points: pd.Series, column: str) -> dict[str, list[int]]:
    """By breakdown value (``rows``' ``column``), the ``points`` with no row of it in ``rows``, ascending."""
    every = sorted({int(p) for p in points})
    found: dict[str, list[int]] = {}
    for value, its_rows in rows.groupby(rows[column].astype(str), sort=False):
        held = {int(p) for p in its_rows["point"]}
        if missing := [p for p in every if p not in held]:
            found[str(value)] = missing
    return found


def unserved_line(found: dict[str, list[int]], total: int, described: Callable[[int], str], file: str) -> str:
    """The line under the table: ``served none (no rows, nor in apps.csv): chat-1b (at local); ...``.

    ``total``: the sweep's points; ``described(point)``: a point as its row names it (its values,
    :func:`~offloadsim.point_spans.points_named`); ``file``: the breakdown's.  "" where every point
    served every value.
    """
    said = [f"{value}{points_named(at, total, described)}" for value, at in found.items()]
    return f"served none (no rows, nor in {file}): {'; '.join(said)}" if said else ""
