"""Print the numbers of docs/validation.md section 1: every queueing check, then the random link's.

The numbers are the ones ``test_queueing_theory.py`` and ``test_link_dynamics.py``
assert on (same scenarios, seeds and replications), so the numbers in the docs are
what this prints today::

    python tests/validation/queueing_table.py          # the default checks (about 30 s)
    python tests/validation/queueing_table.py --slow   # adds the --runslow ones (about 6 min)
    python tests/validation/queueing_table.py --slow --only slow     # the long ones alone
    python tests/validation/queueing_table.py --slow --only "M/D/1"  # the rows naming M/D/1
    python tests/validation/queueing_table.py --seed 4                # the queueing rows under another seed
    python tests/validation/queueing_table.py --only Gilbert --link-seed 6   # the link's under another

A selection that names no row is refused (exit 2) with the reason, rather than printing
an empty table that reads as "nothing to check": ``--only`` matching no check, a long
check without ``--slow``, or the Gilbert–Elliott line under ``--seed`` (it has its own
seed, ``--link-seed``).
"""

from __future__ import annotations

import argparse

from test_link_dynamics import EXPECTED_LOSS, LINK_SEED, RUNS, gilbert_elliott_samples
from test_queueing_theory import CHECKS, CONFIDENCE, SEED, run_check

from offloadsim.analysis.metric_display import Metric
from offloadsim.analysis.statistics import mean_ci

#: A simulated mean to the decimals its half-width needs for two significant digits, as compare's
#: and sweep's tables write theirs: 3.99 ± 0.21, not 3.9912 ± 0.2070, whose last two digits the
#: interval does not know (the relative half-width column says how wide it is).
AS_COMPARE = Metric("simulated mean", "")


def with_ci(mean: float, half: float) -> str:
    """``mean ± half`` as compare's table writes it."""
    return AS_COMPARE.format(mean, half)


def seed_arg(text: str) -> int:
    """A root seed from the command line: a whole number of 0 or more (numpy's streams take no other)."""
    try:
        seed = int(text)
    except ValueError:
        seed = -1
    if seed < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number of 0 or more, got {text!r}")
    return seed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slow", action="store_true", help="also run the long (--runslow) checks")
    parser.add_argument("--only", default="", help="only the rows whose check names this text")
    parser.add_argument(
        "--seed", type=seed_arg, default=SEED, help=f"the queueing checks' root seed (the tests': {SEED})"
    )
    parser.add_argument(
        "--link-seed",
        type=seed_arg,
        default=None,
        help=f"the Gilbert–Elliott link check's root seed (the tests': {LINK_SEED})",
    )
    args = parser.parse_args()
    links = [(run, link_label(*run[:2], run[3])) for run in RUNS]
    named = [c.label for c in CHECKS if args.only in c.label] + [
        label for _, label in links if args.only in label
    ]
    if not named:
        parser.error(
            f"--only {args.only!r} names no check; the checks: "
            + "; ".join([c.label for c in CHECKS] + [label for _, label in links])
        )
    checks = [c for c in CHECKS if args.only in c.label and (args.slow or not c.slow)]
    # The link's line follows --link-seed; under --seed alone (another seed than the
    # tests') it is left out, as the queueing rows are what --seed varies.
    link_seed = args.link_seed if args.link_seed is not None else LINK_SEED
    wanted_links = args.seed == SEED or args.link_seed is not None
    chosen_links = [
        (run, label)
        for run, label in links
        if args.only in label and (args.slow or not run[3]) and wanted_links
    ]
    if not checks and not chosen_links:
        remedies = []
        if not args.slow and (
            any(args.only in c.label for c in CHECKS if c.slow)
            or any(args.only in label for run, label in links if run[3])
        ):
            remedies.append("the long ones run with --slow")
        if not wanted_links and any(args.only in label for _, label in links):
            remedies.append(
                f"the Gilbert–Elliott link check's seed is --link-seed (the tests': {LINK_SEED}), not --seed"
            )
        parser.error(
            f"--only {args.only!r} names no row that runs as asked ({'; '.join(remedies)}): "
            + "; ".join(named)
        )

    print("| check | theory | simulated mean ± 99% half-width | relative half-width (bound) |")
    print("|---|---|---|---|")
    for check in checks:
        mean, half = run_check(check, args.seed)
        print(
            f"| {check.label} | {check.theory:.4f} | {with_ci(mean, half)} "
            f"| {half / check.theory:.3f} ({check.width:.2f}) |"
        )

    for (duration, replications, width, _slow), label in chosen_links:
        expected, capacity, loss = gilbert_elliott_samples(duration, replications, link_seed)
        mean, half = mean_ci(capacity, CONFIDENCE)
        loss_mean, loss_half = mean_ci(loss, CONFIDENCE)
        print(
            f"{label}: mean capacity {mean / 1e6:.3f} ± {half / 1e6:.3f} Mbit/s against {expected / 1e6:g} "
            f"(relative half-width {half / expected:.4f}, bound {width}); "
            f"loss {loss_mean:.5f} ± {loss_half:.5f} against {EXPECTED_LOSS:.4f}"
        )


def link_label(duration: float, replications: int, slow: bool) -> str:
    """The Gilbert–Elliott line's name, which ``--only`` matches."""
    measured = f"{replications} × {duration * 19 / 20:,.0f} s measured" + (", slow" if slow else "")
    return f"Gilbert–Elliott link ({measured})"


if __name__ == "__main__":
    main()
