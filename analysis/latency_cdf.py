"""Latency CDF of four policies on a busy edge (scenarios/compare-load.yaml).

python analysis/latency_cdf.py        # about a minute on two cores
"""

from __future__ import annotations

from _common import compare_load, options, save


def main() -> None:
    args = options(__doc__)
    from offloadsim.plots import latency_cdf, new_axes

    result = compare_load(args)
    fig, ax = new_axes("one-column")
    latency_cdf(result.tasks, ax=ax)
    save(fig, args, "latency_cdf")


if __name__ == "__main__":
    main()
