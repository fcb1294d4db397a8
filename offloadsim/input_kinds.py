"""Which kind of offloadsim input a file is, so that one given to the wrong verb gets one clear line.

The command line reads four kinds of input: scenarios (``run``, ``validate``,
``compare``), sweep files (``sweep``), calibrated device profiles
(``calibrate report``, ``profiles show``) and results directories (``plot``).
A fifth is recognised so that it can be pointed at its directory: a file
inside a results directory (``tasks.parquet``, ``summary.json``, ...), which
no verb reads on its own; so are a sweep's job files (``SWEEP/points/<key>.parquet``)
and their ``points`` directory, recognised by their place in the sweep's
directory (finished or not), not by reading them.  Files no verb reads as its
input are recognised too, to say what they are: a CSV table (a trace, samples),
a Parquet table, an image (a figure) and a results manifest kept apart from
its directory.
Read as the wrong kind, a file used to get one "unknown key" line per key it
has; each reader now asks :func:`misdirected` first, and when the input is
recognisably another kind says so in one line with the verb that reads it::

    sweep-split.yaml: a sweep file, not a scenario: use 'offloadsim sweep sweep-split.yaml' (...)

A document is recognised only by keys its own kind requires and the others
never have, so a real scenario with a mistake in it still gets its own
messages.  It lives at the bottom of the package because the readers are in
every layer (the scenario loader, the profiles of the world, stored results).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path

import yaml

from offloadsim.bounded_read import (
    MAX_DOCUMENT_BYTES,
    PURE_YAML_BYTES_PER_CHAR,
    YAML_BYTES_PER_CHAR,
    read_text,
    yaml_memory_problem,
)

__all__ = [
    "CSV_TABLE",
    "IMAGE",
    "MANIFEST",
    "PARQUET_TABLE",
    "ONNX_MODEL",
    "SCENARIO",
    "SWEEP",
    "PROFILE",
    "PROFILE_FORMAT",
    "RESULTS",
    "RESULTS_FILE",
    "RESULTS_FILES",
    "SWEEP_ENTRIES",
    "SWEEP_JOB",
    "SWEEP_POINTS",
    "document_kind",
    "misdirected",
    "misdirected_path",
    "path_kind",
]

SCENARIO = "scenario"
SWEEP = "sweep"
PROFILE = "profile"
RESULTS = "results"
RESULTS_FILE = "results file"
SWEEP_JOB = "sweep job file"
SWEEP_POINTS = "sweep points"
#: An application's ``onnx:`` file (or ``calibrate --onnx``, ``models show``): read by onnx, never
#: recognised here, only named when a file of a kind above is given in its place.
ONNX_MODEL = "ONNX model"
#: Files that no verb reads as its input, named when one is given as a scenario (or profile, ...).
CSV_TABLE = "CSV table"
PARQUET_TABLE = "Parquet table"
IMAGE = "image"
MANIFEST = "results manifest"
#: The first bytes of the binary kinds above (checked before a file is read as text).
_MAGIC = {b"PAR1": PARQUET_TABLE, b"\x89PNG": IMAGE, b"%PDF": IMAGE}
#: The files ``run``, ``compare`` and ``sweep`` write in a results directory (beside manifest.json);
#: a test holds it to their writers' own lists (RUN_FILES, COMPARE_FILES, SWEEP_FILES).
RESULTS_FILES = frozenset(
    (
        "tasks.parquet",
        "stages.parquet",
        "nodes.parquet",
        "links.parquet",
        "link_changes.parquet",
        "processors.parquet",
        "metrics.parquet",
        "summary.parquet",
        "summary.csv",
        "groups.csv",
        "apps.csv",
        "summary.json",
        "summary.txt",
        "manifest.json",
    )
)

# What each kind is called in a message, and what to do with one ({path} is the file as given).
_NOUN = {
    SCENARIO: "a scenario",
    SWEEP: "a sweep file",
    PROFILE: "a calibrated device profile",
    RESULTS: "a results directory",
    RESULTS_FILE: "a file of the results directory {directory}",
    SWEEP_JOB: "a job file of the sweep {directory}",
    SWEEP_POINTS: "the job files of the sweep {directory}",
    ONNX_MODEL: "an ONNX model",
    CSV_TABLE: "a CSV table",
    PARQUET_TABLE: "a Parquet table",
    IMAGE: "an image (a figure, perhaps)",
    MANIFEST: "a results manifest",
}
_USE = {
    SCENARIO: "use 'offloadsim run {path}' or 'offloadsim compare {path} --policies A,B'",
    SWEEP: "use 'offloadsim sweep {path}' (with --dry-run to check it)",
    PROFILE: "use 'offloadsim profiles show {path}', or name it as a processor's profile: in a scenario",
    RESULTS: "use 'offloadsim plot {path}'",
    RESULTS_FILE: "use 'offloadsim plot {directory}'",
    SWEEP_JOB: "use 'offloadsim plot {directory}'",
    SWEEP_POINTS: "use 'offloadsim plot {directory}'",
    CSV_TABLE: "a scenario names it (a workload's trace:, a dynamics entry's file:, {{empirical: FILE}}): "
    "run that scenario ('offloadsim run SCENARIO.yaml')",
    PARQUET_TABLE: "use 'offloadsim plot DIR' on the results directory it belongs to",
    IMAGE: "give the scenario's YAML file ('offloadsim plot DIR' draws figures from a results directory)",
    MANIFEST: "use 'offloadsim plot DIR' on the results directory it belongs to",
}
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BYTES_PER_CHAR = YAML_BYTES_PER_CHAR if _LOADER is not yaml.SafeLoader else PURE_YAML_BYTES_PER_CHAR
#: The ``format:`` a calibrated profile file declares (offloadsim.world.profiles.calibrated writes it).
PROFILE_FORMAT = "offloadsim.calibrated-profile"
_SCENARIO_KEYS = frozenset(("nodes", "links", "applications", "workload"))
_SWEEP_KEYS = frozenset(("base", "grid", "zip"))
# A sweep directory (offloadsim.experiments.sweep) holds points/ with one <16-hex key>.parquet per
# finished job, and while unfinished also failures.log and hidden lock and temporary files; once
# finished, its merged tables and its base scenario and sweep file (offloadsim.records.scenario_copy:
# not results files, scenario and sweep files to run), with inputs/ (copies of the files its points
# read, offloadsim.records.input_copies).  Nothing else: a folder holding anything more is not taken
# for one (nor replaced by --overwrite, offloadsim.outdir).
SWEEP_ENTRIES = RESULTS_FILES | {"points", "failures.log", "scenario.yaml", "sweep.yaml", "inputs"}
#: A string: re compiles (and caches) it at first use, not at import, as a run seldom needs it (issue 12 e).
_JOB_FILE = r"[0-9a-f]{16}\.parquet"


def document_kind(document: object) -> str | None:
    """The kind of a parsed YAML or JSON document, or None when it is none of them for sure."""
    if not isinstance(document, Mapping):
        return None
    if document.get("format") == PROFILE_FORMAT:
        return PROFILE
    scenario, sweep = not _SCENARIO_KEYS.isdisjoint(document), not _SWEEP_KEYS.isdisjoint(document)
    if scenario != sweep:
        return SCENARIO if scenario else SWEEP
    return None


def path_kind(path: str | Path) -> str | None:
    """The kind of the input at ``path``: a results directory (it has a manifest), or a file's document kind.

    None when it cannot be read or is none of them.  Readers call it only
    once they have failed, so reading the file again costs nothing that matters.
    """
    file = Path(path)
    try:
        if file.is_dir():
            if (file / "manifest.json").is_file():
                return RESULTS
            return SWEEP_POINTS if file.name == "points" and _holds_sweep(file.parent) else None
        # Files recognised by their place, before reading them: a Parquet file is not text.
        if file.name in RESULTS_FILES and (file.parent / "manifest.json").is_file():
            return RESULTS_FILE
        if (
            file.parent.name == "points"
            and re.fullmatch(_JOB_FILE, file.name)
            and _holds_sweep(file.parent.parent)
        ):
            return SWEEP_JOB
        if file.is_file():  # only a regular file: opening a FIFO waits for a writer
            with open(file, "rb") as handle:
                magic = _MAGIC.get(handle.read(4))
            if magic is not None:
                return magic
        text = read_text(path, MAX_DOCUMENT_BYTES)
        if yaml_memory_problem(len(text), per_char=_BYTES_PER_CHAR) is not None:
            return None  # too large to read here: its reader has said so
        document = _loaded(text)
        kind = document_kind(document)
        if kind is None and isinstance(document, Mapping):  # offloadsim-run/1, -compare/1, -sweep/1
            return MANIFEST if str(document.get("format", "")).startswith("offloadsim-") else None
        return CSV_TABLE if kind is None and file.suffix.lower() in (".csv", ".tsv") else kind
    except (OSError, ValueError, yaml.YAMLError, RecursionError):
        return None


def _loaded(text: str) -> object:
    """``text`` as YAML, or None where it is none (a CSV table's quoted fields may be no YAML)."""
    try:
        return yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError:
        return None


def _holds_sweep(directory: Path) -> bool:
    """Whether ``directory`` is a sweep's: its ``points/`` and nothing but what a sweep writes beside it."""
    return (directory / "points").is_dir() and all(
        name in SWEEP_ENTRIES or name.startswith(".") for name in os.listdir(directory)
    )


def misdirected(found: str | None, expected: str, path: str | Path) -> str | None:
    """``"a sweep file, not a scenario: use 'offloadsim sweep PATH' ..."`` when ``found`` is another kind.

    None when ``found`` is ``expected`` or unknown: the reader then reports
    what is wrong in its own terms.
    """
    if found is None or found == expected:
        return None
    directory = Path(path).parent.parent if found == SWEEP_JOB else Path(path).parent  # whose file it is
    use = _USE[found].format(path=path, directory=directory)
    if found == RESULTS and expected in (SCENARIO, SWEEP):
        use += _rerun(Path(path))
    return f"{_NOUN[found].format(directory=directory)}, not {_NOUN[expected]}: {use}"


def _rerun(directory: Path) -> str:
    """How to run a results directory's result again from the scenario (and sweep) file it holds; ""."""
    sweep, scenario = directory / "sweep.yaml", directory / "scenario.yaml"
    if sweep.is_file():
        return f"; to run it again, 'offloadsim sweep {sweep} --out {directory}' (its jobs reused)"
    if not scenario.is_file():
        return ""
    try:  # a small file (its writer's): which command made it
        compared = "compare" in str(json.loads((directory / "manifest.json").read_text("utf-8"))["format"])
    except (OSError, ValueError, KeyError, TypeError):
        compared = False
    command = "compare" if compared else "run"
    return f"; to run it again, 'offloadsim {command} {scenario}' with the options of its manifest's command"


def misdirected_path(path: str | Path, expected: str) -> str | None:
    """``"PATH: a results directory, not a scenario: use ..."`` when ``path`` is recognisably another kind.

    What each reader asks once it has failed on ``path``: None when the
    input is of the ``expected`` kind or none known (the reader then says
    what is wrong in its own terms).
    """
    wrong = misdirected(path_kind(path), expected, path)
    return None if wrong is None else f"{path}: {wrong}"
