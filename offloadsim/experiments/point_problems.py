"""How a sweep says a problem of one point's scenario: at the file the bad value is in, and the point.

A value a sweep key gave (``grid``, ``zip``, ``set``, ``policies``) is in the sweep file, so the
problem is said there, at that key, without the base scenario's name: ``s.yaml:
grid["nodes.phone.count"]: expected an integer, got 2.5 (point 1: nodes.phone.count=2.5)``,
not ``...: quickstart.yaml: nodes.phone.count: ...``, which sent the reader to a file that
holds 20.  The base is named only where the value at fault is the base's (a step before one the
sweep moved) or another file's (a swept trace's bad row): that file's line is kept whole.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from offloadsim.experiments.jobs import point_text
from offloadsim.scenario.errors import Problem


def after_sweep_key(problem: Problem, swept: str, base: str) -> str:
    """``problem``'s text as said after the sweep key that gave its value.

    ``swept``: that key as problems name it (``nodes.phone.count``); ``base``: the name the
    base scenario's problems carry.  A problem of the base's own key path, or of a file other than
    the base, is said whole; one at the swept key itself by its message alone; one inside the
    swept value, or at the mapping that lacks a swept key, by its key path and message.  A
    check's ``[NAME]`` is left to the caller, which adds the point before it.

    >>> after_sweep_key(Problem("q.yaml", "nodes.a.count", "expected an integer"), "nodes.a.count", "q.yaml")
    'expected an integer'
    >>> after_sweep_key(Problem("q.yaml", "nodes.a.count", "expected an integer"), "nodes.a", "q.yaml")
    'nodes.a.count: expected an integer'
    >>> after_sweep_key(Problem("b.csv", "", "row 3: expected a time"), "dynamics[0].file", "q.yaml")
    'b.csv: row 3: expected a time'
    """
    if problem.file != base:
        return str(problem)
    if problem.key_path in ("", swept):
        return problem.message
    return f"{problem.key_path}: {problem.message}"


def at_point(
    file: str, key: str, text: str, index: int, point: Mapping[str, Any], check: str | None = None
) -> Problem:
    """``text`` at ``key`` of sweep ``file``, ending with the point it came in and its values.

    ``check``: the scenario check that warned of it, whose ``[NAME]`` ``str()`` puts after the point.

    >>> str(at_point("s.yaml", 'grid["nodes.a.count"]', "expected an integer", 1, {"nodes.a.count": 2.5}))
    's.yaml: grid["nodes.a.count"]: expected an integer (point 1: nodes.a.count=2.5)'
    """
    shown = point_text(point.items())
    return Problem(file, key, f"{text} (point {index}" + (f": {shown})" if shown else ")"), check)
