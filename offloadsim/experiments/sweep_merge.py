"""A finished sweep's job files merged, in job order, into its tables, each written atomically.

``tasks.parquet`` (one row per task, swept values and point first), ``metrics.parquet``
(one row per job), ``nodes.parquet``, ``summary.parquet``/``summary.csv`` (mean and 95 % CI
per point and metric), ``groups.csv`` (the same per source group, where the tasks' sources span
several of the scenario's node groups), ``apps.csv`` (the same per application, where the tasks
span several) and ``manifest.json``.  Jobs are taken in their order (points in
expansion order, then replications), so the tables do not depend on which worker finished
first; a job file saved before the metrics had TTFT and TPOT (or the token rates) has them
worked out from its records as it is merged.
"""

from __future__ import annotations

import contextlib
import json
import math
from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from offloadsim.analysis.breakdown_list import breakdown_files, registered_breakdowns
from offloadsim.analysis.breakdown_registry import Breakdown
from offloadsim.analysis.catalogue import LLM_METRICS, metric_columns
from offloadsim.analysis.decode_ceiling import manifest_ceilings
from offloadsim.analysis.group_warned import EVERY, RunRecords, WarnedGroups, with_group_warned
from offloadsim.analysis.groups import GROUP_COLUMN, group_rows, per_group
from offloadsim.analysis.metric_list import metric_sources, registered_metrics
from offloadsim.analysis.statistics import mean_ci
from offloadsim.analysis.summary import (
    llm_metrics,
    measured_time,
    metrics_every_row_has,
    other_energy_filled,
    with_refilled,
)
from offloadsim.analysis.values import distinct, quantity_kind, typed_column
from offloadsim.analysis.warning_facts import WarningFacts, warning_rows
from offloadsim.experiments.jobs import (
    Job,
    count_builds,
    figure_fields,
    other_code_note,
    plugins_field,
    precision_notes_field,
    run_rows,
    window_fields,
)
from offloadsim.experiments.merge import Insert, served_of, write_merged
from offloadsim.experiments.storage import (
    CATEGORIES,
    ExperimentError,
    JobMeta,
    parquet_writer,
    read_job_columns,
    read_job_footer,
    read_job_meta,
)
from offloadsim.experiments.sweep_identity import base_hash, base_inputs, point_files, sweep_hash
from offloadsim.experiments.sweep_resumes import earlier_manifest, with_resumes
from offloadsim.experiments.sweep_spec import SweepSpec
from offloadsim.host import host_info
from offloadsim.outdir import (
    json_text,
    replace_together,
    text_writer,
)
from offloadsim.point_spans import point_describer
from offloadsim.progress import progress_bar, ticking
from offloadsim.records.formats import SWEEP_FORMAT
from offloadsim.records.input_copies import copy_inputs
from offloadsim.records.scenario_copy import (
    SCENARIO_DOCUMENT,
    SWEEP_DOCUMENT,
    scenario_text,
    sweep_text,
)
from offloadsim.shapes import describe, is_count, is_number

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "SWEEP_FILES",
    "SweepResult",
    "job_file_problem",
    "jobs_by_key",
    "merge_sweep",
    "reusable_job_file",
    "summarize_points",
    "sweep_hash",
    "written_identity",
]

#: The files a finished sweep directory holds (besides ``points/``).
SWEEP_FILES = (
    "tasks.parquet",
    "metrics.parquet",
    "nodes.parquet",
    "processors.parquet",
    "summary.parquet",
    "summary.csv",
    "groups.csv",
    "apps.csv",
    SCENARIO_DOCUMENT,
    SWEEP_DOCUMENT,
    "manifest.json",
)
_FORMAT = SWEEP_FORMAT  # offloadsim.records.formats: the one place its readers know it


@dataclass
class SweepResult:
    """A finished sweep: its directory and merged tables.

    ``ran`` and ``reused`` count the jobs simulated this time and those
    found already finished on disk.
    """

    path: Path
    metrics: pd.DataFrame
    nodes: pd.DataFrame
    summary: pd.DataFrame
    manifest: dict[str, Any]
    ran: int = 0
    reused: int = 0
    #: Of ``ran``, the jobs whose files of other code were there (a resume after an edit reruns them).
    other_code: int = 0
    #: Every job's processors table, with the swept keys, point, policy and replication first.
    processors: pd.DataFrame | None = None
    #: ``summary`` per source group (``groups.csv``: a ``group`` column first); no rows: one group.
    groups: pd.DataFrame | None = None
    #: ``summary`` per value of each registered breakdown (its file: ``apps.csv``, an ``app`` column
    #: first), by its name; absent or no rows: one value.
    breakdowns: dict[str, pd.DataFrame] = field(default_factory=dict)
    _tasks: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def apps(self) -> pd.DataFrame | None:
        """``summary`` per application (the ``apps`` breakdown: ``apps.csv``); None or no rows: one."""
        return self.breakdowns.get("apps")

    @property
    def tasks(self) -> pd.DataFrame:
        """Every job's task records, swept values and point first (``tasks.parquet``, read when asked)."""
        if self._tasks is None:
            from offloadsim.records.results import read_back

            # deleted since: pandas' FileNotFoundError, with a traceback
            self._tasks = read_back(self.path / "tasks.parquet", pd.read_parquet)
        return self._tasks

    @property
    def notes(self) -> tuple[str, ...]:
        """The lines ``offloadsim sweep`` prints under its table (``note: ...``): the manifest's ``notes``.

        Runs that ended with many tasks in flight or dropped, the points' worlds' notes, pooled
        applications, ... (:func:`~offloadsim.analysis.notes.comparison_notes`).
        """
        return tuple(str(note) for note in self.manifest.get("notes", ()))

    def __repr__(self) -> str:
        return (
            f"SweepResult({self.manifest.get('name')!r}, points={self.manifest.get('points')}, "
            f"jobs={len(self.metrics)}, path={str(self.path)!r})"
        )


