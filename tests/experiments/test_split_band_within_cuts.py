"""A split figure's band stays between the fewest and most layers its point's tasks ran.

A new user's split figure drew the 95 % band (Student t, 2 replications) of a point down to 0
layers on the device, where no task had run fewer than 3: a t-interval of two far-apart run means
is wide, and ``ci_bounds`` cut it only at 0.  The band is now cut to the cuts the tasks took, and
the note says so; a band that needs no cut is drawn, and said, as before.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.collections import PolyCollection

from offloadsim import plots
from offloadsim.plots.sweep_lines import CUT_TO_CUTS, cut_intervals


def _tasks(splits: dict[tuple[str, int], list[int]]) -> pd.DataFrame:
    rows = [
        {"bw": bw, "replication": r, "policy": "p", "split": s, "latency": 0.1}
        for (bw, r), cuts in splits.items()
        for s in cuts
    ]
    return pd.DataFrame(rows)


def _band_range(ax) -> tuple[float, float]:
    (band,) = [c for c in ax.collections if isinstance(c, PolyCollection)]
    ys = np.concatenate([path.vertices[:, 1] for path in band.get_paths()])
    return float(ys.min()), float(ys.max())


def test_a_band_of_two_far_apart_runs_stays_within_the_cuts_the_tasks_took():
    tasks = _tasks(
        {
            ("5 Mbps", 0): [3, 3, 3],
            ("5 Mbps", 1): [100, 100, 3],
            ("50 Mbps", 0): [3, 5],
            ("50 Mbps", 1): [5, 5],
        }
    )
    _fig, ax = plots.new_axes("one-column")
    plots.split_vs_parameter(tasks, "bw", ax=ax, layers=120)
    low, high = _band_range(ax)
    assert low >= 3.0 and high <= 100.0, (low, high)
    assert low == 3.0  # the t-interval reached below 0 before the cut: the band ends at the fewest
    assert cut_intervals([ax]) == CUT_TO_CUTS
    plt.close("all")


def test_a_band_within_the_cuts_is_drawn_and_said_as_before():
    tasks = _tasks(
        {
            ("5 Mbps", 0): [0, 0, 40, 40],
            ("5 Mbps", 1): [0, 40, 40, 0],
            ("5 Mbps", 2): [0, 0, 40, 40, 40],
            ("50 Mbps", 0): [0, 40],
            ("50 Mbps", 1): [0, 40],
            ("50 Mbps", 2): [40, 0, 0, 40],
        }
    )
    _fig, ax = plots.new_axes("one-column")
    plots.split_vs_parameter(tasks, "bw", ax=ax, layers=120)
    low, high = _band_range(ax)
    assert low > 0.0 and high < 40.0  # a t-interval the cuts do not reach: not cut
    assert cut_intervals([ax]) == ""
    plt.close("all")
