"""The metric registry: a run metric declared once, in its own module, and registered with one line.

A registered metric (:class:`SummaryMetric`) says everything the run's summary and the tables built
from it need: its name (the ``summary.json`` key and :class:`~offloadsim.analysis.summary.Summary`
attribute), a one-line description, how it is computed from the run's tables (or, as a mean of a
task column, in both summary paths, the chunked one included), the columns it gives a run's metrics
row with their display (the metric catalogue's entries), its row in the run's printed table, and
which of those columns compare's and sweep's printed tables show unasked.  ``summary.json`` written
before it lacks its key: it reads back as ``default``.  A metric may be a family (a value per
node: ``family``, its key a mapping, a column per entry) or, offloadsim's LLM metrics, the summary's
own fields (``summary_fields``); ``row_place="headline"`` puts one's columns beside theirs.  The
summary, ``summary.json``, :func:`~offloadsim.analysis.summary.metrics_row`, the catalogue and
compare's and sweep's tables iterate :func:`registered`; nothing else names the metric.  The
shipped ones are registered in :mod:`offloadsim.analysis.metric_list`.

A ``compute`` that reads tasks reads them with :meth:`RunTables.task_columns`, which takes both
forms the tasks come in (the engine's records a chunk at a time, a table in memory whole) and says
the columns a hand-built table lacks.

This module imports nothing of the package but the display (:class:`Metric`): a metric's module
imports it, and the catalogue and the summary import the metrics.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from offloadsim.analysis.metric_display import Metric
from offloadsim.field_values import FieldValues

__all__ = [
    "RunTables",
    "TaskChunk",
    "task_chunks",
    "SummaryMetric",
    "TaskMean",
    "register",
    "registered",
    "reserve",
    "held_by",
    "is_shipped",
    "code_module",
    "unregister",
    "placed",
    "ROW_PLACES",
    "CATALOGUE_PLACES",
    "TABLE_PLACES",
]

#: Where a registered metric's columns go in a run's metrics row: right after the headline metrics
#: (``"headline"``: where the LLM metrics are), after the headline metrics' part named
#: (``"elsewhere"``: other devices' energy), after the record columns' metrics (``"columns"``: the
#: utilisations), or last (``"end"``).  Metrics moved onto the registry keep
#: their old place, so that the shipped scenarios' metrics tables are byte for byte as before; a new
#: metric is at the end unless it says otherwise.
ROW_PLACES = ("headline", "elsewhere", "columns", "end")
#: Where in the catalogue's order (compare's rows, summary.csv's metrics): right after the headline
#: metrics, after the LLM metrics, after other devices' energy, or after the record columns' own
#: metrics (a new metric's place), or last, after those (``"last"``: the utilisations).
CATALOGUE_PLACES = ("headline", "llm", "elsewhere", "columns", "last")
#: Where in the run's printed table: under the latency rows (the LLM ones first), under device
#: energy per task, after the batteries' place there, or after the record columns' metrics.
TABLE_PLACES = ("latency", "energy", "batteries", "columns")


class TaskChunk:
    """Some of a run's tasks (a chunk of the engine's records, or a whole table): the columns asked for.

    ``rows`` tasks; ``absent`` the columns asked for that the tasks do not have (a table built by
    hand, or read from a run written before the column): each reads as none, NaN or code -1, so a
    metric says what it gives without them rather than raising.  A column not asked for is a KeyError.
    """

    __slots__ = ("_block", "_source", "absent", "names", "rows")

    def __init__(self, source: Any, names: tuple[str, ...], absent: frozenset[str], block: bool) -> None:
        self._source = source
        self._block = block
        self.names = names
        self.absent = absent
        self.rows = _rows(source, block)

    def _asked(self, name: str) -> bool:
        if name not in self.names:
            raise KeyError(f"{name!r}: not a column asked of task_columns ({', '.join(self.names)})")
        return name not in self.absent

    def floats(self, name: str) -> np.ndarray:
        """The column as float64, one per task; all NaN where it is absent."""
        if not self._asked(name):
            return np.full(self.rows, math.nan)
        return np.asarray(self._source[name], dtype=np.float64)

    def codes(self, name: str) -> tuple[np.ndarray, list[str]]:
        """A text column as int64 codes into its labels (-1: no value, ``""``); all -1 where it is absent.

        The engine's records give their own codes (no string per task is made); a whole table's
        labels are its distinct values, sorted.  Labels are not in the same order in every chunk.
        """
        if not self._asked(name):
            return np.full(self.rows, -1, dtype=np.int64), []
        if self._block and name in getattr(self._source.records, "coded", ()):
            codes, labels = self._source.codes(name)
            return _without_empty(np.asarray(codes, dtype=np.int64), list(labels))
        values = np.asarray(self._source[name], dtype=object)
        missing = (values != values) | (values == None)  # noqa: E711  NaN and None, a cell at a time
        text = values.astype(str)
        text[missing] = ""
        known, codes = np.unique(text, return_inverse=True)
        return _without_empty(codes.astype(np.int64).reshape(-1), known.tolist())

    def texts(self, name: str) -> np.ndarray:
        """A text column as an object array of str, ``""`` for no value (all ``""`` where it is absent)."""
        codes, labels = self.codes(name)
        table = np.array([*labels, ""], dtype=object)
        return table[codes]  # -1: the "" at the end


def _without_empty(codes: np.ndarray, labels: list[str]) -> tuple[np.ndarray, list[str]]:
    """``codes`` into ``labels`` with the label ``""`` (no value) taken out: its tasks' code -1."""
    if "" not in labels:
        return codes, labels
    empty = labels.index("")
    return np.where(codes == empty, -1, codes - (codes > empty)), labels[:empty] + labels[empty + 1 :]