def merge_sweep(
    spec: SweepSpec,
    jobs: Sequence[Job],
    directory: str | Path,
    run_info: Mapping[str, Any] | None = None,
    world_said: Sequence[str] = (),
    world_points: Sequence[tuple[int | None, str]] = (),
    point_notes: Mapping[int, PointNotes] | None = None,
    progress: bool = False,
    saved: Mapping[str, JobMeta] | None = None,
) -> SweepResult:
    """Merge the job files of ``jobs`` (all finished) into the sweep's tables, written atomically.

    Jobs are taken in their order (point, then replication), so the tables
    do not depend on which worker finished first.  ``world_said``: the notes of the points'
    worlds, first of the manifest's ``notes`` (:func:`_notes`); ``world_points``: each of them
    with its point (None: every one), of which the figures say those their providers say there.
    ``point_notes``: by point, what says its world's notes once its runs have run (given where its
    runs computed, from their job files: :func:`point_computed`); with them, ``world_said`` are
    those and ``world_points``', each with the points it holds at where not all (:func:`said_at`).
    ``progress``: a bar over each of the merge's two passes over the job files, on a terminal: the
    merge of a sweep of thousands of jobs takes minutes after the bar over its jobs is full.
    ``saved``: by key, the record counts and metadata of the job files a resumed sweep checked
    (:func:`reusable_job_file`), not read again; the others' are read here (their records, a job
    at a time, are read when the task table is written either way).
    """
    from offloadsim.records.results import nodes_frame, processors_frame

    directory = Path(directory)
    swept = spec.swept
    files: list[Path] = []
    task_count = 0
    node_parts: list[pd.DataFrame] = []
    metric_rows: list[dict[str, Any]] = []
    point_values: dict[str, list[Any]] = {key: [] for key in swept}
    node_point: list[np.ndarray] = []
    cuts: list[dict[str, Any]] = []  # LLM requests cut to the context window, per job and application
    processor_parts: list[pd.DataFrame] = []
    processor_point: list[np.ndarray] = []
    run_notes: list[dict[str, Any]] = []  # each job's own notes, as its run's manifest's
    run_warnings: list[dict[str, Any]] = []  # each job's summary's warnings (older files: none)
    retried: list[dict[str, Any]] = []  # the jobs whose tasks recovery ran again
    link_bytes: list[dict[str, Any]] = []  # what each links[] entry carried, per job (older files: none)
    unnoted = 0  # jobs whose file predates their processors table, notes and recovery counts
    uncounted = 0  # jobs whose file predates the count
    point_ceilings: dict[int, set[float]] = {}  # point -> its jobs' LLM decode ceilings (tokens/s)
    point_saturated: dict[int, bool] = {}  # point -> whether every job of it saturated a decode at one
    point_assumed: dict[int, bool] = {}  # point -> whether a job of it prefilled at an assumed efficiency
    recomputed = 0  # jobs whose file predates the LLM metrics, which its records gave
    builds: list[str] = []  # the engine each job ran on ("" for a file that predates it)
    codes: list[str] = []  # the code each job ran on ("" for a file that predates it)
    by_group: list[dict[str, Any]] = []  # each job's numbers per source group, a row a group
    # Each job's numbers per value of each breakdown (per application: a row an application).
    by_value: dict[str, list[dict[str, Any]]] = {breakdown.name: [] for breakdown in registered_breakdowns()}
    run_records: dict[tuple[str, int], tuple[Path, pd.DataFrame, float, float | None]] = {}  # groups' warned
    carried: dict[tuple[str, int], WarnedGroups] = {}  # each job's warned groups, as its file says
    planned: dict[int, set[tuple[str, ...]]] = {}  # point -> (app, node, processor) its runs computed on
    unplanned: set[int] = set()  # points with a job whose file predates them
    inner: dict[int, dict[str, Any]] = {}  # point -> its by-group policy's inner policies, each group's
    categories: list[Any] = []  # by file, its categorical columns' values, as its metadata holds them
    ordered = sorted(jobs, key=lambda j: (j.index, j.replication))
    with contextlib.closing(
        ticking(ordered, _merge_bar(len(ordered), progress, spec.name, "job files"))
    ) as each:
        for job in each:
            file = directory / "points" / f"{job.key}.parquet"
            rows, meta = _merged_meta(file, (saved or {}).get(job.key))
            files.append(file)
            categories.append(meta.get(CATEGORIES))
            task_count += rows
            builds.append(meta.get("engine_build", ""))
            codes.append(meta.get("code_fingerprint", ""))
            nodes = pd.DataFrame(meta.get("nodes", {}))
            nodes.insert(0, "replication", job.replication)
            nodes.insert(0, "policy", meta["policy"])
            node_parts.append(nodes)
            values = dict(job.point)
            if _before_llm_metrics(
                meta
            ):  # its metrics from before (some of) the LLM metrics: from its records
                found = _llm_metrics_of(file, measured_time(meta["metrics"]), nodes)
                meta["metrics"].update(found)
                recomputed += bool(found)
            # Its metrics from before some registered metrics' columns (its batteries, batteries_flat and
            # battery_left_*; the per-processor utilisations, utilisation_<tier>_<processor>, and its
            # tiers' busiest nodes, utilisation_<tier>_max): from its nodes and processors tables, as
            # metrics_row gives them (each metric's refill; a file older still has neither table).
            meta["metrics"] = with_refilled(meta["metrics"], nodes, meta.get("processors") or None)
            names = ("source_groups", *(breakdown.name for breakdown in registered_breakdowns()))
            if all(name in meta for name in names):
                source_groups, *keyed = (
                    {k: math.nan if v is None else v for k, v in meta[n].items()} for n in names
                )
                breakdowns = dict(zip(names[1:], keyed, strict=True))
            else:  # a file saved before job files kept them (or a breakdown): from its records
                source_groups, breakdowns = _keyed_numbers_of(file, meta, job.scenario)
            end_s = meta.get("end_s")  # None: older files
            run_records[(str(job.index), job.replication)] = (
                file,
                nodes,
                measured_time(meta["metrics"]),
                None if end_s is None or not math.isfinite(end_s) else float(end_s),
            )
            if "warned_groups" in meta:  # worked out in its job: its records are not read back for them
                found = meta["warned_groups"]
                carried[(str(job.index), job.replication)] = found if found == EVERY else tuple(found)
            run_of = {"point": job.index, "replication": job.replication, "policy": meta["policy"]}
            by_group += group_rows({**run_of, "job_row": len(metric_rows)}, source_groups)
            for breakdown in registered_breakdowns():
                by_value[breakdown.name] += group_rows(
                    {**run_of, "job_row": len(metric_rows)},
                    breakdowns.get(breakdown.name, {}),
                    breakdown.column,
                    breakdown.file_metrics,
                )
            metric_rows.append(
                {
                    "point": job.index,
                    "replication": job.replication,
                    "seed": meta["seed"],
                    "policy": meta["policy"],
                    "job": job.key,
                    "end_s": math.nan if meta.get("end_s") is None else meta["end_s"],  # None: older files
                    "powered_sources": meta.get("powered_sources", -1),  # -1: not known (older files)
                    **{k: (math.nan if v is None else v) for k, v in meta["metrics"].items()},
                }
            )
            point_ceilings.setdefault(job.index, set()).update(manifest_ceilings([meta]))
            saturated = meta.get("decode_saturated") is True
            point_saturated[job.index] = point_saturated.get(job.index, True) and saturated
            assumed = meta.get("prefill_at_efficiency") is True
            point_assumed[job.index] = point_assumed.get(job.index, False) or assumed
            if "context_cuts" in meta:
                cuts += [
                    {"point": job.index, "replication": job.replication, **cut}
                    for cut in meta["context_cuts"]
                ]
            else:
                uncounted += 1
            if meta.get("inner_policies") and job.index not in inner:  # the same in each replication
                inner[job.index] = {
                    "point": job.index,
                    "policy": meta["policy"],
                    "inner": meta["inner_policies"],
                }
            run = {"point": job.index, "replication": job.replication}
            run_warnings += warning_rows(run, meta.get("warnings", []), meta.get("warning_facts", []))
            if "link_bytes" in meta:
                link_bytes.append({**run, "bytes": meta["link_bytes"]})
            if "computed" in meta:  # older files have none: their points' processors said per processor
                planned.setdefault(job.index, set()).update(tuple(each) for each in meta["computed"])
            else:
                unplanned.add(job.index)
            if "notes" in meta:
                table = processors_frame(meta.get("processors") or {})
                processor_parts.append(
                    run_rows(table, {"policy": meta["policy"], "replication": job.replication})
                )
                processor_point.append(np.full(len(table), len(metric_rows) - 1))
                run_notes += [{**run, "note": note} for note in meta["notes"]]
                if meta.get("retried"):
                    retried.append({**run, "retried": meta["retried"], "recovered": meta.get("recovered", 0)})
            else:
                unnoted += 1
            for key in swept:
                point_values[key].append(values[key] if key in values else _in_effect(job, key))
            node_point.append(np.full(len(nodes), len(metric_rows) - 1))

    metrics = other_energy_filled(pd.DataFrame(metric_rows))
    # At once: a column at a time left a frame of many blocks where a family has many columns (a
    # utilisation_<tier>_<processor> each of a tier whose node has many processors), and pandas warned
    # of it at each swept key's insert: the copy is one block a dtype.
    families = [c for m in registered_metrics() if m.family is not None for c in m.present(metrics.columns)]
    metrics = metrics.astype(dict.fromkeys(families, float)).copy()
    job_rows_nodes = np.concatenate(node_point) if node_point else np.array([], dtype=int)
    raw_nodes = pd.concat(node_parts, ignore_index=True) if node_parts else pd.DataFrame()
    nodes = nodes_frame({c: raw_nodes[c] for c in raw_nodes.columns})

    kinds: dict[str, str | None] = {}
    inserts: list[Insert] = []  # the tasks' columns of values per job, inserted as the table is written
    for position, key in enumerate(swept):
        column = typed_column(point_values[key])
        kinds[key] = quantity_kind(distinct(point_values[key]))
        metrics.insert(position, key, column)
        inserts.append((position, key, column))
        nodes.insert(position, key, column[job_rows_nodes] if len(nodes) else column[:0])
    inserts.append((len(swept), "point", metrics["point"].to_numpy()))
    nodes.insert(len(swept), "point", metrics["point"].to_numpy()[job_rows_nodes] if len(nodes) else [])
    no_rows = [run_rows(None, {"policy": "", "replication": 0})]  # every job's file predates the table
    processors = pd.concat(processor_parts or no_rows, ignore_index=True)
    job_rows_processors = np.concatenate(processor_point) if processor_point else np.array([], dtype=int)
    for position, key in enumerate(swept):
        column = typed_column(point_values[key])
        processors.insert(position, key, column[job_rows_processors] if len(processors) else column[:0])
    points = metrics["point"].to_numpy()
    processors.insert(len(swept), "point", points[job_rows_processors] if len(processors) else points[:0])
    # where each point's runs computed: its world's notes and its precision notes are said of those
    ran_on = point_computed(processors, {i: at for i, at in planned.items() if i not in unplanned})
    if point_notes:  # each point's world's notes, said of where its runs computed
        world_points = [
            *world_points,
            *((i, note) for i in sorted(point_notes) for note in point_notes[i](ran_on.get(i))),
        ]
    if world_points:  # named under the table by their values, as its rows and headings name them
        labels = {key: spec.label(key) for key in swept}
        world_said = said_at(
            world_points, {job.index for job in ordered}, point_describer(metrics, swept, labels)
        )
    summary = summarize_points(metrics, swept)
    groups = with_group_warned(
        _group_summary(by_group, metrics, swept, list(summary.columns)),
        run_warnings,
        lambda point, replication: _run_records(run_records[(point, replication)]),
        by="point",
        carried=carried,
    )
    tables = {
        breakdown.name: _breakdown_summary(
            breakdown, by_value[breakdown.name], metrics, swept, list(summary.columns)
        )
        for breakdown in registered_breakdowns()
    }
    from offloadsim.analysis.warned_columns import with_warning_columns

    metrics, summary = with_warning_columns(
        metrics, summary, run_warnings, by="point"
    )  # the notes', a column

    manifest = {
        "format": _FORMAT,
        "name": spec.name,
        "description": spec.description,
        "sweep_file": spec.file,
        "sweep_hash": sweep_hash(spec, (read := base_inputs(spec)), point_files(ordered, read)),
        "base_file": spec.base_name,
        "base_hash": base_hash(spec, read),
        # Those two documents, written beside it: the sweep reruns from its folder, its jobs reused.
        "scenario_document": SCENARIO_DOCUMENT,
        "sweep_document": SWEEP_DOCUMENT,
        "inputs": (inputs := _inputs_of(ordered)),
        "swept": swept,
        "swept_kinds": kinds,
        "labels": {key: spec.label(key) for key in swept},
        "fixed": spec.fixed,
        "points": spec.points,
        "replications": spec.replications,
        # Checks some point skipped (its warnings were not looked for), in the order first named.
        "skipped_checks": list(dict.fromkeys(name for job in ordered for name in job.scenario.skip_checks)),
        **window_fields(job.scenario for job in ordered),
        "jobs": len(ordered),
        "tasks": task_count,
        **host_info(),
        "job_engine_builds": count_builds(builds),
        "job_code_fingerprints": count_builds(codes),  # a Dask worker's code may not be the command's
        **plugins_field(job.plugins for job in ordered),  # whose code ran: none for offloadsim's own
        "metrics": metric_sources(),  # its summary's registered metrics, shipped or a plug-in's
        **dict(run_info or {}),
        "context_cuts": cuts,
        "context_cuts_uncounted_jobs": uncounted,
        # Each point's LLM decode ceilings (tokens/s): a mean decode rate at one is printed as that bound,
        # and its output token throughput where every job of it kept a processor decoding at one busy;
        # its times to first token not where a job of it prefilled at an assumed efficiency.
        "point_decode_ceilings": [
            {
                "point": point,
                "ceilings": sorted(found),
                "saturated": point_saturated.get(point, False),
                "prefill_at_efficiency": point_assumed.get(point, False),
            }
            for point, found in sorted(point_ceilings.items())
            if found
        ],
        "run_notes": run_notes,
        "run_warnings": run_warnings,
        "retried": retried,
        # Each by-group point's inner policies, each group of task sources' (as a run's policy.inner).
        "policy_inner": [inner[point] for point in sorted(inner)],
        "link_bytes": link_bytes,  # whether a swept link carried anything: the notes say where not
        # Each point's note on another precision or a codec (its speed-up a peak ratio): the figures say it.
        "precision_notes": (
            kept_notes := precision_notes_field(
                ((job.index, job.scenario) for job in ordered if job.replication == 0),
                paired=spec.zipped,
                computed={i: {"": at} for i, at in ran_on.items()},
            )
        ),
        # What its figures say of the points they draw: those, and the worlds' a figure says (a GPU's).
        **figure_fields(kept_notes, world_points),
        # Each swept input meaning the model's own tensor (0 B), with its bytes: tables and figures say it.
        "raw_inputs": _raw_inputs(swept, ordered),
        # Each point's scenario checks' warnings, as the sweep said them: a figure marks the point.
        "point_warnings": [
            {"point": job.index, **warning}
            for job in ordered
            if job.replication == 0
            for warning in job.warnings
        ],
        "run_notes_uncounted_jobs": unnoted,
        "llm_metrics_recomputed_jobs": recomputed,
        "files": breakdown_files(SWEEP_FILES),
    }
    manifest = with_resumes(manifest, earlier_manifest(directory, spec.name))  # the first run's provenance
    manifest["notes"] = _notes(
        list(jobs), files, list(world_said), metrics, manifest, processors, categories, nodes
    )
    # The files its points read, copied before the set (the manifest, written last, names them).
    manifest.update(
        copy_inputs(inputs, str(spec.files_folder), directory, [spec.base_document, spec.document])
    )

    if other := other_code_note(manifest):
        manifest["notes"].append(other)
    replace_together(
        directory,
        {
            "tasks.parquet": lambda path: _write_tasks(
                files,
                inserts,
                path,
                task_count,
                lambda part: _merge_bar(len(files), progress, spec.name, part),
                categories,
            ),
            "metrics.parquet": parquet_writer(metrics),
            "nodes.parquet": parquet_writer(nodes),
            "processors.parquet": parquet_writer(processors),
            "summary.parquet": parquet_writer(summary),
            "summary.csv": text_writer(summary.to_csv(index=False, lineterminator="\n")),
            "groups.csv": text_writer(groups.to_csv(index=False, lineterminator="\n")),
            **{
                breakdown.file: text_writer(tables[breakdown.name].to_csv(index=False, lineterminator="\n"))
                for breakdown in registered_breakdowns()
            },
            SCENARIO_DOCUMENT: text_writer(
                scenario_text(  # named by the first run's base file, not the copy a resume read
                    spec.base_document,
                    manifest["base_file"],
                    str(spec.files_folder),
                    bool(inputs),
                    base=True,
                    copied=bool(manifest.get("inputs_copied")),
                )
            ),
            SWEEP_DOCUMENT: text_writer(sweep_text(spec.document, spec.name)),
            "manifest.json": text_writer(json_text(manifest)),
        },
        marker="manifest.json",  # readers need it: a kill midway leaves no mix of old and new tables
    )
    return SweepResult(
        path=directory,
        metrics=metrics,
        nodes=nodes,
        summary=summary,
        manifest=manifest,
        ran=int((run_info or {}).get("jobs_run", 0)),
        reused=int((run_info or {}).get("jobs_reused", 0)),
        other_code=int((run_info or {}).get("jobs_run_other_code", 0)),
        processors=processors,
        groups=groups,
        breakdowns=tables,
    )


