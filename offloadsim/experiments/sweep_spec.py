"""A sweep file read and checked, its points expanded, and each point planned as jobs, before any runs.

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

Every problem is said at the sweep file's key that caused it (a value the base
scenario refuses at the grid key that gave it), with the point it came in.
Running the jobs is :mod:`offloadsim.experiments.sweep`'s.
"""

from __future__ import annotations

import copy
import itertools
import json
import math
import os
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from offloadsim.analysis.values import default_label
from offloadsim.experiments.executors import progress_bar
from offloadsim.experiments.jobs import (
    MAX_JOBS,
    Job,
    job_key,
    job_plugins,
    point_text,
)
from offloadsim.experiments.point_problems import after_sweep_key, at_point
from offloadsim.input_kinds import SWEEP
from offloadsim.progress import ticking
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
from offloadsim.scenario.current_document import with_current_document
from offloadsim.scenario.errors import (
    KeyPathError,
    describe,
    did_you_mean_key,
    first_repeat,
    format_path,
    given_twice,
    name_problem,
)
from offloadsim.scenario.inputs_folder import ResultFolder, result_folder
from offloadsim.scenario.model import Scenario
from offloadsim.scenario.overrides import as_problems_name, as_written, caused_by
from offloadsim.scenario.plain_data import plain_data
from offloadsim.scenario.policy_entries import (
    ENTRY_FORM,
    EntryError,
    PolicyEntry,
    kept_params_note,
    policy_entries,
)
from offloadsim.scenario.size import SetBy
from offloadsim.scenario.units import QUANTITIES, UnitError, parse_quantity
from offloadsim.suggest import did_you_mean_file, quoted
from offloadsim.sweep_keys import SWEEP_KEYS  # the help lists them too

if TYPE_CHECKING:
    from offloadsim.world.build import World

__all__ = [
    "SWEEP_KEYS",
    "SweepSpec",
    "default_sweep_dir",
    "expand",
    "load_sweep",
    "located",
    "plan_sweep",
    "point_document",
    "refusal_problem",
    "sweep_from_data",
]

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
    #: The ``policies`` entries with parameters, by their point's assignments (:func:`_assignments_key`).
    entry_labels: dict[str, str] = field(default_factory=dict)
    #: What messages and the manifest call a base given in Python (a mapping, a Scenario's source);
    #: "" for a file's (``base``, whose folder relative file names are relative to either way).
    base_source: str = ""

    @property
    def base_name(self) -> str:
        """The base scenario as messages and the manifest's ``base_file`` name it: its file, or its source."""
        return self.base_source or str(self.base)

    @cached_property
    def rerun(self) -> ResultFolder | None:
        """The result whose ``scenario.yaml`` the base is (a sweep rerun from its folder), read once.

        Its points' scenarios hold it, and the sweep's copies and hashes read their files where it says.
        """
        return result_folder(self.base)

    @property
    def files_folder(self) -> Path:
        """The folder the base's relative file names are read from: ``inputs/`` for a result's."""
        return self.base.parent if self.rerun is None else self.rerun.files

    @property
    def swept(self) -> list[str]:
        """The swept key paths, in column order (a ``policies`` entry's parameters each once)."""
        return list(dict.fromkeys(key for axis in self.axes for point in axis for key, _ in point))

    @property
    def zipped(self) -> list[str]:
        """The key paths its ``zip:`` varies together, element by element (a precision with its speed)."""
        return [key for key, where in self.sections.items() if where.startswith("zip")]

    def entry_label(self, point: Mapping[str, Any]) -> str | None:
        """The ``policies`` entry with parameters or a label that made ``point`` (its label), or None."""
        if not self.entry_labels:
            return None
        return self.entry_labels.get(
            _assignments_key(tuple((k, v) for k, v in point.items() if self.sections.get(k) == "policies"))
        )

    def label(self, key: str) -> str:
        """How figures name a swept key: the file's ``labels:`` entry, else one read from the base."""
        return self.labels.get(key) or default_label(key, self.base_document)

    @property
    def points(self) -> int:
        """How many points (scenario variants) the sweep has."""
        return math.prod(len(axis) for axis in self.axes)