def _rows(source: Any, block: bool) -> int:
    """How many tasks ``source`` (a chunk of records, or a table) holds, whatever its columns."""
    if block:
        return int(source.n)
    if hasattr(source, "iloc"):
        return len(source)
    return max((len(column) for column in source.values()), default=0)


def task_chunks(tasks: Any, names: Iterable[str]) -> Iterator[TaskChunk]:
    """``tasks`` a chunk at a time (the engine's records, ``blocks()``) or whole (a table), with ``names``.

    ``tasks``: the engine's records, a DataFrame, or a mapping of columns.  A whole table is one
    chunk; the engine's records are one or more (never a whole column in memory), and none where
    ``tasks`` is None.
    """
    asked = tuple(dict.fromkeys(names))
    if tasks is None:
        return
    blocks = getattr(tasks, "blocks", None)
    if callable(blocks):
        absent = frozenset(asked) - set(tasks.names)
        for block in blocks():
            yield TaskChunk(block, asked, absent, block=True)
        return
    present = tasks.columns if hasattr(tasks, "iloc") else tasks
    yield TaskChunk(tasks, asked, frozenset(name for name in asked if name not in present), block=False)


# eq=False: a bundle of one run's tables and parts, compared by identity (nothing compares or hashes
# two); the value __eq__ and __hash__ dataclass would write cost start-up (issue 12 e).
@dataclass(frozen=True, eq=False)
class RunTables:
    """One run's tables, as :func:`~offloadsim.analysis.summary.summarize` receives them.

    ``tasks`` may be the engine's records, read a chunk at a time with ``blocks()``
    (:mod:`offloadsim.analysis.chunked`), or a table in memory, which a caller may have built by
    hand without some columns: read them with :meth:`task_columns`, which takes both.
    """

    tasks: Any
    nodes: Any
    links: Any
    duration_s: float
    end_s: float | None = None
    processors: Any = None
    powered_sources: int = -1

    def task_columns(self, names: Iterable[str]) -> Iterator[TaskChunk]:
        """The tasks' ``names`` columns a chunk at a time, or whole (:func:`task_chunks`)."""
        return task_chunks(self.tasks, names)


# eq=False, repr=False: FieldValues's __eq__, __hash__ and __repr__ (issue 12 e: see offloadsim.field_values).
@dataclass(frozen=True, eq=False, repr=False)
class TaskMean(FieldValues):
    """A mean of a task column over some tasks, NaN left out: computed by both summary paths.

    ``over`` is ``"completed"`` (as latency) or ``"spent"`` (the tasks that ended: completed,
    dropped or failed, as device energy per task).  Over whole columns it is numpy's NaN-ignoring
    mean; over chunks, the same float (:mod:`offloadsim.analysis.chunked`'s pairwise sums).
    """

    column: str
    over: Literal["completed", "spent"] = "completed"


