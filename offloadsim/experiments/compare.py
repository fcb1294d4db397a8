"""Compare placement policies on one scenario, replication by replication, on common random numbers.

Replication ``r`` of every policy runs with the same root seed and the same
replication index, so every policy sees the same arrivals and the same task
attributes (the engine's named streams, :mod:`offloadsim.engine.streams`).
Differences to the baseline are therefore paired: the CI of the mean
difference is usually much narrower than the two CIs side by side.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as _dt
import math
import numbers
import shutil
import time
import warnings
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from offloadsim.analysis.breakdown_list import breakdown_files, registered_breakdowns
from offloadsim.analysis.breakdown_registry import Breakdown
from offloadsim.analysis.catalogue import (
    INCOMPLETE_SHARE,
    LLM_METRICS,
    METRICS,
    basis_lines,
    metric_columns,
    metric_info,
    of_completed_tasks,
)
from offloadsim.analysis.delta_stars import (
    SAME_EVERY_TIME,
    TABLE_METRICS,
    delta_marker,
    delta_tests,
    rounding_as_zero,
    shown_metrics,
    table_metrics,
)
from offloadsim.analysis.group_warned import (
    RunRecords,
    WarnedGroups,
    overload_concerned,
    warned_counts,
    with_group_warned,
)
from offloadsim.analysis.groups import (
    GROUP_BATTERY_METRICS,
    GROUP_FILE_METRICS,
    GROUP_TABLE_METRICS,
    LLM_APP_METRICS,
    group_rows,
    per_group,
    pooled_groups,
)
from offloadsim.analysis.in_flight_delta import (
    IN_FLIGHT_VERDICT,
    in_flight_legend,
    in_flight_only,
    summary_cells,
)
from offloadsim.analysis.metric_list import metric_sources
from offloadsim.analysis.multiple_comparisons import family_note, held_to_family
from offloadsim.analysis.overload_marks import OVERLOAD_MARK, runs_footnote
from offloadsim.analysis.qualifiers import (
    PLAIN,
    Qualifiers,
    group_qualifiers,
    policy_qualifiers,
)
from offloadsim.analysis.statistics import mean_ci, paired_difference_ci
from offloadsim.analysis.summary import other_energy_filled
from offloadsim.analysis.table_notes import window_text
from offloadsim.analysis.warning_facts import warning_rows
from offloadsim.errors import argument
from offloadsim.experiment_defaults import COMPARE_REPLICATIONS, POLICY_TIMEOUT_S
from offloadsim.experiments.dask_cluster import DaskWorkersDied
from offloadsim.experiments.executors import WorkerDied, default_workers, execute
from offloadsim.experiments.jobs import (
    MAX_JOBS,
    Job,
    JobResult,
    count_builds,
    figure_fields,
    job_key,
    job_plugins,
    other_code_note,
    plugins_field,
    precision_notes_field,
    run_rows,
    window_fields,
)
from offloadsim.experiments.merge import Insert, merged_frame, served_of, write_merged
from offloadsim.experiments.storage import ExperimentError, held_categories, write_job_file, write_parquet
from offloadsim.host import host_info
from offloadsim.outdir import ResultsError, atomic_write, describe_os_error, write_json, write_text
from offloadsim.records.formats import COMPARE_FORMAT
from offloadsim.records.input_copies import carry_inputs
from offloadsim.records.scenario_copy import SCENARIO_DOCUMENT, scenario_text
from offloadsim.records.spill import SpilledTable
from offloadsim.records.tables import record_tables
from offloadsim.scenario.checks import merged_by_policy
from offloadsim.scenario.errors import (
    ScenarioError,
    ScenarioWarning,
    describe,
    first_repeat,
    given_twice,
    yaml_text,
)
from offloadsim.scenario.policy_entries import (
    EntryError,
    PolicyEntry,
    chosen_entry,
    policy_entries,
)
from offloadsim.suggest import quoted

if TYPE_CHECKING:
    from offloadsim.api import WorldOnce
    from offloadsim.scenario.errors import Problem
    from offloadsim.scenario.input_hashes import InputFile
    from offloadsim.scenario.model import PolicySpec, Scenario

__all__ = [
    "BASELINE_SERVED_NONE",
    "COMPARE_FILES",
    "TABLE_METRICS",
    "ComparePlan",
    "CompareResult",
    "compare",
    "compare_jobs",
    "compare_table",
    "default_compare_dir",
    "fewer_runs_text",
    "plan_compare",
    "table_metrics",
]

_FORMAT = COMPARE_FORMAT  # offloadsim.records.formats: the one place its readers know it
#: The files of a compare directory.
COMPARE_FILES = (
    "tasks.parquet",
    "metrics.parquet",
    "nodes.parquet",
    "processors.parquet",
    "link_changes.parquet",
    "summary.parquet",
    "summary.csv",
    "groups.csv",
    "apps.csv",
    "summary.txt",
    SCENARIO_DOCUMENT,
    "manifest.json",
)


@dataclass(repr=False)
class CompareResult:
    """Policies compared on one scenario.

    ``policies`` are the labels of the compared entries (a plain name, or ``NAME(KEY=VALUE)``
    as written), which every table's ``policy`` column holds; each parameter some entry gives is a
    column of ``metrics``, ``summary``, ``tasks``, ``nodes`` and ``processors`` too, first
    (``policy.objective``: :func:`parameter_columns`).
    ``metrics`` has one row per policy and replication (SI units);
    ``summary`` is tidy, one row per policy and metric: ``n``, ``mean``,
    ``ci`` (95 % half-width) and, against ``baseline``, the paired mean
    difference ``diff`` (policy − baseline) with its ``diff_ci``.  The runs' summary warnings are
    columns too (:mod:`offloadsim.analysis.warned_columns`): ``metrics``' ``warnings`` (the kinds,
    ``""`` for none) and ``summary``'s ``warned`` (how many of the policy's runs warned), and both
    an ``overloaded`` boolean (:mod:`offloadsim.analysis.overload_marks`: the printed table marks
    such a policy's column).
    ``groups`` is ``summary`` per source group (a ``group`` column first), where the tasks' sources
    span several of the scenario's node groups (:func:`group_comparison`; no rows otherwise);
    ``breakdowns`` the same per value of each registered breakdown (its column first), where the
    tasks span several (:func:`breakdown_comparison`); ``apps``, per application (latency,
    deadline misses, an LLM's ttft and tpot, the task counts).
    ``tasks`` and ``nodes`` hold every run's records; ``tasks`` is built
    when first asked for, from the runs' records kept on disk (or the
    written ``tasks.parquet``), so a comparison holds one run's records at a
    time, not every run's.
    """

    scenario: str
    policies: list[str]
    baseline: str
    replications: int
    metrics: pd.DataFrame
    nodes: pd.DataFrame
    summary: pd.DataFrame
    manifest: dict[str, Any]
    path: Path | None = None
    #: Every run's processors table (every processor of every computing node), with policy and replication.
    processors: pd.DataFrame | None = None
    #: ``summary`` per source group (:func:`group_comparison`); None or no rows: one group.
    groups: pd.DataFrame | None = None
    #: ``summary`` per value of each registered breakdown (:func:`breakdown_comparison`), by its
    #: name (``apps``: per application); absent or no rows: one value.
    breakdowns: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: When each link direction changed in every run (``link_changes``), with policy and replication.
    link_changes: pd.DataFrame | None = None
    #: Every run's record tables that a comparison keeps (offloadsim.records.tables), each with policy
    #: and replication first, by name; ``processors`` and ``link_changes`` as given to those fields.
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    _runs: _RunTasks | None = field(default=None, repr=False)  # the runs' records, one file per run
    _tasks: pd.DataFrame | None = field(default=None, repr=False)
    #: The columns of the entries' parameters, a value per run (:func:`parameter_columns`).
    _inserts: list[Insert] = field(default_factory=list, repr=False)
    #: The written directory's (device, inode): found again as ``NAME.old-N`` after a later comparison.
    _written_id: tuple[int, int] | None = field(default=None, repr=False)
    #: What its ``scenario.yaml`` is written from (:func:`~offloadsim.records.scenario_copy.scenario_text`).
    _scenario_copy: tuple[Mapping[str, Any], str, str, bool] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        named = {"processors": self.processors, "link_changes": self.link_changes}
        self.tables = {**self.tables, **{name: frame for name, frame in named.items() if frame is not None}}
        for name in [name for name, frame in named.items() if frame is None]:
            self.tables.pop(name, None)

    @property
    def tasks(self) -> pd.DataFrame:
        """Every run's task records, policy by policy, replication by replication (built when asked for)."""
        if self._tasks is None:
            if self._runs is not None and self._runs.files:
                self._tasks = merged_frame(self._runs.files, self._inserts)
            elif self.path is not None:
                from offloadsim.records.results import own_directory, read_back

                # Another comparison written to the same place: its tasks.parquet was read as this one's.
                self.path = own_directory(self.path, self._written_id)
                self._tasks = read_back(self.path / "tasks.parquet", pd.read_parquet)
            else:
                raise ExperimentError("this comparison has no task records")
        return self._tasks

    def __getstate__(self) -> dict[str, Any]:
        """What a pickle or ``copy.deepcopy`` holds: the task records themselves, not this result's files.

        Until written, the runs' records are temporary files removed with this result, so a copy
        that pointed at them would lose them when the original goes; the copy gets the table
        instead (this result keeps reading its own files).  A written result is copied as it is:
        its ``tasks`` reads ``tasks.parquet`` back, as :func:`read_results` would.
        """
        state = dict(self.__dict__)
        runs = self._runs
        if state["_tasks"] is None and runs is not None and runs.files:
            state["_tasks"] = merged_frame(runs.files, self._inserts)
        return state

    def __copy__(self) -> CompareResult:
        """A shallow copy shares the runs' files, and so keeps them while either is alive."""
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        return clone

    def __repr__(self) -> str:
        where = f", path={str(self.path)!r}" if self.path else ""
        return (
            f"CompareResult({self.scenario!r}, policies={self.policies}, "
            f"replications={self.replications}{where})"
        )

    @property
    def notes(self) -> tuple[str, ...]:
        """The lines ``offloadsim compare`` prints under its table (``note: ...``): the manifest's ``notes``.

        What the table's numbers could be misread without: runs that ended with many tasks in
        flight or dropped (their latencies are of the finished tasks only), the world's notes,
        pooled applications, ... (:func:`~offloadsim.analysis.notes.comparison_notes`); none from
        a directory written before offloadsim kept them.
        """
        return tuple(str(note) for note in self.manifest.get("notes", ()))

    def format_table(
        self, metrics: Sequence[str] = TABLE_METRICS, *, notes: bool = True, adjust: str | None = None
    ) -> str:
        """A readable table: one column per policy, ``mean ± CI``, and the paired Δ to the baseline below.

        Where the sources span several groups of devices, a table per group follows
        (:func:`format_groups`), and where the tasks span several applications, a table per
        application, as of each other registered breakdown's values (:func:`format_breakdown`); then,
        with ``notes``, a ``note: ...`` line for each of :attr:`notes` (``summary.txt`` holds the
        tables alone, and the command line prints the notes after the reasons of drops).
        ``adjust``: ``"holm"`` stars a Δ only where Holm's adjustment over the table's keeps it
        (:func:`format_comparison`); default the manifest's ``adjust`` (``compare --adjust``), else none.
        """
        adjust = adjust if adjust is not None else str(self.manifest.get("adjust", "none"))
        table = format_comparison(
            self.summary,
            self.policies,
            self.baseline,
            metrics,
            self.title,
            self.replications,
            adjust=adjust,
            qualifiers=(marks := policy_qualifiers(self.manifest, self.metrics, self.policies)),
            pooled=pooled_groups(self.groups, "tables"),
        )
        if self.groups is not None and len(self.groups):
            groups = format_groups(
                self.groups,
                self.policies,
                self.baseline,
                self.replications,
                adjust=adjust,
                qualifiers=marks,
                run_warnings=self.manifest.get("run_warnings") or [],
            )
            table += "\n\n" + groups
        for breakdown in registered_breakdowns():
            frame = self.breakdowns.get(breakdown.name)
            if frame is not None and frame[breakdown.column].nunique() > 1:
                table += "\n\n" + format_breakdown(
                    breakdown, frame, self.policies, self.baseline, self.replications, adjust, marks
                )
        return table + "".join(f"\nnote: {note}" for note in self.notes) if notes else table

    @property
    def apps(self) -> pd.DataFrame | None:
        """``summary`` per application (the ``apps`` breakdown); None or no rows: one application."""
        return self.breakdowns.get("apps")

    def drop_lines(self, top: int = 3) -> list[str]:
        """Why tasks were dropped or failed: per policy, its ``top`` most frequent reasons with counts.

        A policy that cannot serve some tasks (an application it places
        outside its hosts, say) drops them and the comparison goes on; these
        lines say so beside the table's drop rate.
        """
        runs = self._runs if self._runs is not None else _RunTasks.of(self.tasks)  # counted as they ran
        if not runs.rows or not runs.reasons_known:
            return []
        lines = []
        for policy in self.policies:
            counts = runs.ended.get(policy)
            if not counts:
                continue
            ended = sum(counts.values())
            shown = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
            lines.append(f"{policy}: {ended} of {runs.totals.get(policy, 0)} tasks dropped or failed")
            lines.extend(f"  {count:d}  {reason}" for reason, count in shown)
            if len(counts) > top:
                lines.append(f"  ... and {len(counts) - top} more reasons (see tasks.parquet, column reason)")
        return lines

    @property
    def title(self) -> str:
        """One line naming the comparison and the time each run measured (its warm-up left out)."""
        seed = self.manifest.get("seed", "?")
        window = window_text(self.manifest)
        return (
            f"{self.scenario}: {len(self.policies)} {'policy' if len(self.policies) == 1 else 'policies'} x "
            f"{self.replications} {'replication' if self.replications == 1 else 'replications'} "
            f"(seed {seed}), baseline {self.baseline}" + (f"; {window}" if window else "")
        )

    def write(self, out: str | Path, *, overwrite: bool = False) -> Path:
        """Write the comparison to directory ``out`` atomically (every file, or nothing); set ``path``.

        An earlier result in ``out`` is kept as ``out.old-N`` unless ``overwrite``.
        """
        from offloadsim.api import check_flags
        from offloadsim.outdir import out_path
        from offloadsim.records.results import directory_identity

        check_flags(overwrite=overwrite)  # "no" was taken as true: the earlier result deleted, not kept
        self.path = _write_directory(self, out_path(out), overwrite)  # out=3: pathlib's TypeError
        self._written_id = directory_identity(self.path)
        return self.path


def default_compare_dir(scenario_name: str, seed: int) -> Path:
    """``results/<scenario>-compare-s<seed>``."""
    return Path("results") / f"{scenario_name}-compare-s{seed}".replace("/", "_").replace("\\", "_")


def compare(
    scenario: str | Path | Scenario,
    policies: Sequence[str],
    replications: int = COMPARE_REPLICATIONS,
    baseline: str | None = None,
    workers: int | None = None,
    overrides: Sequence[str] = (),
    *,
    seed: int | None = None,
    scheduler: str | None = None,
    progress: bool = False,
    out: str | Path | None = None,
    overwrite: bool = False,
    policy_option: str = "policies=",
    world: WorldOnce | None = None,
    policy_timeout: float | None = POLICY_TIMEOUT_S,
) -> CompareResult:
    """Run every policy for ``replications`` replications of ``scenario`` on common random numbers.

    ``replications`` defaults to what ``offloadsim compare`` runs without ``--replications``
    (:data:`~offloadsim.experiment_defaults.COMPARE_REPLICATIONS`).

    Each of ``policies`` is a name, or a name with parameters, ``"least-loaded(load_bucket=0.02)"``
    (:mod:`offloadsim.scenario.policy_entries`: merged over the scenario's own where it names its
    policy), labelled by its text in the tables, the records' ``policy`` column and the figures.
    ``baseline`` (default: the first policy) is what the paired differences
    are taken against: a label, or an entry that runs the same policy.  Jobs run on ``workers``
    processes (default: all cores; 1 runs them here) or on the Dask cluster at ``scheduler``.  With
    ``out``, the directory is written atomically (an earlier result there is
    kept as ``out.old-N``, or deleted with ``overwrite``).  A policy that cannot be made, or a
    run that fails, raises the run's own error.  ``policy_option``: how the caller's user named
    the policies (the command line's ``--policies ``), where a warning about one that is not the
    scenario's ``policy`` is said (:func:`offloadsim.api.policy_given`).  ``world``: the
    :class:`~offloadsim.api.WorldOnce` of ``scenario`` (loaded) that the caller reads after the
    runs too (the command line's notes): the policies' checks read the ``dynamics`` from it, so
    this process reads them once; one is made here otherwise.  ``policy_timeout``: each run's
    limit on one call of a plug-in policy's code, in wall-clock seconds (:func:`offloadsim.run`'s),
    :data:`~offloadsim.experiment_defaults.POLICY_TIMEOUT_S` where not given (None or 0: no limit).

    >>> result = compare("scenarios/quickstart.yaml", ["local", "edge"], 5)  # doctest: +SKIP
    >>> print(result.format_table())  # doctest: +SKIP
    """
    from offloadsim import api
    from offloadsim.records.results import scenario_hash

    api.check_flags(progress=progress, overwrite=overwrite)  # progress="no" drew the bar, as run refuses
    plan = plan_compare(
        scenario,
        policies,
        replications,
        baseline,
        overrides,
        seed=seed,
        out=out,
        overwrite=overwrite,
        policy_option=policy_option,
        world=world,
    )
    loaded, names, entries, specs, base = plan.scenario, plan.names, plan.entries, plan.specs, plan.baseline
    replications = plan.replications  # a numpy integer given, as Python's: the manifest is JSON
    inputs = plan.inputs
    jobs = [dataclasses.replace(job, policy_timeout=policy_timeout) for job in plan.jobs]
    for problem in plan.warnings:
        warnings.warn(ScenarioWarning(str(problem)), stacklevel=2)
    results: dict[tuple[int, int], JobResult] = {}
    runs = _RunTasks()
    started = _dt.datetime.now(_dt.UTC)
    clock = time.perf_counter()

    def keep(job: Job, result: JobResult) -> None:
        # The run's records are on disk at once: a comparison holds one run's, not every run's.
        try:
            file = runs.keep(result, f"{job.index:06d}-{job.replication:06d}")
        except OSError as error:  # a full disk: the one-line error of any results that cannot be written
            where = out if out is not None else f"{runs.directory} (the runs' task records, until written)"
            raise ResultsError(f"cannot write results to {where}: {describe_os_error(error)}") from error
        # Not even an empty slice of the frame is kept: a slice is a view that keeps its data alive.
        results[(job.index, job.replication)] = dataclasses.replace(result, tasks=None)
        runs.by_job[(job.index, job.replication)] = file

    with runs.discarded_on_error():
        failures = execute(
            jobs,
            keep,
            workers=workers,
            scheduler=scheduler,
            progress=progress,
            description="compare",
            scratch=lambda: runs.directory,
        )
        if failures:
            first = failures[0]
            if isinstance(first.error, WorkerDied | DaskWorkersDied):  # names no job: said of its job
                raise ExperimentError(f"{first.job.describe()}: {first.error}") from first.error
            raise first.error
    wall_s = time.perf_counter() - clock

    node_parts, rows, cuts, by_group = [], [], [], []
    by_value: dict[str, list[dict[str, Any]]] = {breakdown.name: [] for breakdown in registered_breakdowns()}
    kept: dict[str, list[pd.DataFrame]] = {table.name: [] for table in record_tables() if table.compare}
    run_notes: list[dict[str, Any]] = []  # each run's own notes, as its manifest's
    run_warnings: list[dict[str, Any]] = []  # each run's summary's warnings
    retried: list[dict[str, Any]] = []  # the runs whose tasks recovery ran again
    inner: dict[str, dict[str, Any]] = {}  # a by-group entry's: which inner policy decided each group
    for i, name in enumerate(names):
        for r in range(replications):
            result = results[(i, r)]
            inner[name] = result.inner_policies
            runs.files.append(runs.by_job[(i, r)])
            nodes = result.nodes.copy()
            nodes.insert(0, "replication", r)
            nodes.insert(0, "policy", name)
            node_parts.append(nodes)
            cuts += [{"policy": name, "replication": r, **cut} for cut in result.context_cuts]
            for table, parts in kept.items():  # each run's record tables, policy and replication first
                parts.append(run_rows(result.tables.get(table), {"policy": name, "replication": r}, table))
            run_notes += [{"policy": name, "replication": r, "note": note} for note in result.notes]
            run_warnings += warning_rows(
                {"policy": name, "replication": r}, result.warnings, result.warning_facts
            )
            if result.retried:
                retried.append(
                    {
                        "policy": name,
                        "replication": r,
                        "retried": result.retried,
                        "recovered": result.recovered,
                    }
                )
            by_group += group_rows({"policy": name, "replication": r}, result.source_groups)
            for breakdown in registered_breakdowns():
                by_value[breakdown.name] += group_rows(
                    {"policy": name, "replication": r},
                    result.breakdowns.get(breakdown.name, {}),
                    breakdown.column,
                    breakdown.file_metrics,
                )
            rows.append(
                {
                    "policy": name,
                    "replication": r,
                    "seed": result.seed,
                    "end_s": result.end_s,
                    "powered_sources": result.powered_sources,
                    **result.metrics,
                }
            )
    nodes = pd.concat(node_parts, ignore_index=True)
    tables = {table: pd.concat(parts, ignore_index=True) for table, parts in kept.items()}
    metrics = other_energy_filled(pd.DataFrame(rows))
    inserts = parameter_columns(entries, specs, replications)
    node_runs = np.repeat(np.arange(len(node_parts)), [len(part) for part in node_parts])
    table_runs = {
        table: np.repeat(np.arange(len(parts)), [len(part) for part in parts])
        for table, parts in kept.items()
    }
    for position, key, column in inserts:  # a run's parameters, as a sweep's swept keys: first in each table
        metrics.insert(position, key, column)
        nodes.insert(position, key, column[node_runs])
        for table, frame in tables.items():
            frame.insert(position, key, column[table_runs[table]])
    summary = compare_table(metrics, base)
    # where each entry's runs computed, per application: what the world's notes are said of
    from offloadsim.analysis.notes import computed_by

    ran_on = computed_by(tables.get("processors"), "policy", _planned(results, names, replications))
    manifest = {
        "format": _FORMAT,
        "scenario": loaded.name,
        "scenario_file": loaded.source,
        "scenario_hash": scenario_hash(loaded.document, inputs),
        "scenario_document": SCENARIO_DOCUMENT,  # that document, written beside it
        "inputs": [i.to_dict() for i in inputs],
        "seed": int(loaded.seed),
        # Each policy's name and parameters, and the label of an entry that gave it parameters.
        # A by-group entry's inner policies, each group's (as a run's manifest's policy.inner).
        "policies": [
            {
                "name": s.name,
                "params": dict(s.params),
                **({"label": label} if label != s.name else {}),
                **({"inner": inner[label]} if inner.get(label) else {}),
            }
            for label, s in specs.items()
        ],
        "baseline": base,
        "replications": replications,
        "overrides": list(overrides),
        "skipped_checks": list(loaded.skip_checks),  # its warnings were not looked for
        **window_fields([loaded]),
        "tasks": runs.rows,
        "context_cuts": cuts,
        **_ceilings_field(results, names),
        "run_notes": run_notes,
        "run_warnings": run_warnings,
        "retried": retried,
        # What each links[] entry carried in each run: the notes say where a link --set changed carried none.
        "link_bytes": [
            {"policy": name, "replication": r, "bytes": list(results[(i, r)].link_bytes)}
            for i, name in enumerate(names)
            for r in range(replications)
        ],
        "precision_notes": (
            kept_notes := precision_notes_field(
                [(None, loaded)], specs, computed={None: ran_on} if ran_on else None
            )
        ),  # of int8, ..., said of the runs that computed where each speaks of
        # What its figures say (those, and the world's a figure says: a GPU's assumed efficiency).
        **figure_fields(kept_notes, ((None, note) for note in _world_said(plan, ran_on))),
        **host_info(),
        "job_engine_builds": count_builds(result.engine_build for result in results.values()),
        "job_code_fingerprints": count_builds(result.code_fingerprint for result in results.values()),
        **plugins_field(job.plugins for job in jobs),  # whose code ran: none for offloadsim's own
        "metrics": metric_sources(),  # its summary's registered metrics, shipped or a plug-in's
        "workers": None if scheduler else (workers or default_workers()),
        "scheduler": scheduler,
        "started_utc": started.isoformat(timespec="seconds"),
        "wall_s": wall_s,
        "files": breakdown_files(
            [*COMPARE_FILES, *(f"{t}.parquet" for t in kept if f"{t}.parquet" not in COMPARE_FILES)]
        ),
    }
    manifest["notes"] = _notes(plan, manifest, metrics, tables.get("processors"), runs, ran_on, nodes)
    if other := other_code_note(manifest):
        manifest["notes"].append(other)
    from offloadsim.analysis.warned_columns import with_warning_columns

    metrics, summary = with_warning_columns(metrics, summary, run_warnings)  # what the notes say, a column
    comparison = CompareResult(
        scenario=loaded.name,
        policies=names,
        baseline=base,
        replications=replications,
        metrics=metrics,
        nodes=nodes,
        summary=summary,
        manifest=manifest,
        processors=tables.get("processors"),
        link_changes=tables.get("link_changes"),
        tables=tables,
        groups=group_comparison(
            by_group,
            base,
            metrics,
            run_warnings,
            _run_records(names, results, runs),
            {  # the groups each run's warnings concern, worked out in its job
                (names[i], r): found
                for (i, r), result in results.items()
                if (found := result.warned_groups) is not None
            },
        ),
        breakdowns={
            breakdown.name: breakdown_comparison(breakdown, by_value[breakdown.name], base, metrics)
            for breakdown in registered_breakdowns()
        },
        _runs=runs,
        _inserts=inserts,
        _scenario_copy=(loaded.document, loaded.source, loaded.base_dir, bool(inputs)),
    )
    if out is not None:
        with runs.discarded_on_error():
            comparison.write(out, overwrite=overwrite)
        runs.discard()  # written: ``tasks`` reads tasks.parquet back
    return comparison


@dataclass(frozen=True)
class ComparePlan:
    """A comparison checked and planned, not run (:func:`plan_compare`): what ``compare --dry-run`` prints.

    ``scenario``: loaded, with the seed its runs use; ``names``: the entries' labels as written,
    ``entries`` as read and ``specs`` the policy each runs (by label, merged over the scenario's
    policy where it is that one); ``baseline``: the label differences are taken against;
    ``replications``: each entry's, a Python int (a numpy integer given is one); ``inputs``: the
    files its runs read; ``jobs``: replication ``r`` of every entry, in order;
    ``warnings``: its policies' scenario checks' warnings, each once (a warning the same for several
    policies said once of them), for the caller to say (:func:`compare` warns them).
    """

    scenario: Scenario
    names: list[str]
    entries: list[PolicyEntry]
    specs: dict[str, PolicySpec]
    baseline: str
    replications: int
    inputs: tuple[InputFile, ...]
    jobs: list[Job]
    warnings: list[Problem]
    #: The scenario's world, as the checks built it (None: not built yet): the notes read it after the runs.
    world: WorldOnce | None = None


def plan_compare(
    scenario: str | Path | Scenario,
    policies: Sequence[str],
    replications: int,
    baseline: str | None = None,
    overrides: Sequence[str] = (),
    *,
    seed: int | None = None,
    out: str | Path | None = None,
    overwrite: bool = False,
    policy_option: str = "policies=",
    world: WorldOnce | None = None,
) -> ComparePlan:
    """Everything :func:`compare` checks before its first run, and the jobs it would run; nothing run.

    Its arguments are :func:`compare`'s: what it refuses (an entry that cannot be read or is given
    twice, two that run one policy with the same parameters, bad parameters, a ``baseline`` not
    compared, too many jobs, an ``out`` that cannot be written) raises here; what would run but
    not as meant is in the plan's ``warnings``, returned, not issued.  :func:`compare` runs the
    plan; ``compare --dry-run`` prints it.
    """
    from offloadsim import api
    from offloadsim.scenario.input_hashes import input_files

    # A string, iterated, would be the policies "l", "o", ... of "local,edge"; None or a number a
    # TypeError from the loop below.
    if isinstance(policies, str) or not isinstance(policies, Iterable):
        got = "the string" if isinstance(policies, str) else type(policies).__name__
        raise ExperimentError(
            f"policies: expected a list of policy names like ['local', 'edge'], got {got} {policies!r:.60}"
        )
    policies = list(policies)
    for index, given in enumerate(policies):
        if not isinstance(given, str) and (said := api.policy_object_words(given, "")):
            raise ExperimentError(f"policies[{index}]: {said}")
    names = [str(p).strip() for p in policies]
    if not names or any(not n for n in names):
        got = "an empty name" if names else "none"
        raise ExperimentError(f"{argument('policies')}: expected policy names, got {got}")
    if (twice := first_repeat(names)) is not None:
        shown = (describe(names[i]) for i in twice)
        option = argument("policies")
        raise ExperimentError(f"{option}: {given_twice(*shown)}: each policy is compared once")
    try:
        entries = policy_entries(names)
    except EntryError as error:
        raise ExperimentError(f"{argument('policies')}: {error}") from None
    texts, names = names, [entry.label for entry in entries]  # 3-box=fixed(...) is labelled 3-box
    if isinstance(replications, bool) or not isinstance(replications, numbers.Integral) or replications < 1:
        raise ExperimentError(
            f"{argument('replications')}: expected a whole number of at least 1, got {replications!r}"
        )
    replications = int(replications)  # numpy's integers too, as the seed's check takes them
    if len(names) * replications > MAX_JOBS:
        raise ExperimentError(
            f"{len(names)} policies x {replications:,} replications is {len(names) * replications:,} runs; "
            f"a compare may plan at most {MAX_JOBS:,}"
        )
    chosen = entries[0] if baseline is None else chosen_entry(entries, str(baseline))
    if chosen is None:
        raise ExperimentError(
            f"{argument('baseline')}: {quoted(baseline)} is not one of the compared policies "
            f"({', '.join(names)})"
        )
    base = chosen.label
    if out is not None:
        api.check_out(out, overwrite, [scenario] if isinstance(scenario, str | Path) else [])

    loaded = api.scenario_from(scenario, overrides)
    api.check_seed(loaded, seed)
    if seed is not None:
        loaded = dataclasses.replace(loaded, seed=api.check_index(seed, "seed"))
    api.check_policy_overrides(loaded, [entry.name for entry in entries], policy_option, texts)
    specs = {entry.label: api.resolve_policy(loaded, entry.name, entry.params) for entry in entries}
    # "neurosurgeon" and "neurosurgeon(objective=latency)" of a file whose policy has that objective
    ran = [PolicyEntry(label, spec.name, spec.params).identity for label, spec in specs.items()]
    if (twice := first_repeat(ran)) is not None:
        first, again = (describe(names[i]) for i in twice)
        params = yaml_text(dict(specs[names[twice[0]]].params))
        raise ExperimentError(
            f"{argument('policies')}: {first} and {again} run the same policy with the "
            f"same parameters ({params}: the scenario's policy's, with the entry's): each policy is "
            "compared once"
        )
    once = api.WorldOnce(loaded) if world is None else world  # one reading for every policy's checks
    per_policy = [  # each policy's checks; a warning the same for several is said once (merged_by_policy)
        (entry.label, _entry_warnings(entry, specs[entry.label], loaded, policy_option, once))
        for entry in entries
    ]

    inputs = input_files(loaded)
    if out is not None and overwrite:  # nor the traces, ONNX files, CSVs it reads: --overwrite deletes
        api.check_out(out, overwrite, [file.path for file in inputs])
    jobs = compare_jobs(loaded, entries, replications)
    return ComparePlan(
        loaded, names, entries, specs, base, replications, inputs, jobs, merged_by_policy(per_policy), once
    )


def compare_jobs(scenario: Scenario, policies: Sequence[str | PolicyEntry], replications: int) -> list[Job]:
    """The jobs of a comparison, replication by replication: replication ``r`` of every policy.

    ``policies``: each a name, an entry ``NAME(KEY=VALUE, ...)`` or one read
    (:class:`~offloadsim.scenario.policy_entries.PolicyEntry`).  Each job's key hashes the scenario
    (with its seed and the content of the files it reads), the replication and the policy with
    the parameters its entry gives, so the same comparison always plans the same jobs.
    """
    from offloadsim.scenario.input_hashes import input_files

    entries = [p if isinstance(p, PolicyEntry) else policy_entries([p])[0] for p in policies]
    inputs = input_files(scenario)
    used = {entry.name: tuple(job_plugins(scenario, entry.name)) for entry in entries}
    document = {**scenario.document, "seed": scenario.seed}
    return [
        Job(
            key=job_key(document, r, entry.name, inputs, used[entry.name], entry.params),
            index=i,
            replication=r,
            scenario=scenario,
            policy=entry.name,
            plugins=used[entry.name],
            policy_params=dict(entry.params),
            label=entry.label if entry.label != entry.name else None,
        )
        for r in range(replications)
        for i, entry in enumerate(entries)
    ]


def parameter_columns(
    entries: Sequence[PolicyEntry], specs: Mapping[str, PolicySpec], replications: int
) -> list[Insert]:
    """A column per parameter some entry gives (``policy.objective``), a value per run, as a swept key.

    Each run's value is the one its policy ran with (the entry's, else the scenario's policy's that
    its plain name keeps, else the policy's default: ``neurosurgeon`` beside
    ``neurosurgeon(objective=energy)`` ran with ``latency``), None where its policy has no such
    parameter (``local``); typed as a sweep types a swept key's values
    (:func:`~offloadsim.analysis.values.typed_column`), so ``plot --by policy.objective`` and
    ``--where policy.objective=latency`` read a comparison as they read a sweep.  None where no
    entry gives parameters: the tables are what they always were.
    """
    from offloadsim.analysis.values import typed_column
    from offloadsim.policies.registry import params_in_effect

    keys = list(dict.fromkeys(key for entry in entries for key in entry.params))
    ran = [params_in_effect(specs[entry.label].name, specs[entry.label].params) for entry in entries]
    return [
        (
            position,
            f"policy.{key}",
            typed_column([params.get(key) for params in ran for _ in range(replications)]),
        )
        for position, key in enumerate(keys)
    ]


def _entry_warnings(
    entry: PolicyEntry, spec: PolicySpec, scenario: Scenario, policy_option: str, world: WorldOnce
) -> list[Problem]:
    """One entry's policy's scenario checks, said at the entry where it chose the policy or gave parameters.

    A warning about the policy names it by its label (``policy "least-loaded(load_bucket=0.02)"``),
    so two entries of one policy are told apart, and :func:`merged_by_policy` says once what
    several said alike.
    """
    from offloadsim import api

    given = api.policy_given(scenario, spec, policy_option, entry.label)
    try:
        problems = api.scenario_warnings(spec, scenario, given, world=world)
    except ScenarioError as error:
        said = api.kept_params_refused(error, scenario, entry)
        if said is error:
            raise
        raise said from None
    if entry.label == entry.name:
        return problems
    named = f"policy {quoted(entry.name)}"
    return [p._replace(message=p.message.replace(named, f"policy {quoted(entry.label)}")) for p in problems]


def _scratch_table() -> SpilledTable:
    """Where a comparison's runs put their records until written: a directory in ``$TMPDIR``, made on need."""
    return SpilledTable(prefix="offloadsim-compare-", suffix=".parquet")


class _RunTasks:
    """The runs' task records, a file per run in a temporary directory, and what ``drop_lines`` counts.

    ``totals`` and ``ended`` count, per policy in the records, the tasks and
    the dropped or failed ones by reason ("unknown" for none given).
    """

    def __init__(self) -> None:
        self.files: list[Path] = []  # in the table's order
        self.by_job: dict[tuple[int, int], Path] = {}
        # by file, its categorical columns' values as its job's metadata holds them: the merge and the
        # notes take them from there, not from the records (merge.write_merged)
        self.categories: dict[Path, Any] = {}
        self.rows = 0
        self.reasons_known = True
        self.totals: Counter[str] = Counter()
        self.ended: dict[str, Counter[str]] = {}
        self._table = _scratch_table()

    @classmethod
    def of(cls, tasks: pd.DataFrame) -> _RunTasks:
        """The counts of a table in memory (no files)."""
        runs = cls()
        runs.count(tasks)
        return runs

    @property
    def directory(self) -> Path:
        """The comparison's scratch directory (in ``$TMPDIR``, made now if need be): the runs' files.

        The jobs spill their records and write their files here, in worker
        processes too; :meth:`discard` removes it with all in it.
        """
        return self._table.directory

    def keep(self, result: JobResult, name: str) -> Path:
        """Count one run's records and keep its file (the one its job wrote, or one written now)."""
        tasks = result.tasks
        if result.file is None:
            assert tasks is not None, "a job hands back its records or the file it wrote"
            self.count(tasks)
            written = self._table.append(lambda path: write_job_file(path, tasks, {}), name)
            self.categories[written] = held_categories(pq.ParquetFile(written).metadata)
            return written
        file = self._table.adopt(result.file)
        parquet = pq.ParquetFile(file)
        self.categories[file] = held_categories(parquet.metadata)
        present = [c for c in ("policy", "status", "reason") if c in parquet.schema_arrow.names]
        for group in range(parquet.num_row_groups):  # a chunk at a time: memory for one, not the run
            self.count(parquet.read_row_group(group, columns=present).to_pandas())
        return file

    def count(self, tasks: pd.DataFrame) -> None:
        """Count the tasks, and those dropped or failed by reason, of one run's records."""
        self.rows += len(tasks)
        if not len(tasks):
            return
        if "reason" not in tasks.columns:
            self.reasons_known = False
            return
        policy = tasks["policy"].astype(str)
        self.totals.update(policy.value_counts().to_dict())
        ended = tasks["status"].astype(str).isin(("dropped", "failed"))
        reasons = tasks.loc[ended, "reason"].astype(str).replace("", "unknown")
        for (name, reason), n in pd.DataFrame({"p": policy[ended], "r": reasons}).value_counts().items():
            self.ended.setdefault(str(name), Counter())[str(reason)] += int(n)

    def __getstate__(self) -> dict[str, Any]:
        """A copy keeps the counts, not the files: those stay the original's, removed with it."""
        return {
            **self.__dict__,
            "files": [],
            "by_job": {},
            "categories": {},
            "_table": _scratch_table(),
        }

    def discard(self) -> None:
        """Remove the files (the table was written elsewhere)."""
        self.files, self.by_job, self.categories = [], {}, {}
        self._table.discard()

    @contextlib.contextmanager
    def discarded_on_error(self) -> Iterator[None]:
        """Remove the files (and what stopped workers left beside them) if the block raises or is stopped."""
        try:
            yield
        except BaseException:
            self.discard()
            raise


def compare_table(
    metrics: pd.DataFrame, baseline: str, names: Sequence[str] | None = None, confidence: float = 0.95
) -> pd.DataFrame:
    """The tidy comparison: per policy and metric, ``n, mean, ci, diff, diff_ci, diff_n``.

    ``metrics`` has one row per (``policy``, ``replication``); differences are
    paired by replication (policy − ``baseline``), NaN for the baseline itself;
    ``diff_n`` counts the pairs in which both have a value.
    ``names`` are the metric columns (default: every metric column present).  The entries'
    parameter columns of ``metrics`` (``policy.objective``: :func:`parameter_columns`) come first,
    in its order and of its dtypes, each row the value of its policy, so a row is told apart by
    them as in every other table of the comparison.

    >>> m = pd.DataFrame({"policy": ["a", "a", "b", "b"], "replication": [0, 1, 0, 1],
    ...                   "latency_mean_s": [1.0, 2.0, 1.5, 2.5]})
    >>> t = compare_table(m, "a")
    >>> t.loc[t.policy == "b", ["mean", "diff", "diff_ci"]].round(3).values.tolist()
    [[2.0, 0.5, 0.0]]
    """
    if not isinstance(metrics, pd.DataFrame) or not {"policy", "replication"} <= set(metrics.columns):
        # None: a TypeError; a table without them: pandas' KeyError 'policy'
        held = ", ".join(map(str, metrics.columns)) if isinstance(metrics, pd.DataFrame) else ""
        got = (
            f"a table with columns [{held}]" if isinstance(metrics, pd.DataFrame) else type(metrics).__name__
        )
        raise ExperimentError(
            "metrics: expected a table with policy and replication columns (a comparison's metrics), "
            f"got {got}"
        )
    columns = list(names) if names is not None else metric_columns(metrics)
    order = list(dict.fromkeys(metrics["policy"].astype(str)))
    by_policy = {p: g.set_index("replication").sort_index() for p, g in metrics.groupby("policy", sort=False)}
    if baseline not in by_policy:
        raise ExperimentError(f"baseline {quoted(baseline)} has no results")
    base = by_policy[baseline]
    rows = []
    for policy in order:
        group = by_policy[policy]
        common = group.index.intersection(base.index)
        for name in columns:
            values = group[name].to_numpy(dtype=float) if name in group else np.array([])
            mean, half = mean_ci(values, confidence)
            if policy == baseline or name not in base:
                diff, diff_half, pairs = math.nan, math.nan, 0
            else:
                mine = group.loc[common, name].to_numpy(dtype=float)
                theirs = base.loc[common, name].to_numpy(dtype=float)
                diff, diff_half = paired_difference_ci(mine, theirs, confidence)
                pairs = int(np.sum(~np.isnan(mine - theirs)))
            rows.append(
                {
                    "policy": policy,
                    "metric": name,
                    "n": int(np.sum(~np.isnan(values))),
                    "mean": mean,
                    "ci": half,
                    "diff": diff,
                    "diff_ci": diff_half,
                    "diff_n": pairs,
                }
            )
    table = pd.DataFrame(rows, columns=["policy", "metric", "n", "mean", "ci", "diff", "diff_ci", "diff_n"])
    params = [str(c) for c in metrics.columns if str(c).startswith("policy.")]
    first = np.flatnonzero(~metrics["policy"].astype(str).duplicated().to_numpy())  # a policy's first run
    row_of = first[pd.Index(metrics["policy"].astype(str).to_numpy()[first]).get_indexer(table["policy"])]
    for position, key in enumerate(params):  # of the metrics column's dtype, a nullable one (Int64) too
        table.insert(position, key, metrics[key].array.take(row_of))
    return table


#: The columns of ``groups.csv``: a group, then :func:`compare_table`'s (the parameter columns of
#: a comparison of entries that give some between: :func:`group_comparison`), then ``warned``.
GROUP_COLUMNS = ("group", "policy", "metric", "n", "mean", "ci", "diff", "diff_ci", "diff_n")


def group_comparison(
    rows: Sequence[Mapping[str, Any]],
    baseline: str,
    metrics: pd.DataFrame | None = None,
    run_warnings: Sequence[Mapping[str, Any]] = (),
    records: Callable[[str, int], RunRecords] | None = None,
    carried: Mapping[tuple[str, int], WarnedGroups] | None = None,
) -> pd.DataFrame:
    """:func:`compare_table` of each source group's rows (:func:`~offloadsim.analysis.groups.group_rows`).

    The same pairing by replication as the headline table, over the tasks of the group's devices
    alone, a ``group`` column first; no rows where no run had several groups.  The entries'
    parameter columns of ``metrics`` (``policy.objective``: :func:`parameter_columns`) follow it,
    each row its policy's value, as ``summary.csv`` has them: a group's rows are told apart as
    the headline table's are.  ``warned`` last, as ``summary.csv``'s: how many of the policy's
    runs had a warning (``run_warnings``, the manifest's) concerning the group
    (:func:`~offloadsim.analysis.group_warned.with_group_warned`: as each run's result ``carried``
    it, else from ``records`` of the run).
    """
    groups = _keyed_comparison(rows, baseline, metrics, GROUP_COLUMNS[0])
    warned = run_warnings if records is not None else ()
    return with_group_warned(groups, warned, records or _no_records, carried=carried)


def breakdown_comparison(
    breakdown: Breakdown,
    rows: Sequence[Mapping[str, Any]],
    baseline: str,
    metrics: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """:func:`compare_table` of each value's rows of a breakdown (``group_rows`` of its summary numbers).

    Its file (``apps.csv``): as :func:`group_comparison`, the breakdown's column first in place of
    ``group``, over its ``file_metrics`` (a value with none of its ``optional`` ones has no row of
    them: an application with no LLM request, no ttft) and with no ``warned`` (a warning concerns
    nodes and their groups of sources); no rows where the runs' tasks were all of one value.  A
    value the baseline never served (``local`` never chose the alternative) has no baseline rows
    and no Δ: its rows' ``diff_note``, last, says :data:`BASELINE_SERVED_NONE` (NaN on every other
    row), so that an empty ``diff`` is not read as no difference.
    """
    key = breakdown.column
    several = len({str(row[key]) for row in rows}) > 1
    found = _keyed_comparison(
        rows if several else [], baseline, metrics, key, breakdown.file_metrics, breakdown.optional
    )
    served = set(found.loc[found["policy"].astype(str) == baseline, key])
    note = pd.Series(BASELINE_SERVED_NONE, index=found.index, dtype=object)
    return found.assign(diff_note=note.where(~found[key].isin(served)))  # NaN: written as an empty cell


def _keyed_comparison(
    rows: Sequence[Mapping[str, Any]],
    baseline: str,
    metrics: pd.DataFrame | None,
    key: str,
    names: Sequence[str] = GROUP_FILE_METRICS,
    optional: Collection[str] = LLM_APP_METRICS,
) -> pd.DataFrame:
    """:func:`compare_table` of the rows of each ``key`` value (``group``, ``app``), that column first.

    The entries' parameter columns of ``metrics`` follow it, each row its policy's value;
    ``optional``: metrics a value may have no rows of (:func:`~offloadsim.analysis.groups.per_group`).
    """
    params = [] if metrics is None else [str(c) for c in metrics.columns if str(c).startswith("policy.")]

    def table(part: pd.DataFrame, names: list[str]) -> pd.DataFrame:
        stub = baseline not in set(part["policy"].astype(str))  # an application it never served
        if stub:  # a row of no numbers to pair with: no Δ, and dropped below
            part = pd.concat([part, pd.DataFrame({"policy": [baseline], "replication": [0]})])
        if params and metrics is not None:
            runs = metrics.drop_duplicates("policy")  # a policy's parameters are those of each of its runs
            at = pd.Index(runs["policy"].astype(str)).get_indexer(part["policy"].astype(str))
            for position, key in enumerate(params):
                part.insert(position, key, runs[key].array.take(at))
        found = compare_table(part, baseline, names)
        return found[found["policy"] != baseline] if stub else found

    columns = [*params, *GROUP_COLUMNS[1:]]
    return per_group(rows, table, columns, key, names, optional)[[key, *columns]]


def _no_records(policy: str, replication: int) -> RunRecords:
    """No run's records (never asked: no warnings given)."""
    raise AssertionError(f"no records of {policy} replication {replication}")


def _run_records(
    names: Sequence[str], results: Mapping[tuple[int, int], JobResult], runs: _RunTasks
) -> Callable[[str, int], RunRecords]:
    """A run's records for :func:`group_comparison`'s ``warned``: its tasks read back from its file."""
    from offloadsim.analysis.summary import measured_time

    def records(policy: str, replication: int) -> RunRecords:
        at = (names.index(policy), replication)
        result = results[at]
        end = result.end_s if math.isfinite(result.end_s) else None
        return pd.read_parquet(runs.by_job[at]), result.nodes, measured_time(result.metrics), end

    return records


def format_groups(
    groups: pd.DataFrame,
    policies: Sequence[str],
    baseline: str,
    replications: int,
    *,
    adjust: str = "none",
    qualifiers: Mapping[str, Qualifiers] | None = None,
    run_warnings: Sequence[Mapping[str, Any]] | None = None,
) -> str:
    """The table of each source group (:func:`group_comparison`), as the headline table shows metrics.

    ``qualifiers``: each policy's (:func:`~offloadsim.analysis.qualifiers.policy_qualifiers`), which
    each group's table takes as the headline one does: a policy whose decodes ran at a bandwidth
    ceiling reads its groups' latencies as bounds (``≥ 129 (ceiling)``), or said to rest on an assumed
    efficiency, as its headline cells and sweep's group table read; an overloaded policy's column is
    marked ``†``, the headline table's line under it saying which runs, in the table of each group
    some overload warning of its runs concerned (``run_warnings``, the manifest's: one naming a node
    the group's tasks ran on, or the group's own backlog, as its facts say:
    :func:`~offloadsim.analysis.group_warned.overload_concerned`; where they do not say, or without
    ``run_warnings``, each group some warning concerned, ``groups``' ``warned``, or one that could
    not be placed; :func:`~offloadsim.analysis.qualifiers.group_qualifiers`).
    """
    if run_warnings is None:
        known = warned_counts(groups, "policy")
        warned = None if known is None else dict[tuple[str, str], int | None](known)
    else:
        warned = overload_concerned(groups, run_warnings, "policy")
    marks = {
        str(group): {
            policy: group_qualifiers(found, None if warned is None else warned.get((policy, str(group)), 0))
            for policy, found in (qualifiers or {}).items()
        }
        for group in dict.fromkeys(groups["group"])
    }
    said = any(found.overloaded is not None for each in marks.values() for found in each.values())
    heading = (
        f"per source group ({groups['group'].nunique()}): each group's devices' tasks alone, "
        "paired by replication as above" + (f" ({OVERLOAD_MARK}: overloaded, as above)" if said else "")
    )
    # The batteries per group are groups.csv's (and plot's), not the printed table's.
    shown = groups[~groups["metric"].isin(GROUP_BATTERY_METRICS)]
    return _keyed_tables(
        shown, ("group", "source group"), heading, lambda _: GROUP_TABLE_METRICS, marks.get, policies,
        baseline, replications, adjust,
    )  # fmt: skip


def format_breakdown(
    breakdown: Breakdown,
    frame: pd.DataFrame,
    policies: Sequence[str],
    baseline: str,
    replications: int,
    adjust: str = "none",
    qualifiers: Mapping[str, Qualifiers] | None = None,
) -> str:
    """The table of each value of a breakdown (:func:`breakdown_comparison`), as the headline shows metrics.

    Its ``table_metrics`` (deadline misses "no deadlines" where none of its tasks had one, as ``run``
    says it; an LLM's ttft and tpot where it served LLM requests), each policy's ``qualifiers`` as
    in the headline table, through the breakdown's ``qualify`` (an application that served no LLM
    request without its policy's decode ceilings: :func:`~offloadsim.analysis.qualifiers.app_qualifiers`).
    """
    key, what = breakdown.column, breakdown.what[0]
    optional = set(frame.loc[frame["metric"].isin(breakdown.optional), key].astype(str))
    marks = {
        value: {
            policy: breakdown.qualify(found, value in optional)
            for policy, found in (qualifiers or {}).items()
        }
        for value in frame[key].astype(str)
    }
    heading = (
        f"per {what} ({frame[key].nunique()}): each {what}'s tasks alone, paired by replication as above"
    )

    def shown(part: pd.DataFrame) -> Sequence[str]:
        return [m for m in breakdown.table_metrics if m in set(part["metric"])]

    return _keyed_tables(
        frame, (key, what), heading, shown, marks.get, policies, baseline,
        replications, adjust, BASELINE_SERVED_NONE,
    )  # fmt: skip


def _keyed_tables(
    frame: pd.DataFrame,
    key: tuple[str, str],
    heading: str,
    shown: Callable[[pd.DataFrame], Sequence[str]],
    marks: Callable[[str], Mapping[str, Qualifiers] | None],
    policies: Sequence[str],
    baseline: str,
    replications: int,
    adjust: str,
    unserved: str = "",
) -> str:
    """``heading``, then a :func:`format_comparison` of each value of ``frame``'s column ``key[0]``.

    Each titled ``key[1]`` and the value, of the metrics ``shown`` of its rows, its policies
    qualified by ``marks`` of the value; ``unserved``: a Δ whose baseline has no rows of the value.
    """
    out = [heading]
    for value, part in frame.groupby(key[0], sort=False):
        table = format_comparison(
            part.drop(columns=key[0]),
            policies,
            baseline,
            shown(part),
            replications=replications,
            adjust=adjust,
            qualifiers=marks(str(value)),
            footnote=False,
            unserved=unserved,
        )
        out += ["", f"{key[1]} {value}", table]
    return "\n".join(out)


#: A deadline-miss cell where no run had a task with a deadline (``run`` prints "- (no deadlines)").
NO_DEADLINES = "no deadlines"
#: The Δ of an application the baseline never served (``apps.csv``'s ``diff_note``, its table's Δ row):
#: no pair to take a difference of, which an empty cell left to be read as none.
BASELINE_SERVED_NONE = "baseline served none"


def fewer_runs_text(n: int, replications: int | None) -> str:
    """``" (n=6)"`` for a mean over fewer runs than the replications (the rest had no value), else ``""``.

    >>> fewer_runs_text(6, 10), fewer_runs_text(10, 10), fewer_runs_text(0, 10)
    (' (n=6)', '', '')
    """
    return f" (n={n})" if replications is not None and 0 < n < replications else ""


def _check_table_metrics(metrics: object, available: Iterable[str]) -> None:
    """Raise :class:`ExperimentError` unless ``metrics`` is a list of metric names the catalogue knows.

    ``format_table(["latency_p59_s"])`` and ``format_table("latency_mean_s")`` (each character a name)
    printed a table of the utilisations alone, the names left out without a word.  A known metric
    the runs have no value of (a token rate of runs that served no LLM request) is left out, as
    the default rows are.
    """
    from offloadsim.analysis.catalogue import is_metric
    from offloadsim.suggest import did_you_mean_key

    if isinstance(metrics, str | bytes) or not isinstance(metrics, Iterable):
        raise ExperimentError(
            "metrics: expected a list of metric names like ['latency_p95_s'], "
            f"got {type(metrics).__name__} {metrics!r:.60}"
        )
    known = [*METRICS, *LLM_METRICS, *(m for m in available if m not in METRICS and m not in LLM_METRICS)]
    for name in metrics:
        if not isinstance(name, str) or not (is_metric(name) or name in known):
            raise ExperimentError(
                f"metrics: unknown metric {quoted(name)}{did_you_mean_key(str(name), known)}; "
                f"known: {', '.join(known)}"
            )


def _ceilings_field(results: Mapping[tuple[int, int], Any], names: Sequence[str]) -> dict[str, Any]:
    """The manifest's ``decode_ceilings`` and ``policy_decode_ceilings``: LLM decode ceilings (tokens/s).

    Every run's, each once, and each policy's runs', whose cells the table prints as bounds; and
    ``policy_decode_saturated``, the policies every run of which kept a processor decoding at its
    ceiling busy all the measured time, whose output token throughput the table prints as a bound.
    """
    each: dict[str, set[float]] = {}
    saturated: dict[str, bool] = {}
    assumed: set[str] = set()  # a run of it prefilled at an assumed efficiency: its first tokens no bound
    for (index, _), result in results.items():
        each.setdefault(names[index], set()).update(result.decode_ceilings)
        saturated[names[index]] = saturated.get(names[index], True) and result.decode_saturated
        if result.prefill_at_efficiency:
            assumed.add(names[index])
    found = sorted(set().union(*each.values()))
    if not found:
        return {}
    return {
        "decode_ceilings": found,
        "policy_decode_ceilings": {k: sorted(v) for k, v in each.items() if v},
        "policy_decode_saturated": sorted(k for k, v in saturated.items() if v and each[k]),
        "policy_prefill_at_efficiency": sorted(k for k in assumed if each[k]),
    }


def format_comparison(
    summary: pd.DataFrame,
    policies: Sequence[str],
    baseline: str,
    metrics: Sequence[str] = TABLE_METRICS,
    title: str | None = None,
    replications: int | None = None,
    *,
    adjust: str = "none",
    qualifiers: Mapping[str, Qualifiers] | None = None,
    footnote: bool = True,
    pooled: str | None = None,
    unserved: str = "",
) -> str:
    """Render :func:`compare_table` output for a terminal (display units, ``*`` = CI of Δ excludes 0).

    ``qualifiers``: what bounds or qualifies each policy's numbers (each policy's
    :class:`~offloadsim.analysis.qualifiers.Qualifiers`, from
    :func:`~offloadsim.analysis.qualifiers.policy_qualifiers`): a policy whose decodes had a ceiling
    reads its mean decode rate and time per token as bounds,
    marked (:meth:`~offloadsim.analysis.qualifiers.Qualifiers.cell`), and one a run of which
    prefilled at a profile's assumed efficiency its times to first token and latencies as they are,
    said to rest on that efficiency.

    A significant Δ also says whether it is ``better`` or ``worse`` than the
    baseline, by the direction the metric catalogue gives the metric; one the same in every
    replication (``± 0``) says ``always`` in place of ``*``
    (:func:`~offloadsim.analysis.delta_stars.delta_marker`), and one of floating-point rounding
    reads 0 (:func:`~offloadsim.analysis.delta_stars.rounding_as_zero`).  A mean over fewer than
    ``replications`` runs (those with no value left out: no task completed) says over how many,
    and a Δ over fewer pairs likewise.  The failed share (``fail_rate``) has its row only where
    some run failed a task, and the least node availability (``availability``) only where some
    node was down part of a run.  A line under the table says what a heading counts from where it has
    no room to (``device energy per task (mJ): counted above idle``).

    Each starred Δ is a test at 5 % of its own, and a table makes many (39 in ``compare-load``'s):
    a line under it says how many stars chance alone would give.  ``adjust="holm"`` keeps a star only
    where Holm's step-down adjustment over the table's tests does (the chance of any false star held
    to 5 %: :mod:`~offloadsim.analysis.multiple_comparisons`).

    A policy some run of which never reached a steady state (its qualifiers' ``overloaded``, its
    queue grew all run: :func:`~offloadsim.analysis.overload_marks.overloaded_runs`): its column's
    heading is marked
    :data:`~offloadsim.analysis.overload_marks.OVERLOAD_MARK`, and, with ``footnote``, a line under
    the table says how many of its runs were, and which warnings said so.

    ``pooled``: the line under the title saying the table's numbers pool several source groups
    (:func:`~offloadsim.analysis.groups.pooled_groups`), where tables per group follow.
    ``unserved``: the Δ cell of a policy's value where the baseline has none of the metric (an
    application's table where the baseline never served it: :data:`BASELINE_SERVED_NONE`), not a
    blank a reader takes for no difference.  A Δ row with no cell to show is left out.
    """
    qualifiers = qualifiers or {}
    marked = {p: over for p in policies if (over := qualifiers.get(p, PLAIN).overloaded) is not None}
    _check_table_metrics(metrics, set(summary["metric"]))
    shown = shown_metrics(metrics, summary)  # the rows, as a figure's note reads them (starred_deltas)
    cells = summary_cells(summary)  # a count the summary does not hold (an older one's): 0, not said
    completed = _completed_shares(cells, policies)
    tests = delta_tests(cells, shown, policies, baseline, replications)
    kept = held_to_family(tests, adjust)
    always = False  # some Δ the same in every replication: the line above the table says what it means
    in_flight: dict[str, tuple[float, float]] = {}  # policy -> throughput Δ of tasks in flight only
    header = ["metric", *(f"{p} {OVERLOAD_MARK}" if p in marked else p for p in policies)]
    lines: list[list[str]] = []
    for name in shown:
        info = metric_info(name)
        value_row = [info.heading]
        delta_row = [f"  Δ vs {baseline}"]
        for policy in policies:
            cell = cells.get((policy, name))
            if cell is None:
                value_row.append("-")
                delta_row.append("")
                continue
            mean, half, diff, diff_half, n, pairs = cell
            if name == "deadline_miss_rate" and math.isnan(mean):
                value_row.append(NO_DEADLINES)  # no run had a task with a deadline: as `run` says it
                delta_row.append("")
                continue
            text = qualifiers.get(policy, PLAIN).cell(name, mean, half, info.format(mean, half))
            value_row.append(text + fewer_runs_text(n, replications))
            if policy != baseline and (baseline, name) not in cells:
                delta_row.append(unserved)
            elif policy == baseline or math.isnan(diff):
                delta_row.append("")
            else:
                base_cell = cells.get((baseline, name))
                diff = rounding_as_zero(diff, diff_half, mean, base_cell[0] if base_cell else math.nan)
                marker = delta_marker(diff, diff_half)
                if marker == " *" and (policy, name) not in kept and adjust != "none":
                    marker = ""  # its CI excludes 0, but not once the table's other tests are held too
                always = always or marker == SAME_EVERY_TIME
                judged = info.judge(diff) if marker else ""
                if marker and (of_completed_tasks(name) or name in _LOWER_WHEN_DROPPED):
                    judged = _unequal_completion(judged, completed, policy, baseline)
                held = (
                    in_flight_only(cells, policy, baseline) if marker and name == "throughput_per_s" else None
                )
                if held:
                    judged, in_flight[policy] = IN_FLIGHT_VERDICT, held  # the end's backlog, not a rate
                # a starred Δ with the decimals it takes to read apart from 0 (docs/experiments.md)
                delta = info.format(diff, diff_half, signed=True, apart=marker == " *")
                delta += fewer_runs_text(pairs, replications)
                delta_row.append(f"{delta}{marker} {judged}".rstrip())
        lines.append(value_row)
        if len(policies) > 1 and any(delta_row[1:]):
            lines.append(delta_row)
    widths = [max(len(r[i]) for r in [header, *lines]) for i in range(len(header))]
    out = []
    if title:
        if replications == 1:  # one run per policy has no interval: say so rather than promise one
            out += [title, "one replication: each value is its one run's, with no CI (-n 2 or more for one)"]
            out.append("Δ = policy − baseline, with no CI, so none is judged better or worse")
        else:
            out += [
                title,
                "mean ± 95 % CI half-width over replications; Δ = policy − baseline, paired by replication",
            ]
        if pooled:
            out.append(pooled)
        if replications != 1:
            out.append(
                "(* : the CI of Δ excludes 0"
                + (", and Holm's adjustment over the table's Δs keeps it" if adjust == "holm" else "")
                + "; better or worse by the metric's direction)"
            )
            if always:
                out.append("(± 0 always: the same Δ in every replication, no spread to test, so no *)")
        if any(cell.endswith("% completed)") for row in lines for cell in row):
            base = completed.get(baseline)
            out.append(
                "(N % completed): not judged, a metric of completed tasks (or one a task not served "
                "lowers: device energy per task, data sent) where the policy completed "
                f"a share {INCOMPLETE_SHARE * 100:.0f} points or more from {baseline}'s"
                + (f" ({base * 100:.0f} %)" if base is not None else "")
            )
        if in_flight:
            out.append(in_flight_legend(in_flight, baseline))
        out.append("")
    out.append(
        "  ".join(
            h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(header, widths, strict=True))
        )
    )
    out.append("  ".join("-" * w for w in widths))
    for row in lines:
        out.append(
            "  ".join(
                c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))
            ).rstrip()
        )
    # What a heading has no room for ("above idle"), said under the table rather than widening it.
    out += basis_lines(shown)
    out += [line] if footnote and (line := runs_footnote(marked, "of ")) else []
    raw = len(held_to_family(tests, "none"))  # starred each at 5 %
    family = family_note(len(tests), raw, len(kept), adjust) if title and replications != 1 else None
    return "\n".join(out + ([family] if family else []))


