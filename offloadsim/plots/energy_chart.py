"""Device energy against latency, a marker per series and swept value, each series' ends labelled.

The labels are placed where they cover no marker, line or other label, again once the whole
figure is laid out (:func:`place_end_labels`); the ends left without a label of their own,
and markers on one spot, are named in a note under the figure (:func:`say_unlabelled_ends`).
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.path import Path
from matplotlib.text import Annotation
from matplotlib.transforms import Bbox

from offloadsim.analysis.catalogue import metric_info
from offloadsim.analysis.values import label_unit
from offloadsim.plots.axes import (
    fit_y_labels,
    from_zero,
    keep_legend_clear,
    keep_panels_tall,
    laid_out,
    log_axis,
    plain_number,
    tidy_legend,
)
from offloadsim.plots.series import (
    LABEL_BOX,
    drawn_label,
    drawn_under,
    mean_ci_by,
    names_of,
    series_styles,
    x_positions,
)
from offloadsim.plots.style import axes_or_new, house_style, note_under

__all__ = ["energy_latency", "place_end_labels", "say_unlabelled_ends", "unlabelled_ends"]


def _same_place(a: pd.Series, b: pd.Series) -> bool:
    """Whether two markers of the energy–latency plot sit (within 2 %) on the same spot."""
    return bool(
        np.isclose(a["mean_lat"], b["mean_lat"], rtol=0.02)
        and np.isclose(a["mean_eng"], b["mean_eng"], rtol=0.02)
    )


def energy_latency(
    metrics: pd.DataFrame,
    *,
    by: str = "policy",
    x: str | None = None,
    latency: str = "latency_mean_s",
    energy: str = "device_energy_mean_j",
    ax: Axes | None = None,
    order: Sequence[Any] | None = None,
    log_x: bool | None = None,
    log_y: bool | None = None,
    legend_title: str | None = None,
) -> Axes:
    """The energy–latency trade-off: device energy (above idle) against latency, a marker per ``by`` value.

    Markers are means over replications with 95 % CI bars in both
    directions.  With ``x`` (a swept key), each ``by`` value gets one marker
    per value of ``x``, joined in order of ``x``, its two ends labelled
    with their value (inside the axes) where there is room
    (:func:`unlabelled_ends` names those left off or sharing another's label; a series drawn
    under another's markers is labelled too, after the others); a series every value of ``x`` leaves on one
    spot has no label (the key does not apply to it).  Either axis turns logarithmic when
    its values span more than 10× (``log_x``/``log_y`` force it), so that
    fast policies are not crowded into one corner by a slow one.
    """
    ax = axes_or_new(ax)
    lat, eng = metric_info(latency), metric_info(energy)
    keys = [by] + ([x] if x else [])
    what = "the energy–latency markers"
    lat_table = mean_ci_by(metrics, keys, latency, what=what)
    eng_table = mean_ci_by(metrics, keys, energy, what=what)
    table = lat_table.merge(eng_table, on=keys, suffixes=("_lat", "_eng"))
    x_position: dict[Any, float] = {}
    unit = ""
    if x:
        positions, axis_label, numeric, distinct = x_positions(metrics[x].tolist(), x, None)
        x_position = {v: p for v, p in zip(distinct, positions, strict=True)}
        unit = label_unit(axis_label) if numeric else ""
    with house_style():
        styles = series_styles(names_of(metrics, by, order), order)
        ends_to_label: list[_EndLabel] = []
        under_ends: list[_EndLabel] = []  # the ends of series drawn under another's markers
        markers: list[tuple[float, float]] = []
        lines: list[tuple[str, list[tuple[float, float]]]] = []  # each labelled series' line, its points
        under = _coinciding(table, by, list(styles), x)
        named = {**_one_spot_covered(table, by, list(styles), x, x_position, unit), **under}
        for name, style in styles.items():
            rows = table[table[by] == name]
            # A swept value none of whose runs completed a task has no marker: its line ends at the
            # next one, which its end label names (it named the value not drawn, "edge's 1 Mbit/s").
            rows = rows[np.isfinite(rows[["mean_lat", "mean_eng"]].to_numpy(dtype=float)).all(axis=1)]
            if rows.empty:
                continue
            if x:
                rows = rows.assign(pos=[x_position[v] for v in rows[x]]).sort_values("pos")
            # One replication has no CI: no bars, nor the legend's cross of bars, which read as a CI.
            ci = rows[["ci_lat", "ci_eng"]].notna().to_numpy().any()
            ax.errorbar(
                rows["mean_lat"] * lat.scale,
                rows["mean_eng"] * eng.scale,
                xerr=_above_zero(rows["mean_lat"], rows["ci_lat"]) * lat.scale if ci else None,
                yerr=_above_zero(rows["mean_eng"], rows["ci_eng"]) * eng.scale if ci else None,
                color=style["color"],
                marker=style["marker"],
                linestyle=style["linestyle"] if x else "none",
                markersize=5 if not x else 4.5,
                # Hollow, each series its own shape: a marker on the same spot as another's stays visible.
                # A thin edge round a wide inside: at 3.5 points with a 1-point edge, the line and the
                # error bars through it, and another marker over it, made it read as filled.
                markerfacecolor="none",
                markeredgewidth=0.8,
                elinewidth=0.7,
                label=drawn_label(name, named, "spot"),
            )
            if not x:
                continue
            xs = rows["mean_lat"].to_numpy(dtype=float) * lat.scale
            ys = rows["mean_eng"].to_numpy(dtype=float) * eng.scale
            markers.extend(zip(xs.tolist(), ys.tolist(), strict=True))
            lines.append((str(name), list(zip(xs.tolist(), ys.tolist(), strict=True))))
            first, last = rows.iloc[0], rows.iloc[-1]
            colour = style["color"]
            # A series under another (within 2 % at every swept value) still has its ends labelled:
            # left unsaid, an end 2 % off the other's read as an end of no value. Its labels go
            # last, into the room the others leave, and share the other's where none is left.
            ends = under_ends if name in under else ends_to_label
            over = under.get(name, "")
            if len(rows) > 1 and all(_same_place(first, row) for _, row in rows.iterrows()):
                # The swept key does not move it (an NPU's rate, to a policy that runs on the CPU or
                # the edge): no value of it is this line's to label ("500–4,000 GFLOP/s" said one).
                continue
            if _same_place(first, last):  # a policy the swept value does not move: one label for both
                # (a line of one marker, the others not drawn, says which value that one is)
                text = _end_text(first, x, unit, last if len(rows) > 1 else None)
                ends.append(_EndLabel(text, xs[0], ys[0], colour, series=str(name), over=over))
            else:
                for row, at, beside in ((first, 0, 1), (last, -1, -2)):
                    text = _end_text(row, x, unit)
                    point = (xs[at], ys[at], colour, xs[beside], ys[beside])
                    ends.append(_EndLabel(text, *point, series=str(name), over=over))
        ax.set_xlabel(lat.axis_label)
        ax.set_ylabel(eng.axis_label)
        for column, which, forced in (("mean_lat", "x", log_x), ("mean_eng", "y", log_y)):
            values = table[column].to_numpy(dtype=float)
            values = values[np.isfinite(values) & (values > 0)]
            wide = bool(values.size and values.max() / values.min() > 10)
            if forced if forced is not None else wide:
                log_axis(ax, which)
            else:
                from_zero(ax, which)
        tidy_legend(ax, legend_title)
        keep_legend_clear(ax)  # before the end labels, which keep clear of it
        _label_ends(ax, ends_to_label + under_ends, markers, lines)
    return ax


def _coinciding(table: pd.DataFrame, by: str, names: Sequence[Any], x: str | None = None) -> dict[Any, str]:
    """Each series whose markers sit (within 2 %) on an earlier series' markers, and that series' name.

    Without ``x`` a series has one marker; with ``x`` (a sweep) one per swept value, and a series
    is under another only where it has the same swept values and each of its markers sits on the
    other's marker of that value (a trial's ``multi-tier`` that chose ``cloud`` at every point was
    drawn wholly under it, with nothing in the legend saying so).
    """
    rows = {name: table[table[by] == name] for name in names}
    if x is None:
        series = {name: [part.iloc[0]] for name, part in rows.items() if len(part) == 1}
    else:
        series = {
            name: [part.iloc[i] for i in np.argsort([str(v) for v in part[x]], kind="stable")]
            for name, part in rows.items()
            if len(part) and part[x].is_unique
        }

    def same(markers: list[pd.Series], earlier: list[pd.Series]) -> bool:
        return len(earlier) == len(markers) and all(
            (x is None or str(a[x]) == str(b[x])) and _same_place(a, b)
            for a, b in zip(markers, earlier, strict=True)
        )

    return drawn_under(list(series.items()), same)


def _one_spot_covered(
    table: pd.DataFrame, by: str, names: Sequence[Any], x: str | None, x_position: dict[Any, float], unit: str
) -> dict[Any, str]:
    """Each series every swept value leaves on one spot where another's markers are, and which of them.

    ``local`` at one spot whatever the bandwidth, ``neurosurgeon`` running locally at 2 and 5 Mbit/s:
    its markers were drawn over local's one, which the legend listed with nothing in view, and no
    label (no swept value is its own). ``{"local": "neurosurgeon's 2, 5 Mbit/s"}``, for its legend
    entry. A series on another's spot at each of its swept values is :func:`_coinciding`'s.
    """
    if not x:
        return {}
    finite = table[pd.notna(table["mean_lat"]) & pd.notna(table["mean_eng"])]
    finite = finite.assign(pos=[x_position[v] for v in finite[x]]).sort_values("pos")
    rows = {name: [row for _, row in finite[finite[by] == name].iterrows()] for name in names}
    covered: dict[Any, str] = {}
    for name, mine in rows.items():
        if len(mine) < 2 or not all(_same_place(mine[0], row) for row in mine):
            continue
        for other, theirs in rows.items():
            on = [row for row in theirs if _same_place(mine[0], row)]
            if other != name and on and len(on) < len(theirs):
                values = ", ".join(plain_number(row["pos"]) if unit else str(row[x]) for row in on)
                covered[name] = f"{other}'s {values}{f' {unit}' if unit else ''}"
                break
    return covered


def _above_zero(mean: pd.Series, half: pd.Series) -> np.ndarray:
    """Asymmetric error bars of a non-negative quantity: the lower arm stops at zero."""
    m, h = mean.to_numpy(dtype=float), half.to_numpy(dtype=float)
    return np.vstack([np.minimum(h, m), h])


def _end_text(row: pd.Series, x: str, unit: str, last: pd.Series | None = None) -> str:
    """``"10 Mbit/s"`` (or ``"10–500 Mbit/s"`` from ``row`` to ``last``): a swept value in display units."""
    if not unit:
        return str(row[x]) if last is None else f"{row[x]}–{last[x]}"
    first = plain_number(row["pos"])
    return f"{first} {unit}" if last is None else f"{first}–{plain_number(last['pos'])} {unit}"


class _EndLabel(NamedTuple):
    """The label of a line's end point; ``(nx, ny)`` is the point next to it on the line, if any.

    ``series`` names the line, for the note that says which ends had no room for their label;
    ``over``, the series whose markers it is drawn on (the legend's ``edge (same spot as local)``),
    whose label of the same text it shares where it has no room for its own.
    """

    text: str
    x: float
    y: float
    colour: str
    nx: float = math.nan
    ny: float = math.nan
    series: str = ""
    over: str = ""


#: An end label's type size (points), as drawn (:func:`_label_ends`) and as measured (:func:`_label_room`).
_END_LABEL_PT = 6

#: How far from its point a label is tried (points): beside it, then further out with a leader line.
_LABEL_OFFSETS = (4.0, 11.0, 18.0)


def _label_ends(
    ax: Axes,
    labels: Sequence[_EndLabel],
    markers: Sequence[tuple[float, float]] = (),
    lines: Sequence[tuple[str, Sequence[tuple[float, float]]]] = (),
) -> None:
    """Annotate line ends with small labels inside the axes, each where it overlaps no other label.

    Each label tries the four corners around its point: first the one the
    line points to as it leaves its neighbour (so the label reads as the
    line's end, not as the point beside it), then the others, preferring
    the inside of the axes.  A corner whose label would cover or touch
    another marker (``markers``, in data coordinates) is not taken either: a
    label beside another series' point reads as that point's, and so does one across another
    series' line (``lines``: each series' name and points): a trial's edge "50 Mbit/s" sat at the
    end of another series' line, far from its own.  Where no corner beside the point is free, the
    corners further out are tried, a thin line in the series' colour leading to the point.  One that fits
    nowhere is left off rather than drawn over another (the legend and the
    line still say which it is, and :func:`unlabelled_ends` which were left
    off, for the figure's note under the axes).  An end on the spot of one
    already labelled with the same text (two policies that both offload
    everything at 500 Mbit/s) shares that label, and the note says so; so does an end of a series
    drawn under another's markers (within 2 %, ``edge (same spot as local)``) that finds no room
    for its own label beside the other's: the other's label of the same value is its too.
    """
    for note in _END_LABELS.pop(ax, _Ends([], [], [], [], [], [], [])).notes:
        note.remove()  # placed before the figure's final layout
    if not labels:
        return
    notes: list[Annotation] = []
    left: list[_EndLabel] = []
    shared: list[tuple[_EndLabel, _EndLabel]] = []
    met: list[tuple[_EndLabel, _EndLabel]] = []
    _END_LABELS[ax] = _Ends(list(labels), list(markers), notes, left, shared, list(lines), met)
    renderer = laid_out(ax)
    # A margin of 2 px: constrained layout still moves a panel by a pixel or two at the next draw.
    frame = ax.get_window_extent(renderer).padded(-2.0)
    legend = ax.get_legend()
    placed = [legend.get_window_extent(renderer)] if legend is not None else []
    reach = 4 * ax.figure.dpi / 72  # a marker's half-width and a margin, in pixels
    dots = [ax.transData.transform(point) for point in markers]
    segments = [  # each series' line, a segment at a time, in pixels
        (name, pixels[i], pixels[i + 1])
        for name, points in lines
        for pixels in [ax.transData.transform(points)]
        if len(points) > 1
        for i in range(len(points) - 1)
    ]
    labelled: list[tuple[_EndLabel, float, float]] = []  # the ends given a label, at their pixels
    for label in labels:
        text, x, y, colour, nx, ny, _, _ = label
        px, py = ax.transData.transform((x, y))
        near = (done for done, dx, dy in labelled if math.hypot(dx - px, dy - py) <= reach)
        twin = next((done for done in near if done.text == text), None)
        if twin is not None:  # its label would say what the one on the same spot says
            shared.append((label, twin))
            continue
        # Another line's end of another value on this very spot (local's 50 Mbit/s where edge's
        # 5 Mbit/s is): two labels of two values beside one marker, said under the axes as one spot.
        met_here = (done for done, dx, dy in labelled if _meets(label, done, px - dx, py - dy, reach))
        other = next(met_here, None)
        if other is not None:
            met.append((label, other))
        others = [
            Bbox.from_extents(mx - reach, my - reach, mx + reach, my + reach)
            for mx, my in dots
            if math.hypot(mx - px, my - py) > reach  # its own marker, and those drawn in the same place
        ]
        if math.isfinite(nx) and math.isfinite(ny):
            qx, qy = ax.transData.transform((nx, ny))
            away = (px - qx, py - qy)
        else:  # towards the middle of the axes
            away = (frame.x0 + frame.width / 2 - px, frame.y0 + frame.height / 2 - py)
        # The directions from the point, those the line points to first: beside it, the four
        # corners; further out, the sides and above and below too.
        ahead = sorted(
            ((sx, sy) for sx in (1, -1, 0) for sy in (1, -1, 0) if (sx, sy) != (0, 0)),
            key=lambda d: -(d[0] * away[0] + d[1] * away[1]) / math.hypot(*d),
        )
        tries = [(o, d) for o in _LABEL_OFFSETS for d in ahead if o > _LABEL_OFFSETS[0] or 0 not in d]
        # Other series' lines, but for a segment from this end's spot (two lines meeting at it):
        # every label beside the end would cross that one.
        crossed = [
            Path([a, b])
            for name, a, b in segments
            if name != label.series and min(math.hypot(*(a - (px, py))), math.hypot(*(b - (px, py)))) > reach
        ]
        for offset, (sx, sy) in tries:
            led = offset > _LABEL_OFFSETS[0]  # away from its point: a leader line says whose it is
            note = ax.annotate(
                text,
                (x, y),
                textcoords="offset points",
                xytext=(sx * offset, sy * offset),
                ha=("right", "center", "left")[sx + 1],
                va=("top", "center", "bottom")[sy + 1],
                fontsize=_END_LABEL_PT,
                color=colour,
                bbox=LABEL_BOX,
                arrowprops={"arrowstyle": "-", "color": colour, "lw": 0.5, "shrinkB": 2} if led else None,
            )
            note.set_in_layout(False)  # placed inside the axes: the layout need not make room for it
            box = note.get_window_extent(renderer)
            inside = frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
            clear = not any(box.overlaps(other) for other in (*placed, *others)) and not any(
                path.intersects_bbox(box, filled=False) for path in crossed
            )
            if inside and clear:
                placed.append(box)
                notes.append(note)
                labelled.append((label, px, py))
                break
            note.remove()
        else:
            # A series under another, 2 % off its end: the other's label of the same value is its too.
            twin = next((done for done, _, _ in labelled if label.over and _over_twin(label, done)), None)
            if twin is not None:
                shared.append((label, twin))
            else:
                left.append(label)


def _meets(label: _EndLabel, done: _EndLabel, dx: float, dy: float, reach: float) -> bool:
    """Whether ``done``, ``(dx, dy)`` pixels off, is another line's end of another value at ``label``."""
    return math.hypot(dx, dy) <= reach and done.series != label.series and done.text != label.text


def _over_twin(label: _EndLabel, done: _EndLabel) -> bool:
    """Whether ``done`` is the label of the same value on the line ``label``'s series is drawn on."""
    return done.series == label.over and done.text == label.text


class _Ends(NamedTuple):
    """The end labels of one energy–latency Axes: what to label, the markers, and how they were placed.

    ``left`` had no room; each of ``shared`` sits on the spot of another end labelled with the
    same text (that end is its pair's second); each of ``met``, on the spot of another line's end
    labelled with another value (each keeps its own label).
    """

    labels: list[_EndLabel]
    markers: list[tuple[float, float]]
    notes: list[Annotation]
    left: list[_EndLabel]
    shared: list[tuple[_EndLabel, _EndLabel]]
    lines: list[tuple[str, Sequence[tuple[float, float]]]]
    met: list[tuple[_EndLabel, _EndLabel]]


#: The end labels of each energy–latency Axes, so that :func:`place_end_labels` can place them
#: again once the whole figure is laid out.
_END_LABELS: weakref.WeakKeyDictionary[Axes, _Ends] = weakref.WeakKeyDictionary()


def unlabelled_ends(axes: Sequence[Axes]) -> str:
    """The note under a figure naming the ends :func:`energy_latency` gave no label of their own, or ``""``.

    A line whose end label is left off no longer says which end is which swept value; the note says
    which labels are missing and why (no room, or one label on the spot for two lines' ends), so
    that the reader does not take an unlabelled end for another one; and where two lines end on
    one spot at different values (local's 50 Mbit/s on edge's 5 Mbit/s), that the one marker
    there is both ends, its two labels beside it one value each.

    >>> unlabelled_ends([])
    ''
    """
    missing: list[str] = []
    shared: list[str] = []
    met: list[str] = []
    for ax in axes:
        ends = _END_LABELS.get(ax)
        if ends is None:
            continue
        for label in ends.left:
            what = _end_name(label)
            if what not in missing:
                missing.append(what)
        for label, twin in ends.shared:
            what = (
                f"{twin.series}'s and {label.series}'s {label.text}"
                if twin.series and label.series
                else f"{_end_name(twin)} and {_end_name(label)}"
            )
            if what not in shared:
                shared.append(what)
        for label, other in ends.met:
            what = f"{_end_name(other)} and {_end_name(label)}"
            if what not in met:
                met.append(what)
    said = []
    if shared:
        said.append(f"one label for ends on the same spot: {_first_few(shared)}")
    if met:
        said.append(f"lines ending on one spot: {_first_few(met)}")
    if missing:
        said.append(f"no room for the labels of these line ends: {_first_few(missing)}")
    return "; ".join(said)


def _end_name(label: _EndLabel) -> str:
    """``neurosurgeon's 500 Mbit/s``: a line end as the note under the figure names it."""
    return f"{label.series}'s {label.text}" if label.series else label.text


def _first_few(names: Sequence[str]) -> str:
    """The first :data:`_MISSING_SHOWN` of ``names``, and how many more."""
    shown = ", ".join(names[:_MISSING_SHOWN])
    return shown + (f" and {len(names) - _MISSING_SHOWN} more" if len(names) > _MISSING_SHOWN else "")


#: How many left-off end labels the note names.
_MISSING_SHOWN = 4


def place_end_labels(ax: Axes) -> None:
    """Place the end labels :func:`energy_latency` drew on ``ax`` again, at the figure's present layout.

    A panel of a multi-panel figure is labelled before the other panels, the
    shared legend and the notes under the figure shrink it: a label that fitted
    then may run out of the panel now.
    """
    kept = _END_LABELS.get(ax)
    if kept is not None:
        with house_style():
            _label_ends(ax, kept.labels, kept.markers, kept.lines)


def say_unlabelled_ends(fig: Figure, note: str = "", axes: Sequence[Axes] | None = None) -> bool:
    """Set ``note`` under ``fig``, and the line ends of its energy–latency axes left without their own label.

    A line whose end had no label no longer says which end is which swept value. The labels go
    at the layout the notes under the axes leave (placed before, one could sit outside its panel
    or on another label now); a note naming those left off takes room too, so they go again and
    the note says what is left off then (a few rounds, until it names what it names). Each round
    first grows the figure where the notes left a panel short (:func:`keep_panels_tall`): grown
    after, the labels were placed in panels a third shorter than drawn, and vgg16's 1.1 Mbit/s at
    the top of its panel was said to have no room. Both ``offloadsim plot --kind energy`` and the
    gallery's figure end with it, so that neither leaves an end unlabelled without a word.
    Returns whether the figure grew.
    """
    axes = list(fig.axes if axes is None else axes)
    said: str | None = None
    widened: set[str] = set()
    grew = False
    for _ in range(_ROUNDS):
        grew = keep_panels_tall(fig) or grew
        for ax in axes:
            place_end_labels(ax)
        if _make_room(axes, widened):
            for ax in axes:
                place_end_labels(ax)
        missing = unlabelled_ends(axes)
        if missing == said:
            return grew
        said = missing
        text = "\n".join(part for part in (note, missing) if part)
        if text:
            note_under(fig, text)
            fit_y_labels(fig)  # the note took height from the axes
    grew = keep_panels_tall(fig) or grew
    for ax in axes:
        place_end_labels(ax)
    return grew


#: How many times the note of unlabelled line ends and the labels are placed before the note stays.
_ROUNDS = 4

#: The room (points) an axis gains past a line end at its edge that had no room for its label.
_EDGE_ROOM_PT = 16.0


def _make_room(axes: Sequence[Axes], widened: set[str]) -> bool:
    """Widen each labelled panel's axes past an edge where a line end sits with no room for its label.

    A line's last marker is the data's extreme, drawn within a few points of the axes' edge: its
    label fitted neither above it (past the edge) nor beside it (half of it past the edge), and
    across the other series' lines it is not set (vgg16's 1.1 Mbit/s, at the top of a panel, was
    named under the figure as having no room).  Every panel gains the same room on that side, so
    that panels sharing a range still share it; each side once (``widened``). The room an end
    wants on a side is its label's width (left, right) or height (bottom, top) and the gap beside
    it, at least :data:`_EDGE_ROOM_PT`. Whether any side was widened.
    """
    short: dict[str, float] = {}  # each side's room wanting, in pixels
    labelled = [ax for ax in axes if ax in _END_LABELS]
    for ax in labelled:
        ends = _END_LABELS[ax]
        if not ends.left:
            continue
        renderer = laid_out(ax)
        frame = ax.get_window_extent(renderer)
        edge = _EDGE_ROOM_PT * ax.figure.dpi / 72
        for label in ends.left:
            px, py = ax.transData.transform((label.x, label.y))
            wide, tall = _label_room(ax, label, renderer)
            gaps = {
                "left": (px - frame.x0, wide),
                "right": (frame.x1 - px, wide),
                "bottom": (py - frame.y0, tall),
                "top": (frame.y1 - py, tall),
            }
            for side, (gap, label_needs) in gaps.items():
                need = max(edge, label_needs)
                if gap < need and side not in widened:
                    short[side] = max(short.get(side, 0.0), need - gap)
    for ax in labelled:
        for side, pixels in short.items():
            _widen(ax, side, pixels)
    widened |= set(short)
    return bool(short)


def _label_room(ax: Axes, label: _EndLabel, renderer: Any) -> tuple[float, float]:
    """The width and height (pixels) a label beside its point takes from it: its box and the gap.

    An end some way in from an edge had no room either where its label was wider than that way:
    sweep-bandwidth's least-loaded 100 Mbit/s, 24 points from the left with a label 40 wide, the
    other sides taken by edge's line and label, was named under the figure as having no room.
    """
    note = ax.annotate(label.text, (label.x, label.y), fontsize=_END_LABEL_PT, bbox=LABEL_BOX)
    try:
        box = note.get_window_extent(renderer)
    finally:
        note.remove()
    beside = (_LABEL_OFFSETS[0] + 2.0) * ax.figure.dpi / 72  # the offset, and the frame's margin
    return box.width + beside, box.height + beside


def _widen(ax: Axes, side: str, pixels: float) -> None:
    """Move one end of an axis of ``ax`` out (``side``: left, right, bottom, top) by about ``pixels``."""
    axis, get, set_ = (ax.xaxis, ax.get_xlim, ax.set_xlim) if side in ("left", "right") else (
        ax.yaxis, ax.get_ylim, ax.set_ylim)  # fmt: skip
    length = ax.bbox.width if axis is ax.xaxis else ax.bbox.height
    if length <= 2 * pixels:
        return
    scale = axis.get_transform()  # log10 on a log axis: the room is the same on the page either way
    low, high = (float(v) for v in scale.transform(np.array(get())))
    room = (high - low) * pixels / (length - pixels)
    low, high = (low - room, high) if side in ("left", "bottom") else (low, high + room)
    new = scale.inverted().transform(np.array([low, high]))
    set_(float(new[0]), float(new[1]))
    from_zero(ax, "x" if axis is ax.xaxis else "y")  # room below 0 J or 0 ms is room for no value