def _row_of_value(name: str) -> Callable[[Any], dict[str, float]]:
    """The metrics row of a metric whose one column is its value: none where it is NaN."""

    def row(summary: Any) -> dict[str, float]:
        value = summary.metric(name)
        return {} if math.isnan(value) else {name: float(value)}

    return row


def _row_of_family(name: str) -> Callable[[Any], dict[str, float]]:
    """The metrics row of a family: ``<name>_<entry>`` for each entry of its value, none where NaN."""

    def row(summary: Any) -> dict[str, float]:
        return {f"{name}_{entry}": float(v) for entry, v in summary.family(name).items() if not math.isnan(v)}

    return row


# eq=False, repr=False: FieldValues's __eq__, __hash__ and __repr__ (issue 12 e: see offloadsim.field_values).
@dataclass(frozen=True, eq=False, repr=False)
class SummaryMetric(FieldValues):
    """A run metric and everything the summary, the catalogue and the tables need of it.

    ``compute`` takes the run's tables (:class:`RunTables`) to the value, or ``task_mean`` says it
    is a mean of a task column (one of the two).  ``columns`` are the metrics-row columns it gives,
    in order, with their display; ``row`` gives a run's values of them from its summary (default:
    the value under ``name``, none where NaN).  ``compare``: compare's printed table shows its
    columns unasked (else only when a caller names them; ``summary.csv`` has them either way);
    ``sweep``: the columns sweep's printed table shows, where some run has a value.
    ``table_row`` gives its row of the run's printed table (label, value, unit) or None; without
    one, a ``table_note`` (``""`` for none) shows the value by its display, the note after the unit,
    where it is not NaN; with neither, the run's table has no row of it.
    ``json_after``, ``row_place``, ``catalogue_place`` and ``table_place`` say where it goes
    (:data:`ROW_PLACES`, ...): a new metric leaves them be (at the end), or puts its columns
    beside the headline metrics (``row_place`` and ``catalogue_place`` ``"headline"``, as the LLM
    metrics', ``json_after="device_energy_mean_j"``: its summary.json key after theirs).
    ``family``: a per-run column family, what its entries are (``"node"``): ``compute`` gives a
    mapping, entry -> value (a value per node), which summary.json's key holds (one digest per
    entry, as ``node_utilisation``'s), and the metrics row has a column ``<name>_<entry>`` for
    each entry not NaN; ``columns`` is the display they share, under its ``name``, each column's
    label led by its entry (:meth:`display`); ``sweep=(name,)`` shows them all in sweep's table.
    ``summary_fields``: its values are the summary's own fields named as its columns (or its
    properties over them), which the summary computes (offloadsim's LLM metrics,
    :mod:`offloadsim.analysis.llm_requests`, and other devices' energy per task): no
    ``compute``, no key of its own in summary.json (theirs stay at the fields' places, their bytes
    and digests as before) nor in a manifest's ``metrics``; only a shipped metric may say so.
    ``of_completed``: its columns are over completed tasks only (a comparison says a policy's
    incomplete share beside them).  ``descriptions``: a column's own line where the metric's does not fit it.
    ``entry_label``: a family's column label from its entry, where its columns differ in shape (the
    utilisations': ``edge`` "edge utilisation", ``edge_max`` "edge max utilisation"); a family of
    the summary's fields gives ``row`` in place of ``compute``.  ``refill(nodes, processors)``: the
    columns a run's nodes and processors tables give, for a sweep's job file (a run's summary.json)
    written before it had them; ``required(nodes)``: the columns every run with that nodes table has
    (a job file missing one runs again).  ``absent_is_zero``: a comparison's or sweep's run without
    its column, where some task ended, reads 0 (other devices' energy per task).
    """

    name: str
    description: str
    columns: Mapping[str, Metric]
    compute: Callable[[RunTables], float] | None = None
    task_mean: TaskMean | None = None
    default: float = math.nan
    row: Callable[[Any], dict[str, float]] | None = None
    compare: bool = True
    sweep: tuple[str, ...] = ()
    table_row: Callable[[Any], tuple[str, str, str] | None] | None = None
    table_note: str | None = None
    json_after: str | None = None
    row_place: str = "end"
    catalogue_place: str = "columns"
    table_place: str = "columns"
    of_completed: bool = False
    descriptions: Mapping[str, str] = field(default_factory=dict)
    summary_fields: bool = False
    family: str | None = None
    entry_label: Callable[[str], str] | None = None
    refill: Callable[[Any, Any], dict[str, float]] | None = None
    required: Callable[[Any], list[str]] | None = None
    absent_is_zero: bool = False

    def __post_init__(self) -> None:
        ways = (self.compute is not None) + (self.task_mean is not None) + self.summary_fields
        if ways != 1:
            raise ValueError(f"metric {self.name}: give compute, task_mean or summary_fields, one of them")
        for place, known in (
            (self.row_place, ROW_PLACES),
            (self.catalogue_place, CATALOGUE_PLACES),
            (self.table_place, TABLE_PLACES),
        ):
            if place not in known:
                raise ValueError(f"metric {self.name}: place {place!r} is not one of {', '.join(known)}")
        if not self.columns:
            raise ValueError(f"metric {self.name}: no columns; a metric gives its metrics row one at least")
        if self.family is not None and (
            (self.compute is None and self.row is None) or list(self.columns) != [self.name]
        ):
            raise ValueError(
                f"metric {self.name}: a family ({self.family}) gives compute (or, of the summary's fields, "
                "row), and columns holds one entry, its name's: the display its columns share"
            )
        if self.entry_label is not None and self.family is None:
            raise ValueError(f"metric {self.name}: entry_label labels a family's columns; it is no family")

    @property
    def keyed(self) -> bool:
        """Whether it is a family with a summary.json key of its own (a mapping), not the summary's fields."""
        return self.family is not None and not self.summary_fields

    def member(self, column: str) -> str | None:
        """The entry ``column`` is this family's column of (``<name>_<entry>``); None, or not a family."""
        prefix = f"{self.name}_"
        if self.family is None or not column.startswith(prefix) or column == prefix:
            return None
        return column.removeprefix(prefix)

    def holds(self, column: str) -> bool:
        """Whether ``column`` is one of this metric's metrics-row columns (a family's: any entry's)."""
        return self.member(column) is not None if self.family is not None else column in self.columns

    def display(self, column: str) -> Metric:
        """How ``column`` is shown: its entry of ``columns``; a family's, the shared one, labelled by entry.

        A family's label is ``entry_label(entry)`` where it gives one (its columns differ in shape:
        "edge max utilisation", "edge gpu utilisation"), else the shared label led by the entry.
        """
        entry = self.member(column)
        if entry is None:
            return self.columns[column]
        shared = self.columns[self.name]
        label = self.entry_label(entry) if self.entry_label is not None else f"{entry} {shared.label}"
        return dataclasses.replace(shared, label=label)

    def present(self, names: Iterable[str]) -> list[str]:
        """Those of ``names`` that are this metric's columns: in ``columns``' order, a family's as given."""
        if self.family is None:
            given = set(names)
            return [column for column in self.columns if column in given]
        return [name for name in names if self.member(name) is not None]

    def row_of(self, summary: Any) -> dict[str, float]:
        """The run's metrics-row columns of this metric, from its summary."""
        default = _row_of_family if self.family is not None else _row_of_value
        return (self.row or default(self.name))(summary)

    def describe(self, column: str) -> str:
        """The catalogue's one line for one of its columns (its own, or the metric's)."""
        return self.descriptions.get(column, self.description)


