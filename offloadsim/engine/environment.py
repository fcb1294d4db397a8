"""The run's SimPy environment, with a calendar of light calls beside SimPy's events.

A flow's completion, its delivery, a stage's end and an arrival are each a
callback at a time: SimPy makes an event object for each (a ``Timeout``,
its callback list, its scheduling call), which is most of what an event
costs.  :meth:`RunEnvironment.call_in` queues ``(time, priority, eid,
function, argument)`` instead, with the eid drawn from SimPy's own counter,
and :meth:`RunEnvironment.step` processes the earlier of its calendar and
SimPy's queue.  Every call therefore happens exactly where the ``Timeout``
it replaces would have, ties in time included, and SimPy's processes and
events (the world's timed changes, plug-ins) interleave with them as before.

The arrival chains keep one call pending each, all run long (a thousand in
the city benchmark, against a few dozen other calls in flight), so their
calls (:meth:`RunEnvironment.chain_in`) wait on a calendar of their own:
every other call's pop then walks a heap of the few dozen, not of a
thousand more, for one more comparison per step between the two heads.
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappop, heappush
from typing import Any

import simpy
from simpy.core import EmptySchedule, StopSimulation
from simpy.events import NORMAL, EventPriority

__all__ = ["CallIn", "RunEnvironment", "caller"]

_Call = tuple[float, int, int, Callable[[Any], None], Any]  # (time, priority, eid, function, argument)

#: ``call_in(delay, function, argument)``: call ``function(argument)`` ``delay`` seconds from now.
CallIn = Callable[[float, Callable[[Any], None], Any], None]


class RunEnvironment(simpy.Environment):
    """A SimPy environment that also runs light calls (:meth:`call_in`) in SimPy's order.

    Its :attr:`now` is a plain attribute, set with SimPy's own ``_now``, not
    a property: the engine reads the clock a few dozen times per task.
    """

    now: float = 0.0  # shadows SimPy's read-only property: a plain attribute here

    def __init__(self, initial_time: float = 0) -> None:
        super().__init__(initial_time)
        self.now = self._now
        self._next_eid = self._eid.__next__  # SimPy's own counter, its method bound once
        self._calls: list[_Call] = []
        self._chains: list[_Call] = []  # the calls of chains that keep one pending all run (arrivals)
        # call_in and chain_in bound once, for caller() to hand out: every arrival chain then shares
        # one object rather than touching a bound method of its own at each arrival.
        self._bound: tuple[CallIn, CallIn] = (self.call_in, self.chain_in)

    def call_in(self, delay: float, function: Callable[[Any], None], argument: Any) -> None:
        """Call ``function(argument)`` ``delay`` (>= 0) s from now, where a Timeout made now would fire."""
        heappush(self._calls, (self._now + delay, NORMAL, self._next_eid(), function, argument))

    def chain_in(self, delay: float, function: Callable[[Any], None], argument: Any) -> None:
        """:meth:`call_in` for a chain that keeps one call pending all run: on the chains' own calendar."""
        heappush(self._chains, (self._now + delay, NORMAL, self._next_eid(), function, argument))

    def step(self) -> None:
        """Process the next SimPy event, or every call due before it (in SimPy's order either way)."""
        calls, chains, queue = self._calls, self._chains, self._queue
        called = False
        # Heads are compared by their times, a float comparison, and as whole tuples only when the
        # times tie (then priority and eid decide, as in SimPy; eids are unique: never further).
        while True:  # the common case: no SimPy event for a while (its run's ``until`` comes last)
            if calls:  # the earlier of the two calendars' heads
                heap = calls
                if chains:
                    at, other = calls[0][0], chains[0][0]
                    if other < at or (other == at and chains[0] < calls[0]):
                        heap = chains
            elif chains:
                heap = chains
            else:
                break
            if queue:
                first, head = queue[0], heap[0]
                if first[0] <= head[0] and first < head:  # SimPy's event comes first
                    break
            at, _, _, function, argument = heappop(heap)
            self._now = self.now = at
            function(argument)
            called = True
        if called:
            return
        # SimPy's own step.
        try:
            self._now, _, _, event = heappop(queue)
        except IndexError:
            raise EmptySchedule from None
        self.now = self._now
        callbacks, event.callbacks = event.callbacks, None  # type: ignore[assignment]
        try:
            for callback in callbacks:
                callback(event)
        except StopSimulation:
            event.callbacks = callbacks[callbacks.index(callback) + 1 :]
            self.schedule(event, EventPriority(-1))
            raise
        if not event._ok and not hasattr(event, "_defused"):
            exc = type(event._value)(*event._value.args)
            exc.__cause__ = event._value
            raise exc

    def peek(self) -> float:
        """The time of the next call or event (infinity if none)."""
        times = [entries[0][0] for entries in (self._calls, self._chains, self._queue) if entries]
        return min(times, default=float("inf"))


def caller(env: simpy.Environment, chain: bool = False) -> CallIn:
    """``call_in`` for ``env``: its light calls on a :class:`RunEnvironment`, else a ``Timeout`` each.

    ``chain``: for a chain that keeps one call pending all run (``chain_in``).
    """
    if isinstance(env, RunEnvironment):
        return env._bound[chain]

    def call_in(delay: float, function: Callable[[Any], None], argument: Any) -> None:
        env.timeout(delay, argument).callbacks.append(lambda event: function(event._value))

    return call_in