def load_sweep(path: str | Path) -> SweepSpec:
    """Read and check a sweep file; :class:`ScenarioError` names the file and key of every problem."""
    if not isinstance(path, str | os.PathLike):  # 3: a TypeError from the file reader
        raise ScenarioError(
            [Problem("<sweep>", "", f"expected a sweep file's path, got {type(path).__name__} {path!r:.40}")]
        )
    if isinstance(path, str) and "\n" in path.strip():  # a notebook's YAML string: no file name has lines
        raise ScenarioError(  # read as a path, it was "name: x\n...: no such file", the text as its name
            [
                Problem(
                    "<sweep>",
                    "",
                    "got YAML text, not a sweep file's path: offloadsim.experiments.sweep_from_data"
                    "(yaml.safe_load(text)) makes a SweepSpec of it, which sweep takes",
                )
            ]
        )
    document = read_document(
        path, expect=SWEEP
    )  # ScenarioError naming the file: missing, not YAML, a scenario
    return _sweep_spec(document, str(path), Path(path).parent, in_file=True)


def sweep_from_data(
    data: Mapping[str, Any], source: str = "<sweep>", base_dir: str | Path | None = None
) -> SweepSpec:
    """Check a sweep document (already parsed) and return its :class:`SweepSpec`.

    ``base`` is a scenario file, resolved relative to ``base_dir`` (default: the working
    directory), or from Python a scenario document (a mapping: its relative file names relative
    to ``base_dir`` too) or a loaded :class:`~offloadsim.scenario.model.Scenario` (its
    ``document``, its files where it found them).  Each point is that document with the sweep's
    values set, so its jobs' keys are of its content, whichever way the base came.  numpy's
    numbers and arrays in it (a grid of ``np.linspace(...)``) are the Python numbers and lists they
    hold (:func:`~offloadsim.scenario.plain_data.plain_data`).
    """
    return _sweep_spec(plain_data(data), source, base_dir, in_file=False)


def _default_name(source: str, base: Any) -> str:
    """A sweep's name where it gives none: its file's stem, or from Python ``<base's name>-sweep``.

    ``source`` ``<sweep>`` (:func:`sweep_from_data`'s, no file) named it ``<sweep>``, and so
    ``sweep()``'s folder ``results/<sweep>``: a run's and a comparison's are named after their
    scenario.
    """
    if not (source.startswith("<") and source.endswith(">")):
        return Path(source).stem
    if isinstance(base, Scenario):
        stem: Any = base.name
    elif isinstance(base, Mapping):
        stem = base.get("name")
    else:
        stem = Path(base).stem if isinstance(base, str) and "\n" not in base else None
    return f"{stem}-sweep" if isinstance(stem, str) and stem.strip() else "sweep"


