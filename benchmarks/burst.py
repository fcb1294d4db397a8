"""A burst of flows starting at one instant on shared links: (b)'s city with closed-loop users.

Every device of ``benchmarks/scenarios/city.yaml`` runs ``--users`` closed-loop
users, all of whom send their first input at t = 0: each access point's uplink
then carries ``users`` x (devices / 10) flows that start together, and each
start that does not fit beside the others re-shares the whole group of flows
(max-min fairness, ``offloadsim/engine/network.py``), a cost that grows with
the square of the flows per access point.  ``--duration`` is short (0.05 s:
the first transfers are still sending when it ends), so the run is the burst.

Runs the scenario in this process (``offloadsim.api.run``, records written to
a temporary directory) ``--repeat`` times and prints each run's wall and CPU
seconds of the whole call (load, simulate, records), then their medians.

    python benchmarks/burst.py [--users 10] [--devices 1000] [--duration 0.05] [--repeat 3] [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:  # run as a script from a checkout
    sys.path.insert(0, str(HERE.parent))

CITY = HERE / "scenarios" / "city.yaml"


def overrides(users: int, devices: int, duration_s: float) -> list[str]:
    """``--set`` overrides that turn (b)'s city into the burst."""
    return [
        f"duration={duration_s!r} s",
        f"nodes.device.count={devices}",
        f'workload=[{{app: infer, sources: "device-*", arrivals: closed, users: {users}}}]',
        "applications.infer.deadline=1 ms",  # shorter than the run: no warning that none can miss it
    ]


def burst(users: int, devices: int, duration_s: float) -> dict[str, Any]:
    """One run of the burst: its wall and CPU seconds, and the tasks it recorded."""
    from offloadsim.api import run as run_scenario

    with tempfile.TemporaryDirectory(prefix="offloadsim-burst-") as tmp:
        wall, cpu = time.perf_counter(), time.process_time()
        result = run_scenario(CITY, overrides=overrides(users, devices, duration_s), out=Path(tmp) / "run")
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        tasks = len(result.tasks)
    return {"wall_s": wall, "cpu_s": cpu, "tasks": tasks}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10, help="closed-loop users per device (default 10)")
    parser.add_argument("--devices", type=int, default=1000, help="devices, 10 access points (default 1000)")
    parser.add_argument("--duration", type=float, default=0.05, help="simulated seconds (default 0.05)")
    parser.add_argument("--repeat", type=int, default=3, help="runs, in this process (default 3)")
    parser.add_argument("--json", type=Path, help="write every run's figures here")
    args = parser.parse_args(argv)
    runs = []
    for _ in range(max(1, args.repeat)):
        sample = burst(args.users, args.devices, args.duration)
        runs.append(sample)
        print(
            f"wall {sample['wall_s']:.2f} s, cpu {sample['cpu_s']:.2f} s, {sample['tasks']:,} tasks",
            flush=True,
        )
    per_ap = args.users * args.devices // 10
    wall = statistics.median(r["wall_s"] for r in runs)
    cpu = statistics.median(r["cpu_s"] for r in runs)
    print(f"burst of {per_ap:,} flows per access point: median wall {wall:.2f} s, cpu {cpu:.2f} s")
    if args.json is not None:
        args.json.write_text(
            json.dumps({"users": args.users, "devices": args.devices, "runs": runs}, indent=1)
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