def _notes(
    jobs: list[Job],
    files: list[Path],
    world_said: list[str],
    metrics: pd.DataFrame,
    manifest: Mapping[str, Any],
    processors: pd.DataFrame,
    categories: Sequence[Any],
    nodes: pd.DataFrame | None = None,
) -> list[str]:
    """The notes under the sweep's table (:func:`~offloadsim.analysis.notes.comparison_notes`).

    The applications each policy served are those of the jobs' ``files``, where the scenarios have
    several: the values of their ``app`` column, as their metadata holds them (``categories``, by file)
    where a file's records are of one policy, else read from their ``app`` and ``policy`` columns.
    """
    from offloadsim.analysis.notes import SWEEP_APPS_SHOWN, application_order, comparison_notes

    scenarios = [job.scenario for job in jobs]
    served: dict[str, set[str]] = {}
    if len(application_order(scenarios)) > 1:  # one application can pool nothing: no records read
        for file, held in zip(files, categories, strict=True):
            for policy, apps in served_of(file, held).items():
                served.setdefault(policy, set()).update(apps)
    swept = list(manifest.get("swept", []))
    run_keys = [*swept, *(["policy"] if "policy.name" not in swept else []), "replication"]
    notes = comparison_notes(
        scenarios, world_said, served, metrics, manifest, processors, run_keys, SWEEP_APPS_SHOWN, nodes=nodes
    )
    described = point_describer(metrics, swept, manifest.get("labels"))
    return [*notes, *_same_trace_notes(jobs, metrics, described)]