def _sweep_spec(
    data: Mapping[str, Any], source: str, base_dir: str | Path | None, in_file: bool
) -> SweepSpec:
    """:func:`sweep_from_data`; ``in_file``: ``data`` is a sweep file's, whose ``base`` names a file."""
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
                f"unknown key{did_you_mean_key(str(key), SWEEP_KEYS)}; "
                f"a sweep file has {', '.join(SWEEP_KEYS)}",
            )
    folder = Path(base_dir) if base_dir is not None else Path.cwd()

    base_value = data.get("base")
    base_path = Path()
    given = not in_file and isinstance(base_value, Mapping | Scenario)  # from Python: no file to read
    if base_value is None:
        bad("base", "required: the scenario file to vary, relative to this file")
    elif given:
        if isinstance(base_value, Mapping) and not all(isinstance(key, str) for key in base_value):
            bad("base", "expected a scenario document, names (strings) as its keys")
    elif not isinstance(base_value, str) or not base_value.strip():
        also = "" if in_file else " (or from Python a scenario mapping or a loaded Scenario)"
        bad("base", f"expected the path of a scenario file{also}, got {describe(base_value)}")
    elif not in_file and "\n" in base_value.strip():  # a notebook's YAML string: no file name has lines
        bad(
            "base",
            "got YAML text, not a file path: offloadsim.scenario.load_scenario_text(text) loads it "
            "into a Scenario, which base takes",
        )
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
    entry_labels: dict[str, str] = {}
    if policies is not None:
        named = (
            [isinstance(p, str) and bool(p.strip()) for p in policies] if isinstance(policies, list) else []
        )
        if not named:
            bad("policies", f"expected a non-empty list of policies, got {describe(policies)}")
        elif not all(named):
            from offloadsim.api import policy_object_words

            i = named.index(False)
            bad(
                format_path(("policies", i)),
                policy_object_words(policies[i], "")
                or f"expected a policy, {ENTRY_FORM}, got {describe(policies[i])}"
                + (
                    "; a policy's parameters go in its entry (fixed(cuts=[3])), under set: "
                    "(policy: {name: fixed, cuts: [3]}) or are varied as grid keys (policy.cuts)"
                    if isinstance(policies[i], Mapping)
                    else ""
                ),
            )
        elif (entries := _policy_entries(policies, bad)) is not None:
            if (twice := first_repeat(entry.identity for entry in entries)) is not None:
                first, again = (describe(policies[i]) for i in twice)
                bad("policies", f"{given_twice(first, again, 'policy')}: each policy makes one point")
            elif (twice := first_repeat(entry.label for entry in entries)) is not None:
                first, again = (describe(policies[i]) for i in twice)
                bad("policies", f"{first} and {again} have one label: give each its own")
            else:
                keys = dict.fromkeys(f"policy.{key}" for entry in entries for key in entry.params)
                if all([claim(key, "policies") for key in ("policy.name", *keys)]):
                    axis = tuple(_entry_point(entry) for entry in entries)
                    axes.append(axis)
                    entry_labels = {
                        _assignments_key(point): entry.label
                        for point, entry in zip(axis, entries, strict=True)
                        if entry.params or entry.label != entry.name
                    }

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
                    f"not a swept key{did_you_mean_key(str(key), varied)}; "
                    f"label one of {', '.join(varied) or '(none: nothing is swept)'}",
                )
            elif not isinstance(text, str) or not text.strip():
                bad(where, f"expected the label as text, got {describe(text)}")
            elif text.strip() in labels.values():  # a figure's axis or legend could not tell them apart
                other = next(k for k, given in labels.items() if given == text.strip())
                said = f"{quoted(text.strip())} already labels {other}"
                bad(where, f"{said}: each swept key needs its own label")
            else:
                labels[str(key)] = text.strip()

    points = math.prod(len(axis) for axis in axes)
    if points * replications > MAX_JOBS:
        axis_key = next((key for key in ("grid", "zip", "policies") if key in data), "grid")
        bad(
            "replications" if points <= MAX_JOBS else axis_key,
            f"{points:,} point{'s' if points > 1 else ''} x "
            f"{replications:,} replication{'s' if replications > 1 else ''} "
            f"is {points * replications:,} jobs; "
            f"a sweep may plan at most {MAX_JOBS:,}",
        )

    name = data.get("name", _default_name(source, base_value))
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
    base_source = ""
    if given and isinstance(base_value, Mapping | Scenario):
        base_document, base_path, base_source = _given_base(base_value, folder)
    else:
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
        # A base given as data is hashed (sweep_hash) as its document, not as a Scenario's repr.
        document={**data, "base": base_document} if given else dict(data),
        labels=labels,
        entry_labels=entry_labels,
        base_source=base_source,
    )


def _given_base(base: Mapping[str, Any] | Scenario, folder: Path) -> tuple[dict[str, Any], Path, str]:
    """A base given in Python: its document, a path whose folder its relative files are in, its name.

    A loaded Scenario's document is the one it was loaded from (overrides applied), found
    relative to its own folder; a mapping's relative to the sweep's ``base_dir``.
    """
    if isinstance(base, Scenario):
        where = Path(base.base_dir) if base.base_dir else folder
        document = with_current_document(base).document  # one dataclasses.replace changed: as it is
        return copy.deepcopy(dict(document)), where / "<base>", base.source
    return copy.deepcopy(dict(base)), folder / "<base>", "<base>"


