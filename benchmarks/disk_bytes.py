"""Bytes a run writes per task and per stage: the measurement behind the disk estimate.

    python benchmarks/disk_bytes.py                      # the runs docs/scenario-format.md quotes
    python benchmarks/disk_bytes.py 'scenarios/x.yaml;duration=600 s'
    python benchmarks/disk_bytes.py --chunk-rows 500     # every run spills, in chunks of 500 records
    python benchmarks/disk_bytes.py --fixed              # a run's fixed part: runs of no tasks
    python benchmarks/disk_bytes.py --jobs               # a compare's or sweep's job files and tables

Runs each scenario (``FILE;KEY=VALUE;...``, the values as ``--set`` takes
them) once with ``--stages`` into a temporary directory and prints its
tasks, stages per task, the bytes of ``tasks.parquet`` per task and of
``stages.parquet`` per stage, the spilled chunks' bytes per record they hold
(of every chunk file the records and the stage log wrote: nothing spills
from a run shorter than a chunk, 131,072 records, unless ``--chunk-rows``
makes chunks smaller), and ``nodes.parquet``, ``links.parquet`` and
``processors.parquet`` per row. The constants of
``offloadsim/scenario/size.py`` (``TASK_FILE_BYTES`` ...) are the largest of
these, rounded up.

``--fixed`` measures what a run writes whatever its number of tasks: a run
of no tasks (``workload=[]``, with ``--stages``) of every shipped scenario
(``scenarios/`` and ``benchmarks/scenarios/``), its bytes in all and what is
left of them beyond ``NODE_FILE_BYTES`` a node, ``LINK_FILE_BYTES`` a link
and ``PROCESSOR_FILE_BYTES`` a processor (``RUN_FILE_BYTES`` bounds that);
then what a node and a link add to the files but the task and stage files
(runs of 5 s of quickstart with 20 and 2,020 phones: ``NODE_FILE_BYTES +
LINK_FILE_BYTES`` bounds it), and what a link adds (runs of no tasks of
benchmark (c) and (b): ``LINK_FILE_BYTES``).

``--jobs`` measures what a compare's or sweep's job adds: sweeps of runs of
no tasks of every shipped scenario (2 points x 2 replications) and their job
files' bytes beyond ``JOB_NODE_BYTES`` a node and ``JOB_PROCESSOR_BYTES`` a
processor (``JOB_FILE_BYTES`` bounds that) and merged tables'
(``RUN_FILE_BYTES``); the bytes of a node's and its processor's records in a
job file (benchmark (b)'s 1,021 nodes against (a)'s one); what a point and a
job add to the merged tables (quickstart, 2 -> 50 points and 2 -> 50
replications; ``MERGED_JOB_BYTES`` bounds a job that is a point of its own);
and a node row and a processor row of the merged tables with tasks
(benchmark (b), 2 s: ``MERGED_NODE_BYTES``, ``MERGED_PROCESSOR_BYTES``).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import NoReturn

import numpy as np
import pyarrow.parquet as pq

from offloadsim import api
from offloadsim.cli.types import positive
from offloadsim.errors import RunError
from offloadsim.experiments import SWEEP_FILES, sweep, sweep_from_data
from offloadsim.records.spill import SpilledTable
from offloadsim.scenario.errors import ScenarioError
from offloadsim.scenario.size import (
    JOB_NODE_BYTES,
    JOB_PROCESSOR_BYTES,
    LINK_FILE_BYTES,
    NODE_FILE_BYTES,
    PROCESSOR_FILE_BYTES,
)

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
            names = ("tasks", "stages", "nodes", "links", "processors")
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
        f"{size['links'] / rows['links']:.0f} B a row, processors.parquet "
        f"{size['processors'] / rows['processors']:.0f} B a row"
    )


TASK_FILES = ("tasks.parquet", "stages.parquet")


def _run_files(file: Path, overrides: list[str]) -> dict[str, int]:
    """The bytes of each file a run of ``file`` with ``--stages`` wrote."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run"
        api.run(api.load(file, overrides), out=out, stages=True, progress=False)
        leftover = [p for p in Path(tmp).iterdir() if p != out]
        assert not leftover, leftover  # nothing spilled beside it is left to count
        return {p.name: p.stat().st_size for p in out.iterdir()}


