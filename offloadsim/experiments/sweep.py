"""Sweeps: a grid of scenario variants × replications, run in parallel, resumable, merged into tidy tables.

A sweep file names a base scenario, the key paths to vary and the number of
replications (DESIGN.md section 5)::

    base: quickstart.yaml        # relative to the sweep file
    set: {duration: 60 s}        # optional: applied to every point
    grid:                        # every combination
      links[0].bandwidth: [5 Mbps, 20 Mbps, 100 Mbps]
    zip:                         # optional: varied together, element by element
      workload[0].rate: [1 /s, 2 /s]
      nodes.phone.count: [20, 10]
    policies: [local, edge]      # optional: the same as grid policy.name
    replications: 5
    labels:                      # optional: how figures name a swept key
      links[0].bandwidth: phone uplink

Each point × replication is one job.  A finished job is written at once to
``OUT/points/<key>.parquet`` (tmp + rename), named by a hash of its whole
scenario document and replication, so a rerun skips it (a job file saved
before the metrics had TTFT and TPOT has them worked out from its records
as it is merged).  When every job has
finished, the tables are merged in job order (points in expansion order,
then replications), whatever ran where: ``tasks.parquet`` (one row per
task), ``metrics.parquet`` (one row per job), ``nodes.parquet``,
``summary.parquet``/``summary.csv`` (mean and 95 % CI per point and metric)
and ``manifest.json``, each written atomically.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as _dt
import itertools
import json
import logging
import math
import os
import platform
import shlex
import socket
import sys
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from offloadsim.analysis.catalogue import metric_columns
from offloadsim.analysis.statistics import mean_ci
from offloadsim.analysis.summary import llm_metrics
from offloadsim.analysis.values import default_label, distinct, quantity_kind, typed_column
from offloadsim.engine_build import engine_build
from offloadsim.experiments.executors import JobFailure, default_workers, execute, progress_bar
from offloadsim.experiments.jobs import (
    MAX_JOBS,
    Job,
    JobResult,
    count_builds,
    job_key,
    job_plugins,
    plugins_field,
    point_text,
    save_job_file,
    window_fields,
)
from offloadsim.experiments.merge import Insert, write_merged
from offloadsim.experiments.storage import ExperimentError, parquet_writer, read_job_columns, read_job_meta
from offloadsim.host import host_platform
from offloadsim.input_kinds import SWEEP
from offloadsim.outdir import (
    LOCK_FILE,
    HeldLock,
    ResultsError,
    check_writable_parent,
    describe_os_error,
    directory_lock,
    holds_non_directory,
    is_result_directory,
    json_text,
    missing_directories,
    move_aside,
    out_path,
    remove_stale_temporaries,
    replace_together,
    text_writer,
    write_text,
)
from offloadsim.records.spill import SpilledTable
from offloadsim.scenario import (
    PathError,
    Problem,
    ScenarioError,
    ScenarioWarning,
    assign,
    load_scenario_data,
    parse_path,
    read_document,
    set_policy_name,
)
from offloadsim.scenario.errors import (
    KeyPathError,
    describe,
    did_you_mean,
    first_repeat,
    format_path,
    given_twice,
    name_problem,
)
from offloadsim.scenario.model import Scenario
from offloadsim.scenario.overrides import as_written, caused_by
from offloadsim.scenario.size import SetBy
from offloadsim.scenario.units import QUANTITIES, UnitError, parse_quantity
from offloadsim.suggest import did_you_mean_file
from offloadsim.sweep_keys import SWEEP_KEYS  # the help lists them too

if TYPE_CHECKING:
    from offloadsim.world.build import World

__all__ = [
    "SWEEP_KEYS",
    "SWEEP_FILES",
    "SweepSpec",
    "SweepResult",
    "JobsFailedError",
    "load_sweep",
    "sweep_from_data",
    "expand",
    "plan_sweep",
    "sweep",
    "merge_sweep",
    "default_sweep_dir",
    "check_sweep_out",
]

#: The files a finished sweep directory holds (besides ``points/``).
SWEEP_FILES = (
    "tasks.parquet",
    "metrics.parquet",
    "nodes.parquet",
    "summary.parquet",
    "summary.csv",
    "manifest.json",
)
_FORMAT = "offloadsim-sweep/1"
_MAX_PROBLEMS = 12
# Columns a sweep's tables have of their own, beside one per swept key (which would clash): why not.
_OWN_COLUMNS = {
    "seed": "the tables' 'seed' column is each job's seed; vary the random streams with 'replications' "
    "(each its own), or give the base scenario's seed under 'set'",
    "policy": "the tables' 'policy' column is each job's policy name; vary the policy with 'policies' "
    "and its parameters by their keys (grid: {policy.objective: [...]})",
    **{
        name: f"{name!r} is a column of the sweep's tables, not a scenario key"
        for name in ("point", "replication", "job")
    },
}


class JobsFailedError(ExperimentError):
    """Some jobs of a sweep raised; the finished ones are saved and a rerun retries the rest."""

    def __init__(self, message: str, failures: Sequence[JobFailure]):
        super().__init__(message)
        self.failures = list(failures)


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep file.

    ``axes`` are the varied dimensions in expansion order: each is a list of
    assignments (tuples of ``(key path, value)``): each grid key, as written, then
    the whole ``zip`` block as one axis, then ``policies``, wherever the blocks
    stand in the file.  ``labels``
    names swept keys for figures (the user's ``labels:``; see :meth:`label`).
    """

    file: str
    base: Path
    name: str
    description: str
    base_document: dict[str, Any]
    fixed: dict[str, Any]
    axes: tuple[tuple[tuple[tuple[str, Any], ...], ...], ...]
    sections: dict[str, str]
    replications: int
    document: dict[str, Any] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def swept(self) -> list[str]:
        """The swept key paths, in column order."""
        return [key for axis in self.axes for key, _ in axis[0]] if self.axes else []

    def label(self, key: str) -> str:
        """How figures name a swept key: the file's ``labels:`` entry, else one read from the base."""
        return self.labels.get(key) or default_label(key, self.base_document)

    @property
    def points(self) -> int:
        """How many points (scenario variants) the sweep has."""
        return math.prod(len(axis) for axis in self.axes)


