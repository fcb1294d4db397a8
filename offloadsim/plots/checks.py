"""What a reviewer checks on a figure, as a list of problems: clashing labels, stray text, log bars.

The tests assert that every figure kind has none, and
``analysis/build_gallery.py`` refuses to write a gallery figure that has any.
"""

from __future__ import annotations

import string
from typing import Any, NamedTuple

import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.colors import to_hex
from matplotlib.container import BarContainer, ErrorbarContainer
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.markers import MarkerStyle
from matplotlib.patches import Patch
from matplotlib.path import Path
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from offloadsim.plots.axes import lines_under_legend
from offloadsim.plots.style import house_style, is_label

__all__ = ["figure_problems", "legend_over_data"]


def _shown(labels: list[Text], ax: Axes, which: str) -> list[Text]:
    """The tick labels drawn: visible, with text, at a tick inside the axis' limits."""
    lo, hi = sorted(ax.get_xlim() if which == "x" else ax.get_ylim())
    at = 0 if which == "x" else 1
    return [
        t for t in labels if t.get_visible() and t.get_text().strip() and lo <= t.get_position()[at] <= hi
    ]


def figure_problems(fig: Figure) -> list[str]:
    """Everything in ``fig`` a reviewer would send back, one line each (an empty list when none).

    Overlapping tick labels; a log axis with fewer than two labelled ticks;
    text placed in an Axes that runs outside it; a figure's title, footnote or
    legend, or a panel's title or axis label, that runs past the figure's edge; a marker (a line's or a
    scatter's) cut by the edge of its axes; a hollow marker lost on another's filled marker (its ring
    not clear of it); bars on a log value axis; an empty legend entry, or two
    entries that look the same; panels of a multi-panel figure without
    ``(a)``, ``(b)``... titles; a legend over an axis label or tick labels; a line of the footnote
    or an x label that ends with a label (``y:``) whose words went to the next line.
    Measured in the house style, as the figure is saved.
    """
    with house_style():
        return _problems(fig)


def legend_over_data(fig: Figure) -> list[str]:
    """Each legend of ``fig`` whose box covers plotted data, one line each.

    Data are lines, scatter markers, bars, error bars' whiskers and caps and
    the shaded CI band around a line, all of its area
    (:func:`~offloadsim.plots.axes.lines_under_box`), measured in display
    coordinates at the figure's layout, as saved: a legend drawn over them
    hides the very data the figure is about.  A figure's own legend (above
    the panels) is held to every panel's data.  Empty when none.
    """
    with house_style():
        fig.draw_without_rendering()
        renderer = fig._get_renderer()  # type: ignore[attr-defined]  # as in _problems
        axes = [ax for ax in fig.axes if ax.get_visible()]
        problems = []
        for number, ax in enumerate(axes):
            name = f"panel {number + 1}" if len(axes) > 1 else "the axes"
            legends = [("its legend", ax.get_legend())] + [("the figure's legend", fl) for fl in fig.legends]
            for what, legend in legends:
                if legend is None or not legend.get_visible():
                    continue
                covered = lines_under_legend(ax, legend, renderer)
                if covered:
                    problems.append(f"{name}: {what} covers the data of {', '.join(map(repr, covered))}")
        return problems


