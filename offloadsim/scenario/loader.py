"""Load a scenario: read the file, apply ``--set`` overrides, validate, resolve.

Every failure on the way is a :class:`ScenarioError` naming the file and key.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from offloadsim.bounded_read import MAX_DOCUMENT_BYTES, InputFileError, not_utf8, read_text
from offloadsim.input_kinds import SCENARIO, SWEEP, document_kind, misdirected, path_kind
from offloadsim.scenario.arrivals.base import arrival_faults
from offloadsim.scenario.errors import Problem, ScenarioError, describe
from offloadsim.scenario.inputs_folder import ResultFolder, reading_result, rerun_said, result_folder
from offloadsim.scenario.model import Scenario
from offloadsim.scenario.overrides import (
    SET_OPTION,
    apply_overrides,
    blame_given,
    from_the_start,
    parse_assignment,
    set_by_note,
)
from offloadsim.scenario.plain_data import plain_data
from offloadsim.scenario.resolve import resolve
from offloadsim.scenario.schema import scenario_doc
from offloadsim.scenario.size import SetBy
from offloadsim.scenario.translate import problems_from_validation
from offloadsim.scenario.yamlio import LONG_SCHEDULES, parse_yaml
from offloadsim.suggest import did_you_mean_file

__all__ = ["load_scenario", "load_scenario_text", "load_scenario_data", "read_document"]


def load_scenario(path: str | Path, overrides: Sequence[str] = (), given_as: str = SET_OPTION) -> Scenario:
    """Load the scenario file at ``path`` with ``overrides`` (``"links[0].bandwidth=5 Mbps"``) applied.

    Relative paths inside it (traces, empirical samples, ONNX files) are
    relative to the file's directory (a result's ``scenario.yaml``: the copies in ``inputs/``
    beside it, :mod:`~offloadsim.scenario.inputs_folder`).  ``given_as``: how the overrides were given, as a
    message about a value one gave names it (``--set "k=v"``; ``offloadsim.load``
    passes ``overrides=``).
    """
    if not isinstance(path, str | os.PathLike):  # a mapping ended in a TypeError from the file reader
        hint = " (load_scenario_data(mapping) loads a mapping)" if isinstance(path, Mapping) else ""
        raise ScenarioError([Problem(f"<{type(path).__name__}>", "", f"expected a scenario file path{hint}")])
    document = read_document(path)
    found = result_folder(path)  # a result's scenario.yaml: its manifest, read once for the whole rerun
    base = Path(path).parent if found is None else found.files
    return load_scenario_data(
        document, source=str(path), base_dir=base, overrides=overrides, given_as=given_as, rerun=found
    )


def load_scenario_text(
    text: str,
    source: str = "<string>",
    base_dir: str | Path | None = None,
    overrides: Sequence[str] = (),
    given_as: str = SET_OPTION,
) -> Scenario:
    """Load a scenario from YAML ``text``; ``source`` names it in messages, ``base_dir`` resolves files."""
    if not isinstance(text, str | bytes):  # a file's Path ended in a TypeError from the YAML reader
        hint = " (load_scenario(path) reads a file)" if isinstance(text, os.PathLike) else ""
        raise ScenarioError(
            [Problem(source, "", f"expected the scenario's YAML text, got {type(text).__name__}{hint}")]
        )
    document = _parse(text, source)
    return load_scenario_data(
        document, source=source, base_dir=base_dir, overrides=overrides, given_as=given_as
    )


def load_scenario_data(
    document: Mapping[str, Any],
    source: str = "<data>",
    base_dir: str | Path | None = None,
    overrides: Sequence[str] = (),
    set_by: Mapping[str, SetBy] | None = None,
    given_as: str = SET_OPTION,
    rerun: ResultFolder | None = None,
) -> Scenario:
    """Load a scenario from an already-parsed document (what sweeps build with ``set_path``).

    ``set_by``: keys the caller gave the document (a sweep's), by key path,
    for a size refusal to name; ``overrides`` add their own, said as ``given_as``
    gave them (``--set "k=v"`` on the command line, ``overrides="k=v"`` from Python).
    numpy's numbers and arrays in it (``np.int64(2)``, ``np.linspace(...)``) are taken as the
    Python numbers and lists they hold (:func:`~offloadsim.scenario.plain_data.plain_data`).
    ``rerun``: the result whose ``scenario.yaml`` the document is
    (:func:`~offloadsim.scenario.inputs_folder.result_folder`): a file or profile not found says what
    its manifest says of it, and the scenario holds it (``Scenario.rerun``) for the world and checks.
    """
    if not isinstance(document, Mapping):
        raise ScenarioError(
            [Problem(source, "", f"expected a mapping at the top level, got {describe(document)}")]
        )
    with reading_result(rerun):
        try:
            scenario = _load_document(document, source, base_dir, overrides, set_by, given_as)
        except ScenarioError:
            # Looked for only when refused, so a file's document (plain already) is not walked twice.
            plain = plain_data(document)
            if plain is document:
                raise
            scenario = _load_document(plain, source, base_dir, overrides, set_by, given_as)
    return scenario if rerun is None else replace(scenario, rerun=rerun)


def _load_document(
    document: Mapping[str, Any],
    source: str,
    base_dir: str | Path | None,
    overrides: Sequence[str],
    set_by: Mapping[str, SetBy] | None,
    given_as: str,
) -> Scenario:
    """:func:`load_scenario_data` of ``document`` as given."""
    if base_dir is not None and not isinstance(base_dir, str | os.PathLike):  # Path(3): a TypeError
        raise ScenarioError(
            [Problem(source, "", f"base_dir: expected a directory path, got {type(base_dir).__name__}")]
        )
    if isinstance(overrides, str):
        overrides = [overrides]
    data = apply_overrides(dict(document), overrides, source, given_as)
    given = dict(set_by or {})
    for assignment in overrides:  # each parsed once already, by apply_overrides
        key = from_the_start(data, parse_assignment(assignment)[0])  # links[-1] is where problems find it
        given[key] = SetBy(source, key, set_by_note(assignment, given_as))
    base = Path(base_dir) if base_dir is not None else Path.cwd()
    try:
        doc = scenario_doc().model_validate(data, context={"base_dir": base})
    except ValidationError as error:
        problems = problems_from_validation(error, source)
        raise ScenarioError(_base_dir_said(blame_given(problems, given, document), base_dir)) from None
    with arrival_faults(source):  # a plug-in arrival process's code that raised: its bug, said as its own
        try:
            scenario = resolve(doc, data, source, base, given)
        except ScenarioError as error:
            raise ScenarioError(
                _base_dir_said(blame_given(error.problems, given, document), base_dir)
            ) from None
    if base_dir is None:  # read by the world at run time: a path relative to no folder given, said now
        missing = _missing_dynamics_files(scenario, base)
        if missing:
            raise ScenarioError(_base_dir_said(missing, base_dir))
    return scenario


#: Said of a file not found where no ``base_dir`` was given: the folder relative paths are read from.
_NO_BASE_DIR = (
    "; relative paths are read from base_dir=, not given, so from the working directory:"
    " pass base_dir=, the folder the scenario's files are relative to"
)


def _base_dir_said(problems: Sequence[Problem], base_dir: object) -> list[Problem]:
    """``problems``, each of a file not found said to be looked for from the working directory.

    Only where the caller gave no ``base_dir`` (``load_scenario_data(mapping)``): a scenario read
    from a file has its folder, and one given ``base_dir`` chose it.
    """
    if base_dir is not None:
        return list(problems)
    return [
        problem._replace(message=problem.message + _NO_BASE_DIR)
        if "no such file" in problem.message
        else problem
        for problem in problems
    ]


def _missing_dynamics_files(scenario: Scenario, base: Path) -> list[Problem]:
    """A ``dynamics`` entry's ``file`` (a link trace) not under ``base``: the world reads it at run time.

    The other files a scenario names (samples, ONNX models, arrival traces) are read as it loads.
    """
    problems = []
    for index, entry in enumerate(scenario.dynamics):
        written = entry.get("file") if isinstance(entry, Mapping) else None
        if isinstance(written, str) and written and not (base / written).is_file():
            message = f"{written}: no such file (looked for {base / written}){rerun_said(written)}"
            problems.append(Problem(scenario.source, f"dynamics[{index}].file", message))
    return problems


def read_document(path: str | Path, expect: str = SCENARIO) -> dict[str, Any]:
    """The plain YAML document of a scenario file (before overrides and validation).

    ``expect`` is the kind of file the caller reads (:mod:`offloadsim.input_kinds`):
    a file of another kind (a sweep file given to ``run``) is one problem
    naming the verb that reads it, not one per key it has.
    """
    shown = str(path)
    try:
        text = read_text(path, MAX_DOCUMENT_BYTES)
    except InputFileError as error:
        raise ScenarioError([Problem(shown, "", str(error))]) from None
    except FileNotFoundError:
        raise ScenarioError([Problem(shown, "", "no such file" + did_you_mean_file(path))]) from None
    except IsADirectoryError:
        message = misdirected(path_kind(path), expect, shown) or "is a directory, expected a YAML file"
        raise ScenarioError([Problem(shown, "", message)]) from None
    except UnicodeDecodeError as error:  # a results directory's Parquet file, say
        message = misdirected(path_kind(path), expect, shown) or not_utf8(error)
        raise ScenarioError([Problem(shown, "", message)]) from None
    except OSError as error:
        raise ScenarioError([Problem(shown, "", f"cannot read: {error.strerror}")]) from None
    try:
        document = _parse(text, shown, expect)
    except ScenarioError:  # not YAML, or not a mapping: a results directory's summary.txt, say
        wrong = misdirected(path_kind(path), expect, shown)
        if wrong is None:
            raise
        raise ScenarioError([Problem(shown, "", wrong)]) from None
    kind = document_kind(document)
    # A document of no known kind may be a file of a results directory (its manifest.json).
    wrong = misdirected(path_kind(path) if kind is None else kind, expect, shown)
    if wrong is not None:
        raise ScenarioError([Problem(shown, "", wrong)])
    return document


def _parse(text: str, source: str, expect: str = SCENARIO) -> dict[str, Any]:
    data, problems = parse_yaml(text, source, "make it shorter" if expect == SWEEP else LONG_SCHEDULES)
    if problems:
        raise ScenarioError(problems)
    if data is None:
        required = '"base"' if expect == SWEEP else '"name"'  # what an empty file of its kind lacks
        raise ScenarioError(
            [Problem(source, "", f"the file is empty; expected a mapping with at least {required}")]
        )
    if not isinstance(data, dict):
        raise ScenarioError(
            [Problem(source, "", f"expected a mapping at the top level, got {describe(data)}")]
        )
    return data
