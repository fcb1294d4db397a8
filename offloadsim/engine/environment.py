"""The run's SimPy environment, with a calendar of light calls beside SimPy's events.

A flow's completion, its delivery, a stage's end and an arrival are each a
callback at a time: SimPy makes an event object for each (a ``Timeout``,
its callback list, its scheduling call), which is most of what an event
costs.  :meth:`RunEnvironment.call_in` queues a :class:`_Due` instead (a
float, its time, carrying its eid drawn from SimPy's own counter, its
function and argument; its priority is SimPy's ``NORMAL``), and
:meth:`RunEnvironment.step` processes the earlier of its calendar and
SimPy's queue.  Every call therefore happens exactly where the ``Timeout``
it replaces would have, ties in time included, and SimPy's processes and
events (the world's timed changes, plug-ins) interleave with them as before.

The arrival chains keep one call pending each, all run long (a thousand in
the city benchmark, against a few dozen other calls in flight), so their
calls (:meth:`RunEnvironment.chain_in`) wait on a calendar of their own:
every other call's pop then walks a heap of the few dozen, not of a
thousand more, for one more comparison per step between the two heads.
A heap of floats compares its entries with one float comparison in C, where
``(time, priority, eid, ...)`` tuples took three; floats cannot order
equal times by eid, so the calendar does (:meth:`Calendar._untie`).
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappop, heappush
from typing import Any, Final

import simpy
from simpy.core import EmptySchedule, StopSimulation
from simpy.events import NORMAL, EventPriority

from offloadsim.engine.due import Due as _Due

__all__ = [
    "Calendar",
    "CallIn",
    "RunEnvironment",
    "calendar_of",
    "caller",
    "pending_calls",
]

#: ``call_in(delay, function, argument)``: call ``function(argument)`` ``delay`` seconds from now.
CallIn = Callable[[float, Callable[[Any], None], Any], None]

# Final: a build compiled by mypyc keeps these in C statics, not in the module's dict.
_NORMAL: Final = NORMAL
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

    __slots__ = ("calls", "chains", "env", "limit", "next_eid", "now", "queue", "tied")

    def __init__(self, env: RunEnvironment) -> None:
        self.env = env
        self.now: float = env.now
        self.next_eid: Callable[[], int] = env._eid.__next__  # SimPy's own counter, its method bound once
        self.queue: list[Any] = env._queue  # SimPy's (time, priority, eid, event) heap
        # Two heaps of _Due ordered by time alone: the calls, and the calls of chains that keep one
        # pending all run (arrivals). The chains' root is kept the first by eid of its time (_untie after
        # a pop); the calls' root is checked only where its eid decides (a pop, a tie with another head).
        # ``tied``: the calls taken off either because their times tied, in (time, eid) order from last
        # to first (usually empty).
        self.calls: list[_Due] = []
        self.chains: list[_Due] = []
        self.tied: list[_Due] = []
        # While run_due's inner loop runs: the time of the next chain call or SimPy event (no call at
        # or after it may run there), lowered by a chain's call or a SimPy event made meanwhile.
        self.limit: float = _INF

    def call_in(self, delay: float, function: Callable[[Any], None], argument: Any) -> None:
        """Call ``function(argument)`` ``delay`` (>= 0) s from now, where a Timeout made now would fire."""
        at: float = self.now + delay
        due = _Due(at)
        due.at = at
        due.eid = self.next_eid()
        due.call = function
        due.argument = argument
        _heappush(self.calls, due)

    def chain_in(self, delay: float, function: Callable[[Any], None], argument: Any) -> None:
        """:meth:`call_in` for a chain that keeps one call pending all run: on the chains' own calendar."""
        at: float = self.now + delay
        if at < self.limit:  # before the next chain call run_due's inner loop knew of
            self.limit = at
        due = _Due(at)
        due.at = at
        due.eid = self.next_eid()
        due.call = function
        due.argument = argument
        # A push keeps the root the first by eid of its time: a later eid at the root's time stays below.
        _heappush(self.chains, due)

    def _untie(self, heap: list[_Due], popped: _Due | None) -> None:
        """Move the calls of ``heap`` that tie in time with its root (or ``popped``) onto ``tied``, in order.

        A heap orders by time alone and moves tied entries in any order, so its root may not be the
        first by eid of its time; the tied ones then wait on ``tied``, sorted. On the chains' heap,
        again while the new root ties with a child, so that its root is the first by eid of its time.
        """
        tied = self.tied
        if popped is not None:
            tied.append(popped)
            at = popped.at
        else:
            at = heap[0].at
        while heap and heap[0].at == at:
            tied.append(_heappop(heap))
        if heap is self.chains:
            while len(heap) > 1 and (
                heap[1].at == heap[0].at or (len(heap) > 2 and heap[2].at == heap[0].at)
            ):
                at = heap[0].at
                while heap and heap[0].at == at:
                    tied.append(_heappop(heap))
        tied.sort(key=_by_time_then_eid_last_first)

    def run_due(self) -> bool:
        """Every call due before SimPy's next event, in SimPy's order; False if none was."""
        calls, chains, tied, queue, env = self.calls, self.chains, self.tied, self.queue, self.env
        called = False
        # Heads are compared by their times (``at``, an exact float, so that 3.11 specialises the
        # comparisons and a build compiled by mypyc makes them in C), and by priority and eid only when
        # the times tie (as in SimPy; eids are unique: never further). A call's priority is NORMAL.
        while True:  # the common case: no SimPy event for a while (its run's ``until`` comes last)
            due = chains[0] if chains else None  # the chains' next call, or a tied one
            if tied:
                other = tied[-1]
                if due is None or other.at < due.at or (other.at == due.at and other.eid < due.eid):
                    due = other
            due_at: float = _INF if due is None else due.at
            if calls:
                head = calls[0]
                at: float = head.at
                if at < due_at:  # the calls come first
                    first_at: float = _INF
                    if queue:
                        first_at = queue[0][0]
                        if first_at < at:  # SimPy's event comes first
                            break
                        if first_at == at:  # a tie with SimPy's event: ordered by eid below
                            self._untie(calls, None)
                            continue
                    # Before the next chain call or SimPy event: every call due strictly earlier runs
                    # in this inner loop, without the heads' comparisons above. A chain's call or a
                    # SimPy event made meanwhile lowers the bound (chain_in, RunEnvironment.schedule);
                    # a time that ties with it goes round the outer loop, which orders ties by eid.
                    self.limit = due_at if first_at > due_at else first_at
                    while True:
                        _heappop(calls)
                        if calls and calls[0].at == at:  # a tie: the root was not necessarily first by eid
                            self._untie(calls, head)
                            break
                        self.now = env.now = at
                        function = head.call  # read as an attribute: 3.11 specialises it, not a method's
                        function(head.argument)
                        called = True
                        if not calls:
                            break
                        head = calls[0]
                        at = head.at
                        if at >= self.limit:
                            break
                    continue
                if at == due_at:  # a tie with the chains' or a tied call: ordered by eid below
                    self._untie(calls, None)
                    continue
            elif due is None:
                break
            assert due is not None  # calls is empty, or its head is later
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
                    self._untie(chains, None)  # the new root's time ties: put the tied calls in eid order
            self.now = env.now = due_at
            function = due.call
            function(due.argument)
            called = True
        return called

    def peek(self) -> float:
        """The time of the next light call (infinity if none)."""
        times = [
            entries[i].at for entries, i in ((self.calls, 0), (self.chains, 0), (self.tied, -1)) if entries
        ]
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
        entries = (*calendar.calls, *calendar.chains, *calendar.tied)
        return [(due.at, due.argument) for due in entries if due.call is function]
    return [
        (at, event._value[1])
        for at, _, _, event in env._queue
        if event.callbacks and _fire in event.callbacks and event._value[0] is function
    ]
