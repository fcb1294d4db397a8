"""Utilisation per tier over time in one run of least-loaded on a busy edge (compare-load.yaml).

python analysis/utilisation_time.py   # a few seconds
"""

from __future__ import annotations

import sys

EXPERIMENTS = ("least-loaded-run",)


def draw(data):
    from _common import one_run_title

    from offloadsim.plots import method_text, new_axes, note_under, utilisation_over_time
    from offloadsim.plots.style import house_style

    result = data["least-loaded-run"]
    fig, ax = new_axes("two-column")
    utilisation_over_time(result.tasks, nodes=result.nodes, bins=60, ax=ax)  # from the task records
    with house_style():
        ax.set_title(one_run_title(result), loc="left")
    # how it was estimated, in the words and font of offloadsim plot's note
    note_under(fig, method_text("utilisation-time", stages=False))
    return fig


if __name__ == "__main__":
    from build_gallery import main

    sys.exit(main(only=["utilisation_time"]))
