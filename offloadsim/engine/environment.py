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
That calendar's entries are one object each (:class:`_Due`, a float
carrying its eid and call), not a tuple and its float time: a city's
chain entry is touched once in a thousand tasks, cold in the cache, and
each of a pop's ten-odd comparisons then reads one object, not two.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from heapq import heappop, heappush
from typing import Any, Final

import simpy
from simpy.core import EmptySchedule, StopSimulation
from simpy.events import NORMAL, EventPriority

from offloadsim.engine.due import Due as _Due

__all__ = [
    "NORMAL_PRIORITY",
    "Calendar",
    "CallIn",
    "RunEnvironment",
    "calendar_of",
    "caller",
    "pending_calls",
]

_Call = tuple[float, int, int, Callable[[Any], None], Any]  # (time, priority, eid, function, argument)

#: ``call_in(delay, function, argument)``: call ``function(argument)`` ``delay`` seconds from now.
CallIn = Callable[[float, Callable[[Any], None], Any], None]

# Final: a build compiled by mypyc keeps these in C statics, not in the module's dict.
_NORMAL: Final = NORMAL
#: A light call's priority (SimPy's ``NORMAL``), for hot paths that push onto ``Calendar.calls``.
NORMAL_PRIORITY: Final = NORMAL
_heappush: Final = heappush
_heappop: Final = heappop
_INF: Final = float("inf")


def _by_time_then_eid_last_first(due: _Due) -> tuple[float, int]:
    return -due.at, -due.eid


