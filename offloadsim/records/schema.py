"""The record schema: every column of a run's tables, with its dtype, unit and meaning, and the statuses.

This is the one place a record column is declared.  The engine's columnar
log allocates the columns it appends from here, the results layer gives
each column its dtype from here, the summary aggregates the columns that
declare ``summary`` aggregates, and experiments and plots name columns
from here.  Nothing here imports pandas or the engine: it is plain data.

A new per-task column is one :class:`Column` in :data:`TASKS` (or, from a
plug-in, one :func:`register_task_column` call) plus the code that computes
its value: ``derive`` (a function of the other columns, run once after the
run) or, for a value only the engine knows, the engine's
``RecordLog.set(name, row, value)``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from offloadsim.field_values import FieldValues
from offloadsim.plugins import EntryPointGroup

__all__ = [
    "placement_label",
    "placement_nodes",
    "Column",
    "counted",
    "Dtype",
    "ENTRY_POINT_GROUP",
    "STATUSES",
    "STATUS_DOCS",
    "TASKS",
    "NODES",
    "LINKS",
    "LINK_CHANGES",
    "LINK_CHANGE_KINDS",
    "PROCESSORS",
    "FIRST_PROCESSOR_ONLY",
    "STAGES",
    "TASK_COLUMNS",
    "LLM_COLUMNS",
    "NODE_COLUMNS",
    "LINK_COLUMNS",
    "LINK_CHANGE_COLUMNS",
    "PROCESSOR_COLUMNS",
    "STAGE_COLUMNS",
    "STAGE_PHASES",
    "task_columns",
    "column",
    "columns_of",
    "declare_table",
    "register_task_column",
    "unregister_task_column",
    "task_column_added",
]

#: How a column is stored: int64, float64, a pandas category, plain strings, or nullable booleans.
Dtype = Literal["int64", "float64", "category", "string", "boolean"]
#: An aggregate the summary computes over the completed tasks' values of a column.
Aggregate = Literal["mean", "p50", "p95", "p99", "sum"]


# eq=False, repr=False: FieldValues's __eq__, __hash__ and __repr__ (issue 12 e: see offloadsim.field_values).
@dataclass(frozen=True, eq=False, repr=False)
class Column(FieldValues):
    """One record column: its name, storage dtype, SI unit (``""`` for none) and meaning.

    ``summary`` lists the aggregates the run summary reports for a column
    not among its headline numbers (over completed tasks), each named
    ``<name>_<aggregate>`` plus ``_<unit>`` when the unit is ``s``, ``J`` or
    ``B``; ``label`` and ``better`` (``"lower"``, ``"higher"`` or ``None``)
    say how those aggregates are shown and compared.  ``derive``, when set,
    computes the column from the others once the run is over (numpy arrays
    in, one array out), so no code in the event loop changes.
    """

    name: str
    dtype: Dtype
    unit: str
    doc: str
    summary: tuple[Aggregate, ...] = ()
    label: str = ""
    better: Literal["lower", "higher"] | None = None
    derive: Callable[[Mapping[str, np.ndarray]], np.ndarray] | None = None
    missing: float = float("nan")  # the value of rows the engine never set (RecordLog.set)
    #: Every table of its kind has had it, with a value in every row: a table read back without it,
    #: or with a row missing its value (NaN), is refused (:mod:`offloadsim.records.checked`).
    required: bool = False
    #: The least value a run writes in it, every one finite: where it is set, a table read back with
    #: a value below it or infinite is refused (:mod:`offloadsim.records.checked`), and with NaN
    #: unless ``nan`` (its doc then says what NaN means).  None: its values are not checked.
    at_least: float | None = None
    nan: bool = False
    #: The column whose value above 0 makes a task's value count in the summary's aggregates; a task
    #: with none counts 0 (:func:`counted`).  ``""``: every task's value counts.
    counted_if: str = ""


def counted(values: np.ndarray, gate: np.ndarray) -> np.ndarray:
    """``values`` as a column's summary counts them: 0 where ``gate`` (its ``counted_if``) is 0 or less.

    A NaN gate (records written without that column) leaves the value as it is.
    """
    return np.where(gate <= 0.0, 0.0, values)


#: A task's outcome.  ``failed`` is a task its plan could not finish (a node or link that went down
#: under it, a processor that aborted its stage); ``dropped`` one refused before or on the way.
STATUSES = ("completed", "dropped", "failed", "in_flight")
STATUS_DOCS = {
    "completed": "the result reached the source",
    "dropped": "refused: no placement, a full queue, a flat battery (``reason`` says which)",
    "failed": "started but could not finish: a stage aborted under it (``reason`` says why)",
    "in_flight": "still running when the run ended",
}

_S, _B, _J = "s", "B", "J"

#: Per-task records (``tasks.parquet``), in file order (DESIGN.md section 5).
TASKS: tuple[Column, ...] = (
    Column(
        "task_id",
        "int64",
        "",
        "task number, unique within a run, in arrival order",
        required=True,
        at_least=0,
    ),
    Column("app", "category", "", "application (scenario ``applications`` key)", required=True),
    Column("source", "category", "", "node where the task arose", required=True),
    Column("policy", "category", "", "policy that placed the task", required=True),
    Column(
        "replication",
        "int64",
        "",
        "replication index (selects the random streams)",
        required=True,
        at_least=0,
    ),
    Column("seed", "int64", "", "the scenario's seed", required=True, at_least=0),
    Column("arrival", "float64", _S, "simulated time the task arose", required=True, at_least=0),
    Column(
        "start", "float64", _S, "time its first stage or transfer began (NaN: none did)", at_least=0, nan=True
    ),
    Column(
        "finish",
        "float64",
        _S,
        "time the result reached the source (NaN unless completed)",
        at_least=0,
        nan=True,
    ),
    Column("latency", "float64", _S, "finish - arrival (NaN unless completed)", at_least=0, nan=True),
    Column("wait", "float64", _S, "time spent queued for processors", at_least=0),
    Column("compute_time", "float64", _S, "time spent computing", at_least=0),
    Column("transfer_time", "float64", _S, "time spent transferring (latency included)", at_least=0),
    Column("bytes_sent", "float64", _B, "bytes put on links", at_least=0),
    Column(
        "placement",
        "category",
        "",
        "where each part ran, e.g. ``phone>edge``; a plan whose cuts ``split`` cannot give names them:"
        " ``edge-0:17>edge-1:24>edge-2``",
    ),
    Column("split", "int64", "", "layers run at the source before offloading", at_least=0),
    Column("deadline", "float64", _S, "relative deadline (NaN: none)", at_least=0, nan=True),
    Column("deadline_met", "boolean", "", "completed within its deadline (NA: no deadline)"),
    Column("status", "category", "", "outcome, one of STATUSES", required=True),
    Column(
        "device_energy", "float64", _J, "energy above idle the source device spent on the task", at_least=0
    ),
    Column(
        "raw_input_offloaded", "float64", "", "1.0 when the raw input left the device (privacy)", at_least=0
    ),
    Column("reason", "category", "", "why a task was dropped or failed (empty otherwise)"),
    Column(
        "handovers",
        "float64",
        "",
        "handovers of its source device while it was in flight (NaN: no device moves)",
        summary=("mean",),
        # A task computed on its device alone sends nothing over the access point: no handover hits it.
        label="handover hits per task",
        counted_if="bytes_sent",
        better="lower",
        at_least=0,
        nan=True,
    ),
    Column(
        "ttft", "float64", _S, "LLM: time to first token (NaN: no LLM, or no token yet)", at_least=0, nan=True
    ),
    Column(
        "tpot",
        "float64",
        _S,
        "LLM: mean time per output token after the first (NaN: no LLM, or no token after the first)",
        at_least=0,
        nan=True,
    ),
    Column(
        "prompt_tokens", "float64", "", "LLM: prompt length in tokens (NaN: no LLM)", at_least=0, nan=True
    ),
    Column("output_tokens", "float64", "", "LLM: generated tokens (NaN: no LLM)", at_least=0, nan=True),
    Column(
        "kv_cache_bytes",
        "float64",
        _B,
        "LLM: KV-cache size at the end of the request (NaN: no LLM)",
        at_least=0,
        nan=True,
    ),
    Column(
        "retries",
        "int64",
        "",
        "attempts after the first (recovery: retries and fallback)",
        missing=0.0,
        at_least=0,
    ),
    Column("final_node", "category", "", "node of the last compute stage of its final plan (empty: none)"),
    Column(
        "other_device_energy",
        "float64",
        _J,
        "energy above idle other powered nodes (devices, powered servers) spent on the task",
        at_least=0,
    ),
    Column(
        "source_group",
        "category",
        "",
        "the scenario's ``nodes`` key its source came from: ``phone`` for ``phone-3`` of a group with"
        " ``count``, the node's own name for one without (empty: a results table written before it)",
    ),
    Column(
        "device_compute_energy",
        "float64",
        _J,
        "of device_energy, what the source device's processors drew; the rest is its radio's"
        " (sending, receiving, the tail, the bits). NaN: a results table written before it",
        at_least=0,
        nan=True,
    ),
    Column(
        "window_tokens",
        "float64",
        "",
        "LLM: output tokens generated for it in the measured window, whatever became of it (the nodes'"
        " tokens_generated by request: an application's output token throughput). NaN: no LLM, or a"
        " results table written before it",
        at_least=0,
        nan=True,
    ),
    Column(
        "lost_at",
        "float64",
        _S,
        "time a task dropped or failed was dropped or failed: a failure's own time for the tasks it cut"
        " short (NaN: completed, whose time is finish, or in flight; or a results table written before it)",
        at_least=0,
        nan=True,
    ),
)

#: A processor's busy time and utilisation, in the nodes table (its first processor's) and processors'.
_BUSY_S = Column(
    "busy_s", "float64", _S, "busy time per core over the measured window", required=True, at_least=0
)
_UTILISATION = Column(
    "utilisation", "float64", "", "busy_s / measured time, in [0, 1]", required=True, at_least=0
)

#: Per-node records (``nodes.parquet``), one row per node.
NODES: tuple[Column, ...] = (
    Column("node", "string", "", "node name", required=True),
    Column("tier", "category", "", "device, edge or cloud", required=True),
    Column("processor", "string", "", "name of its first processor, which the row reports (empty: none)"),
    Column("cores", "int64", "", "cores of that processor (0: none)", required=True, at_least=0),
    _BUSY_S,
    _UTILISATION,
    Column(
        "stages_completed",
        "int64",
        "",
        "compute stages finished in the measured window",
        required=True,
        at_least=0,
    ),
    Column("energy_j", "float64", _J, "energy the node spent in the measured window", at_least=0),
    Column(
        "energy_for_others_j",
        "float64",
        _J,
        "energy above idle it spent on other sources' tasks, measured window (their other_device_energy)",
        at_least=0,
    ),
    Column("drained_at", "float64", _S, "time its battery ran flat (NaN: never)", at_least=0, nan=True),
    Column("queued_at_start", "int64", "", "stages waiting when the measured window opened", at_least=0),
    Column("queued_at_end", "int64", "", "stages waiting when the run ended", at_least=0),
    Column("refused_full", "int64", "", "stages refused by a full queue (processor.queue_limit)", at_least=0),
    Column(
        "availability",
        "float64",
        "",
        "fraction of the measured time it was up (failures, battery)",
        at_least=0,
    ),
    Column(
        "battery_left",
        "float64",
        "",
        "share of its battery's capacity left at the end (0 flat, NaN: no battery)",
        at_least=0,
        nan=True,
    ),
    Column(
        "down",
        "string",
        _S,
        "when it was down, warm-up included: JSON [[since, until], ...] (null: to the end; empty: never)",
    ),
    Column(
        "group",
        "category",
        "",
        "the scenario's ``nodes`` key it came from: ``phone`` for ``phone-3`` (``count``), else its own name",
    ),
    Column(
        "tokens_generated",
        "int64",
        "",
        "LLM output tokens it generated as a plan's last segment in the measured window, whatever"
        " became of their requests (the output token throughput: their sum over the measured time)",
        at_least=0,
    ),
)

#: Per-link-direction records (``links.parquet``), one row per direction ``a -> b``.
LINKS: tuple[Column, ...] = (
    Column("a", "string", "", "sending end", required=True),
    Column("b", "string", "", "receiving end", required=True),
    Column("bytes", "float64", _B, "bytes carried in the measured window", required=True, at_least=0),
    Column("busy_s", "float64", _S, "time at least one flow was on it", required=True, at_least=0),
    Column(
        "utilisation", "float64", "", "bits carried / (capacity x measured time)", required=True, at_least=0
    ),
    Column("capacity", "float64", "bit/s", "capacity the scenario gives it", at_least=0),
    Column(
        "mean_capacity",
        "float64",
        "bit/s",
        "capacity in force, time-weighted over the window (0 down)",
        at_least=0,
    ),
    Column(
        "availability",
        "float64",
        "",
        "fraction of the window it carried traffic (it and both ends up)",
        at_least=0,
    ),
    Column(
        "loss_rate",
        "float64",
        "",
        "packet loss probability in force, time-weighted (recorded only)",
        at_least=0,
    ),
)

#: What a row of the link changes says moved: the capacity, latency or loss probability in force,
#: or the link going ``down`` or coming back ``up``.
LINK_CHANGE_KINDS = ("capacity", "latency", "loss", "down", "up")

#: Link changes (``link_changes.parquet``): one row per link direction ``a -> b`` and change of its state
#: during the run, warm-up included, in time order; each row gives the state in force after it.
LINK_CHANGES: tuple[Column, ...] = (
    Column(
        "time", "float64", _S, "simulated time of the change (warm-up included)", required=True, at_least=0
    ),
    Column("a", "string", "", "sending end", required=True),
    Column("b", "string", "", "receiving end", required=True),
    Column("change", "category", "", "what moved, one of LINK_CHANGE_KINDS", required=True),
    Column(
        "capacity",
        "float64",
        "bit/s",
        "capacity set for the direction after the change (what it carries while up)",
        required=True,
        at_least=0,
    ),
    Column(
        "scenario_capacity",
        "float64",
        "bit/s",
        "capacity the scenario gives the direction, before any change (the links table's capacity)",
        required=True,
        at_least=0,
    ),
    Column("latency", "float64", _S, "the link's latency after the change", required=True, at_least=0),
    Column("loss", "float64", "", "packet loss probability after the change", required=True, at_least=0),
    Column(
        "up",
        "boolean",
        "",
        "the link is up after the change (its ends' outages: the nodes' down)",
        required=True,
    ),
    Column(
        "dynamics",
        "int64",
        "",
        "the scenario's dynamics entry that made the change (-1: none)",
        required=True,
    ),
    Column("kind", "category", "", "that entry's kind (``link-trace``, ``mobility``; empty: none)"),
)

#: Per-processor records (``processors.parquet``), one row per processor of every computing node, a
#: node's first processor first: the nodes table's processor columns are its first processor's only.
PROCESSORS: tuple[Column, ...] = (
    Column("node", "string", "", "node name", required=True),
    Column("tier", "category", "", "device, edge or cloud", required=True),
    Column(
        "processor", "string", "", "its name on its node (``cpu`` for a single ``processor:``)", required=True
    ),
    Column("profile", "string", "", "its device profile (empty: a ``speed`` instead)"),
    Column("cores", "int64", "", "its cores", required=True, at_least=0),
    _BUSY_S,
    _UTILISATION,
    Column(
        "stages_completed",
        "int64",
        "",
        "compute stages it finished in the measured window",
        required=True,
        at_least=0,
    ),
)

#: How a run's note on the processors after its nodes' first begins (the engine's; compare and sweep
#: say those processors from ``processors.parquet`` instead, over each configuration's runs).
FIRST_PROCESSOR_ONLY = (
    "the nodes table, and the utilisation and busiest nodes of the summary, report each node's "
    "first processor only"
)

#: Per-stage records (``stages.parquet``, with ``--stages``), one row per compute stage or transfer hop.
STAGES: tuple[Column, ...] = (
    Column("task_id", "int64", "", "the task the stage belongs to"),
    Column("kind", "category", "", "compute or transfer"),
    Column("where", "string", "", "node, or ``a>b`` for a transfer hop"),
    Column("processor", "string", "", "the node's processor a compute stage ran on (empty for a transfer)"),
    Column("submitted", "float64", _S, "time it was queued (= start for a transfer)"),
    Column("start", "float64", _S, "time it began"),
    Column("end", "float64", _S, "time it ended"),
    Column("bytes", "float64", _B, "bytes moved (0 for compute)"),
    Column("phase", "category", "", "what the stage is for an LLM request (empty for other applications)"),
)

#: The values of the stages' ``phase``: empty for any application but an LLM's, whose compute stages
#: are its ``prefill`` and each ``decode`` step, and whose transfers carry the ``prompt`` (to the first
#: segment), the prompt's hidden states across a cut (``prefill-hidden``), one token's hidden state
#: across a cut (``decode-hidden``) or a generated ``token`` (home, or back to the first segment).
STAGE_PHASES = ("", "prefill", "decode", "prompt", "prefill-hidden", "decode-hidden", "token")

#: The entry-point group other distributions declare record columns in (each entry a :class:`Column`).
ENTRY_POINT_GROUP = "offloadsim.record_columns"

_added: dict[str, Column] = {}  # task columns registered by plug-ins, after TASKS in file order


def _add_plugin(entry: Any, col: Any, origin: str) -> None:
    """Register one entry point's column, unless it registered itself on import."""
    if _added.get(col.name) is not col:
        register_task_column(col)


