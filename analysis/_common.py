"""Shared bits of the figure scripts: paths, command-line options, and saving into docs/figures."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(ROOT))

SCENARIOS = ROOT / "scenarios"
FIGURES = ROOT / "docs" / "figures"
RESULTS = ROOT / "results" / "analysis"


def options(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--workers", type=int, default=None, help="worker processes (default: all cores)")
    parser.add_argument("--out", type=Path, default=FIGURES, help="figure directory (default docs/figures)")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where the runs are kept")
    parser.add_argument("--quick", action="store_true", help="fewer, shorter runs (smoke test)")
    return parser.parse_args()


def save(fig, args: argparse.Namespace, name: str) -> None:
    from offloadsim.plots import save_figure

    for path in save_figure(fig, args.out / name):
        print(path)


def compare_load(args: argparse.Namespace):
    """The busy-edge comparison behind several figures: four policies on compare-load.yaml."""
    from offloadsim.experiments import compare

    return compare(
        SCENARIOS / "compare-load.yaml",
        ["local", "edge", "cloud", "least-loaded"],
        replications=2 if args.quick else 5,
        workers=args.workers,
        overrides=["duration=20 s"] if args.quick else (),
        out=args.results / "compare-load",
        overwrite=True,
    )