def load_sweep(path: str | Path) -> SweepSpec:
    """Read and check a sweep file; :class:`ScenarioError` names the file and key of every problem."""
    document = read_document(
        path, expect=SWEEP
    )  # ScenarioError naming the file: missing, not YAML, a scenario
    return sweep_from_data(document, source=str(path), base_dir=Path(path).parent)


def sweep_from_data(
    data: Mapping[str, Any], source: str = "<sweep>", base_dir: str | Path | None = None
) -> SweepSpec:
    """Check a sweep document (already parsed) and return its :class:`SweepSpec`.

    ``base`` is resolved relative to ``base_dir`` (default: the working directory).
    """
    problems: list[Problem] = []

    def bad(key: str, message: str) -> None:
        problems.append(Problem(source, key, message))

    if not isinstance(data, Mapping):
        raise ScenarioError(
            [Problem(source, "", f"expected a mapping at the top level, got {describe(data)}")]
        )
    for key in data:
        if not isinstance(key, str):
            bad("", f"expected names (strings) as keys, got {describe(key)}")
        elif key not in SWEEP_KEYS:
            bad(
                format_path((str(key),)),
                f"unknown key{did_you_mean(str(key), SWEEP_KEYS)}; a sweep file has {', '.join(SWEEP_KEYS)}",
            )
    folder = Path(base_dir) if base_dir is not None else Path.cwd()

    base_value = data.get("base")
    base_path = Path()
    if base_value is None:
        bad("base", "required: the scenario file to vary, relative to this file")
    elif not isinstance(base_value, str) or not base_value.strip():
        bad("base", f"expected the path of a scenario file, got {describe(base_value)}")
    else:
        base_path = folder / base_value
        if not os.path.isfile(base_path):  # not Path.is_file: its OSError for a name too long was exit 1
            bad("base", _no_base_file(base_path, base_value))

    replications = data.get("replications", 1)
    if isinstance(replications, bool) or not isinstance(replications, int) or replications < 1:
        bad("replications", f"expected a whole number of at least 1, got {describe(replications)}")
        replications = 1

    sections: dict[str, str] = {}
    axes: list[tuple[tuple[tuple[str, Any], ...], ...]] = []

    def claim(key: str, section: str) -> bool:
        where = format_path((section, key)) if section in ("grid", "zip", "set") else section
        try:
            parse_path(key)
        except PathError as error:
            bad(where, error.message)
            return False
        if section in ("grid", "zip") and key in _OWN_COLUMNS:  # a swept key is a column of the tables
            bad(where, f"cannot be swept: {_OWN_COLUMNS[key]}")
            return False
        if key in sections:
            bad(where, f"{key} is already given in {sections[key]}; vary each key in one place")
            return False
        sections[key] = where
        return True

    fixed: dict[str, Any] = {}
    for section in ("set", "grid", "zip"):
        block = data.get(section)
        if block is not None and not isinstance(block, Mapping):
            bad(section, f"expected a mapping of key path to value(s), got {describe(block)}")
        elif section != "set" and section in data and not block:  # its keys commented out, or not indented
            bad(
                section,
                f"expected at least one key path to vary, got none (indent its keys under {section}:, "
                f"or leave {section} out to run the base scenario alone)",
            )
    fixed_block = data.get("set")
    if isinstance(fixed_block, Mapping):
        for key, value in fixed_block.items():
            if _key_path(key, "set", bad) and claim(str(key), "set"):
                fixed[str(key)] = value

    grid = data.get("grid")
    if isinstance(grid, Mapping):
        for key, values in grid.items():
            where = format_path(("grid", str(key)))
            if not _key_path(key, "grid", bad):
                continue
            if not isinstance(values, list) or not values:
                bad(where, f"expected a non-empty list of values, got {describe(values)}")
            elif claim(str(key), "grid"):
                if (twice := first_repeat(_same_value(str(key), values))) is not None:
                    shown = (describe(values[i]) for i in twice)
                    bad(where, f"{given_twice(*shown)}: each value makes one point")
                else:
                    axes.append(tuple(((str(key), v),) for v in values))

    zipped = data.get("zip")
    if isinstance(zipped, Mapping) and zipped:
        columns: list[tuple[str, list[Any]]] = []
        for key, values in zipped.items():
            where = format_path(("zip", str(key)))
            if not _key_path(key, "zip", bad):
                continue
            if not isinstance(values, list) or not values:
                bad(where, f"expected a non-empty list of values, got {describe(values)}")
            elif claim(str(key), "zip"):
                columns.append((str(key), values))
        lengths = {len(values) for _, values in columns}
        if len(lengths) > 1:
            sizes = ", ".join(f"{key}: {len(values)}" for key, values in columns)
            bad("zip", f"lists varied together must have the same length, got {sizes}")
        elif columns and (
            twice := first_repeat(zip(*(_same_value(key, values) for key, values in columns), strict=True))
        ):
            first, again = (point_text((key, values[i]) for key, values in columns) for i in twice)
            bad("zip", f"{given_twice(first, again, what='point')}: each point is run once")
        elif columns:
            axes.append(
                tuple(tuple((key, values[i]) for key, values in columns) for i in range(lengths.pop()))
            )

    policies = data.get("policies")
    if policies is not None:
        named = (
            [isinstance(p, str) and bool(p.strip()) for p in policies] if isinstance(policies, list) else []
        )
        if not named:
            bad("policies", f"expected a non-empty list of policy names, got {describe(policies)}")
        elif not all(named):
            i = named.index(False)
            bad(
                format_path(("policies", i)),
                f"expected a policy name, got {describe(policies[i])}"
                + (
                    "; a policy's parameters go under set: (policy: {name: fixed, cuts: [3]}) "
                    "or are varied as grid keys (policy.cuts)"
                    if isinstance(policies[i], Mapping)
                    else ""
                ),
            )
        elif (twice := first_repeat(policies)) is not None:
            bad(
                "policies",
                f"{given_twice(*(describe(policies[i]) for i in twice))}: each policy makes one point",
            )
        elif claim("policy.name", "policies"):
            axes.append(tuple((("policy.name", p),) for p in policies))

    labels: dict[str, str] = {}
    label_block = data.get("labels")
    if label_block is not None and not isinstance(label_block, Mapping):
        bad("labels", f"expected a mapping of swept key path to label, got {describe(label_block)}")
    elif isinstance(label_block, Mapping):
        varied = [k for k, where in sections.items() if not where.startswith("set")]
        for key, text in label_block.items():
            where = format_path(("labels", str(key)))
            if not _key_path(key, "labels", bad):
                continue
            if str(key) not in varied:
                bad(
                    where,
                    f"not a swept key{did_you_mean(str(key), varied)}; "
                    f"label one of {', '.join(varied) or '(none: nothing is swept)'}",
                )
            elif not isinstance(text, str) or not text.strip():
                bad(where, f"expected the label as text, got {describe(text)}")
            else:
                labels[str(key)] = text.strip()

    points = math.prod(len(axis) for axis in axes)
    if points * replications > MAX_JOBS:
        axis_key = next((key for key in ("grid", "zip", "policies") if key in data), "grid")
        bad(
            "replications" if points <= MAX_JOBS else axis_key,
            f"{points:,} point{'s' if points > 1 else ''} x {replications:,} replications "
            f"is {points * replications:,} jobs; "
            f"a sweep may plan at most {MAX_JOBS:,}",
        )

    name = data.get("name", Path(source).stem)
    description = data.get("description", "")
    for key, value in (("name", name), ("description", description)):
        if not isinstance(value, str):
            bad(key, f"expected text, got {describe(value)}")
    if isinstance(name, str):
        if name in ("", ".", ".."):  # results/<name> would be results/ itself, or the folder above it
            bad("name", f"expected a name for the results folder results/NAME, got {describe(name)}")
        elif (problem := name_problem(name)) is not None:
            bad("name", problem)
    if problems:
        raise ScenarioError(problems)
    try:
        base_document = read_document(base_path)
    except ScenarioError as error:
        # Not a scenario at all (a CSV, a profile), or not YAML: said at this file's base.
        raise ScenarioError(
            Problem(source, "base", f"{base_value}: {p.key_path + ': ' if p.key_path else ''}{p.message}")
            if p.file == str(base_path)
            else p
            for p in error.problems
        ) from None
    return SweepSpec(
        file=source,
        base=base_path,
        name=str(name),
        description=str(description),
        base_document=base_document,
        fixed=fixed,
        axes=tuple(axes),
        sections=sections,
        replications=int(replications),
        document=dict(data),
        labels=labels,
    )


