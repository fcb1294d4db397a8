"""A record table's rows checked against its declared columns, once per table per run, before it is written.

A collector hands the engine plain columns (lists, arrays) that the writer stores with the
table's declared dtypes (:mod:`offloadsim.records.arrow`).  Stored unchecked, a 1.5 in an
``int64`` column was truncated to 1 without a word, and a string, a None, a column left out or
columns of different lengths ended the run as offloadsim's internal error naming no table.
:func:`columns_problem` says what is wrong in words the one line naming the table can end with;
it reads each column once with NumPy (a Python loop only over a column that holds objects).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from numbers import Integral, Real
from typing import Any

import numpy as np

from offloadsim.records.schema import Column
from offloadsim.suggest import quoted

__all__ = ["columns_problem"]

_INT64 = (-(2**63), 2**63 - 1)


def columns_problem(columns: object, declared: Sequence[Column]) -> str | None:
    """What is wrong with ``columns`` (a collector's) as rows of the ``declared`` columns, or None.

    Every declared column must be there, each a sequence of the same length as the others; an
    ``int64`` column holds integers only (no 1.5, which would be stored as 1; no None or NaN: an
    int column has no missing value), a ``float64`` or ``boolean`` one numbers or None.  Columns
    not declared are kept as they are (written after the declared ones).
    """
    if not isinstance(columns, Mapping):
        return f"its columns are of type {type(columns).__name__}, not a mapping of column name to values"
    names = [column.name for column in declared]
    missing = [name for name in names if name not in columns]
    if missing:
        return f"it has no column {quoted(missing[0])} (declared: {', '.join(names)})"
    lengths: dict[str, int] = {}
    for name in names:
        try:
            lengths[name] = len(columns[name])
        except TypeError:
            kind = type(columns[name]).__name__
            return f"column {quoted(name)} is of type {kind}, not a sequence of values"
    if len(set(lengths.values())) > 1:
        (first, rows), (other, more) = next(iter(lengths.items())), _differing(lengths)
        return f"column {quoted(first)} has {rows} rows but column {quoted(other)} has {more}"
    for column in declared:
        problem = _value_problem(columns[column.name], column.dtype)
        if problem is not None:
            return f"column {quoted(column.name)} is declared {column.dtype} but {problem}"
    return None


def _differing(lengths: Mapping[str, int]) -> tuple[str, int]:
    first = next(iter(lengths.values()))
    return next((name, rows) for name, rows in lengths.items() if rows != first)


def _value_problem(values: Any, dtype: str) -> str | None:
    """What in ``values`` a column of ``dtype`` cannot store as it is, with its row, or None."""
    if dtype not in ("int64", "float64", "boolean") or not len(values):
        return None  # strings and categories store any value's text
    try:
        array = np.asarray(values)
    except (ValueError, TypeError):  # ragged: a row that is itself a sequence
        array = np.asarray(list(values), dtype=object)
    if array.ndim != 1:
        return f"holds a sequence at row 0, not {'a number' if dtype != 'int64' else 'an int64'}"
    kind = array.dtype.kind
    if dtype != "int64":
        if kind in "iufb":
            return None
        return _first_object(values, lambda v: v is None or isinstance(v, Real), "a number")
    if kind in "iub":
        return None
    if kind == "f":
        with np.errstate(invalid="ignore"):
            whole = np.isfinite(array) & (array == np.trunc(array)) & (np.abs(array) < 2.0**63)
        bad = np.flatnonzero(~whole)
        if not len(bad):
            return None
        row = int(bad[0])
        value = float(array[row])
        if math.isnan(value):
            return f"holds nan at row {row}: an int64 column has no missing value (declare it float64)"
        if math.isinf(value) or abs(value) >= 2.0**63:
            return f"holds {value!r} at row {row}: beyond an int64's range"
        return f"holds {value!r} at row {row} (stored, it would be {int(value)}): not an integer"
    return _first_object(values, _an_int64, "an int64")


def _an_int64(value: object) -> bool:
    """Whether ``value`` is a whole number an int64 column holds (a whole float among objects too)."""
    if isinstance(value, float):
        return value.is_integer() and abs(value) < 2.0**63
    return isinstance(value, Integral) and _INT64[0] <= int(value) <= _INT64[1]


def _first_object(values: Any, fits: Any, expected: str) -> str | None:
    """The first of ``values`` (as the collector gave them) that does not ``fit``, with its row, or None."""
    for row, value in enumerate(values):
        if not fits(value):
            shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
            return f"holds {shown} ({type(value).__name__}) at row {row}, not {expected}"
    return None
