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

__all__ = ["STAGE_COLUMNS", "TASK_COLUMNS", "RawRun", "RecordLog", "StageLog"]

_FLOAT = (
    "arrival",
    "start",
    "finish",
    "latency",
    "wait",
    "compute_time",
    "transfer_time",
    "bytes_sent",
    "deadline",
    "deadline_met",
    "device_energy",
    "raw_input_offloaded",
    "ttft",
    "tpot",
    "prompt_tokens",
    "output_tokens",
)
_INT = ("task_id", "split")
_CODED = ("app", "source", "placement", "status")

# The documented column order of a run's task table (DESIGN.md section 5).
TASK_COLUMNS = (
    "task_id",
    "app",
    "source",
    "policy",
    "replication",
    "seed",
    "arrival",
    "start",
    "finish",
    "latency",
    "wait",
    "compute_time",
    "transfer_time",
    "bytes_sent",
    "placement",
    "split",
    "deadline",
    "deadline_met",
    "status",
    "device_energy",
    "raw_input_offloaded",
    "ttft",
    "tpot",
    "prompt_tokens",
    "output_tokens",
)


class RecordLog:
    """Append-only columnar store of finished (or cut-off) tasks."""

    def __init__(self) -> None:
        self.floats = {name: array("d") for name in _FLOAT}
        self.ints = {name: array("q") for name in _INT}
        self.codes = {name: array("i") for name in _CODED}
        self.tables: dict[str, dict[str, int]] = {name: {} for name in _CODED}

    def code(self, column: str, value: str) -> int:
        """The integer code of ``value`` in a string column (added on first use)."""
        table = self.tables[column]
        code = table.get(value)
        if code is None:
            code = table[value] = len(table)
        return code

    def __len__(self) -> int:
        return len(self.ints["task_id"])

    def columns(self, policy: str, replication: int, seed: int) -> dict[str, np.ndarray]:
        """All columns as numpy arrays, in :data:`TASK_COLUMNS` order."""
        n = len(self)
        out: dict[str, np.ndarray] = {}
        for name in TASK_COLUMNS:
            if name in self.floats:
                out[name] = np.frombuffer(self.floats[name], dtype=np.float64).copy() if n else np.empty(0)
            elif name in self.ints:
                out[name] = (
                    np.frombuffer(self.ints[name], dtype=np.int64).copy() if n else np.empty(0, np.int64)
                )
            elif name in self.codes:
                names = np.array(list(self.tables[name]) or [""], dtype=object)
                codes = np.frombuffer(self.codes[name], dtype=np.int32) if n else np.empty(0, np.int32)
                out[name] = names[codes]
            elif name == "policy":
                out[name] = np.full(n, policy, dtype=object)
            elif name == "replication":
                out[name] = np.full(n, replication, dtype=np.int64)
            elif name == "seed":
                out[name] = np.full(n, seed, dtype=np.int64)
        return out


STAGE_COLUMNS = ("task_id", "kind", "where", "submitted", "start", "end", "bytes")


class StageLog:
    """Optional per-stage records (one row per compute stage or transfer), for timelines.

    ``submitted`` is when the stage was queued (equal to ``start`` for a
    transfer); ``where`` is the node, or ``a>b`` for a transfer hop.
    """

    def __init__(self) -> None:
        self.ids = array("q")
        self.times = {name: array("d") for name in ("submitted", "start", "end", "bytes")}
        self.kinds: list[str] = []
        self.places: list[str] = []

    def add(
        self, task: Any, kind: str, where: str, submitted: float, start: float, end: float, size: float
    ) -> None:
        """Append one finished stage of ``task``."""
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
