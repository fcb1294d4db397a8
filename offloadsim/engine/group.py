"""Groups of tasks that wait on a barrier: a federated round, the micro-batches of a pipeline.

The seam a plug-in kind of work would build those on: no shipped kind uses it (offloadsim
simulates inference, with no federated learning of its own).

A kind of work whose request is a group spawns its members through the
kernel (``RunContext.spawn``: each is planned by the policy and run like an
arrival) and joins them with a :class:`Barrier`, which calls back once every
member has ended, whatever its status.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from offloadsim.engine.context import RunContext
    from offloadsim.engine.tasks import Task

__all__ = ["Barrier", "spawn_group"]


class Barrier:
    """Counts members ending; calls ``then(members)`` when the last one has."""

    __slots__ = ("ended", "members", "then", "waiting")

    def __init__(self, members: Sequence[Task], then: Callable[[list[Task]], None]):
        self.members = list(members)
        self.then = then
        self.waiting = len(self.members)
        self.ended: list[Task] = []

    def arrive(self, task: Task) -> None:
        """``task`` (a member) ended."""
        self.ended.append(task)
        self.waiting -= 1
        if self.waiting == 0:
            self.then(self.ended)


def spawn_group(ctx: RunContext, members: Sequence[Task], then: Callable[[list[Task]], None]) -> Barrier:
    """Run ``members`` now and call ``then(members in the order they ended)`` once all have ended.

    Members still running when the run ends never reach the barrier.  An
    empty group passes the barrier at once.
    """
    barrier = Barrier(members, then)
    if not barrier.members:
        then([])
        return barrier
    for task in barrier.members:
        task.on_done = barrier.arrive
    for task in barrier.members:
        ctx.spawn(task)
    return barrier
