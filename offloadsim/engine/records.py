"""Per-task records, kept columnar while the run goes, spilled to disk in chunks, handed over as arrays.

Appending to typed arrays costs a few hundred nanoseconds a task and about
eight bytes a field; no pandas inside the event loop.  Strings are stored
as small integer codes into a per-column table.  Every :data:`CHUNK_ROWS`
records the log writes its buffers to one file in its spill directory and
starts again, so a run's memory does not grow with its number of tasks;
:class:`TaskRecords` reads the chunks back, a column or a chunk at a time.
"""

from __future__ import annotations

import struct
from array import array
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np

from offloadsim.engine.plugin_adapters import PluginColumn
from offloadsim.engine.plugin_faults import UnknownColumn
from offloadsim.records import schema
from offloadsim.records.spill import ArraysFile, SpilledTable

__all__ = [
    "CHUNK_ROWS",
    "FLOAT_COLUMNS",
    "STAGE_COLUMNS",
    "TASK_COLUMNS",
    "RawRun",
    "RecordLog",
    "StageLog",
    "StageRecords",
    "TaskRecords",
    "code_of",
]

#: Records kept in memory before the log writes them to its spill directory (one Parquet row group).
CHUNK_ROWS = 1 << 17

# Appended per task by the engine, in this order (Ledger.record); latency, deadline_met and
# the plan-derived columns are computed from these once, after the run.
FLOAT_COLUMNS = (
    "arrival",
    "start",
    "finish",
    "wait",
    "compute_time",
    "transfer_time",
    "bytes_sent",
    "deadline",
    "device_energy",
    "other_device_energy",
    "ttft",
    "tpot",
    "prompt_tokens",
    "output_tokens",
    "kv_cache_bytes",
    "device_compute_energy",
)
_STATUSES = schema.STATUSES
TASK_COLUMNS = schema.TASK_COLUMNS
STAGE_COLUMNS = schema.STAGE_COLUMNS
# Columns the log computes itself (from the plan table, the run, or others).
_COMPUTED = frozenset((
    "task_id", "app", "source", "source_group", "policy", "replication", "seed", "latency", "placement",
    "split", "deadline_met", "status", "raw_input_offloaded", "reason", "final_node",
))  # fmt: skip
_WIDTH: Final = len(FLOAT_COLUMNS)
#: One record's float columns as the bytes ``RecordLog.values`` holds them: appending a record with
#: ``values.frombytes(pack_row(...))`` takes a fifth of ``values.extend(floats)``'s time (which parses
#: each float alone).  Final: a C static in a build compiled by mypyc, as _WIDTH and _FLOAT_INDEX are.
pack_row: Final = struct.Struct(f"{_WIDTH}d").pack
_FLOAT_INDEX: Final = {name: i for i, name in enumerate(FLOAT_COLUMNS)}
# The integer columns a chunk holds besides the floats, with their dtypes.
_CODES = {"task_ids": np.int64, "plan_codes": np.int32, "status_codes": np.int8, "reason_codes": np.int32}
_PLAN_FIELDS = {"app": 0, "source": 1, "placement": 2}  # string columns fixed by the plan code
# The string columns a chunk holds as codes into a small table of labels (TaskRecords.codes).
_CODED = frozenset((*_PLAN_FIELDS, "source_group", "final_node", "status", "reason", "policy"))


class _Spilling:
    """What a log says of its chunks on disk, all kept by its :class:`SpilledTable` (``spill``)."""

    spill: SpilledTable

    @property
    def chunks(self) -> list[Path]:
        """The spilled chunk files, in order."""
        return self.spill.chunks

    @property
    def spill_dir(self) -> Path | None:
        """Where the chunks go (None while a temporary directory has not been needed yet)."""
        return self.spill.location

    def discard(self) -> None:
        """Remove the spilled chunks and their directory (the rows were written, or are not wanted)."""
        self.spill.discard()


