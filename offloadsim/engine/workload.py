"""Arrival processes: Poisson, periodic with jitter, trace replay, closed loop.

Each (workload entry, source) pair is one chain of timeout events with a
callback, never a generator process per request.  Its random numbers come
from its own stream, so arrivals do not depend on the policy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import simpy

from offloadsim.engine.streams import stream
from offloadsim.scenario.model import WorkloadSpec

if TYPE_CHECKING:
    from offloadsim.engine.simulation import Simulation
    from offloadsim.engine.tasks import Task

__all__ = ["start_arrivals"]

Arrive = Callable[[], "Task | None"]


def start_arrivals(
    sim: Simulation, workload: WorkloadSpec, source: str, arrive: Arrive, key: tuple[int, int]
) -> None:
    """Schedule the arrivals of ``workload`` at ``source``; ``arrive()`` creates one task."""
    env = sim.env
    spec = workload.arrivals
    rng = stream(sim.seed, sim.replication, "arrivals", *key)
    start = workload.start_s
    stop = min(workload.stop_s if workload.stop_s is not None else sim.end_s, sim.end_s)

    def chain(next_gap: Callable[[], float], first: float) -> None:
        def fire(_: simpy.Event) -> None:
            arrive()
            gap = next_gap()
            if env.now + gap < stop:
                env.timeout(gap).callbacks.append(fire)

        if first < stop:
            env.timeout(first).callbacks.append(fire)

    if spec.kind == "poisson":
        assert spec.rate_per_s is not None
        from offloadsim.distributions import Dist

        gap = Dist("exponential", (1.0 / spec.rate_per_s,)).sampler(rng)
        chain(gap, start + gap())
    elif spec.kind == "periodic":
        assert spec.period_s is not None
        period, jitter = spec.period_s, spec.jitter_s
        # A random phase per source keeps many periodic sources from firing in lockstep.
        phase = float(rng.uniform(0.0, period))
        nominal = [start + phase]
        offset = [float(rng.uniform(0.0, jitter)) if jitter > 0 else 0.0]

        def periodic_gap() -> float:
            nominal[0] += period
            new_offset = float(rng.uniform(0.0, jitter)) if jitter > 0 else 0.0
            gap = max(0.0, nominal[0] + new_offset - env.now)
            offset[0] = new_offset
            return gap

        chain(periodic_gap, nominal[0] + offset[0])
    elif spec.kind == "trace":
        times = [t for t in spec.trace.get(source, spec.trace.get("*", ())) if start <= t < stop]
        index = [0]

        def trace_gap() -> float:
            index[0] += 1
            if index[0] >= len(times):
                return float("inf")
            return times[index[0]] - env.now

        if times:
            chain(trace_gap, times[0])
    elif spec.kind == "closed":
        assert spec.users is not None and spec.think is not None
        think = spec.think.sampler(rng)

        def user_cycle(_: object = None) -> None:
            delay = think()
            if env.now + delay >= stop:
                return
            event = env.timeout(delay)
            event.callbacks.append(lambda _ev: _submit())

        def _submit() -> None:
            task = arrive()
            if task is None:  # dropped at once: think again
                user_cycle()
            else:
                task.on_done = user_cycle

        for _ in range(spec.users):
            first = start + think()
            if first < stop:
                env.timeout(first).callbacks.append(lambda _ev: _submit())
    else:  # pragma: no cover - the loader admits only the kinds above
        raise ValueError(f"unknown arrival kind {spec.kind!r}")
