"""Where the time of the first 30 tasks went under least-loaded (compare-load.yaml), stage by stage.

python analysis/timeline.py           # a few seconds
"""

from __future__ import annotations

import sys

EXPERIMENTS = ("least-loaded-run",)


def draw(data):
    from _common import one_run_title

    from offloadsim.plots import new_axes, stage_timeline
    from offloadsim.plots.style import house_style

    result = data["least-loaded-run"]
    fig, ax = new_axes("two-column-tall")
    stage_timeline(result.tasks, stages=result.stages, n=30, ax=ax)
    with house_style():
        ax.set_title(one_run_title(result), loc="left")
    return fig


if __name__ == "__main__":
    from build_gallery import main

    sys.exit(main(only=["timeline"]))
