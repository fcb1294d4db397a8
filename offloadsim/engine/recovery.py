"""What happens to a task whose work was aborted: retries, a timeout and a fallback (``recovery:``).

Every abort goes through the kernel's one ``fail_task(task, reason)``: a
node that went down under the task's stage, a link that went down under its
flow, a handover's ``fail`` rule, or this module's timeout.  Without a
``recovery:`` key the task ends ``failed`` there.  With one,
:meth:`Recovery.take` decides:

* while the task has retries left (``retries``), it runs the *same plan*
  again after a backoff (``backoff``, doubling each time: 1x, 2x, 4x ...);
  a retry that cannot start (its node is still down, so unreachable) is
  itself a failure and uses up the next retry;
* once they are spent, ``fallback`` decides: ``drop`` ends the task
  ``failed``; ``local`` runs one last attempt whole on its source device;
  ``another`` asks the policy once more, with every node that failed the
  task seen as down (so it chooses another server, or its own fallback);
* a task whose source is down is never retried (there is no one to ask).

``timeout`` is measured per attempt: from the task's arrival for its first
attempt, from the moment a retry or the fallback starts for the others.  An
attempt not finished by then is abandoned and counts as a failure like any
other.  An abandoned attempt's stage or flow still under way runs on (the
server does not know the client gave up); its result is ignored.

Each attempt is a new :class:`~offloadsim.engine.tasks.Task` object
(:meth:`Task.again`) carrying what the task has spent so far (wait, compute,
transfer, bytes) and its count of retries; the old one is dead, so its late
events are ignored, but for the energy its flow or stage still draws, which
stays on it and is added to the task's record (``Task.previous``).  Nothing
here runs unless a task is aborted, except the timeout's one timer per
attempt when ``timeout`` is set.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from offloadsim.engine.network import no_route
from offloadsim.policies.base import Plan

if TYPE_CHECKING:
    from offloadsim.engine.context import RunContext
    from offloadsim.engine.tasks import Task
    from offloadsim.policies.base import SystemView
    from offloadsim.scenario.model import RecoverySpec

__all__ = ["Recovery", "timed_out"]

#: (task, view) -> Plan: the run's policy.
Decide = Callable[["Task", "SystemView"], Plan]
#: (task, plan): compile the plan and start it (a plan that cannot run fails the attempt).
Launch = Callable[["Task", Plan], None]


def timed_out(timeout_s: float) -> str:
    """The reason an attempt abandoned by the timeout failed."""
    return f"timed out after {timeout_s:g} s"


class Recovery:
    """The scenario's recovery rules for one run."""

    def __init__(self, spec: RecoverySpec, ctx: RunContext, view: SystemView, decide: Decide, launch: Launch):
        self.spec = spec
        self._ctx = ctx
        self._view = view
        self._decide = decide
        self._launch = launch
        self.timeout_s = spec.timeout_s
        self._attempts: list[Task] = []  # every retry and fallback attempt, for the records

    def take(self, task: Task, reason: str) -> bool:
        """Retry ``task`` (its attempt just failed with ``reason``) if the rules say so; False: it fails."""
        spec, ctx = self.spec, self._ctx
        done = task.retries
        if done < spec.retries:
            how = "same"
        elif done == spec.retries and spec.fallback != "drop":
            how = spec.fallback
        else:
            return False
        if not ctx.topology.node_up(task.source) or _processor_down(ctx, task.source):
            return False
        if how == "same" and task.plan.decided is None:
            return False
        if how == "local" and task.source not in ctx.processors:
            return False
        attempt = task.again()
        self._attempts.append(attempt)
        attempt.avoid = task.avoid | _servers(task)
        ctx.ledger.in_flight[task.id] = attempt
        delay = spec.backoff_s * (1 << done) if spec.backoff_s else 0.0
        plan = task.plan.decided
        ctx.env.timeout(delay).callbacks.append(lambda _: self._start(attempt, how, plan))
        return True

    def record(self) -> None:
        """Write each retried task's count of retries into its record (the run is over)."""
        records = self._ctx.ledger.records
        retries: dict[int, int] = {}
        for attempt in self._attempts:
            if attempt.row >= 0:  # recorded: its final attempt, and those before it (for their energy)
                retries[attempt.row] = max(retries.get(attempt.row, 0), attempt.retries)
        for row, count in retries.items():
            records.set("retries", row, count)

    def arm(self, task: Task) -> None:
        """Abandon ``task``'s current attempt if it is still running ``timeout`` from now."""
        assert self.timeout_s is not None
        fail = self._ctx.fail_task
        reason = timed_out(self.timeout_s)
        self._ctx.env.timeout(self.timeout_s).callbacks.append(lambda _: fail(task, reason))

    def _start(self, attempt: Task, how: str, plan: Any) -> None:
        """Start a retry (the same plan), or the fallback (the source, or the policy again)."""
        if self._ctx.ledger.in_flight.get(attempt.id) is not attempt:
            return  # it ended while waiting (its source went down)
        if how == "same" and (why := self._cannot_start(attempt, plan)):
            # It keeps the plan its task last ran: its record's, and the next retry's.
            previous = attempt.previous
            assert previous is not None  # an attempt links to the one before it
            attempt.plan = previous.plan
            self._ctx.fail_task(attempt, why)
            return
        if self.timeout_s is not None:
            self.arm(attempt)
        if how == "local":
            plan = Plan.run_on(attempt.source)
        elif how == "another":
            plan = self._decide(attempt, cast("SystemView", _Avoiding(self._view, attempt.avoid)))
        self._launch(attempt, plan)

    def _cannot_start(self, attempt: Task, plan: Any) -> str:
        """Why a retry of the same ``plan`` cannot start (a node of it down, or out of reach); "" if it can.

        Said here, not by the plan's check, which would word it as the policy's placement: the
        policy placed nothing now, recovery ran its plan again.
        """
        ctx, source = self._ctx, attempt.source
        for node, start, stop in plan.segments(attempt.layers):
            if stop <= start or node == source:
                continue
            if not ctx.topology.node_up(node) or _processor_down(ctx, node):
                return f"{node} is down"
            if not self._view.reachable(source, node):
                return no_route(source, node)
        return ""


