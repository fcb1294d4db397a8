"""What a policy's parameters name in the system, and what a policy needs of it: declared, checked up front.

A parameter that names something of the scenario carries its kind in its
type hint, so a typo is found before a run instead of in the middle of one::

    @register_policy("my-policy")
    @dataclass
    class MyPolicy:
        server: ComputingNode | None = None       # a node with a processor
        tiers: Sequence[Tier] | None = None       # tier names

A policy whose needs depend on its parameters says so in a
``requirements()`` method returning :class:`Requirement` objects (``local``
needs every source to compute; an energy objective needs the sources'
power draw).  :func:`offloadsim.scenario.policy_check.policy_warnings` checks
both against the scenario for every policy, shipped or plug-in, in
``validate`` and before ``run``, ``compare`` and ``sweep``.

>>> from typing import Optional
>>> [(path, kind.name, value) for path, kind, value in references(Optional[ComputingNode], "edge-0")]
[('', 'computing node', 'edge-0')]
>>> [(path, value) for path, _, value in references(Sequence[Station], ["$source", "edge"])]
[('[0]', '$source'), ('[1]', 'edge')]
"""

from __future__ import annotations

import collections.abc as abc
import types
import typing
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from offloadsim.field_values import FieldValues

__all__ = [
    "SOURCE",
    "ParamKind",
    "COMPUTING_NODE",
    "STATION",
    "TIER",
    "ComputingNode",
    "Station",
    "Tier",
    "Requirement",
    "RequirementsError",
    "param_kind",
    "requirements_of",
    "references",
    "is_sequence_origin",
]

SOURCE = "$source"
"""Stands for each task's own source device where a parameter is a :data:`Station`."""


@dataclass(frozen=True, eq=False, repr=False)
class ParamKind(FieldValues):
    """What a string parameter names: ``name`` is how listings and messages call it."""

    name: str


COMPUTING_NODE = ParamKind("computing node")
"""The name of one node with a processor, reachable from the tasks' sources."""
STATION = ParamKind("computing node or $source")
"""A computing node, or ``$source`` for each task's own source (which then must compute)."""
TIER = ParamKind("tier")
"""A tier name: device, edge, cloud or network."""

ComputingNode = Annotated[str, COMPUTING_NODE]
Station = Annotated[str, STATION]
Tier = Annotated[str, TIER]


# eq=False, repr=False: FieldValues's __eq__, __hash__ and __repr__ (issue 12 e: see offloadsim.field_values).
@dataclass(frozen=True, eq=False, repr=False)
class Requirement(FieldValues):
    """Something a policy, as configured, needs of the system it runs in.

    ``need`` is one of:

    * ``"sources compute"``: every task source has a processor (the policy
      runs work there);
    * ``"sources powered"``: every task source has a ``power:`` entry
      (``computing_only``: every source that has a processor);
    * ``"computing tier"``: some node of one of ``tiers`` has a processor, and some
      task source has a route to one such node (``each``: the policy uses every
      one of ``tiers`` a source reaches, so one with computing nodes that some
      or all sources cannot reach, which drops out of their plans, is a warning);
    * ``"processor"``: each of ``nodes`` (``$source``: every task source) has
      a processor called ``processor``;
    * ``"hosted"``: each application of the workload may run where the policy runs it, by its
      ``hosts``: on some computing node of one of ``tiers``, or (no ``tiers``) on its sources
      (the plan check drops every request placed on a node outside them); one that may not is
      a warning (a comparison may hold such a policy on purpose); ``or_source``: where no node of
      ``tiers`` hosts it the policy runs it on its source, which is said instead where they host it;
    * ``"layers"``: some application of the workload has at least ``layer``
      layers (the chain the engine runs): a cut beyond an application's
      layers is clamped to them, so a cut beyond every application's cuts
      nothing.  Checked where the applications are built (``validate`` and
      before every run); an application it is clamped for gets a note.

    ``param`` names the parameter that asks for it, so a message can point
    at its key path (``policy.objective``); None means the policy itself.
    ``reason`` completes the message ("runs every task on its source").
    """

    need: typing.Literal[
        "sources compute", "sources powered", "computing tier", "processor", "layers", "hosted"
    ]
    reason: str
    param: str | None = None
    tiers: tuple[str, ...] = ()
    computing_only: bool = False
    each: bool = False
    nodes: tuple[str, ...] = ()
    processor: str = ""
    layer: int = 0
    or_source: bool = False

    @staticmethod
    def sources_compute(reason: str, param: str | None = None) -> Requirement:
        """Every task source must have a processor."""
        return Requirement("sources compute", reason, param)

    @staticmethod
    def sources_powered(reason: str, param: str | None = None, computing_only: bool = False) -> Requirement:
        """Every task source (or every one that computes) must give its power draw."""
        return Requirement("sources powered", reason, param, computing_only=computing_only)

    @staticmethod
    def computing_tier(
        tiers: Sequence[str], reason: str, param: str | None = None, each: bool = False
    ) -> Requirement:
        """Some node of one of ``tiers`` must have a processor, and a task source a route to one.

        ``each``: the policy uses a node of every one of ``tiers`` a source can reach (a tier
        it cannot reach drops out of its plans), so a tier out of some sources' reach is a warning.
        """
        return Requirement("computing tier", reason, param, tiers=tuple(tiers), each=each)

    @staticmethod
    def processor_named(name: str, node: str, reason: str, param: str | None = None) -> Requirement:
        """``node`` (``$source``: every task source) must have a processor called ``name``."""
        return Requirement("processor", reason, param, nodes=(node,), processor=name)

    @staticmethod
    def hosted_on(
        tiers: Sequence[str], reason: str, param: str | None = None, or_source: bool = False
    ) -> Requirement:
        """Each application of the workload must be hosted on a node of ``tiers`` (none: its sources).

        ``or_source``: the policy runs a request on its source where no node of ``tiers`` hosts its
        application (a fallback to ``local``), so such an application is said to run there instead.
        """
        return Requirement("hosted", reason, param, tiers=tuple(tiers), or_source=or_source)

    @staticmethod
    def cut_within_layers(layer: int, reason: str, param: str | None = None) -> Requirement:
        """Some application of the workload must have at least ``layer`` layers (a cut there)."""
        return Requirement("layers", reason, param, layer=layer)