_REGISTERED: dict[str, SummaryMetric] = {}
#: The names of the metrics registered as offloadsim's own (``register(..., shipped=True)``).
_SHIPPED: set[str] = set()

#: Who else holds a metrics-row column or a ``summary.json`` key (the catalogue's headline metrics,
#: the record columns' aggregates, the summary's fields): each says what holds a name, or None.
_HOLDERS: list[Callable[[str], str | None]] = []


def reserve(holder: Callable[[str], str | None]) -> None:
    """Let ``holder`` (a name -> what holds it, or None) refuse the metrics that would take its names.

    The catalogue and the summary, which import the metrics, declare their names so; this module
    imports neither.  The metrics registered before are checked at once, but offloadsim's own
    (registered as the catalogue is imported: asking a holder may read the record columns' entry
    points, which a pool's forkserver importing the catalogue must not, with its start's sys.path;
    ``tests/experiments/test_metric_registry.py`` checks them).
    """
    _HOLDERS.append(holder)
    for metric in _REGISTERED.values():
        if not is_shipped(metric):
            _check_new(metric, holder)


def held_by(name: str) -> str | None:
    """What outside the registry holds ``name`` (a headline metric, a summary.json key, ...), or None."""
    return next((what for holder in _HOLDERS if (what := holder(name))), None)


