"""Scenarios that could never end, or would report wrong times, refused before they run.

Two things make a valid-looking scenario run forever or lie:

* **Time that cannot advance.**  The clock is a float64 of seconds.  Far
  from zero it cannot tell close instants apart: at 1e15 s it resolves only
  0.125 s, so every latency rounds to 0.  The run must end before the
  clock's resolution gets coarser than a microsecond (:data:`MAX_END_S`,
  about 272 years).  Arrivals closer together than that resolution, or a
  closed loop whose users never think and whose requests take no time,
  repeat forever at one instant.
* **Work that is never recorded.**  Requests arriving during the warm-up
  are simulated and dropped from the records, so the size checks (memory,
  disk) do not bound them: a warm-up of 30 years at 5 requests a second
  would run for days and write nothing.  At most :data:`MAX_WARMUP_TASKS`.
* What these checks cannot prove statically (a policy that drops every
  request of a thinking-free closed loop, say) the engine catches as it
  happens: see ``offloadsim.engine.workload``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from offloadsim.scenario.arrivals import Closed
from offloadsim.scenario.distributions import Dist
from offloadsim.scenario.errors import ProblemList, format_path
from offloadsim.scenario.model import AppSpec, ArrivalSpec, NodeSpec, WorkloadSpec
from offloadsim.suggest import quoted

__all__ = [
    "CLOCK_RESOLUTION_S",
    "MAX_END_S",
    "MAX_WARMUP_TASKS",
    "check_clock",
    "check_endless_loops",
    "check_warmup",
    "least_service",
    "takes_no_time",
]

CLOCK_RESOLUTION_S = 1e-6
# The largest power of two at which a float64 still resolves a microsecond: ulp(2**33) = 2**-19 s.
MAX_END_S = 2.0**33
assert math.ulp(MAX_END_S) > CLOCK_RESOLUTION_S >= math.ulp(math.nextafter(MAX_END_S, 0.0))
#: Requests expected during the warm-up at most: a task takes the engine 10 to 70 us (two cores), so
#: this is a quarter of an hour to two hours of computing that leaves no record.
MAX_WARMUP_TASKS = 10**8


def check_clock(
    warmup_s: float, duration_s: float, arrivals: Sequence[ArrivalSpec], problems: ProblemList
) -> None:
    """Add a problem if the clock could not resolve a microsecond, or arrivals come closer than it can."""
    end_s = warmup_s + duration_s
    if end_s >= MAX_END_S:
        key = "warmup" if warmup_s >= duration_s else "duration"
        problems.add(
            key,
            f"warmup + duration is {end_s:g} s; there the clock resolves only {math.ulp(end_s):g} s "
            f"and every latency would round to it; keep warmup + duration under {MAX_END_S:.4g} s "
            "(about 272 years) so that times resolve to a microsecond",
        )
        return
    tick = math.ulp(end_s)  # the clock's resolution at the end of the run
    for i, process in enumerate(arrivals):
        for key, message in process.clock_problems(tick):
            problems.add(f"workload[{i}].{key}", message)


def check_warmup(warmup_tasks: float, problems: ProblemList, tokens: float = 0.0) -> None:
    """Add a problem if more requests than :data:`MAX_WARMUP_TASKS` are expected during the warm-up.

    ``tokens``: the output tokens those requests decode (LLM applications),
    each a stage that costs the engine about what a request does, so counted
    as one: 10^6 requests of 200 tokens are as long a warm-up as 2 x 10^8.
    """
    if warmup_tasks + tokens > MAX_WARMUP_TASKS:
        decoding = f" and decode about {tokens:.3g} output tokens" if tokens else ""
        problems.add(
            "warmup",
            f"about {warmup_tasks:.3g} requests arrive during the warm-up{decoding}, more than the "
            f"{MAX_WARMUP_TASKS:,} {'requests and tokens' if tokens else 'requests'} a run may simulate "
            "without recording them (each takes the engine 10 to 70 us); make the warm-up shorter",
        )


def check_endless_loops(
    applications: Mapping[str, AppSpec], workload: Sequence[WorkloadSpec], problems: ProblemList
) -> None:
    """Add a problem for every closed loop that never thinks over work that takes no time."""
    for entry in workload:
        arrivals = entry.arrivals
        if not isinstance(arrivals, Closed) or not _always_zero(arrivals.think):
            continue
        app = applications.get(entry.app)
        if app is not None and takes_no_time(app):
            problems.add(
                f"workload[{entry.index}].think",
                f"a closed loop whose users never think, running {quoted(entry.app)} whose requests take "
                'no time, repeats forever at one instant; give "think" a positive time or '
                f"{format_path(('applications', entry.app))} some work",
            )


def takes_no_time(app: AppSpec) -> bool:
    """True for synthetic work whose every stage is always zero (work or service).

    A request of it completes in no simulated time when it runs where it arrives.

    >>> from offloadsim.scenario.model import StageSpec
    >>> zero = Dist.fixed(0.0)
    >>> takes_no_time(AppSpec("job", zero, zero, (StageSpec(service=zero),)))
    True
    """
    if not app.synthetic or not app.stages:
        return False
    return all(_always_zero(stage.work if stage.work is not None else stage.service) for stage in app.stages)


def _always_zero(dist: Dist | None) -> bool:
    return dist is None or dist.maximum <= 0.0


def least_service(app: AppSpec, nodes: Sequence[NodeSpec]) -> tuple[float, int] | None:
    """The least mean service one request of ``app`` takes, and the cores that may serve it; None: unknown.

    Known for synthetic work run by FIFO processors (the built-in model):
    a ``service`` stage takes its mean time on any processor, a ``work``
    stage its mean work over the fastest plain ``speed`` among the processors
    that may host it.  A profile's speed is the world's to read, and a model
    application's cost the profile's: None then, as for a plug-in's kind or
    processor model, which may price a stage otherwise.

    >>> from offloadsim.scenario.model import ProcessorSpec, StageSpec
    >>> edge = NodeSpec("edge", "edge", "edge", ProcessorSpec(speed_flops=1e9, cores=2))
    >>> job = AppSpec("job", stages=(StageSpec(work=Dist.fixed(1e7)), StageSpec(service=Dist.fixed(0.005))))
    >>> least_service(job, [edge])
    (0.015, 2)
    """
    if not app.synthetic or app.kind not in (None, "synthetic") or not app.stages:
        return None
    hosts = None if app.hosts is None else set(app.hosts)
    processors = [p for node in nodes if hosts is None or node.name in hosts for p in node.processors]
    if not processors or any(p.model != "fifo" for p in processors):
        return None
    speeds = [p.speed_flops for p in processors]
    fastest = max(speed for speed in speeds if speed is not None) if None not in speeds else None
    total = 0.0
    for stage in app.stages:
        if stage.service is not None:
            total += stage.service.mean
        elif stage.work is not None and fastest is not None:
            total += stage.work.mean / fastest
        elif stage.work is not None and stage.work.maximum > 0:
            return None  # work on a profile: how fast is the world's to say
    return total, sum(p.cores for p in processors)
