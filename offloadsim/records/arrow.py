"""Record tables as Arrow and Parquet, written with pyarrow alone (no pandas on the run's path).

The tables are laid out exactly as pandas would write the DataFrames
:mod:`offloadsim.records.results` builds (``DataFrame.to_parquet(index=False)``):
the same Arrow types (categories as dictionaries with pandas' index width,
``deadline_met`` as booleans with nulls, NaN floats as nulls) and the same
``pandas`` schema metadata, so ``pandas.read_parquet`` gives back the same
dtypes.  The per-task table is written a chunk at a time (one row group
each) as the records are read back from the engine's spill, so writing it
needs memory for one chunk, not for the run.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from offloadsim.provenance import installed_version
from offloadsim.records import schema

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["TableWriter", "arrow_schema", "dictionary_columns", "index_type", "write_frame", "write_table"]

_INDEX_TYPES = ((127, pa.int8()), (32767, pa.int16()), (2147483647, pa.int32()))
_NUMPY = {
    pa.int8(): np.int8,
    pa.int16(): np.int16,
    pa.int32(): np.int32,
    pa.int64(): np.int64,
    pa.float64(): np.float64,
}
_PLAIN = {"int64": pa.int64(), "float64": pa.float64(), "boolean": pa.bool_(), "string": pa.string()}
_PANDAS_TYPES = {  # (pandas_type, numpy_type) as pandas records them in the file's metadata
    "int64": ("int64", "int64"),
    "float64": ("float64", "float64"),
    "boolean": ("bool", "boolean"),
    "string": ("unicode", "object"),
}


def index_type(categories: int) -> pa.DataType:
    """The integer type pandas stores a categorical's codes in for this many categories."""
    return next((t for limit, t in _INDEX_TYPES if categories < limit), pa.int64())


def _dtypes(table: str, names: Iterable[str]) -> dict[str, str]:
    declared = {c.name: c.dtype for c in schema.columns_of(table)}
    return {name: declared.get(name, "float64") for name in names}


def arrow_schema(
    table: str, names: Sequence[str], categories: Mapping[str, Sequence[str]], empty: bool = False
) -> pa.Schema:
    """The Arrow schema of ``table`` with columns ``names``, its categoricals' ``categories`` given.

    ``empty``: the table has no rows, and its text columns are typed ``null``
    as pandas types an empty column of objects.
    """
    fields = []
    meta = []
    for name, dtype in _dtypes(table, names).items():
        if dtype == "string" and empty:
            fields.append(pa.field(name, pa.null()))
            meta.append(_column_meta(name, "empty", "object", None))
        elif dtype == "category":
            count = len(categories[name])
            kind = index_type(count)
            fields.append(pa.field(name, pa.dictionary(kind, pa.string())))
            meta.append(
                _column_meta(name, "categorical", str(kind), {"num_categories": count, "ordered": False})
            )
        else:
            fields.append(pa.field(name, _PLAIN[dtype]))
            meta.append(_column_meta(name, *_PANDAS_TYPES[dtype], None))
    pandas = {
        "index_columns": [],
        "column_indexes": [],
        "columns": meta,
        "attributes": {},
        "creator": {"library": "pyarrow", "version": pa.__version__},
        "pandas_version": _pandas_version(),
    }
    return pa.schema(fields, metadata={b"pandas": json.dumps(pandas).encode()})


def _column_meta(name: str, pandas_type: str, numpy_type: str, metadata: Any) -> dict[str, Any]:
    return {
        "name": name,
        "field_name": name,
        "pandas_type": pandas_type,
        "numpy_type": numpy_type,
        "metadata": metadata,
    }


@cache
def _pandas_version() -> str:
    """The installed pandas' version, as ``importlib.metadata.version("pandas")`` gives it (""; none).

    Without importing pandas, nor parsing its whole metadata file
    (:func:`~offloadsim.provenance.installed_version`).
    """
    return installed_version("pandas") or ""


