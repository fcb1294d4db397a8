"""A run's results: the records as DataFrames, its summary and manifest, on disk and back.

:class:`RunResult` is built once from the engine's columnar :class:`RawRun`
after the run (no pandas inside the event loop).  Its summary is computed
from the records a column at a time, and its DataFrames are built only when
asked for (``result.tasks``): a run written to disk needs neither pandas
nor memory for all its records.  :func:`write_run` writes a run directory
atomically: every file goes into a hidden sibling directory that is renamed
into place only when complete, so a reader never sees a half-written
result; the per-task records go to ``tasks.parquet`` a chunk (row group) at
a time, with pyarrow (:mod:`offloadsim.records.arrow`).
"""

from __future__ import annotations

import datetime as _dt
import glob
import hashlib
import json
import math
import os
import platform
import socket
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import numpy as np

from offloadsim.analysis.decode_ceiling import decode_saturated
from offloadsim.analysis.offered_load import closed_loops, offered_rates
from offloadsim.analysis.summary import Summary, summarize
from offloadsim.bounded_read import name_too_long, not_a_file
from offloadsim.engine_build import engine_build
from offloadsim.errors import RunError, shown_path
from offloadsim.host import command_line, host_platform
from offloadsim.outdir import ResultsError, check_out_dir, write_directory
from offloadsim.provenance import code_versions
from offloadsim.records import schema
from offloadsim.records.checked import (
    REWRITE,
    powered_sources_problem,
    read_checked,
    read_json,
    rows_problem,
    unreadable,
)
from offloadsim.records.formats import RUN_FORMAT, result_kind
from offloadsim.records.input_copies import carry_inputs
from offloadsim.records.manifest_check import kind_claim_problem, manifest_problem
from offloadsim.records.scenario_copy import SCENARIO_DOCUMENT, scenario_text
from offloadsim.records.tables import BUILT_IN, record_table, record_tables

if TYPE_CHECKING:
    import pandas as pd

    from offloadsim.engine.records import RawRun, TaskRecords
    from offloadsim.scenario.input_hashes import InputFile
    from offloadsim.scenario.model import PolicySpec, Scenario

__all__ = [
    "RUN_FILES",
    "ResultsError",
    "RunResult",
    "scenario_hash",
    "tasks_frame",
    "nodes_frame",
    "links_frame",
    "link_changes_frame",
    "processors_frame",
    "table_frame",
    "check_out_dir",
    "manifest_inputs",
    "write_run",
    "read_run",
    "note_facts",
    "run_plugins",
]

#: The files of a run directory: the tasks, every built-in record table (offloadsim.records.tables), the rest
#: (a plug-in's tables, :func:`~offloadsim.records.tables.record_tables`, are written too).
RUN_FILES = (
    "tasks.parquet",
    *(table.file for table in BUILT_IN),
    "summary.json",
    "summary.txt",
    SCENARIO_DOCUMENT,
    "manifest.json",
)

_FORMAT = RUN_FORMAT  # offloadsim.records.formats: the one place its readers know it

#: The categories of the stages' ``kind`` column, whichever occur.
STAGE_KINDS = ("compute", "transfer")


# --------------------------------------------------------------------------- frames


def tasks_frame(columns: Mapping[str, Any]) -> pd.DataFrame:
    """Build the per-task DataFrame, in the declared column order with the declared dtypes.

    Integers are int64, strings categorical (``status`` with all its
    categories), ``deadline_met`` nullable boolean, the rest float64 (see
    :mod:`offloadsim.records.schema`).  Unknown columns are kept, after the
    declared ones.
    """
    return _frame(columns, "tasks")


def nodes_frame(columns: Mapping[str, Any]) -> pd.DataFrame:
    """Build the per-node DataFrame (one row per node) with the declared dtypes."""
    return _frame(columns, "nodes")


def links_frame(columns: Mapping[str, Any]) -> pd.DataFrame:
    """Build the per-link-direction DataFrame (one row per direction ``a -> b``)."""
    return _frame(columns, "links")


def link_changes_frame(columns: Mapping[str, Any]) -> pd.DataFrame:
    """Build the link changes DataFrame (one row per link direction and change, in time order).

    Without columns (a world that never changes, or a run directory written before the table was)
    it is empty, with the declared columns.
    """
    return table_frame("link_changes", columns)


def processors_frame(columns: Mapping[str, Any]) -> pd.DataFrame:
    """Build the per-processor DataFrame (one row per processor of every computing node).

    Without columns (a run directory written before the table was) it is
    empty, with the declared columns.
    """
    return table_frame("processors", columns)


def table_frame(name: str, columns: Mapping[str, Any] | None) -> pd.DataFrame:
    """Build the DataFrame of the record table ``name`` (:mod:`offloadsim.records.tables`) from its columns.

    Without columns (None or none: a run that recorded nothing, a run directory written before the
    table was) it is empty, with the declared columns.
    """
    return _frame(columns or record_table(name).empty(), name)


def _frame(columns: Mapping[str, Any], table: str) -> pd.DataFrame:
    import pandas as pd

    declared = {c.name: c.dtype for c in schema.columns_of(table)}
    order = [c for c in declared if c in columns] + [c for c in columns if c not in declared]
    data = {name: _column(declared.get(name), columns[name], name == "status") for name in order}
    return pd.DataFrame(data, columns=order)


