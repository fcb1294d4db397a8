"""An application's deadline on a latency CDF: a vertical line at it, labelled where it covers no curve.

A deadline study reads a CDF against the deadline (the share of tasks left of it met it); the
figure drew the curves alone, and the reader had to find 200 ms on the axis.  The tasks' records
carry each one's relative deadline (``deadline``, seconds; NaN where its application has none).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.text import Text
from matplotlib.transforms import Bbox, ScaledTranslation

from offloadsim.analysis.values import grouped
from offloadsim.plots.axes import laid_out, lines_under_box, root_figure

__all__ = ["deadlines_ms", "mark_deadlines", "place_deadline_labels"]

#: The gid of a deadline's line and of its label (:func:`place_deadline_labels` finds them by it).
LINE_GID, LABEL_GID = "deadline-line", "deadline-label"
#: The most deadlines one panel marks (one per application drawn); more would crowd it.
_MOST = 4
_STYLE: dict[str, Any] = {"colors": "0.3", "linewidths": 0.8, "linestyles": (0, (3, 2)), "zorder": 1.5}


def deadlines_ms(tasks: pd.DataFrame) -> dict[str, float]:
    """The deadlines of ``tasks`` in ms, by what a label calls each (``""`` for the only one).

    Several applications with different deadlines each have their own, named by the application.
    None where the records have no ``deadline`` column or none is set.
    """
    if "deadline" not in tasks.columns or not len(tasks):
        return {}
    values = tasks["deadline"].to_numpy(dtype=float)
    finite = np.isfinite(values)
    distinct = np.unique(values[finite])
    if distinct.size == 0:
        return {}
    if distinct.size == 1 or "app" not in tasks.columns:
        return {"": float(distinct[0]) * 1e3} if distinct.size == 1 else {}
    per_app = tasks.loc[finite].groupby("app", sort=False, observed=True)["deadline"].first()
    return {str(app): float(d) * 1e3 for app, d in list(per_app.items())[:_MOST]}


def mark_deadlines(ax: Axes, deadlines: Mapping[str, float], met: Mapping[str, float]) -> None:
    """A dashed grey line at each deadline (ms) across ``ax``, and its label (``deadline 200 ms``).

    ``met``: per deadline's name, the greatest share of a curve's tasks within it (0-1), which side
    of the line its label starts on (:func:`place_deadline_labels`, to call once the legend is placed).
    """
    for name, at in deadlines.items():
        # A collection, not a Line2D: ax.lines stays the curves (what counts and compares them reads).
        ax.vlines(at, 0.0, 1.0, transform=ax.get_xaxis_transform(), gid=LINE_GID, label="_deadline", **_STYLE)
        words = f"{name}'s deadline" if name else "deadline"
        text = ax.text(
            at, 0.0, f"{words} {grouped(f'{at:g}')} ms", fontsize=6, color="0.25", gid=LABEL_GID, zorder=4
        )
        text.met = float(met.get(name, 1.0))  # type: ignore[attr-defined]  # read by place_deadline_labels


def place_deadline_labels(ax: Axes) -> None:
    """Put each deadline label beside its line where it covers no curve, at the axes' present layout.

    Tried in order, beside the line: at the foot on its right where most tasks met the deadline
    (the curves have risen past there), at the top on its left where most did not; then the other
    corners, then along the line.  None clear: the one inside the axes covering the fewest curves.
    Call it again once the layout moved the axes (a note under them, a legend above).
    """
    labels = [text for text in ax.texts if text.get_gid() == LABEL_GID]
    if not labels:
        return
    renderer = laid_out(ax)
    frame = ax.get_window_extent(renderer)
    legend = ax.get_legend()
    taken = legend.get_window_extent(renderer) if legend is not None else None
    for label in labels:
        at = float(label.get_position()[0])
        x_lo, x_hi = sorted(ax.get_xlim())
        visible = x_lo <= at <= x_hi
        label.set_visible(visible)
        if not visible:
            continue
        low = getattr(label, "met", 1.0) >= 0.5
        places: list[tuple[Literal["left", "right"], Literal["bottom", "top"], float]] = [
            ("left", "bottom", 0),
            ("right", "top", 0),
            ("left", "top", 0),
            ("right", "bottom", 0),
        ]
        if not low:
            places = [places[1], places[0], places[2], places[3]]
        places += [("left", "top", 90), ("right", "top", 90)]  # along the line, where across covers curves
        scores = []
        for place in places:
            _put(ax, label, at, *place)
            box = label.get_window_extent(renderer)
            outside = not (frame.x0 <= box.x0 and box.x1 <= frame.x1)
            covered = len([name for name in lines_under_box(ax, box) if name != "_deadline"])
            covered += taken is not None and Bbox.intersection(box, taken) is not None
            scores.append((outside, covered))
            if not outside and not covered:
                break
        else:
            _put(ax, label, at, *places[min(range(len(places)), key=scores.__getitem__)])


def _put(
    ax: Axes,
    label: Text,
    at: float,
    ha: Literal["left", "right"],
    va: Literal["bottom", "top"],
    rotation: float,
) -> None:
    """``label`` beside the line at ``at``: on its right (``ha`` left) or left, at the axes' foot or top."""
    label.set_position((at, 0.03 if va == "bottom" else 0.97))
    label.set_horizontalalignment(ha)
    label.set_verticalalignment(va)
    label.set_rotation(rotation)
    shift = _GAP_IN * (1 if ha == "left" else -1)  # clear of the line, whatever the axis' scale
    beside = ScaledTranslation(shift, 0, root_figure(ax).dpi_scale_trans)
    label.set_transform(ax.get_xaxis_transform() + beside)


#: How far a label stands off its line, in inches (two points).
_GAP_IN = 2.0 / 72.0
