"""A composite policy's inner policies under the run's guards, each on a random stream of its own.

A run wraps its policy, a plug-in's, in the checks of :mod:`~offloadsim.engine.policy_guard` (it
left its task as it was, it returned a Plan) and watches it with ``--policy-timeout``
(:mod:`~offloadsim.engine.policy_watch`).  A composite (``by-group``) calls inner policies the
registry built, which the engine never saw: policies/ cannot import the engine.  So a composite
exposes them (its ``delegates``) and takes a wrapper (its ``seat``); before a run the engine seats
each inner policy wrapped here, checked as the run's own would be and handed a view whose ``rng``
is its own stream, keyed by the run's policy and where the inner one is given
(``policy``, ``by-group``, ``groups``, ``old-phone``): an inner ``random`` draws for its group
alone, whatever the other groups' policies draw.  After the run they are let go.  A fault of an
inner policy's own (it raised, returned no Plan, ran past ``--policy-timeout``) is said naming it
with the group of the task it was asked about, as the engine's plan faults are: each seated inner
policy tells the run's :class:`~offloadsim.policies.deciders.Decider` what it is asked about, and
the lines ask the decider; the run's own composite is asked through :func:`composite_decide`, so
that a plan it made itself is named as its own, not as the inner policy asked before.

This module is pure Python, never compiled by mypyc (``pyproject.toml``'s list).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, cast

import numpy as np

from offloadsim.engine.errors import EngineError
from offloadsim.engine.policy_guard import decide_of
from offloadsim.plugins import shipped_module
from offloadsim.policies.base import (
    InfeasiblePlan,
    Plan,
    PlanError,
    Policy,
    SystemView,
    TaskView,
    reset_policy,
    validate_plan,
)
from offloadsim.policies.deciders import Decider

__all__ = ["composite_decide", "deciding_name", "inner_of_groups", "seat_inner", "unseat_inner"]

#: A policy's ``decide`` as the engine calls it (on its own task, which a policy reads as a TaskView).
Decide = Callable[[Any, SystemView], Plan]

#: The stream of the inner policy given at a key path under ``policy`` (``("groups", "old-phone")``).
StreamOf = Callable[[tuple[str, ...]], np.random.Generator]


def inner_of_groups(policy: object, groups: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Each of ``groups`` (the run's task sources') -> the inner policy that decides its tasks.

    ``{"old-phone": {"name": "edge", "params": {}}, ...}``, sorted by group, for a composite policy
    (its ``delegates``: the one naming the group, else its default; a group with neither is left
    out, refused before a run); ``{}`` for any other.  A run's manifest keeps it as ``policy.inner``.
    """
    if not getattr(policy, "delegates", None):
        return {}
    from offloadsim.policies.grouped import delegate_for  # a composite's module: not a run of another's

    found: dict[str, dict[str, Any]] = {}
    for group in sorted(set(groups)):
        delegate = delegate_for(policy, group)
        if delegate is not None:
            found[group] = {"name": delegate.name, "params": dict(delegate.params)}
    return found


def deciding_name(policy: object, group: str) -> str | None:
    """The name of the innermost policy of a composite ``policy`` deciding ``group``; None: no composite."""
    if not getattr(policy, "delegates", None):
        return None
    from offloadsim.policies.grouped import innermost_delegate  # a composite's module: not a run of another's

    inner = innermost_delegate(policy, group)
    return None if inner is None else inner.name


def seat_inner(
    policy: object, now_s: Callable[[], float], view: SystemView, stream_of: StreamOf, decider: Decider
) -> None:
    """Seat each inner policy of a composite ``policy`` guarded, on its own stream (no composite: nothing).

    ``now_s``: the simulated time, for the guards' lines; ``view``: the run's view, which each
    inner policy reads with its own ``rng``; ``decider``: the run's, told what each inner policy is
    asked about (a decision's task's source, the groups of one being reset), so that a fault's line
    (the blame of its exception, the guards', ``--policy-timeout``'s) names it with its group.
    """
    seat = getattr(policy, "seat", None)
    if seat is None or not getattr(policy, "delegates", None):
        return

    def wrap(delegate: Any) -> Policy:
        at: tuple[str, ...] = delegate.at
        decide = decide_of(delegate.policy, delegate.name, now_s, decider)
        if not shipped_module(type(delegate.policy).__module__):
            decide = _plan_checked(decide, delegate.name, decider)
        seated = _Seated(delegate, decide, view, stream_of(at), decider)
        seat_inner(delegate.policy, now_s, seated.own, lambda deeper: stream_of((*at, *deeper)), decider)
        return seated

    seat(wrap)


