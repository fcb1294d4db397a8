"""Bandwidth traces that hold a link direction at 0 bit/s for the rest of the run.

A ``link-trace`` whose ``bandwidth`` (or ``reverse_bandwidth``) column is 0 in every row the run
reaches stalls every transfer on its link that way: the run ended with all of them in flight, and
``validate`` said nothing.  The ``stalled-traces`` scenario check
(:mod:`offloadsim.scenario.stalled_trace_check`) warns of it from this, before the run.

Known from the trace alone: each row holds from its time to the next row's; before the first row,
the scenario's own bandwidth holds.  A looped trace whose loop is shorter than the run, or one that
starts each run at a drawn point of its loop (``offset: random``), reaches every row; another
reaches the rows before the run's end.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from offloadsim.world.dynamics.base import Dynamics
from offloadsim.world.dynamics.trace import Trace

__all__ = ["Stalled", "stalled_traces"]

#: The columns of a trace that set a link direction's bandwidth.
_RATE_COLUMNS = ("bandwidth", "reverse_bandwidth")


class Stalled(NamedTuple):
    """A trace column at 0 from ``from_s`` to the run's end; ``every_row``: 0 in every row of the file."""

    from_s: float
    every_row: bool


def stalled_traces(dynamics: Sequence[Dynamics], end_s: float) -> dict[int, dict[str, Stalled]]:
    """``{i: {column: Stalled}}``: each bandwidth column of ``dynamics[i]`` (a trace) 0 to the run's end."""
    found: dict[int, dict[str, Stalled]] = {}
    for entry in dynamics:
        if isinstance(entry.spec, Trace):
            columns = _stalled_columns(entry.spec, end_s)
            if columns:
                found[entry.index] = columns
    return found


def _stalled_columns(trace: Trace, end_s: float) -> dict[str, Stalled]:
    """The bandwidth columns of ``trace`` that are 0 in every row the run reaches, and from when."""
    times = np.asarray(trace.rows.times, dtype=float)
    every_row = trace.random_offset or (trace.period_s is not None and trace.period_s < end_s)
    reached = np.ones(len(times), dtype=bool) if every_row else times < end_s
    if not reached.any():
        return {}  # its first row comes after the run's end (the ``late-dynamics`` check says so)
    from_s = 0.0 if trace.random_offset else max(float(times[0]), 0.0)
    found = {}
    for column in _RATE_COLUMNS:
        if column in trace.rows.columns:
            values = np.asarray(trace.rows.values[trace.rows.columns.index(column)], dtype=float)
            if not values[reached].any():
                found[column] = Stalled(from_s, not values.any())
    return found
