"""Latency over time against the uplink's capacity: a static and an adaptive split under an LTE trace.

python analysis/unstable_uplink.py   # about a minute on two cores

scenarios/unstable-uplink.yaml: VGG-16 requests from a phone, offloaded whole
(``fixed``, the choice at the trace's median rate) or split per request at
the rate in force (``neurosurgeon``), on the same arrivals.  The top panel
is the uplink capacity the trace sets; the bottom one each completed
request's latency in replication 0, with each policy's mean over all
replications and the paired difference in the legend.
"""

from __future__ import annotations

import sys

EXPERIMENTS = ("unstable-uplink",)

NAMES = {"fixed": "static (offload whole)", "neurosurgeon": "adaptive (Neurosurgeon)"}


def uplink_trace(scenario):
    """The trace's ``(times, bit/s)`` for the run's duration (looped as the scenario loops it)."""
    import itertools

    from offloadsim.world import build_world

    entry = build_world(scenario).dynamics[0]
    times, rates = [], []
    for at, change in itertools.takewhile(lambda item: item[0] <= scenario.duration_s, entry.timeline(None)):
        times.append(at)
        rates.append(change.bps)
    return times, rates


def draw(data):
    from _common import SCENARIOS

    from offloadsim.analysis.statistics import mean_ci
    from offloadsim.api import load
    from offloadsim.plots import capacity_over_time, label_panels, latency_over_time, new_axes
    from offloadsim.plots.axes import clear_legend, log_axis

    result = data["unstable-uplink"]
    tasks, metrics = result.tasks, result.metrics
    replications = sorted(metrics["replication"].unique())
    scenario = load(SCENARIOS / "unstable-uplink.yaml")  # its trace, over its whole duration
    labels = {}
    by_run = metrics.pivot(index="replication", columns="policy", values="latency_mean_s")
    for policy, name in NAMES.items():
        mean, half = mean_ci(by_run[policy].to_numpy(), 0.95)
        labels[policy] = f"{name}: mean {mean:.2f} s (95 % CI ± {half:.2f}, {len(replications)} runs)"
    # The policies ran on the same arrivals: their difference is paired by replication.
    delta, half = mean_ci((by_run["neurosurgeon"] - by_run["fixed"]).to_numpy(), 0.95)
    labels["neurosurgeon"] += f"; paired Δ {delta:+.2f} ± {half:.2f} s".replace("-", "−")
    fig, (top, bottom) = new_axes("two-column-tall", nrows=2, sharex=True)
    times, rates = uplink_trace(scenario)
    capacity_over_time(times, rates, end_s=scenario.duration_s, ax=top)
    top.set_ylabel("uplink capacity (Mbit/s)")
    top.set_xlabel("")
    first = tasks[tasks["replication"] == replications[0]]
    latency_over_time(first, ax=bottom, labels=labels, order=list(NAMES))
    log_axis(bottom, "y")
    bottom.set_xlabel("simulated time (s)")
    bottom.set_ylabel("latency of each request (s)")
    label_panels(
        [top, bottom],
        [
            "LTE uplink (synthetic trace, lte-uplink.csv)",
            f"completed VGG-16 requests, replication {replications[0]}",
        ],
    )
    clear_legend(bottom)  # placed again at the log axis and the panels' final layout: on no request
    return fig


if __name__ == "__main__":
    from build_gallery import main

    sys.exit(main(only=["unstable_uplink"]))
