"""Rebuild every figure of docs/gallery.md from scratch, or check that the committed ones are current.

python analysis/build_gallery.py                  # every experiment and figure (a few minutes on two cores)
python analysis/build_gallery.py --only timeline  # one figure (and those sharing its experiment)
python analysis/build_gallery.py --check          # is the gallery current? (re-runs a sample of jobs)
python analysis/build_gallery.py --check --full   # ... re-running every job
python analysis/build_gallery.py --check --every-figure  # ... redrawing the figures of task records too

The experiments run from scratch into --results (sweeps never reuse job files
an older simulator wrote); each leaves a table of its jobs' metrics in
docs/figures/data/, and each figure is stamped with a digest of the tables it
was drawn from.  The calibration figure re-times whole models only when the
shipped profile changed (or with --retime); otherwise it is redrawn from its
stored table with the profile's current predictions.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from _common import FIGURES, RESULTS
from _drawings import RECORDS
from gallery import FIGURE_NAMES, build, check


def main(argv: list[str] | None = None, only: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only", action="append", choices=FIGURE_NAMES, help="rebuild this figure (repeatable)"
    )
    parser.add_argument("--check", action="store_true", help="only check that the gallery is current")
    parser.add_argument("--full", action="store_true", help="with --check: re-run every job, not a sample")
    parser.add_argument(
        "--every-figure",
        action="store_true",
        help="with --check: also redraw and compare the figures drawn from task records, re-running "
        "their experiments (minutes)",
    )
    parser.add_argument("--workers", type=int, default=None, help="worker processes (default: all cores)")
    parser.add_argument("--out", type=Path, default=FIGURES, help="figure directory (default docs/figures)")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where the runs are kept")
    parser.add_argument(
        "--quick", action="store_true", help="fewer, shorter runs (a smoke test; not for docs/)"
    )
    parser.add_argument("--retime", action="store_true", help="re-time the calibration figure's models")
    parser.add_argument(
        "--redraw", action="store_true", help="redraw from the records the last build kept (runs nothing)"
    )
    args = parser.parse_args(argv)
    if args.every_figure and not args.check:
        parser.error("--every-figure is an option of --check")
    if args.check:
        problems = check(out=args.out, full=args.full, workers=args.workers, every_figure=args.every_figure)
        for line in problems:
            print(line)
        print("the gallery is current" if not problems else f"{len(problems)} problem(s)", file=sys.stderr)
        if not args.every_figure:
            print(unredrawn(), file=sys.stderr)
        return 1 if problems else 0
    if args.quick and args.out.resolve() == FIGURES.resolve():
        parser.error("--quick figures are not the documentation's: give --out DIR")
    for path in build(
        only or args.only,
        out=args.out,
        results=args.results,
        workers=args.workers,
        quick=args.quick,
        retime=args.retime,
        redraw=args.redraw,
    ):
        print(path)
    return 0


def unredrawn() -> str:
    """What the check without --every-figure did not compare, said after it."""
    return (
        f"not redrawn ({len(RECORDS)} of {len(FIGURE_NAMES)} figures, drawn from task records the tables "
        f"do not keep): {', '.join(RECORDS)}; --check --every-figure re-runs their experiments to redraw them"
    )


if __name__ == "__main__":
    sys.exit(main())
