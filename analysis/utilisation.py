"""Utilisation of each tier's processors under four policies (compare-load), mean and 95 % CI.

python analysis/utilisation.py        # about a minute on two cores
"""

from __future__ import annotations

from _common import compare_load, options, save


def main() -> None:
    args = options(__doc__)
    from offloadsim.plots import new_axes, node_utilisation

    result = compare_load(args)
    fig, ax = new_axes("one-column")
    node_utilisation(result.nodes, level="tier", ax=ax)
    save(fig, args, "utilisation")


if __name__ == "__main__":
    main()
