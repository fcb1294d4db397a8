"""A plug-in author's kinds treated as offloadsim's own (HA35's trial of the four entry-point groups).

Each test is a finding of a plug-in author's trial: a figure kind's ``--where``, its tick labels,
its faults and ``--debug``; a metric's sign on the sweep figure; a warning kind's wrong facts.
"""

from __future__ import annotations

import matplotlib

from offloadsim.plots import new_axes

matplotlib.use("Agg")


def _labels(axis) -> list[str]:
    axis.figure.canvas.draw()
    return [text.get_text() for text in axis.get_majorticklabels() if text.get_text()]


def test_text_categories_keep_their_names_on_new_axes():
    """The docs' example kind drew ``ax.bar(["completed"], ...)``: its bar was labelled "0"."""
    _, ax = new_axes("one-column")
    ax.bar(["completed", "dropped"], [12, 3])
    assert _labels(ax.xaxis) == ["completed", "dropped"]
    _, ax = new_axes("one-column")
    ax.bar([0.0, 1.0], [12_000, 3])
    assert "10,000" in _labels(ax.yaxis)  # numbers still grouped in the house style