class RecordLog(_Spilling):
    """Append-only columnar store of finished (or cut-off) tasks.

    Per task it keeps the times and sizes, a status code, and the index of
    the compiled plan the task ran (which fixes its app, source, placement,
    split and privacy flag); everything else is derived in :meth:`records`.
    Rows are numbered from 0 over the whole run; the buffers hold the rows
    from :attr:`base` on.  :meth:`flush` (the ledger calls it every
    ``chunk_rows`` records) writes the buffers to ``spill_dir`` (a temporary
    directory when ``None``, made on the first flush) and empties them;
    values changed after their row was written (:meth:`add`, :meth:`set`)
    are kept as ordered changes and applied when the chunk is read back.
    """

    def __init__(self, spill_dir: Path | None = None, chunk_rows: int | None = None) -> None:
        # The float columns, a record's values after the last one's in ``FLOAT_COLUMNS`` order: the
        # ledger appends a record with one ``frombytes`` of ``pack_row``.
        self.values = array("d")
        # Declared columns the engine does not append per task: set by buffer index when known, else NaN.
        self.sparse: dict[str, dict[int, float]] = {}
        self.task_ids = array("q")
        self.plan_codes = array("i")
        self.status_codes = array("b")
        self.reason_codes = array("i")
        self.reasons: dict[str, int] = {"": 0}  # why a task was dropped or failed, by code
        # (app, source, placement, split, raw_input_offloaded) per plan code
        self.plans: list[tuple[str, str, str, int, bool]] = []
        self._plan_codes: dict[tuple[str, str, str, int, bool], int] = {}
        self.base = 0  # the row number of the buffers' first row
        self.chunk_rows = CHUNK_ROWS if chunk_rows is None else max(1, int(chunk_rows))
        self.spill = SpilledTable(spill_dir, prefix="offloadsim-records-")  # the chunks, in row order
        # Changes to spilled rows, in the order made: column -> row -> [(add?, value), ...]
        self.late: dict[str, dict[int, list[tuple[bool, float]]]] = {}

    def add_plan(self, app: str, source: str, placement: str, split: int, raw_input_offloaded: bool) -> int:
        """The code of a compiled plan's record fields (the same fields, compiled again, share it)."""
        fields = (app, source, placement, split, raw_input_offloaded)
        code = self._plan_codes.get(fields)
        if code is None:
            code = self._plan_codes[fields] = len(self.plans)
            self.plans.append(fields)
        return code

    @staticmethod
    def status_code(status: str) -> int:
        """The code of a status string."""
        return _STATUSES.index(status)

    def reason_code(self, reason: str) -> int:
        """The code of a drop or failure reason ("" for none), registered on first use."""
        return code_of(self.reasons, reason)

    def set(self, name: str, row: int, value: float) -> None:
        """Set column ``name`` (declared in the schema, not appended per task) of record ``row``.

        ``row`` is the task's ``row`` once recorded; rows never set are NaN.
        """
        if name not in self.sparse:
            settable = {c.name for c in schema.task_columns()} - _COMPUTED - _FLOAT_INDEX.keys()
            if name not in settable:
                raise KeyError(f"{name!r} is not a record column the log can set (see records.schema)")
            self.sparse[name] = {}
        if row >= self.base:
            self.sparse[name][row - self.base] = value
        else:
            self.late.setdefault(name, {}).setdefault(row, []).append((False, value))

    def add(self, name: str, row: int, value: float) -> None:
        """Add ``value`` to float column ``name`` of record ``row`` (energy charged after a task ended)."""
        if row >= self.base:
            self.values[(row - self.base) * _WIDTH + _FLOAT_INDEX[name]] += value
        else:
            self.late.setdefault(name, {}).setdefault(row, []).append((True, value))

    def __len__(self) -> int:
        return self.base + len(self.task_ids)

    def flush(self) -> None:
        """Write the buffered records to the spill directory as one chunk, and empty the buffers."""
        n = len(self.task_ids)
        if not n:
            return
        arrays = _float_columns(self.values, n)
        for name, dtype in _CODES.items():
            arrays[f"c.{name}"] = np.frombuffer(getattr(self, name), dtype=dtype)
        for name, values in self.sparse.items():
            arrays[f"s.{name}"] = _sparse_column(values, n, name)
        self.spill.append_arrays(arrays)
        del arrays
        del self.values[:]
        for name in _CODES:
            del getattr(self, name)[:]
        for sparse in self.sparse.values():
            sparse.clear()
        self.base += n

    def records(self, policy: str, replication: int, seed: int) -> TaskRecords:
        """Every record, spilled and buffered, as read-only columns (see :class:`TaskRecords`)."""
        return TaskRecords(self, policy, replication, seed)

    def columns(self, policy: str, replication: int, seed: int) -> dict[str, np.ndarray]:
        """All columns as numpy arrays, in the schema's order (plug-in columns last)."""
        return dict(self.records(policy, replication, seed).items())


