"""A policy per group of sources: each source's tasks go to the policy named for its group.

A scenario's fleet is often groups made with ``count:`` (old phones and new ones); ``by-group``
lets each group have its own shipped or plug-in policy without writing a plug-in::

    policy: {name: by-group, groups: {old-phone: edge, new-phone: {name: local}}, default: edge}

A group's name is its ``count:`` entry's key; a node without ``count`` is a group of its own,
named as the node.  Sources of no group named take ``default``.  The inner policies are built
by the registry as any scenario's policy is (their parameters checked), each keeps its own
caches, and each is reset at the start of every run.  What the scenario check needs of them
(the groups exist, every source has a policy, each inner policy's own needs, over its group's
sources alone) it reads from :attr:`ByGroupPolicy.delegates`.

The engine puts every inner policy in the guards it puts around a run's own (a plug-in's check
that it left its task as it was and returned a Plan, ``--policy-timeout``) and hands each its own
random stream, keyed by where it is given: policies/ cannot import the engine, so the engine
seats them (:meth:`ByGroupPolicy.seat`), each inner policy wrapped, for one run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from offloadsim.policies.base import (
    Placement,
    Plan,
    PlanError,
    Policy,
    SystemView,
    TaskView,
    placement_of,
    reset_policy,
)
from offloadsim.policies.registry import (
    MissingPolicyParams,
    PolicyParamError,
    UnknownPolicyError,
    make_policy,
    register_policy,
)
from offloadsim.suggest import quoted

__all__ = ["ByGroupPolicy", "Delegate", "delegate_for", "innermost_delegate"]

#: An inner policy as a scenario gives it: its name, or a mapping with ``name`` and its parameters.
InnerSpec = str | Mapping[str, Any]


class Delegate(NamedTuple):
    """One inner policy of a composite: where it was given and whose tasks it decides.

    ``at``: its key under ``policy`` (``("groups", "old-phone")``, ``("default",)``); ``short``:
    given as a bare name (its name's key path is ``at`` itself, else ``at`` + ``name``);
    ``groups``: the source groups it serves, None for every source of no group named.
    """

    at: tuple[str, ...]
    short: bool
    name: str
    params: Mapping[str, Any]
    groups: tuple[str, ...] | None
    policy: Policy


@register_policy("by-group")
@dataclass(eq=False)
class ByGroupPolicy:
    """Give each group of sources its own policy (a group: a count: entry, or a node by its name).

    Parameters
    ----------
    groups : mapping
        Group name -> policy, a name (``edge``) or a mapping with ``name`` and its parameters
        (``{name: edge, fallback: drop}``).
    default : str | mapping | None
        The policy of sources in no group named; without it every task source's group must be named.

    """

    groups: Mapping[str, Any]  # each value an InnerSpec, checked in __post_init__ to name its key
    default: InnerSpec | None = None
    _members: dict[str, Policy] = field(default_factory=dict, init=False, repr=False)
    _fallback: Policy | None = field(default=None, init=False, repr=False)
    _delegates: tuple[Delegate, ...] = field(default=(), init=False, repr=False)
    _chosen: dict[str, Policy | None] = field(default_factory=dict, init=False, repr=False)
    _seated: tuple[Policy, ...] = field(default=(), init=False, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.groups, Mapping) or not self.groups:
            raise PolicyParamError(
                'policy "by-group": groups must be a mapping of group name to policy, '
                f"such as {{old-phone: edge}}, got {self.groups!r:.60}",
                "groups",
            )
        delegates = [
            _delegate(("groups", str(group)), spec, (str(group),)) for group, spec in self.groups.items()
        ]
        if self.default is not None:
            delegates.append(_delegate(("default",), self.default, None))
        self._delegates = tuple(delegates)
        self.seat(None)

    @property
    def delegates(self) -> tuple[Delegate, ...]:
        """The inner policies, each with the groups it serves (the scenario check reads them)."""
        return self._delegates

    def seat(self, wrap: Callable[[Delegate], Policy] | None) -> None:
        """Decide and reset through ``wrap(delegate)`` for each inner policy (None: each as it is).

        The engine's seam: it seats each inner policy in the guards of a run's own policy, and on
        its own stream, before the run and lets them go after it (``engine/policy_guard.py``).
        """
        self._seated = tuple(d.policy if wrap is None else wrap(d) for d in self._delegates)
        seated = zip(self._delegates, self._seated, strict=True)
        self._members, self._fallback = {}, None
        for delegate, policy in seated:
            if delegate.groups is None:
                self._fallback = policy
            else:
                self._members[delegate.at[1]] = policy
        self._chosen = {}

    def inner_said(self, inner: str, name: str, group: str | None) -> str:
        """Inner policy ``inner`` of this composite (run as ``name``) as a fault's line names it.

        ``group``: the group of the task it was deciding (None: being reset as the default):
        ``"bad-app" (by-group's policy of group "old-phone")``, ``"edge" (by-group's default)``.
        The run's decider asks (:class:`~offloadsim.policies.deciders.Decider`).
        """
        of = f"policy of group {quoted(group)}" if group is not None else "default"
        return f"{quoted(inner)} ({name}'s {of})"

    @property
    def may_place(self) -> Placement | None:
        """Wherever any inner policy may place; None (anywhere) if one of them says nothing."""
        places = [placement_of(d.policy) for d in self._delegates]
        if any(place is None for place in places):
            return None
        return Placement(
            source=any(p.source for p in places if p is not None),
            nodes=tuple(dict.fromkeys(n for p in places if p is not None for n in p.nodes)),
            tiers=tuple(dict.fromkeys(t for p in places if p is not None for t in p.tiers)),
        )

    def reset(self, view: SystemView) -> None:
        """A new run: reset every inner policy and forget which one each source had."""
        self._chosen = {}
        for policy in self._seated:
            reset_policy(policy, view)

    def decide(self, task: TaskView, view: SystemView) -> Plan:
        """The plan of the policy named for the group of ``task.source`` (else ``default``)."""
        source = task.source
        try:
            policy = self._chosen[source]
        except KeyError:
            policy = self._chosen[source] = self._members.get(view.group(source), self._fallback)
        if policy is None:
            raise PlanError(
                f'policy "by-group": source {quoted(source)} (group {quoted(view.group(source))}) '
                "is in no group named and there is no default"
            )
        return policy.decide(task, view)


def delegate_for(policy: object, group: str) -> Delegate | None:
    """The inner policy of a composite ``policy`` (its ``delegates``) that decides ``group``'s tasks.

    The one naming the group, else the default; None for a group with neither (refused before a
    run), or a policy that is no composite.  Read by the engine (which inner policy decided, and
    whose fault a plan is) and the world's notes (an inner ``edge``'s tie).
    """
    delegates: tuple[Delegate, ...] = getattr(policy, "delegates", None) or ()
    named = (d for d in delegates if d.groups is not None and group in d.groups)
    return next(named, next((d for d in delegates if d.groups is None), None))


def innermost_delegate(policy: object, group: str) -> Delegate | None:
    """The innermost inner policy that decides ``group``'s tasks, through composites in composites."""
    found = None
    while (delegate := delegate_for(policy, group)) is not None:
        found, policy = delegate, delegate.policy
    return found


