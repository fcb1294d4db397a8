"""Where a result's ``scenario.yaml`` reads its files from: the ``inputs/`` beside it, if there is one.

A run, comparison or sweep directory holds the scenario as it ran (``scenario.yaml``, its
text unchanged) and copies of the files it read (traces, samples, profiles) in ``inputs/``,
laid out as the scenario names them relative to its own folder.  Loading that
``scenario.yaml`` reads its relative file names from ``inputs/``, so the folder alone reruns
the result, wherever it is moved, and the rerun hashes the same text and bytes (the same
``scenario_hash``, the same sweep job keys).  Only a ``scenario.yaml`` with an ``inputs/`` folder
and an offloadsim ``manifest.json`` beside it reads so: a scenario file of one's own never does.

A result's folder is read once (:func:`result_folder`: one parse of its ``manifest.json``) and the
loaded scenario holds it (``Scenario.rerun``): the load, the world's build, the rerun checks and a
refusal's hint read that one reading.  A lookup that does not find a file or a profile by its
name, while a result's scenario is read (:func:`reading_result`), ends its refusal with
:func:`rerun_said`: which of the result's inputs it looked for and where to copy it, or that the
manifest cannot be read, so ``inputs/`` went unread.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

from offloadsim.bounded_read import not_utf8
from offloadsim.field_values import FieldValues
from offloadsim.scenario.errors import describe

__all__ = [
    "INPUTS_FOLDER",
    "MANIFEST",
    "ResultFolder",
    "files_folder",
    "reading_result",
    "rerun_said",
    "result_folder",
]

#: The folder of a result's directory holding copies of the files its scenario read.
INPUTS_FOLDER = "inputs"
#: The name of a result's copy of its scenario (``offloadsim.records.scenario_copy.SCENARIO_DOCUMENT``).
_RESULT_SCENARIO = "scenario.yaml"
#: The name of a result's manifest, beside its ``scenario.yaml``.
MANIFEST = "manifest.json"


# eq=False, repr=False: FieldValues's __eq__, __hash__ and __repr__, not compiled per class as the
# loader is imported by every run (issue 12 e: see offloadsim.field_values).
@dataclass(frozen=True, slots=True, eq=False, repr=False)
class ResultFolder(FieldValues):
    """A result's ``scenario.yaml`` and what its ``manifest.json`` said, read once.

    ``manifest``: the results manifest offloadsim wrote (``"format": "offloadsim-..."``), None where
    there is none or it cannot be read; ``unreadable``: why it cannot be read where ``inputs/`` is
    beside it (then the scenario reads its files from its own folder), else None.
    """

    scenario_file: Path
    manifest: dict[str, Any] | None
    unreadable: str | None

    @property
    def folder(self) -> Path:
        """The result's folder."""
        return self.scenario_file.parent

    @property
    def files(self) -> Path:
        """The folder the scenario's relative file names are read from: ``inputs/`` for a result's."""
        kept = self.folder / INPUTS_FOLDER
        return kept if self.manifest is not None and kept.is_dir() else self.folder

    def said_of_missing(self, name: str, key_path: str = "") -> str:
        """What the manifest says of ``name`` (a file, or a profile at ``key_path``) a lookup did not find.

        ``""`` where it says nothing; else ``"; ..."`` to end the lookup's refusal with.
        """
        source, folder = self.scenario_file, self.folder
        if self.unreadable is not None:
            return (
                f"; {folder / MANIFEST} cannot be read: {self.unreadable}; without it {source} is read as a"
                f" scenario of one's own, its files looked for beside it, not in the copies in"
                f" {folder / INPUTS_FOLDER}: restore {MANIFEST} from the result's original folder to rerun"
                " from its inputs"
            )
        if self.manifest is None:
            return ""
        profile = key_path.endswith(".profile")
        read = _paths_read(self.manifest, key_path, name, copied=not profile)
        if not read:
            return ""
        copy = folder / INPUTS_FOLDER / (PurePath("profiles", PurePath(read[0]).name) if profile else name)
        gone = not profile and _copied_at(self.manifest, name)
        return (
            f"; this result read {' or '.join(read)} (its {MANIFEST}'s inputs), "
            + ("its copy gone from its folder" if gone else "not copied into its folder")
            + f": copy it to {copy} to rerun from the folder"
        )


