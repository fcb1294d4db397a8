"""Which kind of offloadsim input a file is, so that one given to the wrong verb gets one clear line.

The command line reads four kinds of input: scenarios (``run``, ``validate``,
``compare``), sweep files (``sweep``), calibrated device profiles
(``calibrate report``, ``profiles show``) and results directories (``plot``).
Read as the wrong kind, a file used to get one "unknown key" line per key it
has; each reader now asks :func:`misdirected` first, and when the input is
recognisably another kind says so in one line with the verb that reads it::

    sweep-split.yaml: a sweep file, not a scenario: use 'offloadsim sweep sweep-split.yaml' (...)

A document is recognised only by keys its own kind requires and the others
never have, so a real scenario with a mistake in it still gets its own
messages.  It lives at the bottom of the package because the readers are in
every layer (the scenario loader, the profiles of the world, stored results).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import yaml

from offloadsim.bounded_read import MAX_DOCUMENT_BYTES, read_text

__all__ = [
    "SCENARIO",
    "SWEEP",
    "PROFILE",
    "PROFILE_FORMAT",
    "RESULTS",
    "document_kind",
    "misdirected",
    "path_kind",
]

SCENARIO = "scenario"
SWEEP = "sweep"
PROFILE = "profile"
RESULTS = "results"

# What each kind is called in a message, and what to do with one ({path} is the file as given).
_NOUN = {
    SCENARIO: "a scenario",
    SWEEP: "a sweep file",
    PROFILE: "a calibrated device profile",
    RESULTS: "a results directory",
}
_USE = {
    SCENARIO: "use 'offloadsim run {path}' or 'offloadsim compare {path} --policies A,B'",
    SWEEP: "use 'offloadsim sweep {path}' (with --dry-run to check it)",
    PROFILE: "use 'offloadsim profiles show {path}', or name it as a processor's profile: in a scenario",
    RESULTS: "use 'offloadsim plot {path}'",
}
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
#: The ``format:`` a calibrated profile file declares (offloadsim.world.profiles.calibrated writes it).
PROFILE_FORMAT = "offloadsim.calibrated-profile"
_SCENARIO_KEYS = frozenset(("nodes", "links", "applications", "workload"))
_SWEEP_KEYS = frozenset(("base", "grid", "zip"))


def document_kind(document: object) -> str | None:
    """The kind of a parsed YAML or JSON document, or None when it is none of them for sure."""
    if not isinstance(document, Mapping):
        return None
    if document.get("format") == PROFILE_FORMAT:
        return PROFILE
    scenario, sweep = not _SCENARIO_KEYS.isdisjoint(document), not _SWEEP_KEYS.isdisjoint(document)
    if scenario != sweep:
        return SCENARIO if scenario else SWEEP
    return None


def path_kind(path: str | Path) -> str | None:
    """The kind of the input at ``path``: a results directory (it has a manifest), or a file's document kind.

    None when it cannot be read or is none of them.  Readers call it only
    once they have failed, so reading the file again costs nothing that matters.
    """
    try:
        if Path(path).is_dir():
            return RESULTS if (Path(path) / "manifest.json").is_file() else None
        return document_kind(yaml.load(read_text(path, MAX_DOCUMENT_BYTES), Loader=_LOADER))
    except (OSError, ValueError, yaml.YAMLError, RecursionError):
        return None


def misdirected(found: str | None, expected: str, path: str | Path) -> str | None:
    """``"a sweep file, not a scenario: use 'offloadsim sweep PATH' ..."`` when ``found`` is another kind.

    None when ``found`` is ``expected`` or unknown: the reader then reports
    what is wrong in its own terms.
    """
    if found is None or found == expected:
        return None
    use = _USE[found].format(path=path)
    return f"{_NOUN[found]}, not {_NOUN[expected]}: {use}"
