"""Where offloadsim keeps a user's files: under ``$XDG_DATA_HOME`` and ``$XDG_CACHE_HOME``, as set.

One place reads the two variables, so that the directory a command uses (the user profiles
``calibrate`` writes, its timing cache, the testbed's exported parts) and the one its help
names are the same.  Light on purpose: the command line builds its help from it.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["cache_dir", "data_dir", "shown"]

_DATA, _CACHE = "XDG_DATA_HOME", "XDG_CACHE_HOME"


def data_dir(*parts: str) -> Path:
    """``$XDG_DATA_HOME/offloadsim/PARTS`` (``~/.local/share/offloadsim/...`` when it is unset or empty)."""
    return _root(_DATA, ".local", "share").joinpath("offloadsim", *parts)


def cache_dir(*parts: str) -> Path:
    """``$XDG_CACHE_HOME/offloadsim/PARTS`` (``~/.cache/offloadsim/...`` when it is unset or empty)."""
    return _root(_CACHE, ".cache").joinpath("offloadsim", *parts)


def shown(path: Path) -> str:
    """``path`` for a help text: the home directory as ``~``, and the variable that chose it, if one did.

    ``~/.local/share/offloadsim/profiles``, or ``/srv/data/offloadsim/profiles (from
    $XDG_DATA_HOME)`` where ``XDG_DATA_HOME=/srv/data``.
    """
    home = Path(os.path.expanduser("~"))
    chosen = next((f" (from ${v})" for v in (_DATA, _CACHE) if os.environ.get(v) and _under(path, v)), "")
    text = f"~/{path.relative_to(home).as_posix()}" if not chosen and path.is_relative_to(home) else str(path)
    return text + chosen


def _root(variable: str, *default: str) -> Path:
    return Path(os.environ.get(variable) or os.path.join(os.path.expanduser("~"), *default))


def _under(path: Path, variable: str) -> bool:
    return path.is_relative_to(Path(os.environ[variable]))
