"""A sweep's legend goes where it covers no line and no confidence band.

``metric_vs_parameter`` left its legend to matplotlib's ``loc="best"``, which weighs a band by its
outline: over a band filling the axes it put the legend in the band's middle, hiding it.  Drawn
from Python, with no figure maker after it to move the legend, it is clear too (as ``plot`` draws it).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd

from offloadsim import plots
from offloadsim.plots.axes import laid_out, legend_beside, lines_under_legend

SWEPT = [1, 2, 5, 10, 20, 50, 100]


def _metrics(shapes) -> pd.DataFrame:
    """Three replications per (policy, swept value): the mean ``mean(i)`` and a spread of ``half(i)``."""
    rows = [
        {"bw": f"{x} Mbps", "policy": policy, "replication": rep, "latency_mean_s": mean(i) + d * half(i)}
        for policy, (mean, half) in shapes.items()
        for i, x in enumerate(SWEPT)
        for rep, d in enumerate((-1, 0, 1))
    ]
    return pd.DataFrame(rows)


CASES = {
    # local's band fills the axes from 0 to the top: no corner is clear of it
    "a band filling the axes": {
        "local": (lambda i: 1.5, lambda i: 1.0),
        "edge": (lambda i: 0.3, lambda i: 0.02),
    },
    # two bands widening from opposite corners
    "bands crossing": {
        "a": (lambda i: 0.2 * i, lambda i: 0.1 + 0.15 * i),
        "b": (lambda i: 1.5 - 0.2 * i, lambda i: 0.1 + 0.15 * (6 - i)),
    },
}


def test_the_legend_covers_no_band_nor_line():
    """Where a place inside covers nothing, metric_vs_parameter puts it there; where none does (a band
    filling the axes), beside the axes: from Python alone, with no figure maker to move it after."""
    for name, shapes in CASES.items():
        fig, ax = plots.new_axes("one-column")
        try:
            plots.metric_vs_parameter(_metrics(shapes), "latency_mean_s", "bw", ax=ax)
            legend = ax.get_legend()
            assert legend is not None, name
            assert lines_under_legend(ax, legend, laid_out(ax)) == [], name
            assert legend_beside(ax) == (name == "a band filling the axes"), name
        finally:
            plt.close(fig)
