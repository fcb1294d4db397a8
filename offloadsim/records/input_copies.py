"""Copies of the files a scenario read (traces, samples, profiles) kept in its result's ``inputs/``.

A manifest hashes each file a scenario read, but a hash cannot rerun anything: a colleague
given only the folder needs the bytes.  So a run, comparison or sweep directory keeps a copy of
each in ``inputs/``, at the name the scenario gave it relative to its folder (``traces/x.csv``
becomes ``inputs/traces/x.csv``), and its ``scenario.yaml`` reads them from there
(:mod:`offloadsim.scenario.inputs_folder`).  The scenario's text is not rewritten: the rerun
hashes the same text and bytes as the run, so its ``scenario_hash`` and a sweep's job keys are
the ones the folder's manifest holds.

Not copied, and said so in the manifest's ``inputs_not_copied``: a file named by an absolute
path or through ``..`` (outside the scenario's folder: a shipped profile, one from
``OFFLOADSIM_PROFILE_PATH``), a file whose bytes are no longer those the run hashed, and files
past :data:`COPY_LIMIT_BYTES` in all (a huge trace is kept beside the folder by hand).
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePath
from typing import Any

from offloadsim.outdir import atomic_write
from offloadsim.scenario.inputs_folder import INPUTS_FOLDER

__all__ = ["COPY_LIMIT_BYTES", "copy_inputs"]

#: The most bytes of input files one result copies (all files together); the rest are named, not copied.
COPY_LIMIT_BYTES = 256 * 2**20
_CHUNK = 1 << 20


def copy_inputs(
    inputs: Iterable[Mapping[str, Any]], base_dir: str, directory: Path, documents: Iterable[Any]
) -> dict[str, Any]:
    """Copy each file of a manifest's ``inputs`` into ``directory/inputs/``; return the manifest's fields.

    ``base_dir``: the folder the scenario's relative file names were read from ("" for the
    working directory); ``documents``: the scenario documents that name them (a file one names
    by an absolute path is read there, not from a copy: not copied; a profile is found by its
    name, in ``inputs/profiles/`` or ``inputs/``).  Returns ``{"inputs_copied": {KEY: "inputs/NAME"}}``
    and ``{"inputs_not_copied": {KEY: why}}``, each only where it has an entry.
    """
    base = os.path.abspath(base_dir or os.curdir)
    copied: dict[str, str] = {}
    skipped: dict[str, str] = {}
    total = 0
    named = {PurePath(text).as_posix() for document in documents for text in _texts(document)}
    for entry in inputs:
        key, path, sha = str(entry.get("key", "")), str(entry.get("path", "")), str(entry.get("sha256", ""))
        name = _inside(path, base)
        if name is not None and not key.endswith(".profile") and name.as_posix() not in named:
            name = None  # named by an absolute path: a rerun reads it there
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
        if target.exists() and os.path.samefile(path, target):  # rerun from this very folder: kept already
            copied[key] = (PurePath(INPUTS_FOLDER) / name).as_posix()
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
        copied[key] = (PurePath(INPUTS_FOLDER) / name).as_posix()
        total += size
    return {
        **({"inputs_copied": copied} if copied else {}),
        **({"inputs_not_copied": skipped} if skipped else {}),
    }


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
