"""The reviewer's checks of :mod:`offloadsim.plots.checks`, as a test assertion."""

from __future__ import annotations

from matplotlib.figure import Figure

from offloadsim.plots.checks import figure_problems


def check_readable(fig: Figure) -> None:
    """Fail on overlapping tick labels, text outside its axes, bars on a log axis, unlabelled panels."""
    problems = figure_problems(fig)
    assert not problems, "\n".join(problems)
