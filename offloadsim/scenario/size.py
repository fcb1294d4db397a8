"""How big a scenario may be: fixed limits, and estimates of its memory and disk checked before building it.

The estimate counts what a run keeps per node, per processor, per link and
per recorded task (measured with ``offloadsim run`` on this project's
benchmarks: peak resident memory of the whole process, see
docs/performance.md), and the fixed limits are set so that the largest world
they allow fits in 4 GB by that estimate.  A scenario whose estimate exceeds
the memory this process may still use (:func:`offloadsim.memory.available_bytes`)
is refused with exit status 2 before its world is built, instead of running
out of memory part-way; :mod:`offloadsim.scenario.refusal` decides what the
refusal says.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from offloadsim.field_values import FieldValues

__all__ = [
    "LINK_BYTES",
    "MAX_GROUP_COUNT",
    "MAX_LINKS",
    "MAX_NODES",
    "NODE_BYTES",
    "PROCESSOR_BYTES",
    "RUN_BYTES",
    "TASK_BYTES",
    "HELD_BYTES",
    "POSITION_ROW_BYTES",
    "SAMPLE_BYTES",
    "SERIES_ROW_BYTES",
    "SERIES_VALUE_BYTES",
    "JOB_FILE_BYTES",
    "JOB_NODE_BYTES",
    "MERGED_JOB_BYTES",
    "MERGED_NODE_BYTES",
    "LINK_FILE_BYTES",
    "NODE_FILE_BYTES",
    "PROCESSOR_FILE_BYTES",
    "JOB_PROCESSOR_BYTES",
    "MERGED_PROCESSOR_BYTES",
    "MERGED_METRIC_BYTES",
    "RUN_FILE_BYTES",
    "STAGES_PER_TASK",
    "STAGE_FILE_BYTES",
    "STAGE_SPILL_BYTES",
    "TASK_FILE_BYTES",
    "TASK_SPILL_BYTES",
    "Footprint",
    "SetBy",
    "closed_loop_arrivals",
    "expected_arrivals",
    "measured_window",
    "output_tokens_per_task",
    "series_row_bytes",
    "stages_per_task",
]

#: Members of a group at most: a processor's cores, a closed loop's users per source.
MAX_GROUP_COUNT = 1_000_000
#: Nodes in a scenario at most (every ``count`` added up).
MAX_NODES = 500_000
#: Links in a scenario at most (every pair each ``links`` entry expands to, added up).
MAX_LINKS = 1_000_000

# Peak resident bytes a run adds per item, measured end to end (the process, world, engine, the
# tables built after the run and the Parquet files written): 100,000 and 200,000 devices with a
# processor and a link each took 5.1 kB per device; without a processor, 3.4 kB; 100,000 links
# among 700 nodes, 1.7 kB per link.  Tasks: the records are spilled to disk as the run goes and the
# summary reads them a chunk at a time, so a task leaves little behind.  Benchmark (a) (M/M/1, one
# node; `/usr/bin/time -v offloadsim run benchmarks/scenarios/mm1.yaml --set "duration=T s"`,
# 2026-12-02) peaked at 216 MiB for 999,485 tasks, 225 MiB for 3,999,364 and 210 MiB for
# 10,001,573: no growth beyond the runs' spread; TASK_BYTES is the largest rise between two of
# them, 3.3 bytes a task (10^6 to 4 x 10^6), rounded up.  (It was 40 while the summary read whole
# columns.)  HELD_BYTES is for arrival times a process holds in memory for the whole run (a
# trace's rows, copied to each source): loading a trace of 10^6 rows held 50 bytes a task for one
# source, 18.5 for four sources sharing the rows (tracemalloc), and starting the run lists each
# source's times again (8 bytes a task): 60 with a margin.
NODE_BYTES = 1_700
PROCESSOR_BYTES = 1_700
LINK_BYTES = 1_700
TASK_BYTES = 4
HELD_BYTES = 60
# The other tables a scenario names, by the peak their reading adds beside the file's text, a row
# (tracemalloc, files of 1,000,000 and 4,000,000 tiny rows: `python benchmarks/table_row_bytes.py N`,
# 2026-12-05): empirical samples 48 and 41 bytes (a float and its places in a list and the tuple the
# distribution keeps; a run's draws index an array of them, 8 more), a link trace of time and one
# value 100 and 96, positions (float64 arrays) 46 and 42.  A link trace's further value columns
# (1,000,000 rows of 2, 3 and 4 value columns: 138.9, 178.1 and 217.3 bytes a row) add 39 to 40
# each: SERIES_VALUE_BYTES (:func:`series_row_bytes`).
SAMPLE_BYTES = 48
# A dynamics entry's changes, each kept to the run's end: a link direction's row of the link_changes
# table (eleven list cells) and its step in the links' time-weighted means (engine/piecewise.py).
# Peak resident memory (/usr/bin/time -v) of a run of four links following one 10 ms trace (HM46's
# trial): 1.23 GB over 60 s and 3.81 GB over 6 h, 8,640,000 changes more: 300 bytes a change.
CHANGE_BYTES = 300
SERIES_ROW_BYTES = 100
SERIES_VALUE_BYTES = 40
POSITION_ROW_BYTES = 48
#: What a run adds whatever its size: the tables' and Parquet's libraries and buffers.
RUN_BYTES = 100 * 2**20

# Disk: the bytes a run writes where its run directory goes, measured on the shipped scenarios with
# --stages (docs/scenario-format.md, "Size: limits and memory", Disk; benchmarks/disk_bytes.py).
# A run's records are spilled beside its run directory as uncompressed chunks and tasks.parquet is
# written from them before they are removed, so at its peak a run holds both.  Long runs (2,500 to
# 10^6 tasks, 2026-12-02) of benchmark (a) and six shipped scenarios took 24 to 75.1 bytes of
# tasks.parquet a task (75.1: commute, with its handovers column) and 30.8 to 36.2 of
# stages.parquet a stage; spilled chunks took 138.2 bytes a task and 48.5 a stage (in chunks of
# 500 records, --chunk-rows 500; fewer in full chunks, whose headers weigh less).  Tasks recorded
# 1 to 4 stages each on average (4: camera-multitier, three tiers and the transfers between them):
# one compute stage per node of the plan, however many layers run there, and the transfers; an LLM
# request one more per output token (llm-assistant: 39.5 for a mean of 40).  nodes.parquet and
# links.parquet took at most 656 and 241 bytes a row where they had 13 to 24 rows (mostly their
# fixed part), and a link has a row per direction.  The fixed part (`python benchmarks/disk_bytes.py
# --fixed`, 2026-12-02): a run of no tasks with --stages of each shipped scenario wrote 32.4 to
# 50.0 kB (the Parquet files' schemas and footers, tasks.parquet's 14.2 kB the most; the summary
# and manifest), at most 32.3 kB beyond NODE_FILE_BYTES a node and LINK_FILE_BYTES a link
# (unstable-uplink, 2 nodes); RUN_FILE_BYTES is twice that, rounded up.  A node and a link beyond
# those took 149 bytes in all (quickstart's phones, 20 -> 2,020, runs of 5 s: nodes.parquet
# 26.6 B a row, links.parquet 15.1 B a row, the summary's entries the rest), and a link 268 B
# (benchmark (c)'s 10,020 links against (b)'s 1,020, runs of no tasks: the summary's entries by
# direction); so NODE_FILE_BYTES and LINK_FILE_BYTES bound them more than twice over.
# processors.parquet (a row per processor of every computing node, since 2026-12-05; `python
# benchmarks/disk_bytes.py --fixed`, 2026-12-05): its schema and footer took 4.9 to 5.3 kB in runs of no
# tasks of the shipped scenarios, which then wrote 37.6 to 57.5 kB in all and at most 37.5 kB beyond
# NODE_FILE_BYTES a node, LINK_FILE_BYTES a link and PROCESSOR_FILE_BYTES a processor (unstable-uplink):
# RUN_FILE_BYTES is 1.75 times that.  A row took 17.8 bytes (quickstart's phones, 20 -> 2,020, 5 s;
# a phone, its node, link and processor, 163.7 bytes in all) and 7.1 (benchmark (b), no tasks):
# PROCESSOR_FILE_BYTES is twice the most, rounded up.  Since summary.json lists every processor too
# (`processors`, 2026-12-05; `python benchmarks/disk_bytes.py --fixed`), a phone took 398.1 bytes in
# all, 325.9 of them summary.json's, 234.4 its processor's entry there (quickstart, 20 -> 2,020, 5 s;
# at most 206 characters an entry, its profile's name the longest part): a processor 252.2 bytes with
# its processors.parquet row, and PROCESSOR_FILE_BYTES twice that, rounded up.  The runs of no tasks
# then wrote 39.7 to 60.3 kB in all and at most 37.0 kB beyond NODE_FILE_BYTES a node,
# LINK_FILE_BYTES a link and PROCESSOR_FILE_BYTES a processor (unstable-uplink): RUN_FILE_BYTES still
# bounds it 1.75 times.
TASK_FILE_BYTES = 80
TASK_SPILL_BYTES = 140
STAGE_FILE_BYTES = 50
STAGE_SPILL_BYTES = 50
STAGES_PER_TASK = 4
NODE_FILE_BYTES = 700
LINK_FILE_BYTES = 2 * 300
PROCESSOR_FILE_BYTES = 510
#: What a run writes whatever its size: the summary, the manifest, the Parquet files' fixed parts.
#: 64 KiB as measured (below), and 4 KiB more for the notes a run's manifest keeps (a few hundred
#: bytes each): a comparison of quickstart's local and edge, 2 runs each, wrote 286 bytes beyond
#: the 64 KiB estimate once the CPU profiles' efficiency got its note (2026-12-06); 4 KiB more since
#: notes name the nodes they are about (a figure filtered by node keeps its own): the same comparison
#: wrote 120,085 bytes against 119,232 estimated, and its manifest grew 51 bytes a phone (quickstart,
#: 20 -> 200 phones: 7,862 -> 17,094 bytes), once a comparison, within MERGED_NODE_BYTES' 64 a job.
#: 4 KiB more once the tasks gained lost_at and the metrics raw_input_offloaded_share and overloaded
#: (2026-12-07): the same comparison wrote 123,466 bytes against 123,328 estimated.
RUN_FILE_BYTES = 76 * 2**10
# A compare's or sweep's job: a job file (its tasks, with its node records and metrics as metadata)
# until the tables are merged (a sweep keeps it in OUT/points), and its rows in the merged tables,
# whose fixed part RUN_FILE_BYTES bounds (`python benchmarks/disk_bytes.py --jobs`, 2026-12-02).
# Sweeps of 2 points x 2 replications of runs of no tasks of each shipped scenario wrote job files of
# at most 15.8 kB beyond 400 bytes a node (benchmark (a), one node) and merged tables of 45.7 to
# 57.6 kB.  A node's records took 172 bytes of a job file (benchmark (b)'s 1,021 nodes against (a)'s
# one: JSON in the metadata, which the Arrow schema holds a second time).  In the merged tables a
# point (its summary rows, one per metric) added 911 bytes and a job of the same point 29 more
# (quickstart, 2 -> 50 points and 2 -> 50 replications), a node row 7.7 (benchmark (b) for 2 s; a
# run's nodes.parquet row took 26.6).  The tasks take TASK_FILE_BYTES in both.  JOB_FILE_BYTES,
# JOB_NODE_BYTES and MERGED_JOB_BYTES are about twice the most measured (the last counting every job
# as a point of its own), MERGED_NODE_BYTES twice a run's node row.
# Since 2026-12-05 a job file also carries its run's processors table, own notes and recovery counts
# in its metadata, and the merged tables a processors.parquet (`python benchmarks/disk_bytes.py
# --jobs`, 2026-12-05): a node and its processor took 303.6 bytes of a job file (benchmark (b) against
# (a), where a node alone had taken 172; a processor's row is 51 bytes of JSON, which the file holds
# twice), so JOB_NODE_BYTES + JOB_PROCESSOR_BYTES is more than twice that; job files took at most
# 15.7 kB beyond them (benchmark (a); a run's own notes, a few lines, come on top); merged tables of
# 2 x 2 jobs of no tasks 52.0 to 55.9 kB for one to 37 nodes (102.8 kB for benchmark (b)'s 1,021).
# A merged processors.parquet row took 5.3 bytes (quickstart) to 7.1 (benchmark (b), 2 s), a run's
# own row 17.8: MERGED_PROCESSOR_BYTES is twice that (no summary.json per job there).  A job added
# 28 bytes beside its node and processor rows (quickstart, 2 -> 50 replications) and a point of 2
# jobs 975 (2 -> 50 points), and each job's own notes go to the merged manifest (about 450 bytes for
# the line on its processors after a node's first): MERGED_JOB_BYTES still bounds them.
# Since 2026-12-05 a tier where a node has several processors adds a metric a processor name
# (utilisation_<tier>_<processor>): a job file's metrics hold it, and the merged metrics.parquet a
# column, summary.parquet and summary.csv a row a point.  A node of 200 processors against one of one
# (tests/test_disk_estimate.py's, 199 metrics more): the merged tables of a sweep of one job grew by
# 137.5 kB, 691 bytes a metric (metrics.parquet 127.3 kB, the columns' schema, which it holds once
# however many jobs: a sweep of 2 points x 2 replications wrote the same), and the job file by
# 168 bytes a processor (its row of the processors table and its metric), which JOB_PROCESSOR_BYTES
# bounds.  MERGED_METRIC_BYTES is twice the 691 bytes, rounded up, counted for every job as
# MERGED_JOB_BYTES counts every job as a point.
JOB_FILE_BYTES = 32 * 2**10
JOB_NODE_BYTES = 400
JOB_PROCESSOR_BYTES = 300
MERGED_JOB_BYTES = 2 * 2**10
MERGED_NODE_BYTES = 64
MERGED_PROCESSOR_BYTES = 40
MERGED_METRIC_BYTES = 1400


class SetBy(NamedTuple):
    """Where a scenario key got its value other than from the scenario file, for a refusal to name.

    ``file`` and ``key``: the place to name (the scenario file and the path of
    a ``--set``; a sweep file and its ``set.KEY`` or ``grid[...]`` key);
    ``note``: what else says where (``set by --set "duration=1e7 s"``).
    """

    file: str
    key: str
    note: str


# eq=False, repr=False: FieldValues's __eq__, __hash__ and __repr__ (issue 12 e: see offloadsim.field_values).
@dataclass(frozen=True, eq=False, repr=False)
class Footprint(FieldValues):
    """What a scenario holds: the counts the memory estimate is made of, and the keys that set them."""

    nodes: int = 0
    processors: int = 0
    links: int = 0
    tasks: float = 0.0
    held: float = 0.0  # of the tasks, those whose arrival times are held in memory (a trace's)
    stages: float = 0.0  # stages and transfers the measured tasks record with --stages
    # Every processor of every computing node (``processors`` counts the computing nodes): a row each of
    # processors.parquet and of a job file's processors table.
    processor_rows: int = 0
    # The metrics a (tier, processor name) of the tiers where a node has several processors: a column
    # each of a compare's or sweep's metrics (utilisation_<tier>_<processor>).
    processor_metrics: int = 0
    # By part (``nodes``, ``links``, ``workload``), the scenario keys a user changes to make it
    # smaller, most telling first: ``duration``, the heaviest entry's rate, its sources' counts.
    keys: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # Scenario keys given outside the scenario file (--set, a sweep), by key path: a refusal names them.
    set_by: tuple[tuple[str, SetBy], ...] = ()

    @property
    def run_files(self) -> float:
        """Bytes a run's directory holds at the end, without ``stages.parquet``."""
        return (
            RUN_FILE_BYTES
            + self.nodes * NODE_FILE_BYTES
            + self.links * LINK_FILE_BYTES
            + self.processor_rows * PROCESSOR_FILE_BYTES
            + self.tasks * TASK_FILE_BYTES
        )

    @property
    def job_file(self) -> float:
        """Bytes of a compare's or sweep's job file of a run of it: tasks, nodes, processors, metrics."""
        return (
            JOB_FILE_BYTES
            + self.nodes * JOB_NODE_BYTES
            + self.processor_rows * JOB_PROCESSOR_BYTES
            + self.tasks * TASK_FILE_BYTES
        )

    @property
    def merged_rows(self) -> float:
        """Bytes a run of it adds to a compare's or sweep's merged tables (beside their RUN_FILE_BYTES)."""
        return (
            MERGED_JOB_BYTES
            + self.nodes * MERGED_NODE_BYTES
            + self.processor_rows * MERGED_PROCESSOR_BYTES
            + self.processor_metrics * MERGED_METRIC_BYTES
            + self.tasks * TASK_FILE_BYTES
        )

    def spilled(self, stages: bool = False) -> float:
        """Bytes of records a run spills while it goes (``stages``: and its stage log and stages.parquet)."""
        spilled = self.tasks * TASK_SPILL_BYTES
        if stages:
            spilled += self.stages * (STAGE_FILE_BYTES + STAGE_SPILL_BYTES)
        return spilled

    def disk_bytes(self, stages: bool = False) -> float:
        """Peak bytes a run writes where its run directory goes: its files and the chunks they come from."""
        return self.run_files + self.spilled(stages)

    @property
    def bytes(self) -> float:
        """Estimated peak memory a run of it adds, in bytes."""
        return (
            RUN_BYTES
            + self.nodes * NODE_BYTES
            + self.processors * PROCESSOR_BYTES
            + self.links * LINK_BYTES
            + self.tasks * TASK_BYTES
            + self.held * HELD_BYTES
        )

    def largest(self, disk: bool = False) -> str:
        """The part whose items weigh most (``disk``: on disk): ``nodes``, ``links`` or ``workload``."""
        if disk:
            weights = {
                "nodes": self.nodes * NODE_FILE_BYTES + self.processor_rows * PROCESSOR_FILE_BYTES,
                "links": self.links * LINK_FILE_BYTES,
                "workload": self.tasks * (TASK_FILE_BYTES + TASK_SPILL_BYTES),
            }
        else:
            weights = {
                "nodes": self.nodes * NODE_BYTES + self.processors * PROCESSOR_BYTES,
                "links": self.links * LINK_BYTES,
                "workload": self.tasks * TASK_BYTES + self.held * HELD_BYTES,
            }
        return max(weights, key=lambda key: weights[key])

    def keys_of(self, part: str) -> tuple[str, ...]:
        """The scenario keys that set ``part``'s size (``duration``, ``workload[0].rate``, ...)."""
        return dict(self.keys).get(part, ())


