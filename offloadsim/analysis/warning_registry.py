"""The warning-kind registry: a kind of run warning declared once, in its own module, registered once.

A run's summary warns when its numbers cannot be read at face value (too short to settle, a queue
that grew all run, stages dropped by a full queue).  A registered kind (:class:`WarningKind`) says
everything each place that tells of such a warning needs: its name (``WarningFacts.kind``), how it
is detected from what the summary has (:class:`WarningInputs`, giving the warning's text and its
numbers together), how a row of an older job file without numbers is told by its text
(``opening``), which source groups it concerns (``group_column``/``group_least``, or
``own_tasks``), how compare and sweep say it once for all their runs (``note``), the figures'
legend line (``legend``, ``legend_rank``) and whether it says the runs' latencies depend on their
length (``length_dependent``).  The summary, ``summary.json``, compare's and sweep's notes, their
``warnings`` and ``warned`` columns, ``groups.csv``'s ``warned`` and the figures iterate
:func:`registered`; nothing else names the kind.  The shipped kinds are registered in
:mod:`offloadsim.analysis.warning_list`, one module each under :mod:`offloadsim.analysis.warning_kinds`.

This module imports nothing of the package but the warnings' facts and the tables' type: a kind's
module imports it, and the summary and the notes import the kinds.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from offloadsim.analysis.table_columns import Table
from offloadsim.analysis.warning_facts import WarningFacts
from offloadsim.field_values import FieldValues

__all__ = [
    "HELD",
    "HELD_SHARE",
    "Said",
    "WarningInputs",
    "WarningKind",
    "Note",
    "register",
    "registered",
    "unregister",
    "kind_named",
]

#: A warning's text and its numbers (:class:`WarningFacts`), built together.
Said = tuple[str, WarningFacts]

#: The numbers (``WarningFacts.numbers``) by which a warning says the tasks it explains being left in
#: flight: those of them in the system at the end of each quarter of the measured time (they never
#: left), and their share of the run's tasks.  A kind whose ``backlog_explained_by`` names it counts
#: the backlog without them.
HELD = ("held_q1", "held_q2", "held_q3", "held_q4")
HELD_SHARE = "held_share"

#: How compare and sweep say one kind once: given where it was said (``2 of 2 runs of local``), each
#: warning of it (its text, its facts or None from an older job file) and the clause naming the
#: nodes decoding LLM answers without batching (``"; LLM decoding on ..."``, or ``""``).
Note = Callable[[str, Sequence[tuple[str, "WarningFacts | None"]], str], str]


# eq=False: a bundle of one run's tables and parts, compared by identity (nothing compares or hashes
# two); the value __eq__ and __hash__ dataclass would write cost start-up (issue 12 e).
@dataclass(frozen=True, eq=False)
class WarningInputs:
    """What the run's summary has when it looks for warnings: a detector reads these, never the engine.

    ``tasks``: the run's tasks (a table, or the engine's records, read a chunk at a time: see
    :class:`~offloadsim.analysis.metric_registry.RunTables`); ``nodes`` its nodes table (None: not
    kept); ``duration_s`` its measured time, ``end_s`` the time it stopped (None: not known).
    Worked out once for every kind: ``backlog`` (the tasks in the system at the end of each quarter
    of the measured time, None: not known) and ``in_flight_share`` (the share of tasks left in
    flight); ``whole`` (placement on one node -> the compute seconds and count of its completed
    tasks); ``offered`` (node -> the compute seconds a second the scenario's arrival rates bring
    it; empty where the scenario does not fix them) and ``unknown_offered`` (node -> why its
    offered load is not known, for the nodes ``offered`` leaves out); ``closed_fed`` (the nodes
    every task of which a closed loop sent: no open queue,
    :func:`~offloadsim.analysis.offered_load.closed_fed`), ``mixed_fed`` (the nodes both open
    and closed loops fed -> the load the open ones alone offer, None: not known) and ``loops``
    ((source, app) -> the users per source and mean think time of the closed loop feeding it,
    :func:`~offloadsim.analysis.offered_load.closed_loops`; empty: none, or not known).  ``links`` and
    ``processors``: the run's links and processors tables where the summary has them (None: not
    given; a run summarised from its tasks and nodes alone,
    :func:`~offloadsim.analysis.summary.overload_warnings`).  A kind that needs a record table the
    summary is not handed (per-round records, say) needs it added here first.
    """

    tasks: Any
    nodes: Table | None
    duration_s: float
    end_s: float | None = None
    backlog: list[int] | None = None
    in_flight_share: float = 0.0
    whole: Mapping[str, tuple[float, int]] = field(default_factory=dict)
    offered: Mapping[str, float] = field(default_factory=dict)
    unknown_offered: Mapping[str, str] = field(default_factory=dict)
    links: Table | None = None
    processors: Table | None = None
    link_changes: Table | None = None
    closed_fed: frozenset[str] = frozenset()
    mixed_fed: Mapping[str, float | None] = field(default_factory=dict)
    loops: Mapping[tuple[str, str], tuple[int, float]] = field(default_factory=dict)


# eq=False, repr=False: FieldValues's __eq__, __hash__ and __repr__ (issue 12 e: see offloadsim.field_values).
@dataclass(frozen=True, eq=False, repr=False)
class WarningKind(FieldValues):
    """One kind of run warning: how it is found, said and placed, declared in its own module.

    ``name``: its ``WarningFacts.kind`` (``summary.json``'s ``warning_facts``, compare's
    ``warnings`` column).  ``detect``: its warnings of one run, each text with its facts
    (:data:`Said`; none where the run gives no sign); the summary says the kinds' warnings in the
    order registered.  ``opening``: how its text begins, which tells a warning saved without facts
    (a sweep job's file of an older offloadsim) as this kind; ``""``: by the text before its colon.
    ``legend``: how a figure says the kind, one line naming the runs that gave it, sorted by
    ``legend_rank`` then name; ``length_dependent``: it says the runs' latencies depend on how
    long they ran (the figure's lead says so where every kind drawn does).
    ``note``: compare's and sweep's once-per-kind note (None: the first warning's text up to its
    colon, "in" where, its detail in brackets); ``said_by_in_flight``: the in-flight note already
    says it (the note is left out there).  Which source groups a warning concerns: the groups whose
    tasks ran on the nodes it names, and, for the nodes it only counts, those of every node whose
    ``group_column`` is at least ``group_least`` (no column: every group); or, ``own_tasks``, the
    groups whose own tasks meet the test (given the group's tasks, the measured time and the end;
    a run whose end is not known: every group); ``own_tally``, the same test fed a chunk of records at a
    time (given the measured time and the end; ``add(chunk, status masks, the group's rows)``, then
    ``met()``), so that a run's result places its warnings without a table of all its tasks (a kind
    with ``own_tasks`` and none is placed from that table).
    ``llm_clause``: the warning that carries "LLM decoding ... serves one request at a time":
    ``"named"``, where it names a node decoding LLM answers (tried first), ``"loaded"``, where
    such a node was busy at least half the time; None: never.
    ``overload``: it says the run never reached a steady state because more came than was served (a
    backlog that grew, a node busy all run while its queue grew, a node offered its capacity or
    more; not a full queue's drops: a bounded queue settles at any load): the tables mark such a
    run's row or column with :data:`~offloadsim.analysis.overload_marks.OVERLOAD_MARK` and their
    CSVs' ``overloaded`` is true.
    ``loops_explained_by``: the kinds whose warning explains a closed loop better than this one
    would: the loops they name (their facts' numbers, ``source/app``) are taken out of this kind's
    ``WarningInputs.loops``, so it says nothing of them (the ``closed_loop`` kind's "more users raise
    it" is wrong of a loop in ``lockstep``, held down by its bunch, not its number of users).
    ``backlog_explained_by``: the kinds whose warning explains tasks left in flight (their facts'
    :data:`HELD` numbers): those tasks are taken out of this kind's ``WarningInputs.backlog`` and
    ``in_flight_share``, so it does not call a link cut to the run's end an overload
    (``stalled_link``).
    """

    name: str
    detect: Callable[[WarningInputs], list[Said]]
    legend: str
    opening: str = ""
    legend_rank: int = 9
    length_dependent: bool = True
    note: Note | None = None
    said_by_in_flight: bool = False
    group_column: str | None = None
    group_least: float = 0.0
    own_tasks: Callable[[Any, float, float], bool] | None = None
    own_tally: Callable[[float, float], Any] | None = None
    llm_clause: str | None = None
    overload: bool = False
    loops_explained_by: tuple[str, ...] = ()
    backlog_explained_by: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.name or not self.name.isidentifier():
            raise ValueError(f"a warning kind's name must be a word (letters, digits, _), not {self.name!r}")
        if self.llm_clause not in (None, "named", "loaded"):
            raise ValueError(f"warning kind {self.name!r}: llm_clause must be 'named', 'loaded' or None")


_REGISTERED: dict[str, WarningKind] = {}


def register(kind: WarningKind) -> None:
    """Add a kind of run warning; its name must be new (a ValueError naming the kind holding it).

    Nor may its ``loops_explained_by`` or ``backlog_explained_by`` lead back to it through other
    kinds': no order would read each explaining warning first (a ValueError naming the circle,
    where it ended the run as a bug).
    """
    import graphlib

    if kind.name in _REGISTERED:
        raise ValueError(f"a warning kind named {kind.name!r} is registered already")
    _REGISTERED[kind.name] = kind
    try:
        detection_order(_REGISTERED)
    except graphlib.CycleError as cycle:
        del _REGISTERED[kind.name]
        circle = " -> ".join(cycle.args[1])  # graphlib: each an immediate predecessor of the next
        raise ValueError(
            f"warning kind {kind.name!r}: its loops_explained_by or backlog_explained_by closes a "
            f"circle ({circle}: each explains the next's loops or backlog); a kind cannot explain, "
            "through others, its own"
        ) from None


def detection_order(kinds: Mapping[str, WarningKind]) -> list[str]:
    """The kinds' names, each after those explaining its loops or backlog (their warnings read first)."""
    import graphlib

    graph = {
        name: [n for n in (*kind.loops_explained_by, *kind.backlog_explained_by) if n in kinds]
        for name, kind in kinds.items()
    }
    return list(graphlib.TopologicalSorter(graph).static_order())


def unregister(name: str) -> None:
    """Take a kind off the registry (a test's toy kind, after it)."""
    del _REGISTERED[name]


def registered() -> tuple[WarningKind, ...]:
    """The registered kinds, in the order registered (the summary's order of its warnings)."""
    return tuple(_REGISTERED.values())


def kind_named(name: str) -> WarningKind | None:
    """The registered kind of that name; None where none is (a kind another offloadsim wrote)."""
    return _REGISTERED.get(name)