# Arrays are built from their buffers: ``pyarrow.array`` imports pandas to look for pandas objects
# in what it is given, and keeping pandas off the run's path is half of a short run's start-up.


def _bitmap(valid: np.ndarray | None) -> pa.Buffer | None:
    """A validity (or boolean) bitmap, least significant bit first; ``None`` when all are valid."""
    if valid is None:
        return None
    return pa.py_buffer(np.packbits(valid, bitorder="little"))


def _fixed(kind: pa.DataType, values: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """A fixed-width array (int, float) over ``values``' bytes, null where ``valid`` is False."""
    data = np.ascontiguousarray(values, dtype=_NUMPY[kind])
    nulls = 0 if valid is None else int(len(valid) - np.count_nonzero(valid))
    bitmap = _bitmap(valid) if nulls else None
    return pa.Array.from_buffers(kind, len(data), [bitmap, pa.py_buffer(data)], null_count=nulls)


def strings(values: Sequence[Any]) -> pa.Array:
    """A string array (``None`` and NaN become null)."""
    valid = np.array([not _missing(v) for v in values], dtype=bool)
    encoded = [str(v).encode("utf-8") if ok else b"" for v, ok in zip(values, valid, strict=True)]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int32)
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    nulls = int(len(valid) - np.count_nonzero(valid))
    buffers = [_bitmap(valid) if nulls else None, pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded))]
    return pa.Array.from_buffers(pa.string(), len(encoded), buffers, null_count=nulls)


def _dictionary(
    kind: pa.DictionaryType, indices: np.ndarray, categories: Sequence[str] | pa.Array
) -> pa.Array:
    data = np.ascontiguousarray(indices, dtype=_NUMPY[kind.index_type])
    labels = categories if isinstance(categories, pa.Array) else strings(categories)
    return pa.DictionaryArray.from_buffers(kind, len(data), [None, pa.py_buffer(data)], labels)


def _array(values: Any, field: pa.Field, categories: Sequence[str] | None) -> pa.Array:
    """One column of a chunk as an Arrow array of ``field``'s type (NaN floats as nulls, as pandas has it)."""
    kind = field.type
    if pa.types.is_dictionary(kind):
        index = {label: i for i, label in enumerate(categories or ())}
        codes = np.fromiter((index[str(v)] for v in values), dtype=np.int64, count=len(values))
        return _dictionary(kind, codes, categories or ())
    if pa.types.is_boolean(kind):
        floats = np.asarray(values, dtype=np.float64)
        valid = ~np.isnan(floats)
        nulls = int(len(valid) - np.count_nonzero(valid))
        buffers = [_bitmap(valid) if nulls else None, _bitmap(floats == 1.0)]
        return pa.Array.from_buffers(pa.bool_(), len(floats), buffers, null_count=nulls)
    if pa.types.is_null(kind):
        return pa.nulls(len(values))
    if pa.types.is_string(kind):
        return strings(list(values))
    if pa.types.is_int64(kind):
        return _fixed(kind, np.asarray(values, dtype=np.int64))
    floats = np.asarray(values, dtype=np.float64)
    return _fixed(kind, floats, ~np.isnan(floats))


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value)