def _column(dtype: str | None, values: Any, status: bool = False) -> Any:
    """One column with its declared dtype (values: array, list or Series); undeclared ones as given."""
    import pandas as pd

    if dtype == "category":
        # pandas factorises in C; a Python loop over a million strings costs half a second.
        factorised = pd.Categorical(np.asarray(values, dtype=object))
        if any(not isinstance(c, str) for c in factorised.categories):
            factorised = factorised.rename_categories({c: str(c) for c in factorised.categories})
        categories = schema.STATUSES if status else sorted(factorised.categories)
        return factorised.set_categories(pd.Index(list(categories), dtype=object).astype(str))
    if dtype == "string":
        return pd.Series(
            [None if _missing(v) else str(v) for v in np.asarray(values, dtype=object)], dtype=object
        )
    if dtype == "int64":
        series = pd.Series(values).reset_index(drop=True)
        return series.astype("Int64") if series.isna().any() else series.to_numpy(dtype=np.int64)
    if dtype == "boolean":
        floats = pd.to_numeric(pd.Series(values).astype("Float64"), errors="coerce")
        return pd.array(floats.to_numpy(dtype=float, na_value=np.nan), dtype="Float64").astype("boolean")
    if dtype == "float64":
        return pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=np.float64)
    return pd.Series(values).reset_index(drop=True)


def _missing(value: Any) -> bool:
    import pandas as pd

    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


# --------------------------------------------------------------------------- result