#: Record columns other distributions declare, read on the first look-up in each process.
PLUGINS = EntryPointGroup(ENTRY_POINT_GROUP, "record column", _add_plugin)


def task_columns() -> tuple[Column, ...]:
    """Every per-task column: :data:`TASKS` then any a plug-in registered (entry points load on first use)."""
    PLUGINS.load()
    return (*TASKS, *_added.values())


#: The columns of each record table registered by name (:func:`offloadsim.records.tables.register_table`).
_TABLES: dict[str, tuple[Column, ...]] = {}


def declare_table(table: str, columns: Sequence[Column]) -> None:
    """Declare the columns of the record table ``table`` (what :func:`columns_of` gives for it).

    Called by :func:`offloadsim.records.tables.register_table`, which keeps the rest of a table's
    description; this module, the lowest of the records, only learns its columns.
    """
    _TABLES[table] = tuple(columns)


def columns_of(table: str) -> tuple[Column, ...]:
    """The columns of ``tasks``, ``stages`` or a record table (``nodes``, ``links``, ``processors``, ...)."""
    if table == "tasks":
        return task_columns()
    if table in _TABLES:
        return _TABLES[table]
    return {
        "nodes": NODES,
        "links": LINKS,
        "link_changes": LINK_CHANGES,
        "processors": PROCESSORS,
        "stages": STAGES,
    }[table]


