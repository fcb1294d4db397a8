"""Devices a ``mobility`` entry moves that never come within reach of any of its access points.

Such a device is cut off all run (its links to the access points down): whatever it offloads
fails and only what it computes itself completes.  A scenario whose coverage discs miss the area
the devices walk (an access point placed at ``[100 km, 0 m]`` for ``[100 m, 0 m]``, a ``radius``
in the wrong unit, a trace in another frame) ran that way without a word; the ``unreached-devices``
scenario check (:mod:`offloadsim.scenario.reach_check`) warns of it from this, before the run.

Known from the entry alone, by geometry: a random waypoint device may stand anywhere in its
``area``, so it is in reach unless no access point's disc meets that rectangle; a traced device
moves in straight lines between its rows (standing at its first row before it and at its last
after), so it is in reach unless no disc meets its path between 0 s and the run's end.  A path
that crosses a disc between two position samples counts as in reach: the warning is for devices
that certainly never are, not for those the ``update`` sampling happens to miss.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from offloadsim.world.dynamics.base import Dynamics
from offloadsim.world.dynamics.mobility import AccessPoint, MobilitySpec, Waypoints

__all__ = ["never_in_reach", "unreached_devices"]


def never_in_reach(dynamics: Sequence[Dynamics], end_s: float) -> dict[int, tuple[str, ...]]:
    """``{i: devices}``: the devices ``dynamics[i]`` (a ``mobility`` entry) moves that are never in reach."""
    found = {}
    for entry in dynamics:
        if isinstance(entry.spec, MobilitySpec):
            devices = unreached_devices(entry.spec, end_s)
            if devices:
                found[entry.index] = devices
    return found


def unreached_devices(spec: MobilitySpec, end_s: float) -> tuple[str, ...]:
    """The devices of ``spec`` no access point's disc reaches between 0 s and ``end_s``, in its order."""
    points = spec.access_points
    if isinstance(spec.motion, Waypoints):
        area = np.array([[0.0, 0.0], [spec.motion.width_m, spec.motion.height_m]])
        return () if any(_meets_rectangle(point, area) for point in points) else spec.devices
    return tuple(
        device
        for device, (times, xs, ys) in zip(spec.devices, spec.motion.tracks, strict=True)
        if not any(_meets_path(point, _path(times, xs, ys, end_s)) for point in points)
    )


def _meets_rectangle(point: AccessPoint, corners: np.ndarray) -> bool:
    """Whether ``point``'s disc meets the rectangle between ``corners`` (low, high)."""
    nearest = np.clip([point.x, point.y], corners[0], corners[1])
    return bool(np.hypot(nearest[0] - point.x, nearest[1] - point.y) <= point.radius_m)


def _path(times: np.ndarray, xs: np.ndarray, ys: np.ndarray, end_s: float) -> np.ndarray:
    """The corners of a traced device's path from 0 s to ``end_s``: an ``(n, 2)`` array, n >= 2."""
    inside = (times > 0.0) & (times < end_s)
    at = np.concatenate([[0.0], times[inside], [end_s]])
    return np.column_stack([np.interp(at, times, xs), np.interp(at, times, ys)])


def _meets_path(point: AccessPoint, path: np.ndarray) -> bool:
    """Whether ``point``'s disc meets a segment of ``path`` (its corners, in order)."""
    start, step = path[:-1], np.diff(path, axis=0)
    centre = np.array([point.x, point.y])
    length2 = np.einsum("ij,ij->i", step, step)
    along = np.einsum("ij,ij->i", centre - start, step)
    share = np.clip(np.divide(along, length2, out=np.zeros_like(along), where=length2 > 0), 0.0, 1.0)
    closest = start + share[:, None] * step
    return bool(np.min(np.hypot(*(closest - centre).T)) <= point.radius_m)
