"""The applications some of a sweep's points never served: its table per application has no row of them.

A point whose runs served none of an application's tasks (``local`` beside ``model-select``, which
alone answers with the alternative) has no rows of it in ``apps.csv``; compare says ``baseline
served none`` where its table has no Δ, and a sweep's table said nothing: a missing row read as one
left out.  The line under the table names each such application with the points, by their values.
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from offloadsim.point_spans import points_named

__all__ = ["unserved", "unserved_line"]


def unserved(apps: pd.DataFrame, points: pd.Series, column: str) -> dict[str, list[int]]:
    """By application (``apps``' ``column``), the ``points`` with no row of it in ``apps``, ascending."""
    every = sorted({int(p) for p in points})
    found: dict[str, list[int]] = {}
    for app, rows in apps.groupby(apps[column].astype(str), sort=False):
        held = {int(p) for p in rows["point"]}
        if missing := [p for p in every if p not in held]:
            found[str(app)] = missing
    return found


def unserved_line(found: dict[str, list[int]], total: int, described: Callable[[int], str], file: str) -> str:
    """The line under the table: ``served none (no rows, nor in apps.csv): chat-1b (at local); ...``.

    ``total``: the sweep's points; ``described(point)``: a point as its row names it (its values,
    :func:`~offloadsim.point_spans.points_named`).  "" where every point served every application.
    """
    said = [f"{app}{points_named(at, total, described)}" for app, at in found.items()]
    return f"served none (no rows, nor in {file}): {'; '.join(said)}" if said else ""
