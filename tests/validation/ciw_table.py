"""Print the table of docs/validation.md's "An independent simulator (ciw)": offloadsim against ciw.

The numbers are the ones ``test_against_ciw.py`` asserts on (same cases, seeds and
replications)::

    python tests/validation/ciw_table.py            # the tests' seed (about 13 s of CPU)
    python tests/validation/ciw_table.py --seed 4   # under another root seed
    python tests/validation/ciw_table.py --wrong    # against wrong ciw models, which must fail
"""

from __future__ import annotations

import argparse
import importlib.util
import sys

if importlib.util.find_spec("ciw") is None:
    sys.exit("ciw_table: ciw is not installed (pip install -e '.[dev]' installs it)")

from queueing_table import seed_arg, with_ci
from test_against_ciw import CASES, SEED, WIDTHS, WRONG, compare  # after the check above


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=seed_arg, default=SEED, help=f"the root seed (the tests': {SEED})")
    parser.add_argument("--wrong", action="store_true", help="compare against wrong ciw models instead")
    args = parser.parse_args()
    if args.wrong:
        for mistake, case in WRONG:
            for a in compare(case, args.seed):
                verdict = "fails" if abs(a.difference) > a.bound else "passes"
                print(f"{mistake}: {a.statistic} {a.difference:+.3f}, bound {a.bound:.3f}: {verdict}")
        return
    print("| case | statistic | offloadsim ± 99% | ciw ± 99% | difference | 99% bound (relative, max) |")
    print("|---|---|---|---|---|---|")
    for case in CASES:
        for a in compare(case, args.seed):
            name = "mean latency" if a.statistic == "latency" else f"{a.statistic} latency"
            ours, theirs = with_ci(*a.ours), with_ci(*a.theirs)
            bound = f"{a.bound:.3f} ({a.relative_bound:.3f}, {WIDTHS[a.statistic]:.2f})"
            print(f"| {case.label} | {name} | {ours} | {theirs} | {a.difference:+.3f} | {bound} |")


if __name__ == "__main__":
    main()
