"""The figure-kind registry: a kind of ``offloadsim plot`` figure declared once and registered with one line.

A registered kind (:class:`FigureKind`) says everything the command line and
:func:`~offloadsim.plots.results.plot_with_tables` need before drawing: its name (``--kind``), one
line for ``--help``, which of its axes measure a quantity, which results directories it draws
(a run, a comparison, a sweep), which of ``plot``'s kind-specific options it takes, and its drawing
function, named as ``"module:function"`` and imported on first use.  An option given to a kind
that does not take it, or a results directory it does not draw, is refused in one line naming the
kinds that do (:func:`misapplied`, :func:`undrawable`), before anything is read or drawn.

The shipped kinds are registered in :mod:`offloadsim.plots.kinds`, which also reads the kinds other
distributions declare in the entry-point group ``offloadsim.figure_kinds``.  This module imports
nothing heavy: the command line builds its parser from it without matplotlib or pandas.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from offloadsim.errors import argument
from offloadsim.plugins import shipped_module

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from offloadsim.records.stored import Results

__all__ = [
    "INTERVALS",
    "OPTIONS",
    "RECORDS",
    "RESULT_KINDS",
    "FigureKind",
    "FigureRequest",
    "Draw",
    "register_kind",
    "unregister_kind",
    "registered_kind",
    "registered_kinds",
    "misapplied",
    "undrawable",
]

#: The kind-specific options of ``plot``, by keyword (``--from`` is ``from_s``), in the order a
#: refusal checks them.  ``where``, ``size`` and ``facet_order`` apply to every kind.
OPTIONS = ("bin_s", "from_s", "to_s", "x", "by", "facet", "metric", "logx", "logy")

#: The results directories a kind can draw, as the manifest's ``kind`` names them, and in words.
RESULT_KINDS = {"run": "a run", "compare": "a comparison", "sweep": "a sweep"}

#: The records a kind is drawn from (:attr:`FigureKind.records`), as a refusal names them: a task's
#: row of ``tasks.parquet``, a run's metrics (``metrics.parquet``), a node's (``nodes.parquet``).
RECORDS = ("task", "job", "node")

#: What a kind draws its 95 % CIs as (:attr:`FigureKind.intervals`): none, error bars, or bands along x.
INTERVALS = ("", "error bars", "bands")

_FLAGS = {"bin_s": "bin", "from_s": "from", "to_s": "to"}  # the flags not named as their keyword


@dataclass(frozen=True)
class FigureRequest:
    """What ``plot`` was asked to draw: the kind's name and every option as given (None: not given)."""

    kind: str
    metric: str | None = None
    x: str | None = None
    by: Any = None  # a column name or a sequence of them
    facet: str | None = None
    where: Mapping[str, Any] | None = None
    size: str | None = None
    logx: bool | None = None
    logy: bool | None = None
    bin_s: float | None = None
    from_s: float | None = None
    to_s: float | None = None
    facet_order: Any = None  # text split at commas, or a sequence of values
    #: The panels' values that come first (``facet_order`` read, or the scenario's groups).
    panel_order: tuple[str, ...] = ()

    def given(self) -> dict[str, object]:
        """The kind-specific options given, by keyword, in :data:`OPTIONS`' order."""
        return {name: getattr(self, name) for name in OPTIONS if getattr(self, name) is not None}


#: ``draw(results, request) -> (figure, tables)``: the tables by the suffix ``plot`` writes each
#: with beside the figure (``csv``), none for most kinds.
Draw = Callable[["Results", FigureRequest], "tuple[Figure, dict[str, pd.DataFrame]]"]


