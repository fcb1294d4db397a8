"""Arrivals: each (workload entry, source) pair runs its arrival process (offloadsim.scenario.arrivals).

An open process is one chain of timeout events with a
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
from numbers import Real
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import simpy

from offloadsim.engine.environment import caller
from offloadsim.engine.errors import EngineError, at_scenario
from offloadsim.engine.plugin_adapters import PluginArrivals
from offloadsim.engine.stall import Streak
from offloadsim.engine.streams import Name, stream
from offloadsim.plugins import dotted_name, shipped_module
from offloadsim.scenario.arrivals import Clock
from offloadsim.scenario.model import Scenario, WorkloadSpec
from offloadsim.suggest import quoted

if TYPE_CHECKING:
    from offloadsim.engine.context import RunContext
    from offloadsim.engine.tasks import Task

__all__ = ["STALL_LIMIT", "arrivals_of", "start_arrivals"]

# Arrivals of one chain in a row at one simulated instant before the run is declared stalled
# (on top of the chain's closed-loop users, who may all legitimately start at one instant).
STALL_LIMIT = 10_000

Arrive = Callable[[], "Task | None"]


def arrivals_of(scenario: Scenario, workload: WorkloadSpec) -> Any:
    """``workload``'s arrival process as the run reads it: a plug-in's in its checking adapter.

    Asked once per workload entry, as the run is built; every reader (:func:`start_arrivals`, the
    stall guard) holds what it returns.  A plug-in's process is wrapped in
    :class:`~offloadsim.engine.plugin_adapters.PluginArrivals`, which checks its gaps and its
    ``stall_allowance`` and says a bad one at the workload entry; a shipped one is handed over as
    it is.  Any: compiled by mypyc, a plug-in's values are read without the engine's own checks.
    """
    process = workload.arrivals
    if shipped_module(type(process).__module__):
        return process
    said = _said(scenario, workload)
    return PluginArrivals(
        process,
        _bad_time(scenario, workload),
        lambda value: said(f"returned {value!r} from stall_allowance(); expected a number of arrivals"),
    )


def start_arrivals(
    sim: RunContext, workload: WorkloadSpec, process: Any, source: str, arrive: Arrive, key: tuple[Name, ...]
) -> None:
    """Schedule the arrivals of ``workload`` at ``source``; ``arrive()`` creates one task.

    ``process``: the entry's process as :func:`arrivals_of` gave it; ``key`` names the chain's own
    arrival stream (:func:`offloadsim.engine.streams.stream`).
    """
    env = sim.env
    rng = stream(sim.seed, sim.replication, "arrivals", *key)
    stop = min(workload.stop_s if workload.stop_s is not None else sim.end_s, sim.end_s)
    stalled = _stall_guard(env, sim.world.scenario, workload, process, source)
    bad_time = _bad_time(sim.world.scenario, workload)
    process.start(_Run(env, rng, source, workload.start_s, stop, arrive, stalled, bad_time))


class _Run:
    """What an arrival process is handed for one (workload entry, source) pair (``ArrivalRun``)."""

    __slots__ = ("_env", "arrive", "bad_time", "clock", "rng", "source", "stalled", "start", "stop")

    def __init__(
        self,
        env: simpy.Environment,
        rng: np.random.Generator,
        source: str,
        start: float,
        stop: float,
        arrive: Arrive,
        stalled: Callable[[float], None],
        bad_time: Callable[[str, object], EngineError],
    ):
        self._env = env
        self.clock: Clock = env
        self.rng = rng
        self.source = source
        self.start = start
        self.stop = stop
        self.arrive = arrive
        self.stalled = stalled
        self.bad_time = bad_time

    def at(self, delay: float, callback: Callable[[simpy.Event], None]) -> None:
        """Call ``callback(event)`` ``delay`` from now."""
        self._env.timeout(delay).callbacks.append(callback)

    def chain(self, next_gap: Callable[[], float], first: Any) -> None:
        """Arrivals at ``first`` and then ``next_gap()`` after each one, before ``stop``.

        ``first`` is Any, not a float: compiled by mypyc, a float parameter would refuse a
        str or None in a TypeError of its own and take a Decimal through its ``__float__``, where
        this check refuses both, alike in both builds.  A plug-in's ``next_gap`` comes wrapped by its
        adapter (``PluginArrivals``), handing over floats; a shipped process's, as it is.
        """
        chain = _Chain(self.arrive, next_gap, self._env, self.stop, self.stalled, self.bad_time)
        # A str, None, NaN or a negative time is refused; numpy's numbers are Real and pass.
        number = isinstance(first, Real)  # apart: mypy would narrow first to Real, which has no >=
        if not number or not first >= 0:
            raise self.bad_time("the first arrival time", first)
        if first < self.stop:
            chain.call_in(float(first), _Chain.fire, chain)


class _Chain:
    """One open arrival process's chain: an arrival, then the next one ``next_gap()`` later.

    Its pending call is ``_Chain.fire`` (one function for every chain) with
    the chain as its argument, so an arrival touches this one object where a
    closure per chain would touch its function, its cells' tuple and six
    cells: a city's thousand chains each fire once in a thousand tasks, and
    each distinct object touched is then a cache miss.
    """

    __slots__ = ("arrive", "bad_time", "call_in", "env", "next_gap", "stalled", "stop")

    def __init__(
        self,
        arrive: Arrive,
        next_gap: Callable[[], float],
        env: simpy.Environment,
        stop: float,
        stalled: Callable[[float], None],
        bad_time: Callable[[str, object], EngineError],
    ):
        self.arrive = arrive
        self.next_gap = next_gap
        self.env = env
        self.stop = stop
        self.stalled = stalled
        self.bad_time = bad_time
        self.call_in = caller(env, chain=True)  # light calls, on the chains' own calendar

    def fire(self) -> None:
        """Make this arrival; schedule the next unless it falls at or after ``stop``."""
        # Each callable is read into a local before it is called: ``self.arrive()`` would be a method
        # look-up that 3.11 cannot specialise for a slot, ``arrive = self.arrive`` a slot read it can.
        arrive, next_gap = self.arrive, self.next_gap
        arrive()
        gap = next_gap()
        now: float = self.env.now  # float, not SimPy's int | float: mypyc's arithmetic on it is then native
        later = now + gap  # a number: a plug-in's gap came through its adapter (PluginArrivals)
        if later < self.stop:
            if later <= now:  # 0 (a stall, counted) or negative (time would run backwards)
                if gap < 0:
                    raise self.bad_time("a gap", gap)
                stalled = self.stalled
                stalled(now)
            call_in = self.call_in
            call_in(gap, _FIRE, self)
        elif later != later:  # NaN: the chain would stop silently
            raise self.bad_time("a gap", gap)


#: Every chain's pending call (Final: a C static in a build compiled by mypyc, not a look-up on the class).
_FIRE: Final = _Chain.fire


def _bad_time(scenario: Scenario, workload: WorkloadSpec) -> Callable[[str, object], EngineError]:
    """The error of an arrival process that handed ``what`` (its first time or a gap) as ``value``.

    Said at the workload entry of ``scenario``'s file, naming the process and its class: a plug-in's
    gap that was negative hung the run, a NaN one ended its arrivals silently, a string one was an
    internal error.
    """
    said = _said(scenario, workload)

    def bad_time(what: str, value: object) -> EngineError:
        return said(f"gave {what} {value!r}; expected a number of seconds, at least 0")

    return bad_time


def _said(scenario: Scenario, workload: WorkloadSpec) -> Callable[[str], EngineError]:
    """An EngineError at ``workload``'s entry of ``scenario``'s file: its process, its class, ``words``."""
    process = workload.arrivals
    kind = f"arrivals: {process.kind} ({dotted_name(type(process))})"
    return lambda words: EngineError(at_scenario(scenario, f"workload[{workload.index}]", f"{kind} {words}"))


def _stall_guard(
    env: simpy.Environment, scenario: Scenario, workload: WorkloadSpec, process: Any, source: str
) -> Callable[[float], None]:
    """A counter of one chain's arrivals in a row at one instant; raises EngineError past the limit.

    The error says it at the workload entry of ``scenario``'s file, as validation says a problem.
    ``process``: as :func:`arrivals_of` gave it (Any: its ``stall_allowance``, a plug-in's checked
    by its adapter, is any number, as the pure build adds it, not checked as an int).
    """
    allowance = process.stall_allowance(source)
    streak = Streak(STALL_LIMIT + allowance)

    def stalled(now: float) -> None:
        if streak.past(now):
            raise EngineError(
                at_scenario(
                    scenario,
                    f"workload[{workload.index}]",
                    f"simulated time stopped advancing at {now:g} s ({streak.count:,} arrivals at "
                    f"{quoted(source)} in a row at that instant), so the run could never end; "
                    + process.stall_hint,
                )
            )

    return stalled