def column(name: str, table: str = "tasks") -> Column | None:
    """The declared column ``name`` of ``table``, or ``None``."""
    return next((c for c in columns_of(table) if c.name == name), None)


def register_task_column(col: Column) -> None:
    """Add a per-task column (a plug-in's); it is written after the built-in ones.

    Give it a ``derive`` function, or have the engine fill it with
    ``RecordLog.set``; rows never set are NaN.  A call takes effect in this
    process and in the workers of its ``compare`` and ``sweep``
    (:mod:`offloadsim.experiments.carried_kinds`); a distribution declares the
    column under the :data:`ENTRY_POINT_GROUP` entry-point group instead, so
    that every process loads it on first use.
    """
    if col.dtype != "float64":
        raise ValueError(f"record column {col.name!r}: a plug-in column must be float64, not {col.dtype}")
    if any(c.name == col.name for c in task_columns()):
        raise ValueError(f"record column {col.name!r} is already declared")
    _added[col.name] = col


def unregister_task_column(name: str) -> None:
    """Remove a column added with :func:`register_task_column` (tests)."""
    _added.pop(name, None)


@contextmanager
def task_column_added(col: Column) -> Iterator[Column]:
    """Register ``col`` for the duration of a ``with`` block."""
    register_task_column(col)
    try:
        yield col
    finally:
        unregister_task_column(col.name)


