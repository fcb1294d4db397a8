"""Bare SimPy M/M/1 reference: a simpy.Resource and one process per job.

This is the yardstick every offloadsim benchmark is reported against,
measured in the same benchmark run so that machine speed cancels out of the
ratio.  It is the textbook way to write the model in SimPy, and deliberately
does nothing more than offloadsim's M/M/1 benchmark must do: draw the
arrivals and service times, queue, serve and keep each job's wait.

    python benchmarks/bare_simpy.py [--jobs N] [--json]
"""

from __future__ import annotations

import argparse
import json
import random
import time

import simpy


def bare_simpy_run(
    jobs: int = 200_000, rate: float = 0.9, service_rate: float = 1.0, seed: int = 1
) -> tuple[int, float]:
    """Simulate ``jobs`` M/M/1 customers with plain SimPy; return ``(jobs, wall seconds of env.run)``."""
    rng = random.Random(seed)
    env = simpy.Environment()
    server = simpy.Resource(env, capacity=1)
    waits: list[float] = []

    def job(env: simpy.Environment):
        arrived = env.now
        with server.request() as request:
            yield request
            waits.append(env.now - arrived)
            yield env.timeout(rng.expovariate(service_rate))

    def source(env: simpy.Environment):
        for _ in range(jobs):
            yield env.timeout(rng.expovariate(rate))
            env.process(job(env))

    env.process(source(env))
    start = time.perf_counter()
    env.run()
    elapsed = time.perf_counter() - start
    if len(waits) != jobs:  # pragma: no cover - a broken reference must not pass silently
        raise RuntimeError(f"bare SimPy served {len(waits)} of {jobs} jobs")
    return jobs, elapsed


def bare_simpy_mm1(jobs: int = 200_000, rate: float = 0.9, service_rate: float = 1.0, seed: int = 1) -> float:
    """Simulate ``jobs`` M/M/1 customers with plain SimPy; return jobs per wall second."""
    done, elapsed = bare_simpy_run(jobs, rate, service_rate, seed)
    return done / elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=200_000, help="jobs to simulate (default 200,000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a sentence")
    args = parser.parse_args(argv)
    jobs, elapsed = bare_simpy_run(args.jobs, seed=args.seed)
    if args.json:
        print(json.dumps({"jobs": jobs, "run_s": elapsed, "jobs_per_s": jobs / elapsed}))
    else:
        print(f"bare SimPy M/M/1: {jobs:,} jobs in {elapsed:.2f} s = {jobs / elapsed:,.0f} jobs/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