def _key_path(key: Any, section: str, bad: Callable[[str, str], None]) -> bool:
    """Whether ``key`` of block ``section`` can be a key path; refused (by ``bad``) when YAML read no text.

    A key path is text, read as its parts; a number key (``1.5``) reads as it was written, but
    ``true``, ``yes``, ``on`` (booleans to YAML) and ``null`` name no key of a scenario, and
    Python would print them as ``True`` and ``None``.
    """
    if not isinstance(key, bool) and key is not None:
        return True
    what = " (a boolean to YAML, as are yes, no, on and off)" if isinstance(key, bool) else ""
    bad(section, f"expected key paths like links[0].bandwidth as keys, got {describe(key)}{what}")
    return False


def _same_value(key: str, values: Sequence[Any]) -> list[Any]:
    """What makes two values of swept ``key`` one: SI values if its quantity reads all, else YAML data.

    ``1 s`` and ``1000 ms`` are one time, ``1`` and ``1.0`` one number; of a name, ``"1"`` and
    ``"1.0"`` are two.  Two equal values make two points of one configuration: every figure and
    table would then hold it twice under two point numbers, and the timeline would draw each of
    its tasks twice.
    """
    for kind in _quantity_kinds(key):
        try:
            return [parse_quantity(value, kind) for value in values]
        except UnitError:
            continue
    return [json.dumps(value, sort_keys=True, default=str) for value in values]


def _quantity_kinds(key: str) -> Sequence[str]:
    """The quantities ``key``'s values may be read as.

    The schema's kind; none of a key the schema types otherwise (a name); every kind where it
    cannot tell (a policy's parameters).
    """
    from offloadsim.scenario.schema import quantity_at, typed_at  # the schema's pydantic models

    try:
        parts = parse_path(key)
    except PathError:
        return tuple(QUANTITIES)  # refused elsewhere, with its message
    kind = quantity_at(parts)
    if kind is not None:
        return (kind,)
    return () if typed_at(parts) else tuple(QUANTITIES)


