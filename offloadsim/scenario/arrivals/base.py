"""The arrival-process contract and registry: one module and one registration per process.

An arrival process is a frozen dataclass subclassing :class:`ArrivalProcess`.
Its scenario keys are its fields, declared once with
:func:`offloadsim.scenario.keys.key` (type, unit, default, doc): the workload
entry's schema, its JSON Schema and docs, and the resolved spec all come from
them.  At run time the engine hands it an :class:`ArrivalRun` per (workload
entry, source) and the process schedules its arrivals through it; it never
imports the engine or simpy.  Other distributions add processes through the
``offloadsim.arrivals`` entry-point group (each entry point names a process
class); they are loaded on first use, and one that fails to load is a
warning naming its distribution, never a crash.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, NamedTuple, Protocol

import numpy as np

from offloadsim.plugins import EntryPointGroup, PluginSkipped, blame, dotted_name
from offloadsim.scenario.errors import PluginRaised, Problem, ProblemList, ScenarioError
from offloadsim.scenario.keys import Key, declared_keys
from offloadsim.scenario.size import closed_loop_arrivals
from offloadsim.suggest import quoted

__all__ = [
    "ArrivalContext",
    "ArrivalProcess",
    "ArrivalRun",
    "Clock",
    "ClosedLoop",
    "LeastService",
    "Submitted",
    "arrival_kinds",
    "arrival_process",
    "arrival_processes",
    "register_arrival_process",
    "registry_version",
    "unregister_arrival_process",
    "ENTRY_POINT_GROUP",
]

#: The entry-point group third-party distributions declare their arrival processes in.
ENTRY_POINT_GROUP = "offloadsim.arrivals"


class Clock(Protocol):
    """The simulated clock: ``now`` in seconds."""

    @property
    def now(self) -> float:
        """Simulated seconds since the start of the run."""


class Submitted(Protocol):
    """A task an arrival created; ``on_done(task)`` is called when it finishes."""

    arrival: float
    on_done: Callable[[Any], None] | None


class ArrivalRun(Protocol):
    """What the engine hands a process for one (workload entry, source) pair.

    ``rng`` is the pair's own random stream; arrivals happen in
    ``[start, stop)``.  ``chain(next_gap, first)`` is the fast path of open
    processes: an arrival at ``first``, then one ``next_gap()`` after each
    arrival, until ``stop``.  ``at(delay, callback)`` calls ``callback(event)``
    ``delay`` from now; ``arrive()`` creates one task (None: dropped at once);
    ``stalled(now)`` counts an arrival at the instant of the last one.
    """

    clock: Clock
    rng: np.random.Generator
    source: str
    start: float
    stop: float

    def chain(self, next_gap: Callable[[], float], first: float) -> None:
        """Arrivals at ``first`` and then ``next_gap()`` after each one, before ``stop``."""

    def at(self, delay: float, callback: Callable[[Any], None]) -> None:
        """Call ``callback(event)`` ``delay`` from now."""

    def arrive(self) -> Submitted | None:
        """Create one task now (None: it was dropped at once)."""

    def stalled(self, now: float) -> None:
        """Count an arrival at the same instant as the one before (the engine stops a stuck run)."""


@dataclass(frozen=True, eq=False)  # compared by identity: it holds callables (start-up: issue 12 e)
class ArrivalContext:
    """What resolving a workload entry offers its process: where it is, and what it may read.

    ``fits(tasks, key)`` is True when ``tasks`` more recorded tasks, whose
    arrival times the process holds in memory (a trace's rows), still fit in
    memory (else it has added a problem at ``key``).  ``room(rows, file)`` is
    the refusal of holding ``rows`` arrival times read from ``file`` (its
    one line), or None: asked before reading them, with what the file's
    lines say they are at most.
    """

    path: str
    base_dir: Path
    sources: tuple[str, ...]
    problems: ProblemList
    fits: Callable[[float, str], bool]
    room: Callable[[int, str], str | None] = lambda rows, file: None


class ArrivalProcess:
    """Base of arrival processes: subclasses are frozen dataclasses whose ``key()`` fields are their keys.

    ``kind`` is the name written as ``arrivals: KIND``.  Override
    :meth:`start`; the rest have defaults that suit a process without files,
    estimates or special clock limits.
    """

    kind: ClassVar[str] = ""
    #: What to tell a user whose chain stopped the clock (see the engine's stall guard).
    stall_hint: ClassVar[str] = (
        "the gap between arrivals is below the clock's resolution there: lower the arrival rate"
    )

    def start(self, run: ArrivalRun) -> None:
        """Schedule this process's arrivals at one source."""
        raise NotImplementedError

    def expected_arrivals(self, sources: int, window_s: float) -> float:
        """About how many arrivals ``sources`` sources make in ``window_s`` (for the memory estimate)."""
        return 0.0

    def mean_rate_per_s(self) -> float | None:
        """Requests a second per source on average, where the process fixes it; None where not.

        A run's settling warning reads a node's offered load from it (the rate times the time the
        node takes a task), not from its busy share over a short run, which is noisy.  A process
        whose rate follows its service (a closed loop) or a file's rows (a trace) gives None.
        """
        return None

    def clock_problems(self, tick_s: float) -> list[tuple[str, str]]:
        """``(key, message)`` for settings that would put arrivals closer together than ``tick_s``."""
        return []

    def resolve(self, context: ArrivalContext) -> ArrivalProcess:
        """The process with its files read and names checked (problems go to ``context.problems``)."""
        return self

    def input_files(self) -> dict[str, str]:
        """``{key: path}`` of the files this process reads, for run manifests."""
        return {}

    def stall_allowance(self, source: str) -> int:
        """Arrivals in a row at one instant that are legitimate at ``source`` (beyond the engine's limit)."""
        return 0

    def closed_loop(self) -> ClosedLoop | None:
        """Its users per source and their mean think time, where each sends again only once answered.

        A process whose next request waits on the last one's service (a closed loop) says so here,
        and that one answer serves every reader of it: the size checks' bound
        (:meth:`served_arrivals`, by default from it), the ``overloaded`` warning (a node it keeps
        busy is at its capacity, not past it), the settling warning (its work is no open queue's)
        and the ``closed_loop`` warning (its throughput is its users over latency plus think time).
        None: its arrivals do not wait on their service (the default).
        """
        return None

    def served_arrivals(self, sources: int, window_s: float, service: LeastService) -> float | None:
        """At most how many arrivals ``sources`` sources make in ``window_s``, given their service.

        ``service()`` gives a request's least mean service and the cores serving them, or None
        where not known (it walks the nodes: call it only if service bounds the arrivals).  None:
        service does not bound them.  The size checks count a process by it where the least
        service is known, by :meth:`expected_arrivals` elsewhere.  By default a closed loop's
        (:meth:`closed_loop`): a user sends again only after its request ends and it has thought,
        so by its cycle; None for any other process.
        """
        loop = self.closed_loop()
        served = None if loop is None else service()
        if loop is None or served is None:
            return None
        service_s, cores = served
        cycle = loop.think_s + service_s
        if cycle <= 0:
            return None  # check_endless_loops refuses a loop that takes no time
        return closed_loop_arrivals(sources * loop.users, window_s, cycle, service_s, cores)

    def none_between(self, start_s: float, stop_s: float, t0: float, t1: float) -> tuple[str, str] | None:
        """``(key, why)`` if none of its arrivals, made in ``[start_s, stop_s)``, can fall in ``[t0, t1)``.

        Asked by the scenario check of workloads the measured window misses, once the entry's own
        ``start`` and ``stop`` leave a window; None: some may (the default).
        """
        return None

    def sources_none_between(
        self, start_s: float, stop_s: float, t0: float, t1: float
    ) -> tuple[str, str] | None:
        """``(key, why)`` if some sources' own arrivals, unlike others', miss ``[t0, t1)``.

        Asked by the same check as :meth:`none_between`, where that gave None: for a process whose
        sources keep times of their own (a trace's per-source rows).  ``why`` is the whole warning,
        naming those sources.  None: none such (the default).
        """
        return None

    def lone_between(self, start_s: float, stop_s: float, t0: float, t1: float) -> tuple[str, str] | None:
        """``(key, why)`` if one source makes at most one arrival in ``[t0, t1)`` (of ``[start_s,stop_s)``'s).

        Asked of a workload entry with one source, whose measured tasks would then be one or none:
        a period meant in milliseconds, written as a plain number, say.  None: it may make more.
        """
        return None


class ClosedLoop(NamedTuple):
    """A closed loop's users per source and their mean think time (s): :meth:`ArrivalProcess.closed_loop`."""

    users: int
    think_s: float


#: A request's least mean service (s) and the cores serving such requests, or None where not known.
LeastService = Callable[[], tuple[float, int] | None]

_PROCESSES: dict[str, type[ArrivalProcess]] = {}
_VERSION = [0]


def register_arrival_process(process: type[ArrivalProcess]) -> type[ArrivalProcess]:
    """Make ``arrivals: process.kind`` available in scenarios (usable as a class decorator).

    A key another process declares too must be declared alike (one key in
    the workload entry).  Registering a kind again replaces it.
    """
    if not process.kind:
        raise ValueError(f"{process.__name__} has no 'kind'")
    keys = {declared.yaml: declared for declared in declared_keys(process)}
    for other in _PROCESSES.values():
        if other.kind == process.kind:
            continue
        for declared in declared_keys(other):
            mine = keys.get(declared.yaml)
            if mine is not None and _shape(mine) != _shape(declared):
                raise ValueError(
                    f"arrival key {declared.yaml!r} of {process.kind!r} is declared unlike {other.kind!r}'s"
                )
    _PROCESSES[process.kind] = process
    _VERSION[0] += 1
    return process


def unregister_arrival_process(kind: str) -> type[ArrivalProcess] | None:
    """Forget the process registered as ``kind`` (for tests and plug-in reloads); it, or None."""
    process = _PROCESSES.pop(kind, None)
    _VERSION[0] += 1
    return process


def _add_plugin(entry: Any, process: Any, origin: str) -> None:
    """Register one entry point's process class, unless its kind is taken."""
    taken = _PROCESSES.get(process.kind)
    if taken is process:
        return  # it registered itself on import
    if taken is not None:
        raise PluginSkipped(f"arrivals: {process.kind} is taken by {dotted_name(taken)}")
    register_arrival_process(process)


#: Arrival processes other distributions declare, read on the first look-up in each process.
PLUGINS = EntryPointGroup(ENTRY_POINT_GROUP, "arrival process", _add_plugin)


def _processes() -> dict[str, type[ArrivalProcess]]:
    """The registry, with the entry-point plug-ins loaded on first use."""
    PLUGINS.load()
    return _PROCESSES


def _shape(declared: Key) -> tuple[Any, ...]:
    return (declared.unit, declared.positive, declared.ge, declared.le, declared.schema_type)


def arrival_process(kind: str) -> type[ArrivalProcess]:
    """The process registered as ``kind`` (KeyError if none)."""
    return _processes()[kind]


def arrival_processes() -> tuple[type[ArrivalProcess], ...]:
    """Registered processes, in registration order (built-ins first)."""
    return tuple(_processes().values())


def arrival_kinds() -> tuple[str, ...]:
    """Registered kinds, in registration order."""
    return tuple(_processes())


def arrival_fault(error: BaseException) -> str | None:
    """One line naming the plug-in arrival process whose code raised ``error``, or None if none did.

    ``arrival process "burst" (my_pkg.Burst) raised ValueError in expected_arrivals(): ...
    (burst.py, line 9, in expected_arrivals)``: for an exception raised while a scenario is read or
    checked (its constructor, ``expected_arrivals``, ``none_between`` ...), the plug-in's bug.
    """
    plugins = [
        (cls, f"arrival process {quoted(cls.kind)} ({dotted_name(cls)})") for cls in _processes().values()
    ]
    return blame(error, plugins)


@contextmanager
def arrival_faults(source: str, key_path: str = "") -> Iterator[None]:
    """Say an exception a plug-in arrival process's code raised inside as its own.

    A :class:`~offloadsim.scenario.errors.PluginRaised` at ``source`` (and ``key_path``) with
    :func:`arrival_fault`'s line; any other exception, and a ``ScenarioError``, as it is.
    """
    try:
        yield
    except ScenarioError:
        raise
    except Exception as error:
        said = arrival_fault(error)
        if said is None:
            raise
        raise PluginRaised([Problem(source, key_path, said)]) from error


def registry_version() -> int:
    """A number that changes whenever a process is registered (the schema is rebuilt then)."""
    _processes()
    return _VERSION[0]
