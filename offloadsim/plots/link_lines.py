"""The bandwidth in force of each link direction that changed, as step lines over a window of time.

From a run's or comparison's ``link_changes`` records (:data:`~offloadsim.records.schema.LINK_CHANGES`):
per direction ``a -> b`` and run, the capacity in force (0 while the link is down), starting from the
scenario's where the first change comes later.  Runs that saw the same changes (a trace, a schedule:
every policy and replication alike) give one line.  Mobility's changes are left out: a device's
radio rate and handovers are each device's own, and a figure of the whole run cannot say them
per device.  ``plot --kind latency-time`` draws the lines in a panel above its latency.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from offloadsim.plots.down_names import down_said

__all__ = ["MOBILITY", "MOST_DRAWN", "LinkLine", "LinkLines", "directions", "link_lines"]

#: The kind whose changes are each device's own (its radio rate, its handovers): not drawn.
MOBILITY = "mobility"

#: The most link directions drawn; the others are counted in the note.
MOST_DRAWN = 3


@dataclass(frozen=True)
class LinkLine:
    """One direction's capacity in force (bit/s) over ``edges`` (``values[i]`` from ``edges[i]``)."""

    direction: str  # "phone→server"; "phone-0…phone-5↔edge (6 links, both ways)" for several alike
    edges: tuple[float, ...]
    values: tuple[float, ...]
    runs: int  # how many runs saw exactly these changes
    scenario_bps: float  # the capacity the scenario gives the direction
    directions: int = 1  # how many link directions saw exactly these changes, drawn as this line

    @property
    def lowest_share(self) -> float:
        """The lowest capacity in force as a share of the highest it had (0: down at some time)."""
        top = max(self.values)
        return min(self.values) / top if top > 0 else 0.0


@dataclass(frozen=True)
class LinkLines:
    """The lines to draw, and what was left out (for the note under the figure)."""

    lines: tuple[LinkLine, ...]
    down: tuple[tuple[str, float, float], ...]  # (direction, since, until) of each stretch a link was down
    more_directions: int  # directions that changed in the window, not drawn (past MOST_DRAWN)
    mobility_changes: int  # rows of mobility in the window, left out
    mobility_directions: int


def link_lines(changes: pd.DataFrame | None, start_s: float, end_s: float) -> LinkLines:
    """The lines of the directions whose bandwidth in force in ``[start_s, end_s)`` was not the scenario's.

    At most :data:`MOST_DRAWN` directions, those that fell lowest (as a share of their highest) first.
    """
    if changes is None or not len(changes):
        return LinkLines((), (), 0, 0, 0)
    kind = changes["kind"].astype(str) if "kind" in changes.columns else pd.Series("", index=changes.index)
    moving = kind == MOBILITY
    time = changes["time"].to_numpy(dtype=float)
    mobility = changes[moving & (time >= start_s) & (time < end_s)]
    mobility_directions = len(mobility.groupby(["a", "b"], observed=True)) if len(mobility) else 0
    rows = changes[~moving & (time < end_s)]
    runs = [c for c in ("policy", "replication") if c in rows.columns]
    found: dict[str, dict[tuple[tuple[float, ...], tuple[float, ...], float], int]] = {}
    down: dict[tuple[str, float, float], None] = {}  # runs sharing a stretch give it once
    for keys, part in rows.groupby(["a", "b", *runs], sort=False, observed=True):
        a, b = str(keys[0]), str(keys[1])
        for since, until in _down(part, end_s):
            if until > start_s:
                down[(f"{a}→{b}", max(since, start_s), until)] = None
        edges, values = _steps(part, start_s, end_s)
        if len(set(values)) == 1 and values[0] == float(part["scenario_capacity"].iloc[0]):
            continue  # as the scenario gives it throughout the window: nothing to see
        seen = found.setdefault(f"{a}→{b}", {})
        key = (edges, values, float(part["scenario_capacity"].iloc[0]))
        seen[key] = seen.get(key, 0) + 1
    # Directions whose bandwidth in force was the same in every run are one line, named as a group
    # (down_said): a schedule on every link of a links[] entry drew "phone-0→edge", "edge→phone-0",
    # "phone-1→edge" in the legend, three identical lines, and left nine more out.
    alike: dict[frozenset[tuple[tuple[tuple[float, ...], tuple[float, ...], float], int]], list[str]] = {}
    for direction, seen in found.items():
        alike.setdefault(frozenset(seen.items()), []).append(direction)
    groups = {down_said(members): members for members in alike.values()}
    lines = [
        LinkLine(name, edges, values, count, scenario, len(members))
        for name, members in groups.items()
        for (edges, values, scenario), count in found[members[0]].items()
    ]
    order = sorted(groups, key=lambda g: min(line.lowest_share for line in lines if line.direction == g))
    kept = set(order[:MOST_DRAWN])
    return LinkLines(
        tuple(line for line in lines if line.direction in kept),
        tuple(down),
        sum(len(groups[g]) for g in order if g not in kept),
        len(mobility),
        mobility_directions,
    )


