"""Job files' task records merged into one table, written a job at a time (memory for one job, not all).

The merged table is what :func:`merged_frame` builds in memory: the jobs'
frames concatenated in order and rebuilt by
:func:`~offloadsim.records.results.tasks_frame` (each categorical's
categories the sorted values of the whole column, an integer column
nullable when any value is missing), with columns of values per job
inserted in front.  :func:`write_merged` writes the same table to Parquet
a row group per row group of the job files (a job written from the
engine's chunks has one per chunk), so that it holds one chunk of one job
at a time: a first pass reads only the categorical and integer columns to
learn the whole column's categories and missing values, a second writes
each chunk's rows with them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from pandas.api.extensions import ExtensionArray

from offloadsim.experiments.storage import read_job_file
from offloadsim.progress import progress_bar, ticking
from offloadsim.records import schema
from offloadsim.records.arrow import dictionary_columns, write_frame

__all__ = ["Insert", "merged_frame", "served_of", "write_merged"]

#: A column of values per job, inserted at a position of the merged table: (position, name, values).
#: The values are a numpy array or one of pandas' nullable arrays (``Int64``, ``boolean``: a swept
#: value some job had none of, :func:`~offloadsim.analysis.values.typed_column`), picked a row per
#: task by position either way, so each table holds the column's own type.
Insert = tuple[int, str, np.ndarray | ExtensionArray]


def merged_frame(files: Sequence[Path], inserts: Sequence[Insert]) -> pd.DataFrame:
    """The jobs' task records as one frame, every job in memory at once (what :func:`write_merged` writes)."""
    from offloadsim.records.results import tasks_frame

    parts = [read_job_file(file)[0] for file in files]
    raw = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    tasks = tasks_frame({c: raw[c] for c in raw.columns})
    rows = np.concatenate([np.full(len(p), i) for i, p in enumerate(parts)]) if parts else np.array([], int)
    for position, name, values in inserts:
        tasks.insert(position, name, values[rows] if len(tasks) else values[:0])
    return tasks


def write_merged(
    files: Sequence[Path],
    inserts: Sequence[Insert],
    path: Path,
    bar: Callable[[str], Any] | None = None,
    categories: Sequence[Any] = (),
) -> int:
    """Write the merged table of ``files`` to ``path``, a row group at a time; return its row count.

    The file reads back as :func:`merged_frame`'s frame written with
    ``to_parquet(index=False)`` does.  Tables it cannot write a job at a time
    exactly (no rows, a column the record schema does not declare) are built
    whole with :func:`merged_frame`.  ``bar(part)``: a progress bar over ``files`` for each of
    the two passes, ``"categories"`` (each column's categories over every job) and ``"tasks"``.
    ``categories``: by file, the values of its categorical columns its job's metadata holds
    (:data:`~offloadsim.experiments.storage.CATEGORIES`; None or missing: not held); the first pass
    then reads only the files' footers, and each file's records are read once, as they are written.
    """
    bars = bar or (lambda part: progress_bar(len(files), False, part))
    with contextlib.closing(ticking(files, bars("categories"))) as each:
        plan = _plan(each, categories)
    if plan is None:
        frame = merged_frame(files, inserts)
        write_frame(frame, path)
        return len(frame)
    kinds, nullable = plan
    writer: pq.ParquetWriter | None = None
    arrow: pa.Schema | None = None
    rows = 0
    try:
        with contextlib.closing(ticking(files, bars("tasks"))) as each:
            for i, file in enumerate(each):
                for frame in _job_frames(file, kinds, nullable):
                    if not len(frame):
                        continue
                    for position, name, values in inserts:
                        frame.insert(position, name, values[np.full(len(frame), i)])
                    table = pa.Table.from_pandas(frame, preserve_index=False)
                    if writer is None:
                        arrow = table.schema
                        writer = pq.ParquetWriter(path, arrow, use_dictionary=dictionary_columns(arrow))
                    elif not table.schema.equals(arrow, check_metadata=True):
                        raise ValueError(f"{file}: its records do not fit the merged table's schema")
                    writer.write_table(table)
                    rows += len(frame)
    finally:
        if writer is not None:
            writer.close()
    return rows