def expand(spec: SweepSpec) -> list[dict[str, Any]]:
    """Every point of the sweep as ``{key path: value}``, in expansion order (the last axis fastest).

    >>> spec = sweep_from_data({"base": "scenarios/quickstart.yaml",
    ...     "grid": {"a": [1, 2]}, "policies": ["local", "edge"]})  # doctest: +SKIP
    >>> expand(spec)  # doctest: +SKIP
    [{'a': 1, 'policy.name': 'local'}, {'a': 1, 'policy.name': 'edge'}, {'a': 2, ...}, ...]
    """
    points = []
    for combination in itertools.product(*spec.axes):
        point: dict[str, Any] = {}
        for assignments in combination:
            point.update(assignments)
        points.append(point)
    return points


def point_document(spec: SweepSpec, point: Mapping[str, Any]) -> dict[str, Any]:
    """The base scenario document with the fixed values and one point's values applied.

    ``policy.name`` is applied first and, like ``offloadsim run --policy``,
    keeps the base policy's parameters only when the name is the same.
    """
    document = copy.deepcopy(spec.base_document)
    name = point.get("policy.name", spec.fixed.get("policy.name"))
    if name is not None:
        set_policy_name(document, name)
    for key, value in (*spec.fixed.items(), *point.items()):
        if key != "policy.name":
            assign(document, key, copy.deepcopy(value))
    return document


def plan_sweep(
    spec: SweepSpec,
    worlds: bool = False,
    *,
    with_world: Callable[[Scenario, Callable[[], World | None]], None] | None = None,
    progress: bool = False,
) -> list[Job]:
    """The jobs of a sweep, after checking that every point's scenario loads and its policy exists.

    Raises :class:`ScenarioError` naming the sweep file and the swept key at
    fault (e.g. a key path the base scenario does not have) before any job runs.
    ``worlds``: build each point's world too, as ``validate`` does (``sweep
    --dry-run``), to find what only that finds: a profile, a ``dynamics``
    entry that would change the world too often.  A run finds those per job.  Each point's world
    is built once, if at all, for its checks and ``worlds`` (:class:`offloadsim.api.WorldOnce`);
    ``with_world`` is called with each planned point's scenario and that world (built on the first
    call; None where it cannot be built), for a caller that reads it too (the command line's notes),
    so this process reads a point's ``dynamics`` once; the world is not kept.  ``progress`` shows a
    bar over the points on a terminal: checking each takes milliseconds, minutes for 100,000.
    """
    from offloadsim.api import RunError, WorldOnce, scenario_warnings
    from offloadsim.scenario.checks import with_note
    from offloadsim.scenario.input_hashes import input_files

    problems: list[Problem] = []
    warned: list[Problem] = []
    seen: set[tuple[str | None, ...]] = set()
    jobs: list[Job] = []
    base_source = str(spec.base)

    def warn(problem: Problem, index: int, point: Mapping[str, Any]) -> None:
        """Keep a point's warning once: at the sweep key that made it, with the first point it came in."""
        key, text = _located(spec, problem._replace(check=None))
        if ("warning", text, problem.check) in seen:
            return
        seen.add(("warning", text, problem.check))
        if key is None:  # the base scenario's own: as it says it
            warned.append(problem)
        else:
            shown = point_text(point.items())
            note = f"(point {index}" + (f": {shown})" if shown else ")")
            warned.append(with_note(Problem(spec.file, key, text, problem.check), note))  # before its [NAME]

    def report(key: str, message: str, index: int, point: Mapping[str, Any]) -> None:
        if (key, message) in seen:
            return
        seen.add((key, message))
        shown = point_text(point.items())
        problems.append(
            Problem(spec.file, key, f"{message} (point {index}" + (f": {shown})" if shown else ")"))
        )

    points = expand(spec)
    bar = progress_bar(len(points), progress and len(points) > 1, f"planning {spec.name}", unit="point")
    for index, point in enumerate(_ticking(points, bar)):
        try:
            document = point_document(spec, point)
        except PathError as error:
            key = next(
                (k for k in (*point, *spec.fixed) if error.path.startswith(k) or k.startswith(error.path)), ""
            )
            report(spec.sections.get(key, ""), f"{base_source}: {error}", index, point)
            continue
        given = {  # what this point's scenario was given by the sweep file, for a size refusal to name
            key: SetBy(str(spec.file), spec.sections.get(key, ""), f"{key} of {base_source}")
            for key in (*spec.fixed, *point)
            if key != "policy.name"
        }
        try:
            scenario = load_scenario_data(
                document, source=base_source, base_dir=spec.base.parent, set_by=given
            )
            world = WorldOnce(scenario)  # the checks', the refusal's and with_world's one reading
            point_warnings = scenario_warnings(scenario.policy, scenario, world=world)
            refused = _world_refusal(scenario, world) if worlds else None
        except ScenarioError as error:
            for problem in error.problems:
                where, text = _located(spec, problem)
                report(where or "", text, index, point)
            continue
        except RunError as error:
            report(spec.sections.get("policy.name", ""), f"{base_source}: {error}", index, point)
            continue
        if refused is not None:
            where, text = _located(spec, refused)
            report(where or "", text, index, point)
            continue
        for problem in point_warnings:
            warn(problem, index, point)
        items = tuple(point.items())
        inputs = input_files(scenario)
        used = tuple(job_plugins(scenario))
        for replication in range(spec.replications):
            key = job_key(scenario.document, replication, inputs=inputs, plugins=used)
            jobs.append(
                Job(
                    key=key,
                    index=index,
                    replication=replication,
                    scenario=scenario,
                    point=items,
                    plugins=used,
                )
            )
        if with_world is not None:
            with_world(scenario, world)
    for problem in warned:
        warnings.warn(ScenarioWarning(str(problem)), stacklevel=2)
    if problems:
        extra = len(problems) - _MAX_PROBLEMS
        shown = problems[:_MAX_PROBLEMS]
        if extra > 0:
            shown.append(Problem(spec.file, "", f"... and {extra} more problems"))
        raise ScenarioError(shown)
    return jobs


