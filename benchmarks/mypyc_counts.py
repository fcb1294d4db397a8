"""Instructions and cache misses a task of (b), counted by cachegrind, in copies of the tree.

For each tree, runs ``offloadsim.api.load`` of the city with ``duration=3 s``
and ``8 s`` then ``engine.simulate`` under ``valgrind --tool=cachegrind``
(this host's 512 KiB second level modelled, ``PYTHONHASHSEED=0``), and
divides the difference of the two runs' totals by the difference of their
tasks, so start-up, imports and the run's end do not count. The counts do
not depend on the machine's load. The cyclic collector's work is included.

    python benchmarks/mypyc_counts.py /tmp/offloadsim-pure /tmp/offloadsim-mypyc

About 5 minutes a run on one core. See docs/performance.md, "(b) compiled with mypyc".
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

CACHEGRIND = ["valgrind", "--tool=cachegrind", "--cache-sim=yes", "--D1=32768,8,64", "--LL=524288,8,64"]


def child(scenario_path: str, duration: str) -> None:
    """The counted program: load the scenario at ``duration``, simulate it, print its tasks."""
    from offloadsim import api
    from offloadsim.engine import simulate

    scenario = api.load(scenario_path, [f"duration={duration}"])
    with tempfile.TemporaryDirectory() as tmp:
        run = simulate(scenario, records_dir=Path(tmp) / "records")
        print(run.tasks.rows)


def count(tree: Path, scenario: str, duration: str, out: Path) -> tuple[int, dict[str, int]]:
    """Tasks and cachegrind's totals of one run in ``tree``."""
    env = {**os.environ, "PYTHONPATH": str(tree), "PYTHONHASHSEED": "0"}
    command = [*CACHEGRIND, f"--cachegrind-out-file={out}", sys.executable, __file__]
    command += ["--scenario", scenario, "--child", duration]
    done = subprocess.run(command, cwd=tree, env=env, check=True, capture_output=True, text=True)
    tasks = int(done.stdout.split()[-1])
    lines = out.read_text().splitlines()
    events = next(line for line in lines if line.startswith("events:")).split()[1:]
    summary = next(line for line in lines if line.startswith("summary:")).split()[1:]
    return tasks, dict(zip(events, map(int, summary), strict=True))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs="*", type=Path)
    parser.add_argument("--scenario", default="benchmarks/scenarios/city.yaml")
    parser.add_argument("--durations", default="3 s,8 s", help="the two runs differenced, comma-separated")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.scenario, args.child)
        return 0
    short, long = args.durations.split(",")
    work = Path(tempfile.mkdtemp(prefix="mypyc-counts-"))
    for tree in args.trees:
        tree = tree.resolve()
        (n0, c0), (n1, c1) = (
            count(tree, args.scenario, d, work / f"{tree.name}-{i}.out") for i, d in enumerate((short, long))
        )
        per = {k: (c1[k] - c0[k]) / (n1 - n0) for k in c0}
        misses = per["DLmr"] + per["DLmw"]
        print(
            f"{tree}: {n0:,} and {n1:,} tasks; a task: {per['Ir'] / 1000:.1f}k instructions, "
            f"{misses:.1f} second-level data misses, "
            f"{per['D1mr'] + per['D1mw']:.0f} first-level data misses, "
            f"{per['I1mr']:.0f} first-level instruction misses; "
            f"whole {long} run {c1['Ir'] / 1e9:.2f}G instructions",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
