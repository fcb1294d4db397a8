"""Reading results back: the tables of a run, compare or sweep directory, for analysis and plots.

A run directory has one run's records and its summary; a compare or sweep
directory has every job's records and one row of metrics per job.  Both
read into one :class:`Results`, so a figure or a table does not care which
command wrote them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from offloadsim.analysis.values import nulls_read_back
from offloadsim.bounded_read import name_too_long, not_a_file
from offloadsim.errors import RunError, shown_path
from offloadsim.input_kinds import RESULTS, misdirected_path
from offloadsim.outdir import ResultsError
from offloadsim.records.checked import (
    REWRITE,
    powered_sources_problem,
    read_checked,
    read_json,
    rows_problem,
    unreadable,
)
from offloadsim.records.formats import result_kind
from offloadsim.records.manifest_check import kind_claim_problem, manifest_problem
from offloadsim.records.tables import record_tables
from offloadsim.suggest import did_you_mean_file, quoted

__all__ = ["ExperimentError", "Results", "UnreadableResults", "read_results"]


class ExperimentError(RunError):
    """An experiment that cannot be set up, run or read (bad arguments, output dir); one line per problem.

    A :class:`~offloadsim.errors.RunError`, so the command line reports it as a user error.
    """


class UnreadableResults(ExperimentError, ResultsError):
    """A results directory :func:`read_results` cannot read: its :class:`ExperimentError`, as before.

    Also a :class:`~offloadsim.outdir.ResultsError`, what :func:`~offloadsim.records.results.read_run`
    raises for a directory it cannot read, so one ``except ResultsError`` serves both readers.
    ``ResultsError`` itself stays no ValueError: it also says a directory cannot be written (locked,
    not writable), and the readers' ``except (OSError, ValueError)`` must not wrap it again.
    """


@dataclass
class Results:
    """The tables of a run, compare or sweep directory, as read by :func:`read_results`.

    ``kind`` is ``"run"``, ``"compare"`` or ``"sweep"``; ``metrics`` has one
    row per job (replication); ``swept`` names the swept key paths (sweeps); ``summary`` is a
    comparison's or sweep's ``summary.parquet``, the ``summary`` its ``compare()`` or ``sweep()``
    returned (None: a run, which has one row and no interval).
    """

    kind: str
    path: Path
    tasks: pd.DataFrame
    metrics: pd.DataFrame
    nodes: pd.DataFrame
    manifest: dict[str, Any]
    swept: list[str] = field(default_factory=list)
    stages: pd.DataFrame | None = None  # a single run recorded with --stages
    #: Every processor of every computing node, per run (None: written before the table was).
    processors: pd.DataFrame | None = None
    #: When each link direction changed, per run (``link_changes.parquet``; None: not kept).
    link_changes: pd.DataFrame | None = None
    #: Every record table a comparison keeps (offloadsim.records.tables), per run, by name: None where
    #: not kept (or written before the table was).  ``processors`` and ``link_changes`` are its own,
    #: as given to those fields.
    tables: dict[str, pd.DataFrame | None] = field(default_factory=dict)
    #: The tidy summary (``summary.parquet``) of a comparison or sweep; None for a run, or where not written.
    summary: pd.DataFrame | None = None

    def __post_init__(self) -> None:
        self.tables = {**self.tables, "processors": self.processors, "link_changes": self.link_changes}

    def __repr__(self) -> str:  # the dataclass's would print every table in full
        swept = f", swept={self.swept}" if self.swept else ""
        return (
            f"Results({self.kind!r}, path={str(self.path)!r}, tasks={len(self.tasks):,} rows, "
            f"metrics={len(self.metrics):,} rows{swept})"
        )

    @property
    def notes(self) -> tuple[str, ...]:
        """The notes the command that wrote the directory printed under its table (the manifest's ``notes``).

        A run's, as :attr:`RunResult.notes <offloadsim.records.results.RunResult.notes>` reads them;
        none from a comparison or sweep written before offloadsim kept them.
        """
        from offloadsim.analysis.table_notes import run_table_notes

        kept = [str(note) for note in self.manifest.get("notes", ())]
        return tuple(run_table_notes(kept, None) if self.kind == "run" else kept)


def read_results(directory: str | Path) -> Results:
    """Read a results directory written by ``offloadsim run``, ``compare`` or ``sweep``.

    Raises :class:`UnreadableResults` (an :class:`ExperimentError` and a
    :class:`~offloadsim.outdir.ResultsError`, as :func:`~offloadsim.records.results.read_run`
    raises) naming the directory when it is missing or incomplete.
    """
    try:
        return _read_results(directory)
    except UnreadableResults:
        raise
    except ExperimentError as error:  # its message as it was: said once, not wrapped
        raise UnreadableResults(str(error)) from error.__cause__


def _read_results(directory: str | Path) -> Results:
    """:func:`read_results`, raising :class:`ExperimentError`."""
    if not isinstance(directory, str | os.PathLike):  # pathlib's TypeError, a traceback
        raise ExperimentError(
            f"directory: expected a results directory path, got {type(directory).__name__} {directory!r:.60}"
        )
    path = Path(directory)
    if (reason := name_too_long(path)) is not None:  # is_dir() raised it: exit 1
        raise ExperimentError(f"cannot read results at {shown_path(path)}: {reason}")
    if not path.is_dir():
        if path.is_file():  # what kind of file it is, where it is known; a file, in any case
            raise ExperimentError(
                misdirected_path(path, RESULTS)
                or f"{path}: a file, not a results directory (the folder run, compare or sweep wrote)"
            )
        raise ExperimentError(f"no results directory at {path}{did_you_mean_file(path, directory=True)}")
    manifest_file = path / "manifest.json"
    if (what := not_a_file(manifest_file)) is not None:  # there, but a FIFO would block the read
        raise ExperimentError(f"{manifest_file}: {what}, expected the results' manifest")
    if not manifest_file.is_file():
        wrong = misdirected_path(path, RESULTS)  # a sweep's points/
        if wrong is not None:
            raise ExperimentError(wrong)
        raise ExperimentError(
            f"{path} is not a results directory (no manifest.json; for a sweep, it is written "
            "when every job has finished)"
        )
    try:
        manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:  # it said "cannot read results in DIR: 'utf-8' codec can't ..."
        raise ExperimentError(f"{manifest_file}: not UTF-8 text (byte {error.start})") from None
    except ValueError as error:
        raise ExperimentError(f"{manifest_file}: not valid JSON: {error}") from None
    except OSError as error:
        raise ExperimentError(f"cannot read results in {path}: {error}") from None
    if (wrong := manifest_problem(manifest_file, manifest)) is not None:
        raise ExperimentError(wrong)
    try:  # a newer version's, or no results format: refused before its tables are read as this one's
        kind = result_kind(manifest.get("format"))
    except ValueError as error:
        raise ExperimentError(f"{manifest_file}: {error}") from None
    if (claim := kind_claim_problem(path, kind)) is not None:  # a run's edited to say sweep drew as one
        raise ExperimentError(claim)
    try:
        tasks = _read_table(path / "tasks.parquet", "tasks")
        nodes = _read_table(path / "nodes.parquet", "nodes")
        # A run has no metrics.parquet (its summary.json gives the row), nor stages.parquet without
        # --stages; one there that is a directory or FIFO is refused, not taken as absent.
        metrics_file, stages_file = path / "metrics.parquet", path / "stages.parquet"
        # The record tables a comparison keeps; each optional (None: not kept, or written before it was).
        tables = {
            table.name: _read_table(path / table.file, table.name) if (path / table.file).exists() else None
            for table in record_tables()
            if table.compare
        }
        processors = tables.get("processors")
        metrics = (
            _read_table(metrics_file)
            if metrics_file.exists()
            else _run_metrics(path, manifest, processors, tasks)
        )
        stages = _read_table(stages_file, "stages") if stages_file.exists() else None
        summary_file = path / "summary.parquet"  # a comparison's or sweep's, as it returned it
        summary = _read_table(summary_file) if kind != "run" and summary_file.exists() else None
    except ExperimentError:  # already names the file (a ValueError too, not to be said twice)
        raise
    except (OSError, ValueError) as error:
        raise ExperimentError(f"cannot read results in {path}: {error}") from None
    _check_metrics(metrics_file, metrics)
    link_changes = tables.get("link_changes")
    if link_changes is not None and kind == "compare":  # without them, every run's rows drew as one run's
        absent = next((c for c in ("policy", "replication") if c not in link_changes.columns), None)
        if absent is not None:
            raise ExperimentError(
                f"{path / 'link_changes.parquet'}: no column {absent}, expected each row's run "
                f"(a comparison's link changes are told apart by policy and replication); {REWRITE}"
            )
    ran = metrics_file.exists()  # else the run's summary.json gave the row
    if (problem := powered_sources_problem(metrics, nodes, summary=not ran)) is not None:
        raise ExperimentError(f"{metrics_file if ran else path / 'summary.json'}: {problem}; {REWRITE}")
    if (lacking := rows_problem(nodes, processors)) is not None:
        which, problem = lacking
        raise ExperimentError(f"{path / f'{which}.parquet'}: {problem}; {REWRITE}")
    _check_counts(path, manifest, tasks, metrics)
    swept = [str(k) for k in manifest.get("swept", [])]
    _check_swept(manifest_file, swept, {"metrics.parquet": metrics})
    keys = [*swept, *(str(c) for c in metrics.columns if str(c).startswith("policy."))]  # compare's too
    for table in (tasks, metrics, nodes, processors, summary):
        if table is not None:
            nulls_read_back(table, keys)  # an older table's text "null": missing, as written now
    return Results(
        kind,
        path,
        tasks,
        metrics,
        nodes,
        manifest,
        swept,
        stages,
        tables["processors"],
        tables["link_changes"],
        tables,
        summary,
    )


def _check_counts(
    path: Path, manifest: Mapping[str, Any], tasks: pd.DataFrame, metrics: pd.DataFrame
) -> None:
    """Refuse tables that do not match their manifest (left mixed by a writer of an older version)."""
    for key, table, name in (("tasks", tasks, "tasks.parquet"), ("jobs", metrics, "metrics.parquet")):
        expected = manifest.get(key)
        if isinstance(expected, int) and expected != len(table):
            raise ExperimentError(
                f"{path} is inconsistent: manifest.json counts {expected} rows of {name}, which has "
                f"{len(table)} (an interrupted write?); rerun the command that made it"
            )


def _check_swept(file: Path, swept: list[str], tables: Mapping[str, pd.DataFrame]) -> None:
    """Refuse a manifest whose ``swept`` names a key that is no column of the tables beside it.

    A figure looks each swept key up as a column: one edited in (or from other tables) was a
    KeyError deep in the figure, an internal error.
    """
    for index, key in enumerate(swept):
        for name, table in tables.items():
            if key not in table.columns:
                raise ExperimentError(
                    f"{file}: swept[{index}]: {quoted(key)} is no column of {name}, which has a column "
                    f"for each swept key; {REWRITE}"
                )


def _check_metrics(file: Path, metrics: pd.DataFrame) -> None:
    """Refuse a metrics table whose metric (a catalogue's, or ``utilisation_...``) holds other than numbers.

    Its columns are the catalogue's, not the record schema's; one turned to text was drawn as it came.
    """
    from offloadsim.analysis.catalogue import metric_columns

    for name in metric_columns(metrics):
        values = metrics[name]
        if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            got = "text" if pd.api.types.is_string_dtype(values) else str(values.dtype)
            raise ExperimentError(f"{file}: column {name}: expected numbers (a metric), got {got}; {REWRITE}")


def _read_table(file: Path, table: str | None = None) -> pd.DataFrame:
    """The table ``file``; one of the record schema's (``table``) checked against it (metrics are not)."""
    if (what := not_a_file(file)) is not None:  # a directory was "missing"
        raise ExperimentError(f"{file.parent} is incomplete: {file.name} {what}, not a table file")
    if not file.is_file():
        raise ExperimentError(f"{file.parent} is incomplete: {file.name} is missing")
    try:
        return pd.read_parquet(file) if table is None else read_checked(file, table, ExperimentError)
    except ExperimentError:
        raise
    except (OSError, ValueError) as error:  # pyarrow's ArrowInvalid of an emptied or cut file is a ValueError
        raise ExperimentError(unreadable(file, error)) from None


def _run_metrics(
    path: Path, manifest: Mapping[str, Any], processors: pd.DataFrame | None, tasks: pd.DataFrame
) -> pd.DataFrame:
    """A one-row metrics table for a single run directory, from its summary.json.

    A summary.json written before it listed every processor has no ``utilisation_<tier>_<processor>``:
    the run's ``processors`` table (None: none) gives them, as for a sweep's older job files.  One
    written before the token rates of an LLM run has them from the run's ``tasks``, likewise.
    """
    from offloadsim.analysis.catalogue import LLM_METRICS
    from offloadsim.analysis.summary import Summary, llm_metrics, metrics_row, with_refilled

    summary_file = path / "summary.json"
    if (what := not_a_file(summary_file)) is not None:  # a FIFO would block the read
        raise ExperimentError(f"{path} is incomplete: summary.json {what}, expected the run's summary")
    if not summary_file.is_file():
        raise ExperimentError(f"{path} is incomplete: summary.json is missing")
    document = read_json(summary_file, ExperimentError, "the run's summary")
    summary = Summary.from_dict(document)
    row = {
        "policy": (ran := manifest.get("policy") or {}).get("label") or ran.get("name", ""),  # as compare's
        "replication": int(manifest.get("replication", 0)),
        "seed": int(manifest.get("seed", 0)),
        "end_s": float(manifest.get("end_s", "nan")),
        "powered_sources": summary.powered_sources,  # -1: not known (a summary.json written before it)
        **metrics_row(summary),
    }
    row = with_refilled(row, None, processors)  # the per-processor utilisations
    if summary.served_llm and any(name not in document for name in LLM_METRICS):
        row.update(llm_metrics(tasks, summary.duration_s))
    return pd.DataFrame([row])
