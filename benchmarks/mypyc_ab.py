"""Interleaved A/B of whole runs in two copies of the tree: pure Python against compiled by mypyc.

Each round runs ``python -m offloadsim run SCENARIO --set duration=... --out DIR --quiet``
once in each copy (the order alternating by round), from the copy's own
directory with ``PYTHONPATH`` set to it, and reads the engine loop's time
(the run manifest's ``wall_s``), the process's wall time and its CPU time
(user + system, from ``os.wait4``). It prints each round's compiled ÷ pure
ratios and their medians, and checks that the two copies wrote the same
``tasks.parquet``, ``nodes.parquet``, ``links.parquet`` and ``summary.json``.

    python benchmarks/mypyc_build.py --pure --out /tmp/offloadsim-pure
    python benchmarks/mypyc_build.py --out /tmp/offloadsim-mypyc
    python benchmarks/mypyc_ab.py /tmp/offloadsim-pure /tmp/offloadsim-mypyc --rounds 5

See docs/performance.md, "(b) compiled with mypyc".
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMPARED = ("tasks.parquet", "nodes.parquet", "links.parquet", "summary.json")


def run_once(tree: Path, scenario: str, duration: str, out: Path) -> dict[str, float]:
    """One whole run in ``tree``: engine loop, process wall and CPU seconds, tasks."""
    if out.exists():
        shutil.rmtree(out)
    command = [sys.executable, "-m", "offloadsim", "run", scenario, "--set", f"duration={duration}"]
    command += ["--out", str(out), "--quiet"]
    start = time.perf_counter()
    env = {**os.environ, "PYTHONPATH": str(tree)}
    child = subprocess.Popen(command, cwd=tree, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{tree}: the run failed")
    manifest = json.loads((out / "manifest.json").read_text())
    return {
        "loop_s": manifest["wall_s"],
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "tasks": manifest["tasks"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pure", type=Path)
    parser.add_argument("compiled", type=Path)
    parser.add_argument("--scenario", default="benchmarks/scenarios/city.yaml")
    parser.add_argument("--duration", default="200 s")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", type=Path, help="write every sample here")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="mypyc-ab-"))
    samples: list[dict[str, dict[str, float]]] = []
    for index in range(args.rounds):
        order = ("pure", "compiled") if index % 2 == 0 else ("compiled", "pure")
        result: dict[str, dict[str, float]] = {}
        for side in order:
            tree = args.pure if side == "pure" else args.compiled
            result[side] = run_once(tree.resolve(), args.scenario, args.duration, work / side)
        same = all((work / "pure" / n).read_bytes() == (work / "compiled" / n).read_bytes() for n in COMPARED)
        if not same:
            raise SystemExit(f"round {index + 1}: the two copies wrote different records")
        samples.append(result)
        pure, comp = result["pure"], result["compiled"]
        print(
            f"round {index + 1} ({order[0]} first, load {os.getloadavg()[0]:.1f}): "
            f"{int(pure['tasks']):,} tasks, "
            + ", ".join(
                f"{k} {pure[k]:.2f} -> {comp[k]:.2f} ({comp[k] / pure[k]:.3f})"
                for k in ("loop_s", "wall_s", "cpu_s")
            )
            + ", records identical",
            flush=True,
        )
    for key in ("loop_s", "wall_s", "cpu_s"):
        ratios = [s["compiled"][key] / s["pure"][key] for s in samples]
        print(
            f"{key}: compiled / pure median {statistics.median(ratios):.3f} "
            f"(range {min(ratios):.3f}-{max(ratios):.3f})"
        )
    if args.json:
        args.json.write_text(json.dumps(samples, indent=1))
    shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
