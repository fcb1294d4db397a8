"""A note when compared policies placed every task alike: their rows are the same runs, not a tie.

``neurosurgeon`` on a scenario whose best cut is "all on the edge" places each task where ``edge``
does; with the same seeds their runs are the same runs, and the table's Δ of ``0.0 ± 0`` in every
row read as a tie two policies reached, measured.  Policies whose metrics agree in every
replication are checked task for task (each task's placement and cut, from the runs' records);
those that placed every task alike are named.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from offloadsim.suggest import listed

__all__ = ["alike_placements_note", "placements_digest"]

#: The task columns that say where a task ran: its nodes, and where its layers were cut.
PLACEMENT_COLUMNS = ("task_id", "placement", "split")


def placements_digest(tasks_file: Path) -> str:
    """SHA-256 of a run's tasks' placements and cuts, in task order: equal for runs placed alike."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.ParquetFile(tasks_file).read(columns=list(PLACEMENT_COLUMNS), use_pandas_metadata=False)
    table = table.take(pc.sort_indices(table, sort_keys=[("task_id", "ascending")]))
    digest = hashlib.sha256()
    for name in PLACEMENT_COLUMNS:
        values = table.column(name)
        if pa.types.is_dictionary(values.type):
            values = values.cast(pa.string())
        digest.update("\x1f".join("" if v is None else str(v) for v in values.to_pylist()).encode())
        digest.update(b"\x1e")
    return digest.hexdigest()


def alike_placements_note(
    labels: Sequence[str], replications: int, metrics: Any, tasks_file: Callable[[int, int], Path]
) -> str | None:
    """The note naming the compared policies that placed every task alike in every replication; or None.

    ``labels``: the entries, in the table's order; ``metrics``: one row per run (``policy``,
    ``replication`` and the metrics); ``tasks_file(i, r)``: the task records of entry ``i``'s
    replication ``r``.  Only entries whose metrics agree in every replication are read.
    """
    from offloadsim.analysis.catalogue import metric_columns

    if len(labels) < 2 or not len(metrics):
        return None
    names = metric_columns(metrics)
    rows = {
        (str(p), int(r)): row
        for p, r, row in zip(
            metrics["policy"],
            metrics["replication"],
            metrics[names].itertuples(index=False, name=None),
            strict=True,
        )
    }
    by_numbers: dict[tuple[Any, ...], list[int]] = {}
    for i, label in enumerate(labels):
        if any((label, r) not in rows for r in range(replications)):
            return None
        runs = [rows[(label, r)] for r in range(replications)]
        key = tuple(
            tuple("nan" if isinstance(v, float) and math.isnan(v) else v for v in run) for run in runs
        )
        by_numbers.setdefault(key, []).append(i)
    groups: dict[tuple[str, ...], list[str]] = {}
    for same in by_numbers.values():
        if len(same) < 2:
            continue
        for i in same:
            digests = tuple(placements_digest(tasks_file(i, r)) for r in range(replications))
            groups.setdefault(digests, []).append(labels[i])
    alike = [group for group in groups.values() if len(group) > 1]
    if not alike:
        return None
    each = f"in each of the {replications} replications" if replications > 1 else "in its one replication"
    said = "; ".join(listed(group) for group in alike)
    return (
        f"{said} placed every task alike, task for task (the same nodes and cut {each}): their "
        "columns are the same runs, alike by construction (a Δ of 0 between them), not two policies that tied"
    )