class Calendar:
    """The light calls of a :class:`RunEnvironment`, its clock, and the loop that runs them.

    A plain object of its own, not the environment: the environment
    subclasses SimPy's, so a build compiled by mypyc keeps its attributes in
    a dict, where this one's (the clock, the calendars) are fields of a C
    struct.  The environment's ``now`` is still set at every call, for the
    code that reads the clock there.
    """

    __slots__ = ("calls", "chains", "eids", "env", "limit", "now", "queue", "tied")

    def __init__(self, env: RunEnvironment) -> None:
        self.env = env
        self.now: float = env.now
        # SimPy's own counter, drawn by next(): a builtin's call, which 3.11 specialises (a bound
        # __next__, a method-wrapper, it does not: a method lookup and a generic call at every draw).
        self.eids: Iterator[int] = env._eid
        self.queue: list[Any] = env._queue  # SimPy's (time, priority, eid, event) heap
        self.calls: list[_Call] = []
        # The calls of chains that keep one pending all run (arrivals): a heap of _Due ordered by time
        # alone, whose root is kept the first by eid of its time (_untie), and the calls taken off it
        # because their times tied, in (time, eid) order from last to first (usually empty).
        self.chains: list[_Due] = []
        self.tied: list[_Due] = []
        # While run_due's inner loop runs: the time of the next chain call or SimPy event (no call at
        # or after it may run there), lowered by a chain's call or a SimPy event made meanwhile.
        self.limit: float = _INF

    def call_in(self, delay: float, function: Callable[[Any], None], argument: Any) -> None:
        """Call ``function(argument)`` ``delay`` (>= 0) s from now, where a Timeout made now would fire."""
        _heappush(self.calls, (self.now + delay, _NORMAL, next(self.eids), function, argument))

    def chain_in(self, delay: float, function: Callable[[Any], None], argument: Any) -> None:
        """:meth:`call_in` for a chain that keeps one call pending all run: on the chains' own calendar."""
        at: float = self.now + delay
        if at < self.limit:  # before the next chain call run_due's inner loop knew of
            self.limit = at
        due = _Due(at)
        due.at = at
        due.eid = next(self.eids)
        due.call = function
        due.argument = argument
        # A push keeps the root the first by eid of its time: a later eid at the root's time stays below.
        _heappush(self.chains, due)

    def _untie(self) -> None:
        """Move every call whose time ties with the chains' root's onto ``tied``, until the root is alone.

        The heap orders by time alone and moves tied entries in any order, so after a pop the root
        may not be the first by eid of its time; the tied ones then wait on ``tied``, in order.
        """
        chains, tied = self.chains, self.tied
        while len(chains) > 1 and (
            chains[1].at == chains[0].at or (len(chains) > 2 and chains[2].at == chains[0].at)
        ):
            at = chains[0].at
            while chains and chains[0].at == at:
                tied.append(_heappop(chains))
        tied.sort(key=_by_time_then_eid_last_first)

    def run_due(self) -> bool:
        """Every call due before SimPy's next event, in SimPy's order; False if none was."""
        calls, chains, tied, queue, env = self.calls, self.chains, self.tied, self.queue, self.env
        called = False
        # Heads are compared by their times, a float comparison, and by priority and eid only when the
        # times tie (as in SimPy; eids are unique: never further). A chain's priority is NORMAL.
        while True:  # the common case: no SimPy event for a while (its run's ``until`` comes last)
            due = chains[0] if chains else None  # the chains' next call
            if tied:
                other = tied[-1]
                if due is None or other.at < due.at or (other.at == due.at and other.eid < due.eid):
                    due = other
            # An exact float (``at``, not the _Due), so that 3.11 specialises the comparisons with it (and
            # with ``limit``, the inner loop's at every call): a float's with a _Due, a subclass's, take
            # the generic path. Typed float, so that a build compiled by mypyc compares it in C.
            due_at: float = _INF if due is None else due.at
            if calls:
                head = calls[0]
                at = head[0]
                if due is None or at < due_at or (at == due_at and head[2] < due.eid):  # the calls come first
                    first_at: float = _INF
                    if queue:
                        first = queue[0]
                        first_at = first[0]
                        if first_at <= at and first < head:  # SimPy's event comes first
                            break
                    # Before the next chain call or SimPy event: every call due strictly earlier runs
                    # in this inner loop, without the heads' comparisons above. A chain's call or a
                    # SimPy event made meanwhile lowers the bound (chain_in, RunEnvironment.schedule);
                    # a time that ties with it goes round the outer loop, which orders ties by eid.
                    limit = due_at if first_at > due_at else first_at
                    self.limit = limit
                    _, _, _, function, argument = _heappop(calls)
                    self.now = env.now = at
                    function(argument)
                    called = True
                    while calls:
                        at = calls[0][0]
                        if at >= self.limit:
                            break
                        _, _, _, function, argument = _heappop(calls)
                        self.now = env.now = at
                        function(argument)
                    continue
            elif due is None:
                break
            if queue:
                first = queue[0]
                first_at = first[0]
                if first_at < due_at or (first_at == due_at and (first[1], first[2]) < (_NORMAL, due.eid)):
                    break  # SimPy's event comes first
            if tied and due is tied[-1]:
                tied.pop()
            else:
                _heappop(chains)
                n = len(chains)
                if n > 1 and (chains[1].at == chains[0].at or (n > 2 and chains[2].at == chains[0].at)):
                    self._untie()  # the new root's time ties: put the tied calls in eid order
            self.now = env.now = due_at
            function = due.call
            function(due.argument)
            called = True
        return called

    def peek(self) -> float:
        """The time of the next light call (infinity if none)."""
        times = [self.calls[0][0]] if self.calls else []
        times += [entries[i].at for entries, i in ((self.chains, 0), (self.tied, -1)) if entries]
        return min(times, default=float("inf"))