def measure_fixed() -> None:
    """Print the bytes of a run of no tasks of every shipped scenario, and the bytes per node and link row."""
    for file in _shipped():
        try:
            scenario, sizes = api.load(file, ["workload=[]"]), _run_files(file, ["workload=[]"])
        except Exception as error:  # a sweep file, not a scenario
            print(f"{file.relative_to(REPO)}: not a scenario ({type(error).__name__})", flush=True)
            continue
        footprint = scenario.footprint
        total = sum(sizes.values())
        fixed = (
            total
            - footprint.nodes * NODE_FILE_BYTES
            - footprint.links * LINK_FILE_BYTES
            - footprint.processor_rows * PROCESSOR_FILE_BYTES
        )
        print(
            f"{file.relative_to(REPO)}: {footprint.nodes} nodes, {footprint.links} links, "
            f"{footprint.processor_rows} processors: {total:,} B in all "
            f"(tasks.parquet {sizes['tasks.parquet']:,}, stages.parquet {sizes['stages.parquet']:,}, "
            f"nodes.parquet {sizes['nodes.parquet']:,}, links.parquet {sizes['links.parquet']:,}, "
            f"processors.parquet {sizes['processors.parquet']:,}), {fixed:,} B beyond {NODE_FILE_BYTES} B "
            f"a node, {LINK_FILE_BYTES} B a link and {PROCESSOR_FILE_BYTES} B a processor",
            flush=True,
        )
    # A node and a link: quickstart's phones (each a node and its link), in runs of 5 s with tasks, so
    # that the rows hold values; the task and stage files, which grow with the tasks, left out.
    quickstart = REPO / "scenarios" / "quickstart.yaml"
    small = _run_files(quickstart, ["duration=5 s", "nodes.phone.count=20"])
    large = _run_files(quickstart, ["duration=5 s", "nodes.phone.count=2020"])
    added = {name: (large[name] - small[name]) / 2000 for name in large if name not in TASK_FILES}
    print(
        f"a phone (a node and a link; quickstart, 5 s, 20 -> 2,020 phones): {sum(added.values()):.1f} B "
        f"({', '.join(f'{name} {size:.1f}' for name, size in sorted(added.items()))})",
        flush=True,
    )
    # A link: benchmark (c) has 9,000 links more than (b), on the same nodes.
    city = _run_files(REPO / "benchmarks" / "scenarios" / "city.yaml", ["workload=[]"])
    mobility = _run_files(REPO / "benchmarks" / "scenarios" / "mobility.yaml", ["workload=[]"])
    added = {name: (mobility[name] - city[name]) / 9000 for name in city if name not in TASK_FILES}
    print(
        f"a link (benchmark (c) against (b), no tasks): {sum(added.values()):.1f} B "
        f"({', '.join(f'{name} {size:.1f}' for name, size in sorted(added.items()))})",
        flush=True,
    )


def _sweep_files(base: Path, fixed: dict[str, object], points: int, replications: int) -> dict[str, int]:
    """Bytes of a sweep of ``base`` (``set: fixed``, ``points`` warm-ups) by file; ``points/`` as one."""
    with tempfile.TemporaryDirectory() as tmp:
        grid = {"warmup": [f"{i} s" for i in range(points)]}
        data = {"base": str(base), "set": fixed, "grid": grid, "replications": replications}
        out = Path(tmp) / "out"
        sweep(sweep_from_data(data, source=str(Path(tmp) / "sweep.yaml")), out=out, workers=1)
        sizes = {p.name: p.stat().st_size for p in out.iterdir() if p.is_file()}
        jobs = [p.stat().st_size for p in (out / "points").iterdir()]
        rows = pq.ParquetFile(out / "nodes.parquet").metadata.num_rows
        processors = pq.ParquetFile(out / "processors.parquet").metadata.num_rows
        return {
            **sizes,
            "points/": sum(jobs),
            "largest job": max(jobs),
            "node rows": rows,
            "processor rows": processors,
        }


