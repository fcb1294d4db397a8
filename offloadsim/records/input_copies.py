"""Copies of the files a scenario read (traces, samples, profiles) kept in its result's ``inputs/``.

A manifest hashes each file a scenario read, but a hash cannot rerun anything: a colleague
given only the folder needs the bytes.  So a run, comparison or sweep directory keeps a copy of
each in ``inputs/``, at the name the scenario gave it relative to its folder (``traces/x.csv``
becomes ``inputs/traces/x.csv``), and its ``scenario.yaml`` reads them from there
(:mod:`offloadsim.scenario.inputs_folder`).  The scenario's text is not rewritten: the rerun
hashes the same text and bytes as the run, so its ``scenario_hash`` and a sweep's job keys are
the ones the folder's manifest holds.

A profile found by its name outside the scenario's folder (through ``OFFLOADSIM_PROFILE_PATH`` or
the user's profile folder, which a reviewer lacks) is copied to ``inputs/profiles/``, where a rerun
looks for that name first.  Not copied, and said so in the manifest's ``inputs_not_copied``: a
file named by an absolute path or through ``..`` (outside the scenario's folder: a rerun reads it
there), a calibrated profile shipped with offloadsim, a file whose bytes are no longer those the
run hashed, and files past :data:`COPY_LIMIT_BYTES` in all (a huge trace is kept beside the folder
by hand).

A result written again elsewhere (``CompareResult.write`` twice, a run read back and written) takes
the copies of the folder it was written to or read from (:func:`carry_inputs`): the originals may
have changed or gone, and its manifest must not list a copy the new folder lacks.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePath
from typing import Any

from offloadsim.outdir import atomic_write
from offloadsim.scenario.input_hashes import file_sha256
from offloadsim.scenario.inputs_folder import INPUTS_FOLDER

__all__ = ["COPY_LIMIT_BYTES", "INPUT_FIELDS", "carry_inputs", "copy_inputs", "kept_name"]

#: The most bytes of input files one result copies (all files together); the rest are named, not copied.
COPY_LIMIT_BYTES = 256 * 2**20
_CHUNK = 1 << 20
#: The manifest's fields saying where each file read was copied, or why it was not.
INPUT_FIELDS = ("inputs_copied", "inputs_not_copied")
#: Why a calibrated profile shipped in the package is not copied: offloadsim itself holds it.
_SHIPPED = "a calibrated profile shipped with offloadsim: a rerun under it reads it"


def copy_inputs(
    inputs: Iterable[Mapping[str, Any]], base_dir: str, directory: Path, documents: Iterable[Any]
) -> dict[str, Any]:
    """Copy each file of a manifest's ``inputs`` into ``directory/inputs/``; return the manifest's fields.

    ``base_dir``: the folder the scenario's relative file names were read from ("" for the
    working directory); ``documents``: the scenario documents that name them (a file one names
    by an absolute path is read there, not from a copy: not copied; a profile is found by its
    name, in ``inputs/profiles/`` or ``inputs/``).  Returns ``{"inputs_copied": {KEY: "inputs/NAME"}}``
    (a list of names at a key that names several files: a sweep's points' traces) and
    ``{"inputs_not_copied": {KEY: why}}``, each only where it has an entry.
    """
    base = os.path.abspath(base_dir or os.curdir)
    copied: dict[str, list[str]] = {}
    skipped: dict[str, str] = {}
    total = 0
    named = {PurePath(text).as_posix() for document in documents for text in _texts(document)}
    for entry in inputs:
        key, path, sha = str(entry.get("key", "")), str(entry.get("path", "")), str(entry.get("sha256", ""))
        name = _inside(path, base)
        if name is not None and not key.endswith(".profile") and name.as_posix() not in named:
            name = None  # named by an absolute path: a rerun reads it there
        if name is None and key.endswith(".profile") and not _named_as_file(path, base, named):
            # found by its name outside the folder: shipped with offloadsim, or through
            # OFFLOADSIM_PROFILE_PATH or the user's profile folder, which a reviewer lacks
            if _shipped_profile(path):
                skipped[key] = f"{path}: {_SHIPPED}"
                continue
            name = PurePath("profiles", PurePath(path).name)  # where a rerun looks for that name first
        if name is None:
            skipped[key] = (
                f"{path}: named by an absolute path or through .., not in the scenario's folder {base}:"
                " a rerun reads it there"
            )
            continue
        target = directory / INPUTS_FOLDER / name
        try:
            size = os.stat(path).st_size
        except (OSError, ValueError):
            skipped[key] = f"{path}: missing"
            continue
        if total + size > COPY_LIMIT_BYTES:
            skipped[key] = (
                f"{path}: {size / 2**20:.1f} MiB, past the {COPY_LIMIT_BYTES // 2**20} MiB of input files"
                " a result copies: keep it beside the folder, at inputs/" + name.as_posix()
            )
            continue
        if target.exists() and (
            os.path.samefile(path, target) or (os.path.getsize(target) == size and file_sha256(target) == sha)
        ):
            # rerun from this very folder, or a resumed sweep's copy of the same bytes: kept already
            _add(copied, key, (PurePath(INPUTS_FOLDER) / name).as_posix())
            total += size
            continue
        try:
            got = _copy(Path(path), target)
        except OSError as error:
            skipped[key] = f"{path}: not read ({error.strerror or error})"
            continue
        if got != sha:
            target.unlink(missing_ok=True)
            skipped[key] = f"{path}: changed since the run read it (sha256 {got}, the run's {sha})"
            continue
        _add(copied, key, (PurePath(INPUTS_FOLDER) / name).as_posix())
        total += size
    return {
        **({"inputs_copied": _listed(copied)} if copied else {}),
        **({"inputs_not_copied": skipped} if skipped else {}),
    }


def carry_inputs(
    manifest: Mapping[str, Any],
    directory: Path,
    *,
    origin: tuple[str, Iterable[Any]] | None = None,
    written: Path | None = None,
) -> dict[str, Any]:
    """``manifest`` with the copies of its ``inputs`` made in ``directory/inputs/``, and its fields saying so.

    ``origin``: the folder the scenario's relative file names were read from and the documents
    naming them (:func:`copy_inputs`'s ``base_dir`` and ``documents``), for a result made here;
    None for one read back.  ``written``: the folder the result was written to or read from, whose
    copies (the manifest's ``inputs_copied``) are taken, checked against the hashes, where the
    original is not there as it was read.  A file copied from neither is in ``inputs_not_copied``
    (the earlier reason kept), so the manifest lists no copy the folder lacks.
    """
    inputs = [entry for entry in manifest.get("inputs", ()) if isinstance(entry, Mapping)]
    made = copy_inputs(inputs, origin[0], directory, origin[1]) if origin is not None else {}
    copied = {key: _copy_names(names) for key, names in made.get("inputs_copied", {}).items()}
    made_here = set(copied)
    skipped: dict[str, str] = dict(made.get("inputs_not_copied", {}))
    earlier = {key: _copy_names(names) for key, names in _by_key(manifest.get("inputs_copied")).items()}
    why = {
        key: text for key, text in _by_key(manifest.get("inputs_not_copied")).items() if isinstance(text, str)
    }
    for entry in inputs:
        key, sha = str(entry.get("key", "")), str(entry.get("sha256", ""))
        name = _copy_of(earlier.get(key, []), str(entry.get("path", "")))
        if key in made_here or written is None or name is None or kept_name(name) is None:
            if key not in copied and key not in skipped:
                skipped[key] = why.get(key) or f"{entry.get('path', key)}: no copy where this result was read"
            continue
        source, target = written / name, directory / name
        try:
            got = _copy(source, target)
        except OSError as error:
            skipped.setdefault(key, f"{source}: not read ({error.strerror or error})")
            continue
        if got != sha:
            target.unlink(missing_ok=True)
            changed = f"{source}: changed since the run read it (sha256 {got}, the run's {sha})"
            skipped.setdefault(key, changed)
            continue
        _add(copied, key, name)
        skipped.pop(key, None)
    rest = {key: value for key, value in manifest.items() if key not in INPUT_FIELDS}
    return {
        **rest,
        **({"inputs_copied": _listed(copied)} if copied else {}),
        **({"inputs_not_copied": skipped} if skipped else {}),
    }


def kept_name(name: str) -> PurePath | None:
    """``name`` (an ``inputs_copied`` value) as a path in a result's folder, under ``inputs/``; else None."""
    path = PurePath(name)
    if path.is_absolute() or ".." in path.parts or len(path.parts) < 2 or path.parts[0] != INPUTS_FOLDER:
        return None
    return path


def _copy_names(value: Any) -> list[str]:
    """An ``inputs_copied`` value as its list of names: one name, or a list of them (none: neither)."""
    if isinstance(value, str):
        return [value]
    return [name for name in value if isinstance(name, str)] if isinstance(value, list) else []


def _by_key(value: Any) -> dict[str, Any]:
    """A manifest's ``inputs_copied`` or ``inputs_not_copied``: its values by key (none: no mapping)."""
    return {str(key): item for key, item in value.items()} if isinstance(value, Mapping) else {}


def _copy_of(names: list[str], path: str) -> str | None:
    """The name among a key's copies ``names`` of the file read at ``path``: its name's, or the only one."""
    same = [name for name in names if PurePath(name).name == PurePath(path).name]
    return same[0] if same else names[0] if len(names) == 1 else None


def _add(copied: dict[str, list[str]], key: str, name: str) -> None:
    """``name`` added to the copies at ``key``, once."""
    names = copied.setdefault(key, [])
    if name not in names:
        names.append(name)


def _listed(copied: dict[str, list[str]]) -> dict[str, str | list[str]]:
    """``inputs_copied`` as the manifest writes it: a key's one name, or the list of its several."""
    return {key: names[0] if len(names) == 1 else names for key, names in copied.items()}


def _texts(value: Any) -> Iterable[str]:
    """Every text in a document, at any depth (the file names among them)."""
    if isinstance(value, Mapping):
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _texts(item)
    elif isinstance(value, str) and value:
        yield value


def _inside(path: str, base: str) -> PurePath | None:
    """``path`` relative to the folder ``base``: the name a scenario there gave it; None if outside."""
    if not path or ".." in PurePath(path).parts:
        return None
    full = os.path.abspath(path)
    try:
        name = PurePath(full).relative_to(base)
    except ValueError:
        return None
    return name if name.parts else None


def _named_as_file(path: str, base: str, named: set[str]) -> bool:
    """Whether a document names ``path`` as a file (relative to ``base``, or absolute), not by a name."""
    full = os.path.abspath(path)
    return any(os.path.abspath(os.path.join(base, text)) == full for text in named)


def _shipped_profile(path: str) -> bool:
    """Whether ``path`` is a calibrated profile shipped inside the package (its version stands for it)."""
    from offloadsim.world.profiles.search import SHIPPED_PROFILE_DIR

    return Path(path).resolve().parent == SHIPPED_PROFILE_DIR


def _copy(source: Path, target: Path) -> str:
    """Copy ``source`` to ``target`` atomically; return the SHA-256 of the bytes copied."""
    digest = hashlib.sha256()

    def write(tmp: Path) -> None:
        with open(source, "rb") as reader, open(tmp, "wb") as writer:
            while chunk := reader.read(_CHUNK):
                digest.update(chunk)
                writer.write(chunk)
        shutil.copymode(source, tmp)

    atomic_write(target, write)
    return digest.hexdigest()