def _names(columns: Sequence[Any]) -> tuple[str, ...]:
    return tuple(c.name for c in columns)


#: Column names, in file order; the LLM ones among them.
TASK_COLUMNS = _names(TASKS)
LLM_COLUMNS = ("ttft", "tpot", "prompt_tokens", "output_tokens", "kv_cache_bytes")
NODE_COLUMNS = _names(NODES)
LINK_COLUMNS = _names(LINKS)
LINK_CHANGE_COLUMNS = _names(LINK_CHANGES)
PROCESSOR_COLUMNS = _names(PROCESSORS)
STAGE_COLUMNS = _names(STAGES)


def placement_label(nodes: Sequence[str], handovers: Sequence[int], source: str) -> str:
    """The record's ``placement``: ``phone-3>edge``, with the cuts where ``split`` cannot give them.

    ``split`` (the layers run on the source) fixes the one cut of a plan that starts on the
    source and moves once; any other plan with a cut gives each cut after its node, counted as
    ``split`` counts (the layers before it): ``edge-0:17>edge-1:24>edge-2`` runs layers 0-16
    on edge-0, 17-23 on edge-1 and the rest on edge-2.

    >>> placement_label(["phone-3", "edge"], [17], "phone-3"), placement_label(["edge"], [], "phone-3")
    ('phone-3>edge', 'edge')
    >>> placement_label(["edge-0", "edge-1", "edge-2"], [17, 24], "phone-3")
    'edge-0:17>edge-1:24>edge-2'
    """
    if len(nodes) < 2 or (len(nodes) == 2 and nodes[0] == source):
        return ">".join(nodes)
    return ">".join([*(f"{node}:{cut}" for node, cut in zip(nodes, handovers, strict=False)), nodes[-1]])


def placement_nodes(placement: str) -> list[str]:
    """The nodes of a record's ``placement``, in order, without its cuts.

    >>> placement_nodes("edge-0:17>edge-1:24>edge-2"), placement_nodes("phone-3>edge")
    (['edge-0', 'edge-1', 'edge-2'], ['phone-3', 'edge'])
    """
    return [part.partition(":")[0] for part in placement.split(">") if part]
