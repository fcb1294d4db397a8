"""Tick labels stand upright where they fit, and tilt only where upright ones would run together.

``compare --policies local,edge,cloud,neurosurgeon,random`` drew its bars with the five policy
names tilted 30 degrees, for being more than four, though upright they fit a one-column figure
with room between each.
"""

from __future__ import annotations

import pytest

from offloadsim import plots
from offloadsim.plots.series import rotate_if_crowded
from offloadsim.plots.style import axes_or_new


def _rotations(names: list[str]) -> set[float]:
    with plots.house_style():
        ax = axes_or_new(None, "one-column")
        ax.set_xticks(range(len(names)), names)
        ax.set_xlim(-0.5, len(names) - 0.5)
        rotate_if_crowded(ax, len(names), 4)
        return {label.get_rotation() for label in ax.get_xticklabels()}


def test_five_short_names_stand_upright():
    assert _rotations(["local", "edge", "cloud", "neurosurgeon", "random"]) == {0.0}


@pytest.mark.parametrize("count", [5, 9])
def test_names_that_would_run_together_tilt(count):
    assert _rotations([f"neurosurgeon(objective=energy, k={i})" for i in range(count)]) == {30.0}