def scenario_hash(document: Mapping[str, Any], inputs: Sequence[InputFile] = ()) -> str:
    """SHA-256 (hex) of a scenario: its document and the content of every file it reads.

    The canonical JSON (sorted keys, no spaces) of
    :func:`offloadsim.scenario.input_hashes.identity_data`, which sweeps' and comparisons' job keys
    hash too: the document alone when it reads no file; else with each file's name replaced by
    its content hash, beside ``{key: sha256}`` (``inputs`` from
    :func:`~offloadsim.scenario.input_hashes.input_files`), so editing a trace, an ONNX file or a
    profile changes the hash and moving or renaming one does not.  The document is taken without
    ``skip_checks``, which changes no record (:mod:`offloadsim.scenario.identity`).
    """
    from offloadsim.scenario.input_hashes import identity_data

    data = identity_data(document, inputs)
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class RunResult:
    """One run: per-task, per-node and per-link records, a summary and a manifest.

    ``path`` is the run directory once written or when read back.  The
    tables are pandas DataFrames built when first asked for: ``tasks`` from
    the engine's records (``records``) while the run has not been written,
    else from the run directory's ``tasks.parquet``.
    """

    def __init__(
        self,
        tasks: pd.DataFrame | None = None,
        nodes: pd.DataFrame | Mapping[str, Any] | None = None,
        links: pd.DataFrame | Mapping[str, Any] | None = None,
        summary: Summary | None = None,
        manifest: dict[str, Any] | None = None,
        path: Path | None = None,
        stages: pd.DataFrame | Mapping[str, Any] | None = None,
        *,
        records: TaskRecords | None = None,
        processors: pd.DataFrame | Mapping[str, Any] | None = None,
        link_changes: pd.DataFrame | Mapping[str, Any] | None = None,
        tables: Mapping[str, pd.DataFrame | Mapping[str, Any] | None] | None = None,
    ) -> None:
        """``tables``: registered record tables' rows by name (DataFrame or columns), beside those named."""
        if summary is None:
            raise TypeError("RunResult needs a summary")
        self.summary = summary
        self.manifest: dict[str, Any] = manifest if manifest is not None else {}
        self.path = path
        self.records = records  # the engine's records, until they are written (then: None)
        self._tasks = tasks
        # Each record table (offloadsim.records.tables) as given: a DataFrame, the engine's columns or None.
        self._tables: dict[str, Any] = dict(tables or {})
        named = {"nodes": nodes, "links": links, "processors": processors, "link_changes": link_changes}
        self._tables.update({name: table for name, table in named.items() if table is not None})
        self._stages = stages
        self._stages_written = False  # the engine's stages let go once written: read back from path
        self._written_id: tuple[int, int] | None = None  # the run directory written (device, inode)
        #: The run's notes on what only it measured (``RawRun.own_notes``); () when read back.
        self.own_notes: tuple[str, ...] = ()
        #: Each (application, node, processor) that computed (``RawRun.computed``); () when read back.
        self.computed: tuple[tuple[str, ...], ...] = ()
        #: What its ``scenario.yaml`` is written from (:func:`.scenario_copy.scenario_text`'s arguments).
        self._scenario_copy: tuple[Mapping[str, Any], str, str, bool] | None = None

    def __repr__(self) -> str:
        where = f", path={str(self.path)!r}" if self.path else ""
        return f"RunResult({self.title!r}, tasks={self.task_count}{where})"

    @property
    def task_count(self) -> int:
        """How many task records the run has (without building the DataFrame)."""
        if self._tasks is not None:
            return len(self._tasks)
        if self.records is not None:
            return self.records.rows
        count = self.manifest.get("tasks")
        return int(count) if isinstance(count, int) else len(self.tasks)

    @property
    def tasks(self) -> pd.DataFrame:
        """The per-task records (built on first use, from the records or ``tasks.parquet``)."""
        if self._tasks is None:
            if self.records is not None:
                self._tasks = tasks_frame(self.records)
            elif self.path is not None:
                self._tasks = tasks_frame(
                    read_back(
                        self._own_directory() / "tasks.parquet", lambda file: _read_columns(file, "tasks")
                    )
                )
            else:
                raise ResultsError("this result has no task records")
        return self._tasks

    @tasks.setter
    def tasks(self, frame: pd.DataFrame) -> None:
        self._tasks = frame

    def table(self, name: str) -> pd.DataFrame:
        """The record table ``name`` (:mod:`offloadsim.records.tables`), built on first use.

        Empty, with its declared columns, where the run recorded none (or its directory was written
        before the table was); KeyError for a table not registered.
        """
        record_table(name)
        table = self._tables.get(name)
        if not _is_frame(table):
            table = self._tables[name] = table_frame(name, table)
        return table

    @property
    def nodes(self) -> pd.DataFrame:
        """Per-node records (one row per node)."""
        return self.table("nodes")

    @nodes.setter
    def nodes(self, frame: pd.DataFrame) -> None:
        self._tables["nodes"] = frame

    @property
    def links(self) -> pd.DataFrame:
        """Per-link-direction records (one row per direction ``a -> b``)."""
        return self.table("links")

    @links.setter
    def links(self, frame: pd.DataFrame) -> None:
        self._tables["links"] = frame

    @property
    def link_changes(self) -> pd.DataFrame:
        """When each link direction changed, warm-up included: one row per change (empty: none, or not kept).

        Columns :data:`~offloadsim.records.schema.LINK_CHANGES`: the time, the direction ``a -> b``,
        what moved, and its capacity, latency, loss probability and state in force after it.
        """
        return self.table("link_changes")

    @link_changes.setter
    def link_changes(self, frame: pd.DataFrame) -> None:
        self._tables["link_changes"] = frame

    @property
    def processors(self) -> pd.DataFrame:
        """Per-processor records: every processor of every computing node (the nodes table's is the first)."""
        return self.table("processors")

    @processors.setter
    def processors(self, frame: pd.DataFrame) -> None:
        self._tables["processors"] = frame

    # The tables as given (frame, the engine's columns or None), by their names before the registry.
    @property
    def _nodes(self) -> Any:
        return self._tables.get("nodes")

    @property
    def _links(self) -> Any:
        return self._tables.get("links")

    @property
    def _processors(self) -> Any:
        return self._tables.get("processors")

    @property
    def stages(self) -> pd.DataFrame | None:
        """One row per compute stage / transfer, when recorded (``--stages``); else ``None``."""
        if self._stages is None and self._stages_written:
            if self.path is None:  # as for the tasks: written, let go, and no directory to read back
                raise ResultsError("this result's stages were written and let go; read its run directory")
            self._stages = read_back(self._own_directory() / "stages.parquet", _read_stages)
        elif self._stages is not None and not _is_frame(self._stages):
            self._stages = _stages_frame(self._stages)
        return self._stages

    @stages.setter
    def stages(self, frame: pd.DataFrame | None) -> None:
        self._stages, self._stages_written = frame, False

    def written_at(self, path: Path) -> None:
        """Record that the files are now in the run directory ``path`` (found again if moved aside)."""
        self.path, self._written_id = path, _identity(path)

    def _own_directory(self) -> Path:
        """The run directory this result wrote, followed to ``NAME.old-N`` where a later run moved it."""
        if self.path is None:
            raise ResultsError("this result has no run directory")
        self.path = own_directory(self.path, self._written_id, "run directory")
        return self.path

    @property
    def title(self) -> str:
        """One line naming the run: scenario, policy, seed, replication, measured time.

        The policy is written as ``run --policy`` takes it, with the parameters it ran with
        (``neurosurgeon(objective=energy)``): its name alone read the same under either objective.
        """
        from offloadsim.scenario.policy_entries import entry_text

        m = self.manifest
        ran = m.get("policy") or {}
        params = ran.get("params")
        policy = entry_text(str(ran.get("name", "?")), params if isinstance(params, Mapping) else {})
        if ran.get("label"):  # written as --policy took it: LABEL=ENTRY
            policy = f"{ran['label']}={policy}"
        return (
            f"{m.get('scenario', '?')}: policy {policy}, seed {m.get('seed', '?')}, "
            f"replication {m.get('replication', 0)}, {self.summary.duration_s:g} s measured"
        )

    @property
    def notes(self) -> tuple[str, ...]:
        """The lines ``offloadsim run`` prints under the table (``note: ...``), from the manifest's ``notes``.

        How the run costed its work, cuts clamped, applications pooled in one table, ...
        (:func:`~offloadsim.analysis.table_notes.run_table_notes`: all the manifest keeps but the note
        on the nodes' first processors, which the table's own lines of processors replace).
        """
        from offloadsim.analysis.table_notes import run_table_notes

        return tuple(run_table_notes([str(note) for note in self.manifest.get("notes", ())], None))

    def format_table(self, *, notes: bool = True) -> str:
        """The run's table (``summary.txt``, what ``offloadsim run`` prints), with :attr:`notes` under it.

        Its summary, with the busiest processors of the nodes that have several, from its
        processors table (the nodes' lines are their first processor's); with ``notes``, a
        ``note: ...`` line for each of :attr:`notes` (``summary.txt`` holds the table alone).
        """
        from offloadsim.analysis.qualifiers import run_qualifiers

        if not isinstance(notes, bool):  # notes=3 read as true, notes="no" too
            raise RunError(f"notes: expected True or False, got {type(notes).__name__} {notes!r:.40}")
        table = self._processors
        none = table is None or (not _is_frame(table) and not table)  # none recorded
        text = self.summary.format_table(
            self.title,
            processors=None if none else table,
            qualifiers=run_qualifiers(self.manifest, overload_groups=self._overload_groups()),
        )
        return text + "".join(f"\nnote: {note}" for note in self.notes) if notes else text

    def _overload_groups(self) -> set[str] | frozenset[str] | None:
        """The source groups its overload warnings concern, from its records; None: every group.

        Worked out only where it has several source groups (lines per group) and an overload warning:
        as the warnings' facts say (placed as the result was built), else from its records (a
        result read back from a directory written before the facts said).
        """
        from offloadsim.analysis.overload_marks import overload_groups_said, overload_kinds

        facts = self.summary.warning_facts
        if not self.summary.source_groups or not overload_kinds(one.kind for one in facts):
            return None
        if (said := overload_groups_said(facts)) is not None:
            return said
        from offloadsim.analysis.group_warned import overload_groups  # pandas: only where it is needed

        return overload_groups(facts, self._group_placer())

    def _group_placer(self) -> Callable[[Any], set[str] | None]:
        """What places its warnings among its source groups: its records read a chunk at a time.

        The engine's records while it has them (no DataFrame of all its tasks is built), else its
        tasks table (a result read back); see :func:`~offloadsim.analysis.group_tally.run_placer`.
        """
        from offloadsim.analysis.group_tally import run_placer

        end = self.manifest.get("end_s")
        ended = float(end) if isinstance(end, int | float) and math.isfinite(end) else None
        records = self.records if self._tasks is None else None
        tasks: Any = records if records is not None else self.tasks
        frame = (lambda: tasks_frame(records)) if records is not None else (lambda: tasks)
        nodes = self._nodes if self._nodes is not None else self.nodes
        return run_placer(tasks, nodes, self.summary.duration_s, ended, self.summary.warning_facts, frame)

    def _placed_summary(self) -> Summary:
        """Its summary, each warning's facts saying which source groups it concerns (``groups``).

        Worked out once, as the result is built, where it has several source groups and a warning:
        its ``summary.json``, a comparison's or sweep's manifest and a job file then carry them, and
        every table marks only the groups an overload concerns, its records read no more.
        """
        from dataclasses import replace

        from offloadsim.analysis.group_warned import placed_facts  # pandas: only where it is needed

        facts = placed_facts(self.summary.warning_facts, self._group_placer())
        return replace(self.summary, warning_facts=facts)

    @classmethod
    def from_raw(
        cls,
        raw: RawRun,
        scenario: Scenario,
        *,
        policy: PolicySpec | None = None,
        started_utc: _dt.datetime | None = None,
        command: Sequence[str] | None = None,
        inputs: Sequence[InputFile] | None = None,
        label: str | None = None,
        overrides: Sequence[str] = (),
    ) -> RunResult:
        """Build the result of a finished run: DataFrames, summary and manifest.

        ``policy`` is the policy spec that was run (default: the scenario's
        when its name matches ``raw.policy_name``); ``started_utc`` the wall
        clock start (default: now minus the run's wall time); ``command`` the
        command line (default ``sys.argv``); ``inputs`` the files the
        scenario read, hashed before the run (default: hashed now); ``label`` the name
        ``--policy LABEL=ENTRY`` gave the policy (its title and figures name it so); ``overrides``
        the ``--set`` assignments the scenario was loaded with, as a comparison's manifest lists them.
        """
        from offloadsim.analysis.idle_links import (
            set_links_notes,
        )  # a --set link idle: its value said nothing
        from offloadsim.analysis.table_notes import application_order

        sources = {source for entry in scenario.workload for source in entry.sources}
        summary = summarize(
            raw.tasks,
            raw.nodes,
            raw.links,
            raw.duration_s,
            end_s=raw.end_s,
            processors=raw.processors,
            powered_sources=sum(node.power is not None for node in scenario.nodes if node.name in sources),
            applications=list(application_order([scenario])),
            unpowered_groups=_unpowered_groups(scenario, sources),
            offered_rates=offered_rates(scenario.workload, raw.warmup_s, raw.end_s),
            loops=closed_loops(scenario.workload),
            link_changes=raw.tables.get("link_changes"),
        )
        if label and hasattr(raw.tasks, "policy"):  # its task records name it so, as a comparison's entries
            raw.tasks.policy = label
        rows = getattr(raw.tasks, "rows", None)
        count = int(rows) if rows is not None else len(tasks_frame(raw.tasks))
        if policy is None or policy.name != raw.policy_name:
            params = dict(scenario.policy.params) if scenario.policy.name == raw.policy_name else {}
        else:
            params = dict(policy.params)
        if started_utc is None:
            started_utc = _dt.datetime.now(_dt.UTC) - _dt.timedelta(seconds=raw.wall_s)
        if inputs is None:
            from offloadsim.scenario.input_hashes import input_files

            inputs = input_files(scenario)
        from offloadsim.analysis.metric_list import metric_sources

        used = run_plugins(scenario, raw.policy_name)
        manifest = {
            "format": _FORMAT,
            "scenario": raw.scenario_name,
            "scenario_file": scenario.source,
            "scenario_hash": scenario_hash(scenario.document, inputs),
            "scenario_document": SCENARIO_DOCUMENT,  # that document, written beside it
            "inputs": [i.to_dict() for i in inputs],
            "seed": int(raw.seed),
            "replication": int(raw.replication),
            # its label where --policy gave one (LABEL=ENTRY): the name its title and figures give it
            "policy": {
                "name": raw.policy_name,
                "params": params,
                **({"label": label} if label else {}),
                # by-group's: each group of task sources -> the inner policy that decided its tasks
                **({"inner": raw.inner_policies} if raw.inner_policies else {}),
            },
            "warmup_s": float(raw.warmup_s),
            "duration_s": float(raw.duration_s),
            "end_s": float(raw.end_s),
            "tasks": count,
            "offloadsim_version": _package_version(),
            **code_versions(),  # the libraries' versions, and the git commit of a checkout
            "engine_build": engine_build(),
            **({"plugins": used} if used else {}),  # whose code ran: none for offloadsim's own
            "metrics": metric_sources(),  # the summary's registered metrics, shipped or a plug-in's
            "python_version": platform.python_version(),
            "platform": host_platform(),
            "host": socket.gethostname(),
            "started_utc": started_utc.astimezone(_dt.UTC).isoformat(timespec="seconds"),
            "wall_s": float(raw.wall_s),
            "command": command_line(command),
            "notes": list(raw.notes)
            + _pooled_notes(raw.tasks, scenario)
            + set_links_notes(scenario, raw.links),
            **({"note_facts": kept} if (kept := note_facts(raw.notes)) else {}),  # their kinds and facts
            **_figure_fields(raw.notes),  # those its figures say, as their providers declare
            "context_cuts": list(raw.context_cuts),
            **({"decode_ceilings": list(raw.decode_ceilings)} if raw.decode_ceilings else {}),
            # A processor decoding at its ceiling busy all the measured time: output tokens/s a bound.
            **({"decode_saturated": True} if decode_saturated(raw.processors, raw.ceiling_decoders) else {}),
            # An LLM prefill computed at a profile's assumed efficiency: its first-token times no bound.
            **({"prefill_at_efficiency": True} if raw.prefill_at_efficiency else {}),
            "overrides": list(overrides),  # as given; scenario.yaml holds the document they made
            "skipped_checks": list(scenario.skip_checks),  # its warnings were not looked for
        }
        records = cast("TaskRecords", raw.tasks) if rows is not None else None
        result = cls(
            tasks=None if records is not None else tasks_frame(raw.tasks),
            nodes=raw.nodes,
            links=raw.links,
            summary=summary,
            manifest=manifest,
            stages=raw.stages,
            records=records,
            processors=raw.processors,
            tables=raw.tables,
        )
        if summary.source_groups and summary.warning_facts:  # which groups each warning concerns
            result.summary = result._placed_summary()
        result.own_notes = tuple(raw.own_notes)
        result.computed = tuple(raw.computed)
        result._scenario_copy = (scenario.document, scenario.source, scenario.base_dir, bool(inputs))
        return result


