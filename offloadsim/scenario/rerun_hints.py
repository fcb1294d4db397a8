"""What a result's manifest says of a file that a rerun of its ``scenario.yaml`` could not find.

A rerun from a result's folder (:mod:`~offloadsim.scenario.inputs_folder`) that misses a file said
only where it looked: ``dynamics[0].file: ...: no such file (looked for up/traces/...)`` while
``up/inputs/`` held the copy, its ``manifest.json`` cut short.  :func:`rerun_said` adds to such a
message what the manifest means for the rerun.
"""

from __future__ import annotations

from pathlib import Path

from offloadsim.scenario.inputs_folder import INPUTS_FOLDER, MANIFEST, unreadable_manifest

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
    return message
