"""End a run whose plug-in policy raised with one line naming the policy and its code, not the engine.

An exception in a user's ``decide`` or ``reset`` would otherwise surface as
the engine's: an "internal error" with a traceback through the kernel, or,
from Python, an ``IndexError`` that names no policy.  :func:`blame_policy`
reads the traceback after the run stopped (nothing is added to the hot
path; the reading is :mod:`offloadsim.policies.faults`'s).
"""

from __future__ import annotations

from offloadsim.engine.errors import EngineError
from offloadsim.policies.base import PlanError
from offloadsim.policies.deciders import PLAIN, Decider
from offloadsim.policies.faults import describe_failure, raised_in_policy

__all__ = ["PolicyFailed", "blame_policy"]


class PolicyFailed(EngineError):
    """A plug-in policy raised while running: the policy's bug, not the engine's.

    The command line shows its one line (exit 2) and, with ``--debug``, the
    traceback of the policy's exception (chained as its ``__cause__``).
    """

    show_cause_with_debug = True


def blame_policy(
    error: BaseException, policy: object, name: str, now_s: float, decider: Decider = PLAIN
) -> EngineError | None:
    """The error to raise instead of ``error`` if ``policy`` (run as ``name``) caused it, else None.

    ``PlanError`` raised in any policy's code (a scenario it cannot serve)
    becomes an ``EngineError`` with its message.  Another exception raised in
    the code of a policy not shipped with offloadsim becomes
    :class:`PolicyFailed`; a shipped policy's stays what it is, a bug.  An inner policy of a
    composite (its ``delegates``, ``by-group``'s) is blamed the same way, named by the run's
    ``decider`` with what it was deciding (the group of the task it was asked about).
    """
    if isinstance(error, EngineError | MemoryError) or not isinstance(error, Exception | SystemExit):
        return None
    if isinstance(error, PlanError):
        return EngineError(str(error)) if raised_in_policy(error, policy) else None
    message = describe_failure(error, policy, name, f" at simulated time {now_s:.6g} s", decider)
    if message is not None:
        return PolicyFailed(message)
    for delegate in getattr(policy, "delegates", None) or ():  # a composite's inner plug-in (by-group)
        blamed = blame_policy(error, delegate.policy, delegate.name, now_s, decider)
        if blamed is not None:
            return blamed
    return None
