"""Columns of a table of records read alike whether it is a DataFrame or the engine's mapping of arrays.

The run's summary and the warnings' detectors (:mod:`offloadsim.analysis.warning_kinds`) read the
same tables: the engine's records (column name -> numpy array, never turned into a DataFrame, so
pandas is not imported for them) or a DataFrame read back from a results directory.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Union

import numpy as np

from offloadsim.records.schema import STATUSES

if TYPE_CHECKING:
    import pandas as pd

#: A table of records: a DataFrame, or column name -> array (or list) of equal lengths.
Table = Union["pd.DataFrame", Mapping[str, Any]]

__all__ = ["Table", "is_frame", "rows", "has", "status_masks", "strings", "objects", "floats", "node_groups"]


def is_frame(table: Any) -> bool:
    """Whether ``table`` is a DataFrame (else a mapping of column name to values)."""
    return hasattr(table, "iloc")


def rows(table: Table) -> int:
    """The number of rows of a table (a mapping's: its ``rows``, or its first column's length)."""
    if is_frame(table):
        return len(table)
    rows = getattr(table, "rows", None)
    if rows is not None:
        return int(rows)
    return len(next(iter(table.values()))) if len(table) else 0


def has(table: Table, column: str) -> bool:
    """Whether ``table`` has ``column``."""
    return column in (table.columns if is_frame(table) else table)  # type: ignore[union-attr]


def status_masks(tasks: Table) -> dict[str, np.ndarray]:
    """One boolean mask per status (from the status codes when the table has them)."""
    coded = getattr(tasks, "codes", None)
    if coded is not None:
        codes, labels = coded("status")
        return {s: codes == labels.index(s) for s in STATUSES}
    present = rows(tasks) and has(tasks, "status")
    status = strings(tasks, "status") if present else np.array([], dtype=str)
    return {s: status == s for s in STATUSES}


def strings(table: Table, column: str) -> np.ndarray:
    """A column as an array of ``str``."""
    if is_frame(table):
        return table[column].astype(str).to_numpy()
    return np.asarray(table[column], dtype=object).astype(str)


def objects(table: Table, column: str) -> np.ndarray:
    """A column as an array of Python objects."""
    if is_frame(table):
        return table[column].astype(object).to_numpy()
    return np.asarray(table[column], dtype=object)


def floats(frame: Table, column: str) -> np.ndarray:
    """Return a column as float64 with missing values as NaN (all-NaN if the column is absent)."""
    if not has(frame, column):
        return np.full(rows(frame), math.nan)
    if not is_frame(frame):
        values = frame[column]
        if isinstance(values, np.ndarray) and values.dtype == np.float64:
            return values
        try:
            return np.asarray(values, dtype=np.float64)
        except (TypeError, ValueError):
            import pandas as pd

            return pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float, na_value=math.nan)
    import pandas as pd

    numbers = pd.to_numeric(frame[column], errors="coerce").astype("Float64")
    return numbers.to_numpy(dtype=float, na_value=math.nan)


def node_groups(nodes: Table) -> list[str]:
    """The nodes' groups in the scenario's order, each once (none from a nodes table written before them)."""
    if not rows(nodes) or not has(nodes, "group"):
        return []
    return list(dict.fromkeys(strings(nodes, "group").tolist()))
