"""``kind: link-trace``: a link's rate (and latency) follows a CSV trace, optionally looped.

.. code-block:: yaml

    dynamics:
      - kind: link-trace
        link: [phone, ap]              # or 0: every link of the scenario's links[0] entry
        file: traces/lte-uplink.csv    # relative to the scenario file
        loop: true                     # start again after the last row (default false)
        period: 60 s                   # loop length (default: last time + the last gap)

The file has a ``time`` column and one or more of ``bandwidth`` (the A→B
rate, A→B as the ``link`` key writes it, else as the entry's ``between``),
``reverse_bandwidth`` (B→A), ``latency`` (both ways) and ``loss`` (a packet
loss probability both ways, recorded for a later transport model, not applied
to throughput).  Unlike a ``link-schedule`` step, ``bandwidth`` drives one
direction only: uplink and downlink traces differ.  Cells are SI numbers
(bit/s, s) or strings with a unit (``5 Mbps``, ``30 ms``); times increase.
Each row's values hold from its time until the next row's; before the first
row the scenario's values hold.  A trace draws no random numbers.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from offloadsim.scenario.csvdata import CsvProblem, Series, read_series
from offloadsim.world.dynamics.base import (
    LINK_SETTINGS,
    LINKS_ONLY,
    LinkSettings,
    NodeChanges,
    SpecReader,
    WorldChange,
)

__all__ = ["COLUMNS", "LinkTrace", "Trace"]

#: The value columns a trace may have, with the kind of quantity of each.
COLUMNS = {key: kind for key, (_, kind) in LINK_SETTINGS.items()}


@dataclass(frozen=True, slots=True)
class Trace:
    """A parsed trace: the links it drives, its rows by column (:class:`Series`) and its loop."""

    links: tuple[tuple[int, bool], ...]
    rows: Series
    period_s: float | None  # None: played once
    period_given: bool = False  # the entry's own ``period`` (else the file's times set it)

    def settings(self) -> Iterator[tuple[float, LinkSettings]]:
        """Each row's time and what it sets (made as the timeline reaches it, not all when read)."""
        columns, values = self.rows.columns, self.rows.values
        for time, *row in zip(self.rows.times, *values, strict=True):
            yield time, LinkSettings.named(dict(zip(columns, row, strict=True)))


class LinkTrace:
    """The ``link-trace`` kind."""

    name = "link-trace"
    #: The file's latency and bandwidth columns, for the ``plain-latencies`` and
    #: ``plain-bandwidths`` checks.
    quantity_keys: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "latency": ("file:latency",),
        "bandwidth": ("file:bandwidth", "file:reverse_bandwidth"),
    }

    def parse(self, entry: SpecReader) -> Trace:
        """Read ``link``, ``file`` (the CSV, read now within bounds), ``loop`` and ``period``."""
        entry.keys(required=("link", "file"), optional=("loop", "period"))
        links = entry.links("link")
        path, shown = entry.file("file")
        try:
            rows = read_series(path, shown, COLUMNS)
        except CsvProblem as problem:
            raise entry.fail("file", str(problem)) from None
        if "loss" in rows.columns:
            loss = rows.values[rows.columns.index("loss")]
            above = np.flatnonzero(np.array(loss) > 1.0)
            if above.size:
                first = int(above[0])
                line, value = rows.lines[first], loss[first]
                raise entry.fail("file", f"{shown}, line {line}: loss {value:g} is above 1")
        loop = entry.boolean("loop") if entry.has("loop") else False
        period = None
        times = rows.times
        if entry.has("period"):
            if not loop:
                raise entry.fail("period", "a period needs loop: true")
            period = entry.quantity("period", "time")
            if period <= times[-1]:
                raise entry.fail(
                    "period", f"{period:g} s must come after the trace's last time, {times[-1]:g} s"
                )
        elif loop and len(times) > 1:
            period = 2 * times[-1] - times[-2]  # the last row holds as long as the gap before it
        return Trace(links, rows, period, entry.has("period"))

    def changes(self, spec: Trace, end_s: float) -> tuple[str, float]:
        """About how many changes the trace makes before ``end_s``, and the key that sets how often."""
        every_row = LinkSettings.named(dict.fromkeys(spec.rows.columns, 0.0))  # each row sets each column
        per_pass = len(spec.rows.times) * sum(1 for _ in every_row.changes(spec.links))
        if spec.period_s is None:
            return "file", per_pass
        return "period" if spec.period_given else "file", per_pass * (end_s / spec.period_s + 1.0)

    def node_changes(self, spec: Trace) -> NodeChanges:
        """None: it changes links only, so the ``servers-down`` check holds with it."""
        return LINKS_ONLY

    def timeline(self, spec: Trace, rng: np.random.Generator) -> Iterator[tuple[float, WorldChange]]:
        """Each row's changes on each link, row after row (again and again when looped)."""
        cycle = 0.0
        while True:
            for time, settings in spec.settings():
                at = cycle + time
                yield from ((at, change) for change in settings.changes(spec.links))
            if spec.period_s is None:
                return
            cycle += spec.period_s
