"""The charge left in a fleet's batteries over a run, rebuilt from its records: how the fleet drains.

The records keep each battery's end (``nodes.parquet``: ``battery_left``, ``drained_at``) but no
charge over time, so it is rebuilt here from what they do keep and the scenario's powers.  A
battery-powered node's energy by time t is

* its floor: ``idle`` × the time it was up by t, plus ``down`` × the time it was down (the nodes'
  ``down`` record, warm-up included), nothing once its battery is flat;
* its own tasks' ``device_energy``, each spread evenly over the task's life, from its first stage
  or transfer (else its arrival) to its finish, its loss (``lost_at``) or the run's end;
* the rest, **unrecorded**: what the records hold of no task of its own (tasks that arrived in the
  warm-up, work for other sources' tasks, a radio tail past its task's end), the node's true
  end-of-run energy less the two above, spread evenly over its drawing time.

So each curve ends exactly where the run ended (the charge left of a battery not flat, 0 from
``drained_at`` on) and is off at a time t by at most the energy of the node's tasks under way then
(spread, not placed) plus the unrecorded energy's misplacement, which :attr:`ChargeCurves.unrecorded_j`
reports so that the figure says how much was spread.  Tasks are read a chunk at a time into a
fixed grid of times, so memory holds one chunk and nodes × grid numbers whatever the run's length.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Battery", "ChargeCurves", "charge_over_time", "CHUNK_ROWS"]

#: Task rows read at a time: a chunk's few columns, not the whole table's, are ever held at once.
CHUNK_ROWS = 100_000


@dataclass(frozen=True)
class Battery:
    """A battery-powered node's capacity and the draws of its floor, from its scenario ``power:``."""

    capacity_j: float
    idle_w: float
    down_w: float


@dataclass(frozen=True)
class ChargeCurves:
    """One run's batteries over time: ``left`` (nodes × times, share of capacity) and when each ran flat.

    ``nodes`` names the rows; ``drained_at`` is NaN for a battery not flat; ``unrecorded_j`` is each
    node's energy the task records do not place in time (spread evenly, see the module).
    """

    times: np.ndarray
    nodes: tuple[str, ...]
    left: np.ndarray
    drained_at: np.ndarray
    unrecorded_j: np.ndarray
    capacity_j: np.ndarray

    def fleet(self) -> pd.DataFrame:
        """Per time: the median and least share left (a flat battery 0), and how many have run flat."""
        flat = (self.drained_at[:, None] <= self.times[None, :]) & ~np.isnan(self.drained_at)[:, None]
        return pd.DataFrame(
            {
                "time_s": self.times,
                "battery_left_median": np.median(self.left, axis=0),
                "battery_left_min": self.left.min(axis=0),
                "batteries_flat": flat.sum(axis=0).astype(float),
            }
        )


def charge_over_time(
    tasks: pd.DataFrame,
    nodes: pd.DataFrame,
    batteries: Mapping[str, Battery],
    end_s: float,
    times: np.ndarray,
    chunk_rows: int = CHUNK_ROWS,
) -> ChargeCurves:
    """One run's charge left at ``times`` on each node of ``batteries``, from its tasks and nodes tables.

    ``nodes`` is the run's nodes table (``node``, ``down``, ``drained_at``, ``battery_left``);
    ``tasks`` its task records (any row whose source has no battery is skipped); ``end_s`` the run's
    end (warm-up included).  ``times`` must rise and lie in ``[0, end_s]``.
    """
    rows = nodes.set_index(nodes["node"].astype(str))
    names = tuple(name for name in rows.index if name in batteries)
    capacity = np.array([batteries[n].capacity_j for n in names], dtype=float)
    drained = rows.loc[list(names), "drained_at"].to_numpy(dtype=float)
    stop = np.where(np.isnan(drained), end_s, drained)  # each node draws until here
    floor = np.array(
        [
            _floor_j(batteries[n], _down_spans(rows.at[n, "down"]), np.minimum(times, s))
            for n, s in zip(names, stop, strict=True)
        ]
    ).reshape(len(names), len(times))
    floor_end = np.array(
        [
            _floor_j(batteries[n], _down_spans(rows.at[n, "down"]), np.array([s]))[0]
            for n, s in zip(names, stop, strict=True)
        ]
    )
    spent, spent_end = _task_energy(tasks, names, times, stop, end_s, chunk_rows)
    left_end = rows.loc[list(names), "battery_left"].to_numpy(dtype=float)
    true_end = np.where(np.isnan(drained), capacity * (1.0 - left_end), capacity)
    unrecorded = true_end - floor_end - spent_end
    share = np.minimum(times[None, :], stop[:, None]) / np.where(stop > 0, stop, 1.0)[:, None]
    energy = floor + spent + unrecorded[:, None] * share
    left = np.clip(1.0 - energy / capacity[:, None], 0.0, 1.0)
    left[~np.isnan(drained)[:, None] & (times[None, :] >= drained[:, None])] = 0.0
    return ChargeCurves(times, names, left, drained, unrecorded, capacity)


