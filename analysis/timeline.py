"""Where the time of the first 30 tasks went under least-loaded (compare-load.yaml), stage by stage.

python analysis/timeline.py           # a few seconds
"""

from __future__ import annotations

from _common import SCENARIOS, options, save


def main() -> None:
    args = options(__doc__)
    from offloadsim.api import run
    from offloadsim.plots import new_axes, stage_timeline

    result = run(SCENARIOS / "compare-load.yaml", policy="least-loaded", stages=True)
    fig, ax = new_axes("two-column-tall")
    stage_timeline(result.tasks, stages=result.stages, n=30, ax=ax)
    save(fig, args, "timeline")


if __name__ == "__main__":
    main()
