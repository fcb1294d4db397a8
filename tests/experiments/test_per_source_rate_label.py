"""A sweep of a workload entry's rate says the rate is each source's (HC35's trial: 5 phones' total?)."""

from __future__ import annotations

import pandas as pd

from offloadsim import plots


def _sweep(key: str) -> pd.DataFrame:
    rates = ["2 /min", "4 /min", "8 /min"]
    return pd.DataFrame(
        [
            {"policy": "edge", key: rate, "replication": rep, "ttft_mean_s": 0.1 * (i + 1) + 0.01 * rep}
            for i, rate in enumerate(rates)
            for rep in (0, 1)
        ]
    )


def test_a_workload_rate_axis_says_per_source():
    _, ax = plots.new_axes("one-column")
    plots.metric_vs_parameter(
        _sweep("workload[0].rate"), "ttft_mean_s", "workload[0].rate", ax=ax, label="chat arrival rate"
    )
    assert ax.get_xlabel() == "chat arrival rate per source (per min)"


def test_a_label_that_names_the_sources_is_left_as_written():
    _, ax = plots.new_axes("one-column")
    plots.metric_vs_parameter(
        _sweep("workload[0].rate"), "ttft_mean_s", "workload[0].rate", ax=ax, label="rate of each source"
    )
    assert ax.get_xlabel() == "rate of each source (per min)"
