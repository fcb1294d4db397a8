"""Utilisation of each tier's processors under four policies (compare-load), mean and 95 % CI.

python analysis/utilisation.py        # about a minute on two cores
"""

from __future__ import annotations

from _common import SCENARIOS, options, save


def main() -> None:
    args = options(__doc__)
    from offloadsim.experiments import compare
    from offloadsim.plots import new_axes, node_utilisation

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
    node_utilisation(result.nodes, level="tier", ax=ax)
    save(fig, args, "utilisation")


if __name__ == "__main__":
    main()
