"""A linear y axis whose means span decades says that its small ones read as 0, and how to see them.

A sweep's deadline misses of 22 % beside 0.05 % drew the small ones flat on the 0 line: a share keeps
its 0-100 % axis, and the figure says that ``--logy`` draws them apart.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from offloadsim.plots.span_note import linear_span_note


def _misses(small: float) -> pd.DataFrame:
    """Three replications at each of two RSU counts: misses of about 22 % at 2 RSUs, ``small`` at 8."""
    rows = [(2, r, 0.22 + 0.01 * r) for r in range(3)] + [(8, r, small * (r + 1) / 2) for r in range(3)]
    return pd.DataFrame(rows, columns=["nodes.rsu.count", "replication", "deadline_miss_rate"])


@pytest.fixture
def axes():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


def _drawn(ax, frame: pd.DataFrame, *, log: bool = False):
    means = frame.groupby("nodes.rsu.count")["deadline_miss_rate"].mean() * 100
    ax.plot(means.index, means.to_numpy())
    if log:
        ax.set_yscale("log")
    return [ax]


def test_means_spanning_more_than_two_decades_on_a_linear_axis_are_said(axes):
    frame = _misses(0.0005)
    note = linear_span_note("deadline_miss_rate", frame, ["nodes.rsu.count"], _drawn(axes, frame))
    assert note == (
        "on a linear axis the means span 2.7 decades (0.05 % to 23 %), the smallest drawn near 0: "
        "--logy draws them apart"
    )
    low, high = axes.get_ylim()  # what the note is about: the small mean is within a hair of the axis's 0
    assert 0.05 / (high - low) < 0.005


def test_a_log_axis_a_zero_mean_or_a_narrow_span_says_nothing(axes):
    wide, narrow, zero = _misses(0.0005), _misses(0.01), _misses(0.0)
    keys = ["nodes.rsu.count"]
    assert linear_span_note("deadline_miss_rate", wide, keys, _drawn(axes, wide, log=True)) == ""
    axes.set_yscale("linear")
    assert linear_span_note("deadline_miss_rate", narrow, keys, [axes]) == ""  # 1.4 decades
    assert linear_span_note("deadline_miss_rate", zero, keys, [axes]) == ""  # no log axis shows 0