def _same_trace_notes(
    jobs: Sequence[Job], metrics: pd.DataFrame, described: Callable[[int], str]
) -> list[str]:
    """Compare's note on traces every replication plays alike, of each point (:func:`said_at`).

    Each point's note is said of its scenario and its runs' metrics (their seeds aside, which differ
    by design), so a point whose replications came out alike says so, with the points it holds at.
    """
    from offloadsim.analysis.trace_replications import same_trace_note

    runs = Counter(job.index for job in jobs)
    said = []
    for job in jobs:
        if job.replication == 0:
            rows = metrics[metrics["point"] == job.index].drop(columns=["seed"], errors="ignore")
            if note := same_trace_note(job.scenario, runs[job.index], rows):
                said.append((job.index, note))
    return said_at(said, runs, described) if said else []


def _raw_inputs(swept: Sequence[str], jobs: Sequence[Job]) -> list[dict[str, Any]]:
    """Each value of a swept ``applications.APP.input`` that uploads the model's own input, with its bytes.

    ``input: 0 B`` means the tensor the network reads (602,112 B for a 224 px float32 image), so a
    table's ``0 B`` and a figure's ``input upload = 0 kB`` hid what went up.  Rows: ``key``,
    ``value`` (as the tables write it) and ``bytes``; none where no such key is swept.
    """
    from offloadsim.analysis.values import value_text
    from offloadsim.scenario.overrides import PathError, parse_path
    from offloadsim.world.build import raw_inputs

    apps: dict[str, str] = {}
    for key in swept:
        try:
            parts = parse_path(key)
        except PathError:
            continue
        if len(parts) == 3 and parts[0] == "applications" and parts[2] == "input":
            apps[key] = str(parts[1])
    said: dict[tuple[str, str], float] = {}
    for job in jobs if apps else ():
        values = dict(job.point)
        if job.replication != 0:
            continue
        found = raw_inputs(job.scenario, apps.values())
        for key, app in apps.items():
            if app in found and key in values:
                said.setdefault((key, value_text(values[key])), found[app])
    return [{"key": key, "value": value, "bytes": sent} for (key, value), sent in said.items()]


