"""What a result's manifest says of a file that a rerun of its ``scenario.yaml`` could not find.

A rerun from a result's folder (:mod:`~offloadsim.scenario.inputs_folder`) that misses a file said
only where it looked: ``dynamics[0].file: ...: no such file (looked for up/traces/...)`` while
``up/inputs/`` held the copy, its ``manifest.json`` cut short; or a bare ``unknown profile "x"``
for a folder made before profiles found by their name were copied, whose manifest names the file
the result read.  :func:`rerun_said` adds to such a message what the manifest means for the rerun.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from offloadsim.scenario.inputs_folder import INPUTS_FOLDER, MANIFEST, result_manifest, unreadable_manifest

__all__ = ["rerun_said"]

#: What a message holds, or begins with, where a file or a profile by its name was not found.
_NOT_FOUND = ("no such file", "no such profile file")
_UNKNOWN_PROFILE = "unknown profile"


def rerun_said(source: str, key_path: str, message: str) -> str:
    """``message`` (a file not found at ``key_path`` of ``source``) with what the result's manifest says.

    Unchanged for a scenario file of one's own, or a message of anything else.
    """
    missing = message.startswith(_UNKNOWN_PROFILE) or any(said in message for said in _NOT_FOUND)
    if not missing or Path(source).name != "scenario.yaml":  # the common case: nothing read
        return message
    folder = Path(source).parent
    wrong = unreadable_manifest(source)
    if wrong is not None:
        return (
            f"{message}; {folder / MANIFEST} cannot be read: {wrong}; without it {source} is read as a"
            f" scenario of one's own, its files looked for beside it, not in the copies in"
            f" {folder / INPUTS_FOLDER}: restore {MANIFEST} from the result's original folder to rerun"
            " from its inputs"
        )
    if not message.startswith(_UNKNOWN_PROFILE):
        return message
    manifest = result_manifest(source)
    read = _paths_read(manifest.get("inputs") if manifest else None, key_path)
    if not read:
        return message
    copy = folder / INPUTS_FOLDER / "profiles" / Path(read[0]).name
    return (
        f"{message}; this result read {' or '.join(read)} (its {MANIFEST}'s inputs), not copied into its"
        f" folder: copy it to {copy} to rerun from the folder"
    )


def _paths_read(inputs: object, key_path: str) -> list[str]:
    """The distinct paths a manifest's ``inputs`` lists at ``key_path`` (a sweep's: one per point's file)."""
    if not isinstance(inputs, list):
        return []
    paths = (e.get("path") for e in inputs if isinstance(e, Mapping) and e.get("key") == key_path)
    return list(dict.fromkeys(p for p in paths if isinstance(p, str) and p))