class RequirementsError(TypeError):
    """A policy's ``requirements()`` returned something else than Requirement objects (a plug-in's bug)."""


def requirements_of(policy: Any) -> tuple[Requirement, ...]:
    """What ``policy`` declares it needs (its ``requirements()``), or () if it declares nothing.

    Raises :class:`RequirementsError` when ``requirements()`` returns anything but an iterable of
    :class:`Requirement` (None, one Requirement, strings), naming the policy's class.
    """
    declared = getattr(policy, "requirements", None)
    if not callable(declared):
        return ()
    said = declared()
    items = tuple(said) if isinstance(said, Iterable) and not isinstance(said, str | Requirement) else None
    if items is None or not all(isinstance(item, Requirement) for item in items):
        cls = type(policy)
        wrong = said if items is None else next(item for item in items if not isinstance(item, Requirement))
        raise RequirementsError(
            f"({cls.__module__}.{cls.__qualname__}) requirements() returned {wrong!r}"
            + (f" in {said!r}" if items is not None else "")
            + "; expected a tuple of Requirement objects (Requirement.sources_compute(...), ...; () for none)"
        )
    return items


def param_kind(hint: Any) -> ParamKind | None:
    """The kind a type hint declares (anywhere inside it), or None.

    >>> param_kind(Sequence[Tier] | None).name
    'tier'
    >>> param_kind(int) is None
    True
    """
    if typing.get_origin(hint) is Annotated:
        found = [m for m in typing.get_args(hint)[1:] if isinstance(m, ParamKind)]
        if found:
            return found[0]
    for arg in typing.get_args(hint):
        kind = param_kind(arg)
        if kind is not None:
            return kind
    return None


def references(hint: Any, value: Any, path: str = "") -> Iterator[tuple[str, ParamKind, str]]:
    """``(sub_path, kind, name)`` for every string in ``value`` that ``hint`` declares a kind for.

    ``sub_path`` is relative to the parameter (``""`` or ``"[2]"``).  Values
    that do not fit the hint yield nothing: type errors are reported elsewhere.
    """
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is Annotated:
        kinds = [m for m in args[1:] if isinstance(m, ParamKind)]
        if kinds and isinstance(value, str):
            yield path, kinds[0], value
        elif not kinds:
            yield from references(args[0], value, path)
        return
    if origin is typing.Union or origin is types.UnionType:
        for arg in args:
            found = list(references(arg, value, path))
            if found:
                yield from found
                return
        return
    if origin is not None and args and isinstance(value, list | tuple) and is_sequence_origin(origin):
        for i, item in enumerate(value):
            yield from references(args[0], item, f"{path}[{i}]")


def is_sequence_origin(origin: Any) -> bool:
    """Whether a generic's origin (``list``, ``Sequence`` ...) stands for a YAML list."""
    return origin in (list, tuple, abc.Sequence, abc.MutableSequence, abc.Iterable, abc.Collection)
