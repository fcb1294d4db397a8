"""The validation figure: the prediction error against the measured median, per configuration.

A predicted-against-measured scatter over two decades hides the 3-50 %
errors that matter; here y is the error itself, on a linear scale, with
the target band shaded.  Every point is one configuration (model x split x
link, or flows x link x stagger): colour and marker say the first two, a
small label beside the point the rest, so nothing is pooled.  A second
link model's predictions (``alternative``) are drawn as hollow markers
joined to the filled ones by a thin line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

import numpy as np

from offloadsim.plots.axes import label_panels, laid_out, value_ticks
from offloadsim.plots.style import MARKERS, PALETTE, house_style, new_axes, note_under

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.path import Path as MplPath
    from matplotlib.transforms import Bbox

__all__ = ["Predictions", "validation_figure"]

_PATTERN_TITLES = {"closed": "one request at a time", "poisson": "Poisson, 50 % load"}
_GREY = "0.35"
_LINKS = {"none": ""}  # how a point's label names its link (local runs use none)


class Predictions(NamedTuple):
    """One link model's tables: ``campaign.validation_table``'s and ``campaign.flows_table``'s."""

    link_model: str
    table: pd.DataFrame
    flows: pd.DataFrame | None = None


class _Panel(NamedTuple):
    """What one panel draws: rows, their key columns, the colour/marker columns and the label per row."""

    rows: pd.DataFrame
    keys: list[str]
    measured: str
    predicted: str
    colour: str
    marker: str
    labels: list[str]
    tolerance: float
    what: str


def _error(rows: pd.DataFrame, measured: str, predicted: str) -> np.ndarray:
    """100 (predicted - measured) / measured, per row."""
    m = rows[measured].to_numpy(float)
    return 100.0 * (rows[predicted].to_numpy(float) - m) / m


def _inference_label(row: Any) -> str:
    return _LINKS.get(str(row.get("link", "")), str(row.get("link", "")))


def _flows_label(row: Any) -> str:
    link = _LINKS.get(str(row.get("link", "")), str(row.get("link", "")))
    staggered = float(row.get("stagger_ms", 0.0) or 0.0) > 0
    return f"{link}, st." if staggered else link


def _panels(table: pd.DataFrame, flows: pd.DataFrame | None, tolerance: float) -> list[tuple[str, _Panel]]:
    panels = []
    patterns = [p for p in ("closed", "poisson") if p in set(table["pattern"])] if len(table) else []
    patterns += sorted(set(table["pattern"]) - set(patterns)) if len(table) else []
    keys = [k for k in ("model", "split", "k", "link", "pattern") if k in table.columns]
    for pattern in patterns:
        rows = table[table["pattern"] == pattern].reset_index(drop=True)
        labels = [_inference_label(r) for r in rows.to_dict("records")]
        panel = _Panel(
            rows, keys, "measured_ms", "predicted_ms", "split", "model", labels, tolerance, "latency"
        )
        panels.append((_PATTERN_TITLES.get(pattern, pattern), panel))
    if flows is not None and len(flows):
        rows = flows.reset_index(drop=True)
        fkeys = [k for k in ("devices", "size_bytes", "link", "stagger_ms") if k in rows.columns]
        labels = [_flows_label(r) for r in rows.to_dict("records")]
        panel = _Panel(
            rows, fkeys, "measured_fct_ms", "predicted_fct_ms", "devices", "devices", labels, 0.15, "FCT"
        )
        panels.append(("concurrent flows", panel))
    return panels


def _matched(panel: _Panel, other: pd.DataFrame | None) -> tuple[np.ndarray, np.ndarray]:
    """The other model's (measured, error) for each of ``panel``'s rows (NaN where it has no such row)."""
    n = len(panel.rows)
    if other is None or not len(other) or not set(panel.keys) <= set(other.columns):
        return np.full(n, np.nan), np.full(n, np.nan)
    other = other.drop_duplicates(panel.keys)
    merged = panel.rows[panel.keys].merge(
        other[[*panel.keys, panel.measured, panel.predicted]], on=panel.keys, how="left"
    )
    return merged[panel.measured].to_numpy(float), _error(merged, panel.measured, panel.predicted)


