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


def test_the_value_written_over_a_bar_too_low_to_see_is_data_a_legend_must_not_hide():
    """A utilisation figure of the phone alone put its legend over the "0" of edge's idle bar."""
    from offloadsim.plots.axes import clear_legend
    from offloadsim.plots.charts import say_unseen_bars

    _, ax = plots.new_axes("one-column")
    ax.bar([0.0], [70.0], width=0.4, label="local")
    ax.bar([0.5], [0.0], width=0.4, label="edge")
    ax.set_ylim(0, 100)
    say_unseen_bars(ax)
    assert [text.get_text() for text in ax.texts] == ["0"]
    ax.legend(loc="center", bbox_to_anchor=(0.5, 3.0), bbox_transform=ax.transData)  # on the written "0"
    assert lines_under_legend(ax, ax.get_legend(), laid_out(ax)) == ["the value 0 of a bar too low to see"]
    clear_legend(ax)
    assert lines_under_legend(ax, ax.get_legend(), laid_out(ax)) == []