def _steps(part: pd.DataFrame, start_s: float, end_s: float) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """One direction's capacity in force in one run as steps over ``[start_s, end_s]`` (0 while down)."""
    times = part["time"].to_numpy(dtype=float)
    capacity = part["capacity"].to_numpy(dtype=float)
    up = part["up"].to_numpy(dtype=bool, na_value=True)
    in_force = np.where(up, capacity, 0.0)
    before = np.flatnonzero(times <= start_s)
    first = float(in_force[before[-1]]) if len(before) else float(part["scenario_capacity"].iloc[0])
    edges, values = [start_s], [first]
    for at, value in zip(times[times > start_s], in_force[times > start_s], strict=True):
        if at == edges[-1]:
            values[-1] = float(value)  # several changes at one instant: the last holds
        elif value != values[-1]:
            edges.append(float(at))
            values.append(float(value))
    return (*edges, end_s), tuple(values)


def _down(part: pd.DataFrame, end_s: float) -> list[tuple[float, float]]:
    """``(since, until)`` of each stretch one direction was down in one run (``until`` at most ``end_s``)."""
    spans, since = [], None
    for at, up in zip(
        part["time"].to_numpy(dtype=float), part["up"].to_numpy(dtype=bool, na_value=True), strict=True
    ):
        if not up and since is None:
            since = float(at)
        elif up and since is not None:
            spans.append((since, float(at)))
            since = None
    if since is not None and since < end_s:
        spans.append((since, end_s))
    return spans


def directions(lines: Sequence[LinkLine]) -> list[str]:
    """The directions of ``lines``, in order, once each."""
    return list(dict.fromkeys(line.direction for line in lines))


def of_sources(changes: pd.DataFrame | None, sources: Sequence[str] | None) -> pd.DataFrame | None:
    """``changes`` a figure of ``sources``' tasks shows: every link's but mobility's, and those devices'.

    Mobility's rows are each device's own radio and handovers: ``--where source=phone-0`` counted
    every phone's (25,358 changes of 116 link directions), not the one the figure shows.
    """
    if changes is None or not sources or not len(changes) or "kind" not in changes.columns:
        return changes
    moving = changes["kind"].astype(str).to_numpy() == MOBILITY
    shown = (
        changes["a"].astype(str).isin(sources).to_numpy() | changes["b"].astype(str).isin(sources).to_numpy()
    )
    return changes[~moving | shown]


def handovers(changes: pd.DataFrame | None, start_s: float, end_s: float) -> tuple[float, ...]:
    """The times in ``(start_s, end_s)`` a device attached to another access point (mobility's ``up``).

    Once each instant; the first attachment at ``start_s`` or before is none.
    """
    if changes is None or not len(changes) or not {"kind", "change"} <= set(changes.columns):
        return ()
    rows = changes[
        (changes["kind"].astype(str).to_numpy() == MOBILITY)
        & (changes["change"].astype(str).to_numpy() == "up")
    ]
    times = rows["time"].to_numpy(dtype=float)
    return tuple(sorted({float(t) for t in times if start_s < t < end_s}))
