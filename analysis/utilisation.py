"""Utilisation of each tier's processors under four policies (compare-load), mean and 95 % CI.

python analysis/utilisation.py        # about a minute on two cores; redraws the figures sharing its runs
"""

from __future__ import annotations

import sys

EXPERIMENTS = ("compare-load",)


def draw(data):
    from _common import COMPARE_LOAD_POLICIES

    from offloadsim.plots import new_axes, node_utilisation

    fig, ax = new_axes("one-column")
    node_utilisation(data["compare-load"].nodes, level="tier", ax=ax, order=COMPARE_LOAD_POLICIES)
    return fig


if __name__ == "__main__":
    from build_gallery import main

    sys.exit(main(only=["utilisation"]))
