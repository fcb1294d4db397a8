"""Latency CDF of four policies on a busy edge (scenarios/compare-load.yaml).

python analysis/latency_cdf.py        # about a minute on two cores
"""

from __future__ import annotations

from _common import SCENARIOS, options, save


def main() -> None:
    args = options(__doc__)
    from offloadsim.experiments import compare
    from offloadsim.plots import latency_cdf, new_axes

    result = compare(
        SCENARIOS / "compare-load.yaml",
        ["local", "edge", "cloud", "least-loaded"],
        replications=2 if args.quick else 5,
        workers=args.workers,
        overrides=["duration=20 s"] if args.quick else (),
        out=args.results / "compare-load",
        overwrite=True,
    )
    fig, ax = new_axes("one-column")
    latency_cdf(result.tasks, ax=ax)
    save(fig, args, "latency_cdf")


if __name__ == "__main__":
    main()