def validation_figure(
    table: pd.DataFrame,
    flows: pd.DataFrame | None = None,
    *,
    tolerance: float = 0.10,
    link_model: str = "max-min",
    alternative: Predictions | tuple[str, pd.DataFrame, pd.DataFrame | None] | None = None,
    note: str = "",
) -> Figure:
    """One panel per request pattern (and one for flows, if given): prediction error against measured.

    ``table`` is :func:`~offloadsim.testbed.campaign.validation_table`'s,
    ``flows`` :func:`~offloadsim.testbed.campaign.flows_table`'s, predicted
    with ``link_model``.  x is the measured median (log), y the error
    100 (predicted - measured) / measured (linear), with a shaded band of
    ±``tolerance`` (±15 % for flows, the flow target) and a line at 0; the
    panels share one y scale.
    Horizontal bars span the measured medians of the repetitions.  Colour is
    the split and marker the model (for flows both are the number of flows);
    the label beside a point names its link (``st.``: staggered flows).

    ``alternative`` (a :class:`Predictions`, or ``(link_model, table,
    flows)``) adds another link model's predictions of the same
    configurations as hollow markers, each joined to its filled one by a
    thin line (vertical when both come from the same runs); where the two
    agree, the hollow marker rings the filled one.  One legend
    above the panels says what marker, colour, filled and hollow mean.
    ``note`` (lines) goes under the panels: what the runs rest on (profile,
    repetitions, CPU share; :func:`~offloadsim.testbed.campaign.figure_note`).
    """
    alt = Predictions(*alternative) if alternative is not None else None
    panels = _panels(table, flows, tolerance)
    fig, axes = new_axes((7.16, 3.0), ncols=max(len(panels), 1))
    axes = list(np.atleast_1d(axes))
    splits = list(dict.fromkeys(table["split"])) if len(table) else []
    models = list(dict.fromkeys(table["model"])) if len(table) else []
    devices = sorted(set(flows["devices"])) if flows is not None and len(flows) else []
    colours = {("split", s): PALETTE[i % len(PALETTE)] for i, s in enumerate(splits)}
    markers: dict[tuple[str, Any], str] = {
        ("model", m): MARKERS[j % len(MARKERS)] for j, m in enumerate(models)
    }
    # Flows: colour and marker both the number of flows, apart from the splits' and the models'.
    for i, n in enumerate(devices):
        colours[("devices", n)] = PALETTE[(len(splits) + i) % len(PALETTE)]
        markers[("devices", n)] = MARKERS[(len(models) + i) % len(MARKERS)]
    with house_style():
        points: list[tuple[Axes, np.ndarray, np.ndarray, list[str], np.ndarray]] = []
        for ax, (_, panel) in zip(axes, panels, strict=False):
            other = None if alt is None else (alt.flows if panel.what == "FCT" else alt.table)
            x, y = _draw(ax, panel, other, colours, markers)
            alt_x, alt_y = _matched(panel, other)
            rows = panel.rows
            # What a label must not cross: each point's spread bar and its line to the hollow marker.
            segments = np.concatenate(
                [
                    np.column_stack([rows["measured_min_ms"].to_numpy(float), y, rows["measured_max_ms"], y]),
                    np.column_stack([x, y, alt_x, alt_y]),
                ]
            )
            points.append(
                (ax, np.concatenate([x, alt_x]), np.concatenate([y, alt_y]), panel.labels, segments)
            )
        if alt is None and link_model != "max-min":
            for ax in axes[: len(panels)]:
                ax.set_ylabel(f"prediction error, {link_model} links (%)")
        label_panels(axes[: len(panels)], [title for title, _ in panels])
        _legend(fig, models, markers, splits, colours, devices, link_model, alt, tolerance)
        if note:
            note_under(fig, note)
        _share_y(axes[: len(panels)])
        laid_out(axes[0])  # the panels' final widths: which tick labels fit
        for ax in axes[: len(panels)]:
            ticks = [v * 10.0**e for v in _STEPS for e in range(-1, 6)]  # round ones keep their labels first
            lo, hi = ax.get_xlim()
            inside = [t for t in ticks if lo <= t <= hi]
            if len(inside) < 2:  # a narrow panel (one configuration): evenly spaced ticks, so the scale reads
                from matplotlib.ticker import MaxNLocator

                inside = [t for t in MaxNLocator(nbins=3).tick_values(lo, hi) if lo <= t <= hi]
            value_ticks(ax, "x", inside)
        renderer = laid_out(axes[0])
        for ax, x, y, labels, segments in points:
            lo, hi = ax.get_xlim()
            zero_line = np.array([[lo, 0.0, hi, 0.0]])  # across the panel
            _label_points(ax, x, y, labels, renderer, np.concatenate([segments, zero_line]))
    return fig


#: The values a log x axis may be ticked at, per decade (1, 2 and 5 keep their labels first).
_STEPS = (1, 2, 3, 5)


