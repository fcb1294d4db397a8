"""What a breakdown of a run's task numbers by a task column is, and the registry run, compare and sweep read.

A breakdown gives each value of a task column the summary's task numbers over its own tasks: per
application (``app``: a course's CNN beside its LLM, whose one pooled mean latency no task had).
Each is one :class:`Breakdown`, registered once (:mod:`offloadsim.analysis.breakdown_list`), and
every command picks it up: :func:`~offloadsim.analysis.summary.summarize` computes it (its own key
of summary.json and of a sweep's job file), ``run`` prints its rows under the table, ``compare`` and
``sweep`` write ``<name>.csv`` and print a table of each value, with the same notes (a
``diff_note`` where the baseline served none of a value; a line under a sweep's table naming the
points that served none).  A new breakdown (per device class, per region) is one module declaring a
:class:`Breakdown` and one line in :mod:`~offloadsim.analysis.breakdown_list`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from offloadsim.analysis.groups import ENERGY_SPLIT_METRICS, TASK_METRICS
from offloadsim.plugins import shipped_module

if TYPE_CHECKING:
    from offloadsim.analysis.qualifiers import Qualifiers

__all__ = [
    "Breakdown",
    "BreakdownScope",
    "code_module",
    "natural_key",
    "register",
    "registered",
    "reserve",
    "unregister",
]

#: The metrics a breakdown shows in compare's and sweep's tables unless it says others.
TABLE_METRICS = ("latency_mean_s", "latency_p95_s", "deadline_miss_rate", "device_energy_mean_j")


@dataclass(frozen=True)
class BreakdownScope:
    """What a breakdown's values and their order are read from besides the tasks.

    ``applications``: the scenario's (those its workload requests, then their alternatives);
    ``nodes``: the run's nodes table.
    """

    applications: Sequence[str] = ()
    nodes: Any = None


def _no_order(scope: BreakdownScope) -> tuple[Sequence[str], int]:
    """No order of its own (the values sorted by ``then``: naturally); two values at least."""
    return (), 2


def natural_key(value: str) -> tuple[tuple[Any, ...], str]:
    """A value's place in natural order: its runs of digits read as numbers, so phone-2 before phone-10.

    Ties (``phone-01`` beside ``phone-1``) go by the text, so the order never rests on the tasks'.

    >>> sorted(["phone-10", "phone-2", "edge", "phone-1"], key=natural_key)
    ['edge', 'phone-1', 'phone-2', 'phone-10']
    """
    # re.split with a group alternates text and digits, text first: like parts compare alike.
    parts = re.split(r"(\d+)", value)
    return tuple(int(part) if i % 2 else part for i, part in enumerate(parts)), value


def _as_found(found: Qualifiers, optional: bool) -> Qualifiers:
    """A value's row qualified as its policy's or point's."""
    return found


@dataclass(frozen=True)
class Breakdown:
    """A task column whose values each get the summary's task numbers over their own tasks.

    ``name``: its key of summary.json and of a job file, and its file's stem (``apps``:
    ``apps.csv``); ``column``: the task column, also the first column of its file (``app``);
    ``what``: a value in words, singular and plural (``application``, ``applications``).
    ``metrics``: the summary's numbers kept per value; ``table_metrics``: those compare's and
    sweep's tables print; ``file_metrics``: those its file keeps.  ``optional``: numbers only some
    values have (an LLM's ttft: a CNN has none), left out where NaN; ``extras``: (word, metric) pairs
    run's row says after the device energy where a value has them, ``extras_said`` their words in
    its heading.  ``order(scope)``: the values' order and how many the tasks must have for any to
    be told apart (none of its own by default); ``then``: the sort key of the values not in that
    order, after it (:func:`natural_key`, so ``phone-2`` reads before ``phone-10``; None: in the
    order of their first task); ``qualify(found, optional)``: a value's qualifiers in compare's and sweep's
    tables from its policy's or point's, ``optional`` whether the value has any ``optional`` number.
    """

    name: str
    column: str
    what: tuple[str, str]
    metrics: tuple[str, ...] = (*TASK_METRICS, "device_energy_mean_j", *ENERGY_SPLIT_METRICS)
    table_metrics: tuple[str, ...] = TABLE_METRICS
    file_metrics: tuple[str, ...] = (*TABLE_METRICS, *ENERGY_SPLIT_METRICS, "arrived", "completed")
    optional: tuple[str, ...] = ()
    extras: tuple[tuple[str, str], ...] = ()
    extras_said: str = ""
    order: Callable[[BreakdownScope], tuple[Sequence[str], int]] = _no_order
    then: Callable[[str], Any] | None = natural_key
    qualify: Callable[[Qualifiers, bool], Qualifiers] = _as_found

    def __post_init__(self) -> None:
        if not self.name.isidentifier():
            raise ValueError(f"a breakdown's name must be a word (letters, digits, _), not {self.name!r}")

    @property
    def file(self) -> str:
        """Its file in a comparison's and a sweep's directory: ``apps.csv``."""
        return f"{self.name}.csv"