def _group_summary(
    rows: Sequence[Mapping[str, Any]], metrics: pd.DataFrame, swept: Sequence[str], columns: Sequence[str]
) -> pd.DataFrame:
    """:func:`summarize_points` of each source group's rows (a job's ``job_row`` in ``metrics``).

    Each row's swept values are its job's, in the metrics column's type (as ``summary``'s);
    ``columns``: ``summary``'s, the header of a sweep with one group.
    """
    return per_group(rows, _points_table(metrics, swept), columns)


def _breakdown_summary(
    breakdown: Breakdown,
    rows: Sequence[Mapping[str, Any]],
    metrics: pd.DataFrame,
    swept: Sequence[str],
    columns: Sequence[str],
) -> pd.DataFrame:
    """:func:`summarize_points` of each value's rows of a breakdown, its column first (``apps.csv``).

    As :func:`_group_summary`, over its ``file_metrics``; a point whose runs never served a value
    has no rows of it.  No rows where the runs' tasks were all of one value (as compare's).
    """
    key = breakdown.column
    several = len({str(row[key]) for row in rows}) > 1
    table = _points_table(metrics, swept)
    return per_group(rows if several else [], table, columns, key, breakdown.file_metrics, breakdown.optional)


def _points_table(
    metrics: pd.DataFrame, swept: Sequence[str]
) -> Callable[[pd.DataFrame, list[str]], pd.DataFrame]:
    """:func:`summarize_points` of some jobs' rows, each row's swept values taken from its ``job_row``."""

    def table(part: pd.DataFrame, names: list[str]) -> pd.DataFrame:
        at = part.pop("job_row").to_numpy()
        for position, key in enumerate(swept):
            part.insert(position, key, metrics[key].array.take(at))
        return summarize_points(part, swept, names)

    return table


def _run_records(kept: tuple[Path, pd.DataFrame, float, float | None]) -> RunRecords:
    """A warned job's records for ``groups.csv``'s ``warned``: its tasks read back from its file."""
    file, nodes, duration, end_s = kept
    return pd.read_parquet(file), nodes, duration, end_s


def _merged_meta(file: Path, checked: JobMeta | None) -> JobMeta:
    """A job file's record count and metadata: ``checked`` (its resume's check read them), else read.

    The metadata is a copy where the merge changes it (its ``metrics``, refilled): a key that
    points sharing it (``skip_checks``) claim is merged once a job, from the same ``checked``.
    """
    if checked is None:
        try:
            checked = read_job_meta(file)  # the records are read a job at a time, when written
        except FileNotFoundError:
            raise ExperimentError(f"{file}: missing; rerun the sweep to finish it") from None
        except (OSError, ValueError) as error:
            raise ExperimentError(f"{file}: unreadable ({error}); rerun the sweep to run it again") from None
    rows, meta = checked
    problem = _meta_problem(meta)
    if problem is not None:  # changed since the sweep checked it (sweep() reruns such a job)
        raise ExperimentError(f"{file}: not reusable ({problem}); rerun the sweep to run it again")
    return rows, {**meta, "metrics": dict(meta["metrics"])}


def _keyed_numbers_of(
    file: Path, meta: Mapping[str, Any], scenario: Any
) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """A job's numbers per source group and per breakdown from its records (an older job file's).

    A file saved before job files kept them.  The summary's
    (:attr:`~offloadsim.analysis.summary.Summary.source_groups` and ``breakdowns``) over the file's tasks,
    its nodes giving the groups' order and ``scenario`` the applications' (as the run's own summary
    has them: else a breakdown's values fell to its natural order, chat before cnn); no groups where
    its records have no ``source_group``.
    """
    from offloadsim.analysis.summary import summarize
    from offloadsim.analysis.table_notes import application_order

    try:
        tasks = pd.read_parquet(file)
    except (OSError, ValueError) as error:
        raise ExperimentError(f"{file}: unreadable ({error}); delete it and rerun the sweep") from None
    end_s = meta.get("end_s")
    nodes = pd.DataFrame(meta.get("nodes") or {})
    powered = meta.get("powered_sources", -1)  # none measured: energy rows say so, as a new file's do
    found = summarize(
        tasks,
        nodes,
        {},
        measured_time(meta["metrics"]),
        end_s=end_s,
        powered_sources=powered,
        applications=list(application_order([scenario])),
    )
    return (found.source_groups if GROUP_COLUMN in tasks.columns else {}), found.breakdowns