def run_plugins(scenario: Scenario, policy: str | None = None) -> list[dict[str, Any]]:
    """The plug-ins a run of ``scenario`` (with ``policy``) uses, those its summary's numbers come from too.

    What the engine's code ran (:func:`~offloadsim.engine.plugins_used.plugins_used`), the run
    metrics not offloadsim's own (:func:`~offloadsim.analysis.metric_list.metric_plugins`), which
    add columns to its summary, the kinds of run warning not its own
    (:func:`~offloadsim.analysis.warning_list.warning_plugins`), which add warnings to it, and the
    breakdowns not its own (:func:`~offloadsim.analysis.breakdown_list.breakdown_plugins`), which add
    keys to it: its manifest's ``plugins`` and a sweep's or comparison's job key.
    """
    from offloadsim.analysis.breakdown_list import breakdown_plugins
    from offloadsim.analysis.metric_list import metric_plugins
    from offloadsim.analysis.warning_list import warning_plugins
    from offloadsim.engine.plugins_used import plugins_used

    return plugins_used(scenario, policy) + metric_plugins() + warning_plugins() + breakdown_plugins()


def note_facts(notes: Sequence[str]) -> list[dict[str, Any]]:
    """The manifest's ``note_facts``: each of ``notes`` a registered provider said, with its kind and facts.

    The manifest's ``notes`` are the lines as said (text, as old manifests have them); this keeps,
    for each world note among them (a :class:`~offloadsim.world.notes.registry.NoteLine`), the
    ``kind`` and ``facts`` it was made of, as a comparison's ``precision_notes`` keeps them, so that
    a run's notes are read from their data, not their wording.  ``[]`` where none is.
    """
    rows: list[dict[str, Any]] = []
    for text in notes:
        note = getattr(text, "note", None)
        if note is not None:
            rows.append(
                {
                    "note": str(text),
                    "kind": note.kind,
                    **({"facts": dict(note.facts)} if note.facts else {}),
                    **({"about": note.about} if note.about else {}),  # energy: said of energy only
                }
            )
    return rows