def code_of(codes: dict[str, int], label: str) -> int:
    """``label``'s code in ``codes`` (label -> code, numbered in order of first use), registered if new."""
    code = codes.get(label)
    if code is None:
        code = codes[label] = len(codes)
    return code


def _missing(name: str) -> float:
    """The value of rows never set of column ``name`` (its declared ``missing``; NaN by default)."""
    col = schema.column(name)
    return col.missing if col is not None else float("nan")


def _sparse_column(values: Mapping[int, float], n: int, name: str) -> np.ndarray:
    column = np.full(n, _missing(name))
    if values:
        column[list(values)] = list(values.values())
    return column


class _Block(Mapping[str, np.ndarray]):
    """One chunk of records: its raw arrays, and each column decoded on first use."""

    def __init__(self, raw: Mapping[str, np.ndarray], records: TaskRecords) -> None:
        self.raw = raw
        self.records = records
        self.n = int(getattr(raw, "n", None) or len(raw["c.task_ids"]))
        self._done: dict[str, np.ndarray] = {}
        self._deriving = 0  # how many plug-in columns' derives are running (one may read another)

    def __getitem__(self, name: str) -> np.ndarray:
        value = self._done.get(name)
        if value is None:
            if self._deriving and name not in self.records.names:
                # Not in the schema at all (a typo): not NaN, as a column this run does not record is.
                raise UnknownColumn(name)
            value = self._done[name] = self._decode(name)
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self.records.names)

    def __len__(self) -> int:
        return len(self.records.names)

    def _decode(self, name: str) -> np.ndarray:
        raw, rec, n = self.raw, self.records, self.n
        if f"f.{name}" in raw:
            return raw[f"f.{name}"]
        if name in rec.extra:
            return np.asarray(rec.extra[name](self))
        if name == "task_id":
            return raw["c.task_ids"]
        if name == "latency":
            return self["finish"] - self["arrival"]
        if name == "deadline_met":
            deadline, latency = self["deadline"], self["latency"]
            done = raw["c.status_codes"] == _STATUSES.index("completed")
            with np.errstate(invalid="ignore"):
                return np.where(np.isnan(deadline), np.nan, (done & (latency <= deadline)).astype(float))
        if name in _CODED:
            codes, labels = self.codes(name)
            return np.array(labels, dtype=object)[codes] if n else np.empty(0, dtype=object)
        if name == "replication":
            return np.full(n, rec.replication, dtype=np.int64)
        if name == "seed":
            return np.full(n, rec.seed, dtype=np.int64)
        if name == "split":
            return np.array([p[3] for p in rec.plans] or [0], dtype=np.int64)[self.raw["c.plan_codes"]]
        if name == "raw_input_offloaded":
            raws = np.array([p[4] for p in rec.plans] or [False], dtype=object).astype(np.float64)
            return raws[self.raw["c.plan_codes"]]  # the plans' flags as floats, then one per task
        if f"s.{name}" in raw:
            return raw[f"s.{name}"]
        derive = rec.derives.get(name)  # a plug-in's column, through its checking adapter
        if derive is not None:
            self._deriving += 1
            try:
                column: np.ndarray = derive.values(self, n)
            finally:
                self._deriving -= 1
            return column
        return np.full(n, _missing(name))

    def codes(self, name: str) -> tuple[np.ndarray, list[str]]:
        """A string column as integer codes into a small table of labels (the column's values)."""
        raw, rec = self.raw, self.records
        if name in _PLAN_FIELDS:
            index = _PLAN_FIELDS[name]
            return raw["c.plan_codes"], [str(p[index]) for p in rec.plans] or [""]
        if name == "source_group":  # the scenario's group of its source, fixed by the plan as the source is
            groups = rec.groups
            return raw["c.plan_codes"], [groups.get(str(p[1]), str(p[1])) for p in rec.plans] or [""]
        if name == "final_node":  # where its last part ran: the placement's last node
            return raw["c.plan_codes"], [str(p[2]).rpartition(">")[2] for p in rec.plans] or [""]
        if name == "status":
            return raw["c.status_codes"], list(_STATUSES)
        if name == "reason":
            return raw["c.reason_codes"], rec.reasons
        if name == "policy":
            return np.zeros(self.n, dtype=np.int8), [rec.policy]
        raise KeyError(name)


