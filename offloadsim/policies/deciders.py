"""Who decided: the run's policy, or a composite's inner one, as every fault's line names it.

A policy's fault ends a run with one line naming the policy: it raised, returned no Plan, changed
its task, ran past ``--policy-timeout``, or gave a plan the engine refuses.  Under a composite
(``by-group``) the line names the inner policy that decided, not the composite, with what it was
deciding: ``policy "bad-app" (by-group's policy of group "old-phone") (module.Class) raised ...``.
Each of those lines (``engine/policy_faults``, ``policy_guard``, ``policy_watch``, ``planning``,
``simulation``, :func:`~offloadsim.policies.base.validate_plan`, :mod:`~offloadsim.policies.faults`)
asks one object a run holds, its :class:`Decider`, and formats no name of its own.

The decider is told, as a run goes, what a composite's inner policies are asked about (the engine's
seats set its ``source`` and ``deciding`` as an inner policy decides, its ``serves`` as one is
reset: attribute stores, no allocation), and whose plan the composite gave: the engine asks a
composite run's policy through :func:`~offloadsim.engine.inner_policies.composite_decide`, which
says a plan of its own (none of an inner policy passed on) was the composite's.  It builds a name
only when a line is written.  How an
inner policy is worded is the composite's own: its ``inner_said(inner, name, group)``, defined in
its module (by-group's ``policy of group "old-phone"``); a composite without one gets
``"inner" (NAME's inner policy)``.
So a new composite (a cascade, a learned policy with a fallback) words its inner policies in its
own module and no other.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from offloadsim.plugins import dotted_name
from offloadsim.suggest import quoted

__all__ = ["PLAIN", "Decider", "deciding"]


def deciding(policy: object, name: str) -> Iterator[tuple[object, str]]:
    """``policy`` (run as ``name``) and every inner policy of it, at any depth, each with its name."""
    yield policy, name
    for delegate in getattr(policy, "delegates", None) or ():
        yield from deciding(delegate.policy, delegate.name)


class Decider:
    """The run's policy, and what a composite's inner policies were last asked about, for a fault's line.

    ``policy``: the run's policy, run as ``name``; ``group``: a node's group (``view.group``), for
    the group of the task an inner policy was asked about; ``inner``: the name of the innermost
    inner policy deciding a group's tasks (None: none; the engine's ``deciding_name``).
    ``source``: the source of the task an inner policy was last asked to decide (None: none yet, or
    one is being reset), ``deciding``: that inner policy's name (the innermost, the last asked);
    ``serves``: the groups of the inner policy being reset (None: the default's).  ``given``: each
    plan an inner policy returned in this decision, with the name of the first that returned it
    (:meth:`giver`): what tells a plan a composite passed on from one it made itself, and names
    the stage that made it where a cascade asked several and gave an earlier one's; ``deciding``
    None while ``source`` is the task's: the run's composite decided it itself.
    """

    __slots__ = ("deciding", "given", "group", "inner", "name", "policy", "serves", "source")

    def __init__(
        self,
        policy: object,
        name: str,
        group: Callable[[str], str] | None = None,
        inner: Callable[[str], str | None] | None = None,
    ):
        self.policy = policy
        self.name = name
        self.group = group
        self.inner = inner
        self.source: str | None = None
        self.deciding: str | None = None
        self.serves: tuple[str, ...] | None = None
        self.given: list[tuple[object, str]] = []

    def giver(self, plan: object, name: str | None) -> str | None:
        """Who gave ``plan`` in this decision: the first inner policy that returned it, else ``name``.

        ``name``: the policy that returned it now (an inner one, kept as its giver; None: the run's
        composite, as its own plan).  A plan is told by identity: an inner composite passing on its
        stage's plan, or a cascade giving an earlier stage's after asking a later one, names the stage.
        """
        for each, giver in self.given:
            if each is plan:
                return giver
        if name is not None:
            self.given.append((plan, name))
        return name

    def said(self, policy: object, name: str) -> str:
        """``policy`` (run as ``name``) as a fault's line names it, quoted.

        The run's own, or any outside a composite: ``"edge"``.  A composite's inner one, with what
        it was deciding, as the composite words it: the group of the task it was last asked about,
        or, being reset before any task, the one group it is given for (None: several, or the
        default's): ``"bad-app" (by-group's policy of group "old-phone")``.
        """
        if policy is self.policy or not getattr(self.policy, "delegates", None):
            return quoted(name)
        if self.source is not None and self.group is not None:
            group: str | None = self.group(self.source)
        else:
            serves = self.serves
            group = serves[0] if serves and len(serves) == 1 else None
        return self._inner(name, group)

    def named(self, policy: object, name: str) -> str:
        """``policy "NAME" (module.Class)``: :meth:`said` with the policy's class, as the lines begin."""
        return f"policy {self.said(policy, name)} ({dotted_name(type(policy))})"

    def of_source(self, source: str) -> str:
        """The policy that decides ``source``'s tasks, as a line of a plan the engine refuses names it.

        The run's policy, quoted; for a composite, the inner policy that gave the plan, as the
        composite words it: the one last asked to decide a task of ``source`` (a plan is compiled
        as it is decided: the innermost, the last stage of a cascade that asked several), or the
        composite itself where the plan was its own (``deciding`` None: it asked none, or made
        another plan than theirs), else the innermost one deciding the source's group (``inner``).
        A group no inner policy decides (refused before a run) names the run's policy.
        """
        if self.group is None or not getattr(self.policy, "delegates", None):
            return quoted(self.name)
        group = self.group(source)
        if self.source == source:
            inner = self.deciding
        else:
            inner = self.inner(group) if self.inner is not None else None
        return quoted(self.name) if inner is None else self._inner(inner, group)

    def _inner(self, inner: str, group: str | None) -> str:
        """Inner policy ``inner`` deciding for ``group``, in the run's composite's words."""
        words = getattr(self.policy, "inner_said", None)
        if words is None:
            return f"{quoted(inner)} ({self.name}'s inner policy)"
        return str(words(inner, self.name, group))


#: The decider of a line outside a run (a scenario check, a test): every policy named plainly.
PLAIN = Decider(None, "")
