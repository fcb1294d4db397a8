"""A run's results: the records as DataFrames, its summary and manifest, on disk and back.

:class:`RunResult` is built once from the engine's columnar :class:`RawRun`
after the run (no pandas inside the event loop).  :func:`write_run` writes a
run directory atomically: every file goes into a hidden sibling directory
that is renamed into place only when complete, so a reader never sees a
half-written result.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import platform
import shlex
import shutil
import socket
import sys
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from offloadsim.metrics import Summary, summarize

if TYPE_CHECKING:
    from offloadsim.engine.records import RawRun
    from offloadsim.scenario.model import PolicySpec, Scenario

__all__ = [
    "TASK_COLUMNS",
    "LLM_COLUMNS",
    "NODE_COLUMNS",
    "LINK_COLUMNS",
    "STATUSES",
    "RUN_FILES",
    "ResultsError",
    "RunResult",
    "scenario_hash",
    "tasks_frame",
    "nodes_frame",
    "links_frame",
    "check_out_dir",
    "write_run",
    "read_run",
]

#: Per-task record columns, in order (DESIGN.md section 5); LLM columns follow when present.
TASK_COLUMNS = (
    "task_id", "app", "source", "policy", "replication", "seed",
    "arrival", "start", "finish", "latency", "wait", "compute_time", "transfer_time",
    "bytes_sent", "placement", "split", "deadline", "deadline_met", "status",
    "device_energy", "raw_input_offloaded",
)  # fmt: skip
LLM_COLUMNS = ("ttft", "tpot", "prompt_tokens", "output_tokens", "kv_cache_bytes")
NODE_COLUMNS = ("node", "tier", "processor", "cores", "busy_s", "utilisation", "stages_completed", "energy_j")
LINK_COLUMNS = ("a", "b", "bytes", "busy_s", "utilisation")
STATUSES = ("completed", "dropped", "failed", "in_flight")
#: The files of a run directory.
RUN_FILES = (
    "tasks.parquet",
    "nodes.parquet",
    "links.parquet",
    "summary.json",
    "summary.txt",
    "manifest.json",
)

_INT_COLUMNS = frozenset(("task_id", "replication", "seed", "split", "cores", "stages_completed"))
_CATEGORY_COLUMNS = frozenset(("app", "source", "policy", "placement", "status", "tier"))
_STRING_COLUMNS = frozenset(("node", "processor", "a", "b"))
_FLOAT_COLUMNS = frozenset((*TASK_COLUMNS, *LLM_COLUMNS, *NODE_COLUMNS, *LINK_COLUMNS)) - (
    _INT_COLUMNS | _CATEGORY_COLUMNS | _STRING_COLUMNS | {"deadline_met"}
)
_FORMAT = "offloadsim-run/1"


class ResultsError(Exception):
    """A run directory cannot be written or read (exists, unwritable, incomplete); message is one line."""


# --------------------------------------------------------------------------- frames


def tasks_frame(columns: Mapping[str, Any]) -> pd.DataFrame:
    """Build the per-task DataFrame, in the documented column order with the documented dtypes.

    Integers are int64, strings categorical (``status`` with all four
    categories), ``deadline_met`` nullable boolean, the rest float64.
    Unknown columns are kept, after the known ones.
    """
    order = [c for c in (*TASK_COLUMNS, *LLM_COLUMNS) if c in columns]
    order += [c for c in columns if c not in order]
    data = {name: _column(name, columns[name]) for name in order}
    return pd.DataFrame(data, columns=order)


def nodes_frame(columns: Mapping[str, Any]) -> pd.DataFrame:
    """Build the per-node DataFrame (one row per node) with the documented dtypes."""
    return _frame(columns, NODE_COLUMNS)


def links_frame(columns: Mapping[str, Any]) -> pd.DataFrame:
    """Build the per-link-direction DataFrame (one row per direction ``a -> b``)."""
    return _frame(columns, LINK_COLUMNS)


def _frame(columns: Mapping[str, Any], known: Sequence[str]) -> pd.DataFrame:
    order = [c for c in known if c in columns] + [c for c in columns if c not in known]
    return pd.DataFrame({name: _column(name, columns[name]) for name in order}, columns=order)


def _column(name: str, values: Any) -> Any:
    """One column with its documented dtype (values: array, list or Series); unknown ones as given."""
    if name in _CATEGORY_COLUMNS:
        # pandas factorises in C; a Python loop over a million strings costs half a second.
        factorised = pd.Categorical(np.asarray(values, dtype=object))
        if any(not isinstance(c, str) for c in factorised.categories):
            factorised = factorised.rename_categories({c: str(c) for c in factorised.categories})
        categories = STATUSES if name == "status" else sorted(factorised.categories)
        return factorised.set_categories(pd.Index(list(categories), dtype=object).astype(str))
    if name in _STRING_COLUMNS:
        return pd.Series(
            [None if _missing(v) else str(v) for v in np.asarray(values, dtype=object)], dtype=object
        )
    if name in _INT_COLUMNS:
        series = pd.Series(values).reset_index(drop=True)
        return series.astype("Int64") if series.isna().any() else series.to_numpy(dtype=np.int64)
    if name == "deadline_met":
        floats = pd.to_numeric(pd.Series(values).astype("Float64"), errors="coerce")
        return pd.array(floats.to_numpy(dtype=float, na_value=np.nan), dtype="Float64").astype("boolean")
    if name in _FLOAT_COLUMNS:
        return pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=np.float64)
    return pd.Series(values).reset_index(drop=True)


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


# --------------------------------------------------------------------------- result


def scenario_hash(document: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the canonical JSON of a scenario document (sorted keys, no spaces)."""
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(repr=False)
class RunResult:
    """One run: per-task, per-node and per-link records, a summary and a manifest.

    ``path`` is the run directory once written or when read back.
    """

    tasks: pd.DataFrame
    nodes: pd.DataFrame
    links: pd.DataFrame
    summary: Summary
    manifest: dict[str, Any]
    path: Path | None = None
    stages: pd.DataFrame | None = None  # one row per compute stage / transfer, when recorded

    def __repr__(self) -> str:
        where = f", path={str(self.path)!r}" if self.path else ""
        return f"RunResult({self.title!r}, tasks={len(self.tasks)}{where})"

    @property
    def title(self) -> str:
        """One line naming the run: scenario, policy, seed, replication, measured time."""
        m = self.manifest
        policy = (m.get("policy") or {}).get("name", "?")
        return (
            f"{m.get('scenario', '?')}: policy {policy}, seed {m.get('seed', '?')}, "
            f"replication {m.get('replication', 0)}, {self.summary.duration_s:g} s measured"
        )

    @classmethod
    def from_raw(
        cls,
        raw: RawRun,
        scenario: Scenario,
        *,
        policy: PolicySpec | None = None,
        started_utc: _dt.datetime | None = None,
        command: Sequence[str] | None = None,
    ) -> RunResult:
        """Build the result of a finished run: DataFrames, summary and manifest.

        ``policy`` is the policy spec that was run (default: the scenario's
        when its name matches ``raw.policy_name``); ``started_utc`` the wall
        clock start (default: now minus the run's wall time); ``command`` the
        command line (default ``sys.argv``).
        """
        tasks = tasks_frame(raw.tasks)
        nodes = nodes_frame(raw.nodes)
        links = links_frame(raw.links)
        summary = summarize(tasks, nodes, links, raw.duration_s, end_s=raw.end_s)
        if policy is None or policy.name != raw.policy_name:
            params = dict(scenario.policy.params) if scenario.policy.name == raw.policy_name else {}
        else:
            params = dict(policy.params)
        if started_utc is None:
            started_utc = _dt.datetime.now(_dt.UTC) - _dt.timedelta(seconds=raw.wall_s)
        manifest = {
            "format": _FORMAT,
            "scenario": raw.scenario_name,
            "scenario_file": scenario.source,
            "scenario_hash": scenario_hash(scenario.document),
            "seed": int(raw.seed),
            "replication": int(raw.replication),
            "policy": {"name": raw.policy_name, "params": params},
            "warmup_s": float(raw.warmup_s),
            "duration_s": float(raw.duration_s),
            "end_s": float(raw.end_s),
            "tasks": len(tasks),
            "offloadsim_version": _package_version(),
            "python_version": platform.python_version(),
            "platform": platform.platform(),
            "host": socket.gethostname(),
            "started_utc": started_utc.astimezone(_dt.UTC).isoformat(timespec="seconds"),
            "wall_s": float(raw.wall_s),
            "command": shlex.join(sys.argv if command is None else command),
            "notes": list(raw.notes),
        }
        stages = None
        if raw.stages is not None:
            stages = pd.DataFrame(raw.stages)
            stages["kind"] = pd.Categorical(stages["kind"], categories=["compute", "transfer"])
        return cls(tasks=tasks, nodes=nodes, links=links, summary=summary, manifest=manifest, stages=stages)