class TaskRecords(Mapping[str, np.ndarray]):
    """A run's per-task records: a read-only mapping of column name to numpy array, in file order.

    ``records[name]`` reads one whole column (every chunk, spilled ones from
    disk); :meth:`blocks` goes a chunk at a time, for writing and
    summaries that need not hold everything; :attr:`rows` is the number of
    records.  Integers are int64, strings object arrays, ``deadline_met``
    float (NaN: no deadline), the rest float64.
    """

    #: The string columns :meth:`codes` gives as codes (the others it refuses with a KeyError).
    coded: frozenset[str] = _CODED

    def __init__(self, log: RecordLog, policy: str, replication: int, seed: int) -> None:
        self.log = log
        self.policy = policy
        self.replication = replication
        self.seed = seed
        columns = schema.task_columns()
        self.names = tuple(c.name for c in columns)
        # Each plug-in column with a derive, wrapped once in its checking adapter (PluginColumn); Any:
        # compiled by mypyc, what it hands back is read as the adapter's, not checked again here.
        derived = [c for c in columns if c.derive is not None]
        self.derives: dict[str, Any] = {c.name: PluginColumn(c, self.names) for c in derived}
        self.plans = log.plans
        self.reasons = list(log.reasons)
        # Each source node's group (the scenario's ``nodes`` key it came from), set by the engine once
        # the run is over; a node not in it (a log filled by hand) is its own group.
        self.groups: Mapping[str, str] = {}
        # Columns the run computes from others once it is over, row by row (a chunk at a time).
        self.extra: dict[str, Callable[[Mapping[str, np.ndarray]], np.ndarray]] = {}

    @property
    def rows(self) -> int:
        """How many records there are."""
        return len(self.log)

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in self.names:
            raise KeyError(name)
        parts = [block[name] for block in self.blocks()]
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)

    def codes(self, name: str) -> tuple[np.ndarray, list[str]]:
        """A string column backed by codes (app, source, placement, status, reason, policy): codes, labels."""
        parts = [block.codes(name) for block in self.blocks()]
        labels = parts[-1][1] if parts else list(_STATUSES) if name == "status" else []
        return (np.concatenate([p[0] for p in parts]) if parts else np.empty(0, np.int8)), labels

    def blocks(self) -> Iterator[_Block]:
        """The records a chunk at a time (spilled chunks read back, with later changes applied)."""
        log = self.log
        start = 0
        for path in log.chunks:
            spilled = _Spilled(path, start, log.late)
            start += spilled.n
            yield _Block(spilled, self)
        if len(log.task_ids) or not log.chunks:
            yield _Block(_buffered(log), self)


class _Spilled(Mapping[str, np.ndarray]):
    """A spilled chunk's raw arrays, each read from its file when first asked for.

    Changes made to its rows after it was written are applied on reading,
    in the order they were made, so every value is the one the buffers
    would have held.
    """

    def __init__(
        self, path: Path, start: int, late: Mapping[str, Mapping[int, list[tuple[bool, float]]]]
    ) -> None:
        self.path = path
        self.start = start
        self.late = late
        self.stored = ArraysFile(path)
        self.n = self.stored.shape("c.task_ids")[0]
        self.keys_ = set(self.stored.files)
        self.keys_ |= {f"s.{name}" for name in late if f"f.{name}" not in self.keys_}
        self._loaded: dict[str, np.ndarray] = {}

    def __getitem__(self, key: str) -> np.ndarray:
        value = self._loaded.get(key)
        if value is not None:
            return value
        if key not in self.keys_:
            raise KeyError(key)
        value = self.stored[key] if key in self.stored else np.full(self.n, _missing(key[2:]))
        changes = self.late.get(key[2:]) if key[:2] in ("f.", "s.") else None
        if changes:
            lo, hi = self.start, self.start + self.n
            for row, steps in changes.items():
                if lo <= row < hi:
                    current = value[row - lo]
                    for is_add, amount in steps:
                        current = current + amount if is_add else amount
                    value[row - lo] = current
        self._loaded[key] = value
        return value

    def __contains__(self, key: object) -> bool:
        return key in self.keys_  # without reading the array (Mapping's would)

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys_)

    def __len__(self) -> int:
        return len(self.keys_)