def _ticking(points: list[dict[str, Any]], bar: Any) -> Iterator[dict[str, Any]]:
    """``points`` one by one, the ``bar`` a step on as each is done, closed however the loop ends."""
    try:
        for point in points:
            yield point
            bar.update(1)
    finally:
        bar.close()


def _world_refusal(scenario: Scenario, world: Callable[[], World | None]) -> Problem | None:
    """Build ``scenario``'s world as ``validate`` does: what that refuses, at its key path, or None.

    ``world``: its :class:`offloadsim.api.WorldOnce`, built again here where it could not be, to say why.

    With the refusal's ``also``, the other key paths it is about (a step out of order: the
    previous step's time), so that a sweep key that gave one of them is named.
    """
    from offloadsim.engine import checked_world
    from offloadsim.world import WorldError

    built = world()
    try:
        checked_world(scenario if built is None else built)
    except WorldError as error:
        return _refusal_problem(scenario, error)
    return None


def _refusal_problem(scenario: Scenario, error: KeyPathError) -> Problem:
    """A world's refusal of ``scenario`` (a ``WorldError``) as a problem of its file, with its ``also``."""
    return Problem(scenario.source, error.key_path, error.message, also=tuple(error.also))


def _located(spec: SweepSpec, problem: Problem) -> tuple[str | None, str]:
    """The sweep key behind ``problem`` (None: not one) and its text as the base scenario says it.

    The problem's ``also``, other key paths it is about (a world's refusal of a step out of
    order names the previous step's time; a step after the run's end, ``duration``), name
    their sweep key where none gave the problem's own key path.
    """
    if problem.file == str(spec.file):  # already at the sweep key that caused it
        return problem.key_path, problem.message
    paths = (problem.key_path, *problem.also)
    about = (_key_of(spec, problem._replace(key_path=path)) for path in paths)
    swept = next((key for key in about if key is not None), None)
    return (None, str(problem)) if swept is None else (spec.sections[swept], str(as_written(swept, problem)))


def _key_of(spec: SweepSpec, problem: Problem) -> str | None:
    """The sweep key (``links[0].bandwidth``, from ``grid``, ``zip`` or ``set``) a problem is about, or None.

    A problem may name the key itself, a key inside it, or (for an unknown
    key) the mapping that holds it, with the unknown name in the message:
    the document itself for an unknown top-level key (``grid: {5: ...}``).
    A mapping the base scenario lacks was made by the sweep key that reaches
    into it (``nodes.phne.count`` makes ``nodes.phne``, which has no tier).
    """
    return next((key for key in spec.sections if caused_by(key, problem, spec.base_document)), None)


# --------------------------------------------------------------------------- running


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
    _tasks: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def tasks(self) -> pd.DataFrame:
        """Every job's task records, swept values and point first (``tasks.parquet``, read when asked)."""
        if self._tasks is None:
            self._tasks = pd.read_parquet(self.path / "tasks.parquet")
        return self._tasks

    def __repr__(self) -> str:
        return (
            f"SweepResult({self.manifest.get('name')!r}, points={self.manifest.get('points')}, "
            f"jobs={len(self.metrics)}, path={str(self.path)!r})"
        )


def default_sweep_dir(spec: SweepSpec) -> Path:
    """``results/<sweep name>``."""
    return Path("results") / spec.name.replace("/", "_").replace("\\", "_")


