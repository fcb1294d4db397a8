"""What a split figure's tasks did where they did not all cut alike: a circle per cut, and a note.

A split figure's line is each run's mean depth.  Where a policy switched between cuts (AlexNet cut
at layer 3 by 95 tasks and run whole, 20 layers, by 29), that mean (7) is a depth no task ran: read
alone, it says the network was cut near layer 7.  :func:`draw_cuts` draws at such a point (one whose
mean is half a layer or more from every cut its tasks took) a hollow circle at each depth its tasks
ran, its area their share (at least a ring round a line's marker, so that a circle at the depth of
another series' marker is not lost on it: a share below that least is drawn at it, dashed, so that
0.4 % of the tasks does not read as the 29 % beside it), and :func:`mixed_cuts_note` names the
points under the figure with their counts, so that the line reads as the mean it is.
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd
from matplotlib import rcParams
from matplotlib.axes import Axes

__all__ = ["MixedPoint", "draw_cuts", "later_cuts", "later_cuts_note", "mixed_cuts", "mixed_cuts_note"]

#: A circle's area (pt²) for a cut all of a point's tasks took; a share draws that share of it.
_FULL_AREA = 160.0
#: A circle's ring width (points).
_RING_PT = 0.8
#: The dashes (points on, off) of a circle drawn larger than its share: at the least size, for fewer tasks.
_UNDER_LEAST_DASHES = (0, (1.6, 1.2))
#: The white (points) between a line's marker and the inside of the smallest circle round it.
_RING_GAP_PT = 0.5
#: Points (and cuts per point) the note names; the rest it counts.
_NAMED_POINTS = 3
_NAMED_CUTS = 3


class MixedPoint(NamedTuple):
    """One point of a split figure whose tasks took several cuts.

    ``series``: its series value (``""`` without one); ``x``: the swept value as the note writes
    it; ``cuts``: (layers run on the device, tasks), most tasks first.
    """

    series: str
    x: str
    cuts: list[tuple[int, int]]


#: The mixed points each split Axes drew and the least share a circle was drawn at (:func:`mixed_cuts_note`).
_MIXED: weakref.WeakKeyDictionary[Axes, tuple[list[MixedPoint], float]] = weakref.WeakKeyDictionary()


def least_share() -> float:
    """The share of a point's tasks whose circle just rings a line's marker, white between: the least drawn.

    A smaller circle at the depth of another series' marker (the all-local line's at 20 layers) lay
    on that marker's outline or inside it, and did not read as a circle.  Of the style in force: a
    line's marker is ``lines.markersize`` across plus its edge.
    """
    marker = float(rcParams["lines.markersize"]) + float(rcParams["lines.markeredgewidth"])
    across = marker + 2 * _RING_GAP_PT + _RING_PT  # the ring's middle, from side to side
    return min(1.0, across**2 / _FULL_AREA)


#: A point's mean this far (layers) or further from every cut its tasks took reads as a cut none took.
_OFF_EVERY_CUT = 0.5


def mixed_cuts(done: pd.DataFrame, x: str, by: str | None) -> dict[tuple[str, str], list[tuple[int, int]]]:
    """Per (series value, x value) as text, the cuts its tasks took, most first, where the mean is none.

    ``done``: completed tasks with a finite ``split``, every replication pooled (a task is a task)
    for the counts. A point is kept where its tasks took several cuts and its mean as drawn (of
    each run's mean) lies half a layer or more from every one of them: 7 between 3 and 20, 0.8
    between 0 and 38. A mean of 3.01 where one task in 2,000 ran whole reads as the cut it is.
    """
    keys = list(dict.fromkeys(k for k in (by, x) if k and k in done.columns))
    depth = pd.to_numeric(done["split"], errors="coerce").to_numpy(dtype=float)
    frame = pd.DataFrame({k: done[k].astype(str).to_numpy() for k in keys}).assign(_cut=depth)
    runs = [c for c in ("replication", "seed") if c in done.columns and c not in keys]
    frame = frame.assign(**{c: done[c].to_numpy() for c in runs})
    found: dict[tuple[str, str], list[tuple[int, int]]] = {}
    groups = frame.groupby(keys, sort=False) if keys else [((), frame)]
    for key, part in groups:
        counts = part["_cut"].round().astype(int).value_counts(sort=False)
        if len(counts) < 2:
            continue
        per_run = part.groupby(runs, sort=False)["_cut"].mean() if runs else part["_cut"]
        mean = float(per_run.mean())
        if min(abs(mean - float(c)) for c in counts.index) < _OFF_EVERY_CUT:
            continue
        named = key if isinstance(key, tuple) else (key,)
        series = str(named[0]) if by and by in keys and by != x else ""
        at = str(named[-1]) if x in keys else ""
        ordered = sorted(((int(c), int(n)) for c, n in counts.items()), key=lambda cn: (-cn[1], cn[0]))
        found[(series, at)] = ordered
    return found


def draw_cuts(
    ax: Axes,
    done: pd.DataFrame,
    x: str,
    by: str | None,
    places: Mapping[str, float],
    written: Mapping[str, str],
    colours: Mapping[str, str],
    offsets: Mapping[str, float] | None = None,
) -> list[tuple[float, float]]:
    """At each point whose tasks took several cuts, a hollow circle per cut in the series' colour.

    Its area is the share of the point's tasks, at least :func:`least_share`'s; a share below it is
    drawn at it, its ring dashed (the note says so). ``places``: each x
    value (as text) to its place on the axis, ``offsets`` each series' shift from it (side by side
    over categories), ``written`` how the note writes an x value. Returns each circle's depth and
    reach (points from its centre to its ring's outside), for the y range: a circle at depth 0 was
    cut in half by the x axis. The points are kept for :func:`mixed_cuts_note`.
    """
    _MIXED.pop(ax, None)  # drawn before on axes cleared since (a log axis after all)
    mixed = mixed_cuts(done, x, by)
    kept: list[MixedPoint] = []
    drawn: list[tuple[float, float]] = []
    least = least_share()
    for (series, at), cuts in mixed.items():
        if at not in places:
            continue
        total = sum(n for _, n in cuts)
        shares = np.array([n / total for _, n in cuts], dtype=float)
        where = places[at] + (offsets or {}).get(series, 0.0)
        sizes = np.maximum(shares, least) * _FULL_AREA
        under = shares < least
        for ring, at_least in (("solid", ~under), (_UNDER_LEAST_DASHES, under)):
            if at_least.any():
                ax.scatter(
                    np.full(int(at_least.sum()), where),
                    [c for (c, _), kept in zip(cuts, at_least, strict=True) if kept],
                    s=sizes[at_least],
                    facecolors="none",
                    edgecolors=colours.get(series, "black"),
                    linewidths=_RING_PT,
                    linestyles=[ring],
                    zorder=3.5,
                    label="_cuts",
                )
        drawn.extend(
            (float(c), float(np.sqrt(size)) / 2 + _RING_PT / 2)
            for (c, _), size in zip(cuts, sizes, strict=True)
        )
        kept.append(MixedPoint(series, written.get(at, at), cuts))
    if kept:
        _MIXED[ax] = (kept, least)
    _LATER.pop(ax, None)
    later = [
        MixedPoint(series, written.get(at, at), cuts)
        for (series, at), cuts in later_cuts(done, x, by).items()
        if at in places
    ]
    if later:
        _LATER[ax] = later
    return drawn


#: The later cuts (after the device's) of the points each split Axes drew (:func:`later_cuts_note`).
_LATER: weakref.WeakKeyDictionary[Axes, list[MixedPoint]] = weakref.WeakKeyDictionary()


def _hops(placement: str, source: str) -> list[tuple[str, int]]:
    """The cuts of ``placement`` after the source's: (``edge→cloud``, layers before it) each.

    >>> _hops("phone-3:5>edge:12>cloud", "phone-3"), _hops("phone-3>edge", "phone-3")
    ([('edge→cloud', 12)], [])
    >>> _hops("edge:4>cloud", "phone-3")
    [('edge→cloud', 4)]
    """
    parts = placement.split(">")
    found = []
    for part, after in itertools.pairwise(parts):
        node, colon, cut = part.partition(":")
        if colon and node != source and cut.isdigit():
            found.append((f"{node}→{after.partition(':')[0]}", int(cut)))
    return found


def later_cuts(done: pd.DataFrame, x: str, by: str | None) -> dict[tuple[str, str], list[tuple[int, int]]]:
    """Per (series value, x value) as text, the cuts of multi-station plans after the device's.

    A split figure draws ``split``, the layers run on the device: the first cut.  A plan over more
    stations (``multi-tier``'s phone→edge→cloud) cuts again, which its ``placement`` records
    (``phone-3:5>edge:12>cloud``); each such cut is kept here as (layer, tasks), most tasks first,
    its hop in a :class:`MixedPoint`'s series text (``multi-tier, edge→cloud``).
    """
    if "placement" not in done.columns or "source" not in done.columns:
        return {}
    keys = list(dict.fromkeys(k for k in (by, x) if k and k in done.columns))
    placements = done["placement"].astype(str).to_numpy()
    sources = done["source"].astype(str).to_numpy()
    columns = [done[k].astype(str).to_numpy() for k in keys]  # each column's text once, not once a row
    named = list(zip(*columns, strict=True)) if columns else [()] * len(done)
    counts: dict[tuple[str, str, str], dict[int, int]] = {}
    hops_of: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for i, (placement, source) in enumerate(zip(placements, sources, strict=True)):
        if ":" not in placement:
            continue
        hops = hops_of.get((placement, source))
        if hops is None:
            hops = hops_of[(placement, source)] = _hops(placement, source)
        key = named[i]
        series = str(key[0]) if by and by in keys and by != x else ""
        at = str(key[-1]) if x in keys else ""
        for hop, cut in hops:
            tally = counts.setdefault((series, at, hop), {})
            tally[cut] = tally.get(cut, 0) + 1
    return {
        (", ".join(p for p in (series, hop) if p), at): sorted(tally.items(), key=lambda cn: (-cn[1], cn[0]))
        for (series, at, hop), tally in counts.items()
    }


def later_cuts_note(axes: Sequence[Axes]) -> str:
    """The note under a split figure saying it draws the device's cut, where a plan cut again, or ``""``.

    ``drawn: the device's cut; a plan over more stations cut again too, not drawn: multi-tier,
    edge→cloud at 5 Mbit/s, 95 tasks at layer 12, 3 at 14`` (the first few points, the rest counted).
    """
    parts = [_panel(ax, axes) + _point_text(point) for ax in axes for point in _LATER.get(ax, [])]
    if not parts:
        return ""
    said = _first_named(parts)
    drawn = "drawn: the device's cut (layers run on it)"
    return f"{drawn}; plans over more stations cut again, not drawn: {said}"


def mixed_cuts_note(axes: Sequence[Axes]) -> str:
    """The note under a split figure naming the points whose mean is no task's cut, or ``""``.

    ``circles: the cuts of a point whose mean is none of them (area: share of its tasks; dashed: a
    share under 25 %, drawn at 25 %): int8 at 5.85 Mbit/s, 95 tasks at layer 3, 29 at 20`` (the
    least share a circle is drawn at, :func:`least_share`, said where a circle was drawn at it: "at
    least 25 %" read as only shares of 25 % or more drawn); a panel's points after its letter where the
    figure has several panels, series that cut alike there named together, the first few named
    and the rest counted.
    """
    parts: list[str] = []
    floors: list[float] = []  # the least share of each panel where a circle was drawn larger than its share
    for ax in axes:
        points, least = _MIXED.get(ax, ([], 0.0))
        if any(n / sum(m for _, m in point.cuts) < least for point in points for _, n in point.cuts):
            floors.append(least)
        prefix = _panel(ax, axes)
        # Series whose tasks cut alike there (drawn as one line, the legend says) are named together.
        alike: dict[tuple[str, tuple[tuple[int, int], ...]], list[str]] = {}
        for point in points:
            alike.setdefault((point.x, tuple(point.cuts)), []).append(point.series)
        parts.extend(
            prefix + _point_text(MixedPoint(", ".join(s for s in names if s), at, list(cuts)))
            for (at, cuts), names in alike.items()
        )
    if not parts:
        return ""
    said = _first_named(parts)
    area = "area: share of its tasks"
    if floors:  # a circle drawn larger than its share says so: the counts after it are what it holds
        floor = f"{max(floors) * 100:.0f} %"
        area += f"; dashed: a share under {floor}, drawn at {floor}"
    return f"circles: the cuts of a point whose mean is none of them ({area}): {said}"


def _panel(ax: Axes, axes: Sequence[Axes]) -> str:
    """``(b) ``: the panel's letter before its points, where the figure has several panels; else ``""``."""
    panel = ax.get_title(loc="left").split(" ", 1)[0]
    return f"{panel} " if len(axes) > 1 and panel.startswith("(") else ""


def _first_named(parts: Sequence[str]) -> str:
    """The first points of a note named, the rest counted: ``a; b; c; and 2 more``."""
    said = "; ".join(parts[:_NAMED_POINTS])
    if len(parts) > _NAMED_POINTS:
        said += f"; and {len(parts) - _NAMED_POINTS} more"
    return said


def _point_text(point: MixedPoint) -> str:
    """``int8 at 5.85 Mbit/s, 95 tasks at layer 3, 29 at 20``; a count of thousands as ``1,839``."""
    where = " ".join(p for p in (point.series, f"at {point.x}" if point.x else "") if p)
    shown = point.cuts[:_NAMED_CUTS]
    first, tasks = shown[0]
    cuts = [f"{tasks:,} task{'s' if tasks != 1 else ''} at layer {first}"]
    cuts.extend(f"{n:,} at {c}" for c, n in shown[1:])
    rest = sum(n for _, n in point.cuts[_NAMED_CUTS:])
    if rest:
        cuts.append(f"{rest:,} at other cuts")
    return ", ".join([where, *cuts]) if where else ", ".join(cuts)