def _completed_shares(
    cells: Mapping[tuple[str, str], tuple[float, float, float, float, int, int]], policies: Sequence[str]
) -> dict[str, float | None]:
    """Each policy's mean completed tasks over its mean arrived (None where the summary cannot say)."""
    shares: dict[str, float | None] = {}
    for policy in policies:
        completed, arrived = cells.get((policy, "completed")), cells.get((policy, "arrived"))
        if completed is None or arrived is None or not arrived[0] > 0:
            shares[policy] = None
        else:
            shares[policy] = completed[0] / arrived[0]
    return shares


#: Metrics over every task that a task dropped or failed early lowers, so a policy that serves
#: fewer reads cheaper: a trial's `cloud` that dropped all 321 requests (the model not hosted
#: there) read "device energy per task ... * better" than the phones that answered them all.
_LOWER_WHEN_DROPPED = frozenset({"device_energy_mean_j", "bytes_sent"})


def _unequal_completion(
    verdict: str, completed: Mapping[str, float | None], policy: str, baseline: str
) -> str:
    """``verdict``, or the policy's completed share where it is too far from the baseline's to judge.

    A policy that turns away the tasks that would have waited longest reads fast on latency; one
    that serves them reads slow. Neither is better over tasks the other did not complete.
    """
    mine, theirs = completed.get(policy), completed.get(baseline)
    if mine is None or theirs is None or abs(mine - theirs) < INCOMPLETE_SHARE:
        return verdict
    return f"({mine * 100:.0f} % completed)"