def sweep(
    sweep_file: str | Path | SweepSpec,
    *,
    out: str | Path | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    progress: bool = False,
    jobs: Sequence[Job] | None = None,
) -> SweepResult:
    """Run a sweep (file or :class:`SweepSpec`) into ``out`` and return the merged result.

    Jobs already finished in ``out/points`` are reused; the others run on
    ``workers`` local processes (default: all cores; 1 runs them in this
    process) or on the Dask cluster at ``scheduler``.  Raises
    :class:`ScenarioError` for a bad sweep file or point before any job runs,
    and :class:`JobsFailedError` after the run if some jobs raised (the
    finished ones are kept; ``out/failures.log`` has the tracebacks).  ``jobs``: what
    :func:`plan_sweep` planned of this ``spec`` for a caller that needed them first (the command
    line checks the room they need), not planned (nor its points' dynamics read) again.
    """
    spec = sweep_file if isinstance(sweep_file, SweepSpec) else load_sweep(sweep_file)
    started = _dt.datetime.now(_dt.UTC)
    clock = time.perf_counter()
    directory = check_sweep_out(out if out is not None else default_sweep_dir(spec))  # before planning
    jobs = plan_sweep(spec, progress=progress) if jobs is None else list(jobs)
    created = _prepare_out(directory)
    with _locked_out(directory, f"sweep {spec.file}", created) as lock, _undone_on_failure(lock):
        points_dir = directory / "points"
        _make_points(points_dir, created)
        # Under the lock, any temporary file here was left by a killed sweep.
        remove_stale_temporaries(points_dir)
        remove_stale_temporaries(directory)
        # One run a key: points that differ only where no record does (skip_checks) share their job.
        unsaved: dict[str, Job] = {}
        for job in jobs:
            if not (points_dir / f"{job.key}.parquet").is_file():
                unsaved.setdefault(job.key, job)
        todo = list(unsaved.values())

        def save(job: Job, result: JobResult) -> None:
            with _writing(directory, lambda: _saved(points_dir, jobs)):
                save_job_file(job, result, points_dir / f"{job.key}.parquet", _job_meta)

        # Local jobs write their files into a scratch directory (in $TMPDIR) that is removed however
        # the sweep ends, with what stopped workers left there.
        scratch = SpilledTable(prefix="offloadsim-sweep-", suffix=".parquet")
        try:
            failures = execute(
                todo,
                save,
                workers=workers,
                scheduler=scheduler,
                progress=progress,
                description=f"sweep {spec.name}",
                scratch=lambda: scratch.directory,
                describe=_job_meta,
            )
        finally:
            scratch.discard()
        log = directory / "failures.log"
        if failures:
            with _writing(directory, lambda: _saved(points_dir, jobs)):
                write_text(_failure_log(spec, failures), log)
            first = failures[0]
            message = _failure_text(spec, first)
            raise JobsFailedError(
                f"{len(failures)} of {len(jobs)} jobs failed (first: {first.job.describe()}: {message}); "
                f"the {len(todo) - len(failures)} that finished are saved, tracebacks in {log}; "
                "rerun the same command to run only what is missing",
                failures,
            )
        log.unlink(missing_ok=True)
        with _writing(directory, lambda: _saved(points_dir, jobs)):
            return merge_sweep(
                spec,
                jobs,
                directory,
                run_info={
                    "jobs_run": len(todo),
                    "jobs_reused": len(jobs) - len(todo),
                    "workers": None if scheduler else (workers or default_workers()),
                    "scheduler": scheduler,
                    "started_utc": started.isoformat(timespec="seconds"),
                    "wall_s": time.perf_counter() - clock,
                },
            )


def _saved(points_dir: Path, jobs: Sequence[Job]) -> int:
    """How many of ``jobs`` have their file in ``points_dir``."""
    return sum((points_dir / f"{job.key}.parquet").is_file() for job in jobs)


@contextlib.contextmanager
def _writing(directory: Path, saved: Callable[[], int]) -> Iterator[None]:
    """Turn an OSError while writing (a full disk, a removed folder) into a one-line ExperimentError.

    The message says how many jobs are safely saved, so the user knows a
    rerun after freeing space loses nothing.
    """
    try:
        yield
    except OSError as error:
        raise ExperimentError(
            f"cannot write results to {directory}: {describe_os_error(error)}; "
            f"finished jobs saved: {saved()}; rerun the same command once this is fixed"
        ) from None


@contextlib.contextmanager
def _undone_on_failure(lock: HeldLock) -> Iterator[None]:
    """Have the lock's release remove the folders the sweep made if it fails before any job finished.

    An unreachable scheduler, say, leaves nothing behind (a user error
    writes nothing).  Only empty folders go: a finished job's file keeps
    them, and a sweep whose jobs failed keeps its failures.log and points/
    for the rerun the message suggests.  They go only while the sweep holds
    the lock (:func:`~offloadsim.outdir.directory_lock`): a sweep refused by
    it removes at most the folder and its parents, while empty (the holder's
    lock file keeps the folder the holder, another sweep of the same new
    folder started together, works in), and one that locks after this one
    lets go makes again what went.
    """
    try:
        yield
    except JobsFailedError:
        raise
    except BaseException:
        lock.remove_created()
        raise


def _make_points(points_dir: Path, created: list[Path]) -> None:
    """Make ``points/`` under the lock if missing (new, or a failed holder emptied it); add it to created."""
    try:
        points_dir.mkdir()
    except FileExistsError:
        return
    except OSError as error:
        raise ExperimentError(
            f"cannot write results to {points_dir.parent}: {describe_os_error(error)}"
        ) from None
    created.insert(0, points_dir.absolute())


def _no_base_file(base_path: Path, base_value: str) -> str:
    """Why ``base_path`` (no regular file) is no base scenario; a directory or FIFO was "no scenario file"."""
    from offloadsim.bounded_read import not_a_file
    from offloadsim.input_kinds import SCENARIO, misdirected_path

    what = not_a_file(base_path)
    if what is None:
        return f"no scenario file {base_path}{did_you_mean_file(base_value, base_path)}"
    return misdirected_path(base_path, SCENARIO) or f"{base_path}: {what}, expected a scenario file"


def check_sweep_out(directory: str | Path) -> Path:
    """Check that a sweep can write to ``directory``, writing nothing; return it as a Path.

    What :func:`sweep` refuses there when it starts (a file; a non-empty folder that is neither
    a sweep's nor a result to move aside; a folder under one that cannot be written), said before
    planning: ``sweep --dry-run --out FILE`` said "nothing written" and exit 0 of a sweep
    that could not run.  Raises :class:`ExperimentError`.
    """
    directory = out_path(directory)
    if holds_non_directory(directory):
        raise ExperimentError(f"output path {directory} exists and is not a directory")
    try:
        check_writable_parent(directory / "points", f"cannot write results to {directory}")
        with contextlib.suppress(FileNotFoundError):  # a new folder
            _check_sweep_folder(directory)
    except ResultsError as error:
        raise ExperimentError(str(error)) from None
    except OSError as error:  # unreadable
        raise ExperimentError(f"cannot write results to {directory}: {describe_os_error(error)}") from None
    return directory


