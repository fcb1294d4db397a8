"""A sweep resumed in its own folder: the first run's provenance kept, each later run's appended.

A rerun into the folder rewrote the manifest's ``sweep_file``, ``base_file``, ``command``,
``started_utc`` and ``wall_s`` with its own, and ``scenario.yaml``'s header then named the copy it
was resumed from: where the result came from was lost.  Now those (and ``jobs_run``,
``jobs_reused``, ``jobs_run_other_code``: of those run, the jobs whose saved files were of other code,
``code_fingerprint`` and ``git``: the code that ran it) stay the first run's, and each later run
adds a row to ``resumed``, its own code and its count of jobs of other code among it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from offloadsim.records.manifest_check import manifest_problem

__all__ = ["FIRST_RUN_KEYS", "RESUME_KEYS", "earlier_manifest", "with_resumes"]

SWEEP_KIND = "offloadsim-sweep/"  # a sweep manifest's format, whatever its version

#: What the manifest keeps of the sweep's first run, however often it is resumed.
#: Its ``code_fingerprint`` and ``git`` too: a resume by other code kept the first run's command and
#: jobs but the latest's code, and the first run's fingerprint was nowhere (the latest's is in its row).
FIRST_RUN_KEYS = (
    "sweep_file",
    "base_file",
    "command",
    "started_utc",
    "wall_s",
    "jobs_run",
    "jobs_reused",
    "jobs_run_other_code",
    "code_fingerprint",
    "git",
)
#: Those a first run of an older offloadsim (or not from a git checkout) may lack: not the latest's then.
_FIRST_RUN_UNKNOWN = ("jobs_run_other_code", "code_fingerprint", "git")
#: What a ``resumed`` row says of a later run (its sweep's content and code included: either may differ).
RESUME_KEYS = (
    "command",
    "sweep_file",
    "base_file",
    "sweep_hash",
    "code_fingerprint",
    "git",
    "started_utc",
    "wall_s",
    "jobs_run",
    "jobs_reused",
    "jobs_run_other_code",
)


def earlier_manifest(directory: Path, name: str) -> dict[str, Any] | None:
    """The manifest a run of the sweep ``name`` left in ``directory``; None where there is none.

    None too for one that is unreadable, another kind's or sweep's, or not as offloadsim writes it:
    this run is then taken for the first (a sweep stopped before its first merge left none).
    """
    file = directory / "manifest.json"
    try:
        with open(file, encoding="utf-8") as stream:
            earlier = json.load(stream)
    except (OSError, ValueError):
        return None
    if (
        not isinstance(earlier, dict)
        or not str(earlier.get("format")).startswith(SWEEP_KIND)
        or earlier.get("name") != name
    ):
        return None
    # A copy deleted from inputs/ keeps the first run's provenance: this run copies the files again.
    return earlier if manifest_problem(file, earlier) is None else None


def with_resumes(manifest: Mapping[str, Any], earlier: Mapping[str, Any] | None) -> dict[str, Any]:
    """``manifest`` with the first run's provenance of ``earlier`` and this run appended to ``resumed``."""
    if earlier is None:
        return dict(manifest)
    this = {key: manifest[key] for key in RESUME_KEYS if key in manifest}
    first = {key: earlier[key] for key in FIRST_RUN_KEYS if key in earlier}
    kept = {key: value for key, value in manifest.items() if key not in _FIRST_RUN_UNKNOWN or key in earlier}
    return {**kept, **first, "resumed": [*earlier.get("resumed", []), this]}