def _problems(fig: Figure) -> list[str]:
    fig.draw_without_rendering()
    renderer = fig._get_renderer()  # type: ignore[attr-defined]  # the layout's renderer, any canvas
    problems = []
    axes = [ax for ax in fig.axes if ax.get_visible()]
    for number, ax in enumerate(axes):
        name = f"panel {number + 1}" if len(axes) > 1 else "the axes"
        for which, labels in (("x", ax.get_xticklabels()), ("y", ax.get_yticklabels())):
            shown = _shown(labels, ax, which)
            boxes = [t.get_window_extent(renderer).shrunk(0.98, 0.98) for t in shown]
            clashes = {
                (shown[i].get_text(), shown[j].get_text())
                for i in range(len(boxes))
                for j in range(i + 1, len(boxes))
                if boxes[i].overlaps(boxes[j])
            }
            if clashes:
                problems.append(f"{name}: {which} tick labels overlap: {sorted(clashes)[:3]}")
            if (ax.get_xscale() if which == "x" else ax.get_yscale()) == "log" and len(shown) < 2:
                problems.append(
                    f"{name}: its log {which} axis has {len(shown)} labelled tick(s), too few to read"
                )
        frame = ax.get_window_extent(renderer).padded(1.0)
        problems += [f"{name}: {problem}" for problem in _cut_markers(ax, frame)]
        problems += [f"{name}: {problem}" for problem in _hidden_rings(ax)]
        edge = fig.bbox.padded(1.0)
        for text in (ax.title, ax._left_title, ax._right_title, ax.xaxis.label, ax.yaxis.label):  # type: ignore[attr-defined]
            if text.get_visible() and text.get_text().strip():
                box = text.get_window_extent(renderer)
                if not (edge.contains(box.x0, box.y0) and edge.contains(box.x1, box.y1)):
                    problems.append(f"{name}: {text.get_text()!r} runs past the figure's edge")
        for text in ax.texts:
            if not text.get_visible():
                continue
            box = text.get_window_extent(renderer)
            if not (frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1)):
                problems.append(f"{name}: text {text.get_text()!r} runs outside its axes")
        for container in ax.containers:
            if isinstance(container, BarContainer):
                horizontal = container.orientation == "horizontal"
                scale = ax.get_xscale() if horizontal else ax.get_yscale()
                if scale != "linear":
                    problems.append(f"{name}: bars on a {scale} axis (a bar's length means nothing there)")
        legend = ax.get_legend()
        if legend is not None and not all(t.get_text().strip() for t in legend.get_texts()):
            problems.append(f"{name}: an empty legend entry")
        if legend is not None:
            problems += [f"{name}: {problem}" for problem in _alike_entries(legend)]
            box = legend.get_window_extent(renderer).shrunk(0.98, 0.9)
            for title in (ax.title, ax._left_title, ax._right_title):  # type: ignore[attr-defined]
                if title.get_text().strip() and box.overlaps(title.get_window_extent(renderer)):
                    problems.append(f"{name}: the legend overlaps the title {title.get_text()!r}")
    for legend in fig.legends:
        problems += [f"the figure's legend: {problem}" for problem in _alike_entries(legend)]
    problems += _figure_texts_clash(fig, axes, renderer)
    problems += _labels_left_at_line_ends(fig, axes)
    problems += _legends_over_labels(fig, axes, renderer)
    if len(axes) > 1:
        for letter, ax in zip(string.ascii_lowercase, axes, strict=False):
            if not ax.get_title(loc="left").startswith(f"({letter})"):
                problems.append(f"panel {letter}: no ({letter}) label to refer to it by")
    return problems


class _Markers(NamedTuple):
    """One artist's data markers in view: centres (display pixels), outer radii and edge widths (pixels)."""

    label: str
    centres: np.ndarray
    radii: np.ndarray
    edges: np.ndarray
    hollow: bool
    #: Whether a marker hides what lies under it: filled, of a shape with an inside (not an x or a +).
    covers: bool
    clipped: bool


def _markers(ax: Axes) -> list[_Markers]:
    """Every line's markers and every scatter's, whose centre lies within the axes' limits.

    A line's marker is ``markersize`` points across plus its edge; a scatter's is the square root
    of its size (pt²) across plus its edge.  Error bars' caps are left out (an arm may run off the
    axis on purpose), as are a scatter's markers not placed in data coordinates.
    """
    lo_x, hi_x = sorted(ax.get_xlim())
    lo_y, hi_y = sorted(ax.get_ylim())
    pixels = ax.figure.dpi / 72
    found = []

    def in_view(xy: np.ndarray) -> np.ndarray:
        shown = np.isfinite(xy).all(axis=1)
        return shown & (xy[:, 0] >= lo_x) & (xy[:, 0] <= hi_x) & (xy[:, 1] >= lo_y) & (xy[:, 1] <= hi_y)

    for line in ax.get_lines():
        marker = line.get_marker()
        if not line.get_visible() or marker in ("", "None", None, " ", "|", "_"):
            continue
        xy = np.asarray(line.get_xydata(), dtype=float).reshape(-1, 2)
        shown = in_view(xy)
        face = line.get_markerfacecolor()
        hollow = (isinstance(face, str) and face.lower() == "none") or line.get_fillstyle() == "none"
        covers = not hollow and MarkerStyle(marker).is_filled()
        edge = float(line.get_markeredgewidth()) * pixels
        radius = float(line.get_markersize()) / 2 * pixels + edge / 2
        n = int(shown.sum())
        centres = ax.transData.transform(xy[shown]) if n else np.empty((0, 2))
        found.append(
            _Markers(
                str(line.get_label()),
                centres,
                np.full(n, radius),
                np.full(n, edge),
                hollow,
                covers,
                line.get_clip_on(),
            )
        )
    for points in ax.collections:
        if not isinstance(points, PathCollection) or not points.get_visible():
            continue
        if points.get_offset_transform() is not ax.transData:
            continue
        xy = np.asarray(points.get_offsets(), dtype=float).reshape(-1, 2)
        if not len(xy):
            continue
        shown = in_view(xy)
        n = len(xy)
        sizes = (
            np.broadcast_to(np.asarray(points.get_sizes(), dtype=float), n)
            if len(points.get_sizes())
            else np.full(n, 36.0)
        )
        widths = np.atleast_1d(np.asarray(points.get_linewidth(), dtype=np.float64))
        edges = np.broadcast_to(widths if len(widths) else np.zeros(1), n) * pixels
        faces = np.asarray(points.get_facecolor()).reshape(-1, 4)
        hollow = len(faces) == 0 or bool((faces[:, 3] == 0).all())
        closed = [
            p.codes is not None and bool((np.asarray(p.codes) == Path.CLOSEPOLY).any())
            for p in points.get_paths()
        ]
        covers = not hollow and bool(closed) and all(closed)  # an x's strokes enclose nothing
        radii = np.sqrt(sizes) / 2 * pixels + edges / 2
        centres = ax.transData.transform(xy[shown]) if shown.any() else np.empty((0, 2))
        found.append(
            _Markers(
                str(points.get_label()),
                centres,
                radii[shown],
                edges[shown],
                hollow,
                covers,
                points.get_clip_on(),
            )
        )
    return found


