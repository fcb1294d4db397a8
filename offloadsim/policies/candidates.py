"""Helpers the shipped policies share: which nodes a task may go to.

What can compute and which tier a node belongs to do not change during a run,
so policies cache them until their next ``reset``; whether a node is up and
reachable can change (faults), so it is asked of the view at every decision.
"""

from __future__ import annotations

from collections.abc import Sequence

from offloadsim.policies.base import PlanError, SystemView
from offloadsim.suggest import quoted

__all__ = ["normalise_tiers", "computing_nodes", "usable", "candidates", "processor_choices"]


def normalise_tiers(tiers: Sequence[str] | None) -> tuple[str, ...] | None:
    """``tiers`` as a tuple of names (None: every tier); ValueError if it is not a list of names.

    >>> normalise_tiers(["edge", "cloud"])
    ('edge', 'cloud')
    >>> normalise_tiers("edge")
    Traceback (most recent call last):
    ...
    ValueError: tiers must be a list of tier names, e.g. [edge, cloud], got "edge"
    """
    if tiers is None:
        return None
    if isinstance(tiers, str | bytes) or not all(isinstance(t, str) and t for t in tiers):
        raise ValueError(f"tiers must be a list of tier names, e.g. [edge, cloud], got {quoted(tiers)}")
    if not tiers:
        raise ValueError("tiers must name at least one tier (omit it to allow every tier)")
    return tuple(tiers)


def computing_nodes(view: SystemView, tiers: tuple[str, ...] | None, policy: str) -> tuple[str, ...]:
    """Nodes that can compute, in the view's order, restricted to ``tiers``.

    Raises PlanError when there are none: that is a scenario error, not bad luck.
    """
    every = view.nodes()
    chosen = every if tiers is None else tuple(n for n in every if view.tier(n) in tiers)
    if not chosen:
        present = sorted({view.tier(n) for n in every})
        wanted = "any tier" if tiers is None else f"tiers {list(tiers)}"
        raise PlanError(
            f"policy {quoted(policy)}: the system has no computing node in {wanted}; "
            f"tiers with computing nodes: {present}"
        )
    return chosen


def usable(view: SystemView, source: str, node: str) -> bool:
    """Whether a stage could be sent from ``source`` to ``node`` now."""
    return view.is_up(node) and view.reachable(source, node)


def candidates(view: SystemView, source: str, nodes: Sequence[str]) -> list[str]:
    """Those of ``nodes`` that are up and reachable from ``source`` now, in order."""
    return [n for n in nodes if usable(view, source, n)]


def processor_choices(view: SystemView, node: str) -> tuple[str | None, ...]:
    """``node``'s processors for a policy to price, its first as None: ``(None,)`` for a node with one.

    None asks the view about the first as a node with one processor is asked (no ``processor``
    argument), so a node with one costs no call more; a view without ``processors`` (a test's)
    has one a node.
    """
    named = getattr(view, "processors", None)
    names = named(node) if named is not None else ()
    return (None, *names[1:])
