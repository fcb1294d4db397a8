"""Per-task records, kept columnar while the run goes and handed over as arrays at the end.

Appending to typed arrays costs a few hundred nanoseconds a task and about
eight bytes a field; no pandas inside the event loop.  Strings are stored
as small integer codes into a per-column table.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from offloadsim.records import schema

__all__ = ["STAGE_COLUMNS", "TASK_COLUMNS", "RawRun", "RecordLog", "StageLog"]

# Appended per task by the engine, in this order (Ledger.record); latency, deadline_met and
# the plan-derived columns are computed from these once, after the run.
_FLOAT = (
    "arrival",
    "start",
    "finish",
    "wait",
    "compute_time",
    "transfer_time",
    "bytes_sent",
    "deadline",
    "device_energy",
    "ttft",
    "tpot",
    "prompt_tokens",
    "output_tokens",
    "kv_cache_bytes",
)
_STATUSES = schema.STATUSES
TASK_COLUMNS = schema.TASK_COLUMNS
STAGE_COLUMNS = schema.STAGE_COLUMNS
# Columns the log computes itself in RecordLog.columns (from the plan table, the run, or others).
_COMPUTED = frozenset((
    "task_id", "app", "source", "policy", "replication", "seed", "latency", "placement", "split",
    "deadline_met", "status", "raw_input_offloaded", "reason", "final_node",
))  # fmt: skip


class RecordLog:
    """Append-only columnar store of finished (or cut-off) tasks.

    Per task it keeps the times and sizes, a status code, and the index of
    the compiled plan the task ran (which fixes its app, source, placement,
    split and privacy flag); everything else is derived in :meth:`columns`.
    """

    def __init__(self) -> None:
        self.floats = {name: array("d") for name in _FLOAT}
        # Declared columns the engine does not append per task: set by row when known, else NaN.
        self.sparse: dict[str, dict[int, float]] = {}
        self.task_ids = array("q")
        self.plan_codes = array("i")
        self.status_codes = array("b")
        self.reason_codes = array("i")
        self.reasons: dict[str, int] = {"": 0}  # why a task was dropped or failed, by code
        # (app, source, placement, split, raw_input_offloaded) per plan code
        self.plans: list[tuple[str, str, str, int, bool]] = []
        self._plan_codes: dict[tuple[str, str, str, int, bool], int] = {}

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
        code = self.reasons.get(reason)
        if code is None:
            code = self.reasons[reason] = len(self.reasons)
        return code

    def set(self, name: str, row: int, value: float) -> None:
        """Set column ``name`` (declared in the schema, not appended per task) of record ``row``.

        ``row`` is the task's ``row`` once recorded; rows never set are NaN.
        """
        values = self.sparse.get(name)
        if values is None:
            settable = {c.name for c in schema.task_columns()} - _COMPUTED - self.floats.keys()
            if name not in settable:
                raise KeyError(f"{name!r} is not a record column the log can set (see records.schema)")
            values = self.sparse[name] = {}
        values[row] = value

    def __len__(self) -> int:
        return len(self.task_ids)

    def columns(self, policy: str, replication: int, seed: int) -> dict[str, np.ndarray]:
        """All columns as numpy arrays, in the schema's order (plug-in columns last)."""
        n = len(self)
        floats = {
            name: np.frombuffer(values, dtype=np.float64).copy() for name, values in self.floats.items()
        }
        plan = np.frombuffer(self.plan_codes, dtype=np.int32) if n else np.empty(0, np.int32)
        status = (
            np.array(_STATUSES, dtype=object)[np.frombuffer(self.status_codes, dtype=np.int8)]
            if n
            else (np.empty(0, dtype=object))
        )
        table = self.plans or [("", "", "", 0, False)]
        apps, sources, placements, splits, raws = (
            np.array(field, dtype=object) for field in zip(*table, strict=True)
        )
        latency = floats["finish"] - floats["arrival"]
        deadline = floats["deadline"]
        with np.errstate(invalid="ignore"):
            met = np.where(
                np.isnan(deadline), np.nan, ((status == "completed") & (latency <= deadline)).astype(float)
            )
        finals = np.array([placed.rpartition(">")[2] for placed in placements], dtype=object)
        reasons = np.array(list(self.reasons), dtype=object)
        reason = reasons[np.frombuffer(self.reason_codes, dtype=np.int32)] if n else np.empty(0, dtype=object)
        derived = {
            "task_id": np.frombuffer(self.task_ids, dtype=np.int64).copy() if n else np.empty(0, np.int64),
            "app": apps[plan],
            "source": sources[plan],
            "policy": np.full(n, policy, dtype=object),
            "replication": np.full(n, replication, dtype=np.int64),
            "seed": np.full(n, seed, dtype=np.int64),
            "latency": latency,
            "placement": placements[plan],
            "split": splits[plan].astype(np.int64),
            "deadline_met": met,
            "status": status,
            "raw_input_offloaded": raws[plan].astype(np.float64),
            "reason": reason,
            "final_node": finals[plan],
        }
        missing = {col.name: col.missing for col in schema.task_columns()}
        for name, values in self.sparse.items():
            column = np.full(n, missing[name])
            column[list(values)] = list(values.values())
            derived[name] = column
        out: dict[str, np.ndarray] = {}
        for col in schema.task_columns():
            name = col.name
            if name in derived:
                out[name] = derived[name]
            elif name in floats:
                out[name] = floats[name]
            elif col.derive is not None:
                out[name] = np.asarray(col.derive({**out, **floats, **derived}), dtype=np.float64)
            else:
                out[name] = np.full(n, col.missing)
        return out


class StageLog:
    """Optional per-stage records (one row per compute stage or transfer), for timelines.

    ``submitted`` is when the stage was queued (equal to ``start`` for a
    transfer); ``where`` is the node, or ``a>b`` for a transfer hop.
    """

    def __init__(self, warmup_s: float = 0.0) -> None:
        self.warmup_s = warmup_s  # stages of tasks that arrived during warm-up are not kept
        self.ids = array("q")
        self.times = {name: array("d") for name in ("submitted", "start", "end", "bytes")}
        self.kinds: list[str] = []
        self.places: list[str] = []

    def add(
        self, task: Any, kind: str, where: str, submitted: float, start: float, end: float, size: float
    ) -> None:
        """Append one finished stage of ``task``."""
        if task.arrival < self.warmup_s:
            return
        self.ids.append(task.id)
        self.kinds.append(kind)
        self.places.append(where)
        times = self.times
        times["submitted"].append(submitted)
        times["start"].append(start)
        times["end"].append(end)
        times["bytes"].append(size)

    def columns(self) -> dict[str, np.ndarray]:
        """The stages as numpy columns, in :data:`STAGE_COLUMNS` order."""
        out: dict[str, np.ndarray] = {"task_id": np.array(self.ids, dtype=np.int64)}
        out["kind"] = np.array(self.kinds, dtype=object)
        out["where"] = np.array(self.places, dtype=object)
        for name, values in self.times.items():
            out[name] = np.array(values, dtype=np.float64)
        return {name: out[name] for name in STAGE_COLUMNS}


@dataclass
class RawRun:
    """What one simulation hands to the results layer: plain arrays and lists, no pandas."""

    tasks: dict[str, np.ndarray]
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
    stages: dict[str, np.ndarray] | None = None
    notes: tuple[str, ...] = ()  # how the run costed work, worth saying (a precision's fallback peak)