@dataclass(frozen=True)
class FigureKind:
    """One kind of ``offloadsim plot`` figure: what it takes, what it draws, and the function drawing it.

    ``quantity_axes``: the axes (``"x"``, ``"y"``, ``"xy"`` or ``""``) that measure a quantity, so
    carry a unit and one range on every panel of a faceted figure; the others are categories.
    ``results``: the results directories it draws (keys of :data:`RESULT_KINDS`).  ``options``: the
    kind-specific options (of :data:`OPTIONS`) it takes; ``why_not`` says, for an option it does not
    take or a results directory it does not draw, why (``{kind:NAME}`` in it is written as the
    caller gives ``--kind NAME``), in place of the list of kinds that do.  ``draw``:
    ``"module:function"`` (imported on first use, so that listing kinds imports no plotting
    library) or the function itself.
    ``metric_in_name``: the default file stem names ``--metric`` (``bars-latency_p95_s``).
    ``records``: what it is drawn from (of :data:`RECORDS`): ``job`` kinds draw a run's metrics
    (``--metric`` names one, ``default_metric`` when none is given), ``node`` kinds each node's
    load, ``task`` kinds the task records.  ``one_run``: each panel draws one run (its first
    replication) on its own clock, so a comparison's policies are a panel each and its series are
    not a column of the data (tiers, stages).

    What it says of itself under the figure (:mod:`offloadsim.plots.figure_notes`), so that a
    plug-in kind says it as a shipped one does: ``method``, how it derives what it draws where
    its axis alone would claim more than the records hold (``method_stages``: the same of a run
    recorded with ``--stages``; ``""``: nothing to say); ``intervals``, what it draws its 95 % CIs
    as (``"error bars"``, or ``"bands"`` along a swept x; ``""``: none), and ``interval_of``,
    what each is of where not the metric's mean (``"mean split per run"``); ``drawn_values``, the
    column each axis draws a mean of (``"metric"``: ``--metric``'s), so a configuration without a
    value of them has no mark (said under the figure), and an interval reaching 0 on a log axis is
    said; ``drawn_tasks``: its series are drawn from completed tasks, so a configuration none of
    whose tasks completed has no mark.  ``option_notes``: what an option it takes does to it, said
    beside its name where ``--help`` lists the kinds an option applies to (``logy``: bars "drawn
    as dots").
    """

    name: str
    summary: str
    draw: str | Draw
    quantity_axes: str = "xy"
    results: tuple[str, ...] = tuple(RESULT_KINDS)
    options: Collection[str] = frozenset()
    why_not: Mapping[str, str] = field(default_factory=dict)
    metric_in_name: bool = False
    records: str = "task"
    default_metric: str = "latency_mean_s"
    one_run: bool = False
    method: str = ""
    method_stages: str = ""
    intervals: str = ""
    interval_of: str = ""
    drawn_values: Mapping[str, str] = field(default_factory=dict)
    drawn_tasks: bool = False
    option_notes: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "options", frozenset(self.options))  # a set or a list given: kept as one
        object.__setattr__(self, "results", tuple(self.results))
        problems = [
            *(f"unknown option {o!r}" for o in sorted(self.options) if o not in OPTIONS),
            *(f"unknown results kind {r!r}" for r in self.results if r not in RESULT_KINDS),
            *(
                f"a note on option {o!r}, which it does not take"
                for o in self.option_notes
                if o not in self.options
            ),
        ]
        if self.records not in RECORDS:
            problems.append(f"records {self.records!r}: expected one of {', '.join(RECORDS)}")
        if self.intervals not in INTERVALS:
            expected = ", ".join(map(repr, INTERVALS))
            problems.append(f"intervals {self.intervals!r}: expected one of {expected}")
        if set(self.drawn_values) - {*"xy"}:
            problems.append(f"drawn values {dict(self.drawn_values)!r}: expected axes 'x' and 'y' as keys")
        if set(self.quantity_axes) - {*"xy"}:
            problems.append(f"quantity axes {self.quantity_axes!r}: expected 'x', 'y', 'xy' or ''")
        if not self.name or not isinstance(self.name, str) or self.name.startswith("-"):
            problems.insert(0, f"name {self.name!r} is not a --kind value")
        if problems:
            raise ValueError(f"figure kind {self.name!r}: {'; '.join(problems)}")

    def drawer(self) -> Draw:
        """The drawing function, imported on first use."""
        if callable(self.draw):
            return self.draw
        module, _, name = self.draw.partition(":")
        drawn: Draw = getattr(importlib.import_module(module), name)
        return drawn

    def shipped(self) -> bool:
        """Whether this kind draws with offloadsim's own code (else its errors are a plug-in's)."""
        drawn = self.draw if isinstance(self.draw, str) else getattr(self.draw, "__module__", "")
        return shipped_module(drawn.partition(":")[0] or "")

    def drawn_columns(self, metric: str) -> dict[str, str]:
        """Each axis' column a mark is a mean of (:attr:`drawn_values`), ``--metric``'s as ``metric``."""
        return {axis: metric if column == "metric" else column for axis, column in self.drawn_values.items()}

    def takes(self, option: str) -> bool:
        """Whether ``option`` (a keyword of :data:`OPTIONS`) applies to this kind."""
        return option in self.options

    def option_note(self, option: str) -> str:
        """What ``option`` does to this kind, as ``--help`` says it: its note, or a job kind's ``--metric``.

        A kind drawn from the metrics table (``records="job"``) that says nothing of ``--metric``
        draws a column of it, ``default_metric`` when none is given; ``""``: nothing to say.
        """
        if option in self.option_notes:
            return self.option_notes[option]
        if option == "metric" and self.records == "job":
            return f"a column of metrics.parquet (default {self.default_metric})"
        return ""


