"""A closed loop: users per source, each thinking between the end of one request and the next."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from offloadsim.field_values import FieldValues
from offloadsim.scenario.arrivals.base import ArrivalProcess, ArrivalRun, ClosedLoop, Submitted
from offloadsim.scenario.distributions import Dist
from offloadsim.scenario.keys import key
from offloadsim.scenario.size import MAX_GROUP_COUNT

__all__ = ["Closed"]

_NO_THINK = Dist.fixed(0.0)


@dataclass(frozen=True, slots=True, eq=False, repr=False)
class Closed(ArrivalProcess, FieldValues):
    """``arrivals: closed, users: N[, think: T]``: N users per source, each with one request at a time."""

    kind = "closed"
    stall_hint = (
        "its users never think and their requests take no time (or are dropped at once): "
        'give "think" a positive time'
    )

    users: int = key(ge=1, le=MAX_GROUP_COUNT, doc="Closed: concurrent users per source.")
    think: Dist = key(_NO_THINK, unit="time", default_doc="0 s", doc="Closed: think time between requests.")

    def start(self, run: ArrivalRun) -> None:
        """Schedule this process's arrivals at one source."""
        clock, stop = run.clock, run.stop
        think = self.think.sampler(run.rng)

        def user_cycle(done: Submitted | None = None) -> None:
            delay = think()
            now = clock.now
            if now + delay >= stop:
                return
            if now + delay == now and (done is None or done.arrival == now):
                run.stalled(now)  # a request that took no time, and no time to think
            run.at(delay, submit)

        def submit(_event: Any = None) -> None:
            task = run.arrive()
            if task is None:  # dropped at once: think again
                user_cycle()
            else:
                task.on_done = user_cycle

        for _ in range(self.users):
            first = run.start + think()
            if first < stop:
                run.at(first, submit)

    def expected_arrivals(self, sources: int, window_s: float) -> float:
        """About how many arrivals ``sources`` sources make in ``window_s``."""
        return float(sources * self.users)  # at least once per user

    def none_between(self, start_s: float, stop_s: float, t0: float, t1: float) -> tuple[str, str] | None:
        """A think time that puts every user's first request at or after the window's end, or all before it.

        A user's first request comes one think draw after ``start_s``; each later one at least one
        more think after the last (its service takes no less than nothing).  So when every first
        request is before ``t0`` and no second one can come before the window's end, none falls in it.
        """
        least = self.think.minimum
        first, end_s = start_s + least, min(stop_s, t1)
        end = f"its stop at {stop_s:g} s" if stop_s < t1 else f"the run's end at {t1:g} s"
        if first >= end_s:
            return (
                "think",
                f"its users think at least {least:g} s before their first request, "
                f"so none comes before {first:g} s, at or after {end}",
            )
        last_first, second = start_s + self.think.maximum, start_s + 2.0 * least
        if last_first < t0 and second >= end_s:
            return (
                "think",
                f"its users' first requests all come by {last_first:g} s, in the warm-up to {t0:g} s, "
                f"and each thinks at least {least:g} s again before the next, so none comes before "
                f"{second:g} s, at or after {end}",
            )
        return None

    def closed_loop(self) -> ClosedLoop:
        """Its users per source and their mean think time: each sends again only once answered."""
        return ClosedLoop(self.users, self.think.mean)

    def stall_allowance(self, source: str) -> int:
        """Arrivals in a row at one instant that are legitimate at ``source``."""
        return self.users  # every user may legitimately start at one instant