class TableWriter:
    """Writes one record table to a Parquet file, a chunk (one row group) at a time.

    ``categories`` gives every categorical column's categories, in order
    (the codes of each chunk index into them); ``metadata`` is added to the
    schema's (a job file's description).  Use as a context manager;
    :meth:`write` takes a mapping of column name to values, or for a
    categorical column a pair ``(codes, labels)``: integer codes into a
    small table of labels, translated to the categories without decoding.
    """

    def __init__(
        self,
        path: Path,
        table: str,
        names: Sequence[str],
        categories: Mapping[str, Sequence[str]],
        empty: bool = False,
        metadata: Mapping[bytes, bytes] | None = None,
    ) -> None:
        self.schema = arrow_schema(table, names, categories, empty)
        if metadata:
            self.schema = self.schema.with_metadata({**(self.schema.metadata or {}), **metadata})
        self.categories = {name: list(values) for name, values in categories.items()}
        # Each categorical column's categories as one Arrow array, shared by every chunk's row group.
        self._labels = {name: strings(values) for name, values in self.categories.items()}
        self._index = {
            name: {label: i for i, label in enumerate(values)} for name, values in self.categories.items()
        }
        self._writer = pq.ParquetWriter(path, self.schema, use_dictionary=dictionary_columns(self.schema))

    def write(self, columns: Mapping[str, Any]) -> None:
        """Append one chunk (every column of the schema, the same length) as a row group."""
        arrays = []
        for field in self.schema:
            values = columns[field.name]
            if isinstance(values, tuple):
                arrays.append(self._coded(field, *values))
            else:
                arrays.append(_array(values, field, self.categories.get(field.name)))
        self._writer.write_table(pa.Table.from_arrays(arrays, schema=self.schema))

    def _coded(self, field: pa.Field, codes: np.ndarray, labels: Sequence[str]) -> pa.Array:
        where = self._index[field.name]
        lookup = np.array([where.get(label, -1) for label in labels] or [-1], dtype=np.int64)
        return _dictionary(field.type, lookup[codes], self._labels[field.name])

    def close(self) -> None:
        """Finish the file (its footer and metadata)."""
        self._writer.close()

    def __enter__(self) -> TableWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def dictionary_columns(arrow: pa.Schema) -> list[str]:
    """The columns a Parquet writer should dictionary-encode: the categorical ones, and only they.

    pyarrow tries a dictionary for every column unless told otherwise; for a
    float column of distinct values it builds one, finds it too large and falls
    back, in every row group: half of a task table's writing time, and a larger
    file (issue 12).  The values written are the same either way.
    """
    return [field.name for field in arrow if pa.types.is_dictionary(field.type)]


def write_frame(frame: pd.DataFrame, path: str | Path, row_groups: Sequence[int] = ()) -> None:
    """Write ``frame`` as ``frame.to_parquet(path, index=False)`` does, with :func:`dictionary_columns`' rule.

    A table a user builds (or reads back and saves again) is written as the
    engine's writers write theirs: pandas' ``to_parquet`` leaves pyarrow to try
    a dictionary for every column.  The file reads back to the same frame.
    ``row_groups``: the rows of each row group, where they add up to the frame's (else one
    group): a comparison's tasks written again as its merged writer wrote them, a group a run's
    chunk, so that the file is the same bytes (one group of the same rows was not).
    """
    table = pa.Table.from_pandas(frame, preserve_index=False)
    dictionary = dictionary_columns(table.schema)
    if not row_groups or sum(row_groups) != table.num_rows:
        pq.write_table(table, path, use_dictionary=dictionary)
        return
    with pq.ParquetWriter(path, table.schema, use_dictionary=dictionary) as writer:
        start = 0
        for rows in row_groups:
            writer.write_table(table.slice(start, rows))
            start += rows


def sorted_categories(values: Iterable[Any]) -> list[str]:
    """A categorical column's categories as the results layer orders them: its values, as text, sorted."""
    return sorted({str(v) for v in values if not _missing(v)})


def write_table(
    columns: Mapping[str, Sequence[Any]],
    table: str,
    path: Path,
    categories: Mapping[str, Sequence[str]] | None = None,
) -> None:
    """Write a table (``nodes``, ``links``, ``processors``, ``stages``) of plain columns in one row group.

    A categorical column's categories are its values, sorted, unless ``categories`` names them.
    """
    names = list(columns)
    dtypes = _dtypes(table, names)
    fixed = dict(categories or {})
    categories = {
        name: list(fixed[name]) if name in fixed else sorted_categories(columns[name])
        for name, dtype in dtypes.items()
        if dtype == "category"
    }
    empty = not any(len(values) for values in columns.values())
    with TableWriter(path, table, names, categories, empty) as writer:
        writer.write(columns)