def _in_effect(job: Job, key: str) -> Any:
    """The value of swept ``key`` in effect at a point that does not set it (None: none).

    A ``policies`` entry that gives no ``policy.KEY`` runs its policy's, where set (the base's
    ``objective``, kept by the same policy), else the policy's default (``neurosurgeon`` beside
    ``neurosurgeon(objective=energy)``: ``latency``); None where its policy has no such parameter
    (``local``).
    """
    from offloadsim.policies.registry import params_in_effect

    name = key.removeprefix("policy.")
    policy = job.scenario.policy
    return params_in_effect(policy.name, policy.params).get(name) if name != key else None


def job_file_problem(file: Path, claims: Sequence[Job] = ()) -> str | None:
    """Why the job file ``file`` cannot be reused (unreadable, or its metadata malformed), or None.

    A file edited by hand or cut short gave an internal error where the sweep was resumed
    (a KeyError, a TypeError from a ``processors`` that is no table); the sweep runs such a
    job again instead (:func:`offloadsim.experiments.sweep.sweep`).  ``claims``: the jobs whose
    file it is (those of its key); its metadata must say one of them (:func:`_claim_problem`).
    """
    found = reusable_job_file(file, claims)
    return found if isinstance(found, str) else None


def reusable_job_file(file: Path, claims: Sequence[Job] = ()) -> JobMeta | str:
    """The job file's record count and metadata where it can be reused, else :func:`job_file_problem`'s.

    Its footer read once: a resumed sweep hands what it read to :func:`merge_sweep` (``saved``),
    which read every reused file's metadata again (about 0.1 s a job on a loaded host).
    """
    try:
        rows, meta, schema = read_job_footer(file)
    except FileNotFoundError:
        return "missing"
    except (OSError, ValueError, ExperimentError) as error:  # ArrowInvalid and JSON errors are ValueErrors
        return f"unreadable: {str(error).splitlines()[0] if str(error) else type(error).__name__}"
    problem = _meta_problem(meta) or _claim_problem(meta, claims) or _records_problem(schema, rows)
    return (rows, meta) if problem is None else problem


def jobs_by_key(jobs: Sequence[Job]) -> dict[str, list[Job]]:
    """The jobs of each key (one, but for points that differ only where no record does): a file's claims."""
    found: dict[str, list[Job]] = {}
    for job in jobs:
        found.setdefault(job.key, []).append(job)
    return found


def written_identity(job: Job) -> dict[str, Any]:
    """The job's ``replication``, ``point`` and ``policy`` as its file's metadata says them.

    As the sweep's ``_job_meta`` wrote them: the point as JSON (its values as written), the policy
    the entry's label, else the policy it ran.
    """
    return {
        "replication": job.replication,
        "point": json.loads(json.dumps([[k, v] for k, v in job.point], default=str)),
        "policy": job.label or (job.policy if job.policy is not None else job.scenario.policy.name),
    }


def _claim_problem(meta: Mapping[str, Any], claims: Sequence[Job]) -> str | None:
    """What of a job file's key, replication, point, policy and seed is no job's of ``claims``; or None.

    A file whose ``policy`` or ``seed`` was edited by hand was merged with them (its row said
    another policy or seed than it ran), and one whose key, replication or point was edited
    was reused as the job it no longer said it was.  Jobs of one key (points that differ only
    where no record does, ``skip_checks``) share one file, written by the first: it says one.
    """
    problem = None
    for job in claims:
        expected = {"key": job.key, **written_identity(job), "seed": job.scenario.seed}
        wrong = next((name for name, value in expected.items() if meta.get(name) != value), None)
        if wrong is None:
            return None
        if problem is None:  # the first job's, said
            found = _said(meta[wrong]) if wrong in meta else "none"
            problem = f"{wrong}: its job's is {_said(expected[wrong])}, the file says {found}"
    return problem


def _said(value: Any) -> str:
    """A value of a job as a message gives it: a point as ``key=value, ...``, anything else described."""
    from offloadsim.experiments.jobs import point_text

    if isinstance(value, list) and all(isinstance(p, list) and len(p) == 2 for p in value):
        return point_text((str(k), v) for k, v in value) or "(base scenario)"
    return describe(value)


def _records_problem(schema: pa.Schema, rows: int) -> str | None:
    """What of a job file's task columns the merge could not take: one missing, or of another type.

    A column dropped by hand (or by an offloadsim that did not write it) ended the merge in an
    internal error ("its records do not fit the merged table's schema", exit 1); one of text where
    numbers belong was merged as they came.  A column no record declares (a plug-in's, no longer
    installed) is the merge's to keep, as it was; every declared one, a plug-in's too, must be there.
    """
    from offloadsim.records.checked import columns_problem
    from offloadsim.records.schema import columns_of

    problem = columns_problem(schema, "tasks", rows, every=columns_of("tasks"))
    return None if problem is None else f"records: {problem}"


#: What says a point's world's notes once its runs have run, given the ``(node, processor)`` pairs and
#: ``(application, node, processor)`` triples they computed on (None: not known, where they may).
PointNotes = Callable[[Collection[tuple[str, ...]] | None], Sequence[str]]


def point_computed(
    processors: pd.DataFrame, planned: Mapping[int, Collection[tuple[str, ...]]]
) -> dict[int, set[tuple[str, ...]]]:
    """By point, where its runs computed: its processors table's pairs and ``planned``'s triples.

    A point with no rows in the merged processors table (its files predate it) is not there: its
    notes are said where its policy may compute (:func:`~offloadsim.analysis.notes.computed_by`).
    """
    from offloadsim.analysis.notes import computed_by

    found = computed_by(processors, "point", {str(i): at for i, at in planned.items()}) or {}
    return {int(point): at for point, at in found.items()}