def _policy_entries(texts: Sequence[str], bad: Callable[[str, str], None]) -> list[PolicyEntry] | None:
    """The ``policies`` entries read, each refused at its index (``policies[2]``); None: one was."""
    entries: list[PolicyEntry] = []
    for i, text in enumerate(texts):
        try:
            (entry,) = policy_entries([text])
        except EntryError as error:
            bad(format_path(("policies", i)), str(error))
            continue
        entries.append(entry)
    return entries if len(entries) == len(texts) else None


def _entry_point(entry: PolicyEntry) -> tuple[tuple[str, Any], ...]:
    """A ``policies`` entry's assignments: ``policy.name``, then each parameter it gives at ``policy.KEY``."""
    return (("policy.name", entry.name), *((f"policy.{key}", value) for key, value in entry.params.items()))


def _assignments_key(point: Sequence[tuple[str, Any]]) -> str:
    """A point's assignments of the ``policies`` axis as text, to find the entry that made them."""
    return json.dumps([[key, value] for key, value in point], sort_keys=True, default=str)


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


def _kept_policy_params(spec: SweepSpec, point: Mapping[str, Any]) -> dict[str, Any]:
    """The base's policy parameters a point of ``policies:`` kept beside its own (none: another policy).

    An entry of the base's own policy is merged over its parameters (:func:`point_document`), so a
    refusal of what they make together names those the entry did not give.
    """
    if not any(key.startswith("policy.") and key != "policy.name" for key in point):
        return {}
    base = spec.fixed.get("policy", spec.base_document.get("policy"))
    if not isinstance(base, dict) or base.get("name") != point.get("policy.name"):
        return {}
    given = {key.removeprefix("policy.") for key in (*spec.fixed, *point)}
    return {key: value for key, value in base.items() if key != "name" and key not in given}


def point_document(spec: SweepSpec, point: Mapping[str, Any]) -> dict[str, Any]:
    """The base scenario document with the fixed values and one point's values applied.

    A whole ``policy`` under ``set:`` replaces the base's first; then ``policy.name`` is applied
    and, like ``offloadsim run --policy``, keeps that policy's parameters only when the name is
    the same.  (Applied after the name, ``set: {policy: cloud}`` ran every point of ``policies:
    [edge, local]`` as ``cloud``, under their names.)
    """
    document = copy.deepcopy(spec.base_document)
    if "policy" in spec.fixed:
        assign(document, "policy", copy.deepcopy(spec.fixed["policy"]))
    name = point.get("policy.name", spec.fixed.get("policy.name"))
    if name is not None:
        set_policy_name(document, name)
    for key, value in (*spec.fixed.items(), *point.items()):
        if key not in ("policy", "policy.name"):
            assign(document, key, copy.deepcopy(value))
    return document


