"""Files of experiments: atomic writes, one Parquet file per finished job (read back by records.stored).

Every file is written to a hidden temporary name in its final directory and
renamed into place, so a reader (or a rerun after a crash) sees a whole
file or none.  A job file is a Parquet table of the job's task records whose
schema metadata also carries the job's summary metrics and node records, so
one rename makes the whole job durable.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from offloadsim.outdir import TMP_MARK, atomic_write
from offloadsim.records.stored import ExperimentError, Results, read_results

__all__ = [
    "ExperimentError",
    "Results",
    "atomic_write",
    "replace_together",
    "parquet_writer",
    "text_writer",
    "json_text",
    "write_parquet",
    "write_text",
    "write_json",
    "write_job_file",
    "read_job_file",
    "remove_stale_temporaries",
    "read_results",
]

_JOB_META = b"offloadsim.job"


def replace_together(directory: Path, writers: Mapping[str, Callable[[Path], None]], marker: str) -> None:
    """Replace several files of ``directory`` so that a reader sees the old set or the new set, never a mix.

    ``writers`` maps each file name to a function that writes it to a given
    path; ``marker`` (one of them, e.g. ``manifest.json``) is the file whose
    presence says the set is complete.  Every file is first written in full
    to a hidden temporary; only then is the old marker removed, the other
    files renamed into place and the marker renamed last.  A process killed
    at any point leaves either the old complete set, or a set without its
    marker (which readers refuse as incomplete), or the new complete set.
    On failure the temporaries are removed and the old set is untouched.
    """
    staged: dict[str, Path] = {}
    try:
        for name, write in writers.items():
            tmp = directory / f".{name}{TMP_MARK}{uuid.uuid4().hex[:12]}"
            staged[name] = tmp
            write(tmp)
        (directory / marker).unlink(missing_ok=True)
        for name, tmp in staged.items():
            if name != marker:
                os.replace(tmp, directory / name)
        os.replace(staged[marker], directory / marker)
    except BaseException:
        for tmp in staged.values():
            tmp.unlink(missing_ok=True)
        raise


def parquet_writer(frame: pd.DataFrame) -> Callable[[Path], None]:
    """A function that writes ``frame`` (without its index) as Parquet to the path it is given."""
    return lambda path: frame.to_parquet(path, index=False)


def text_writer(text: str) -> Callable[[Path], None]:
    """A function that writes UTF-8 ``text`` to the path it is given."""

    def write(path: Path) -> None:
        path.write_text(text, encoding="utf-8")

    return write


def json_text(data: Any) -> str:
    """``data`` as indented JSON (NaN refused), with a final newline."""
    return json.dumps(data, indent=2, default=str, allow_nan=False) + "\n"


def write_parquet(frame: pd.DataFrame, path: Path) -> Path:
    """Write ``frame`` (without its index) to ``path`` atomically."""
    return atomic_write(path, parquet_writer(frame))


def write_text(text: str, path: Path) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically."""
    return atomic_write(path, text_writer(text))


def write_json(data: Any, path: Path) -> Path:
    """Write ``data`` as indented JSON to ``path`` atomically."""
    return write_text(json_text(data), path)


def write_job_file(path: Path, tasks: pd.DataFrame, meta: Mapping[str, Any]) -> Path:
    """Write one job: its task records, with ``meta`` (JSON-ready) in the Parquet schema metadata."""

    def write(tmp: Path) -> None:
        table = pa.Table.from_pandas(tasks, preserve_index=False)
        metadata = dict(table.schema.metadata or {})
        metadata[_JOB_META] = json.dumps(meta, default=str, allow_nan=False).encode("utf-8")
        pq.write_table(table.replace_schema_metadata(metadata), tmp)

    return atomic_write(path, write)


def read_job_file(path: Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The task records and metadata of a job file written by :func:`write_job_file`."""
    table = pq.read_table(path)
    raw = (table.schema.metadata or {}).get(_JOB_META)
    if raw is None:
        raise ExperimentError(f"{path}: not an offloadsim job file (no job metadata)")
    return table.to_pandas(), json.loads(raw.decode("utf-8"))


def remove_stale_temporaries(directory: Path) -> int:
    """Delete temporary files left by a killed writer in ``directory``; return how many."""
    removed = 0
    if directory.is_dir():
        for entry in directory.iterdir():
            if entry.name.startswith(".") and TMP_MARK in entry.name and entry.is_file():
                entry.unlink(missing_ok=True)
                removed += 1
    return removed