def _cut_markers(ax: Axes, frame: Bbox) -> list[str]:
    """A data marker whose centre is in view but which the edge of the axes cuts (caps of bars aside).

    Lines' markers and scatters' alike: a hollow circle of a split figure drawn at depth 0 was cut
    in half by the x axis.
    """
    found = []
    for markers in _markers(ax):
        if not markers.clipped:
            continue
        for (px, py), reach in zip(markers.centres, markers.radii, strict=True):
            inside = frame.x0 <= px - reach and px + reach <= frame.x1
            inside &= frame.y0 <= py - reach and py + reach <= frame.y1
            if not inside:
                x, y = ax.transData.inverted().transform((px, py))
                found.append(
                    f"the marker of {markers.label!r} at ({x:.4g}, {y:.4g}) is cut by the axes' edge"
                )
                break
    return found


def _hidden_rings(ax: Axes) -> list[str]:
    """A hollow marker whose ring lies on another artist's filled marker: its inside edge all within it.

    The ring then lies on the filled marker's outline or inside it, drawn under it or over its fill:
    it does not read as a ring at all (a split figure's circle of the 14 % of tasks run whole, at
    depth 20, sat on the all-local line's marker there).  A ring that runs outside the outline
    somewhere (two points near each other) still reads as its own marker.
    """
    markers = _markers(ax)
    filled = [m for m in markers if m.covers and len(m.centres)]
    found = []
    for ring in (m for m in markers if m.hollow):
        lost = False
        for (px, py), radius, edge in zip(ring.centres, ring.radii, ring.edges, strict=True):
            for other in filled:
                if other is ring:
                    continue
                gaps = np.hypot(other.centres[:, 0] - px, other.centres[:, 1] - py)
                under = gaps + radius - edge <= other.radii  # the ring's inside edge all within the outline
                if under.any():
                    x, y = ax.transData.inverted().transform((px, py))
                    found.append(
                        f"the hollow marker of {ring.label!r} at ({x:.4g}, {y:.4g}) is lost on the marker of "
                        f"{other.label!r}: its ring does not clear it"
                    )
                    lost = True
                    break
            if lost:
                break
    return found


def _look(handle: Any) -> tuple[Any, ...]:
    """What a legend handle looks like: its colour, marker and line style (or a patch's fill)."""
    if isinstance(handle, ErrorbarContainer):
        handle = handle.lines[0]
    if isinstance(handle, BarContainer):
        handle = handle.patches[0] if handle.patches else None
    if isinstance(handle, Line2D):
        face: Any = handle.get_markerfacecolor()
        fill = "none" if isinstance(face, str) and face.lower() == "none" else to_hex(face, keep_alpha=True)
        return (
            "line",
            to_hex(handle.get_color()),
            str(handle.get_marker()),
            fill,
            str(handle.get_linestyle()),
        )
    if isinstance(handle, LineCollection):  # an error bar's key: its bars' colour
        colours: Any = handle.get_color()
        return ("bars", to_hex(colours[0]) if len(colours) else None)
    if isinstance(handle, Patch):
        face, edge = handle.get_facecolor(), handle.get_edgecolor()
        return (
            "patch",
            to_hex(face, keep_alpha=True),
            to_hex(edge, keep_alpha=True),
            str(handle.get_hatch()),
        )
    return ("other", id(handle))


def _alike_entries(legend: Legend) -> list[str]:
    """Legend entries whose keys look the same: a reader cannot tell their series apart."""
    seen: dict[tuple[Any, ...], str] = {}
    found = []
    for handle, text in zip(legend.legend_handles, legend.get_texts(), strict=False):
        if not text.get_text().strip():
            continue  # a blank entry pads a row
        look = _look(handle)
        if look in seen:
            found.append(f"entries {seen[look]!r} and {text.get_text()!r} look the same")
        else:
            seen[look] = text.get_text()
    return found


