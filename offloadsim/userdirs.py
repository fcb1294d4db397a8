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
    """``$XDG_DATA_HOME/offloadsim/PARTS`` (``~/.local/share/offloadsim/...`` unless an absolute path)."""
    return _root(_DATA, ".local", "share").joinpath("offloadsim", *parts)


def cache_dir(*parts: str) -> Path:
    """``$XDG_CACHE_HOME/offloadsim/PARTS`` (``~/.cache/offloadsim/...`` unless an absolute path)."""
    return _root(_CACHE, ".cache").joinpath("offloadsim", *parts)


def shown(path: Path) -> str:
    """``path`` for a help text: the home directory as ``~``, and the variable that chose it, if one did.

    ``~/.local/share/offloadsim/profiles``, or ``/srv/data/offloadsim/profiles (from
    $XDG_DATA_HOME)`` where ``XDG_DATA_HOME=/srv/data``.
    """
    home = Path(_home())
    chosen = next((f" (from ${v})" for v in (_DATA, _CACHE) if _given(v) and _under(path, v)), "")
    text = f"~/{path.relative_to(home).as_posix()}" if not chosen and path.is_relative_to(home) else str(path)
    return text + chosen


def _root(variable: str, *default: str) -> Path:
    return Path(_given(variable) or os.path.join(_home(), *default))


def _given(variable: str) -> str | None:
    """The variable's directory if it is an absolute path; the XDG spec has a relative one ignored.

    ``XDG_DATA_HOME=data`` put calibrate's profiles (and the folder scenarios search) under
    whatever folder the command was run from.
    """
    value = os.environ.get(variable, "")
    return value if os.path.isabs(value) else None


def _home() -> str:
    """The home directory: ``$HOME`` if it is an absolute path, else the user's entry in the system.

    Python reads ``HOME=`` (empty) as ``/``: calibrate wrote its profile to
    ``/.local/share/offloadsim/profiles`` and its timings to ``/.cache``; a relative ``$HOME``
    put them under the current folder.
    """
    home = os.environ.get("HOME", "")
    if os.path.isabs(home):
        return home
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_dir
    except (ImportError, KeyError):  # no such system (Windows) or no entry: as Python finds it
        return os.path.expanduser("~")


def _under(path: Path, variable: str) -> bool:
    return path.is_relative_to(Path(os.environ[variable]))