def plan_sweep(
    spec: SweepSpec,
    worlds: bool = False,
    *,
    with_world: Callable[[int, Scenario, Callable[[], World | None]], None] | None = None,
    progress: bool = False,
) -> list[Job]:
    """The jobs of a sweep, after checking that every point's scenario loads and its policy exists.

    Raises :class:`ScenarioError` naming the sweep file and the swept key at
    fault (e.g. a key path the base scenario does not have) before any job runs.
    ``worlds``: build each point's world too, as ``validate`` does (``sweep
    --dry-run``), to find what only that finds: a profile, a ``dynamics``
    entry that would change the world too often.  A run finds those per job.  Each point's world
    is built once, if at all, for its checks and ``worlds`` (:class:`offloadsim.api.WorldOnce`);
    ``with_world`` is called with each planned point's index, its scenario and that world (built
    on the first call; None where it cannot be built; never for a refused point), for a caller
    that reads it too (the command line's notes and stations tables), so this process reads a
    point's ``dynamics`` once; the world is not kept.  An ``EngineError`` it raises (a plug-in's
    fault met tabling the point's stations at 0 s) refuses that point, listed in order with the
    other refused points, and the points after it are still checked.  ``progress`` shows a
    bar over the points on a terminal: checking each takes milliseconds, minutes for 100,000.
    """
    from offloadsim.api import RunError, WorldOnce, scenario_warnings
    from offloadsim.engine.errors import EngineError
    from offloadsim.point_spans import points_of
    from offloadsim.scenario.checks import said_of_policies, whoever_said, with_note
    from offloadsim.scenario.errors import PluginRaised
    from offloadsim.scenario.input_hashes import input_files

    problems: list[Problem] = []
    warned: list[Problem] = []
    seen: dict[tuple[str, str], int] = {}  # each line said, at its place in ``problems``
    jobs: list[Job] = []
    base_source = spec.base_name
    failed_plugin: BaseException | None = None  # a plug-in's exception (a check's): --debug shows it
    fault = (0, 0)  # failed_plugin's line in ``problems`` and its point: the --debug hint ends that line

    policies: list[str] = []  # the points' policies, in first-seen order
    warned_with: list[list[str]] = []  # the policies each kept warning came with (said_of_policies)
    by_text: dict[tuple[str, str | None], list[str]] = {}
    warned_at: list[list[int]] = []  # the points each kept warning of the base's own key came in
    at_text: dict[tuple[str, str | None], list[int]] = {}
    planned = 0  # the points whose checks ran (their warnings are counted against these)

    def warn(problem: Problem, index: int, point: Mapping[str, Any], document: Any, policy: str) -> None:
        """Keep a point's warning once: at the sweep key that made it, with the first point it came in.

        One that differs by policy only in naming it (``policy "local" runs ...``) is kept once too,
        and said of every policy it came with at the end.
        """
        key, text = located(spec, problem._replace(check=None), document)
        same = (whoever_said(text, policy), problem.check)
        if same in by_text:
            if policy not in by_text[same]:
                by_text[same].append(policy)
            if index not in at_text[same]:
                at_text[same].append(index)
            return
        by_text[same] = [policy]
        warned_with.append(by_text[same])
        at_text[same] = [index]
        warned_at.append(at_text[same] if key is None else [])  # a swept key's names its first point
        if key is None:  # the base scenario's own: as it says it
            warned.append(problem)
        else:
            warned.append(at_point(str(spec.file), key, text, index, point, problem.check))

    def report(key: str, message: str, index: int, point: Mapping[str, Any]) -> int:
        """Say ``message`` at ``key`` of point ``index``, once: its line's place in ``problems``."""
        if (key, message) in seen:
            return seen[key, message]
        seen[key, message] = len(problems)
        problems.append(at_point(str(spec.file), key, message, index, point))
        return seen[key, message]

    rerun, base_dir = spec.rerun, spec.files_folder  # a sweep result's base: its manifest read once
    points = expand(spec)
    bar = progress_bar(len(points), progress and len(points) > 1, f"planning {spec.name}", unit="point")
    for index, point in enumerate(ticking(_profiles_found_once(points), bar)):
        try:
            document = point_document(spec, point)
        except PathError as error:
            key = next(
                (k for k in (*point, *spec.fixed) if error.path.startswith(k) or k.startswith(error.path)), ""
            )
            # the key path is the sweep file's; the document it does not lead through, the point's
            at_path = Problem(base_source, error.path, error.message)
            text = after_sweep_key(at_path, as_problems_name(spec.base_document, key), base_source)
            report(spec.sections.get(key, ""), text, index, point)
            continue
        given = {  # what this point's scenario was given by the sweep file, for a size refusal to name
            key: SetBy(str(spec.file), spec.sections.get(key, ""), f"{key} of {base_source}")
            for key in (*spec.fixed, *point)
            if key != "policy.name"
        }
        try:
            scenario = load_scenario_data(
                document, source=base_source, base_dir=base_dir, set_by=given, rerun=rerun
            )
            world = WorldOnce(scenario)  # the checks', the refusal's and with_world's one reading
            point_warnings = scenario_warnings(scenario.policy, scenario, world=world)
            refused = _world_refusal(scenario, world) if worlds else None
        except ScenarioError as error:
            said: list[int] = []
            kept = _kept_policy_params(spec, point)
            for problem in error.problems:
                where, text = located(spec, problem, document)
                if problem.key_path.startswith("policy"):
                    text += kept_params_note(base_source, str(point.get("policy.name")), kept)
                said.append(report(where or "", text, index, point))
            if isinstance(error, PluginRaised) and error.__cause__ is not None and said:  # --debug shows it
                failed_plugin, fault = error.__cause__, (said[0], index)  # the last one's, at its first line
            continue
        except RunError as error:  # the policy's name: the sweep file's where it sweeps it
            swept = "policy.name" in spec.sections
            report(
                spec.sections.get("policy.name", ""),
                str(error) if swept else f"{base_source}: {error}",
                index,
                point,
            )
            continue
        if refused is not None:
            refusal, cause = refused
            where, text = located(spec, refusal, document)
            line = report(where or "", text, index, point)
            if cause is not None:  # a plug-in kind's exception (its parse): the hint, and --debug shows it
                failed_plugin, fault = cause, (line, index)
            continue
        if with_world is not None:
            try:
                with_world(index, scenario, world)
            except EngineError as error:  # met reading its world (a plug-in's fault at 0 s): said in order
                line = report("", str(error), index, point)
                if getattr(error, "show_cause_with_debug", False):
                    failed_plugin, fault = error.__cause__, (line, index)
                continue
        if scenario.policy.name not in policies:
            policies.append(scenario.policy.name)
        planned += 1
        for problem in point_warnings:
            warn(problem, index, point, document, scenario.policy.name)
        items = tuple(point.items())
        inputs = input_files(scenario)
        used = tuple(job_plugins(scenario))
        label = spec.entry_label(point)  # its task records' policy column says it
        warned_here = tuple(
            {"check": str(p.check), "key": p.key_path, "message": p.message} for p in point_warnings
        )
        for replication in range(spec.replications):
            key = job_key(scenario.document, replication, inputs=inputs, plugins=used, label=label)
            jobs.append(
                Job(
                    key=key,
                    index=index,
                    replication=replication,
                    scenario=scenario,
                    point=items,
                    plugins=used,
                    label=label,
                    warnings=warned_here,
                )
            )
    for problem, named, at in zip(warned, warned_with, warned_at, strict=True):
        problem = problem._replace(message=said_of_policies(problem.message, named, len(policies), "swept"))
        if at and len(at) < planned:  # the base's own key, warned of at some points only: which
            problem = with_note(problem, points_of(sorted(at), planned).strip())
        warnings.warn(ScenarioWarning(str(problem)), stacklevel=2)
    if problems:
        extra = len(problems) - _MAX_PROBLEMS
        shown = problems[:_MAX_PROBLEMS]
        line, point_of = fault
        if extra > 0:
            unshown = failed_plugin is not None and line >= _MAX_PROBLEMS  # the hint's line is not shown
            past = f", point {point_of}'s a plug-in's exception" if unshown else ""
            shown.append(Problem(spec.file, "", f"... and {extra} more problems{past}"))
        if failed_plugin is not None:  # said at the sweep's key, and still with its --debug hint, on its line
            raised = PluginRaised(shown)
            hinted = shown[line if line < _MAX_PROBLEMS else -1]  # the fault's line, or the one naming it
            (as_kept,) = ScenarioError([hinted]).problems  # as ``raised`` has it
            raised.hint_line = raised.problems.index(as_kept)
            raise raised from failed_plugin
        raise ScenarioError(shown)
    return jobs