def _prepare_out(directory: Path) -> list[Path]:
    """Refuse a path that is no directory, or a non-empty one that holds no result; return what is missing.

    Only checks (to fail fast), making nothing: ``directory`` is made, and a run or comparison
    result there moved aside, under its lock (:func:`_locked_out`).  Returns the folders the
    lock step will make, deepest first.
    """
    check_sweep_out(directory)  # again: planning may have taken minutes
    return missing_directories(directory)


def _check_sweep_folder(directory: Path) -> bool:
    """Whether ``directory`` holds a result that is no sweep's (to move aside); refuse one that is no result.

    A folder that is empty (but for a lock file) or holds ``points/`` is a sweep's: False.  Raises
    FileNotFoundError if it is missing; any other OSError (under a file, unreadable) is one line.
    """
    try:
        entries = [name for name in os.listdir(directory) if name != LOCK_FILE]
    except FileNotFoundError:
        raise
    except OSError as error:  # 'afile/under' ended in NotADirectoryError, exit 1
        raise ExperimentError(f"cannot write results to {directory}: {describe_os_error(error)}") from None
    if not entries or (directory / "points").is_dir():
        return False
    if not is_result_directory(directory):
        raise ExperimentError(
            f"output directory {directory} is not empty and holds no sweep (no points/); choose another --out"
        )
    return True


@contextlib.contextmanager
def _locked_out(directory: Path, what: str, created: list[Path]) -> Iterator[HeldLock]:
    """Hold ``directory``'s lock, ``directory`` being a sweep's folder (made if missing).

    A run or comparison result found there is moved aside to ``NAME.old-N`` (as a rerun of
    ``run`` would) under the lock, which goes with it, and the lock is taken on the folder made
    anew.  Every check and move is made holding the lock: a result is moved once, by one sweep,
    and never a folder another sweep (or a run's rename) put there meanwhile.  A lock that cannot
    be taken (in use, a full disk, a read-only folder) leaves none of the folders it made.
    """
    for _ in range(100):
        with directory_lock(directory, what, created) as lock:
            try:
                other_result = _check_sweep_folder(directory)
            except FileNotFoundError:  # removed under the lock by no offloadsim process: lock again
                continue
            if not other_result:
                yield lock
                return
            previous = move_aside(directory)
            lock.moved(previous)
            logging.getLogger("offloadsim").info(
                "%s held a result that is not a sweep; it was moved to %s", directory, previous
            )
    raise ExperimentError(f"cannot write results to {directory}: other processes keep moving it")


def _job_meta(job: Job, result: JobResult) -> dict[str, Any]:
    return {
        "key": job.key,
        "index": job.index,
        "replication": job.replication,
        "point": [[k, v] for k, v in job.point],
        "policy": result.policy,
        "seed": result.seed,
        "scenario": job.scenario.name,
        "metrics": {k: _json_value(v) for k, v in result.metrics.items()},
        "end_s": _json_value(result.end_s),
        "nodes": {c: [_json_value(v) for v in result.nodes[c].tolist()] for c in result.nodes.columns},
        "wall_s": result.wall_s,
        "engine_build": result.engine_build,
        "context_cuts": list(result.context_cuts),
        # Its metrics hold the LLM metrics where it served LLM requests; older files' never do.
        "llm_metrics": True,
    }


def _json_value(value: Any) -> Any:
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    if value is pd.NA:
        return None
    return value


def _one_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}".rstrip(": ")


def _swept_refusal(spec: SweepSpec, failure: JobFailure) -> str | None:
    """A failed job's world refusal, said as ``--dry-run`` says it; None for another failure.

    A run plans without building worlds (each job builds its own), so a value the world
    refuses (a step a grid value put out of order) fails that job: said at the sweep key
    that gave one of the refusal's key paths, or, where none did (a grid key inside the key
    refused, ``dynamics[0].link[1]`` making ``dynamics[0].link`` no pair), at the sweep file
    with the base's key path, not as the bare ``EngineError`` of the base alone.
    """
    refusal = getattr(failure.error, "refusal", None)  # an EngineError's
    if not isinstance(refusal, KeyPathError):
        return None
    key, text = _located(spec, _refusal_problem(failure.job.scenario, refusal))
    return str(Problem(spec.file, key or "", text))


def _failure_text(spec: SweepSpec, failure: JobFailure) -> str:
    """A failed job's error in one line: at the sweep key behind it where a point's value was refused."""
    return _swept_refusal(spec, failure) or _one_line(failure.error)


def _failure_log(spec: SweepSpec, failures: Sequence[JobFailure]) -> str:
    parts = []
    for failure in failures:
        head = f"== {failure.job.describe()} (job {failure.job.key})"
        swept = _swept_refusal(spec, failure)
        parts.append("\n".join(filter(None, (head, swept, failure.traceback.rstrip()))) + "\n")
    return "\n".join(parts)


# --------------------------------------------------------------------------- merging