_REGISTERED: dict[str, Breakdown] = {}
#: The names of the breakdowns registered as offloadsim's own (``register(..., shipped=True)``).
_SHIPPED: set[str] = set()
#: Who else holds a key of summary.json (the summary's fields, the run metrics'): each says what
#: holds a name, or None.
_HOLDERS: list[Callable[[str], str | None]] = []


def code_module(breakdown: Breakdown) -> str:
    """The module of ``breakdown``'s own code (its ``order``, ``then`` or ``qualify``), else ``""``."""
    for code in (breakdown.order, breakdown.then, breakdown.qualify):
        module = str(getattr(code, "__module__", "") or "")
        if module and not shipped_module(module):
            return module
    return ""


def register(breakdown: Breakdown, *, shipped: bool = False) -> None:
    """Add a breakdown; a ValueError naming it where its name is another breakdown's or a results file's.

    A breakdown not ``shipped`` (a plug-in's, a script's) may not be named as a record table or
    another file of a results directory (:func:`~offloadsim.records.tables.stem_holder`): its
    ``NAME.csv`` would overwrite ``groups.csv``, or read as the record table's; nor as a key of
    summary.json another holds (:func:`reserve`), whose value its numbers would overwrite.
    offloadsim's own are registered on import, where a pool's forkserver must not read the record
    tables' entry points: ``apps`` is among the names the record tables keep off.
    """
    if breakdown.name in _REGISTERED:
        raise ValueError(f"a breakdown named {breakdown.name!r} is registered already")
    if not shipped:
        from offloadsim.records.tables import stem_holder

        _refuse_taken(breakdown, stem_holder(breakdown.name))
        for holder in _HOLDERS:
            _refuse_taken(breakdown, holder(breakdown.name))
    else:
        _SHIPPED.add(breakdown.name)
    _REGISTERED[breakdown.name] = breakdown


def reserve(holder: Callable[[str], str | None]) -> None:
    """Let ``holder`` (a name -> what holds it, or None) refuse the breakdowns that would take its names.

    The summary, which imports the breakdowns, declares its keys so; this module imports it not.
    The breakdowns registered before, but offloadsim's own, are checked at once.
    """
    _HOLDERS.append(holder)
    for breakdown in _REGISTERED.values():
        if breakdown.name not in _SHIPPED:
            _refuse_taken(breakdown, holder(breakdown.name))


def _refuse_taken(breakdown: Breakdown, holder: str | None) -> None:
    """A ValueError naming ``breakdown`` (and its code's module) where ``holder`` holds its name."""
    if holder is not None:
        module = code_module(breakdown)
        raise ValueError(
            f"breakdown {breakdown.name!r}{f' ({module})' if module else ''}: its name (its key of "
            f"summary.json, its file {breakdown.file}) is taken by {holder}; name it otherwise"
        )


def unregister(name: str) -> None:
    """Take a breakdown off the registry (a test's toy one, after it)."""
    del _REGISTERED[name]
    _SHIPPED.discard(name)


def registered() -> tuple[Breakdown, ...]:
    """The registered breakdowns, in the order registered (the order of their tables and files)."""
    return tuple(_REGISTERED.values())
