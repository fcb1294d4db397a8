"""Neurosurgeon's chosen split point and the latency it buys, against uplink bandwidth (sweep-split.yaml).

python analysis/split_vs_bandwidth.py # 180 jobs of 120 s, under a minute on two cores
"""

from __future__ import annotations

import sys

EXPERIMENTS = ("sweep-split",)
KEY = "links[0].bandwidth"
ORDER = ["local", "edge", "neurosurgeon"]  # the same colour for a policy in both panels
MODEL = {"classify": "AlexNet"}  # the one application of compare-split.yaml, named by its model


def draw(data):
    from _common import note_under, steady_runs

    from offloadsim.plots import label_panels, metric_vs_parameter, new_axes, split_vs_parameter
    from offloadsim.plots.axes import figure_legend
    from offloadsim.plots.split_cuts import mixed_cuts_note
    from offloadsim.plots.sweep_lines import all_local_latency_lines, coinciding_lines

    results = data["sweep-split"]
    label = results.manifest["labels"][KEY]
    # A point whose uplink cannot carry the load has no steady state: its queue grows for as long as
    # it runs, and the mean over the tasks that happened to finish says nothing.  Left out of both
    # panels, and named under them.
    steady = steady_runs(results.metrics, [KEY, "policy"])
    fig, (left, right) = new_axes("two-column", ncols=2)
    split_vs_parameter(steady.tasks(results.tasks), KEY, ax=left, log_x=True, order=ORDER, label=label)
    metric_vs_parameter(
        steady.metrics, "latency_mean_s", KEY, ax=right, log_x=True, log_y=True, order=ORDER, label=label
    )
    # Each model's own latency on its device, nothing queued: where a split beats it, splitting pays.
    missing = all_local_latency_lines(right, results.tasks, names=MODEL)
    right.set_xlim(left.get_xlim())
    label_panels([left, right], ["AlexNet layers run on the Raspberry Pi", "mean latency"])
    figure_legend(fig, [left, right])
    # Both panels draw each point as the mean of its runs' means, with a band: say what the band is.
    intervals = f"lines: mean per run; {steady.interval_note('bands')}"
    # Where neurosurgeon chose what local or edge do, its line hides theirs: say where.
    # Where a policy's tasks took several cuts at one bandwidth, its mean is no task's cut: circles
    # draw the cuts, and the note names them.
    cuts = mixed_cuts_note([left])
    note_under(fig, intervals, steady.note("policy", KEY), missing, coinciding_lines([left, right]), cuts)
    return fig


if __name__ == "__main__":
    from build_gallery import main

    sys.exit(main(only=["split_vs_bandwidth"]))