def _package_version() -> str:
    from offloadsim._version import __version__

    return __version__


# --------------------------------------------------------------------------- writing


def check_out_dir(out_dir: str | Path, overwrite: bool = False) -> Path:
    """Check that a run can be written to ``out_dir``; return it as a Path.

    Raises :class:`ResultsError` if it is a file, a non-empty directory
    (unless ``overwrite``), or lies under a directory we cannot write.  Call
    it before a long run to fail fast; :func:`write_run` checks again.
    """
    out = Path(out_dir)
    if out.exists() or out.is_symlink():
        if not out.is_dir():
            raise ResultsError(f"output path {out} exists and is not a directory")
        if not overwrite and any(out.iterdir()):
            raise ResultsError(
                f"output directory {out} already exists and is not empty (use --overwrite to replace it)"
            )
    ancestor = out.parent.absolute()
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise ResultsError(f"cannot write results to {out}: {ancestor} is not a directory")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise ResultsError(f"cannot write results to {out}: {ancestor} is not writable")
    return out


def write_run(result: RunResult, out_dir: str | Path, *, overwrite: bool = False) -> Path:
    """Write ``result`` to ``out_dir`` atomically (see :func:`write_directory`) and return the directory.

    Files: ``tasks.parquet``, ``nodes.parquet``, ``links.parquet``,
    ``summary.json``, ``summary.txt``, ``manifest.json`` (and
    ``stages.parquet`` when stages were recorded).  Sets ``result.path``.
    """
    out = write_directory(out_dir, lambda tmp: _write_files(result, tmp), overwrite=overwrite)
    result.path = out
    return out


