"""Arrival processes: Poisson, periodic with jitter, trace replay, closed loop.

Each (workload entry, source) pair is one chain of timeout events with a
callback, never a generator process per request.  Its random numbers come
from its own stream, so arrivals do not depend on the policy.

A chain whose next arrival would fall at the instant it is at (a gap below
the clock's resolution, or a closed-loop user with no think time whose
request took none) is counted; past :data:`STALL_LIMIT` such arrivals in a
row at one instant the run stops with an :class:`EngineError`, since
simulated time can no longer advance.  The count is touched only when a gap
is zero, so ordinary arrivals pay one float comparison.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import simpy

from offloadsim.engine.errors import EngineError
from offloadsim.engine.streams import stream
from offloadsim.scenario.model import WorkloadSpec

if TYPE_CHECKING:
    from offloadsim.engine.simulation import Simulation
    from offloadsim.engine.tasks import Task

__all__ = ["STALL_LIMIT", "start_arrivals"]

# Arrivals of one chain in a row at one simulated instant before the run is declared stalled
# (on top of the chain's closed-loop users, who may all legitimately start at one instant).
STALL_LIMIT = 10_000

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
    stalled = _stall_guard(env, workload, source)

    def chain(next_gap: Callable[[], float], first: float) -> None:
        def fire(_: simpy.Event) -> None:
            arrive()
            gap = next_gap()
            now = env.now
            if now + gap < stop:
                if now + gap == now:
                    stalled(now)
                env.timeout(gap).callbacks.append(fire)

        if first < stop:
            env.timeout(first).callbacks.append(fire)

    if spec.kind == "poisson":
        assert spec.rate_per_s is not None
        from offloadsim.scenario.distributions import Dist

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

        def user_cycle(done: Task | None = None) -> None:
            delay = think()
            now = env.now
            if now + delay >= stop:
                return
            if now + delay == now and (done is None or done.arrival == now):
                stalled(now)  # a request that took no time, and no time to think
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


def _stall_guard(env: simpy.Environment, workload: WorkloadSpec, source: str) -> Callable[[float], None]:
    """A counter of one chain's arrivals in a row at one instant; raises EngineError past the limit."""
    spec = workload.arrivals
    limit = STALL_LIMIT + (spec.users or 0)
    if spec.kind == "periodic" and spec.period_s:
        # Jitter wider than the period legitimately lines a few arrivals up at one instant.
        limit += int(min(spec.jitter_s / spec.period_s, 1e9))
    elif spec.kind == "trace":
        limit += len(spec.trace.get(source, spec.trace.get("*", ())))  # rows may share a time
    state = [-1.0, 0]  # the instant, arrivals there in a row

    def stalled(now: float) -> None:
        if now != state[0]:
            state[0], state[1] = now, 0
        state[1] += 1
        if state[1] > limit:
            raise EngineError(
                f"workload[{workload.index}] at {source!r}: simulated time stopped advancing at {now:g} s "
                f"({state[1]:,} arrivals in a row at that instant), so the run could never end; "
                + _stall_hint(spec.kind)
            )

    return stalled


def _stall_hint(kind: str) -> str:
    if kind == "closed":
        return (
            "its users never think and their requests take no time (or are dropped at once): "
            "give 'think' a positive time"
        )
    return "the gap between arrivals is below the clock's resolution there: lower the arrival rate"