def _figure_fields(notes: Sequence[str]) -> dict[str, Any]:
    """The manifest's ``figure_notes`` (and ``figure_merges``): the notes its figures say; {} for none."""
    from offloadsim.world.notes.registry import figure_notes

    rows, merges = figure_notes((note, None) for note in notes)
    return {"figure_notes": rows, **({"figure_merges": merges} if merges else {})} if rows else {}


def _pooled_notes(tasks: Any, scenario: Scenario) -> list[str]:
    """The note that the run's table pools several applications' tasks, if it does (a list of it, or [])."""
    from offloadsim.analysis.table_notes import RUN_APPS_SHOWN, application_order, pooled_note

    if len(application_order([scenario])) < 2:  # one application can pool nothing: no records read
        return []
    served: set[str] = set()
    if getattr(tasks, "blocks", None) is not None and "app" in getattr(tasks, "coded", ()):
        for block in tasks.blocks():  # a chunk at a time: the spilled records are not all read at once
            codes, labels = block.codes("app")
            served.update(labels[int(code)] for code in np.unique(codes))
    elif "app" in tasks:
        served.update(str(app) for app in np.unique(np.asarray(tasks["app"], dtype=object)))
    note = pooled_note([scenario], {"": served}, RUN_APPS_SHOWN)
    return [note] if note else []


