"""End a run whose plug-in policy changed the task it was asked about: one line, not a wrong record.

``decide(task, view)`` hands a policy the engine's own task object, whose fields the records are
written from.  A plug-in that wrote to it (``task.deadline = 0``, ``task.source = "edge"``, its
``flops``) ran on without a word: the run's records then reported the policy's values as the
request's (a source that never sent it, a deadline nobody set, compute time 0) and the summary was
computed from them.  The view is read-only; the task is now held to the same rule, for plug-in
policies only: :func:`decide_of` wraps a plug-in's ``decide`` so that every field of the task is
compared after the call with what it was before, and a change ends the run with a
:class:`PolicyChangedTask` naming the policy, the field and both values (exit 2).  A shipped
policy's ``decide`` is handed back as it is: nothing is added to its path.

This module is pure Python, never compiled by mypyc (``pyproject.toml``'s list).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import Any

from offloadsim.engine.policy_faults import PolicyFailed
from offloadsim.engine.tasks import TASK_FIELDS, Task
from offloadsim.plugins import shipped_module
from offloadsim.policies.base import Plan, SystemView, no_plan
from offloadsim.policies.deciders import PLAIN, Decider
from offloadsim.suggest import counted, quoted

__all__ = ["PolicyChangedTask", "PolicyReturnedNoPlan", "decide_of"]

Decide = Callable[[Task, SystemView], Plan]


class PolicyChangedTask(PolicyFailed):
    """A plug-in policy wrote to the task it was asked about: the run ended before a record said it.

    No exception of the policy's lies behind it, so ``--debug`` has no traceback to add.
    """

    show_cause_with_debug = False


class PolicyReturnedNoPlan(PolicyFailed):
    """A plug-in policy's ``decide`` returned no Plan: said naming the policy and its class (exit 2)."""

    show_cause_with_debug = False


def decide_of(policy: Any, name: str, now_s: Callable[[], float], decider: Decider = PLAIN) -> Decide:
    """``policy.decide``, or for a plug-in policy a ``decide`` that refuses a change to the task.

    ``name``: the policy as the run names it; ``now_s``: the simulated time, for the line;
    ``decider``: the run's, which names it in the line (a composite's inner one with its task's group).
    """
    decide: Decide = policy.decide
    if shipped_module(type(policy).__module__):
        return decide
    fields = tuple(TASK_FIELDS)  # not Task.__slots__: a class compiled by mypyc has none
    read = attrgetter(*fields)

    def checked(task: Task, view: SystemView) -> Plan:
        before = read(task), _contents(task.flops), _contents(task.cut_bytes)
        plan = decide(task, view)
        if not isinstance(plan, Plan):  # named with its class, as its other faults are
            raise PolicyReturnedNoPlan(no_plan(plan, decider.named(policy, name)))
        if (read(task), _contents(task.flops), _contents(task.cut_bytes)) != before:
            changed = _changed(decider.named(policy, name), now_s(), task, fields, before)
            if changed is not None:
                raise PolicyChangedTask(changed)
        return plan

    return checked


def _contents(values: Sequence[float]) -> tuple[Any, ...]:
    """What a sequence of the task holds, so that a change made in place is seen (a tuple is itself)."""
    return values if isinstance(values, tuple) else tuple(values)


def _changed(
    named: str,
    now: float,
    task: Task,
    fields: tuple[str, ...],
    before: tuple[tuple[Any, ...], tuple[Any, ...], tuple[Any, ...]],
) -> str | None:
    """The line: which of the task's fields the policy changed, from what to what; None: none did.

    ``named``: the policy as the line begins, ``policy "NAME" (module.Class)`` (``Decider.named``).
    """
    values, flops, cut_bytes = before
    was = dict(zip(fields, values, strict=True))
    was["flops"], was["cut_bytes"] = flops, cut_bytes
    field = next((f for f in fields if _differs(was[f], getattr(task, f))), None)
    if field is None:  # only a NaN written over a NaN: nothing the records read changed
        return None
    return (
        f"{named} changed the task it was given in "
        f"decide() at simulated time {now:.6g} s: task {was['id']}'s {field} was "
        f"{_shown(was[field])}, then {_shown(getattr(task, field))}; a policy reads the task and "
        "returns a Plan, it may not change the task (its record would report what the policy wrote)"
    )


def _differs(old: Any, new: Any) -> bool:
    if old is new:
        return False
    if isinstance(old, Sequence) and not isinstance(old, str) and isinstance(new, Sequence):
        return tuple(old) != tuple(new)
    both_nan = isinstance(old, float) and isinstance(new, float) and math.isnan(old) and math.isnan(new)
    return not both_nan and bool(old != new)


def _shown(value: Any) -> str:
    """A field's value, short: a name quoted, a number as it reads, a sequence by its length."""
    if isinstance(value, str):
        return quoted(value)
    if isinstance(value, bool | int | float) or value is None:
        return f"{value:.6g}" if isinstance(value, float) else str(value)
    if isinstance(value, Sequence):
        return f"{counted(len(value), 'value')}, the first {_shown(value[0])}" if value else "no values"
    return type(value).__name__