def _share_y(axes: list[Axes]) -> None:
    """One y range for every panel: the errors of each are read against one scale.

    Each panel fitted its own (−20…60, −10…10, −15…20 in one figure), so a 10 % error looked as
    large in one panel as a 40 % one in the next.
    """
    if len(axes) < 2:
        return
    limits = np.array([ax.get_ylim() for ax in axes])
    for ax in axes:
        ax.set_ylim(limits[:, 0].min(), limits[:, 1].max())


def _below(value: float) -> float:
    """The largest of :data:`_STEPS` × 10^k at or below ``value`` (> 0)."""
    decade = 10.0 ** np.floor(np.log10(value))
    return float(max(step * decade for step in _STEPS if step * decade <= value * (1 + 1e-9)))


def _draw(
    ax: Axes,
    panel: _Panel,
    other: pd.DataFrame | None,
    colours: dict[tuple[str, Any], str],
    markers: dict[tuple[str, Any], str],
) -> tuple[np.ndarray, np.ndarray]:
    """Band, zero line, bars, filled markers (and hollow ones joined to them); the filled points' x, y."""
    rows = panel.rows
    x = rows[panel.measured].to_numpy(float)
    y = _error(rows, panel.measured, panel.predicted)
    low, high = rows["measured_min_ms"].to_numpy(float), rows["measured_max_ms"].to_numpy(float)
    alt_x, alt_y = _matched(panel, other)
    band = 100.0 * panel.tolerance
    ax.axhspan(-band, band, color="0.9", lw=0, zorder=0)
    ax.axhline(0.0, color=_GREY, lw=0.7, zorder=1)
    for i in range(len(rows)):
        colour = colours[(panel.colour, rows[panel.colour].iloc[i])]
        marker = markers[(panel.marker, rows[panel.marker].iloc[i])]
        if np.isfinite(alt_y[i]):
            ax.plot([x[i], alt_x[i]], [y[i], alt_y[i]], color=colour, lw=0.5, zorder=2)
            # Larger and on top: where the two models agree it rings the filled marker instead of hiding.
            ax.plot(
                alt_x[i],
                alt_y[i],
                ls="none",
                marker=marker,
                ms=5.5,
                mfc="none",
                mec=colour,
                mew=0.7,
                zorder=5,
            )
        ax.plot([low[i], high[i]], [y[i], y[i]], color=colour, lw=0.6, zorder=2, solid_capstyle="butt")
        ax.plot(x[i], y[i], ls="none", marker=marker, ms=4, color=colour, mec="white", mew=0.3, zorder=4)
    every_y = np.concatenate([y, alt_y[np.isfinite(alt_y)], [-band, band]])
    span = every_y.max() - every_y.min()
    ax.set_ylim(every_y.min() - 0.08 * span, every_y.max() + 0.08 * span)
    every_x = np.concatenate([x, low, high, alt_x[np.isfinite(alt_x)]])
    every_x = every_x[np.isfinite(every_x) & (every_x > 0)]
    ax.set_xscale("log")
    # Down to the tick value below the leftmost point, so that a tick stands near it: a point at
    # 28 ms over an axis ticked from 50 ms up had none closer than a factor of two.
    low_end = min(every_x.min() / 1.35, _below(every_x.min() / 1.05) / 1.05)
    ax.set_xlim(low_end, every_x.max() * 1.8)  # room for the rightmost point's link label
    # Spelled out: a reader of the figure alone has no "FCT" to look up.
    what = "flow\ncompletion time" if panel.what == "FCT" else panel.what  # two lines: one ran past the edge
    ax.set_xlabel(f"measured median {what} (ms)")
    ax.set_ylabel("prediction error (%)")
    return x, y


