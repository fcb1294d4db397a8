"""The ``fifo`` processor model: ``cores`` identical servers in front of one FIFO queue.

No SimPy process per job: a stage that finds a free core schedules its own
completion event; one that does not waits in a deque and is started by the
completion that frees a core.  One event per stage, which is the least a
queue with random service times can cost.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from heapq import heappush
from typing import TYPE_CHECKING, Any

import simpy

from offloadsim.engine.environment import NORMAL_PRIORITY, calendar_of, caller, pending_calls
from offloadsim.engine.processor_models import Price, ProcessorLike, StageDone, register_processor_model

if TYPE_CHECKING:
    from offloadsim.world import ProcessorModel, World

__all__ = ["Processor", "StageDone", "fifo", "queue_full", "refused"]


class Processor:
    """FIFO multi-server queue with time-integrated busy accounting."""

    __slots__ = (
        "_busy_area",
        "_calendar",
        "_call_in",
        "_end_sum",
        "_epoch",
        "_last",
        "_on_finish",
        "backlog_s",
        "busy",
        "completed",
        "cores",
        "env",
        "expire",
        "name",
        "node",
        "queue",
        "queue_limit",
        "refused",
        "speed_flops",
        "stale",
        "up",
        "watch",
    )

    def __init__(
        self,
        env: simpy.Environment,
        node: str,
        name: str,
        cores: int,
        speed_flops: float,
        queue_limit: int | None = None,
    ):
        self.env = env
        self._call_in = caller(env)  # a stage's end: a light call on the run's environment
        self._calendar = calendar_of(env)  # ... pushed inline on a run's (see environment.calendar_of)
        self.node = node
        self.name = name
        self.cores = cores
        self.speed_flops = speed_flops
        self.queue_limit = queue_limit
        self.busy = 0
        self.queue: deque[tuple[float, StageDone, Any, float]] = deque()
        self.backlog_s = 0.0  # sum of service times waiting in the queue
        self.completed = 0
        self.refused = 0  # stages turned away by a full queue
        self.up = True
        self.watch: Callable[[], None] | None = None  # told when the number of busy cores changes
        # Asked of the payload at the head of the queue as a core frees (None: never): True when its
        # task is past its deadline (engine/late.py); it is not served but told to ``expire``.
        self.stale: Callable[[Any], bool] | None = None
        self.expire: Callable[[Any, str], None] | None = None
        self._busy_area = 0.0  # integral of busy cores over time, up to _last
        self._last = 0.0
        self._end_sum = 0.0  # sum of completion times of stages in service
        self._epoch = 0  # bumped by abort: completions of stages started before it are ignored
        self._on_finish = self._finish  # bound once (a bound method is a new object at every read)

    def submit(self, service_s: float, callback: StageDone, payload: Any) -> bool:
        """Queue a stage needing ``service_s`` of one core; False if the queue is full or the node is down."""
        if not self.up:
            return False
        if self.busy < self.cores:  # _start, inline: a free core is the common case
            now = self.env.now
            self._busy_area += self.busy * (now - self._last)
            self._last = now
            self.busy += 1
            self._end_sum += now + service_s
            stage = (service_s, callback, payload, 0.0, self._epoch)
            calendar = self._calendar
            if calendar is not None:  # Calendar.call_in, inline
                heappush(
                    calendar.calls,
                    (calendar.now + service_s, NORMAL_PRIORITY, next(calendar.eids), self._on_finish, stage),
                )
            else:
                self._call_in(service_s, self._on_finish, stage)
            if self.watch is not None:
                self.watch()
            return True
        if self.queue_limit is not None and len(self.queue) >= self.queue_limit:
            self.refused += 1
            return False
        self.queue.append((service_s, callback, payload, self.env.now))
        self.backlog_s += service_s
        return True

    def pricer(self, kind: Any, world: World) -> Price:
        """How long stages of ``kind`` take here: FIFO cores run each at the kind's cost on this profile."""
        return kind.pricer(world, self)

    def in_service(self) -> list[tuple[StageDone, Any, float, float]]:
        """``(callback, payload, wait_s, ran_s)`` of each stage in service now, ``ran_s`` the time it has run.

        Asked as the node goes down (before :meth:`abort`), for the energy of the stages it cuts
        short; found on the run's calendar among the pending ends of stages, not kept per stage.
        """
        now = self.env.now
        ends = pending_calls(self.env, self._on_finish)  # (due, stage): the stage started at due - service
        return [
            (callback, payload, wait_s, max(0.0, now - (due - service_s)))
            for due, (service_s, callback, payload, wait_s, epoch) in ends
            if epoch == self._epoch  # not one abandoned by an earlier outage
        ]

    def abort(self) -> list[Any]:
        """The node went down: refuse from now on, drop the waiting stages and free every core.

        Returns the payloads of the waiting stages it dropped; the completions
        of those in service are ignored when they fall due (:meth:`in_service`
        tells the kernel what they ran).
        """
        self.up = False
        dropped = [payload for _, _, payload, _ in self.queue]
        self.queue.clear()
        self.backlog_s = 0.0
        if self.busy:
            self._account(self.env.now)
            self.busy = 0
            self._end_sum = 0.0
            self._epoch += 1
            if self.watch is not None:
                self.watch()
        return dropped

    def queued(self) -> int:
        """Stages waiting for a core."""
        return len(self.queue)

    def expected_wait_s(self) -> float:
        """Expected queueing delay of a stage submitted now.

        Zero with a free core; otherwise the work ahead of it (remaining
        service of stages in service plus everything queued) spread over the
        cores: exact for one core, a fluid approximation for several.
        """
        if self.busy < self.cores:
            return 0.0
        remaining = self._end_sum - self.busy * self.env.now
        return (remaining + self.backlog_s) / self.cores

    def busy_core_seconds(self) -> float:
        """Integral of busy cores over time, from the start of the run to now."""
        return self._busy_area + self.busy * (self.env.now - self._last)

    # -- internals --------------------------------------------------------
    def _account(self, now: float) -> None:
        self._busy_area += self.busy * (now - self._last)
        self._last = now

    def _start(self, service_s: float, callback: StageDone, payload: Any, submitted: float) -> None:
        now = self.env.now
        self._busy_area += self.busy * (now - self._last)  # _account, inline: once per stage
        self._last = now
        self.busy += 1
        self._end_sum += now + service_s
        stage = (service_s, callback, payload, now - submitted, self._epoch)
        calendar = self._calendar
        if calendar is not None:  # Calendar.call_in, inline (as in submit)
            heappush(
                calendar.calls,
                (calendar.now + service_s, NORMAL_PRIORITY, next(calendar.eids), self._on_finish, stage),
            )
        else:
            self._call_in(service_s, self._on_finish, stage)
        if self.watch is not None:
            self.watch()

    def _finish(self, stage: tuple[float, StageDone, Any, float, int]) -> None:
        """A stage's service time has passed: free its core, start the next one waiting, tell the sender."""
        service_s, callback, payload, wait_s, epoch = stage
        if epoch != self._epoch:
            return  # started before the node went down: abandoned
        now = self.env.now
        self._busy_area += self.busy * (now - self._last)  # _account, inline
        self._last = now
        self.busy -= 1
        self._end_sum -= now
        self.completed += 1
        if self.watch is not None:
            self.watch()
        if self.queue:
            stale = self.stale
            if stale is not None and stale(self.queue[0][2]):
                self._skip_stale(stale, callback, payload, wait_s, service_s)
                return
            next_service, next_callback, next_payload, submitted = self.queue.popleft()
            self.backlog_s -= next_service
            if not self.queue:
                self.backlog_s = 0.0  # keep float drift from accumulating
            self._start(next_service, next_callback, next_payload, submitted)
        callback(payload, wait_s, service_s)

    def _skip_stale(
        self, stale: Callable[[Any], bool], callback: StageDone, payload: Any, wait_s: float, service_s: float
    ) -> None:
        """:meth:`_finish`'s end where the head of the queue is stale: skip the stale stages, start the next.

        The skipped stages' tasks are told to ``expire`` last, after the finished stage's sender, so
        that what their end sets off (a closed-loop user's next request) finds the queue as it is.
        """
        queue = self.queue
        skipped = []
        while queue and stale(queue[0][2]):
            skipped.append(queue.popleft())
            self.backlog_s -= skipped[-1][0]
        if queue:
            next_service, next_callback, next_payload, submitted = queue.popleft()
            self.backlog_s -= next_service
            self._start(next_service, next_callback, next_payload, submitted)
        if not queue:
            self.backlog_s = 0.0  # keep float drift from accumulating
        callback(payload, wait_s, service_s)
        expire = self.expire
        assert expire is not None, "a processor told of stale stages is told how to expire them"
        for _, _, stale_payload, _ in skipped:
            expire(stale_payload, self.node)


def fifo(env: simpy.Environment, model: ProcessorModel) -> Processor:
    """A FIFO multi-core processor for ``model`` (the world's resolved processor of a node)."""
    spec = model.spec
    return Processor(env, model.node, spec.name, model.cores, model.speed_flops, spec.queue_limit)


register_processor_model("fifo", fifo)


def queue_full(node: str) -> str:
    """The reason of a task dropped by a full queue."""
    return f"queue full at {node}"


def refused(processor: ProcessorLike) -> str:
    """Why ``processor`` refused a stage: its queue is full, or its node is down."""
    return queue_full(processor.node) if processor.up else f"{processor.node} is down"