def said_at(
    world_points: Sequence[tuple[int | None, str]],
    points: Collection[int],
    described: Callable[[int], str] | None = None,
) -> list[str]:
    """The sweep's world notes for its table, each once, with the ``points`` it holds at where not all.

    Several lines of a kind that merges are said as one (a GPU line a precision), with the points
    its lines hold at (:func:`~offloadsim.point_spans.points_named`: `` (at 10 Mbps, local)`` by
    ``described``, a point as the table's row names it; None: by number, as a dry run lists them); GPU lines
    naming other applications or GPUs are not merged (:func:`gpu_places`): a line on AlexNet's
    layers on a T4 is of the points whose runs computed them there, not of every point.
    """
    from offloadsim.point_spans import points_named
    from offloadsim.world.build import merged_notes
    from offloadsim.world.notes.gpu_efficiency import KIND as GPU
    from offloadsim.world.notes.gpu_efficiency import gpu_places

    at: dict[str, set[int] | None] = {}
    for point, note in world_points:
        held = at.setdefault(note, set())
        if point is None or held is None:
            at[note] = None
        else:
            held.add(point)
    groups: dict[object, list[str]] = {}  # GPU lines by what they name; any other all together
    for note in at:
        line = getattr(note, "note", None)
        groups.setdefault(gpu_places(line) if line is not None and line.kind == GPU else None, []).append(
            note
        )
    order = {note: i for i, note in enumerate(at)}
    kinds: dict[str, int] = {}  # each kind's first place: a kind's lines together, at its first's place
    for note in at:
        kinds.setdefault(_kind(note), order[note])
    said = []  # (its kind's first place, its first note's place, the line)
    for notes in groups.values():
        for line, stands_for in merged_notes(notes).items():
            held_at: set[int] = set()
            for each in stands_for:
                held = at[each]
                held_at |= set(points) if held is None else held
            of = points_named(sorted(held_at), len(points), described)
            said.append((kinds[_kind(stands_for[0])], min(order[each] for each in stands_for), f"{line}{of}"))
    return [line for *_, line in sorted(said, key=lambda each: each[:2])]


def _kind(line: str) -> str:
    """A world note's provider's kind (a GPU line's ``gpu-efficiency``), or a plain line itself."""
    note = getattr(line, "note", None)
    return str(note.kind) if note is not None else line


def _meta_problem(meta: Any) -> str | None:
    """What of a job file's metadata the merge and the notes could not read, said briefly; or None.

    Only what this offloadsim reads: a key an older offloadsim did not write is no problem
    (``processors``, ``notes``, ``retried``; ``context_cuts``), a key of the wrong shape is.
    """
    from offloadsim.engine.llm import ContextCuts
    from offloadsim.records.checked import rows_problem
    from offloadsim.records.results import processors_frame
    from offloadsim.records.schema import PROCESSOR_COLUMNS

    if not isinstance(meta, Mapping):
        return f"its metadata is {describe(meta)}, not a mapping"
    for key in ("policy", "seed", "metrics"):
        if key not in meta:
            return f"its metadata has no {key}"
    if not isinstance(meta["policy"], str):
        return f"policy: expected a name, got {describe(meta['policy'])}"
    if not is_count(meta["seed"]):
        return f"seed: expected a whole number >= 0, got {describe(meta['seed'])}"
    metrics = meta["metrics"]
    if not isinstance(metrics, Mapping) or not all(_number(v) for v in metrics.values()):
        return "metrics: expected a mapping of metric names to numbers"
    keyed_names = {"source_groups": "GROUP", **{b.name: b.column.upper() for b in registered_breakdowns()}}
    for key, named in keyed_names.items():
        keyed = meta.get(key, {})
        if not isinstance(keyed, Mapping) or not all(_number(v) and "." in k for k, v in keyed.items()):
            return f"{key}: expected a mapping of {named}.METRIC names to numbers"
    nodes = meta.get("nodes") or {}
    if _columns(nodes) and (missing := [m for m in metrics_every_row_has(nodes) if m not in metrics]):
        return f"metrics: no {missing[0]} (every run's metrics have it)"
    if meta.get("end_s") is not None and not _number(meta["end_s"]):
        return f"end_s: expected a number, got {describe(meta['end_s'])}"
    for key in ("engine_build", "code_fingerprint"):
        if not isinstance(meta.get(key, ""), str):
            return f"{key}: expected a text, got {describe(meta[key])}"
    for key in ("nodes", "processors"):
        if key in meta and not _columns(meta[key]):
            return f"{key}: expected a table (a mapping of column names to lists of one length)"
    table = meta.get("processors") or {}
    if table and not set(PROCESSOR_COLUMNS) <= set(table):
        return f"processors: expected the columns {', '.join(PROCESSOR_COLUMNS)}"
    for key in ("context_cuts", "notes", "warnings", "link_bytes"):
        if not isinstance(meta.get(key, []), list):
            return f"{key}: expected a list, got {describe(meta[key])}"
    for key in ("notes", "warnings"):
        if not all(isinstance(note, str) for note in meta.get(key, [])):
            return f"{key}: expected a list of texts"
    if (facts := _facts_problem(meta)) is not None:
        return facts
    found = meta.get("warned_groups", [])
    if found != EVERY and not (isinstance(found, list) and all(isinstance(g, str) for g in found)):
        return f"warned_groups: expected a list of source groups or {EVERY!r}, got {describe(found)}"
    if not all(_number(sent) for sent in meta.get("link_bytes", [])):
        return "link_bytes: expected a list of numbers (bytes each links[] entry carried)"
    inner = meta.get("inner_policies", {})
    if not isinstance(inner, Mapping) or not all(
        isinstance(each, Mapping)
        and isinstance(each.get("name"), str)
        and isinstance(each.get("params"), Mapping)
        for each in inner.values()
    ):
        return "inner_policies: expected a mapping of source groups to policies ({name, params})"
    computed = meta.get("computed", [])
    if not isinstance(computed, list) or not all(
        isinstance(each, list) and len(each) == 3 and all(isinstance(part, str) for part in each)
        for each in computed
    ):
        return "computed: expected a list of [application, node, processor]"
    for key in ("retried", "recovered"):
        if key in meta and not is_count(meta[key]):
            return f"{key}: expected a count, got {describe(meta[key])}"
    if "powered_sources" in meta and not (is_count(meta["powered_sources"]) or meta["powered_sources"] == -1):
        return f"powered_sources: expected a count (-1: not known), got {describe(meta['powered_sources'])}"
    try:
        for cut in meta.get("context_cuts", []):
            ContextCuts.from_dict(cut)
    except (TypeError, ValueError, KeyError, OverflowError):
        return "context_cuts: expected counts of requests cut to the context window"
    try:
        frame = processors_frame(table)
    except (TypeError, ValueError, OverflowError):
        return "processors: unreadable rows"
    if frame["utilisation"].isna().any() or frame["node"].isna().any():
        return "processors: a row without its node or utilisation"
    if table and _columns(nodes) and (lacking := rows_problem(pd.DataFrame(nodes), frame)) is not None:
        return f"{lacking[0]}: {lacking[1]}"  # every computing node has its processors' rows, and back
    return None


