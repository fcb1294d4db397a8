"""Bytes a run writes per task and per stage: the measurement behind the disk estimate.

    python benchmarks/disk_bytes.py                      # the runs docs/scenario-format.md quotes
    python benchmarks/disk_bytes.py 'scenarios/x.yaml;duration=600 s'
    python benchmarks/disk_bytes.py --chunk-rows 500     # every run spills, in chunks of 500 records

Runs each scenario (``FILE;KEY=VALUE;...``, the values as ``--set`` takes
them) once with ``--stages`` into a temporary directory and prints its
tasks, stages per task, the bytes of ``tasks.parquet`` per task and of
``stages.parquet`` per stage, the spilled chunks' bytes per record they
hold (of every chunk file the records and the stage log wrote: nothing
spills from a run shorter than a chunk, 131,072 records, unless
``--chunk-rows`` makes chunks smaller), and
``nodes.parquet`` and ``links.parquet`` per row.  The constants of
``offloadsim/scenario/size.py`` (``TASK_FILE_BYTES`` ...) are the largest of
these, rounded up.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from offloadsim import api
from offloadsim.records.spill import SpilledTable

REPO = Path(__file__).resolve().parent.parent
DEFAULT = [
    "benchmarks/scenarios/mm1.yaml",
    "scenarios/quickstart.yaml;duration=3000 s",
    "scenarios/camera-multitier.yaml;duration=1200 s",
    "scenarios/edge-outage.yaml;duration=1500 s",
    "scenarios/commute.yaml;duration=6000 s",
    "scenarios/neurosurgeon.yaml;duration=6000 s",
    "scenarios/llm-assistant.yaml",
]


def measure(argument: str) -> str:
    """One line of measurements for ``FILE;KEY=VALUE;...``."""
    file, *overrides = argument.split(";")
    chunks = {"records": [0, 0], "stages": [0, 0]}  # bytes, rows
    append = SpilledTable.append

    def counting(self: SpilledTable, write: object, name: str | None = None) -> Path:
        path = append(self, write, name)  # type: ignore[arg-type]
        with np.load(path) as arrays:
            rows = len(arrays[arrays.files[0]])
        kept = chunks["stages" if "stage" in self.prefix else "records"]
        kept[0] += path.stat().st_size
        kept[1] += rows
        return path

    SpilledTable.append = counting  # type: ignore[method-assign]
    try:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "run"
            api.run(api.load(REPO / file, overrides), out=out, stages=True, progress=False)
            names = ("tasks", "stages", "nodes", "links")
            rows = {n: max(1, pq.ParquetFile(out / f"{n}.parquet").metadata.num_rows) for n in names}
            size = {n: (out / f"{n}.parquet").stat().st_size for n in names}
    finally:
        SpilledTable.append = append  # type: ignore[method-assign]
    tasks, stages = rows["tasks"], rows["stages"]

    def per_row(table: str) -> str:
        size, spilled = chunks[table]
        return f"{size / spilled:.1f}" if spilled else "-"

    return (
        f"{Path(file).stem} {' '.join(overrides)}: {tasks:,} tasks, {stages / tasks:.2f} stages a task; "
        f"tasks.parquet {size['tasks'] / tasks:.1f} B a task, stages.parquet {size['stages'] / stages:.1f} "
        f"B a stage; spilled {per_row('records')} B a task, {per_row('stages')} B a stage; "
        f"nodes.parquet {size['nodes'] / rows['nodes']:.0f} B a row, links.parquet "
        f"{size['links'] / rows['links']:.0f} B a row"
    )


if __name__ == "__main__":
    arguments = sys.argv[1:]
    if arguments[:1] == ["--chunk-rows"]:
        from offloadsim.engine import records

        records.CHUNK_ROWS = int(arguments[1])
        arguments = arguments[2:]
    for argument in arguments or DEFAULT:
        print(measure(argument), flush=True)