class _HasMean(Protocol):
    @property
    def mean(self) -> float: ...


class RecordsStages(Protocol):
    """What :func:`stages_per_task` needs of an application (a ``scenario.model.AppSpec``)."""

    @property
    def output_tokens(self) -> _HasMean | None: ...

    @property
    def alternatives(self) -> tuple[str, ...]: ...


def stages_per_task(
    app: RecordsStages, applications: Mapping[str, RecordsStages], transfers: bool = True
) -> float:
    """Stages and transfers a task of ``app`` records with ``--stages``, as the estimate counts them.

    A task records one compute stage per node its plan runs on, however many
    layers run there, and the transfers between them: :data:`STAGES_PER_TASK`,
    or one where nothing can be transferred (a scenario without links).  An
    LLM request adds its mean output tokens (one decode stage each), the
    most of its own and its alternatives'.
    """
    return (STAGES_PER_TASK if transfers else 1) + output_tokens_per_task(app, applications)


def output_tokens_per_task(app: RecordsStages, applications: Mapping[str, RecordsStages]) -> float:
    """Mean output tokens a request of ``app`` decodes (one stage each); 0 for one that is no LLM.

    The most of its own and its alternatives', since a policy may serve it by any of them.
    """
    served = [app, *(applications[name] for name in app.alternatives if name in applications)]
    return max((a.output_tokens.mean for a in served if a.output_tokens is not None), default=0.0)


