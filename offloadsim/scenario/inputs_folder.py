"""Where a result's ``scenario.yaml`` reads its files from: the ``inputs/`` beside it, if there is one.

A run, comparison or sweep directory holds the scenario as it ran (``scenario.yaml``, its
text unchanged) and copies of the files it read (traces, samples, profiles) in ``inputs/``,
laid out as the scenario names them relative to its own folder.  Loading that
``scenario.yaml`` reads its relative file names from ``inputs/``, so the folder alone reruns
the result, wherever it is moved, and the rerun hashes the same text and bytes (the same
``scenario_hash``, the same sweep job keys).  Only a ``scenario.yaml`` with an ``inputs/`` folder
and an offloadsim ``manifest.json`` beside it reads so: a scenario file of one's own never does.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["INPUTS_FOLDER", "files_folder", "result_manifest"]

#: The folder of a result's directory holding copies of the files its scenario read.
INPUTS_FOLDER = "inputs"
#: The name of a result's copy of its scenario (``offloadsim.records.scenario_copy.SCENARIO_DOCUMENT``).
_RESULT_SCENARIO = "scenario.yaml"


def files_folder(scenario_file: str | Path) -> Path:
    """The folder the relative file names of the scenario at ``scenario_file`` are read from.

    Its own folder, or the ``inputs/`` beside it where the file is a result's ``scenario.yaml``.
    """
    file = Path(scenario_file)
    folder, kept = file.parent, file.parent / INPUTS_FOLDER
    if file.name != _RESULT_SCENARIO or not kept.is_dir():
        return folder
    return kept if result_manifest(file) is not None else folder


def result_manifest(scenario_file: str | Path) -> dict[str, Any] | None:
    """The manifest of the result whose ``scenario.yaml`` is ``scenario_file``; None for one of one's own.

    A results manifest offloadsim wrote (``"format": "offloadsim-..."``) beside a file named
    ``scenario.yaml``; None where there is none, or it cannot be read.
    """
    file = Path(scenario_file)
    if file.name != _RESULT_SCENARIO:
        return None
    try:
        with open(file.parent / "manifest.json", encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError, RecursionError):
        return None
    if isinstance(data, dict) and str(data.get("format", "")).startswith("offloadsim-"):
        return data
    return None