# --------------------------------------------------------------------------- writing


def _world_said(plan: ComparePlan, computed: Mapping[str, Collection[tuple[str, ...]]] | None) -> list[str]:
    """The world's notes under each entry (from the world its checks built): one under some says which.

    A note on a processor's numbers is said of the entries whose runs computed on it (``computed``,
    by entry: :func:`~offloadsim.analysis.notes.computed_by` of the runs' ``processors`` tables and
    the (application, node, processor) their plans computed on, any replication): ``neurosurgeon``
    may use the quickstart's A100 and put no task there, and a note on AlexNet on a GPU is not
    said of an entry whose runs ran only VGG-16 there.
    """
    from offloadsim.analysis.notes import world_notes

    built = plan.world() if plan.world is not None else None
    specs = [plan.specs[label] for label in plan.names]
    return world_notes(plan.scenario, specs, built, list(plan.names), computed)


def _planned(
    results: Mapping[tuple[int, int], JobResult], names: Sequence[str], replications: int
) -> dict[str, set[tuple[str, ...]]]:
    """By entry, the (application, node, processor) its runs computed on (``JobResult.computed``)."""
    return {
        name: {each for r in range(replications) for each in results[(i, r)].computed}
        for i, name in enumerate(names)
    }


def _notes(
    plan: ComparePlan,
    manifest: Mapping[str, Any],
    metrics: pd.DataFrame,
    processors: Any,
    runs: _RunTasks,
    computed: Mapping[str, Collection[tuple[str, ...]]] | None = None,
    nodes: pd.DataFrame | None = None,
) -> list[str]:
    """The comparison's notes (:func:`~offloadsim.analysis.notes.comparison_notes`), for its manifest.

    The world's notes under each entry (the world its checks built, read once; ``computed``: where
    each entry's runs computed, :func:`_world_said`), what an entry ran
    as where the scenario's parameters were kept, then what its runs' records and manifests say.
    """
    from offloadsim.analysis.notes import (
        COMPARE_APPS_SHOWN,
        application_order,
        comparison_notes,
        kept_parameters_notes,
    )
    from offloadsim.analysis.placement_notes import alike_placements_note
    from offloadsim.analysis.trace_replications import same_trace_note

    ran = list(manifest["policies"])  # each entry's policy and parameters, as they ran
    said = kept_parameters_notes(ran) + _world_said(plan, computed)
    served: dict[str, set[str]] = {}  # the applications each entry served, in the table's order
    if len(application_order([plan.scenario])) > 1:  # one application can pool nothing: none read
        for i, name in enumerate(plan.names):
            for r in range(plan.replications):
                file = runs.by_job[(i, r)]
                for found in served_of(file, runs.categories.get(file)).values():
                    served.setdefault(name, set()).update(found)
    notes = comparison_notes(
        [plan.scenario],
        said,
        served,
        metrics,
        manifest,
        processors,
        ["policy", "replication"],
        COMPARE_APPS_SHOWN,
        nodes,
    )
    alike = alike_placements_note(plan.names, plan.replications, metrics, lambda i, r: runs.by_job[(i, r)])
    trace = same_trace_note(plan.scenario, plan.replications, metrics)
    return [*notes, *([alike] if alike else []), *([trace] if trace else [])]