def _legend(
    fig: Figure,
    models: list[str],
    markers: dict[tuple[str, Any], str],
    splits: list[str],
    colours: dict[tuple[str, Any], str],
    devices: list[Any],
    link_model: str,
    alt: Predictions | None,
    tolerance: float,
) -> None:
    """One legend above the panels: models by marker (grey), splits by colour, flows, filled and hollow."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    def mark(marker: str, colour: str, **kw: Any) -> Line2D:
        return Line2D([], [], ls="none", marker=marker, color=colour, **{"ms": 4.0, **kw})

    # Two rows, what the points are (models; link models) above how they are coloured (splits; flows).
    first: list[tuple[Any, str]] = [(mark(markers[("model", m)], _GREY), m) for m in models]
    if alt is not None:
        # Keys of the fill alone (a grey circle would read as alexnet's marker): a filled and a hollow patch.
        first += [(Patch(facecolor=_GREY, edgecolor=_GREY), f"filled: {link_model} links")]
        first += [
            (Patch(facecolor="none", edgecolor=_GREY, linewidth=0.7), f"hollow: {alt.link_model} links")
        ]
    bands = f"target ±{100 * tolerance:g} %" + (" (flows ±15 %)" if devices else "")
    first.append((Patch(color="0.9"), bands))
    second: list[tuple[Any, str]] = [(Patch(color=colours[("split", s)]), f"{s} split") for s in splits]
    second += [(mark(markers[("devices", n)], colours[("devices", n)]), f"{n} flows") for n in devices]
    ncols = max(len(first), len(second))
    blank = (Line2D([], [], alpha=0.0), " ")  # legends fill by column: the shorter row is padded
    first = first[:-1] + [blank] * (ncols - len(first)) + first[-1:]  # the band stays last
    second = second + [blank] * (ncols - len(second))
    entries = [row[c] for c in range(ncols) for row in (first, second)]
    fig.legend([h for h, _ in entries], [t for _, t in entries], loc="outside upper center", ncols=ncols,
               frameon=False, handlelength=1.2, columnspacing=1.5)  # fmt: skip


def _label_points(
    ax: Axes,
    x: np.ndarray,
    y: np.ndarray,
    labels: list[str],
    renderer: Any,
    segments: np.ndarray | None = None,
) -> None:
    """Write each point's label beside it where it overlaps no other label, marker, line or the axes' edge.

    ``segments`` (rows of x0, y0, x1, y1 in data coordinates) are the
    lines drawn between points (spread bars, the line to a hollow marker):
    a label across one (or across the zero line) was read as crowded among the markers.  Points that
    share a label and sit on top of each other get it once.
    """
    to_display = ax.transData.transform
    centres = to_display(np.column_stack([x, y]))  # the labelled points, then the hollow ones
    frame = ax.get_window_extent(renderer)
    half = 2.6 * renderer.points_to_pixels(1.0)  # about half a marker
    from matplotlib.text import Text
    from matplotlib.transforms import Bbox

    finite = np.isfinite(centres).all(axis=1)
    marks = {
        j: Bbox.from_bounds(cx - half, cy - half, 2 * half, 2 * half)
        for j, (cx, cy) in enumerate(centres)
        if finite[j]
    }
    lines = []
    for x0, y0, x1, y1 in np.asarray(segments if segments is not None else np.empty((0, 4)), dtype=float):
        if np.isfinite([x0, y0, x1, y1]).all():
            (a, b), (c, d) = to_display([(x0, y0), (x1, y1)])
            width = renderer.points_to_pixels(1.5)  # the line, and a margin for the layout to move a pixel
            lines.append(
                Bbox.from_extents(min(a, c) - width, min(b, d) - width, max(a, c) + width, max(b, d) + width)
            )
    gap = renderer.points_to_pixels(3.0)  # between two labels, so that they do not read as one
    placed: list[tuple[str, np.ndarray]] = []
    # Beside the point first; further out, with a thin leader line, where the neighbourhood is crowded.
    # The first pass tries beside, above, below and the diagonals out to 20 pt; a label it leaves across
    # something tries every direction out to 26 pt (every one for every label took four times as long).
    candidates, first = [], []
    for distance in (3.5, 9.0, 14.0, 20.0, 26.0):
        for n, (dx, dy) in enumerate(_DIRECTIONS):
            ha = "left" if dx > 0 else "right" if dx < 0 else "center"
            va = "bottom" if dy > 0 else "top" if dy < 0 else "center"
            candidates.append(((dx * distance, dy * distance), ha, va))
            if n < 8 and distance <= 20.0:
                first.append(candidates[-1])
    order = np.argsort(centres[: len(labels), 0])

    def best_place(
        i: int, taken: list[Bbox], tried: list[Any] = candidates
    ) -> tuple[float, Any, Bbox] | None:
        """Label ``i`` annotated where it costs least beside ``taken``, the other labels' boxes."""
        best = None
        for offset, ha, va in tried:
            leader = {"arrowstyle": "-", "lw": 0.3, "color": "0.5", "shrinkA": 0.5, "shrinkB": 2.5}
            note = ax.annotate(labels[i], (x[i], y[i]), xytext=offset, textcoords="offset points", ha=ha,
                               va=va, fontsize=5.5, color="0.25", zorder=5,
                               arrowprops=leader if max(map(abs, offset)) > 4 else None)  # fmt: skip
            # The text's box: an annotation's own takes in its leader line, whose whole span from the
            # point counted as the label, so that a label set further out always cost more.
            note.update_positions(renderer)
            box = Text.get_window_extent(note, renderer)
            inside = frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1)
            overlap = sum(_overlap(box.padded(gap), other) for other in taken)
            # Clear of other markers by a gap (a label against one reads as that one's); its own hollow one
            # (index i + len(labels)) rings it and may be touched.
            overlap += sum(
                _overlap(box, mark.padded(gap)) for j, mark in marks.items() if j not in (i, i + len(labels))
            )
            # A line through a label costs as much as a label over it (by area, a thin line would cost
            # next to nothing, and a label was set across one rather than a little further out).
            overlap += sum(box.width * box.height for line in lines if _overlap(box, line) > 0)
            if note.arrow_patch is not None:
                # A leader across a line or another label costs too, though less than the text across it.
                route = _leader(centres[i], box, 1.5 * half)
                crossed = sum(route.intersects_bbox(other, filled=True) for other in [*lines, *taken])
                overlap += _LEADER_COST * crossed * box.width * box.height
            overlap += 0.0 if inside else 1e9
            if best is None or overlap < best[0]:
                if best is not None:
                    best[1].remove()
                best = (overlap, note, box)
            else:
                note.remove()
            if overlap == 0:
                break
        return best

    chosen: dict[int, tuple[float, Any, Bbox]] = {}
    for i in order:
        text = labels[i]
        if not text or not np.all(np.isfinite(centres[i])):
            continue
        if any(t == text and np.hypot(*(c - centres[i])) < 2 * half for t, c in placed):
            continue
        best = best_place(i, [box for _, _, box in chosen.values()], first)
        if best is not None:
            chosen[i] = best
            placed.append((text, centres[i]))
    # A label left across something is set again among all the others, those placed after it too: set
    # first, it could not make way for them, nor they for it (in the crowd of a shared y scale, two
    # labels were left across lines).  Its place is among the candidates, so it never costs more.
    # Where it is still across something, a label near it makes way where both then cost less.
    near = renderer.points_to_pixels(30.0)
    for _ in range(_AGAIN):
        for i in [i for i in chosen if chosen[i][0] > 0]:
            chosen.pop(i)[1].remove()
            best = best_place(i, [box for _, _, box in chosen.values()])
            if best is None:
                continue
            chosen[i] = best
            for k in [k for k in chosen if k != i]:
                if chosen[i][0] == 0:
                    break
                box_k = chosen[k][2]
                if np.hypot(*(centres[i] - [(box_k.x0 + box_k.x1) / 2, (box_k.y0 + box_k.y1) / 2])) > near:
                    continue
                others = [box for j, (_, _, box) in chosen.items() if j not in (i, k)]
                moved_i = best_place(i, others)
                moved_k = best_place(k, [*others, moved_i[2]]) if moved_i is not None else None
                if (
                    moved_i is None
                    or moved_k is None
                    or moved_i[0] + moved_k[0] >= chosen[i][0] + chosen[k][0]
                ):
                    for trial in (moved_i, moved_k):
                        if trial is not None:
                            trial[1].remove()
                    continue
                chosen[i][1].remove()
                chosen[k][1].remove()
                chosen[i], chosen[k] = moved_i, moved_k


