"""The latency-time figure's bandwidth panel: its scale, and the lowest value of each line said on it.

On a linear axis from 0, a trace falling from 20 to 1 Mb/s drew its 1 Mb/s on the axis itself,
under a node's outage hatching, where it read as a dead link.  Where the bandwidths drawn span more
than a decade the panel is logarithmic and a link down (0) is a gap in its line, hatched as a link
outage is across the figure; each line's lowest bandwidth in force is written beside its step,
inside the panel where the step is at its edge.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.text import Annotation
from matplotlib.transforms import Bbox

from offloadsim.plots.axes import log_axis, plain_number
from offloadsim.plots.link_lines import LinkLine

__all__ = ["LOWEST_GID", "LOG_SPAN", "bandwidth_axis", "drawn_values", "label_lowest", "log_bandwidth"]

#: The ratio of the highest to the lowest bandwidth drawn (other than 0) from which the panel is log.
LOG_SPAN = 10.0

#: The gid of each lowest-value label, for tests and the figure's readers.
LOWEST_GID = "lowest bandwidth"


def log_bandwidth(lines: Sequence[LinkLine]) -> bool:
    """Whether the panel is log: its bandwidths above 0, the scenario's too, span more than a decade."""
    positive = [v for line in lines for v in (*line.values, line.scenario_bps) if v > 0]
    return bool(positive) and max(positive) > LOG_SPAN * min(positive)


def drawn_values(line: LinkLine, log: bool) -> np.ndarray:
    """The line's steps in Mb/s; on a log panel 0 (down) is NaN, a gap, since a log axis has no 0."""
    values = np.asarray(line.values, dtype=float) / 1e6
    return np.where(values > 0, values, np.nan) if log else values


def bandwidth_axis(ax: Axes, lines: Sequence[LinkLine], log: bool) -> None:
    """The panel's y limits: from 0 on a linear one, around the lowest and highest drawn on a log one."""
    highest = max(max(max(line.values), line.scenario_bps) for line in lines) / 1e6
    if not log:
        ax.set_ylim(
            0, highest * 1.15 if highest > 0 else 1.0
        )  # room above the top for the scenario's wide line
        return
    lowest = min(v for line in lines for v in (*line.values, line.scenario_bps) if v > 0) / 1e6
    log_axis(ax, "y")
    ax.set_ylim(lowest / 2.5, highest * 2.0)  # room for the lowest's label above it, the wide line's above


def label_lowest(ax: Axes, lines: Sequence[LinkLine]) -> None:
    """Each direction's lowest bandwidth above 0, where it fell, written above its longest step there.

    On a white ground: a node's outage hatching behind it hid the text.

    The first line of each direction only (several lines of one direction are several runs').
    """
    said: set[str] = set()
    for line in lines:
        positive = [v for v in line.values if v > 0]
        if line.direction in said or not positive or min(positive) >= max(line.values):
            continue
        said.add(line.direction)
        low = min(positive)
        widths = [(line.edges[i + 1] - line.edges[i], i) for i, v in enumerate(line.values) if v == low]
        _, i = max(widths)
        label = _KeptInside(
            f"{plain_number(float(f'{low / 1e6:.3g}'))} Mb/s",  # 2.57, not 2.566: a label, not a table
            (line.edges[i], line.edges[i + 1]),
            low / 1e6,
            xytext=(0, 2),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=6,
            color="0.2",
            gid=LOWEST_GID,
            bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.85},
            annotation_clip=True,
        )
        ax.add_artist(label)


class _KeptInside(Annotation):
    """A label over a step, centred on it where it fits, else aligned to the side with room.

    Centred over the last step of a run, "2.57 Mb/s" ran past the panel's right edge; its ends are
    only known once the figure is laid out, so the label is placed each time it is measured or drawn:
    past the right edge, it ends where its step or the axes do; past the left, it starts so.
    """

    def __init__(self, text: str, step: tuple[float, float], y: float, **kwargs: Any) -> None:
        self._step = step
        super().__init__(text, xy=(sum(step) / 2, y), **kwargs)

    def _place(self, renderer: RendererBase | None) -> None:
        """Centre it over its step or, where centred it runs past the axes, align it to the side with room.

        Its alignment is set only where it changes: a label marked stale at each measure would mark
        the figure's layout unsettled.
        """
        if self.axes is None:
            return
        left, right = self._step
        y = self.xy[1]
        half = super().get_window_extent(renderer).width / 2  # its width whatever its alignment
        centre = float(self.axes.transData.transform(((left + right) / 2, y))[0])
        frame = self.axes.get_window_extent(renderer)
        low, high = sorted(self.axes.get_xlim())
        xy: tuple[float, float] = ((left + right) / 2, y)
        align: Literal["left", "center", "right"] = "center"
        if centre + half > frame.x1:
            xy, align = (min(right, high), y), "right"
        elif centre - half < frame.x0:
            xy, align = (max(left, low), y), "left"
        if (xy, align) != (self.xy, self.get_horizontalalignment()):
            self.xy = xy
            self.set_horizontalalignment(align)

    # Annotation's own signature, which matplotlib's stubs already say narrows Text's (no dpi).
    def get_window_extent(self, renderer: RendererBase | None = None) -> Bbox:  # type: ignore[override]
        """The label's extent where it is drawn (placed first)."""
        self._place(renderer)
        return super().get_window_extent(renderer)

    def draw(self, renderer: RendererBase) -> None:
        """Draw the label where it stays inside the axes."""
        self._place(renderer)
        super().draw(renderer)
