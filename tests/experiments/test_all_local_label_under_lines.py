"""An all-local label that no place leaves clear of every line is drawn under the lines it covers.

HG37's sweep of AlexNet over 2, 10 and 50 Mbit/s, faceted by activation codec, had neurosurgeon's and
edge's lines cross the 372 ms all-local line wherever its label was tried: the label went where it
covered the fewest lines, its white box hiding neurosurgeon's line from 10 to 50 Mbit/s and a stretch
of edge's, where docs/experiments.md promises that it hides "some shade, never a line".
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from offloadsim.plots.axes import laid_out, lines_under_box
from offloadsim.plots.sweep_lines import _label_clear_of_lines


def _covered(ax, note) -> list[str]:
    renderer = laid_out(ax)
    patch = note.get_bbox_patch()
    return [
        name for name in lines_under_box(ax, patch.get_window_extent(renderer)) if not name.startswith("_")
    ]


def test_a_label_that_must_cover_a_line_is_drawn_under_it_and_over_the_bands():
    fig, ax = plt.subplots(figsize=(3.2, 2.0))
    x = np.linspace(0.0, 1.0, 41)
    # a zigzag through y = 1 across the whole axes: no place beside that line is clear of it
    ax.plot(x, 1 + 0.6 * np.sign(np.sin(x * 40 * np.pi)), label="zigzag")
    ax.fill_between(x, 0.2, 1.8, alpha=0.2)
    ax.axhline(1.0, linestyle=":", color="black", label="_all local")
    # its vertical strokes 1/40 of the axes apart span the whole height: no key of its own is clear either
    ax.set_ylim(0.5, 1.5)
    note = _label_clear_of_lines(ax, "job all local, no queue: 372 ms", 1.0)
    assert _covered(ax, note) == ["zigzag"]
    lines = [line.get_zorder() for line in ax.get_lines() if not line.get_label().startswith("_")]
    bands = [band.get_zorder() for band in ax.collections]
    assert max(bands) < note.get_zorder() < min(lines)
    plt.close(fig)


def _line_at_1_with_data_far_above(low: float, label: str):
    """An all-local line at y = 1, the one data line far above it, y from ``low``; its label placed."""
    fig, ax = plt.subplots(figsize=(3.2, 2.0))
    x = np.linspace(0.0, 1.0, 11)
    ax.plot(x, 5 + x, label="far above")
    ax.axhline(1.0, linestyle=":", color="black", label="_all local")
    ax.set_ylim(low, 7)
    return fig, ax, _label_clear_of_lines(ax, label, 1.0)


def test_a_label_with_a_clear_place_stays_over_everything():
    fig, ax, note = _line_at_1_with_data_far_above(0, "job all local, no queue: 372 ms")
    assert _covered(ax, note) == []
    assert note.get_zorder() > max(line.get_zorder() for line in ax.get_lines())
    plt.close(fig)


def test_a_label_by_the_axes_bottom_goes_above_its_line_not_over_the_x_axis():
    """HE44's sweep of a course scenario: the 75 ms all-local line sat just above the lower y limit,
    and its label, below it at the right end, ran out of the axes, its white box hiding the x axis."""
    fig, ax, note = _line_at_1_with_data_far_above(0.95, "job all local, no queue: 75 ms")
    renderer = laid_out(ax)
    box, frame = note.get_bbox_patch().get_window_extent(renderer), ax.get_window_extent(renderer)
    assert frame.y0 <= box.y0 and box.y1 <= frame.y1
    assert note.xy[0] == 1.0  # still at the right end, now above the line
    assert _covered(ax, note) == []
    plt.close(fig)


def test_a_label_that_would_sit_on_the_x_axis_line_goes_above_its_line():
    """HK44's check of a user's sweep (one edge, rates 2-8 /s, a 100 ms job near the bottom): the label
    below the line at the right end kept inside the axes by 1 px, its box on the x axis line."""
    from offloadsim.plots.sweep_lines import FRAME_GAP_PT

    fig, ax, note = _line_at_1_with_data_far_above(0.4, "job all local, no queue: 100 ms")
    renderer = laid_out(ax)
    box, frame = note.get_bbox_patch().get_window_extent(renderer), ax.get_window_extent(renderer)
    assert box.y0 >= frame.y0 + FRAME_GAP_PT * fig.dpi / 72
    assert note.xy == (1.0, 1.0) and box.y0 > ax.transData.transform((1.0, 1.0))[1]  # above, at the right
    assert _covered(ax, note) == []
    plt.close(fig)
