"""Where the time of the first 30 tasks went under least-loaded (compare-load.yaml), stage by stage.

python analysis/timeline.py           # a few seconds
"""

from __future__ import annotations

import sys

EXPERIMENTS = ("least-loaded-run",)
TASKS = 30  # drawn: the first completed tasks by arrival


def draw(data):
    from _common import one_run_title

    from offloadsim.plots import new_axes, note_under, stage_timeline
    from offloadsim.plots.figure_notes import first_tasks_text
    from offloadsim.plots.style import house_style

    result = data["least-loaded-run"]
    fig, ax = new_axes("two-column-tall")
    stage_timeline(result.tasks, stages=result.stages, n=TASKS, ax=ax)
    with house_style():
        ax.set_title(one_run_title(result), loc="left")
    # How few of the run's tasks these are, in the words of offloadsim plot's timeline (one function).
    note_under(fig, first_tasks_text(result.tasks["status"], TASKS))
    return fig


if __name__ == "__main__":
    from build_gallery import main

    sys.exit(main(only=["timeline"]))