def _figure_texts_clash(fig: Figure, axes: list[Axes], renderer: Any) -> list[str]:
    """The figure's own title, footnote and legends running into each other, a panel or its edge.

    Past the figure's edge, the saved file cuts them: a note wider than the figure lost its ends.
    """
    named: list[tuple[str, Bbox]] = []
    figure_texts = (("title", fig._suptitle), ("footnote", fig._supxlabel))  # type: ignore[attr-defined]
    for name, text in figure_texts:
        if text is not None and text.get_visible() and text.get_text().strip():
            named.append((f"the figure's {name} {text.get_text()!r}", text.get_window_extent(renderer)))
    named += [("the figure's legend", legend.get_window_extent(renderer)) for legend in fig.legends]
    found = []
    edge = fig.bbox.padded(1.0)
    for name, box in named:
        if not (edge.contains(box.x0, box.y0) and edge.contains(box.x1, box.y1)):
            found.append(f"{name} runs past the figure's edge")
    for i, (name, box) in enumerate(named):
        for other, other_box in named[i + 1 :]:
            if box.shrunk(0.98, 0.9).overlaps(other_box.shrunk(0.98, 0.9)):
                found.append(f"{name} overlaps {other}")
        for number, ax in enumerate(axes):
            if any(box.shrunk(0.98, 0.9).overlaps(part.shrunk(0.98, 0.9)) for part in _parts(ax, renderer)):
                found.append(f"{name} overlaps panel {number + 1}")
    return found


def _labels_left_at_line_ends(fig: Figure, axes: list[Axes]) -> list[str]:
    """A line of the figure's footnote or a panel's x label that ends with a clause's label (``y:``).

    What the label names went to the next line: "... median); y:" over "sum of profile's per-layer
    times" read as a y with nothing said of it (:func:`~offloadsim.plots.style.is_label`).
    """
    texts = [("the figure's footnote", fig._supxlabel)]  # type: ignore[attr-defined]
    texts += [
        (f"panel {n + 1}'s x label" if len(axes) > 1 else "the x label", ax.xaxis.label)
        for n, ax in enumerate(axes)
    ]
    found = []
    for name, text in texts:
        if text is None or not text.get_visible():
            continue
        for line in text.get_text().split("\n")[:-1]:
            words = line.split()
            if words and is_label(words, len(words) - 1):
                found.append(f"{name}: a line ends with the label {words[-1]!r}, what it names on the next")
    return found


def _legends_over_labels(fig: Figure, axes: list[Axes], renderer: Any) -> list[str]:
    """Each legend, a panel's or the figure's, whose box runs over a panel's axis label or tick labels.

    The constrained layout makes no room for a y label's height: where a legend above the figure
    left the axes shorter than their label, the label ran up into the legend's entries.  The box
    is the legend's own (its padding included), each text's as drawn, so a label touching a
    legend's first entry counts.
    """
    own = [f"panel {n + 1}'s legend" for n in range(len(axes))] if len(axes) > 1 else ["the axes' legend"]
    legends = [(what, ax.get_legend()) for what, ax in zip(own, axes, strict=True)]
    legends += [("the figure's legend", legend) for legend in fig.legends]
    found = []
    for what, legend in legends:
        if legend is None or not legend.get_visible():
            continue
        box = legend.get_window_extent(renderer)
        for number, ax in enumerate(axes):
            name = f"panel {number + 1}'s" if len(axes) > 1 else "the"
            texts = [(f"{which} label {label.get_text()!r}", label) for which, label in _axis_labels(ax)]
            texts += [
                (f"{which} tick label {tick.get_text()!r}", tick)
                for which, ticks in (("x", ax.get_xticklabels()), ("y", ax.get_yticklabels()))
                for tick in _shown(ticks, ax, which)
            ]
            for text_name, text in texts:
                if box.overlaps(text.get_window_extent(renderer)):
                    found.append(f"{what} runs over {name} {text_name}")
    return found


def _axis_labels(ax: Axes) -> list[tuple[str, Text]]:
    """``ax``'s x and y labels that are drawn (visible, with text), each named by its axis."""
    labels = (("x", ax.xaxis.label), ("y", ax.yaxis.label))
    return [(which, label) for which, label in labels if label.get_visible() and label.get_text().strip()]


def _parts(ax: Axes, renderer: Any) -> list[Bbox]:
    """Where a panel draws: its frame, titles, axis labels and tick labels (not the gaps between them)."""
    texts = [ax.title, ax._left_title, ax._right_title, ax.xaxis.label, ax.yaxis.label]  # type: ignore[attr-defined]
    texts += _shown(ax.get_xticklabels(), ax, "x") + _shown(ax.get_yticklabels(), ax, "y")
    shown = [t for t in texts if t.get_visible() and t.get_text().strip()]
    return [ax.get_window_extent(renderer)] + [t.get_window_extent(renderer) for t in shown]
