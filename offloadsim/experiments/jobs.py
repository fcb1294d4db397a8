"""Jobs of an experiment (one scenario, one policy, one replication): their keys, how one runs, its file.

A job runs the same way wherever it runs (:mod:`offloadsim.experiments.executors`): in this process,
in a local process pool, or on a Dask worker.  Its records depend only on the job (the
scenario, its seed and the replication index select the random streams), so
the results do not depend on where, in what order or on how many workers
the jobs ran.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import tempfile
import time
import warnings
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from offloadsim.analysis.summary import metrics_row
from offloadsim.experiment_defaults import POLICY_TIMEOUT_S
from offloadsim.experiments.storage import write_job_file, write_job_records
from offloadsim.outdir import ResultsError, atomic_write, describe_os_error
from offloadsim.records.tables import record_tables
from offloadsim.scenario.errors import yaml_text

if TYPE_CHECKING:
    from offloadsim.analysis.group_warned import WarnedGroups
    from offloadsim.records.results import RunResult
    from offloadsim.scenario.input_hashes import InputFile
    from offloadsim.scenario.model import Scenario

__all__ = [
    "MAX_JOBS",
    "Finished",
    "Job",
    "JobResult",
    "count_builds",
    "job_key",
    "job_plugins",
    "other_code_note",
    "plugins_field",
    "point_text",
    "figure_fields",
    "precision_notes_field",
    "Runner",
    "run_job",
    "run_job_packed",
    "save_job_file",
    "sent_to_worker",
    "window_fields",
]


#: The most jobs one compare or sweep may plan: far more than a study needs, few enough that
#: planning them (a scenario reference and a key each) takes megabytes, and minutes, not hours: a
#: sweep checks each point's scenario (about 2 ms a point: 2,000 in 4.3 s), under a progress bar.
MAX_JOBS = 100_000


# --------------------------------------------------------------------------- jobs


@dataclass(frozen=True)
class Job:
    """One simulation to run: a loaded scenario, an optional policy name, a replication index.

    ``point`` is the swept values (key path → value as written) and ``index``
    the point's position in the experiment; ``key`` names the job's file.
    ``policy`` replaces the scenario's policy the way ``offloadsim run
    --policy`` does (its parameters are kept only when the name is the same),
    with ``policy_params`` merged over them (a ``compare`` entry's: ``NAME(KEY=VALUE)``).
    ``plugins`` are the plug-ins it uses (:func:`job_plugins`), hashed into its key.
    ``label``: what its task records' ``policy`` column says instead of the policy's name
    (the ``compare`` or sweep ``policies`` entry that gave it parameters); None: the name.
    ``warnings``: its point's scenario checks' warnings (``check``, ``key``, ``message`` each), kept in
    a sweep's manifest so that a figure can mark the point (a change after the run's end).
    ``policy_timeout``: how long one call of a plug-in policy's code may run (:func:`offloadsim.run`'s).
    """

    key: str
    index: int
    replication: int
    scenario: Scenario
    point: tuple[tuple[str, Any], ...] = ()
    policy: str | None = None
    plugins: tuple[dict[str, Any], ...] = ()
    policy_params: dict[str, Any] = field(default_factory=dict)
    label: str | None = None
    warnings: tuple[dict[str, str], ...] = ()
    # Its run's limit on one call of a plug-in policy (not in its key).
    policy_timeout: float | None = POLICY_TIMEOUT_S

    def describe(self) -> str:
        """``point 3 (links[0].bandwidth=5 Mbps, policy.name=edge), replication 1``."""
        values = point_text(self.point)
        if self.policy is not None:
            values = ", ".join(filter(None, (f"policy={self.label or self.policy}", values)))
        return (
            f"point {self.index}" + (f" ({values})" if values else "") + f", replication {self.replication}"
        )


def sent_to_worker(job: Job) -> Job:
    """``job`` as a worker process gets it: its scenario without ``rerun``, the result folder it came from.

    A scenario loaded from a result's folder holds that result's whole manifest (``Scenario.rerun``),
    which grows with the result (a sweep's lists each of its jobs' notes and warnings), so every
    job pickled it again.  A worker has no use for it: the checks that read it (``changed-inputs``,
    ``other-code``) warned in the command's process, a job's warnings are ignored, and the world
    it builds reads its files from the scenario's ``base_dir``, the folder's ``inputs/``, as before.
    """
    if getattr(job.scenario, "rerun", None) is None:  # execute()'s own runner may take jobs of no scenario
        return job
    return replace(job, scenario=replace(job.scenario, rerun=None))


def window_fields(scenarios: Iterable[Scenario]) -> dict[str, float | list[float]]:
    """The runs' warm-up and measured time, for a manifest: a number each, or their distinct values.

    A comparison's runs share one window; a sweep's points may vary ``duration`` or ``warmup``.
    """
    window: dict[str, list[float]] = {"warmup_s": [], "duration_s": []}
    for scenario in scenarios:
        for key, value in (("warmup_s", scenario.warmup_s), ("duration_s", scenario.duration_s)):
            if float(value) not in window[key]:
                window[key].append(float(value))
    return {key: values[0] if len(values) == 1 else sorted(values) for key, values in window.items()}


def precision_notes_field(
    points: Iterable[tuple[int | None, Scenario]],
    policies: Mapping[str, Any] | None = None,
    paired: Sequence[str] = (),
    computed: Mapping[int | None, Mapping[str, Collection[tuple[str, ...]]]] | None = None,
) -> list[dict[str, Any]]:
    """The manifest's ``precision_notes``: each distinct note on where the numbers come from, and its points.

    ``points``: each point's index (None: a comparison's one scenario, every run) and scenario.  The
    notes (:func:`offloadsim.world.build.precision_notes`) say accuracy is not modelled and that a
    built-in profile's int8 speed-up is the data sheets' peak ratio, that a plain ``speed:`` is the
    scenario's own figure, and what the ``power:`` values are (``about: energy``: said under an
    energy figure only), worked out without the world.  ``[]`` where no point has any.
    ``policies``: a comparison's (label -> PolicySpec; None: each point's own).  Each row keeps its
    note's ``kind`` and ``facts`` (:class:`~offloadsim.world.notes.registry.Note`), from which
    :func:`figure_fields` merges several points'.
    ``paired``: a sweep's ``zip:`` keys (:func:`~offloadsim.world.notes.accuracy.paired_dropped`).
    ``computed``: by point (None: a comparison's), where its runs computed, by label (a sweep
    point's own policy: ``""``; :func:`~offloadsim.analysis.notes.computed_by`): a note is said of
    the runs that computed where it speaks of, as the tables say it, not of every policy that may
    place there (a figure of ``local`` said the int8 alternative only ``model-select`` served).
    """
    from offloadsim.world.build import precision_notes
    from offloadsim.world.notes.accuracy import paired_dropped
    from offloadsim.world.notes.registry import with_nodes_of

    said: dict[str, tuple[Any, list[int]]] = {}  # text -> its note, its points
    for index, scenario in points:
        ran = None if computed is None else computed.get(index)
        for line in paired_dropped(precision_notes(scenario, policies, ran), paired):
            note, at = said.get(line, (line.note, []))
            # one line at several points (a sweep of nodes.phone.count): of every point's nodes
            said[line] = (with_nodes_of(note, line.note), [*at, *([] if index is None else [index])])
    return [
        {
            "note": text,
            **({"points": at} if at else {}),
            "kind": note.kind,
            **({"facts": dict(note.facts)} if note.facts else {}),  # what a figure merges several from
            **({"about": note.about} if note.about else {}),  # energy: said under energy figures only
        }
        for text, (note, at) in said.items()
    ]


def figure_fields(
    kept: Sequence[Mapping[str, Any]], world: Iterable[tuple[int | None, str]]
) -> dict[str, list[dict[str, Any]]]:
    """The manifest's ``figure_notes`` and ``figure_merges``: what a figure of some of its runs says.

    ``kept``: the manifest's ``precision_notes`` (worked out without the world, with their facts);
    ``world``: the built worlds' notes, each with its point (None: every run).  Those of each
    provider said under figures (a GPU's assumed efficiency needs the world), as
    :func:`~offloadsim.world.notes.registry.figure_notes` records them, merges made, while the
    providers are registered: the figures read them without the world.
    """
    from offloadsim.world.notes.registry import Note, figure_notes, note_providers

    free = {p.kind for p in note_providers() if not p.needs_world}  # kept already, without the world
    said: list[tuple[str, list[int] | None]] = [
        (
            Note(row["kind"], row["note"], row.get("facts", {}), row.get("about", "")).line(),
            row.get("points"),
        )
        for row in kept
    ]
    for at, line in world:
        note = getattr(line, "note", None)
        if note is not None and note.kind not in free:
            said.append((line, None if at is None else [at]))
    rows, merges = figure_notes(said)
    return {"figure_notes": rows, "figure_merges": merges}


def point_text(point: Iterable[tuple[str, Any]]) -> str:
    """A point's swept values as the user wrote them: ``policy.flag=true, links[0].bandwidth=5 Mbps``."""
    return ", ".join(f"{key}={yaml_text(value)}" for key, value in point)


def job_key(
    document: Mapping[str, Any],
    replication: int,
    policy: str | None = None,
    inputs: Sequence[InputFile] = (),
    plugins: Sequence[Mapping[str, Any]] = (),
    policy_params: Mapping[str, Any] | None = None,
    label: str | None = None,
) -> str:
    """A stable 16-hex-digit name for a job: a hash of its scenario, the files it reads, and replication.

    The document already holds the swept values; ``inputs`` (from
    :func:`offloadsim.scenario.input_hashes.input_files`) add the content of the
    traces, ONNX files and profiles it reads, so a job whose files changed
    is not reused, in the form a run's ``scenario_hash`` hashes
    (:func:`~offloadsim.scenario.input_hashes.identity_data`): each file's name replaced by its
    content hash, so a sweep whose files moved, or were named by absolute path, reuses its jobs.
    The code is named by :func:`~offloadsim.provenance.code_fingerprint` (a hash of the package's
    modules and shipped data), so a job of other code, however small the edit,
    is run again: the version string never moved, and a sweep resumed after an edit mixed the
    two codes' results in one table.  ``skip_checks`` is left out: it
    changes no record (:mod:`offloadsim.scenario.identity`), so adding it to a
    sweep's base scenario reuses the finished jobs.  ``plugins`` (from :func:`job_plugins`) add the
    distribution and version of each plug-in the job uses, so a job whose plug-in was upgraded is run
    again; a job of offloadsim's own policies and kinds has none, and its key is what it always was.
    ``policy_params`` (a ``compare`` entry's ``NAME(KEY=VALUE)``) are hashed where there are any,
    so a job with none keeps its key; so is ``label`` where given (a sweep's ``policies`` entry with
    parameters, which its task records' ``policy`` column says), so a job of a plain name keeps its key.

    >>> job_key({"name": "a"}, 0) == job_key({"name": "a"}, 0) != job_key({"name": "a"}, 1)
    True
    """
    from offloadsim.provenance import code_fingerprint
    from offloadsim.scenario.input_hashes import identity_data

    data: dict[str, Any] = {
        "scenario": identity_data(document, inputs),  # what scenario_hash hashes: the two agree
        "replication": replication,
        "policy": policy,
        "code": code_fingerprint(),
    }
    if plugins:
        data["plugins"] = [dict(plugin) for plugin in plugins]
    if policy_params:
        data["policy_params"] = dict(policy_params)
    if label:
        data["label"] = label
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def job_plugins(scenario: Scenario, policy: str | None = None) -> list[dict[str, Any]]:
    """The plug-ins a job of ``scenario`` (with ``policy``, if given) uses, as its run's manifest lists.

    Its run metrics' included: a job written before a plug-in metric was installed lacks its
    column, so its key differs and it runs again.
    """
    from offloadsim.records.results import run_plugins

    return run_plugins(scenario, policy)


def plugins_field(used: Iterable[Sequence[Mapping[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """``{"plugins": [...]}``: every plug-in some job used, each once, for a manifest; ``{}`` for none."""
    seen: dict[str, dict[str, Any]] = {}
    for plugins in used:
        for plugin in plugins:
            seen.setdefault(json.dumps(plugin, sort_keys=True), dict(plugin))
    return {"plugins": list(seen.values())} if seen else {}


@dataclass
class JobResult:
    """What a job hands back: its task and node records, its metrics, and its wall time.

    The task records are in memory (``tasks``, a DataFrame), or, for a job
    run with a directory, in the job file ``file``, or, for a job run where
    that directory may be another machine's, in ``packed``, the bytes of its
    job file (:func:`run_job_packed`); ``tasks`` is None in the last two.
    """

    key: str
    tasks: pd.DataFrame | None
    nodes: pd.DataFrame
    metrics: dict[str, float]
    policy: str
    seed: int
    wall_s: float
    extra: dict[str, Any] = field(default_factory=dict)
    file: Path | None = None
    packed: bytes | None = None
    #: The simulated time the run stopped (warm-up and duration): whether a task still in flight had
    #: missed its deadline, for metrics recomputed from the task records (per application).
    end_s: float = math.nan
    #: Per application, the LLM requests after the warm-up cut to the context window (the run
    #: manifest's ``context_cuts``), for ``compare`` and ``sweep`` to add up over runs.
    context_cuts: tuple[dict[str, Any], ...] = ()
    #: The engine the job ran on, in the process that ran it (a Dask worker's may differ from the command's).
    engine_build: str = ""
    #: The code that ran it (:func:`~offloadsim.provenance.code_fingerprint` of its process): a Dask
    #: worker's may differ from the command's, whose fingerprint its key holds.
    code_fingerprint: str = ""
    #: The run's record tables that ``compare`` keeps (offloadsim.records.tables: processors,
    #: link_changes, ...), by name; a table not there (a job file from before it): not carried.
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: Bytes each ``links[]`` entry carried (:func:`~offloadsim.analysis.idle_links.entry_bytes`, from
    #: the run's links table; None: an entry that links no pair): whether a swept link carried any.
    link_bytes: tuple[float | None, ...] = ()
    #: The run's own notes (``RawRun.own_notes``: other processors' busy time, untold cuts), not those
    #: of its world and policy, which the command says once, nor its LLM cuts (``context_cuts``).
    notes: tuple[str, ...] = ()
    #: Each ``(application, node, processor)`` the run computed on (``RunResult.computed``): where
    #: ``compare`` and ``sweep`` say a note on an application's layers on a processor.
    computed: tuple[tuple[str, ...], ...] = ()
    #: Tasks ``recovery:`` ran again in the run, whatever their outcome, and those of them that completed.
    retried: int = 0
    recovered: int = 0
    #: Its summary's warnings (``Summary.warnings``: overloaded, too short to settle), said once per kind.
    warnings: tuple[str, ...] = ()
    #: Each warning's numbers (``Summary.warning_facts`` as JSON data, one per warning): what the notes read.
    warning_facts: tuple[dict[str, Any], ...] = ()
    #: How many of the run's task sources have ``power:`` (-1: not known): why its device energy is 0.
    powered_sources: int = -1
    #: Its summary's numbers per source group (``Summary.source_groups``; empty for one group).
    source_groups: dict[str, float] = field(default_factory=dict)
    #: Its summary's numbers per registered breakdown (``Summary.breakdowns``: ``apps``, per
    #: application; empty for one value).
    breakdowns: dict[str, dict[str, float]] = field(default_factory=dict)
    #: by-group's: each group of task sources -> the inner policy that decided its tasks (the run
    #: manifest's ``policy.inner``); empty for another policy.
    inner_policies: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Its LLM decodes' bandwidth ceilings (tokens/s, the run manifest's ``decode_ceilings``).
    decode_ceilings: tuple[float, ...] = ()
    #: Whether a processor decoding at one was busy all the measured time (the manifest's
    #: ``decode_saturated``): its output token throughput is then an upper bound.
    decode_saturated: bool = False
    #: Whether an LLM prefill ran compute-bound at a profile's assumed efficiency (the manifest's
    #: ``prefill_at_efficiency``): its times to first token rest on it, no bound.
    prefill_at_efficiency: bool = False
    #: The source groups its warnings concern (``groups.csv``'s ``warned``), worked out from its
    #: records in its job; None: not worked out (no rows in groups.csv need it: one group).
    warned_groups: WarnedGroups | None = None

    @property
    def processors(self) -> pd.DataFrame | None:
        """The run's processors table (every processor of every computing node; None: not carried)."""
        return self.tables.get("processors")

    @property
    def link_changes(self) -> pd.DataFrame | None:
        """When each link direction changed in the run (``RunResult.link_changes``; None: not carried)."""
        return self.tables.get("link_changes")


def _warned_groups(result: RunResult, done: JobResult) -> WarnedGroups | None:
    """The source groups the run's warnings concern, as its result placed them.

    ``()`` for a run that warned of nothing; None where it has one source group (``groups.csv``
    has no row of its own to count it in).  A run's result places each warning among its groups as
    it is built (``RunResult._placed_summary``, from the records this job holds); a warning it could
    not place (no facts, or facts that name no group) concerns every group: :data:`EVERY`, with no
    second read of the records that would find the same.
    """
    from offloadsim.analysis.group_warned import EVERY

    if not done.warnings:
        return ()
    if not done.source_groups:
        return None
    facts = done.warning_facts
    if len(facts) == len(done.warnings) and all("groups" in one for one in facts):  # placed in its result
        return tuple(sorted({str(group) for one in facts for group in one["groups"]}))
    return EVERY


#: What a job file's metadata says of a job, from the job and its result (sweep's ``_job_meta``).
Describe = Callable[[Job, JobResult], Mapping[str, Any]]

#: What runs a job where it lands (:func:`run_job`, or it with a directory or a policy carried).
Runner = Callable[[Job], JobResult]

#: Called in the command's process as each job ends: its result, or the error it raised (and its traceback).
Finished = Callable[..., None]


def run_job(job: Job, directory: Path | None = None, describe: Describe | None = None) -> JobResult:
    """Simulate one job (in whatever process it lands) and return its records.

    Without ``directory`` the records come back as a DataFrame.  With it, the
    engine spills them into ``directory`` as the run goes and they are written
    from its chunks to the job file ``directory/<key>.parquet`` (with
    ``describe(job, result)`` as its metadata; ``JobResult.file``), so that a
    job never holds its whole table, however many tasks it has.  The
    directory is the command's scratch directory: the parent removes it, with
    whatever a stopped worker left there.
    """
    from offloadsim import api
    from offloadsim.analysis.decode_ceiling import manifest_ceilings
    from offloadsim.analysis.idle_links import entry_bytes
    from offloadsim.provenance import code_fingerprint
    from offloadsim.scenario.errors import ScenarioWarning

    started = time.perf_counter()
    spill = None if directory is None else directory / f"{job.key}-{os.getpid()}.records"
    with warnings.catch_warnings():  # the command warned of its scenarios before any job, once each
        warnings.simplefilter("ignore", ScenarioWarning)
        result = api.run(
            job.scenario,
            policy=job.policy,
            policy_params=job.policy_params,
            replication=job.replication,
            records_dir=spill,
            policy_timeout=job.policy_timeout,
        )
    if job.label is not None:  # the records name the entry that ran, not only its policy
        _label_records(result, job.label)
    done = JobResult(
        key=job.key,
        tasks=None if directory is not None else result.tasks,
        nodes=result.nodes,
        metrics=metrics_row(result.summary),
        policy=str(result.manifest["policy"]["name"]),
        seed=int(result.manifest["seed"]),
        wall_s=time.perf_counter() - started,
        end_s=float(result.manifest["end_s"]),
        context_cuts=tuple(result.manifest.get("context_cuts", ())),
        decode_ceilings=manifest_ceilings([result.manifest]),
        decode_saturated=result.manifest.get("decode_saturated") is True,
        prefill_at_efficiency=result.manifest.get("prefill_at_efficiency") is True,
        engine_build=str(result.manifest["engine_build"]),
        code_fingerprint=code_fingerprint(),
        tables={table.name: result.table(table.name) for table in record_tables() if table.compare},
        link_bytes=entry_bytes(job.scenario, result.links),
        notes=result.own_notes,
        computed=result.computed,
        retried=result.summary.retried,
        recovered=result.summary.recovered,
        warnings=tuple(result.summary.warnings),
        warning_facts=tuple(facts.to_dict() for facts in result.summary.warning_facts),
        powered_sources=result.summary.powered_sources,
        source_groups=dict(result.summary.source_groups),
        breakdowns={name: dict(numbers) for name, numbers in result.summary.breakdowns.items()},
        inner_policies=dict(result.manifest["policy"].get("inner", {})),
    )
    done.warned_groups = _warned_groups(result, done)
    if directory is not None:
        records = result.records
        assert records is not None, "a run's records are the engine's until written"
        meta = describe(job, done) if describe is not None else {}
        try:
            done.file = write_job_records(directory / f"{job.key}.parquet", records, meta)
        except OSError as error:  # a full disk: the one-line error (exit 2) of results that cannot be written
            where = f"{directory} (the runs' task records, until written)"
            raise ResultsError(f"cannot write results to {where}: {describe_os_error(error)}") from error
        finally:
            records.log.discard()
    return done


def _label_records(result: RunResult, label: str) -> None:
    """Make the ``policy`` column of ``result``'s task records say ``label``, in memory or as written."""
    records = result.records
    assert records is not None, "a run's records are the engine's until written"
    records.policy = label  # the column of every chunk, as written or as ``result.tasks`` builds it


def run_rows(table: pd.DataFrame | None, keys: Mapping[str, Any], name: str = "processors") -> pd.DataFrame:
    """A run's record table ``name`` (processors, link_changes, ...) with the columns naming its run first.

    The keys are ``policy`` and ``replication``; None (a job file from before the table) gives its
    declared columns and no rows.
    """
    from offloadsim.records.results import table_frame

    frame = (table if table is not None else table_frame(name, None)).copy()
    for position, (key, value) in enumerate(keys.items()):
        frame.insert(position, key, [value] * len(frame))
    return frame


def count_builds(builds: Iterable[str]) -> dict[str, int]:
    """Jobs per engine build (or code fingerprint) they ran on (``unrecorded``: saved before it was), sorted.

    A manifest's ``engine_build`` and ``code_fingerprint`` are the command's; a Dask worker's may differ.

    >>> count_builds(["python", "", "mypyc (13 modules)", "python"])
    {'mypyc (13 modules)': 1, 'python': 2, 'unrecorded': 1}
    """
    counts = Counter(build or "unrecorded" for build in builds)
    return dict(sorted(counts.items()))


def other_code_note(manifest: Mapping[str, Any]) -> str | None:
    """A note where some jobs ran on other code than the command's (a Dask worker's install); else None.

    Their keys hold the command's fingerprint, so a sweep reuses them as this code's: said, with
    how many and on which code, from the manifest's ``job_code_fingerprints``; this command's code
    is its ``code_fingerprint``, or a resumed sweep's latest ``resumed`` row's.
    """
    counts = manifest.get("job_code_fingerprints") or {}
    latest = (manifest.get("resumed") or [{}])[-1]  # a resumed sweep's: its top-level code is the first run's
    mine = latest.get("code_fingerprint", manifest.get("code_fingerprint"))
    other = {code: n for code, n in counts.items() if code not in (mine, "unrecorded")}
    if not other:
        return None
    listed = ", ".join(f"{code}: {n}" for code, n in other.items())
    return (
        f"{sum(other.values())} of {sum(counts.values())} jobs ran on other code than this command's "
        f"({mine}): {listed} (a worker's offloadsim differs); their records are that code's"
    )


def run_job_packed(job: Job, describe: Describe | None = None) -> JobResult:
    """Simulate one job on a machine whose disk may not be this command's; records as file bytes.

    The job writes its file from the engine's chunks, as :func:`run_job` with
    a directory does, into a temporary directory of its own, and hands back
    the file's bytes (``JobResult.packed``: Parquet, tens of bytes a task),
    so that neither the worker nor the command builds the run's table
    (hundreds of bytes a task).  For Dask workers.
    """
    with tempfile.TemporaryDirectory(prefix="offloadsim-job-") as tmp:
        done = run_job(job, Path(tmp), describe)
        assert done.file is not None, "a job run with a directory writes its file"
        done.packed, done.file = done.file.read_bytes(), None
    return done


def save_job_file(job: Job, result: JobResult, path: Path, describe: Describe) -> Path:
    """Make ``path`` the job file of ``job``, atomically.

    The file the job wrote (described by the job itself, with the same
    ``describe``) is moved there; records handed back in memory are written.
    """
    file = result.file
    if file is not None:

        def move(tmp: Path) -> None:
            shutil.move(file, tmp)  # a rename, or a copy where $TMPDIR is another file system

        return atomic_write(path, move)
    assert result.tasks is not None, "a job hands back its records or the file it wrote"
    return write_job_file(path, result.tasks, describe(job, result))
