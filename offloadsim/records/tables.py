"""The record tables a run writes beside its tasks: one registry for the engine, writers, readers and compare.

A record table is one Parquet file per run, ``NAME.parquet``, with its declared columns
(:class:`~offloadsim.records.schema.Column`).  Its :class:`RecordTable` says, in one place, how the
engine fills it (``collector``), whether a run directory must hold it (``required``: else one
written before the table was reads as empty) and whether ``compare`` keeps every run's rows
(``compare``).  The engine starts every registered collector on each run
(:func:`offloadsim.engine.record_tables.start_collectors`); :func:`~offloadsim.records.results.write_run`
writes every registered table, :func:`~offloadsim.records.results.read_run` and
:func:`~offloadsim.records.stored.read_results` read them back (``RunResult.table(name)``,
``Results.tables``), and ``compare`` stacks the ones it keeps with each run's policy and replication.

Adding a table is one module (its collector) and one :func:`register_table` call; see
docs/architecture.md, "Adding a record table".  The tasks and stages are not record tables here:
the engine writes them a chunk at a time as the run goes (:mod:`offloadsim.engine.records`).
Nothing here imports pandas or the engine: a collector given by name is imported by the engine.

Other distributions add tables through the entry-point group ``offloadsim.record_tables``
(:data:`PLUGINS`), each entry naming a :class:`RecordTable` of the entry's name; it is read on the
first look-up (:func:`record_tables`) in every process, a pool worker of ``compare`` too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from offloadsim.field_values import FieldValues
from offloadsim.plugins import EntryPointGroup, PluginSkipped
from offloadsim.records import schema
from offloadsim.records.schema import Column

__all__ = [
    "BUILT_IN",
    "ENTRY_POINT_GROUP",
    "PLUGINS",
    "Collector",
    "RecordTable",
    "forget_table",
    "keep_origin",
    "record_table",
    "record_tables",
    "register_table",
    "stem_holder",
    "table_origin",
]

#: Starts a table's collector on a run (the engine's ``Simulation``, before it runs): an object whose
#: ``columns`` (a mapping of column name to values) are the table's rows once the run has ended, or
#: None where the run has nothing to record (the table is written empty, with its declared columns).
Collector = Callable[[Any], Any]

#: Files of a run, compare or sweep directory that are not record tables.
_TAKEN = frozenset(("tasks", "stages", "metrics", "summary", "manifest", "groups", "apps"))
#: A string: re compiles (and caches) it at first use, not at import, as a run seldom needs it (issue 12 e).
_NAME = r"[a-z][a-z0-9_]*\Z"


# eq=False, repr=False: FieldValues's __eq__, __hash__ and __repr__ (issue 12 e: see offloadsim.field_values).
@dataclass(frozen=True, eq=False, repr=False)
class RecordTable(FieldValues):
    """One record table: its name (file ``NAME.parquet``), its columns and how each layer treats it.

    ``collector`` fills it in the engine: a callable (:data:`Collector`) or its dotted name
    ``"package.module:function"``; None for the tables the simulation itself writes at the end of a
    run (nodes, links, processors: ``RawRun``'s own fields).  ``required``: every run directory holds
    it (else one written before the table was reads back with no rows).  ``compare``: a comparison
    keeps every run's rows, its policy and replication first (``link_changes.parquet`` in a compare
    directory); sweeps keep none but processors yet (their job files carry tables as metadata).
    """

    name: str
    columns: tuple[Column, ...]
    collector: Collector | str | None = None
    required: bool = False
    compare: bool = True

    @property
    def file(self) -> str:
        """The table's file in a results directory."""
        return f"{self.name}.parquet"

    def empty(self) -> dict[str, list[Any]]:
        """Its declared columns with no rows: what a run that recorded nothing writes."""
        return {column.name: [] for column in self.columns}


_REGISTERED: dict[str, RecordTable] = {}