def _write_directory(result: CompareResult, out: Path, overwrite: bool) -> Path:
    from offloadsim.outdir import write_directory
    from offloadsim.records.results import manifest_inputs

    def fill(tmp: Path) -> None:
        runs = result._runs
        if runs is not None and runs.files:  # a run at a time
            files = runs.files

            def merged(path: Path) -> None:
                write_merged(files, result._inserts, path, categories=[runs.categories.get(f) for f in files])

            atomic_write(tmp / "tasks.parquet", merged)
        else:  # written before (a run's file a row group or more): in the same row groups, the same bytes
            write_parquet(result.tasks, tmp / "tasks.parquet", _row_groups(_written_folder(result)))
        write_parquet(result.metrics, tmp / "metrics.parquet")
        write_parquet(result.nodes, tmp / "nodes.parquet")
        for name, table in result.tables.items():  # every run's record tables that a comparison keeps
            write_parquet(table, tmp / f"{name}.parquet")
        write_parquet(result.summary, tmp / "summary.parquet")
        write_text(result.summary.to_csv(index=False, lineterminator="\n"), tmp / "summary.csv")
        groups = (
            result.groups
            if result.groups is not None
            else group_comparison([], result.baseline, result.metrics)
        )
        write_text(groups.to_csv(index=False, lineterminator="\n"), tmp / "groups.csv")
        for breakdown in registered_breakdowns():
            found = result.breakdowns.get(breakdown.name)
            if found is None:
                found = breakdown_comparison(breakdown, [], result.baseline, result.metrics)
            write_text(found.to_csv(index=False, lineterminator="\n"), tmp / breakdown.file)
        write_text(result.format_table(notes=False) + "\n", tmp / "summary.txt")
        scenario, written = result._scenario_copy, _written_folder(result)
        origin = (scenario[2], [scenario[0]]) if scenario is not None else None
        manifest = result.manifest = carry_inputs(result.manifest, tmp, origin=origin, written=written)
        copied = bool(manifest.get("inputs_copied"))
        if scenario is not None:
            write_text(scenario_text(*scenario, copied=copied), tmp / SCENARIO_DOCUMENT)
        elif written is not None and (written / SCENARIO_DOCUMENT).is_file():  # its folder's, as it ran
            shutil.copyfile(written / SCENARIO_DOCUMENT, tmp / SCENARIO_DOCUMENT)
        else:  # made by hand (CompareResult(...)): no scenario to write
            manifest = {key: value for key, value in manifest.items() if key != "scenario_document"}
            if isinstance(manifest.get("files"), list):
                manifest["files"] = [name for name in manifest["files"] if name != SCENARIO_DOCUMENT]
        write_json(manifest, tmp / "manifest.json")

    return write_directory(out, fill, overwrite=overwrite, inputs=manifest_inputs(result.manifest)).path


def _row_groups(folder: Path | None) -> list[int]:
    """The rows of each row group of ``folder``'s ``tasks.parquet``; [] where there is none to read."""
    if folder is None:
        return []
    try:
        metadata = pq.ParquetFile(folder / "tasks.parquet").metadata
    except (OSError, pa.ArrowException):
        return []
    return [metadata.row_group(i).num_rows for i in range(metadata.num_row_groups)]


def _written_folder(result: CompareResult) -> Path | None:
    """The folder ``result`` was written to (followed to ``NAME.old-N``) or read from; None: none, or gone."""
    from offloadsim.records.results import own_directory

    if result.path is None:
        return None
    try:
        return own_directory(result.path, result._written_id)
    except ResultsError:
        return None
