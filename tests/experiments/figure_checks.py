"""The reviewer's checks of :mod:`offloadsim.plots.checks`, as a test assertion."""

from __future__ import annotations

import matplotlib.colors
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from offloadsim.plots.checks import figure_problems


def check_readable(fig: Figure) -> None:
    """Fail on overlapping tick labels, text outside its axes, bars on a log axis, unlabelled panels."""
    problems = figure_problems(fig)
    assert not problems, "\n".join(problems)


def labelled_ends(ax: Axes) -> set[tuple[str, str]]:
    """Each (series, text) of an energy figure's end labels: a label is its series' by colour.

    A legend entry ``edge (same spot as local)`` names series ``edge``.
    """
    colours = {c.get_label().split(" (")[0]: c.lines[0].get_color() for c in ax.containers}
    return {
        (name, text.get_text())
        for text in ax.texts
        for name, colour in colours.items()
        if matplotlib.colors.same_color(text.get_color(), colour)
    }
