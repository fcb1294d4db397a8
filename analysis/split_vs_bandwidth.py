"""Neurosurgeon's chosen split point and the latency it buys, against uplink bandwidth (sweep-split.yaml).

python analysis/split_vs_bandwidth.py # 108 short jobs, under a minute on two cores
"""

from __future__ import annotations

import sys

EXPERIMENTS = ("sweep-split",)
KEY = "links[0].bandwidth"
ORDER = ["local", "edge", "neurosurgeon"]  # the same colour for a policy in both panels


def draw(data):
    from offloadsim.plots import label_panels, metric_vs_parameter, new_axes, split_vs_parameter
    from offloadsim.plots.axes import figure_legend

    results = data["sweep-split"]
    label = results.manifest["labels"][KEY]
    fig, (left, right) = new_axes("two-column", ncols=2)
    split_vs_parameter(results.tasks, KEY, ax=left, log_x=True, order=ORDER, label=label)
    # A run whose uplink cannot carry the load has no steady state: its queue grows for as long as it
    # runs, and the mean over the tasks that happened to finish says nothing.  Left out of (b).
    metrics = results.metrics
    steady = metrics[metrics["completed"] >= 0.9 * metrics["arrived"]]
    metric_vs_parameter(
        steady, "latency_mean_s", KEY, ax=right, log_x=True, log_y=True, order=ORDER, label=label
    )
    right.set_xlim(left.get_xlim())
    label_panels([left, right], ["AlexNet layers run on the Raspberry Pi", "mean latency of steady runs"])
    figure_legend(fig, [left, right])
    return fig


if __name__ == "__main__":
    from build_gallery import main

    sys.exit(main(only=["split_vs_bandwidth"]))