def measure_jobs() -> None:
    """Print the bytes of job files and merged tables of sweeps, and what a node, a job and a point add."""
    tables = tuple(name for name in SWEEP_FILES if name != "manifest.json")  # each a table's rows
    none = {"workload": []}
    for file in _shipped():
        try:
            footprint, sizes = api.load(file, ["workload=[]"]).footprint, _sweep_files(file, none, 2, 2)
        except Exception as error:  # a sweep file, not a scenario
            print(f"{file.relative_to(REPO)}: not a scenario ({type(error).__name__})", flush=True)
            continue
        merged = sum(sizes[name] for name in SWEEP_FILES)
        beyond = (
            sizes["largest job"]
            - footprint.nodes * JOB_NODE_BYTES
            - footprint.processor_rows * JOB_PROCESSOR_BYTES
        )
        print(
            f"{file.relative_to(REPO)}: {footprint.nodes} nodes, {footprint.processor_rows} processors: job "
            f"file {sizes['largest job']:,} B, {beyond:,} B beyond {JOB_NODE_BYTES} B a node and "
            f"{JOB_PROCESSOR_BYTES} B a processor; merged tables {merged:,} B (4 jobs, 2 points)",
            flush=True,
        )
    city = _sweep_files(REPO / "benchmarks" / "scenarios" / "city.yaml", none, 1, 1)
    mm1 = _sweep_files(REPO / "benchmarks" / "scenarios" / "mm1.yaml", none, 1, 1)
    print(
        "a node and its processor in a job file (benchmark (b) against (a)): "
        f"{(city['points/'] - mm1['points/']) / 1020:.1f} B"
    )
    quickstart = REPO / "scenarios" / "quickstart.yaml"
    small, points, jobs = (_sweep_files(quickstart, none, p, r) for p, r in ((2, 2), (50, 2), (2, 50)))
    for what, large, added in (("a point (2 jobs)", points, 48), ("a job of the same point", jobs, 96)):
        grown = {name: (large[name] - small[name]) / added for name in tables}
        print(
            f"{what} in the merged tables (quickstart): {sum(grown.values()):.1f} B "
            f"({', '.join(f'{name} {size:.1f}' for name, size in grown.items())})",
            flush=True,
        )
    busy = _sweep_files(REPO / "benchmarks" / "scenarios" / "city.yaml", {"duration": "2 s"}, 2, 2)
    print(
        "a node row of the merged tables (benchmark (b), 2 s): "
        f"{busy['nodes.parquet'] / busy['node rows']:.1f} B; a processor row "
        f"{busy['processors.parquet'] / busy['processor rows']:.1f} B"
    )


def _shipped() -> list[Path]:
    """The shipped scenario files (and sweep files, which the callers skip)."""
    return sorted((REPO / "scenarios").glob("*.yaml")) + sorted(
        (REPO / "benchmarks" / "scenarios").glob("*.yaml")
    )


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line (``prog: error: ...``), exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    """The script's arguments: scenarios to measure, or ``--fixed`` or ``--jobs`` alone."""
    parser = _Parser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "scenarios",
        nargs="*",
        metavar="FILE;KEY=VALUE;...",
        help="a scenario file (relative to the repository) and overrides as --set takes them "
        "(default: the runs docs/scenario-format.md quotes)",
    )
    alone = parser.add_mutually_exclusive_group()
    alone.add_argument("--fixed", action="store_true", help="a run's fixed part: runs of no tasks")
    alone.add_argument("--jobs", action="store_true", help="a compare's or sweep's job files and tables")
    parser.add_argument(
        "--chunk-rows",
        type=positive,
        metavar="N",
        help="spill records in chunks of N (default: the records' 131,072), so that every run spills",
    )
    return parser


def main(argv: list[str] | None = None) -> None:
    """Measure what the arguments ask for; a bad argument or scenario is one line and exit status 2."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if (args.fixed or args.jobs) and (args.scenarios or args.chunk_rows is not None):
        parser.error(f"{'--fixed' if args.fixed else '--jobs'} takes no scenarios and no --chunk-rows")
    if args.fixed:
        measure_fixed()
        return
    if args.jobs:
        measure_jobs()
        return
    arguments = args.scenarios or DEFAULT
    for argument in arguments:  # every scenario checked before the first is measured
        file, *overrides = argument.split(";")
        try:
            api.load(REPO / file, overrides)
        except (RunError, ScenarioError) as error:
            parser.exit(2, f"{parser.prog}: error: {error}\n")
    if args.chunk_rows is not None:
        from offloadsim.engine import records

        records.CHUNK_ROWS = args.chunk_rows
    for argument in arguments:
        print(measure(argument), flush=True)


if __name__ == "__main__":
    main()
