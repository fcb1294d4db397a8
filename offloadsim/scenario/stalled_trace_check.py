"""Bandwidth traces at 0 for the rest of the run: the ``stalled-traces`` scenario check.

A ``link-trace`` whose ``bandwidth`` column is 0 throughout (or in every row before the run's
end) holds its link at 0 bit/s that way: no transfer on it can finish, and the run ended with
every offloaded task in flight, its ``validate`` silent.  Which columns are so is the world's to
say (``CheckedRun.stalled``, from :mod:`offloadsim.world.dynamics.stalled`); registered in
:data:`offloadsim.scenario.checks.SHIPPED`.  A warning, not an error: a link cut on purpose is a
scenario one may mean (``skip_checks`` silences it).
"""

from __future__ import annotations

from typing import Any

from offloadsim.scenario.checks import CheckedRun
from offloadsim.scenario.errors import Problem

__all__ = ["stalled_traces"]

#: The keys that set the run's end, which a trace 0 only in the rows before it is about too.
_END = ("duration", "warmup")


def stalled_traces(run: CheckedRun) -> list[Problem]:
    """One warning per trace column at 0 to the run's end, at the entry's ``file``, naming the link."""
    scenario = run.scenario
    found = run.stalled() if scenario.dynamics else None
    warnings = []
    for index, columns in sorted((found or {}).items()):
        entry = scenario.dynamics[index]
        for column, (from_s, every_row) in columns.items():
            way = _direction(entry.get("link"), reverse=column == "reverse_bandwidth")
            rows = "every row" if every_row else f"every row before the run's end at {scenario.end_s:g} s"
            if from_s <= 0.0:
                what = f"no transfer {way} can finish (the run ends with them in flight)"
            else:
                what = f"every transfer {way} stalls at {from_s:g} s: none finishes after it"
            message = f"{entry.get('file')}: its {column} column is 0 in {rows}: {what}"
            also = () if every_row else _END
            warnings.append(Problem(scenario.source, f"dynamics[{index}].file", message, also=also))
    return warnings


def _direction(link: Any, reverse: bool) -> str:
    """The link direction a trace's column drives, as the entry's ``link`` names it.

    >>> _direction(["phone", "ap"], reverse=True), _direction(0, reverse=False)
    ('from ap to phone', "on links[0] (from each link's first node to its second)")
    """
    if isinstance(link, list) and len(link) == 2:
        first, second = (link[1], link[0]) if reverse else (link[0], link[1])
        return f"from {first} to {second}"
    order = "second node to its first" if reverse else "first node to its second"
    return f"on links[{link}] (from each link's {order})"