def result_folder(scenario_file: str | Path) -> ResultFolder | None:
    """The result whose ``scenario.yaml`` is ``scenario_file``, its manifest read; None for one of one's own.

    A file named ``scenario.yaml`` with an ``inputs/`` folder or a ``manifest.json`` beside it.
    """
    file = Path(scenario_file)
    if file.name != _RESULT_SCENARIO:
        return None
    data, wrong = _read_manifest(file)
    kept = (file.parent / INPUTS_FOLDER).is_dir()
    if data is None and wrong is None and not kept:
        return None  # neither a manifest nor copies: a scenario file of one's own
    if (
        wrong is None
        and not isinstance(data, dict)
        and (data is not None or (file.parent / MANIFEST).exists())
    ):
        wrong = f"expected a JSON object, got {describe(data)}"
    if wrong is not None:
        return ResultFolder(file, None, wrong if kept else None)
    ours = isinstance(data, dict) and str(data.get("format", "")).startswith("offloadsim-")
    return ResultFolder(file, data if ours else None, None)


def files_folder(scenario_file: str | Path) -> Path:
    """The folder the relative file names of the scenario at ``scenario_file`` are read from.

    Its own folder, or the ``inputs/`` beside it where the file is a result's ``scenario.yaml``.
    """
    found = result_folder(scenario_file)
    return Path(scenario_file).parent if found is None else found.files


#: The result whose scenario is being read (loaded, or its world built); None: one of one's own.
_READING: ContextVar[ResultFolder | None] = ContextVar("offloadsim_reading_result", default=None)


@contextmanager
def reading_result(result: ResultFolder | None) -> Iterator[None]:
    """Within it, a lookup's refusal of a file or profile not found says what ``result``'s manifest does."""
    token = _READING.set(result)
    try:
        yield
    finally:
        _READING.reset(token)


def rerun_said(name: str, key_path: str = "") -> str:
    """What the result being read says of ``name``, which a lookup did not find (``""``: nothing, or none).

    A lookup ends its refusal with it: ``no such file (looked for ...)`` + ``rerun_said(name)``.
    """
    result = _READING.get()
    return "" if result is None else result.said_of_missing(name, key_path)


def _paths_read(manifest: Mapping[str, Any], key_path: str, name: str, copied: bool) -> list[str]:
    """The paths of ``name`` the manifest's ``inputs`` lists at ``key_path`` (a sweep's: one a point).

    ``copied``: a file's, also at each key whose ``inputs_copied`` (a name, or a list) is ``inputs/NAME``.
    """
    inputs = manifest.get("inputs")
    if not isinstance(inputs, list):
        return []
    keys = {key_path, *(_copied_at(manifest, name) if copied else ())}
    entries = (e for e in inputs if isinstance(e, Mapping) and e.get("key") in keys)
    paths = (e.get("path") for e in entries)
    found = [p for p in paths if isinstance(p, str) and p]
    # a key naming several files (a sweep's points'): the one of that name, a profile's by its stem
    found = [p for p in found if name in (PurePath(p).name, PurePath(p).stem)] or found
    return list(dict.fromkeys(found))


def _copied_at(manifest: Mapping[str, Any], name: str) -> list[str]:
    """The keys whose ``inputs_copied`` (a name, or a list of them) holds the copy ``inputs/NAME``."""
    at = manifest.get("inputs_copied")
    wanted = (PurePath(INPUTS_FOLDER) / name).as_posix()
    copies = at.items() if isinstance(at, Mapping) else ()
    return [str(key) for key, names in copies if wanted in (names if isinstance(names, list) else [names])]


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
