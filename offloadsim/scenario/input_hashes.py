"""The files a scenario reads (traces, link traces, samples, ONNX models, profiles) and their hashes.

Two runs of the same scenario text can still differ: a CSV trace, an ONNX
file or a profile that the scenario names may have changed in between.  Run
manifests and sweep job keys therefore hash the content of every file the
scenario reads, not only its text.
"""

from __future__ import annotations

import functools
import hashlib
import re
import stat
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from offloadsim.field_values import FieldValues
from offloadsim.scenario.arrivals.base import arrival_faults
from offloadsim.scenario.errors import format_path
from offloadsim.scenario.identity import simulated_document
from offloadsim.scenario.model import Scenario
from offloadsim.scenario.overrides import PathError, parse_path

__all__ = ["InputFile", "input_files", "content_hashes", "file_sha256", "identity_data"]

_CHUNK = 1 << 20
#: A file modified less than this long ago is read again at every hash, not taken from the cache:
#: file systems stamp files with a coarse clock (a kernel tick), so a rewrite of as many bytes
#: within one tick keeps the cache's key (size, mtime, inode).
_RECENT_NS = 2 * 10**9


# eq=False, repr=False: FieldValues's __eq__, __hash__ and __repr__ (issue 12 e: see offloadsim.field_values).
@dataclass(frozen=True, eq=False, repr=False)
class InputFile(FieldValues):
    """A file a scenario reads: the key that names it, the file as resolved, the SHA-256 of its bytes.

    ``sha256`` is ``"missing"`` when the file cannot be read, or ``"not a
    regular file"`` (the loader refuses both with a message of its own).
    """

    key: str
    path: str
    sha256: str

    def to_dict(self) -> dict[str, str]:
        """``{"key": ..., "path": ..., "sha256": ...}`` for a manifest."""
        return {"key": self.key, "path": self.path, "sha256": self.sha256}


def input_files(scenario: Scenario) -> tuple[InputFile, ...]:
    """Every file ``scenario`` reads, in a stable order (key, then path), with its content hash.

    Arrival traces (``workload[i].trace``), a ``dynamics`` entry's ``file``
    (a link trace), empirical samples
    (``{empirical: FILE.csv}`` anywhere), ONNX models
    (``applications.NAME.onnx``) and profile files
    (``nodes.GROUP.processor.profile``, or ``processors.NAME.profile``;
    shipped derived profiles are part of the package and have no file).  Hashes are cached per file while its
    size and modification time stay the same.
    """
    base = Path(scenario.base_dir) if scenario.base_dir else Path.cwd()
    found: dict[tuple[str, str], Path] = {}
    for index, workload in enumerate(scenario.workload):
        with arrival_faults(scenario.source, f"workload[{index}]"):  # a plug-in's that raised: its own
            files = workload.arrivals.input_files()
        for key, file in files.items():
            found[(f"workload[{index}].{key}", file)] = Path(file)
    for key, name in _empirical_files(scenario.document, ()):
        found[(key, str(base / name))] = base / name
    for index, entry in enumerate(scenario.dynamics):
        written = entry.get("file") if isinstance(entry, Mapping) else None
        if isinstance(written, str) and written:  # a dynamics kind reads ``file`` relative to the scenario
            found[(f"dynamics[{index}].file", str(base / written))] = base / written
    for name, app in scenario.applications.items():
        if app.onnx:
            found[(format_path(("applications", name, "onnx")), app.onnx)] = Path(app.onnx)
    for key, path in _profile_files(scenario):
        found[(key, str(path))] = path
    return tuple(InputFile(key, shown, _sha256(path)) for (key, shown), path in sorted(found.items()))


def content_hashes(inputs: Iterable[InputFile]) -> dict[str, str]:
    """``{KEY: sha256}``: what hashes of a scenario add for the files it reads.

    Keyed by the key path that reads each file, not by where the file lies: what the scenario
    wrote there (a file name, a profile's name) is in its document, which is hashed too, and the
    file's bytes are here, so a built-in profile under another install of offloadsim, or a sweep
    directory moved with its files to another checkout or machine, keeps its hash (and a sweep
    resumes), while a file whose content changed changes it.  (Keys are unique: one file a key.)
    """
    return {i.key: i.sha256 for i in inputs}


def identity_data(document: Mapping[str, Any], inputs: Sequence[InputFile] = ()) -> Any:
    """What a run's ``scenario_hash`` and a job's key hash of a scenario: one form, so the two agree.

    The document without the keys that change no record (:func:`.identity.simulated_document`);
    where it reads files, ``{"document": ..., "inputs": {KEY: sha256}}`` with each file's name in
    the document, at the key that reads it, replaced by ``sha256:HEX`` of its bytes.  A scenario's
    identity is what it simulates, not where its files lie: the same bytes named relative or
    absolute, in a moved folder, under another name or through a symlink hash the same (the path
    was hashed, so a rerun with ``--set dynamics[0].file=/abs/trace.csv`` read as another scenario),
    and other bytes under the same name do not.  A processor's ``profile`` keeps what the scenario
    wrote, a name (``a100``, a shipped calibrated ``xeon-ort-1t``: no install changes it) or a path,
    since the run's processors table records it (:func:`_recorded`); a file that cannot be read
    keeps its path (the run refuses it).
    """
    simulated = simulated_document(document)
    if not inputs:
        return simulated
    for item in inputs:
        simulated = _with_content(simulated, item)
    return {"document": simulated, "inputs": content_hashes(inputs)}