def _profiles_found_once(points: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The points, each checked with profile names looked up once for them all.

    Every point names the same profiles, and each looked them up again: about a dozen file checks a
    name and point, 17 % of a large dry run (:func:`offloadsim.world.profiles.builtin.profile_lookups_once`:
    why that is safe).
    """
    from offloadsim.world.profiles.builtin import profile_lookups_once

    with profile_lookups_once():
        yield from points


def _world_refusal(
    scenario: Scenario, world: Callable[[], World | None]
) -> tuple[Problem, BaseException | None] | None:
    """Build ``scenario``'s world as ``validate`` does: what that refuses, at its key path, or None.

    ``validate``'s trial requests too: a plug-in kind of work whose maker makes no Task (or raises)
    is refused by ``sweep --dry-run`` at its point, as the sweep's jobs would refuse it.

    ``world``: its :class:`offloadsim.api.WorldOnce`, built again here where it could not be, to say why.

    With the refusal's ``also``, the other key paths it is about (a step out of order: the
    previous step's time), so that a sweep key that gave one of them is named; and the
    plug-in's exception behind it (a kind of dynamics whose ``parse`` raised), or None, for the
    ``--debug`` hint and traceback ``validate`` gives it.
    """
    from offloadsim.engine import PluginFailed, checked_world
    from offloadsim.world import WorldError

    built = world()
    try:
        checked_world(scenario if built is None else built, trial_requests=True)
    except WorldError as error:
        return refusal_problem(scenario, error), error.__cause__
    except PluginFailed as error:  # a kind of work's maker, asked for one request as validate asks it
        return Problem(scenario.source, "", str(error)), error.__cause__
    return None


def refusal_problem(scenario: Scenario, error: KeyPathError) -> Problem:
    """A world's refusal of ``scenario`` (a ``WorldError``) as a problem of its file, with its ``also``."""
    return Problem(scenario.source, error.key_path, error.message, also=tuple(error.also))


def located(spec: SweepSpec, problem: Problem, document: Any = None) -> tuple[str | None, str]:
    """The sweep key behind ``problem`` (None: not one) and its text, as :func:`after_sweep_key` says it.

    Not one: the text names the base scenario, as it says it; nor is the problem's own value the
    sweep's where only its ``also`` names a sweep key, so its text names the base then too.

    The problem's ``also``, other key paths it is about (a world's refusal of a step out of
    order names the previous step's time; a step after the run's end, ``duration``), name
    their sweep key where none gave the problem's own key path.  ``document``: the point's
    scenario document (default: the base's), whose lists count a sweep key's negative index.
    """
    if problem.file == str(spec.file):  # already at the sweep key that caused it
        return problem.key_path, problem.message
    document = spec.base_document if document is None else document
    for path in (problem.key_path, *problem.also):
        swept = _key_of(spec, problem._replace(key_path=path), document)
        if swept is not None:
            name = as_problems_name(document, swept)
            said = as_written(name, problem)
            if path != problem.key_path:  # the value at the problem's own key path is the base's
                return spec.sections[swept], str(said)
            return spec.sections[swept], after_sweep_key(said, name, spec.base_name)
    return None, str(problem)


def _key_of(spec: SweepSpec, problem: Problem, document: Any) -> str | None:
    """The sweep key (``links[0].bandwidth``, from ``grid``, ``zip`` or ``set``) a problem is about, or None.

    A problem may name the key itself, a key inside it, or (for an unknown
    key) the mapping that holds it, with the unknown name in the message:
    the document itself for an unknown top-level key (``grid: {5: ...}``).
    A mapping the base scenario lacks was made by the sweep key that reaches
    into it (``nodes.edge.processors.gpu.cores`` makes ``nodes.edge.processors.gpu``,
    which has no speed).  Keys compare as problems name them (:func:`as_problems_name`, in
    ``document``): ``links[-1].bandwidth`` of three links and ``nodes["phone"].count`` are
    ``links[2].bandwidth`` and ``nodes.phone.count``.
    """
    named = {key: as_problems_name(document, key) for key in spec.sections}
    found = [key for key, name in named.items() if caused_by(name, problem, spec.base_document)]
    # The innermost: a grid key inside what a set key gives (grid dynamics[0].file over set dynamics)
    # varies the value the problem is about, which the set key only holds.
    inner = [key for key in found if not any(_inside(named[other], named[key]) for other in found)]
    return next(iter(inner or found), None)


def _inside(path: str, outer: str) -> bool:
    """Whether key path ``path`` names something inside ``outer`` (``dynamics[0].file`` in ``dynamics``)."""
    return path != outer and path.startswith(outer) and path[len(outer)] in ".["


def _no_base_file(base_path: Path, base_value: str) -> str:
    """Why ``base_path`` (no regular file) is no base scenario; a directory or FIFO was "no scenario file"."""
    from offloadsim.bounded_read import not_a_file
    from offloadsim.input_kinds import SCENARIO, misdirected_path

    what = not_a_file(base_path)
    if what is None:
        return f"no scenario file {base_path}{did_you_mean_file(base_value, base_path)}"
    return misdirected_path(base_path, SCENARIO) or f"{base_path}: {what}, expected a scenario file"


def default_sweep_dir(spec: SweepSpec) -> Path:
    """``results/<sweep name>``."""
    return Path("results") / spec.name.replace("/", "_").replace("\\", "_")
