"""What a reviewer checks on every figure: readable ticks, text inside, panel labels, no bars on log axes."""

from __future__ import annotations

import string

from matplotlib.container import BarContainer
from matplotlib.figure import Figure


def _visible_texts(labels):
    return [t for t in labels if t.get_visible() and t.get_text().strip()]


def check_readable(fig: Figure) -> None:
    """Fail on overlapping tick labels, text outside its axes, bars on a log axis, unlabelled panels."""
    fig.draw_without_rendering()
    renderer = fig._get_renderer()
    axes = [ax for ax in fig.axes if ax.get_visible()]
    for ax in axes:
        for which, labels in (("x", ax.get_xticklabels()), ("y", ax.get_yticklabels())):
            boxes = [t.get_window_extent(renderer).shrunk(0.98, 0.98) for t in _visible_texts(labels)]
            for i, a in enumerate(boxes):
                for b in boxes[i + 1 :]:
                    assert not a.overlaps(b), f"{which} tick labels overlap: {[t.get_text() for t in labels]}"
        frame = ax.get_window_extent(renderer).padded(1.0)
        for text in ax.texts:
            box = text.get_window_extent(renderer)
            assert frame.contains(box.x0, box.y0) and frame.contains(box.x1, box.y1), (
                f"text {text.get_text()!r} runs outside its axes"
            )
        for container in ax.containers:
            if isinstance(container, BarContainer):
                value_axis = "x" if container.orientation == "horizontal" else "y"
                scale = ax.get_xscale() if value_axis == "x" else ax.get_yscale()
                assert scale == "linear", "bars on a log axis: their length means nothing"
        legend = ax.get_legend()
        if legend is not None:
            assert all(t.get_text().strip() for t in legend.get_texts()), "an empty legend entry"
    if len(axes) > 1:
        for letter, ax in zip(string.ascii_lowercase, axes, strict=False):
            assert ax.get_title(loc="left").startswith(f"({letter})"), "panels need (a), (b) labels"