def is_shipped(metric: SummaryMetric) -> bool:
    """Whether ``metric`` was registered as offloadsim's own (``register(metric, shipped=True)``).

    Said at registration, not guessed from its code's module: a shipped metric that is a task
    column's mean (``task_mean``, no ``compute``, ``row`` or ``table_row``) has no code to tell by,
    and was checked by :func:`reserve` as a plug-in's.
    """
    return _REGISTERED.get(metric.name) is metric and metric.name in _SHIPPED


def code_module(metric: SummaryMetric) -> str:
    """The module ``metric``'s code is in (its ``compute``, ``row`` or ``table_row``), else ``""``."""
    for code in (metric.compute, metric.row, metric.table_row):
        module = getattr(code, "__module__", None)
        if module:
            return str(module)
    return ""


def _origin(metric: SummaryMetric) -> str:
    """`` (module)`` where the metric's code is, else ``""``."""
    module = code_module(metric)
    return f" ({module})" if module else ""


def _check_new(metric: SummaryMetric, holder: Callable[[str], str | None]) -> None:
    """A ValueError naming ``metric`` and its first name or column ``holder`` holds already."""
    for column in (metric.name, *metric.columns):
        what = holder(column)
        if what:
            said = "its name" if column == metric.name else "its column"
            raise ValueError(
                f"metric {metric.name!r}{_origin(metric)}: {said} {column!r} is {what}; "
                "a metric's name and columns must be new, or it would overwrite that value"
            )


def register(metric: SummaryMetric, *, shipped: bool = False) -> None:
    """Register ``metric`` (its name and columns new to the registry), after those registered before.

    ``shipped``: offloadsim's own (:mod:`offloadsim.analysis.metric_list`'s), which :func:`reserve`
    leaves to ``tests/experiments/test_metric_registry.py`` to check.

    A name or column taken already (another metric's, a headline metric's, a record column's
    aggregate's, a key of ``summary.json``: every :func:`reserve` holder's) is a ValueError naming
    the metric and the column: it would overwrite that value in the metrics row or the summary.
    """
    taken = {  # by which metric, and the module of its code: a second package's of one name was unclear
        column: f"registered already (by metric {other.name!r}"
        + (f" of {code_module(other)})" if code_module(other) else ")")
        for other in _REGISTERED.values()
        for column in (other.name, *other.columns)
    }
    families = [other for other in _REGISTERED.values() if other.family is not None]

    def in_family(column: str) -> str | None:
        """A registered family's, whose column ``column`` would be (``utilisation_<tier>_...``)."""
        owner = next((other for other in families if other.member(column) is not None), None)
        return None if owner is None else f"a column of registered family {owner.name!r} ({owner.family})"

    if metric.summary_fields and not shipped:
        raise ValueError(
            f"metric {metric.name!r}{_origin(metric)}: summary_fields is offloadsim's own (the summary's "
            "fields); a plug-in's metric gives compute or task_mean"
        )
    holders: list[Callable[[str], str | None]] = [taken.get, in_family, *_HOLDERS]
    for holder in holders:
        _check_new(metric, holder)
    _REGISTERED[metric.name] = metric
    if shipped:
        _SHIPPED.add(metric.name)


def unregister(name: str) -> None:
    """Take a registered metric back out (a test's own toy metric); a name not registered is a KeyError."""
    del _REGISTERED[name]
    _SHIPPED.discard(name)


def registered() -> tuple[SummaryMetric, ...]:
    """The registered metrics, in the order registered."""
    return tuple(_REGISTERED.values())


def placed(metrics: Iterable[SummaryMetric], place: str, attribute: str) -> list[SummaryMetric]:
    """Those of ``metrics`` whose ``attribute`` (``row_place``, ...) is ``place``, in order."""
    return [metric for metric in metrics if getattr(metric, attribute) == place]
