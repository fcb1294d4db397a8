"""Dropping stale requests: the applications with ``late: drop``, and the reason their dropped tasks give.

A request of such an application whose deadline has passed when it would start a stage (at the
head of a queue, before a transfer or a compute starts) is ended ``dropped`` instead, so the work
it would have done is not done and the queue behind it moves up.  The kernel checks it only for
the kinds of work whose steps it walks itself (model and synthetic work); the scenario refuses
``late: drop`` on the others (:func:`offloadsim.scenario.resolve`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["dropping_late", "past_deadline"]


def dropping_late(apps: Mapping[str, Any], walks_only: Callable[[str], bool]) -> frozenset[str] | None:
    """The names of ``apps`` (the world's) whose stale requests are dropped; None where there are none.

    ``walks_only(name)`` says whether the kernel walks that application's steps itself.  None, not
    an empty set, so the kernel's check costs one comparison with the action off.
    """
    names = frozenset(name for name, app in apps.items() if app.spec.late == "drop" and walks_only(name))
    return names or None


def past_deadline(node: str) -> str:
    """The reason of a task dropped because its deadline had passed as it would start a stage at ``node``."""
    return f"past deadline at {node}"