def _delegate(at: tuple[str, ...], spec: object, groups: tuple[str, ...] | None) -> Delegate:
    """Build the inner policy given at ``at``; a bad one is a PolicyParamError with its key path."""
    where = ".".join(at)
    if isinstance(spec, str):
        name, params, short = spec, {}, True
    elif isinstance(spec, Mapping) and isinstance(spec.get("name"), str):
        name, short = spec["name"], False
        params = {key: value for key, value in spec.items() if key != "name"}
    else:
        raise PolicyParamError(
            f'policy "by-group": {where} must be a policy, its name (edge) or a mapping with name '
            f"and its parameters ({{name: edge, fallback: drop}}), got {spec!r:.60}",
            at[0],
            at if not isinstance(spec, Mapping) else (*at, "name"),
        )
    name_at = at if short else (*at, "name")
    try:
        policy = make_policy(name, params)
    except UnknownPolicyError as error:
        raise PolicyParamError(f'policy "by-group": {where}: {error}', at[0], name_at) from None
    except PolicyParamError as error:
        if isinstance(error, MissingPolicyParams):  # it goes in the inner policy's mapping
            inner = at
        else:
            inner = (*at, error.param) if error.param is not None and error.param in params else name_at
        raise PolicyParamError(f'policy "by-group": {where}: {error}', at[0], inner) from None
    return Delegate(at, short, name, params, groups, policy)