def _float_columns(values: array, n: int) -> dict[str, np.ndarray]:
    """The float columns of ``n`` records held a record after another in ``values``, each contiguous.

    Copies, so that no view holds the log's buffer (it is emptied or appended to next).  The
    records are turned into columns :data:`_TRANSPOSE_ROWS` at a time, a block that stays in the
    second-level cache: a column copied out of all ``n`` records at once reads every cache line of
    the buffer, a fourteenth of each used, and the chunk's columns took three to four times as
    long that way (issue 12).
    """
    if not n:
        return {f"f.{name}": np.empty(0) for name in FLOAT_COLUMNS}
    rows = np.frombuffer(values, dtype=np.float64).reshape(n, _WIDTH)
    columns = np.empty((_WIDTH, n))
    for lo in range(0, n, _TRANSPOSE_ROWS):
        columns[:, lo : lo + _TRANSPOSE_ROWS] = rows[lo : lo + _TRANSPOSE_ROWS].T
    del rows  # no view of the buffer outlives this call
    return {f"f.{name}": columns[index] for index, name in enumerate(FLOAT_COLUMNS)}


_TRANSPOSE_ROWS = 2048  # 2,048 records of 14 floats: 229 KiB, half this host's second-level cache


def _buffered(log: RecordLog) -> dict[str, np.ndarray]:
    """The buffered (not yet spilled) records as arrays (copies: the run may go on appending)."""
    n = len(log.task_ids)
    raw = _float_columns(log.values, n)
    for name, dtype in _CODES.items():
        values = getattr(log, name)
        raw[f"c.{name}"] = np.frombuffer(values, dtype=dtype).copy() if n else np.empty(0, dtype=dtype)
    for name, values in log.sparse.items():
        raw[f"s.{name}"] = _sparse_column(values, n, name)
    return raw