#: Where a label may go from its point, first the nearest: beside, above and below, the diagonals, and
#: the directions between (with them, no label of the gallery's figure crosses a line; without, two did).
_DIRECTIONS = (
    *((1, 0), (-1, 0), (0, 1), (0, -1), (0.8, 0.8), (-0.8, 0.8), (0.8, -0.8), (-0.8, -0.8)),
    *((0.9, 0.45), (-0.9, 0.45), (0.9, -0.45), (-0.9, -0.45), (0.45, 0.9), (-0.45, 0.9), (0.45, -0.9)),
    (-0.45, -0.9),
)

#: How many times labels left across something are set again among all the others.
_AGAIN = 1

#: What a leader line across another line or label costs, as a share of its label across one.
_LEADER_COST = 0.3


def _leader(point: np.ndarray, box: Bbox, clear: float) -> MplPath:
    """The leader from ``point`` (display) to the nearest point of its label's ``box``.

    Less its first ``clear`` pixels: its start, on the point's own marker and lines, crosses
    nothing that matters.
    """
    from matplotlib.path import Path

    end = np.array([np.clip(point[0], box.x0, box.x1), np.clip(point[1], box.y0, box.y1)])
    length = float(np.hypot(*(end - point)))
    start = point + (end - point) * min(1.0, clear / length) if length > 0 else point
    return Path(np.vstack([start, end]))


def _overlap(a: Bbox, b: Bbox) -> float:
    """The area two boxes share (0 when apart)."""
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return float(w * h) if w > 0 and h > 0 else 0.0