def _plan(files: Iterable[Path], known: Sequence[Any] = ()) -> tuple[dict[str, list[str]], set[str]] | None:
    """Each categorical column's categories over all jobs, and the integer columns with a missing value.

    ``known``: by file, its categorical columns' values as its job's metadata holds them; an integer
    column's missing values are counted in the file's footer.  A file's columns are read only for
    what neither says (a file written before its job's metadata held them).  None when the table is
    to be built whole: no rows, or a column the schema does not declare.
    """
    declared = {c.name: c.dtype for c in schema.columns_of("tasks")}
    present: dict[str, set[str]] = {}
    nullable: set[str] = set()
    rows = 0
    for i, file in enumerate(files):
        parquet = pq.ParquetFile(file)
        names = parquet.schema_arrow.names
        if any(name not in declared for name in names):
            return None
        coded = [n for n in names if declared[n] == "category"]
        integers = [n for n in names if declared[n] == "int64"]
        rows += parquet.metadata.num_rows
        counted = _missing_counts(parquet.metadata, integers)
        nullable.update(n for n, count in counted.items() if count)
        held = _held_values(known[i] if i < len(known) else None, coded)
        unread = [*([] if held is not None else coded), *(n for n in integers if n not in counted)]
        for group in range(parquet.num_row_groups if unread else 0):
            table = parquet.read_row_group(group, columns=unread)
            nullable.update(n for n in integers if n not in counted and table.column(n).null_count)
            frame = table.select([n for n in coded if n in unread]).to_pandas()
            for name in frame.columns:
                values = frame[name].dropna()
                present.setdefault(name, set()).update(str(v) for v in values.unique())
        for name, values in (held or {}).items() if parquet.num_row_groups else ():
            present.setdefault(name, set()).update(values)
    if not rows:
        return None
    categories = {name: sorted(values) for name, values in present.items()}
    if "status" in categories:
        categories["status"] = list(schema.STATUSES)
    return categories, nullable


def _missing_counts(metadata: pq.FileMetaData, names: Sequence[str]) -> dict[str, int]:
    """The missing values of each column of ``names`` that every row group's statistics count."""
    counts = dict.fromkeys(names, 0)
    for group in range(metadata.num_row_groups):
        chunks = metadata.row_group(group)
        for j in range(chunks.num_columns if chunks.num_rows else 0):  # no rows: none missing, no statistics
            name = chunks.column(j).path_in_schema
            statistics = chunks.column(j).statistics
            if name not in counts:
                continue
            if statistics is None or not statistics.has_null_count:
                counts.pop(name)
            else:
                counts[name] += statistics.null_count
    return counts


def _held_values(held: Any, coded: Sequence[str]) -> dict[str, list[str]] | None:
    """The values of ``coded`` a job's metadata holds; None where it holds not each as a list of text."""
    if not isinstance(held, Mapping):
        return None
    values = {name: held.get(name) for name in coded}
    if not all(isinstance(v, list) and all(isinstance(x, str) for x in v) for v in values.values()):
        return None
    return values  # type: ignore[return-value]


def _job_frames(file: Path, categories: dict[str, list[str]], nullable: set[str]) -> Iterator[pd.DataFrame]:
    """One job's records as its rows of the merged table (before the inserted columns), by row group."""
    from offloadsim.records.results import tasks_frame

    parquet = pq.ParquetFile(file)
    for group in range(parquet.num_row_groups):
        raw = parquet.read_row_group(group).to_pandas()
        frame = tasks_frame({c: raw[c] for c in raw.columns})
        del raw
        for name, labels in categories.items():
            frame[name] = frame[name].cat.set_categories(_labels(labels))
        for name in nullable:
            frame[name] = frame[name].astype("Int64")
        yield frame


def _labels(labels: list[str]) -> Any:
    """Categories as ``tasks_frame`` makes them (see ``records.results._column``)."""
    return pd.Index(list(labels), dtype=object).astype(str)


def served_of(file: Path, held: Any) -> dict[str, set[str]]:
    """The applications a job file's records served, by policy: from its metadata's values if they say.

    ``held``: the file's categorical columns' values as its job's metadata holds them
    (:data:`~offloadsim.experiments.storage.CATEGORIES`); its ``app`` and ``policy`` columns are
    read only where they do not say (a file of several policies, or written before they were held).
    """
    from offloadsim.analysis.notes import served_applications

    if isinstance(held, Mapping):
        apps, policies = held.get("app"), held.get("policy")
        if isinstance(apps, list) and isinstance(policies, list) and len(policies) == 1:
            return {str(policies[0]): {str(app) for app in apps}}
        if apps == [] and policies == []:  # no records
            return {}
    return served_applications(file, "policy")