def _is_frame(table: Any) -> bool:
    return hasattr(table, "iloc")


def _stages_frame(columns: Mapping[str, Any]) -> pd.DataFrame:
    import pandas as pd

    stages = pd.DataFrame(dict(columns))
    stages["kind"] = pd.Categorical(stages["kind"], categories=list(STAGE_KINDS))
    if "phase" in stages:
        stages["phase"] = pd.Categorical(stages["phase"], categories=list(schema.STAGE_PHASES))
    return stages


def _package_version() -> str:
    from offloadsim._version import __version__

    return __version__


# --------------------------------------------------------------------------- writing


def write_run(result: RunResult, out_dir: str | Path, *, overwrite: bool = False) -> Path:
    """Write ``result`` to ``out_dir`` atomically (see :func:`~offloadsim.outdir.write_directory`).

    Files: ``tasks.parquet``, a ``NAME.parquet`` per record table (:mod:`offloadsim.records.tables`:
    ``nodes``, ``links``, ``link_changes``, ``processors``, ...), ``summary.json``, ``summary.txt``,
    ``manifest.json`` (and ``stages.parquet`` when stages were recorded).  An earlier result in
    ``out_dir`` is kept as ``out_dir.old-N`` unless ``overwrite``.  Sets and
    returns ``result.path``.
    """
    if not isinstance(result, RunResult):  # a str had no .manifest: AttributeError, naming nothing
        raise RunError(
            f"result: expected a RunResult (offloadsim.run's), got {type(result).__name__} {result!r:.40}"
        )
    written = write_directory(
        out_dir,
        lambda tmp: write_files(result, tmp),
        overwrite=overwrite,
        inputs=manifest_inputs(result.manifest),
    )
    result.written_at(written.path)
    return written.path


def manifest_inputs(manifest: Mapping[str, Any]) -> list[str]:
    """The files a result was made from, as its manifest names them: the scenario file and what it read.

    What ``overwrite`` must not delete with the directory it replaces (a trace kept in an earlier result).
    """
    named = [manifest.get("scenario_file")]
    named += [entry.get("path") for entry in manifest.get("inputs", ()) if isinstance(entry, Mapping)]
    return [path for path in named if isinstance(path, str) and path]


def write_files(result: RunResult, directory: Path) -> None:
    """Write the run's files into ``directory`` (an empty one, e.g. the partial directory of a write).

    The engine's records and stages are let go once written (and their
    spilled chunks removed): ``result.tasks`` and ``result.stages`` then
    read ``tasks.parquet`` and ``stages.parquet`` back, from ``result.path``.
    """
    _write_files(result, directory)
    if result.records is not None:
        result.records.log.discard()
        result.records = None
    discard = getattr(result._stages, "discard", None)
    if discard is not None:
        discard()
        result._stages, result._stages_written = None, True


def _write_files(result: RunResult, directory: Path) -> None:
    from offloadsim.records.arrow import write_frame, write_table

    if result.records is not None:
        write_tasks(result.records, directory / "tasks.parquet")
    else:
        write_frame(result.tasks, directory / "tasks.parquet")
    for spec in record_tables():
        table = result._tables.get(spec.name)
        if _is_frame(table):
            write_frame(table, directory / spec.file)
        else:  # the engine's columns; none (a run that recorded nothing): the declared ones, no rows
            write_table(_ordered(table or spec.empty(), spec.name), spec.name, directory / spec.file)
    stages = result._stages
    if stages is not None and not _is_frame(stages):  # the engine's columns: written as the frame would be
        write_stages(stages, directory / "stages.parquet")
    elif result.stages is not None:
        write_frame(result.stages, directory / "stages.parquet")
    _write_text(directory / "summary.json", json.dumps(result.summary.to_dict(), indent=2) + "\n")
    _write_text(directory / "summary.txt", result.format_table(notes=False) + "\n")
    manifest = result.manifest = _kept_inputs(result, directory)
    scenario = _scenario_yaml(result)
    if scenario is not None:
        _write_text(directory / SCENARIO_DOCUMENT, scenario)
    elif "scenario_document" in manifest:  # a result read back from a directory that has none
        manifest = {key: value for key, value in manifest.items() if key != "scenario_document"}
    _write_text(directory / "manifest.json", json.dumps(manifest, indent=2, default=str) + "\n")


def _kept_inputs(result: RunResult, directory: Path) -> dict[str, Any]:
    """The manifest, the files the run read copied into ``directory/inputs/`` and its fields saying which.

    A result read back from a directory, or written already, takes that directory's copies over
    (:func:`~offloadsim.records.input_copies.carry_inputs`).
    """
    scenario = result._scenario_copy
    try:
        written = result._own_directory() if result.path is not None else None
    except ResultsError:  # replaced or removed since: its copies are nowhere
        written = None
    return carry_inputs(
        result.manifest,
        directory,
        origin=(scenario[2], [scenario[0]]) if scenario is not None else None,
        written=written,
    )