class CountsArrivals(Protocol):
    """What the estimate needs of an arrival process (any of ``scenario/arrivals``)."""

    def expected_arrivals(self, sources: int, window_s: float) -> float: ...


def expected_arrivals(process: CountsArrivals, sources: int, window_s: float) -> float:
    """Arrivals a workload entry makes in ``window_s`` of measured time, by its arrival process.

    Poisson and periodic by their mean rate; a closed loop at least once per
    user; a trace is counted from its rows where it is read.
    """
    if window_s <= 0 or sources == 0:
        return 0.0
    return process.expected_arrivals(sources, window_s)


def series_row_bytes(values: int) -> float:
    """Bytes a row of a link trace of ``values`` value columns (besides its time) takes once read.

    >>> series_row_bytes(1), series_row_bytes(4)
    (100, 220)
    """
    return SERIES_ROW_BYTES + SERIES_VALUE_BYTES * (max(1, values) - 1)


def measured_window(start_s: float, stop_s: float | None, warmup_s: float, end_s: float) -> float:
    """Seconds of an entry's arrivals that fall in the measured time ``[warmup, end)``."""
    stop = end_s if stop_s is None else min(stop_s, end_s)
    return max(0.0, stop - max(start_s, warmup_s))


def closed_loop_arrivals(users: int, window_s: float, cycle_s: float, service_s: float, cores: int) -> float:
    """Requests ``users`` closed-loop users (all their sources' together) make in ``window_s``, at most.

    A user sends again only after its request ends and it has thought, so a
    mean cycle of at least ``cycle_s`` (the mean think time plus the least
    mean service of a request) gives ``users * window / cycle``; and the
    ``cores`` that may serve them finish at most ``cores * window / service``;
    plus one request a user (as :meth:`Closed.expected_arrivals` counts them):
    the one it has waiting or in service when the window ends.  An unbounded
    count (no time at all) is ``inf``.

    >>> closed_loop_arrivals(10, 100.0, 0.1, 0.05, 1)  # one core: 20 /s, not the users' 100 /s
    2010.0
    """
    if window_s <= 0 or users == 0:
        return 0.0
    by_users = users * window_s / cycle_s if cycle_s > 0 else math.inf
    by_cores = cores * window_s / service_s if service_s > 0 else math.inf
    return users + min(by_users, by_cores)
