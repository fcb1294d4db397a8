"""Print the numbers of docs/validation.md section 1: every queueing check, then the random link's.

The numbers are the ones ``test_queueing_theory.py`` and ``test_link_dynamics.py``
assert on (same scenarios, seeds and replications), so the numbers in the docs are
what this prints today::

    python tests/validation/queueing_table.py          # the default checks (about 30 s)
    python tests/validation/queueing_table.py --slow   # adds the --runslow ones (about 6 min)
    python tests/validation/queueing_table.py --slow --only slow     # the long ones alone
    python tests/validation/queueing_table.py --slow --only "M/D/1"  # the rows naming M/D/1
    python tests/validation/queueing_table.py --seed 4                # the queueing rows under another seed
"""

from __future__ import annotations

import argparse

from test_link_dynamics import EXPECTED_LOSS, RUNS, gilbert_elliott_samples
from test_queueing_theory import CHECKS, CONFIDENCE, SEED, run_check

from offloadsim.analysis.statistics import mean_ci


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slow", action="store_true", help="also run the long (--runslow) checks")
    parser.add_argument("--only", default="", help="only the rows whose check names this text")
    parser.add_argument(
        "--seed", type=int, default=SEED, help=f"the queueing checks' root seed (the tests': {SEED})"
    )
    args = parser.parse_args()
    print("| check | theory | simulated mean ± 99% half-width | relative half-width (bound) |")
    print("|---|---|---|---|")
    for check in CHECKS:
        if (check.slow and not args.slow) or args.only not in check.label:
            continue
        mean, half = run_check(check, args.seed)
        print(
            f"| {check.label} | {check.theory:.4f} | {mean:.4f} ± {half:.4f} "
            f"| {half / check.theory:.3f} ({check.width:.2f}) |"
        )

    for duration, replications, width, slow in RUNS:
        measured = f"{replications} × {duration * 19 / 20:,.0f} s measured" + (", slow" if slow else "")
        label = f"Gilbert–Elliott link ({measured})"
        if (slow and not args.slow) or args.only not in label or args.seed != SEED:
            continue
        expected, capacity, loss = gilbert_elliott_samples(duration, replications)
        mean, half = mean_ci(capacity, CONFIDENCE)
        loss_mean, loss_half = mean_ci(loss, CONFIDENCE)
        print(
            f"{label}: mean capacity {mean / 1e6:.3f} ± {half / 1e6:.3f} Mbit/s against {expected / 1e6:g} "
            f"(relative half-width {half / expected:.4f}, bound {width}); "
            f"loss {loss_mean:.5f} ± {loss_half:.5f} against {EXPECTED_LOSS:.4f}"
        )


if __name__ == "__main__":
    main()