def _scenario_yaml(result: RunResult) -> str | None:
    """The run's ``scenario.yaml``: made from the scenario it ran, else its directory's; None: neither."""
    if result._scenario_copy is not None:
        return scenario_text(*result._scenario_copy, copied=bool(result.manifest.get("inputs_copied")))
    found = result.path / SCENARIO_DOCUMENT if result.path is not None else None
    return found.read_text(encoding="utf-8") if found is not None and found.is_file() else None


def write_stages(stages: Mapping[str, Any], path: Path) -> None:
    """Write the engine's stage columns to ``path`` as the frame would be, a row group per chunk.

    ``stages`` is a :class:`~offloadsim.engine.records.StageRecords` (read a
    chunk at a time, so writing needs memory for one chunk) or plain columns.
    """
    from offloadsim.records.arrow import TableWriter, write_table

    kinds = {"kind": STAGE_KINDS, "phase": schema.STAGE_PHASES}
    blocks = getattr(stages, "blocks", None)
    if blocks is None or not getattr(stages, "rows", 0):  # plain columns, or none at all: one row group
        write_table(_ordered(stages, "stages"), "stages", path, categories=kinds)
        return
    with TableWriter(path, "stages", list(stages), kinds) as writer:
        for block in blocks(coded=("kind", "phase")):
            writer.write(block)


def _ordered(columns: Mapping[str, Any], table: str) -> dict[str, Any]:
    """The columns in file order: the declared ones in the schema's order, then any others."""
    declared = [c.name for c in schema.columns_of(table)]
    return {
        name: columns[name] for name in [*(c for c in declared if c in columns), *columns] if name in columns
    }


def write_tasks(
    records: TaskRecords,
    path: Path,
    metadata: Mapping[bytes, bytes] | Callable[[dict[str, list[str]]], Mapping[bytes, bytes]] | None = None,
) -> None:
    """Write the engine's records to ``path`` as Parquet, one row group per chunk, in the schema's order.

    The content is what ``tasks_frame(records).to_parquet(path, index=False)``
    would write (the same types, categories and values), without building it;
    ``metadata`` is added to the file's schema metadata.  A callable ``metadata`` is given each
    categorical column's values present in the records (sorted, as text), which this pass over
    them found: a sweep's job file keeps them, so its merge need not read the records to learn them.
    """
    from offloadsim.records.arrow import TableWriter, sorted_categories

    names = list(records)
    dtypes = {c.name: c.dtype for c in schema.task_columns()}
    categorical = [name for name in names if dtypes.get(name) == "category"]
    coded = {name for name in categorical if name in records.coded}
    present: dict[str, set[str]] = {name: set() for name in categorical}
    for block in records.blocks():
        for name in categorical:
            if name in coded:
                codes, labels = block.codes(name)
                present[name].update(labels[c] for c in np.flatnonzero(np.bincount(codes)))
            else:
                present[name].update(str(v) for v in block[name])
    categories = {
        name: list(schema.STATUSES) if name == "status" else sorted_categories(present[name])
        for name in categorical
    }
    if callable(metadata):
        metadata = metadata({name: sorted_categories(present[name]) for name in categorical})
    with TableWriter(path, "tasks", names, categories, metadata=metadata) as writer:
        for block in records.blocks():
            writer.write({name: block.codes(name) if name in coded else block[name] for name in names})


