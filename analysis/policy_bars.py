"""p95 latency and deadline misses per policy, mean and 95 % CI over replications (compare-load).

python analysis/policy_bars.py        # about a minute on two cores; redraws the figures sharing its runs
"""

from __future__ import annotations

import sys

EXPERIMENTS = ("compare-load",)


def draw(data):
    from _common import COMPARE_LOAD_POLICIES, figure_notes_note, interval_note, note_under, warned_note

    from offloadsim.plots import label_panels, metric_bars, new_axes

    metrics = data["compare-load"].metrics
    fig, (left, right) = new_axes("two-column", ncols=2)
    # p95 latencies 25x apart: a log axis, so dots and CIs (a bar's length means nothing on a log axis).
    metric_bars(metrics, "latency_p95_s", ax=left, log_y=True, order=COMPARE_LOAD_POLICIES)
    metric_bars(metrics, "deadline_miss_rate", ax=right, order=COMPARE_LOAD_POLICIES)
    label_panels([left, right], ["p95 latency", "deadline misses (200 ms)"])
    # Both panels' intervals, said on the figure as offloadsim plot says them (the caption is not the figure).
    values = ["latency_p95_s", "deadline_miss_rate"]
    # And the runs' own warnings, as compare's table says them: local's too short to settle (reads low).
    warned = warned_note(data["compare-load"], metrics, ["policy"])
    # And where the numbers come from (the edge's unsourced speed, the A100's efficiency), as plot says it.
    sourced = figure_notes_note(data["compare-load"])
    note_under(fig, interval_note(metrics, ["policy"], "error bars", values), sourced, warned)
    return fig


if __name__ == "__main__":
    from build_gallery import main

    sys.exit(main(only=["policy_bars"]))
