"""Where a profile name is looked up: the scenario's folder, the user's profiles, the shipped ones.

A scenario names a processor profile (``processor: {profile: NAME}``). A
shipped derived profile answers first; otherwise ``NAME.json|.yaml|.yml`` is
looked for, in order, in

1. ``<scenario folder>/profiles`` and ``<scenario folder>``;
2. each directory of ``$OFFLOADSIM_PROFILE_PATH`` (``os.pathsep``-separated);
3. the user's profile directory, where ``offloadsim calibrate`` writes by
   default: ``$XDG_DATA_HOME/offloadsim/profiles`` (``~/.local/share/...``);
4. the calibrated profiles shipped inside the package (``offloadsim/world/profiles/data``),

so a scenario copied anywhere still finds the shipped profiles and the ones
this user calibrated.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from offloadsim.suggest import quoted
from offloadsim.userdirs import data_dir

__all__ = [
    "PROFILE_PATH_ENV",
    "PROFILE_SUFFIXES",
    "SHIPPED_PROFILE_DIR",
    "describe_search",
    "names_a_file",
    "passed_over",
    "shipped_profile_file",
    "suffixes_text",
    "profile_search_path",
    "user_profile_dir",
]

#: Environment variable with extra profile directories (``os.pathsep``-separated).
PROFILE_PATH_ENV = "OFFLOADSIM_PROFILE_PATH"
#: The calibrated profiles that ship with the package.
SHIPPED_PROFILE_DIR = Path(__file__).resolve().parent / "data"


def user_profile_dir() -> Path:
    """``$XDG_DATA_HOME/offloadsim/profiles`` (``~/.local/share/offloadsim/profiles`` by default).

    ``offloadsim calibrate`` writes ``NAME.json`` here unless told ``--out``,
    so ``profile: NAME`` finds it from any scenario.
    """
    return data_dir("profiles")


def profile_search_path(scenario_dir: str | os.PathLike[str] | None = None) -> list[Path]:
    """The directories a profile name is looked up in, in order (see the module docstring).

    >>> profile_search_path()[-1] == SHIPPED_PROFILE_DIR
    True
    """
    dirs: list[Path] = []
    if scenario_dir is not None:
        dirs += [Path(scenario_dir) / "profiles", Path(scenario_dir)]
    dirs += [Path(p) for p in os.environ.get(PROFILE_PATH_ENV, "").split(os.pathsep) if p]
    dirs += [user_profile_dir(), SHIPPED_PROFILE_DIR]
    return list(dict.fromkeys(dirs))


def describe_search(search_dirs: Sequence[str | os.PathLike[str]]) -> str:
    """Every place a name was looked for, for an error message: the built-in profiles, then each folder.

    >>> describe_search(["/nowhere"])
    'the built-in derived profiles, /nowhere (missing)'
    """
    places = ["the built-in derived profiles"]
    for folder in search_dirs:
        path = Path(folder).absolute()
        note = ""
        if path == SHIPPED_PROFILE_DIR:
            note = " (shipped)"
        elif path == user_profile_dir():
            note = " (user profiles, where calibrate writes)"
        if not path.is_dir():
            note += " (missing)"
        places.append(f"{path}{note}")
    return ", ".join(places)


#: What a profile file's name ends with (JSON, or YAML by suffix).
PROFILE_SUFFIXES = (".json", ".yaml", ".yml")


def names_a_file(name: str) -> bool:
    """Whether ``profile: NAME`` is a path to a file (a profile suffix or a folder in it), not a name."""
    return Path(name).suffix in PROFILE_SUFFIXES or os.sep in name or bool(os.altsep and os.altsep in name)


def shipped_profile_file(name: str) -> Path | None:
    """The shipped calibrated profile's file called ``name`` (``xeon-ort-1t.json``), None if none is."""
    return next(
        (f for f in (SHIPPED_PROFILE_DIR / f"{name}{s}" for s in PROFILE_SUFFIXES) if f.is_file()), None
    )


def suffixes_text() -> str:
    """The profile suffixes as a message lists them: ``.json, .yaml or .yml``."""
    return f"{', '.join(PROFILE_SUFFIXES[:-1])} or {PROFILE_SUFFIXES[-1]}"


def passed_over(
    name: str, read: str | os.PathLike[str] | None, search_dirs: Sequence[str | os.PathLike[str]]
) -> str | None:
    """What the lookup of ``profile: NAME`` passes over, by its order, in one line; None if nothing.

    ``read`` is the file the lookup found (None: a shipped derived profile answered). Two cases
    were silent: a profile file named like a shipped calibrated one (``epyc-ort-1t.json`` in the
    scenario's folder or the user's) is read in its place, and a file named like a shipped derived
    profile (``t4.json``) is never read, the derived one answering first.

    >>> passed_over("xeon-ort-1t", SHIPPED_PROFILE_DIR / "xeon-ort-1t.json", []) is None
    True
    """
    if names_a_file(name):
        return None  # a path names its file
    if read is None:
        files = (Path(d) / f"{name}{suffix}" for d in search_dirs for suffix in PROFILE_SUFFIXES)
        unread = next((f for f in files if os.path.isfile(f)), None)
        if unread is None:
            return None
        return (
            f"profile {quoted(name)} is the shipped derived one (a derived profile's name answers first): "
            f"{unread} is not read; to use it, name its file: profile: {unread}"
        )
    shipped = shipped_profile_file(name)
    if shipped is None or Path(read).absolute() == shipped:
        return None
    return (
        f"profile {quoted(name)} is read from {read}, which shadows the shipped profile of that name "
        "(a folder searched before the shipped profiles holds it: docs/profiles.md)"
    )