def _write_text(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


# --------------------------------------------------------------------------- reading


def read_run(run_dir: str | Path) -> RunResult:
    """Read a run directory written by :func:`write_run`.

    Raises :class:`ResultsError` naming the directory when it is missing or incomplete, as
    :func:`~offloadsim.records.stored.read_results` does (its error is a ``ResultsError`` too).
    """
    import pandas as pd

    if not isinstance(run_dir, str | os.PathLike):  # pathlib's TypeError, a traceback
        raise ResultsError(
            f"run_dir: expected a directory path, got {type(run_dir).__name__} {run_dir!r:.60}"
        )
    directory = Path(run_dir)
    if (reason := name_too_long(directory)) is not None:  # is_dir() raised it: exit 1
        raise ResultsError(f"cannot read a run directory at {shown_path(directory)}: {reason}")
    if not directory.is_dir():
        if directory.is_file():
            raise ResultsError(
                f"{directory} is a file, not a run directory (the folder 'offloadsim run' wrote)"
            )
        raise ResultsError(f"no run directory at {directory}")
    kind = _written_by(directory)
    if kind is not None and (claim := kind_claim_problem(directory, kind)) is not None:
        raise ResultsError(claim)
    if kind in ("compare", "sweep"):
        raise ResultsError(
            f"{directory} is a {kind} directory, not a run's: read it with "
            f"offloadsim.records.stored.read_results('{directory}') (every run's tasks, metrics and summary)"
        )
    # The record tables but the required ones (nodes, links): not in a run written before they were.
    specs = record_tables()
    needed = ["tasks.parquet", *(s.file for s in specs if s.required), "summary.json", "manifest.json"]
    missing = [name for name in needed if not (directory / name).is_file()]
    if missing:
        raise ResultsError(f"{directory} is not a complete run directory (missing {', '.join(missing)})")
    for name in [*(s.file for s in specs if not s.required), "stages.parquet"]:  # optional, but a folder:
        if (
            what := not_a_file(directory / name)
        ) is not None:  # read as absent (no rows), where plot refused it
            raise ResultsError(f"{directory} is incomplete: {name} {what}, not a table file")
    try:
        tasks = tasks_frame(_read_columns(directory / "tasks.parquet", "tasks"))
        tables = {
            spec.name: table_frame(
                spec.name,
                _read_columns(directory / spec.file, spec.name) if (directory / spec.file).is_file() else {},
            )
            for spec in specs
        }
        nodes, links, processors = tables["nodes"], tables["links"], tables["processors"]
        summary = Summary.from_dict(read_json(directory / "summary.json", ResultsError, "the run's summary"))
        manifest = read_json(directory / "manifest.json", ResultsError, "the run's manifest")
    except (OSError, ValueError) as exc:
        raise ResultsError(f"cannot read run directory {directory}: {exc}") from exc
    if (wrong := manifest_problem(directory / "manifest.json", manifest)) is not None:
        raise ResultsError(wrong)  # a hand-edited key is named, not trusted
    if (lacking := rows_problem(nodes, processors, links)) is not None:
        which, problem = lacking
        raise ResultsError(f"{directory / f'{which}.parquet'}: {problem}; {REWRITE}")
    powered = pd.DataFrame({"powered_sources": [summary.powered_sources]})
    if (wrong := powered_sources_problem(powered, nodes, summary=True)) is not None:
        raise ResultsError(f"{directory / 'summary.json'}: {wrong}; {REWRITE}")
    expected = manifest.get("tasks") if isinstance(manifest, dict) else None
    if isinstance(expected, int) and expected != len(tasks):
        raise ResultsError(
            f"{directory} is inconsistent: manifest.json counts {expected} task rows, tasks.parquet has "
            f"{len(tasks)} (an interrupted write?); run it again"
        )
    stages_file = directory / "stages.parquet"
    stages = _read_table(stages_file, "stages") if stages_file.is_file() else None
    return RunResult(
        tasks=tasks, summary=summary, manifest=manifest, path=directory, stages=stages, tables=tables
    )


def _written_by(directory: Path) -> str | None:
    """The verb whose manifest ``directory`` holds (``run``, ``compare``, ``sweep``), or None if unread.

    Raises :class:`ResultsError` for a manifest of a format this offloadsim does not read.
    """
    try:
        manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict):
        return None
    try:  # a newer version's, or no results format: refused, not read as a run
        return result_kind(manifest.get("format"))
    except ValueError as error:
        raise ResultsError(f"{directory / 'manifest.json'}: {error}") from None


def own_directory(path: Path, written_id: tuple[int, int] | None, what: str = "directory") -> Path:
    """``path``, the ``what`` a result wrote (``written_id``: its :func:`_identity` then), or where it is now.

    A later run written to the same place moves it aside to ``NAME.old-N`` (or, with
    ``overwrite``, deletes it): reading ``path`` then would give that run's records as this one's.
    Raises :class:`ResultsError` where it is nowhere beside ``path``.  Also for a comparison
    (``CompareResult.tasks`` read a later comparison's tasks.parquet as its own).
    """
    if written_id is None or _identity(path) == written_id:
        return path
    for moved in path.parent.glob(glob.escape(path.name) + ".old-*"):
        if _identity(moved) == written_id:
            return moved
    raise ResultsError(
        f"this result's {what} {path} was replaced or removed after it was written, "
        "and its records are not beside it as an .old-N directory"
    )


def _identity(path: Path) -> tuple[int, int] | None:
    """A directory's (device, inode): it stays the same when the directory is renamed."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


#: What :func:`own_directory` is given: a written directory's (device, inode), or None.
directory_identity = _identity

_T = TypeVar("_T")


def read_back(path: Path, read: Callable[[Path], _T]) -> _T:
    """``read(path)``, a table of a result's own directory read on first use.

    A file deleted or overwritten there since the result was written ended in pyarrow's
    FileNotFoundError or ArrowInvalid, with a traceback; it is a :class:`ResultsError`.
    """
    if not path.is_file():
        raise ResultsError(f"{path}: no longer there (deleted since this result was written?); run it again")
    try:
        return read(path)
    except (OSError, ValueError) as error:
        raise ResultsError(f"cannot read {path}: {error}; {REWRITE}") from None


def _read_stages(path: Path) -> pd.DataFrame:
    return read_checked(path, "stages", ResultsError)


def _read_columns(path: Path, table: str) -> dict[str, Any]:
    """The columns of the table ``path`` (``table`` of the schema), refused where not as written."""
    frame = _read_table(path, table)
    return {name: frame[name] for name in frame.columns}


def _read_table(path: Path, table: str) -> pd.DataFrame:
    """The table ``path`` (``table`` of the schema) for :func:`read_run`: one that does not parse named."""
    try:
        return read_checked(path, table, ResultsError)
    except ValueError as exc:  # pyarrow's ArrowInvalid: an emptied or cut file, or not Parquet at all
        raise ResultsError(unreadable(path, exc)) from None


def _unpowered_groups(scenario: Any, sources: set[str]) -> set[str]:
    """The node groups of task sources none of which has ``power:`` (their energy is not measured)."""
    groups = {node.group for node in scenario.nodes if node.name in sources}
    return groups - {node.group for node in scenario.nodes if node.name in sources and node.power is not None}
