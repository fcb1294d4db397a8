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

from offloadsim.bounded_read import not_utf8
from offloadsim.scenario.errors import describe

__all__ = ["INPUTS_FOLDER", "MANIFEST", "files_folder", "result_manifest", "unreadable_manifest"]

#: The folder of a result's directory holding copies of the files its scenario read.
INPUTS_FOLDER = "inputs"
#: The name of a result's copy of its scenario (``offloadsim.records.scenario_copy.SCENARIO_DOCUMENT``).
_RESULT_SCENARIO = "scenario.yaml"
#: The name of a result's manifest, beside its ``scenario.yaml``.
MANIFEST = "manifest.json"


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
    data, _ = _read_manifest(Path(scenario_file))
    if isinstance(data, dict) and str(data.get("format", "")).startswith("offloadsim-"):
        return data
    return None


def unreadable_manifest(scenario_file: str | Path) -> str | None:
    """What is wrong with the ``manifest.json`` beside a result's ``scenario.yaml``, unreadable; else None.

    A ``scenario.yaml`` with ``inputs/`` beside it whose ``manifest.json`` is not valid JSON (cut short
    by a copy), not a JSON object or not readable reads its files from its own folder, not ``inputs/``
    (:func:`files_folder`).  None where it reads, is missing, or the file is no result's.
    """
    file = Path(scenario_file)
    if file.name != _RESULT_SCENARIO or not (file.parent / INPUTS_FOLDER).is_dir():
        return None
    data, wrong = _read_manifest(file)
    if wrong is None and not isinstance(data, dict) and (file.parent / MANIFEST).exists():
        wrong = f"expected a JSON object, got {describe(data)}"
    return wrong


def _read_manifest(file: Path) -> tuple[Any, str | None]:
    """The JSON beside the result's ``scenario.yaml`` ``file`` and what is wrong with it (None: nothing)."""
    if file.name != _RESULT_SCENARIO:
        return None, "not a result's scenario.yaml"
    try:
        with open(file.parent / MANIFEST, encoding="utf-8") as handle:
            return json.load(handle), None
    except FileNotFoundError:
        return None, None
    except OSError as error:
        return None, error.strerror or type(error).__name__
    except UnicodeDecodeError as error:
        return None, not_utf8(error, advice=False)
    except json.JSONDecodeError as error:
        return None, f"not valid JSON: {error}"
    except (ValueError, RecursionError) as error:  # nested past Python's limit, a number too long
        return None, f"not valid JSON: {type(error).__name__}"