_KINDS: dict[str, FigureKind] = {}


def register_kind(kind: FigureKind) -> None:
    """Add ``kind`` to ``offloadsim plot``'s kinds; a name taken already is a ValueError."""
    if not isinstance(kind, FigureKind):
        raise TypeError(f"expected a FigureKind, got {type(kind).__name__}")
    if kind.name in _KINDS and _KINDS[kind.name] is not kind:
        raise ValueError(f"a figure kind named {kind.name!r} is registered already")
    _KINDS[kind.name] = kind


def unregister_kind(name: str) -> FigureKind | None:
    """Remove the kind ``name`` (tests, and a script replacing one); return it, or None."""
    return _KINDS.pop(name, None)


def registered_kind(name: str) -> FigureKind | None:
    """The kind registered as ``name`` in this process, or None."""
    return _KINDS.get(name)


def registered_kinds() -> tuple[FigureKind, ...]:
    """The kinds registered in this process, in the order registered."""
    return tuple(_KINDS.values())


def _taking(option: str) -> str:
    return ", ".join(k.name for k in _KINDS.values() if k.takes(option))


def misapplied(kind: FigureKind, given: Mapping[str, object]) -> str | None:
    """The one line refusing the first option of ``given`` that ``kind`` does not take, or None.

    ``--from`` and ``--to`` are refused together.  The line names the kinds that take the option
    (or says why not, ``kind.why_not``), as the command line or Python wrote it (:func:`argument`).
    """
    kind_given = argument("kind", kind.name)
    for option in OPTIONS:
        if option not in given or kind.takes(option):
            continue
        if option in ("from_s", "to_s"):
            both = f"{argument('from_s', flag='from')} and {argument('to_s', flag='to')}"
            return f"{both} do not apply to {kind_given}; they do to {_taking('from_s')}"
        said = argument(option, flag=_FLAGS.get(option))
        if option in kind.why_not:
            return f"{said} does not apply to {kind_given} ({kind.why_not[option]})"
        return f"{said} does not apply to {kind_given}; it does to {_taking(option)}"
    return None


def undrawable(kind: FigureKind, results_kind: str, path: object) -> str | None:
    """The one line refusing ``kind`` on a results directory of ``results_kind`` it does not draw, or None."""
    if results_kind in kind.results or results_kind not in RESULT_KINDS:
        return None
    drawn = " or ".join(RESULT_KINDS[r] for r in kind.results)
    why = kind.why_not.get(results_kind, "")
    hint = re.sub(r"\{kind:([^}]+)\}", lambda m: argument("kind", m.group(1)), why)
    return f"{argument('kind', kind.name)} draws {drawn}, and {path} is {RESULT_KINDS[results_kind]}" + (
        f": {hint}" if hint else ""
    )
