"""Free disk space where a command will write, so that work whose files cannot fit is refused first.

A path to be written need not exist yet (a run directory, its parents): its
space is that of the nearest folder above it that does exist.  Several
places on one file system (a run directory and ``$TMPDIR``, often) share its
free space, so their needs are added up before they are compared with it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

__all__ = ["Shortfall", "existing_parent", "shortfall"]


class Shortfall(NamedTuple):
    """A file system without room: ``where`` (the places given on it), bytes needed, bytes free."""

    where: tuple[Path, ...]
    needed: float
    free: int


def existing_parent(path: str | os.PathLike[str]) -> Path:
    """``path`` if it exists, else the nearest folder above it that does (the working directory at worst)."""
    candidate = Path(path).absolute()
    while candidate != candidate.parent:
        try:
            os.stat(candidate)
            break
        except OSError:  # missing, or a name too long for the system (exists() raised that: exit 1)
            candidate = candidate.parent
    return candidate


def shortfall(needs: Mapping[Path, float]) -> Shortfall | None:
    """The first file system whose free space is less than what ``needs`` (place -> bytes) puts on it.

    None when everything fits, or where free space cannot be read (the
    write itself then reports a full disk).
    """
    by_device: dict[int, Shortfall] = {}
    for place, needed in needs.items():
        folder = existing_parent(place)
        try:
            device, free = os.stat(folder).st_dev, shutil.disk_usage(folder).free
        except OSError:
            continue
        where, total, _ = by_device.get(device, Shortfall((), 0.0, free))
        by_device[device] = Shortfall((*where, place), total + needed, free)
    return next((short for short in by_device.values() if short.needed > short.free), None)
