"""A latency-over-time scatter's legend goes where it hides no task, else beside the axes.

Its legend was placed by matplotlib's ``loc="best"``, which weighs markers as one line through
them all (the gaps between tasks included), searched again at every draw: over thousands of
tasks it sat on markers, or off an empty stretch it read as covered.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from offloadsim import plots
from offloadsim.plots.axes import laid_out, lines_under_legend


def _tasks(keep) -> pd.DataFrame:
    """Two policies' tasks on a dense grid of (arrival, latency), those where ``keep`` is true."""
    rows = []
    for policy, shift in (("edge", 0.0), ("local", 0.05)):
        for arrival in np.linspace(0.0, 100.0, 80):
            for latency in np.linspace(0.1, 2.0, 30) + shift:
                if keep(arrival, latency):
                    rows.append({"policy": policy, "replication": 0, "arrival": arrival, "latency": latency})
    return pd.DataFrame(rows).assign(status="completed")


def test_the_legend_sits_where_no_marker_is():
    _, ax = plots.new_axes("one-column")
    plots.latency_over_time(_tasks(lambda a, lat: not (a > 55 and lat < 1.0)), ax=ax)  # lower right empty
    legend = ax.get_legend()
    assert legend is not None and lines_under_legend(ax, legend, laid_out(ax)) == []
    inside = legend.get_window_extent(laid_out(ax))
    assert ax.get_window_extent(laid_out(ax)).contains(inside.x0, inside.y0)


def test_a_legend_with_no_room_inside_goes_beside_the_axes():
    _, ax = plots.new_axes("one-column")
    plots.latency_over_time(_tasks(lambda a, lat: True), ax=ax)  # markers everywhere
    legend = ax.get_legend()
    assert legend is not None and lines_under_legend(ax, legend, laid_out(ax)) == []
    box, axes = legend.get_window_extent(laid_out(ax)), ax.get_window_extent(laid_out(ax))
    assert box.x0 >= axes.x1  # to the right of the axes, in one column
