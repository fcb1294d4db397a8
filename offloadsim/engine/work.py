"""Kinds of work: what a request draws, how it turns into steps, what it costs, what it adds to its record.

A DNN model (chain or DAG), an LLM request and synthetic work are three
*kinds*; each is one object implementing :class:`WorkKind`, registered by
name with :func:`register_kind`.  The world names each application's kind
(``AppTemplate.kind``); the kernel looks the object up here and never
branches on what the work is.  A new kind is one module defining the
object plus one ``register_kind(...)`` call (see docs/architecture.md); another
distribution may instead declare it under the ``offloadsim.work_kinds``
entry-point group, which every process reads on its first look-up.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

from offloadsim.errors import LookupMessage
from offloadsim.plugins import EntryPointGroup, named_object
from offloadsim.suggest import quoted

if TYPE_CHECKING:
    import numpy as np

    from offloadsim.world import AppTemplate, World

# The engine's own types appear as Any here: this module is the bottom of the engine (the kinds,
# the processors and the kernel all import it), so it imports none of them.
Task = Any  # offloadsim.engine.tasks.Task
Processor = Any  # a processor model (offloadsim.engine.processor)
RunContext = Any  # offloadsim.engine.context.RunContext

__all__ = [
    "ENTRY_POINT_GROUP",
    "Maker",
    "Price",
    "WorkKind",
    "deadline_of",
    "get_kind",
    "kind_names",
    "register_kind",
    "size_samplers",
    "unregister_kind",
]

#: ``make(task_id, now)``: a new task, drawn from the (application, source) pair's own stream.
Maker = Callable[[int, float], Task]
#: ``price(task, start, stop)``: seconds layers ``[start, stop)`` of ``task`` take on one processor.
Price = Callable[[Any, int, int], float]
#: The kernel's step walker: runs the task's next compiled step (or ends it after the last).
Walk = Callable[[Task], None]


class WorkKind(Protocol):
    """One kind of work.  Implementations are small stateless objects; per-run state lives in tasks.

    A kind may also define ``notes(makers, warmup_s) -> list[str]``: given the makers it made for
    one run (one application's), the lines the run should print under its table about the
    requests they drew after the warm-up (the ``llm`` kind's: how many draws it cut to the
    context window).  It is asked once, after the run; a maker keeps what it needs for it where
    it makes tasks, in the maker's own attributes (the run holds its makers, so no count outlives
    the run).  A maker may define ``measure_from(start_s)``: the run calls it once, before any
    arrival, with its warm-up, so that the maker counts only the requests the records keep, in
    sums rather than a list per request.  The ``llm`` kind's ``context_cuts(makers, warmup_s)``
    gives the same counts as plain values, which the run's manifest keeps and ``compare`` and
    ``sweep`` add up over runs.
    """

    #: The name applications give (``AppTemplate.kind``).
    name: str
    #: True when a stage's time depends only on (plan, source, application), not on the task's draws:
    #: it is then priced once per compiled plan, and activation codecs apply at its cuts.
    fixed_cost: bool

    def maker(
        self, app: AppTemplate, source: str, rng: np.random.Generator, apps: Mapping[str, AppTemplate]
    ) -> Maker:
        """What a request draws: a function making one task of ``app`` at ``source`` per call."""
        ...

    def pricer(self, world: World, processor: Processor) -> Price:
        """What a stage costs on ``processor`` by the standard cost of this kind on its profile."""
        ...

    def start(self, ctx: RunContext, task: Task, walk: Walk) -> None:
        """How a planned task turns into steps: walk its compiled steps, or run its own stages."""
        ...

    def served_as(self, task: Any, app: AppTemplate) -> tuple[Sequence[float], Sequence[float]]:
        """Per-layer work and cut sizes of ``task``'s request served by ``app`` (of this kind) instead."""
        ...


def deadline_of(app: AppTemplate) -> float:
    """The deadline of ``app``'s requests in seconds (NaN: none)."""
    deadline = app.spec.deadline_s
    return deadline if deadline is not None else float("nan")


def size_samplers(
    app: AppTemplate, rng: np.random.Generator
) -> tuple[Callable[[], float], Callable[[], float]]:
    """Draws of a request's input and output sizes in bytes, in that order, from ``rng``."""
    return app.spec.input.sampler(rng), app.spec.output.sampler(rng)


#: The entry-point group other distributions declare kinds of work in (a kind object, or its class).
ENTRY_POINT_GROUP = "offloadsim.work_kinds"

_KINDS: dict[str, WorkKind] = {}


def _add_plugin(entry: Any, loaded: Any, origin: str) -> None:
    """Register one entry point's kind (a class is instantiated), unless its name is taken."""
    kind = named_object(entry, loaded, _KINDS, "kind of work")
    if kind is not None:
        register_kind(kind)


#: Kinds of work other distributions declare, read on the first look-up in each process.
PLUGINS = EntryPointGroup(ENTRY_POINT_GROUP, "kind of work", _add_plugin)


def register_kind(kind: WorkKind) -> WorkKind:
    """Make ``kind`` available under ``kind.name`` (replacing one of that name); returns it."""
    _KINDS[kind.name] = kind
    return kind


def unregister_kind(name: str) -> WorkKind | None:
    """Remove the kind named ``name`` (a plug-in's test cleaning up); returns it, or None."""
    return _KINDS.pop(name, None)


def get_kind(name: str) -> WorkKind:
    """The kind registered as ``name``; KeyError naming the known ones otherwise."""
    PLUGINS.load()
    kind = _KINDS.get(name)
    if kind is None:
        listed = f"; known: {', '.join(sorted(_KINDS))}"
        raise LookupMessage(PLUGINS.refusal(name, f"unknown kind of work {quoted(name)}", listed))
    return kind


def kind_names() -> tuple[str, ...]:
    """Names of the registered kinds, sorted."""
    PLUGINS.load()
    return tuple(sorted(_KINDS))
