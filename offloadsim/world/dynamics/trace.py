"""``kind: link-trace``: a link's rate (and latency) follows a CSV trace, optionally looped.

.. code-block:: yaml

    dynamics:
      - kind: link-trace
        link: [phone, ap]              # or 0: every link of the scenario's links[0] entry
        file: traces/lte-uplink.csv    # relative to the scenario file
        loop: true                     # start again after the last row (default false)
        period: 60 s                   # loop length (default: last time + the last gap)
        offset: random                 # opt-in: each replication starts at its own point of the loop

The file has a ``time`` column and one or more of ``bandwidth`` (the A→B
rate, A→B as the ``link`` key writes it, else as the entry's ``between``),
``reverse_bandwidth`` (B→A), ``latency`` (both ways) and ``loss`` (a packet
loss probability both ways, recorded for a later transport model, not applied
to throughput).  Unlike a ``link-schedule`` step, ``bandwidth`` drives one
direction only: uplink and downlink traces differ.  Cells are SI numbers
(bit/s, s) or strings with a unit (``5 Mbps``, ``30 ms``), or bare numbers in
the unit their column's header states (``bandwidth [Mbps]``, ``time (ms)``);
times increase.
Each row's values hold from its time until the next row's; before the first
row the scenario's values hold.  A trace draws no random numbers, so every
replication sees the same trace (their intervals hold the arrivals' randomness
only), unless ``offset: random`` (with ``loop: true``) draws a start point of
the loop per run from the entry's own stream of the run's seed: the run starts
at that point of the trace, the row in force there given at 0 s, and loops on.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping
from dataclasses import astuple, dataclass
from typing import ClassVar

import numpy as np

from offloadsim.scenario.csvdata import CsvProblem, Series, read_series
from offloadsim.scenario.errors import describe
from offloadsim.scenario.size import series_row_bytes
from offloadsim.world.dynamics.base import (
    LINK_SETTINGS,
    LINKS_ONLY,
    LinkSettings,
    NodeChanges,
    SpecReader,
    WorldChange,
    rated,
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
    random_offset: bool = False  # ``offset: random``: each run starts at a point of the loop drawn

    def row_changes(self) -> tuple[tuple[Callable[[int, float], WorldChange], int, int], ...]:
        """How each row becomes its changes, in the order :meth:`LinkSettings.changes` gives them.

        Each item: the kind of change, the link or channel it changes, and where in a row
        ``(time, *values)`` the value it sets is.  LinkSettings is asked, with each column's place
        in a row for its value, so what each column changes, and in what order, is its own.
        """
        places = LinkSettings.named({name: float(at) for at, name in enumerate(self.rows.columns, start=1)})
        plan = []
        for change in places.changes(self.links):
            target, at = astuple(change)
            plan.append((type(change), target, int(at)))
        return tuple(plan)


class LinkTrace:
    """The ``link-trace`` kind."""

    name = "link-trace"
    #: The file's latency and bandwidth columns, for the ``plain-latencies`` and
    #: ``plain-bandwidths`` checks.
    quantity_keys: ClassVar[Mapping[str, tuple[str, ...]]] = {
        "latency": ("file:latency",),
        "bandwidth": ("file:bandwidth", "file:reverse_bandwidth"),
    }
    #: Its first change after the start, for the ``late-dynamics`` check: the file's first row's time,
    #: or the second's where the first is at 0 s (a trace whose times were written in milliseconds,
    #: or that starts after the run's end, holds the link at one value throughout the run).
    change_time_keys = ("file:time",)
    missed_changes: ClassVar[Mapping[str, str]] = {
        "file:time": "the trace's rows from then on come after it, so the link keeps the values it "
        "starts with throughout the run (a trace's times are seconds from the run's start)"
    }

    #: ``offset: random`` starts each run at its own point of the loop: the file's times are not the
    #: run's, so the ``late-dynamics`` and ``early-dynamics`` checks pass such an entry over.
    random_start_keys = ("offset",)

    def parse(self, entry: SpecReader) -> Trace:
        """Read ``link``, ``file`` (the CSV, read now within bounds), ``loop`` and ``period``."""
        entry.keys(required=("link", "file"), optional=("loop", "period", "offset"))
        links = entry.links("link")
        path, shown = entry.file("file")

        def room(rows: int, values: int) -> str | None:  # a row takes more the more values it has
            return entry.room(shown, series_row_bytes(values), "their values", "trace")(rows)

        try:
            rows = read_series(path, shown, COLUMNS, room)
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
        random_offset = entry.has("offset")
        if random_offset and entry.entry["offset"] != "random":
            raise entry.fail("offset", f"expected random, got {describe(entry.entry['offset'])}")
        if random_offset and period is None:
            raise entry.fail(
                "offset", "offset: random needs loop: true and a trace of two rows or more (or a period)"
            )
        return Trace(links, rows, period, entry.has("period"), random_offset)

    def changes(self, spec: Trace, end_s: float) -> tuple[str, float]:
        """About how many changes the trace makes before ``end_s``, and the key that sets how often."""
        per_pass = len(spec.rows.times) * len(spec.row_changes())  # each row sets each column
        if spec.period_s is None:
            return "file", per_pass
        return "period" if spec.period_given else "file", per_pass * (end_s / spec.period_s + 1.0)

    def rate_keys(self, spec: Trace) -> dict[int, str]:
        """The channels of its links whose rates the file's columns set, by ``link``."""
        return rated(LinkSettings.named(dict.fromkeys(spec.rows.columns, 0.0)), spec.links, "link")

    def route_links(self, spec: Trace) -> tuple[int, ...]:
        """Its links where the file has a ``latency`` column: what may move a route."""
        return tuple(link for link, _ in spec.links) if "latency" in spec.rows.columns else ()

    def node_changes(self, spec: Trace) -> NodeChanges:
        """None: it changes links only, so the ``servers-down`` check holds with it."""
        return LINKS_ONLY

    def timeline(self, spec: Trace, rng: np.random.Generator) -> Iterator[tuple[float, WorldChange]]:
        """Each row's changes on each link, row after row (again and again when looped).

        The changes are made as the run reaches the row (a long trace is read as columns of floats).
        """
        plan, rows = spec.row_changes(), spec.rows
        cycle = 0.0
        if spec.random_offset and spec.period_s is not None:  # drawn only where asked: records unchanged
            offset = float(rng.uniform(0.0, spec.period_s))
            # The row in force at the offset (before the first row's time, the loop's last row's).
            first = max(bisect_right(rows.times, offset) - 1, 0) if offset >= rows.times[0] else -1
            for make, target, place in plan:
                yield 0.0, make(target, (rows.times[first], *(c[first] for c in rows.values))[place])
            cycle = -offset
        while True:
            for row in zip(rows.times, *rows.values, strict=True):
                at = cycle + row[0]
                if cycle < 0.0 and at <= 0.0:
                    continue  # before the offset: given at 0 s above
                for make, target, place in plan:
                    yield at, make(target, row[place])
            if spec.period_s is None:
                return
            cycle += spec.period_s