class StageLog(_Spilling):
    """Optional per-stage records (one row per compute stage or transfer), for timelines.

    ``submitted`` is when the stage was queued (equal to ``start`` for a
    transfer); ``where`` is the node, or ``a>b`` for a transfer hop, kept as
    a code into a table of places, and ``processor`` the node's processor a
    compute stage ran on ("" for a transfer), a code likewise; ``phase`` what the stage is for an
    LLM request (:data:`~offloadsim.records.schema.STAGE_PHASES`, "" for any other), a code into
    that fixed table.  Like :class:`RecordLog`, every
    ``chunk_rows`` stages are written to one file in ``spill_dir`` (a
    temporary directory when ``None``) and the buffers emptied, so recording
    stages does not make a run's memory grow with its length;
    :meth:`columns` reads them back.
    """

    def __init__(
        self, warmup_s: float = 0.0, spill_dir: Path | None = None, chunk_rows: int | None = None
    ) -> None:
        self.warmup_s = warmup_s  # stages of tasks that arrived during warm-up are not kept
        self.ids = array("q")
        self.times = {name: array("d") for name in _STAGE_TIMES}
        self.kind_codes = array("b")
        self.place_codes = array("i")
        self.processor_codes = array("i")
        self.phase_codes = array("b")
        self.kinds: dict[str, int] = {}  # kind -> code, registered on first use
        self.places: dict[str, int] = {}  # where -> code, registered on first use
        self.processors: dict[str, int] = {}  # processor name -> code, registered on first use
        self.chunk_rows = CHUNK_ROWS if chunk_rows is None else max(1, int(chunk_rows))
        self._room = self.chunk_rows  # stages until the next flush
        self.base = 0  # stages spilled before the buffers' first
        self.spill = SpilledTable(spill_dir, prefix="offloadsim-stages-", stem="stages")

    @classmethod
    def beside(cls, records: RecordLog, warmup_s: float = 0.0) -> StageLog:
        """A stage log spilling into a ``stages`` directory inside ``records``' (if it has one yet)."""
        where = records.spill_dir
        return cls(warmup_s, None if where is None else where / "stages")

    def add(
        self,
        task: Any,
        kind: str,
        where: str,
        submitted: float,
        start: float,
        end: float,
        size: float,
        processor: str = "",
        phase: str = "",
    ) -> None:
        """Append one finished stage of ``task`` (``processor``: the one a compute stage ran on).

        ``phase``: one of :data:`~offloadsim.records.schema.STAGE_PHASES` (an LLM request's stages).
        """
        if task.arrival < self.warmup_s:
            return
        self.ids.append(task.id)
        self.kind_codes.append(code_of(self.kinds, kind))
        self.place_codes.append(code_of(self.places, where))
        self.processor_codes.append(code_of(self.processors, processor))
        self.phase_codes.append(_PHASE_CODES[phase])
        times = self.times
        times["submitted"].append(submitted)
        times["start"].append(start)
        times["end"].append(end)
        times["bytes"].append(size)
        self._room -= 1
        if not self._room:
            self.flush()

    def __len__(self) -> int:
        return self.base + len(self.ids)

    def flush(self) -> None:
        """Write the buffered stages to the spill directory as one chunk, and empty the buffers."""
        self._room = self.chunk_rows
        n = len(self.ids)
        if not n:
            return
        self.spill.append_arrays(_stage_arrays(self))
        del self.ids[:], self.kind_codes[:], self.place_codes[:], self.processor_codes[:], self.phase_codes[:]
        for values in self.times.values():
            del values[:]
        self.base += n

    def columns(self) -> StageRecords:
        """The stages as read-only numpy columns in :data:`STAGE_COLUMNS` order: a :class:`StageRecords`."""
        return StageRecords(self)


_STAGE_TIMES = ("submitted", "start", "end", "bytes")
_STAGE_CODES = (
    ("kind", "kind_codes"),
    ("where", "place_codes"),
    ("processor", "processor_codes"),
    ("phase", "phase_codes"),
)
_PHASE_CODES: Final = {phase: code for code, phase in enumerate(schema.STAGE_PHASES)}


def _stage_arrays(log: StageLog) -> dict[str, np.ndarray]:
    """The buffered stages' raw arrays (copies: the log empties or appends to its buffers next)."""
    arrays = {"ids": np.array(log.ids, dtype=np.int64)}
    arrays["kind_codes"] = np.array(log.kind_codes, dtype=np.int8)
    arrays["place_codes"] = np.array(log.place_codes, dtype=np.int32)
    arrays["processor_codes"] = np.array(log.processor_codes, dtype=np.int32)
    arrays["phase_codes"] = np.array(log.phase_codes, dtype=np.int8)
    for name, values in log.times.items():
        arrays[name] = np.array(values, dtype=np.float64)
    return arrays


