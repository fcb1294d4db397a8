"""What a reviewer checks on a figure, as a list of problems: clashing labels, stray text, log bars.

The tests assert that every figure kind has none, and
``analysis/build_gallery.py`` refuses to write a gallery figure that has any.
"""

from __future__ import annotations

import string

from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.text import Text

__all__ = ["figure_problems"]


def _shown(labels: list[Text]) -> list[Text]:
    return [t for t in labels if t.get_visible() and t.get_text().strip()]


def figure_problems(fig: Figure) -> list[str]:
    """Everything in ``fig`` a reviewer would send back, one line each (an empty list when none).

    Overlapping tick labels; text placed in an Axes that runs outside it;
    bars on a log value axis; an empty legend entry; panels of a
    multi-panel figure without ``(a)``, ``(b)``... titles.
    """
    fig.draw_without_rendering()
    renderer = fig._get_renderer()  # type: ignore[attr-defined]  # the layout's renderer, any canvas
    problems = []
    axes = [ax for ax in fig.axes if ax.get_visible()]
    for number, ax in enumerate(axes):
        name = f"panel {number + 1}" if len(axes) > 1 else "the axes"
        for which, labels in (("x", ax.get_xticklabels()), ("y", ax.get_yticklabels())):
            shown = _shown(labels)
            boxes = [t.get_window_extent(renderer).shrunk(0.98, 0.98) for t in shown]
            clashes = {
                (shown[i].get_text(), shown[j].get_text())
                for i in range(len(boxes))
                for j in range(i + 1, len(boxes))
                if boxes[i].overlaps(boxes[j])
            }
            if clashes:
                problems.append(f"{name}: {which} tick labels overlap: {sorted(clashes)[:3]}")
        frame = ax.get_window_extent(renderer).padded(1.0)
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
    if len(axes) > 1:
        for letter, ax in zip(string.ascii_lowercase, axes, strict=False):
            if not ax.get_title(loc="left").startswith(f"({letter})"):
                problems.append(f"panel {letter}: no ({letter}) label to refer to it by")
    return problems
