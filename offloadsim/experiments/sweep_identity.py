"""A sweep manifest's ``base_hash`` and ``sweep_hash``: what the sweep simulates, not where its files lie.

Both hash the base scenario the way a run's ``scenario_hash`` and a job's key hash theirs
(:func:`offloadsim.scenario.input_hashes.identity_data`): the base's document with each file it
reads (a trace, samples, an ONNX model, a profile) named by the SHA-256 of its bytes.  They hashed
the document alone, so a sweep whose base trace was rewritten read as the same sweep, and one
whose trace only moved (``--set`` with an absolute path, a copied folder) read as another.
A file only the sweep's ``set:`` or a point names (``grid: {dynamics[0].file: [a.csv, b.csv]}``)
is in ``sweep_hash`` by its content too (:func:`point_files`): a sweep over two traces read as the
same sweep after either was rewritten.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from offloadsim.experiments.sweep_spec import SweepSpec

if TYPE_CHECKING:
    from offloadsim.experiments.jobs import Job
    from offloadsim.scenario.input_hashes import InputFile

__all__ = ["base_inputs", "base_hash", "point_files", "sweep_hash"]


def base_inputs(spec: SweepSpec) -> tuple[InputFile, ...]:
    """The files the sweep's base scenario reads, with their content hashes (its ``input_files``).

    Read from the folder its relative file names are relative to (the ``inputs/`` of a sweep's
    own ``scenario.yaml`` copy, so a rerun from the copies hashes the same).  A base that does not
    load on its own (one only its ``set:`` or points complete) has none: its document is hashed
    as written, and each point's files are in the manifest's ``inputs`` and its jobs' keys.
    """
    from offloadsim.scenario.errors import ScenarioError
    from offloadsim.scenario.input_hashes import input_files
    from offloadsim.scenario.loader import load_scenario_data

    try:
        scenario = load_scenario_data(spec.base_document, source=spec.base_name, base_dir=spec.files_folder)
        return input_files(scenario)
    except ScenarioError:
        return ()


def base_hash(spec: SweepSpec, inputs: Sequence[InputFile] | None = None) -> str:
    """The manifest's ``base_hash``: the base scenario's ``scenario_hash``, its files' content included.

    ``inputs``: :func:`base_inputs` of ``spec``, if the caller has them already.
    """
    from offloadsim.records.results import scenario_hash

    return scenario_hash(spec.base_document, base_inputs(spec) if inputs is None else inputs)


def point_files(jobs: Iterable[Job], inputs: Sequence[InputFile] = ()) -> list[list[Any]]:
    """The files the sweep's points read beyond its base's ``inputs``, by content: ``[point, key, sha256]``.

    Once each, sorted; none where every point reads its base's files alone (the sweep's document
    names the rest by name only: a rewritten trace would read as the same sweep).
    """
    from offloadsim.scenario.input_hashes import input_files

    base = {(item.key, item.sha256) for item in inputs}
    found: set[tuple[int, str, str]] = set()
    points: dict[int, set[int]] = {}
    scenarios = {}
    for job in jobs:  # a point's jobs share their scenario: its files hashed once
        scenarios[id(job.scenario)] = job.scenario
        points.setdefault(id(job.scenario), set()).add(job.index)
    for key, scenario in scenarios.items():
        read = [(item.key, item.sha256) for item in input_files(scenario)]
        found.update((point, *item) for point in points[key] for item in read if item not in base)
    return [list(item) for item in sorted(found)]


def sweep_hash(
    spec: SweepSpec, inputs: Sequence[InputFile] | None = None, points: Sequence[Sequence[Any]] = ()
) -> str:
    """The manifest's ``sweep_hash``: SHA-256 of the sweep's content, its base's identity for its name.

    The sweep file's document with ``base:`` replaced by the base scenario as :func:`base_hash`
    hashes it (its document, the files it reads by content) and ``name`` by the sweep's name
    (which a file without one takes from its own name): the sweep rerun from the copies in its
    folder (``sweep DIR/sweep.yaml``, whose ``base:`` names ``scenario.yaml``), or given its base
    as data, hashes the same, and an edit of the base or of a file it reads changes it.
    ``inputs``: :func:`base_inputs` of ``spec``, if the caller has them already; ``points``: the
    files its points read beyond those (:func:`point_files`), hashed by content where there are any.
    """
    from offloadsim.records.results import scenario_hash
    from offloadsim.records.scenario_copy import plain_data
    from offloadsim.scenario.input_hashes import identity_data

    read = base_inputs(spec) if inputs is None else inputs
    base: Any = plain_data(identity_data(spec.base_document, read))  # without skip_checks, as base_hash
    extra = {"point_files": [list(item) for item in points]} if points else {}
    return scenario_hash({**plain_data(spec.document), "base": base, "name": spec.name, **extra})
