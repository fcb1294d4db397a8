"""Utilisation of each tier's processors under four policies (compare-load), mean and 95 % CI.

python analysis/utilisation.py        # about a minute on two cores; redraws the figures sharing its runs
"""

from __future__ import annotations

import sys

EXPERIMENTS = ("compare-load",)


def draw(data):
    from _common import COMPARE_LOAD_POLICIES, figure_notes_note, interval_note, note_under

    from offloadsim.plots import new_axes, node_utilisation
    from offloadsim.plots.axes import clear_legend, keep_panels_tall

    fig, ax = new_axes("one-column")
    nodes = data["compare-load"].nodes
    node_utilisation(nodes, level="tier", ax=ax, order=COMPARE_LOAD_POLICIES)
    # The CIs are of a tier's mean per run, over the runs: said on the figure, as offloadsim plot says it.
    sourced = figure_notes_note(data["compare-load"])  # the edge's unsourced speed, ..., as plot says them
    note_under(fig, interval_note(nodes, ["policy"], "error bars", ["utilisation"]), sourced)
    keep_panels_tall(fig, least=1.6)  # as plot does: the notes took the axes' room, so the figure grows
    clear_legend(ax)  # the notes moved the bars: the legend goes where it covers none of them
    return fig


if __name__ == "__main__":
    from build_gallery import main

    sys.exit(main(only=["utilisation"]))
