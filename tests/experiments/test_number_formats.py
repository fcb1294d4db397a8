"""A sweep figure writes every number of four digits or more one way: with thousands separators.

A trial's sweep of 10 Mbit/s to 10 Gbit/s read ``1000`` and ``10,000`` on its x axis and
``10000 Mbit/s`` in the note under it: three ways of writing numbers on one page.
"""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import pandas as pd

from offloadsim import plots
from offloadsim.analysis.values import axis_texts

VALUES = ["10 Mbps", "100 Mbps", "1 Gbps", "10 Gbps"]


def test_a_sweep_axis_of_four_and_five_digit_ticks_writes_both_with_separators():
    metrics = pd.DataFrame(
        {"bw": VALUES * 2, "replication": [0] * 4 + [1] * 4, "latency_mean_s": [0.1, 0.2, 0.3, 0.4] * 2}
    )
    fig, ax = plots.new_axes("one-column")
    plots.metric_vs_parameter(metrics, "latency_mean_s", "bw", by=None, ax=ax)
    with plots.house_style():
        fig.draw_without_rendering()
    ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert "1,000" in ticks and "10,000" in ticks, ticks
    assert not [t for t in ticks if re.search(r"\d{4}", t)], ticks
    plt.close("all")


def test_the_notes_write_swept_values_as_the_axis_does():
    assert axis_texts(VALUES) == ["10 Mbit/s", "100 Mbit/s", "1,000 Mbit/s", "10,000 Mbit/s"]