class StageRecords(Mapping[str, np.ndarray]):
    """A run's stages: a read-only mapping of column name to numpy array, in recording order.

    ``stages[name]`` reads one whole column (spilled chunks from disk);
    :meth:`blocks` goes a chunk at a time, for writing ``stages.parquet``
    with memory for one chunk.  ``kind``, ``where``, ``processor`` and ``phase`` are object
    arrays of strings; :meth:`blocks` can give them as codes into a table of labels.
    """

    def __init__(self, log: StageLog) -> None:
        self.log = log

    @property
    def rows(self) -> int:
        """How many stages there are."""
        return len(self.log)

    def __getitem__(self, name: str) -> np.ndarray:
        if name not in STAGE_COLUMNS:
            raise KeyError(name)
        parts = [block[name] for block in self.blocks()]
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def __iter__(self) -> Iterator[str]:
        return iter(STAGE_COLUMNS)

    def __len__(self) -> int:
        return len(STAGE_COLUMNS)

    def blocks(self, coded: Collection[str] = ()) -> Iterator[dict[str, Any]]:
        """The stages a chunk at a time (the last, buffered one too), every column of each.

        Those of ``kind``, ``where``, ``processor`` and ``phase`` named in ``coded`` as ``(codes, labels)``
        pairs, not strings.
        """
        log = self.log
        labels = {
            "kind": list(log.kinds),
            "where": list(log.places),
            "processor": list(log.processors),
            "phase": list(schema.STAGE_PHASES),
        }
        for raw in [*log.chunks, None]:
            if raw is None:
                if log.chunks and not len(log.ids):
                    return
                arrays = _stage_arrays(log)
            else:
                stored = ArraysFile(raw)
                arrays = {key: stored[key] for key in stored.files}
            block: dict[str, Any] = {"task_id": arrays["ids"]}
            for name, key in _STAGE_CODES:
                codes = arrays[key]
                if name in coded:
                    block[name] = (codes, labels[name])
                else:
                    table = np.array(labels[name] or [""], dtype=object)
                    block[name] = table[codes] if len(codes) else np.empty(0, dtype=object)
            for name in _STAGE_TIMES:
                block[name] = arrays[name]
            yield {name: block[name] for name in STAGE_COLUMNS}

    def discard(self) -> None:
        """Remove the spilled chunks (see :meth:`StageLog.discard`)."""
        self.log.discard()


@dataclass(eq=False)  # compared by identity: its arrays have no single truth value (start-up: issue 12 e)
class RawRun:
    """What one simulation hands to the results layer: plain arrays and lists, no pandas."""

    tasks: Mapping[str, np.ndarray]  # a TaskRecords from a simulation
    nodes: dict[str, list[Any]]
    links: dict[str, list[Any]]
    warmup_s: float
    duration_s: float
    end_s: float
    wall_s: float
    scenario_name: str
    policy_name: str
    seed: int
    replication: int
    counters: dict[str, int] = field(default_factory=dict)
    stages: Mapping[str, np.ndarray] | None = None  # a StageRecords from a simulation
    notes: tuple[str, ...] = ()  # how the run costed work, worth saying (a precision's fallback peak)
    #: Per application, the LLM requests after the warm-up cut to the context window (``ContextCuts``).
    context_cuts: tuple[dict[str, Any], ...] = ()
    #: The processors table's columns: every processor of every computing node (``processors.parquet``).
    processors: dict[str, list[Any]] = field(default_factory=dict)
    #: Those of ``notes`` on what only this run measured (processors after a node's first that computed,
    #: stages cut short that no task was told of), not its world's or policy's, nor the LLM cuts it
    #: counts in ``context_cuts``: ``compare`` and ``sweep`` carry them from each run.
    own_notes: tuple[str, ...] = ()
    #: Each ``(application, node, processor)`` whose processor computed in the measured time with a
    #: plan of that application's on it: what ``compare`` and ``sweep`` say a note on an
    #: application's layers on a processor of (the processors table counts every application alike).
    computed: tuple[tuple[str, ...], ...] = ()
    #: The registered record tables' rows (offloadsim.records.tables), by table: each started
    #: collector's columns (``link_changes``: when each link direction changed; none where the world
    #: never changes).
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: The tokens/s ceilings of the processors its LLM decode steps ran on at a profile's full memory
    #: bandwidth (``World.decode_ceilings``): its decode rate and time per token are printed as bounds.
    decode_ceilings: tuple[float, ...] = ()
    #: The (node, processor) pairs those decode steps ran on (``World.ceiling_decoders``): one busy all
    #: the measured time makes its output token throughput an upper bound.
    ceiling_decoders: tuple[tuple[str, str], ...] = ()
    #: Whether an LLM prefill ran compute-bound at a built-in profile's assumed efficiency
    #: (``World.prefill_at_efficiency``): its times to first token and latencies then rest on that
    #: efficiency, and are no bound a decode ceiling gives.
    prefill_at_efficiency: bool = False
    #: A composite policy's (``by-group``'s): each group of task sources -> the inner policy that
    #: decided its tasks, ``{"name", "params"}`` (``inner_policies.inner_of_groups``); {} for another.
    inner_policies: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def link_changes(self) -> dict[str, Any]:
        """When each link direction changed (``link_changes.parquet``): {} where the world never changes."""
        return self.tables.get("link_changes", {})
