"""A result rerun from its folder with a file that is not the one the result was made with.

A result's ``scenario.yaml`` reads its files from the copies in ``inputs/`` beside it
(:mod:`~offloadsim.scenario.inputs_folder`), and a file it names by an absolute path, or a profile
found by its name outside the scenario's folder, where the rerun finds it.  The manifest beside it
lists each file the result read with its SHA-256 (``inputs``).  A copy edited or damaged since, or
a reviewer's own profile or trace at that absolute path, runs without a word: the rerun's
``scenario_hash`` differs, and its records may, and nothing said why.  A scenario check
(:mod:`offloadsim.scenario.checks`), ``changed-inputs``: one warning per file the rerun reads whose
bytes match none the manifest lists at its key (a sweep's lists one per point's file), naming the
file and both hashes.  A scenario file of one's own is not a result's: no manifest, no warning.
"""

from __future__ import annotations

from collections.abc import Mapping

from offloadsim.scenario.checks import CheckedRun
from offloadsim.scenario.errors import Problem
from offloadsim.scenario.input_hashes import input_files

__all__ = ["changed_inputs"]


def changed_inputs(run: CheckedRun) -> list[Problem]:
    """One warning per file a result's ``scenario.yaml`` reads whose bytes its manifest does not list."""
    scenario = run.scenario
    rerun = scenario.rerun  # its manifest as the load read it: not read again
    manifest = None if rerun is None else rerun.manifest
    if manifest is None:
        return []
    made: dict[str, set[str]] = {}
    for entry in manifest.get("inputs") or ():
        if isinstance(entry, Mapping) and isinstance(entry.get("sha256"), str):
            made.setdefault(str(entry.get("key")), set()).add(entry["sha256"])
    found = []
    for now in input_files(scenario):
        then = made.get(now.key)
        if not then or now.sha256 in then:
            continue  # a key the result read no file at, or the same bytes
        listed = " or ".join(sorted(sha[:12] for sha in then))
        found.append(
            Problem(
                scenario.source,
                now.key,
                f"{now.path} is not the file this result was made with (sha256 {now.sha256[:12]}..., its"
                f" manifest's {listed}...): this rerun's scenario_hash differs from the result's, and its"
                " records may",
            )
        )
    return found