class RunEnvironment(simpy.Environment):
    """A SimPy environment that also runs light calls (:meth:`call_in`) in SimPy's order.

    Its :attr:`now` is a plain attribute, not a property: the engine reads
    the clock a few dozen times per task.  SimPy's own ``_now`` reads and
    sets it (SimPy's code only: its events are few in a run).  The calls
    and their loop are its :class:`Calendar`'s.
    """

    now: float = 0.0  # shadows SimPy's read-only property: a plain attribute here

    def __init__(self, initial_time: float = 0) -> None:
        super().__init__(initial_time)
        self.calendar = calendar = Calendar(self)
        # call_in and chain_in bound once, for caller() to hand out: every arrival chain then shares
        # one object rather than touching a bound method of its own at each arrival.
        self._bound: tuple[CallIn, CallIn] = (calendar.call_in, calendar.chain_in)

    @property
    def _now(self) -> float:
        """SimPy's clock: the environment's ``now`` (set once per call, not twice)."""
        return self.now

    @_now.setter
    def _now(self, value: float) -> None:
        self.now = value

    def schedule(self, event: simpy.Event, priority: EventPriority = NORMAL, delay: float = 0) -> None:
        """SimPy's ``schedule``; an event before the calendar's inner loop's bound lowers it."""
        calendar = self.calendar
        at = self.now + delay
        heappush(self._queue, (at, priority, next(self._eid), event))
        if at < calendar.limit:
            calendar.limit = at

    def call_in(self, delay: float, function: Callable[[Any], None], argument: Any) -> None:
        """Call ``function(argument)`` ``delay`` (>= 0) s from now, where a Timeout made now would fire."""
        self.calendar.call_in(delay, function, argument)

    def chain_in(self, delay: float, function: Callable[[Any], None], argument: Any) -> None:
        """:meth:`call_in` for a chain that keeps one call pending all run: on the chains' own calendar."""
        self.calendar.chain_in(delay, function, argument)

    def step(self) -> None:
        """Process the next SimPy event, or every call due before it (in SimPy's order either way)."""
        calendar = self.calendar
        if calendar.run_due():
            return
        # SimPy's own step.
        try:
            now, _, _, event = heappop(self._queue)
        except IndexError:
            raise EmptySchedule from None
        calendar.now = self.now = now
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
        return min(self.calendar.peek(), self._queue[0][0] if self._queue else float("inf"))


def caller(env: simpy.Environment, chain: bool = False) -> CallIn:
    """``call_in`` for ``env``: its light calls on a :class:`RunEnvironment`, else a ``Timeout`` each.

    ``chain``: for a chain that keeps one call pending all run (``chain_in``).
    """
    if isinstance(env, RunEnvironment):
        return env._bound[chain]

    def call_in(delay: float, function: Callable[[Any], None], argument: Any) -> None:
        env.timeout(delay, (function, argument)).callbacks.append(_fire)

    return call_in


def calendar_of(env: simpy.Environment) -> Calendar | None:
    """``env``'s :class:`Calendar` on a :class:`RunEnvironment`, else None (a plain SimPy environment).

    For the few hot paths (a flow's end and delivery, a stage's end) that
    push their call onto ``calls`` themselves, as :meth:`Calendar.call_in`
    does, rather than call it: a Python call's frame is about a thousand
    machine instructions, some 4 % of a task of benchmark (b).  Elsewhere,
    :func:`caller`'s ``call_in``.
    """
    return env.calendar if isinstance(env, RunEnvironment) else None


def _fire(event: Any) -> None:
    """A plain environment's light call: its ``Timeout`` carries ``(function, argument)``."""
    function, argument = event._value
    function(argument)


def pending_calls(env: simpy.Environment, function: Callable[[Any], None]) -> list[tuple[float, Any]]:
    """``(time, argument)`` of each call of ``function`` made through :func:`caller` and not yet due.

    A walk over every pending call, in no particular order, for what happens seldom (a node
    going down finds the stages its processor has in service): nothing is kept per call for it.
    """
    if isinstance(env, RunEnvironment):
        calendar = env.calendar
        found = [(at, argument) for at, _, _, call, argument in calendar.calls if call is function]
        found += [
            (due.at, due.argument) for due in (*calendar.chains, *calendar.tied) if due.call is function
        ]
        return found
    return [
        (at, event._value[1])
        for at, _, _, event in env._queue
        if event.callbacks and _fire in event.callbacks and event._value[0] is function
    ]