def _processor_down(ctx: RunContext, node: str) -> bool:
    processor = ctx.processors.get(node)
    return processor is not None and not processor.up


def _servers(task: Task) -> frozenset[str]:
    """The nodes other than its source that the task's failed plan ran layers on."""
    return frozenset(node for node, start, stop in task.plan.segments if stop > start and node != task.source)


# Each avoiding view's up_version: below every real one (which count up from 0) and never given twice.
_AVOIDING_VERSIONS = itertools.count(-1, -1)


class _Avoiding:
    """The policy's view, with the nodes that failed a task seen as down (for the ``another`` fallback).

    Its ``up_version`` is its own: a policy that keeps answers while ``up_version`` stands (``edge``
    keeps each source's node) must not answer from what it found with the failed nodes up, nor
    keep this answer, found with them down, for the tasks after.
    """

    def __init__(self, view: SystemView, avoid: frozenset[str]):
        self._view = view
        self._avoid = avoid
        self.up_version = next(_AVOIDING_VERSIONS)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._view, name)

    def is_up(self, node: str) -> bool:
        """False for the avoided nodes, else as the view says."""
        return node not in self._avoid and self._view.is_up(node)

    def nearest(self, source: str, tier: str) -> str | None:
        """The nearest usable node of ``tier`` among those not avoided."""
        view = self._view
        hit = view.nearest(source, tier)
        if hit is None or hit not in self._avoid:
            return hit
        usable = [node for node in view.nodes(tier) if self.is_up(node) and view.reachable(source, node)]
        return min(usable, key=lambda node: view.route_latency_s(source, node), default=None)
