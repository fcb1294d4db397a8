"""Busy cores per tier over time in one run of least-loaded on a busy edge (compare-load.yaml).

python analysis/utilisation_time.py   # a few seconds
"""

from __future__ import annotations

from _common import SCENARIOS, options, save


def main() -> None:
    args = options(__doc__)
    from offloadsim.api import run
    from offloadsim.plots import new_axes, utilisation_over_time

    result = run(SCENARIOS / "compare-load.yaml", policy="least-loaded")
    fig, ax = new_axes("two-column")
    utilisation_over_time(result.tasks, nodes=result.nodes, bins=60, ax=ax)
    save(fig, args, "utilisation_time")


if __name__ == "__main__":
    main()
