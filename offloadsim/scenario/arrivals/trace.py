"""Trace replay: arrival times read from a CSV file, per source or shared by every source."""

from __future__ import annotations

import bisect
import dataclasses
import heapq
from dataclasses import dataclass
from typing import TYPE_CHECKING

from offloadsim.field_values import FieldValues
from offloadsim.scenario.arrivals.base import ArrivalContext, ArrivalProcess, ArrivalRun
from offloadsim.scenario.errors import did_you_mean_name
from offloadsim.scenario.keys import key
from offloadsim.suggest import quoted, quoted_listing

if TYPE_CHECKING:
    from offloadsim.scenario.csvdata import TraceRows

__all__ = ["Trace"]


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Trace(ArrivalProcess, FieldValues):
    """``arrivals: trace, trace: FILE.csv``: replay the file's times (column ``source`` optional).

    Resolving reads the file: ``trace_file`` becomes its full path and
    ``trace`` maps each source to its sorted times.
    """

    kind = "trace"

    trace_file: str = key(
        yaml="trace",
        doc="Trace: CSV file, columns time (s, sorted) and optional source; relative to this file.",
    )
    trace: dict[str, tuple[float, ...]] = dataclasses.field(default_factory=dict)

    def start(self, run: ArrivalRun) -> None:
        """Schedule this process's arrivals at one source."""
        clock, start, stop = run.clock, run.start, run.stop
        times = [t for t in self._times(run.source) if start <= t < stop]
        index = [0]

        def trace_gap() -> float:
            index[0] += 1
            if index[0] >= len(times):
                return float("inf")
            # Not below 0: the clock reached the last time as now + gap, which can round a hair past
            # it, and the next time may be the same one (a trace's equal times): a gap of -1e-17.
            return max(times[index[0]] - clock.now, 0.0)

        if times:
            run.chain(trace_gap, times[0])

    def _times(self, source: str) -> tuple[float, ...]:
        return self.trace.get(source, self.trace.get("*", ()))

    def resolve(self, context: ArrivalContext) -> Trace:
        """The process with its file read into per-source times."""
        from offloadsim.scenario.csvdata import CsvProblem, read_trace  # a trace's reader: its runs alone

        path = context.base_dir / self.trace_file
        trace: dict[str, tuple[float, ...]] = {}
        try:
            rows = read_trace(path, self.trace_file, lambda lines: context.room(lines, self.trace_file))
            # Rows without a source apply to every source: count them before copying them to each.
            total = len(rows.times)
            common = total if rows.sources is None else rows.sources.count(None)
            if context.fits(common * len(context.sources) + total - common, f"{context.path}.trace"):
                trace = _split_trace(rows, list(context.sources), self.trace_file)
        except CsvProblem as error:
            context.problems.add(f"{context.path}.trace", str(error))
        return dataclasses.replace(self, trace_file=str(path), trace=trace)

    def input_files(self) -> dict[str, str]:
        """``{key: path}`` of the files it reads."""
        return {"trace": self.trace_file}

    def none_between(self, start_s: float, stop_s: float, t0: float, t1: float) -> tuple[str, str] | None:
        """A trace none of whose times falls in the window (times in ms read as s, say)."""
        low, high = max(start_s, t0), min(stop_s, t1)
        if any(_any_in(source_times, low, high) for source_times in self.trace.values()):
            return None
        times = {t for source_times in self.trace.values() for t in source_times}
        if not times:
            return None
        return (
            "trace",
            f"none of its times ({len(times)} distinct, from {min(times):g} s to {max(times):g} s) "
            f"falls in [{low:g} s, {high:g} s), the measured time its start and stop leave "
            "(times in milliseconds read as seconds?)",
        )

    def sources_none_between(
        self, start_s: float, stop_s: float, t0: float, t1: float
    ) -> tuple[str, str] | None:
        """Sources with times of their own, none in the window, beside others with some there."""
        low, high = max(start_s, t0), min(stop_s, t1)
        missed = {
            source: times for source, times in self.trace.items() if times and not _any_in(times, low, high)
        }
        if not missed or len(missed) == sum(1 for times in self.trace.values() if times):
            return None  # none missed, or all of them: none_between's warning
        times = [t for source_times in missed.values() for t in source_times]
        names = list(missed)
        one = len(names) == 1
        return (
            "trace",
            f"{quoted_listing(names)} ({len(names)} of its {len(self.trace)} sources) "
            f"{'has' if one else 'have'} no time in [{low:g} s, {high:g} s), the measured time its start "
            f"and stop leave ({'its' if one else 'their'} {len(times)} times run from {min(times):g} s to "
            f"{max(times):g} s), unlike the others: none of {'its' if one else 'their'} tasks is measured",
        )

    def stall_allowance(self, source: str) -> int:
        """Arrivals in a row at one instant that are legitimate at ``source``."""
        return len(self._times(source))  # rows may share a time


def _any_in(times: tuple[float, ...], low: float, high: float) -> bool:
    """Whether sorted ``times`` has one in ``[low, high)``."""
    i = bisect.bisect_left(times, low)
    return i < len(times) and times[i] < high


def _split_trace(rows: TraceRows, sources: list[str], shown: str) -> dict[str, tuple[float, ...]]:
    """Per-source sorted times: rows naming a source go to it, rows without one to every source.

    Sources with no rows of their own share one tuple of the common times.
    """
    if rows.sources is None:
        shared = tuple(rows.times)
        return dict.fromkeys(sources, shared)
    common: list[float] = []
    own: dict[str, list[float]] = {source: [] for source in sources}
    for time, source, line in zip(rows.times, rows.sources, rows.lines, strict=True):
        if source is None:
            common.append(time)
        elif source in own:
            own[source].append(time)
        else:
            from offloadsim.scenario.csvdata import CsvProblem

            raise CsvProblem(
                f"{shown}, line {line}: source {quoted(source)} is not one of this entry's sources"
                f"{did_you_mean_name(source, sources)}"
            )
    shared = tuple(common)
    return {source: tuple(heapq.merge(own[source], common)) if own[source] else shared for source in sources}
