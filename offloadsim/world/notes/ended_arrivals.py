"""The note that an arrival trace ends long before the run: no request arrives in the rest of it.

A production log of ten minutes driving a twenty-minute run sent nothing in the last ten, and
neither ``validate`` nor ``run`` said so (a link trace's held tail is said, :mod:`held_trace`):
the throughput, a rate over the whole measured time, read half the log's, and a latency-over-time
figure's empty second half read as measured.  Said where the time from the trace's last arrival
(at any of the entry's sources) to the end of its measured time is more than
:data:`~offloadsim.world.notes.held_trace.HELD_GAPS` times the trace's mean gap between arrivals, in
a trace of three times or more.  A trace that ends before the measured time starts is the
``quiet-workload`` warning's, not this note's; an entry's own ``stop`` bounds its measured time.
"""

from __future__ import annotations

from pathlib import Path

from offloadsim.scenario.errors import format_path
from offloadsim.world.notes.held_trace import HELD_GAPS
from offloadsim.world.notes.registry import Note, NoteContext

__all__ = ["KIND", "ended_arrivals_notes", "ended_arrivals_text"]

KIND = "ended-arrivals"

DOC = "(docs/scenario-format.md#workload)"


def ended_arrivals_text(
    index: int, file: str, times: tuple[tuple[float, ...], ...], start_s: float, end_s: float
) -> tuple[str, float] | None:
    """The note on ``workload[index]``'s trace (each source's sorted ``times``) measured in [start_s, end_s).

    With its idle tail in seconds; None where the trace's arrivals reach near the end.

    >>> every_second = tuple(map(float, range(601)))  # 0 to 600 s
    >>> text, idle = ended_arrivals_text(0, "log.csv", (every_second,), 0.0, 1200.0)
    >>> text.split(": no request")[0], idle
    ("workload[0].trace: log.csv's last arrival is at 600 s", 600.0)
    >>> ended_arrivals_text(0, "log.csv", (every_second,), 0.0, 605.0) is None
    True
    """
    held = [source for source in times if source]
    count = sum(map(len, held))
    if count < 3:
        return None  # one or two requests: meant as they are, with no spacing to read
    first, last = min(source[0] for source in held), max(source[-1] for source in held)
    if last < start_s:
        return None  # none measured: the quiet-workload warning says so
    idle = end_s - last
    if idle <= HELD_GAPS * (last - first) / (count - 1):
        return None
    where = format_path(("workload", index, "trace"))
    return (
        f"{where}: {file}'s last arrival is at {last:g} s: no request arrives in the last {idle:g} s "
        f"of the run (to {end_s:g} s, {100 * idle / (end_s - start_s):.0f} % of the measured time), which "
        "the rates over the measured time (throughput, on-time throughput) count as idle: an arrival "
        f"trace is played once, never looped; a duration that ends with it measures its requests alone {DOC}"
    ), idle


def ended_arrivals_notes(context: NoteContext) -> list[Note]:
    """The provider: one note per ``arrivals: trace`` entry whose last arrival comes long before its end."""
    scenario = context.scenario
    notes = []
    for entry in scenario.workload:
        trace = getattr(entry.arrivals, "trace", None)
        if entry.arrivals.kind != "trace" or not isinstance(trace, dict):
            continue
        start_s = max(scenario.warmup_s, entry.start_s)
        end_s = scenario.end_s if entry.stop_s is None else min(entry.stop_s, scenario.end_s)
        distinct = tuple({id(times): times for times in trace.values()}.values())  # shared rows once
        file = Path(str(entry.arrivals.trace_file)).name
        said = ended_arrivals_text(entry.index, file, distinct, start_s, end_s)
        if said is not None:
            text, idle = said
            notes.append(Note(KIND, text, {"workload": entry.index, "idle_s": idle, "end_s": end_s}))
    return notes
