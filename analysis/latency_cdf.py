"""Latency CDF of four policies on a busy edge (scenarios/compare-load.yaml, 5 replications).

python analysis/latency_cdf.py        # about a minute on two cores; redraws the figures sharing its runs
"""

from __future__ import annotations

import sys

EXPERIMENTS = ("compare-load",)


def draw(data):
    from _common import COMPARE_LOAD_POLICIES, figure_notes_note, note_under, warned_note

    from offloadsim.plots import latency_cdf, new_axes, pooled_text
    from offloadsim.plots.axes import clear_legend, keep_panels_tall

    tasks = data["compare-load"].tasks
    fig, ax = new_axes("one-column")
    latency_cdf(tasks, ax=ax, order=COMPARE_LOAD_POLICIES)
    runs = tasks.groupby("policy", observed=True)["replication"].nunique()
    pooled = pooled_text(int(runs.min()), int(runs.max()))  # the notes offloadsim plot's CDF writes
    sourced = figure_notes_note(data["compare-load"])  # the edge's unsourced speed, ..., as plot says them
    note_under(fig, pooled, sourced, warned_note(data["compare-load"], tasks, ["policy"]))
    clear_legend(ax)  # the note moved the curves: the legend goes where it covers none of them
    if keep_panels_tall(fig, least=1.6):  # as plot does: the notes took the axes' room, so the figure grows
        clear_legend(ax)  # ... and the legend goes again where it covers no curve
    return fig


if __name__ == "__main__":
    from build_gallery import main

    sys.exit(main(only=["latency_cdf"]))
