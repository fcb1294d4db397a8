"""Tables read back from disk, checked against the record schema before anything draws or merges them.

A table edited by hand (a column turned to text, NaN where a number is
required, a column dropped, a node's rows removed) was read as it was: a
figure drew it, a resumed sweep merged it, or a reader failed deep inside
pandas.  These functions say the first such problem in a few words, against
the one declaration of the columns (:mod:`offloadsim.records.schema`), for
the caller to refuse the file in one line (a results directory) or run its
job again (a sweep's job file).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from offloadsim.records.schema import STATUSES, Column, Dtype, columns_of

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = [
    "RERUN",
    "REWRITE",
    "RUN_KEYS",
    "columns_problem",
    "powered_sources_problem",
    "read_checked",
    "rows_problem",
    "read_json",
    "unreadable",
    "values_problem",
]

#: What a column of each declared dtype holds, as a message says it.
_EXPECTED: dict[Dtype, str] = {
    "int64": "whole numbers (int64)",
    "float64": "numbers (float64)",
    "boolean": "true/false (boolean)",
    "category": "text (category)",
    "string": "text (string)",
}


def _text(kind: pa.DataType) -> bool:
    return bool(pa.types.is_string(kind) or pa.types.is_large_string(kind))


#: Whether an Arrow type is one a column of each dtype is written as (a column of text with no
#: value at all, or any column of a table without rows, is written as the null type).
_FITS: dict[Dtype, Any] = {
    "int64": pa.types.is_int64,
    "float64": pa.types.is_float64,
    "boolean": pa.types.is_boolean,
    "category": lambda t: (
        (pa.types.is_dictionary(t) and _text(t.value_type)) or _text(t) or pa.types.is_null(t)
    ),
    "string": lambda t: _text(t) or pa.types.is_null(t),
}

#: The columns naming a run in the tables of a comparison or sweep (a run's have none).
RUN_KEYS = ("point", "policy", "replication")


def columns_problem(
    arrow: pa.Schema, table: str, rows: int, *, every: Sequence[Column] | None = None
) -> str | None:
    """The first declared column of ``table`` that ``arrow`` lacks or holds of another type; or None.

    ``every``: the columns that must be there (default: those declared ``required``; another,
    added later, a table written before it lacks, and a plug-in's task column one written
    without it).  Columns no record declares (a comparison's ``policy``, a sweep's swept keys)
    are the caller's.
    """
    needed = {c.name for c in columns_of(table) if c.required} if every is None else {c.name for c in every}
    for column in columns_of(table):
        index = arrow.get_field_index(column.name)
        if index < 0:
            if column.name in needed:
                return f"no column {column.name}, expected {_EXPECTED[column.dtype]}"
            continue
        kind = arrow.field(index).type
        if not (_FITS[column.dtype](kind) or (rows == 0 and pa.types.is_null(kind))):
            return f"column {column.name}: expected {_EXPECTED[column.dtype]}, got {_found(kind)}"
    return None


def _found(kind: pa.DataType) -> str:
    """What a column of the Arrow type ``kind`` holds, as a message says it: ``text``, ``numbers``."""
    if pa.types.is_dictionary(kind):
        return f"categories of {_found(kind.value_type)}"
    words = (
        (_text, "text"),
        (pa.types.is_floating, "numbers"),
        (pa.types.is_integer, "whole numbers"),
        (pa.types.is_boolean, "true/false"),
        (pa.types.is_null, "no values"),
    )
    return next((word for fits, word in words if fits(kind)), f"values of {kind}")


def values_problem(frame: pd.DataFrame, table: str) -> str | None:
    """The first row of ``frame`` (of the right types) without a value where its column needs one.

    A column declared ``required`` holds a value in every row (NaN there is an edited file);
    one declaring ``at_least`` holds finite numbers no less, NaN only where it declares ``nan``
    (the least a run writes: energy, a node's availability, a link's mean capacity were drawn
    as a hand edit left them, NaN as a gap, -1 or inf as a bar);
    ``status`` holds one of :data:`~offloadsim.records.schema.STATUSES`.
    """
    for column in columns_of(table):
        if column.name not in frame.columns:
            continue
        values = frame[column.name]
        missing = values.isna().to_numpy()
        if (column.required or (column.at_least is not None and not column.nan)) and missing.any():
            row = int(missing.argmax())
            where = f"row {row}{_of_node(frame, row)}"
            what = "a number" if column.dtype in ("int64", "float64") else "a value"
            return f"column {column.name}: expected {what} in every row, {where} has none"
        if column.at_least is not None and (problem := _below(frame, column, missing)) is not None:
            return problem
        if table == "tasks" and column.name == "status" and not set(values.unique()) <= set(STATUSES):
            row = int((~values.astype(object).isin(STATUSES)).to_numpy().argmax())
            found = values.iloc[row]
            return f"column status: expected one of {', '.join(STATUSES)}, row {row} holds {found!r}"
    return None


def _below(frame: pd.DataFrame, column: Column, missing: np.ndarray) -> str | None:
    """The first row of ``column`` (NaN rows aside) not finite or below its ``at_least``; or None."""
    import numpy as np

    least = float("-inf") if column.at_least is None else column.at_least
    numbers = frame[column.name].to_numpy(dtype=float, na_value=np.nan)
    wrong = ~missing & ~(np.isfinite(numbers) & (numbers >= least))
    if not wrong.any():
        return None
    row = int(wrong.argmax())
    what = f"a finite number of at least {least:g}" + (" or NaN" if column.nan else "")
    return f"column {column.name}: expected {what}, row {row}{_of_node(frame, row)} holds {numbers[row]:g}"


def _of_node(frame: pd.DataFrame, row: int) -> str:
    for name in ("node", "a"):
        if name in frame.columns:
            where = f"{frame[name].iloc[row]}" + (f" -> {frame['b'].iloc[row]}" if name == "a" else "")
            return f" ({where})"
    return ""


def read_checked(file: Path, table: str, error: type[Exception]) -> pd.DataFrame:
    """The table ``file`` of a results directory; refused with ``error`` (one line) if not as written.

    Its declared columns must all be there, of their types (:func:`columns_problem`), with a
    value where one is required (:func:`values_problem`).
    """
    import pandas as pd
    import pyarrow.parquet as pq

    with pq.ParquetFile(file) as parquet:
        problem = columns_problem(parquet.schema_arrow, table, parquet.metadata.num_rows)
    frame = pd.read_parquet(file) if problem is None else None
    if frame is not None:
        problem = values_problem(frame, table)
    if problem is not None or frame is None:
        raise error(f"{file}: {problem}; {REWRITE}")
    return frame


#: What a message refusing a results file offloadsim wrote ends with: how to have it again.
RERUN = "rerun the command that made it"


def read_json(
    file: Path, error: Callable[[str], Exception], what: str, remedy: str = RERUN
) -> dict[str, Any]:
    """The JSON object in ``file``, a file offloadsim wrote: a run's ``summary.json`` or ``manifest.json``.

    Else ``error`` of one line naming the file, what it is, what was expected (``what``, a JSON
    object in UTF-8) and ``remedy``: ``run/summary.json: not UTF-8 text: it is UTF-16 (...),
    expected the run's summary (a JSON object, in UTF-8); rerun the command that made it``.
    The one reader of a results directory's and a testbed campaign's kept run's JSON: one said
    "cannot read results in DIR: 'utf-8' codec can't decode byte 0xff", naming no file, and the
    other read a FIFO, a directory or a 1 GB file its own way.
    """
    from offloadsim.bounded_read import MAX_DOCUMENT_BYTES, InputFileError, not_utf8, read_text
    from offloadsim.shapes import describe

    hint = ""
    try:
        document = json.loads(read_text(file, MAX_DOCUMENT_BYTES))
    except IsADirectoryError:
        problem = "is a directory"
    except InputFileError as exc:  # a FIFO or a device, or a file too large to be offloadsim's
        problem = str(exc)
    except UnicodeDecodeError as exc:
        problem = not_utf8(exc, advice=False)
    except ValueError as exc:  # json's message names no file, and a results directory holds several
        problem, hint = f"cannot be read as JSON ({exc})", "cut short or edited? "
    except OSError as exc:
        problem = f"cannot be read ({exc.strerror or exc})"
    else:
        if isinstance(document, dict):
            return document
        problem = f"is {describe(document)}"
    raise error(f"{file}: {problem}, expected {what} (a JSON object, in UTF-8); {hint}{remedy}")


#: What a message about a table not as offloadsim wrote it ends with.
REWRITE = "not as offloadsim writes it (edited?): rerun the command that made it"


def unreadable(file: Path, error: Exception) -> str:
    """One line naming a results file that does not parse (emptied, cut short, another kind of file).

    pyarrow's and json's own messages do not name the file, and a results directory holds several.

    >>> unreadable(Path("run/tasks.parquet"), ValueError("Parquet file size is 0 bytes")).split(": cut")[0]
    'run/tasks.parquet: cannot be read as Parquet (Parquet file size is 0 bytes)'
    """
    what = "Parquet" if file.suffix == ".parquet" else "JSON" if file.suffix == ".json" else "a table"
    return f"{file}: cannot be read as {what} ({error}): cut short or edited? rerun the command that made it"


def rows_problem(
    nodes: pd.DataFrame, processors: pd.DataFrame | None, links: pd.DataFrame | None = None
) -> tuple[str, str] | None:
    """A computing node of ``nodes`` without processors rows, or a node they or ``links`` name not there.

    Returns which table lacks rows (``"processors"`` or ``"nodes"``) and what it lacks; None
    when each run's tables name the same nodes.  A run without processors rows (written
    before the table was) is not checked.  Runs are told apart by :data:`RUN_KEYS`.
    """
    return _processors_problem(nodes, processors) or _links_problem(nodes, links)


def _links_problem(nodes: pd.DataFrame, links: pd.DataFrame | None) -> tuple[str, str] | None:
    if links is not None and len(links) and {"a", "b"} <= set(links.columns) and "node" in nodes.columns:
        ends = {*links["a"].astype(str), *links["b"].astype(str)}
        if missing := sorted(ends - set(nodes["node"].astype(str))):
            return "nodes", f"no row of the node {missing[0]}, which links.parquet connects"
    return None


def _processors_problem(nodes: pd.DataFrame, processors: pd.DataFrame | None) -> tuple[str, str] | None:
    import pandas as pd

    if processors is None or not len(processors) or not {"node", "cores"} <= set(nodes.columns):
        return None
    if "node" not in processors.columns:
        return None
    keys = [key for key in RUN_KEYS if key in nodes.columns and key in processors.columns]
    by_run = processors.groupby(keys, sort=False, observed=True) if keys else [((), processors)]
    theirs = {_key(run): set(part["node"].astype(str)) for run, part in by_run}
    runs = nodes.groupby(keys, sort=False, observed=True) if keys else [((), nodes)]
    listed: dict[tuple[Any, ...], set[str]] = {}
    for run, part in runs:
        cores = pd.to_numeric(part["cores"], errors="coerce").fillna(0).to_numpy()
        computing = part.loc[cores > 0, "node"].astype(str)
        listed[_key(run)] = set(part["node"].astype(str))
        if _key(run) in theirs and (missing := sorted(set(computing) - theirs[_key(run)])):
            return "processors", f"no row of the computing node {missing[0]}{_run_text(keys, run)}"
    for run, named in theirs.items():
        if missing := sorted(named - listed.get(run, set())):
            return "nodes", f"no row of the node {missing[0]}{_run_text(keys, run)}, whose processors it has"
    return None


def powered_sources_problem(
    metrics: pd.DataFrame, nodes: pd.DataFrame, *, summary: bool = False
) -> str | None:
    """The first run of ``metrics`` whose ``powered_sources`` is not a count of its task sources; or None.

    ``summary``: ``metrics`` is a run's one row, from its summary.json (the message names its key,
    not a column and row).

    Each run's count is a whole number from -1 (not known: results written before it) to the
    run's nodes (its rows of ``nodes``; the sources are among them).  A hand-edited count (text,
    -3, 2.5, more than the nodes) was read as "not known", or as a count no run can have, by the
    energy figures' note.  A table without the column (written before it) is not checked.
    """
    import numpy as np
    import pandas as pd

    if "powered_sources" not in metrics.columns:
        return None
    values = metrics["powered_sources"]
    expected = "column powered_sources: expected a count of the run's task sources (-1: not known)"
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return f"{expected}, got {'text' if pd.api.types.is_string_dtype(values) else values.dtype}"
    keys = [key for key in RUN_KEYS if key in metrics.columns and key in nodes.columns]
    if keys:
        per_run = nodes.groupby(keys, observed=True).size().rename("_nodes").reset_index()
        most = metrics[keys].merge(per_run, on=keys, how="left")["_nodes"].to_numpy(dtype=float)
    else:
        most = np.full(len(metrics), float(len(nodes)))
    counts = values.to_numpy(dtype=float, na_value=np.nan)
    whole = np.isfinite(counts) & (counts == np.floor(counts)) & (counts >= -1)
    wrong = ~whole | (counts > np.nan_to_num(most, nan=np.inf))
    if not wrong.any():
        return None
    row = int(wrong.argmax())
    run = _run_text(keys, tuple(metrics[keys].iloc[row])) if keys else ""
    more = f", more than the run's {most[row]:g} nodes" if whole[row] else ""
    if summary:
        return f"{expected.removeprefix('column ')}, got {counts[row]:g}{more}"
    return f"{expected}, row {row}{run} holds {counts[row]:g}{more}"


def _key(run: Any) -> tuple[Any, ...]:
    return run if isinstance(run, tuple) else (run,)


def _run_text(keys: Sequence[str], run: Any) -> str:
    values = _key(run)
    return f" (run {', '.join(f'{k} {v}' for k, v in zip(keys, values, strict=True))})" if keys else ""