def register_table(table: RecordTable) -> RecordTable:
    """Register ``table`` in this process (its columns for the writers and readers too); returns it.

    Registering the same name again replaces it (a test's table, registered per test).  Raises
    ValueError for a name that is not a lower-case identifier, or is one of a results directory's
    other files (``tasks``, ``stages``, ``metrics``, ``summary``, ...), or for no columns.
    """
    if not isinstance(table.name, str) or not re.match(_NAME, table.name) or table.name in _TAKEN:
        raise ValueError(
            f"record table name: expected a lower-case identifier other than {', '.join(sorted(_TAKEN))}, "
            f"got {table.name!r}"
        )
    if not table.columns or not all(isinstance(column, Column) for column in table.columns):
        raise ValueError(f"record table {table.name}: expected its columns, as schema.Column")
    schema.declare_table(table.name, table.columns)
    _REGISTERED[table.name] = table
    return table


def forget_table(name: str) -> None:
    """Take the table ``name`` off the registry (a test's, after it): its runs no longer write it."""
    _REGISTERED.pop(name, None)
    _ORIGINS.pop(name, None)


def record_tables() -> tuple[RecordTable, ...]:
    """Every registered table, in the order registered (the built-in ones first, then plug-ins')."""
    PLUGINS.load()
    return tuple(_REGISTERED.values())


def record_table(name: str) -> RecordTable:
    """The registered table ``name``; KeyError for none."""
    PLUGINS.load()
    return _REGISTERED[name]


def stem_holder(name: str) -> str | None:
    """What of a results directory already holds files named ``name`` (a record table, ...); None if nothing.

    Another kind of output named by its stem (a breakdown's ``NAME.csv``, ``sources.csv``) asks this
    first, so that it neither overwrites a directory's own file (``groups.csv``) nor reads as a
    record table's (``nodes.csv`` beside ``nodes.parquet``).  Entry points read first.
    """
    PLUGINS.load()
    if name in _REGISTERED:
        origin = _ORIGINS.get(name)
        return f"the record table {name!r} ({name}.parquet{', ' + origin if origin else ''})"
    if name in _TAKEN:
        return f"a results directory's own files named {name!r} ({name}.*)"
    return None


def table_origin(name: str) -> str:
    """``distribution NAME VERSION`` of the plug-in that added the table ``name``; ``""`` for any other."""
    return _ORIGINS.get(name, "")


def keep_origin(name: str, origin: str) -> None:
    """Say again that an entry point added the table ``name`` (a worker putting it back in order)."""
    _ORIGINS[name] = origin


#: The entry-point group other distributions declare record tables in (each entry a :class:`RecordTable`).
ENTRY_POINT_GROUP = "offloadsim.record_tables"

_ORIGINS: dict[str, str] = {}  # table name -> the distribution whose entry point added it


def _add_plugin(entry: Any, table: Any, origin: str) -> None:
    """Register one entry point's table, unless it registered itself on import; skip a clash."""
    if not isinstance(table, RecordTable):
        raise PluginSkipped(
            f"it names a {type(table).__name__}, not an offloadsim.records.tables.RecordTable"
        )
    if table.name != entry.name:
        raise PluginSkipped(f"the record table it names is called {table.name!r}, not {entry.name!r}")
    if _REGISTERED.get(table.name) is not table:
        if table.name in _REGISTERED:
            raise PluginSkipped(f"a record table named {table.name!r} is already registered")
        try:
            register_table(table)
        except ValueError as error:
            raise PluginSkipped(str(error)) from error
    _ORIGINS[table.name] = f"distribution {origin}"


#: Record tables other distributions declare, read on the first look-up in each process.
PLUGINS = EntryPointGroup(ENTRY_POINT_GROUP, "record table", _add_plugin)


# The built-in tables, in the order a run directory lists them (RUN_FILES).  A comparison keeps every
# run's nodes by its own code (CompareResult.nodes, which its metrics and notes read), not as a table
# kept here; it keeps no links.
NODES = register_table(RecordTable("nodes", schema.NODES, required=True, compare=False))
LINKS = register_table(RecordTable("links", schema.LINKS, required=True, compare=False))
LINK_CHANGES = register_table(
    RecordTable("link_changes", schema.LINK_CHANGES, collector="offloadsim.engine.link_changes:link_changes")
)
PROCESSORS = register_table(RecordTable("processors", schema.PROCESSORS))

#: The tables offloadsim itself writes, in order (a run directory's list of its files names these; a
#: plug-in's are looked up as a run writes them, not as modules are imported).
BUILT_IN = (NODES, LINKS, LINK_CHANGES, PROCESSORS)