def write_directory(out_dir: str | Path, fill: Callable[[Path], None], *, overwrite: bool = False) -> Path:
    """Create ``out_dir`` with what ``fill(tmp)`` writes into a temporary directory, all or nothing.

    Everything is written into a hidden temporary sibling directory first,
    then renamed into place.  An existing non-empty ``out_dir`` is an error
    unless ``overwrite``, in which case it is replaced only after the new one
    is complete.  On any failure (or Ctrl-C) nothing is left behind: no
    partial directory, no temporary one, and ``out_dir`` is as it was.
    """
    out = check_out_dir(out_dir, overwrite)
    created = _missing_ancestors(out.parent)
    tmp: Path | None = None
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.parent / f".{out.name}.partial-{uuid.uuid4().hex[:12]}"
        tmp.mkdir()  # not mkdtemp: the run directory should get the usual (umask) permissions
        fill(tmp)
        _move_into_place(tmp, out, overwrite)
        tmp = None
    except BaseException as exc:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        for directory in created:  # deepest first; only those still empty
            try:
                directory.rmdir()
            except OSError:
                break
        if isinstance(exc, OSError):
            raise ResultsError(f"cannot write results to {out}: {exc.strerror or exc}") from exc
        raise
    return out


def _missing_ancestors(directory: Path) -> list[Path]:
    """``directory`` and its parents that do not exist yet, deepest first."""
    missing = []
    current = directory.absolute()
    while not current.exists():
        missing.append(current)
        current = current.parent
    return missing


def _write_files(result: RunResult, directory: Path) -> None:
    result.tasks.to_parquet(directory / "tasks.parquet", index=False)
    result.nodes.to_parquet(directory / "nodes.parquet", index=False)
    result.links.to_parquet(directory / "links.parquet", index=False)
    if result.stages is not None:
        result.stages.to_parquet(directory / "stages.parquet", index=False)
    _write_text(directory / "summary.json", json.dumps(result.summary.to_dict(), indent=2) + "\n")
    _write_text(directory / "summary.txt", result.summary.format_table(result.title) + "\n")
    _write_text(directory / "manifest.json", json.dumps(result.manifest, indent=2, default=str) + "\n")


def _write_text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def _move_into_place(tmp: Path, out: Path, overwrite: bool) -> None:
    """Rename the finished ``tmp`` to ``out``, replacing an old ``out`` only if allowed."""
    if not out.exists():
        os.rename(tmp, out)
        return
    if not any(out.iterdir()):
        out.rmdir()
        os.rename(tmp, out)
        return
    if not overwrite:
        raise ResultsError(
            f"output directory {out} already exists and is not empty (use --overwrite to replace it)"
        )
    backup = out.parent / f".{out.name}.old-{uuid.uuid4().hex[:8]}"
    os.rename(out, backup)
    try:
        os.rename(tmp, out)
    except BaseException:
        os.rename(backup, out)
        raise
    shutil.rmtree(backup, ignore_errors=True)


# --------------------------------------------------------------------------- reading


def read_run(run_dir: str | Path) -> RunResult:
    """Read a run directory written by :func:`write_run`."""
    directory = Path(run_dir)
    if not directory.is_dir():
        raise ResultsError(f"no run directory at {directory}")
    missing = [name for name in RUN_FILES if name != "summary.txt" and not (directory / name).is_file()]
    if missing:
        raise ResultsError(f"{directory} is not a complete run directory (missing {', '.join(missing)})")
    try:
        tasks = tasks_frame(_read_columns(directory / "tasks.parquet"))
        nodes = nodes_frame(_read_columns(directory / "nodes.parquet"))
        links = links_frame(_read_columns(directory / "links.parquet"))
        summary = Summary.from_dict(json.loads((directory / "summary.json").read_text(encoding="utf-8")))
        manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ResultsError(f"cannot read run directory {directory}: {exc}") from exc
    stages_file = directory / "stages.parquet"
    stages = pd.read_parquet(stages_file) if stages_file.is_file() else None
    return RunResult(
        tasks=tasks,
        nodes=nodes,
        links=links,
        summary=summary,
        manifest=manifest,
        path=directory,
        stages=stages,
    )


def _read_columns(path: Path) -> dict[str, Any]:
    frame = pd.read_parquet(path)
    return {name: frame[name] for name in frame.columns}
