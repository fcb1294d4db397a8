"""Work a policy sent to a node whose input is still on its way: what the node's queue cannot show yet.

A node's ``view.expected_wait_s`` counts the stages queued and in service
there; a task decided for it a moment ago is still uploading and counts
nowhere.  With one free core and an upload of 60 ms, every phone deciding in
those 60 ms sees the same idle node, and they all go there (herding:
docs/policies.md#what-least-loaded-sees).  :class:`Committed` keeps, for a
policy that opts in (``least-loaded(in_transit=true)``, ``model-select``
alike), each such task's service time until its input is expected to arrive
(``view.now`` at the decision + the upload time priced then); :class:`CommittedView`
adds it to the node's wait.  Kept by the policy alone: the engine is asked
nothing more, and a policy that does not opt in keeps nothing.
"""

from __future__ import annotations

import heapq
from typing import Any

from offloadsim.policies.base import SystemView, TaskView

__all__ = ["Committed", "CommittedView"]


class Committed:
    """Per node, the tasks decided for it whose input is expected to be still in transit.

    Each entry is ``(arrival_s, service_s)``: when its upload is expected to
    end (priced at the decision, as the policy priced it) and how long it
    will take to serve there.  An entry is forgotten once ``view.now``
    reaches its arrival: from then on the node's own queue counts it.
    """

    __slots__ = ("_pending",)

    def __init__(self) -> None:
        # Keyed by the node for its first processor, by (node, processor) for another it names.
        self._pending: dict[str | tuple[str, str], list[tuple[float, float]]] = {}

    def commit(self, node: str, arrival_s: float, service_s: float, processor: str | None = None) -> None:
        """A task was sent to ``node``: its input arrives at ``arrival_s`` and takes ``service_s`` there.

        On its processor ``processor`` (None: its first).
        """
        key = node if processor is None else (node, processor)
        heapq.heappush(self._pending.setdefault(key, []), (arrival_s, service_s))

    def pending(self, node: str, now: float, processor: str | None = None) -> tuple[int, float]:
        """How many tasks sent to ``node`` are still in transit at ``now``, and their service time in all.

        Those sent to its processor ``processor`` (None: its first).
        """
        entries = self._pending.get(node if processor is None else (node, processor))
        if not entries:
            return 0, 0.0
        while entries and entries[0][0] <= now:
            heapq.heappop(entries)
        return len(entries), sum(service for _, service in entries)

    def wait_s(self, view: SystemView, node: str, processor: str | None = None) -> float:
        """``node``'s expected wait counting the work in transit to it as though it were submitted now.

        Those tasks take the free cores first: while they and the stages
        queued and in service there leave a core free, the wait is 0.
        Otherwise their work, spread over the cores, is added to the node's
        own expected wait (the processor's fluid estimate).  Without any in
        transit, exactly ``view.expected_wait_s(node)``.  With ``processor``, that processor's of the
        node (the view asked of it by name), not its first's.
        """
        named = () if processor is None else (processor,)  # the first's asked as before: (node) alone
        own = view.expected_wait_s(node, *named)
        count, work = self.pending(node, view.now, processor)
        if not count:
            return own
        cores = view.cores(node, *named)
        if view.busy_cores(node, *named) + view.queue_length(node, *named) + count < cores:
            return own
        return own + work / cores


class CommittedView:
    """A view whose ``expected_wait_s`` counts the work in transit (:meth:`Committed.wait_s`)."""

    __slots__ = ("_committed", "_view")

    def __init__(self, view: SystemView, committed: Committed) -> None:
        self._view, self._committed = view, committed

    def expected_wait_s(self, node: str, processor: str | None = None) -> float:
        """The node's expected wait (its processor's, if named) with the tasks still uploading counted in."""
        return self._committed.wait_s(self._view, node, processor)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._view, name)

    def record(self, task: TaskView, node: str, app: str | None = None, processor: str | None = None) -> None:
        """``task`` was sent whole to ``node`` (served by ``app``'s model if given): count it till it arrives.

        On the node's processor ``processor`` if named, else its first.

        None is kept for a task run on its source: it has no upload, and its
        stage is queued at once.
        """
        view = self._view
        source = task.source
        if node == source:
            return
        upload = view.transfer_time_s(source, node, task.cut_bytes[0])
        if processor is None:
            service = (
                view.compute_time_s(task, node) if app is None else view.compute_time_s(task, node, app=app)
            )
        else:
            service = view.compute_time_s(task, node, app=app, processor=processor)
        self._committed.commit(node, view.now + upload, service, processor)
