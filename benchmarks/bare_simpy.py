"""Bare SimPy M/M/1 reference: a simpy.Resource and one process per job.

This is the yardstick every offloadsim benchmark is reported against, measured
in the same process run so machine speed cancels out of the ratio.
"""

from __future__ import annotations

import random
import time

import simpy


def bare_simpy_mm1(jobs: int = 200_000, rate: float = 0.9, service_rate: float = 1.0, seed: int = 1) -> float:
    """Simulate ``jobs`` M/M/1 customers with plain SimPy; return jobs per wall second."""
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
    return jobs / elapsed


if __name__ == "__main__":
    print(f"bare SimPy M/M/1: {bare_simpy_mm1():,.0f} jobs/s")
