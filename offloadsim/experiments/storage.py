"""Files of experiments: one Parquet file per finished job (read back by records.stored).

Every file is written atomically (:func:`offloadsim.outdir.atomic_write`: a
hidden temporary in its final directory renamed into place), so a reader (or
a rerun after a crash) sees a whole file or none.  A job file is a Parquet
table of the job's task records whose schema metadata also carries the job's
summary metrics and node records, so one rename makes the whole job durable.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from offloadsim.outdir import atomic_write
from offloadsim.records.arrow import dictionary_columns, sorted_categories, write_frame
from offloadsim.records.stored import ExperimentError, Results, read_results

if TYPE_CHECKING:
    from offloadsim.engine.records import TaskRecords

__all__ = [
    "CATEGORIES",
    "ExperimentError",
    "Results",
    "held_categories",
    "parquet_writer",
    "write_parquet",
    "write_job_file",
    "write_job_records",
    "read_job_file",
    "read_job_footer",
    "read_job_meta",
    "read_results",
    "JobMeta",
]

_JOB_META = b"offloadsim.job"

#: The job metadata's key of the values each categorical column of its records holds (sorted, as
#: text): the merge learns the whole column's categories from the jobs' footers, not their records.
CATEGORIES = "task_categories"

#: A job file's number of task records and its metadata (:func:`read_job_meta`): what a resumed
#: sweep's check of the file read, handed to its merge (no task records: memory for the metadata only).
JobMeta = tuple[int, dict[str, Any]]


def parquet_writer(frame: pd.DataFrame, row_groups: Sequence[int] = ()) -> Callable[[Path], None]:
    """A function that writes ``frame`` (without its index) as Parquet to the path it is given."""
    return lambda path: write_frame(frame, path, row_groups)


def write_parquet(frame: pd.DataFrame, path: Path, row_groups: Sequence[int] = ()) -> Path:
    """Write ``frame`` (without its index) to ``path`` atomically; ``row_groups``: :func:`write_frame`'s."""
    return atomic_write(path, parquet_writer(frame, row_groups))


def write_job_file(path: Path, tasks: pd.DataFrame, meta: Mapping[str, Any]) -> Path:
    """Write one job: its task records, with ``meta`` (JSON-ready) in the Parquet schema metadata.

    The metadata holds the values of each categorical column too (:data:`CATEGORIES`).
    """
    present = {
        str(name): sorted_categories(column.dropna().unique())
        for name, column in tasks.items()
        if isinstance(column.dtype, pd.CategoricalDtype)
    }

    def write(tmp: Path) -> None:
        table = pa.Table.from_pandas(tasks, preserve_index=False)
        metadata = {**(table.schema.metadata or {}), **_job_metadata({**meta, CATEGORIES: present})}
        pq.write_table(
            table.replace_schema_metadata(metadata), tmp, use_dictionary=dictionary_columns(table.schema)
        )

    return atomic_write(path, write)


def write_job_records(path: Path, records: TaskRecords, meta: Mapping[str, Any]) -> Path:
    """Write one job from the engine's records, a chunk (row group) at a time, as :func:`write_job_file` does.

    The table reads back as the one :func:`write_job_file` writes from the
    records' DataFrame, without the job building that DataFrame.
    """
    from offloadsim.records.results import write_tasks

    def described(present: dict[str, list[str]]) -> dict[bytes, bytes]:
        return _job_metadata({**meta, CATEGORIES: present})

    return atomic_write(path, lambda tmp: write_tasks(records, tmp, described))


def _job_metadata(meta: Mapping[str, Any]) -> dict[bytes, bytes]:
    return {_JOB_META: json.dumps(meta, default=str, allow_nan=False).encode("utf-8")}


def read_job_meta(path: Path) -> JobMeta:
    """The number of task records and the metadata of a job file, without reading its records."""
    rows, meta, _ = read_job_footer(path)
    return rows, meta


def read_job_footer(path: Path) -> tuple[int, dict[str, Any], pa.Schema]:
    """:func:`read_job_meta`'s, and the schema of the file's task records, from one read of its footer.

    A resumed sweep checks a saved file's metadata and its columns: two opens read the footer twice.
    """
    with pq.ParquetFile(path) as parquet:
        metadata, schema = parquet.metadata, parquet.schema_arrow
    meta = _job_meta_of(metadata)
    if meta is None:
        raise ExperimentError(f"{path}: not an offloadsim job file (no job metadata)")
    return metadata.num_rows, meta, schema


def held_categories(metadata: pq.FileMetaData) -> Any:
    """The values of each categorical column a job file's metadata holds (:data:`CATEGORIES`); None if none.

    From a footer already read (``ParquetFile.metadata``): what the merge is handed for each file.
    """
    meta = _job_meta_of(metadata)
    return None if meta is None else meta.get(CATEGORIES)


def _job_meta_of(metadata: pq.FileMetaData) -> dict[str, Any] | None:
    """The job metadata of a Parquet footer; None where it has none (not a job file)."""
    raw = (metadata.metadata or {}).get(_JOB_META)
    return None if raw is None else json.loads(raw.decode("utf-8"))


def read_job_columns(path: Path, columns: Sequence[str]) -> pd.DataFrame:
    """The task records of a job file, only those of ``columns`` it has (a few columns, not the table)."""
    present = set(pq.ParquetFile(path).schema_arrow.names)
    return pq.read_table(path, columns=[c for c in columns if c in present]).to_pandas()


def read_job_file(path: Path) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The task records and metadata of a job file written by :func:`write_job_file`."""
    table = pq.read_table(path)
    raw = (table.schema.metadata or {}).get(_JOB_META)
    if raw is None:
        raise ExperimentError(f"{path}: not an offloadsim job file (no job metadata)")
    return table.to_pandas(), json.loads(raw.decode("utf-8"))