def merge_sweep(
    spec: SweepSpec, jobs: Sequence[Job], directory: str | Path, run_info: Mapping[str, Any] | None = None
) -> SweepResult:
    """Merge the job files of ``jobs`` (all finished) into the sweep's tables, written atomically.

    Jobs are taken in their order (point, then replication), so the tables
    do not depend on which worker finished first.
    """
    from offloadsim.records.results import nodes_frame, scenario_hash

    directory = Path(directory)
    swept = spec.swept
    files: list[Path] = []
    task_count = 0
    node_parts: list[pd.DataFrame] = []
    metric_rows: list[dict[str, Any]] = []
    point_values: dict[str, list[Any]] = {key: [] for key in swept}
    node_point: list[np.ndarray] = []
    cuts: list[dict[str, Any]] = []  # LLM requests cut to the context window, per job and application
    uncounted = 0  # jobs whose file predates the count
    recomputed = 0  # jobs whose file predates the LLM metrics, which its records gave
    builds: list[str] = []  # the engine each job ran on ("" for a file that predates it)
    ordered = sorted(jobs, key=lambda j: (j.index, j.replication))
    for job in ordered:
        file = directory / "points" / f"{job.key}.parquet"
        try:
            rows, meta = read_job_meta(file)  # the records are read a job at a time, when written
        except FileNotFoundError:
            raise ExperimentError(f"{file}: missing; rerun the sweep to finish it") from None
        except (OSError, ValueError) as error:
            raise ExperimentError(f"{file}: unreadable ({error}); delete it and rerun the sweep") from None
        files.append(file)
        task_count += rows
        builds.append(meta.get("engine_build", ""))
        nodes = pd.DataFrame(meta.get("nodes", {}))
        nodes.insert(0, "replication", job.replication)
        nodes.insert(0, "policy", meta["policy"])
        node_parts.append(nodes)
        values = dict(job.point)
        if "llm_metrics" not in meta:  # its metrics from before the LLM metrics: from its records
            found = _llm_metrics_of(file)
            meta["metrics"].update(found)
            recomputed += bool(found)
        metric_rows.append(
            {
                "point": job.index,
                "replication": job.replication,
                "seed": meta["seed"],
                "policy": meta["policy"],
                "job": job.key,
                "end_s": math.nan if meta.get("end_s") is None else meta["end_s"],  # None: older files
                **{k: (math.nan if v is None else v) for k, v in meta["metrics"].items()},
            }
        )
        if "context_cuts" in meta:
            cuts += [
                {"point": job.index, "replication": job.replication, **cut} for cut in meta["context_cuts"]
            ]
        else:
            uncounted += 1
        for key in swept:
            point_values[key].append(values[key])
        node_point.append(np.full(len(nodes), len(metric_rows) - 1))

    metrics = pd.DataFrame(metric_rows)
    for column in metrics.columns:
        if column.startswith("utilisation_"):
            metrics[column] = metrics[column].astype(float)
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
    summary = summarize_points(metrics, swept)

    manifest = {
        "format": _FORMAT,
        "name": spec.name,
        "description": spec.description,
        "sweep_file": spec.file,
        "sweep_hash": scenario_hash(spec.document),
        "base_file": str(spec.base),
        "base_hash": scenario_hash(spec.base_document),
        "inputs": _inputs_of(ordered),
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
        **_host_info(),
        "job_engine_builds": count_builds(builds),
        **plugins_field(job.plugins for job in ordered),  # whose code ran: none for offloadsim's own
        **dict(run_info or {}),
        "context_cuts": cuts,
        "context_cuts_uncounted_jobs": uncounted,
        "llm_metrics_recomputed_jobs": recomputed,
        "files": list(SWEEP_FILES),
    }
    replace_together(
        directory,
        {
            "tasks.parquet": lambda path: _write_tasks(files, inserts, path, task_count),
            "metrics.parquet": parquet_writer(metrics),
            "nodes.parquet": parquet_writer(nodes),
            "summary.parquet": parquet_writer(summary),
            "summary.csv": text_writer(summary.to_csv(index=False, lineterminator="\n")),
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
    )


def _llm_metrics_of(file: Path) -> dict[str, float]:
    """The LLM metrics of the job in ``file``, from its task records (none: it served no LLM request)."""
    try:
        return llm_metrics(read_job_columns(file, ("status", "ttft", "tpot")))
    except (OSError, ValueError) as error:
        raise ExperimentError(f"{file}: unreadable ({error}); delete it and rerun the sweep") from None


def _write_tasks(files: Sequence[Path], inserts: Sequence[Insert], path: Path, rows: int) -> None:
    """The merged task table, a job at a time (see :mod:`offloadsim.experiments.merge`)."""
    written = write_merged(files, inserts, path)
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


def summarize_points(metrics: pd.DataFrame, swept: Sequence[str]) -> pd.DataFrame:
    """Mean and 95 % CI half-width over replications, per point and metric (a tidy table)."""
    rows = []
    columns = metric_columns(metrics)
    for point, group in metrics.groupby("point", sort=True):
        first = group.iloc[0]
        for name in columns:
            mean, half = mean_ci(group[name].to_numpy(dtype=float))
            rows.append(
                {
                    **{key: first[key] for key in swept},
                    "point": point,
                    "policy": first["policy"],
                    "metric": name,
                    "n": int(group[name].notna().sum()),
                    "mean": mean,
                    "ci": half,
                }
            )
    frame = pd.DataFrame(rows, columns=[*swept, "point", "policy", "metric", "n", "mean", "ci"])
    return frame


def _host_info() -> dict[str, Any]:
    from offloadsim._version import __version__

    return {
        "offloadsim_version": __version__,
        "engine_build": engine_build(),
        "python_version": platform.python_version(),
        "platform": host_platform(),
        "host": socket.gethostname(),
        "command": shlex.join(sys.argv),
    }