#: A string: re compiles (and caches) it at first use, not at import, as a run seldom needs it (issue 12 e).
_SHA256 = r"[0-9a-f]{64}"


def _with_content(document: Any, item: InputFile) -> Any:
    """``document`` with the file name at ``item.key`` replaced by its content hash (a copy), if named."""
    try:
        parts = parse_path(item.key)
    except PathError:  # a plug-in's key that is not a key path: its content is hashed by key alone
        return document
    written = _at(document, parts)
    if not isinstance(written, str) or not re.fullmatch(_SHA256, item.sha256) or _recorded(parts):
        return document
    return _replaced(document, parts, f"sha256:{item.sha256}")


def _recorded(parts: Sequence[str | int]) -> bool:
    """Whether the run's records repeat what the scenario wrote at ``parts``: then it stays hashed.

    A processor's ``profile`` (a name or a file's path) is its processors table's ``profile`` column
    and is in ``summary.json``: two runs that name one profile file by two paths differ there.
    """
    return parts[0] == "nodes" and parts[-1] == "profile"


def _at(value: Any, parts: Sequence[str | int]) -> Any:
    """The value at ``parts`` in ``value``; None where there is none."""
    for part in parts:
        if isinstance(value, Mapping) and isinstance(part, str):
            value = value.get(part)
        elif isinstance(value, list) and isinstance(part, int) and -len(value) <= part < len(value):
            value = value[part]
        else:
            return None
    return value


def _replaced(value: Any, parts: Sequence[str | int], new: Any) -> Any:
    """A copy of ``value`` with ``new`` at ``parts`` (which :func:`_at` found); only that path copied."""
    if not parts:
        return new
    head, rest = parts[0], parts[1:]
    if isinstance(value, Mapping):
        return {**value, head: _replaced(value[head], rest, new)}
    items = list(value)
    items[head] = _replaced(items[head], rest, new)  # type: ignore[index]
    return items


def _empirical_files(value: Any, at: tuple[str | int, ...]) -> Iterator[tuple[str, str]]:
    """``(key path, file)`` of every ``{empirical: FILE}`` in a scenario document."""
    if isinstance(value, Mapping):
        if len(value) == 1 and isinstance(value.get("empirical"), str):
            yield format_path((*at, "empirical")), value["empirical"]
            return
        for key, item in value.items():
            yield from _empirical_files(item, (*at, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _empirical_files(item, (*at, index))


def _profile_files(scenario: Scenario) -> Iterator[tuple[str, Path]]:
    """``(key path, file)`` of the profile file each node group's processor reads."""
    if not any(processor.profile for node in scenario.nodes for processor in node.processors):
        return  # plain speeds only: no file, and no need to import the profiles' code (start-up)
    from offloadsim.world.profiles import profile_file, profile_search_path

    search = profile_search_path(scenario.base_dir or None)
    seen: set[str] = set()
    for node in scenario.nodes:
        if node.group in seen:
            continue
        seen.add(node.group)
        for processor in node.processors:
            path = profile_file(processor.profile, search) if processor.profile else None
            if path is not None:
                yield format_path(("nodes", node.group, *processor.path, "profile")), path


def _sha256(path: Path) -> str:
    try:
        info = path.stat()
    except (OSError, ValueError):  # ValueError: a NUL in the name, which no file has (the run then says so)
        return "missing"
    if not stat.S_ISREG(info.st_mode):  # a FIFO or a device would block or never end
        return "not a regular file"
    key = (str(path.resolve()), info.st_size, info.st_mtime_ns, info.st_ino)
    if abs(time.time_ns() - info.st_mtime_ns) < _RECENT_NS:
        return _hash_file.__wrapped__(*key)  # changed just now: a rewrite may yet keep this very key
    return _hash_file(*key)


#: The SHA-256 of a file's bytes ("missing", "not a regular file" where there are none), cached by its
#: size and modification time: what the manifests' ``inputs`` hold, and what a kept copy is checked by.
file_sha256 = _sha256


@functools.lru_cache(maxsize=1024)
def _hash_file(path: str, size: int, mtime_ns: int, inode: int) -> str:
    """SHA-256 of a file; cached by (path, size, mtime, inode): an unchanged file is read once.

    Only for files older than ``_RECENT_NS``, whose key a rewrite changes.
    """
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
    except OSError:
        return "missing"
    return digest.hexdigest()