def _down_spans(text: object) -> list[tuple[float, float]]:
    """A nodes row's ``down`` (JSON ``[[since, until], ...]``, null: to the end) as spans, ``inf`` open."""
    if not isinstance(text, str) or not text.strip():
        return []
    return [(float(a), np.inf if b is None else float(b)) for a, b in json.loads(text)]


def _floor_j(battery: Battery, down: Sequence[tuple[float, float]], until: np.ndarray) -> np.ndarray:
    """The idle and down draw by each of ``until``: ``idle`` × up time + ``down`` × down time."""
    down_s = np.zeros_like(until, dtype=float)
    for since, to in down:
        down_s += np.clip(np.minimum(until, to) - since, 0.0, None)
    return battery.idle_w * (until - down_s) + battery.down_w * down_s


def _task_energy(
    tasks: pd.DataFrame,
    names: Sequence[str],
    times: np.ndarray,
    stop: np.ndarray,
    end_s: float,
    chunk_rows: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Each node's own tasks' ``device_energy`` spent by each of ``times``, and by its ``stop``.

    A task's energy is a ramp from its start to its end, so the sum at a time t is
    ``t × (slopes begun) − (slope × start, begun)`` less the same of the ramps ended (bincounts over
    the grid, accumulated a chunk at a time); a task of no duration is a step at its start.
    """
    n, g = len(names), len(times)
    begun = np.zeros((3, n * (g + 1)))  # slopes, slope × time, steps: by node and first grid point past
    ended = np.zeros((3, n * (g + 1)))
    by_stop = np.zeros(n)
    index = {name: i for i, name in enumerate(names)}
    for start in range(0, len(tasks), chunk_rows):
        chunk = tasks.iloc[start : start + chunk_rows]
        node = _node_numbers(chunk["source"], index)
        energy = chunk["device_energy"].to_numpy(dtype=float)
        keep = (node >= 0) & (energy > 0)
        if not keep.any():
            continue
        node, energy = node[keep], energy[keep]
        a, b = _lives(chunk, keep, end_s)
        flat = b <= a
        slope = np.where(flat, 0.0, energy / np.where(flat, 1.0, b - a))
        step = np.where(flat, energy, 0.0)
        for into, at, steps in ((begun, a, step), (ended, b, np.zeros_like(step))):
            place = node * (g + 1) + np.searchsorted(times, at, side="right")
            for row, weight in enumerate((slope, slope * at, steps)):
                into[row] += np.bincount(place, weights=weight, minlength=n * (g + 1))
        s = stop[node]
        ramped = slope * np.clip(np.minimum(s, b) - a, 0.0, None)
        by_stop += np.bincount(
            node, weights=np.where(flat, np.where(a < s, energy, 0.0), ramped), minlength=n
        )
    spent = np.zeros((n, g))
    for sign, table in ((1.0, begun), (-1.0, ended)):
        slopes, moments, steps = (np.cumsum(r.reshape(n, g + 1), axis=1)[:, :g] for r in table)
        spent += sign * (times[None, :] * slopes - moments + steps)
    return spent, by_stop


def _node_numbers(source: pd.Series, index: Mapping[str, int]) -> np.ndarray:
    """Each row's source as its number in ``index`` (-1: no battery), a category's looked up once."""
    if isinstance(source.dtype, pd.CategoricalDtype):  # the records' own: text per row took most of the time
        lookup = np.array([index.get(str(c), -1) for c in source.cat.categories] + [-1], dtype=np.int64)
        return lookup[source.cat.codes.to_numpy()]  # a missing value's code -1 reads the last: -1
    return np.array([index.get(str(s), -1) for s in source], dtype=np.int64)


def _lives(chunk: pd.DataFrame, keep: np.ndarray, end_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Each kept task's life: its first stage or transfer (else arrival) to its finish, loss or the end."""
    arrival = chunk["arrival"].to_numpy(dtype=float)[keep]
    start = chunk["start"].to_numpy(dtype=float)[keep] if "start" in chunk else arrival
    a = np.where(np.isnan(start), arrival, start)
    b = np.full(len(a), end_s)
    for column in ("lost_at", "finish"):  # a completed task's finish; a lost one's loss; else the end
        if column in chunk:
            at = chunk[column].to_numpy(dtype=float)[keep]
            b = np.where(np.isnan(at), b, at)
    return a, np.maximum(b, a)
