"""The formats of a results directory's manifest.json: the kinds this offloadsim writes, and which it reads.

``run``, ``compare`` and ``sweep`` each write ``"format": "offloadsim-KIND/N"``; a reader
takes a known kind at any version from 1 to the newest written here, and refuses a newer
one (its tables may mean something else) or a format of no known kind, rather than read
it as a run.
"""

from __future__ import annotations

import re

__all__ = ["COMPARE_FORMAT", "RUN_FORMAT", "SWEEP_FORMAT", "result_kind"]

#: The newest version of each kind's manifest this offloadsim writes; it reads every version up to it.
_NEWEST = {"run": 1, "compare": 1, "sweep": 1}
RUN_FORMAT = f"offloadsim-run/{_NEWEST['run']}"
COMPARE_FORMAT = f"offloadsim-compare/{_NEWEST['compare']}"
SWEEP_FORMAT = f"offloadsim-sweep/{_NEWEST['sweep']}"
#: A string: re compiles (and caches) it at first use, not at import, as a run seldom needs it (issue 12 e).
_FORM = r"offloadsim-([a-z]+)/([1-9][0-9]{0,8})"  # "run/01" is not what offloadsim writes


def result_kind(form: object) -> str:
    """The kind (``run``, ``compare``, ``sweep``) of a manifest whose ``format`` is ``form``.

    Raises :class:`ValueError` saying why this offloadsim does not read it
    (the reader adds the file's name).

    >>> result_kind("offloadsim-sweep/1")
    'sweep'
    """
    known = ", ".join(f"offloadsim-{kind}/{newest}" for kind, newest in _NEWEST.items())
    if form is None:
        raise ValueError(f"format: missing (expected one of {known})")
    match = re.fullmatch(_FORM, form) if isinstance(form, str) else None
    if match is None or match[1] not in _NEWEST or int(match[2]) < 1:
        raise ValueError(
            f'format "{form}": not a results format this offloadsim knows (expected one of {known})'
        )
    kind, version = match[1], int(match[2])
    if version > _NEWEST[kind]:
        raise ValueError(
            f'format "{form}" was written by a newer offloadsim (this one reads offloadsim-{kind}/'
            f"{_NEWEST[kind]} at newest): upgrade offloadsim to read it"
        )
    return kind