def _plan_checked(decide: Decide, name: str, decider: Decider) -> Decide:
    """``decide``, whose plan is refused naming the inner plug-in, as the run's own policy's would be.

    The engine checks a plan as it compiles it, naming the run's policy (``by-group``); a plan no
    policy may return (a node that cannot compute, cuts out of order) is refused here first, in the
    line the plug-in gets as the run's policy.  One the world makes infeasible (a node out of reach)
    is left to the engine: the task is dropped with its reason, as any policy's.  So is a plan that
    serves the request with another application (``Plan.app``): the engine checks it is one of the
    task's alternatives, naming the inner policy (``Decider.of_source``), before the task is that
    application's, whose layers its cuts are checked against.  ``decider``: names it in the line.
    """

    def checked(task: Any, view: SystemView) -> Plan:
        plan = decide(task, view)
        if getattr(plan, "app", None) not in (None, task.app):
            return plan
        try:
            validate_plan(plan, task, view, name, decider)
        except InfeasiblePlan:
            pass
        except PlanError as error:
            raise EngineError(str(error)) from None
        return plan

    return checked


def composite_decide(policy: object, decide: Decide, decider: Decider) -> Decide:
    """``decide`` of the run's ``policy``, telling ``decider`` who decided each task; no composite: itself.

    A composite may decide a task itself (a cascade's own plan where every stage rejects it)
    after an inner policy decided an earlier one of the source: a plan of its own, refused, is
    its fault, not that inner policy's, which the decider would still hold.  So each decision
    starts with none asked, and ends naming the inner policy that gave its plan (a cascade that
    asked every stage and gave an earlier one's names that one, not the last asked), or the
    composite where its plan is none an inner policy gave (``Decider.giver``): for a composite's
    runs only.
    """
    if not getattr(policy, "delegates", None):
        return decide

    def decided(task: Any, view: SystemView) -> Plan:
        decider.source, decider.deciding = task.source, None
        decider.given.clear()
        plan = decide(task, view)
        decider.deciding = decider.giver(plan, None)  # None: its own, not an inner policy's passed on
        return plan

    return decided


def unseat_inner(policy: object) -> None:
    """Let a composite's inner policies go after a run: each decides as it is again, holding no run."""
    seat = getattr(policy, "seat", None)
    if seat is None or not getattr(policy, "delegates", None):
        return
    seat(None)
    for delegate in policy.delegates:  # type: ignore[attr-defined]
        unseat_inner(delegate.policy)


class _Seated:
    """An inner policy as its composite calls it: through its guarded ``decide``, on its own stream."""

    __slots__ = ("_decide", "_decider", "_groups", "_name", "_view", "own", "policy")

    def __init__(
        self, delegate: Any, decide: Decide, view: SystemView, rng: np.random.Generator, decider: Decider
    ):
        self.policy = delegate.policy
        self._name = delegate.name  # the decider names it in the line of a plan the engine refuses
        self._decide = decide
        self._view = view  # the view the composite is handed in a decision (the run's, or its parent's)
        self.own = cast(SystemView, _OwnStream(view, rng))
        self._decider = decider  # told each task's source as it is decided: a fault's line names its group
        self._groups = delegate.groups  # its group (None: the default's), said of a reset's fault

    def decide(self, task: TaskView, view: SystemView) -> Plan:
        """The inner policy's plan, checked as a run's own policy's, read with its own ``rng``.

        On ``view`` as the composite was handed it: the run's, or another a decision is asked on
        (recovery's, with the nodes that failed a task seen as down), with the stream swapped in.
        """
        own = self.own if view is self._view else cast(SystemView, _OwnStream(view, self.own.rng))
        decider = self._decider
        decider.source, decider.deciding = task.source, self._name
        plan = self._decide(task, own)
        # its own, or an inner one's passed on (an inner composite's stage's): who gave it decided
        decider.deciding = decider.giver(plan, self._name)
        return plan

    def reset(self, view: SystemView) -> None:
        """Reset the inner policy on its own view (its stream, the run's everything else)."""
        decider = self._decider
        decider.source, decider.deciding, decider.serves = None, None, self._groups
        reset_policy(cast(Policy, self.policy), self.own)


class _OwnStream:
    """The run's view with another ``rng``: every other attribute is read from the run's, live."""

    __slots__ = ("_rng", "_view")

    def __init__(self, view: SystemView, rng: np.random.Generator):
        self._view = view
        self._rng = rng

    @property
    def rng(self) -> np.random.Generator:
        """The inner policy's own random stream."""
        return self._rng

    def __getattr__(self, name: str) -> Any:
        return getattr(self._view, name)