def _facts_problem(meta: Mapping[str, Any]) -> str | None:
    """What is wrong with a job file's ``warning_facts`` (one per warning, each its numbers), or None.

    A file saved before they were kept has none: its warnings are said without their numbers.
    """
    facts = meta.get("warning_facts", [])
    warnings = len(meta.get("warnings", []))
    if not isinstance(facts, list) or len(facts) not in (0, warnings):
        return f"warning_facts: expected a list of {warnings} (one per warning), got {describe(facts)}"
    try:
        for i, found in enumerate(facts):
            WarningFacts.from_dict(found, f"warning_facts[{i}]")
    except ValueError as error:
        return str(error)
    return None


def _number(value: Any) -> bool:
    return value is None or is_number(value)


def _columns(value: Any) -> bool:
    """Whether ``value`` is columns of a table: a mapping of names to lists, all of one length."""
    if not isinstance(value, Mapping) or not all(isinstance(v, list) for v in value.values()):
        return False
    return len({len(v) for v in value.values()}) <= 1


def _before_llm_metrics(meta: Mapping[str, Any]) -> bool:
    """Whether a job's metrics are from before the LLM metrics, or before some of them.

    A job file from before them has no ``llm_metrics``; one from before the token rates
    (``decode_tokens_per_s_mean``, ``output_tokens_per_s``) served LLM requests (its row has a
    TTFT) but lacks one of the catalogue's LLM metrics.
    """
    metrics = meta["metrics"]
    served = "ttft_mean_s" in metrics
    return "llm_metrics" not in meta or (served and not LLM_METRICS.keys() <= metrics.keys())


def _llm_metrics_of(file: Path, duration_s: float, nodes: pd.DataFrame) -> dict[str, float]:
    """The LLM metrics of the job in ``file`` over ``duration_s``, from its records (none: none served).

    Its output token throughput counts every token its nodes generated (``tokens_generated``), as a
    run's summary does, where the job's nodes table has the column; the completed requests' alone
    from a job older than it.
    """
    from offloadsim.analysis.tokens import generated_token_rate

    try:
        columns = ("status", "ttft", "tpot", "output_tokens")
        found = llm_metrics(read_job_columns(file, columns), duration_s)
    except (OSError, ValueError) as error:
        raise ExperimentError(f"{file}: unreadable ({error}); delete it and rerun the sweep") from None
    if "output_tokens_per_s" in found:
        found["output_tokens_per_s"] = generated_token_rate(found["output_tokens_per_s"], nodes, duration_s)
    return found


def _merge_bar(total: int, progress: bool, name: str, part: str) -> Any:
    """The bar over one of the merge's passes over the job files, a step each (none for one file)."""
    return progress_bar(total, progress and total > 1, f"merging {name} ({part})")


def _write_tasks(
    files: Sequence[Path],
    inserts: Sequence[Insert],
    path: Path,
    rows: int,
    bar: Callable[[str], Any],
    categories: Sequence[Any],
) -> None:
    """The merged task table, a job at a time (see merge.py); ``bar(part)``: its bars.

    ``categories``: by file, its categorical columns' values as its job's metadata holds them.
    """
    written = write_merged(files, inserts, path, bar, categories)
    if written != rows:  # a job file changed under the sweep's lock: not expected
        raise ExperimentError(f"{path.parent}: the job files hold {written} tasks, not the {rows} counted")


def _inputs_of(jobs: Sequence[Job]) -> list[dict[str, str]]:
    """Every file the sweep's points read, once each, with its content hash."""
    from offloadsim.scenario.input_hashes import input_files

    found: dict[tuple[str, str, str], dict[str, str]] = {}
    scenarios = {id(job.scenario): job.scenario for job in jobs}
    for scenario in scenarios.values():
        for item in input_files(scenario):
            found.setdefault((item.key, item.path, item.sha256), item.to_dict())
    return [found[key] for key in sorted(found)]


def summarize_points(
    metrics: pd.DataFrame, swept: Sequence[str], names: Sequence[str] | None = None
) -> pd.DataFrame:
    """Mean and 95 % CI half-width over replications, per point and metric (a tidy table).

    ``names``: the metrics to summarise (default: every metric column of ``metrics``).

    Each row's swept values are its point's first run's, in the metrics column's type: a nullable
    one (``Int64``, ``boolean``: :func:`~offloadsim.analysis.values.typed_column`) too, which a
    row's values read one by one lost (``4.0``, or objects).
    """
    rows = []
    firsts: list[int] = []  # each row's point's first run, by position in metrics
    columns = list(names) if names is not None else metric_columns(metrics)
    numbered = metrics.reset_index(drop=True)
    for point, group in numbered.groupby("point", sort=True):
        for name in columns:
            mean, half = mean_ci(group[name].to_numpy(dtype=float))
            rows.append(
                {
                    "point": point,
                    "policy": group["policy"].iloc[0],
                    "metric": name,
                    "n": int(group[name].notna().sum()),
                    "mean": mean,
                    "ci": half,
                }
            )
            firsts.append(int(group.index[0]))
    frame = pd.DataFrame(rows, columns=["point", "policy", "metric", "n", "mean", "ci"])
    for position, key in enumerate(swept):
        frame.insert(position, key, numbered[key].array.take(firsts))
    return frame
