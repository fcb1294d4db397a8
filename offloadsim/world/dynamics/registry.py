"""Kinds of timed change by name: the scenario's ``dynamics:`` entries are read through here.

``link-schedule`` is built in; a new kind is one module defining a
:class:`~offloadsim.world.dynamics.base.DynamicsKind` plus one
:func:`register_dynamics` call (a plug-in makes it from its own package).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from offloadsim.scenario.errors import describe
from offloadsim.suggest import did_you_mean
from offloadsim.world.dynamics.base import Dynamics, DynamicsError, DynamicsKind, SpecReader
from offloadsim.world.dynamics.link_schedule import LinkSchedule

if TYPE_CHECKING:
    from offloadsim.scenario.model import Scenario

__all__ = ["dynamics_kinds", "parse_dynamics", "register_dynamics", "unregister_dynamics"]

_KINDS: dict[str, DynamicsKind] = {}


def register_dynamics(kind: DynamicsKind) -> None:
    """Make ``kind`` available to scenarios as ``dynamics: [{kind: <kind.name>, ...}]``."""
    if kind.name in _KINDS:
        raise ValueError(f"a kind of dynamics named {kind.name!r} is already registered")
    _KINDS[kind.name] = kind


def unregister_dynamics(name: str) -> None:
    """Forget a registered kind (tests and plug-ins that clean up after themselves)."""
    _KINDS.pop(name, None)


def dynamics_kinds() -> list[str]:
    """Names of the registered kinds, sorted."""
    return sorted(_KINDS)


def parse_dynamics(entries: tuple[Mapping[str, Any], ...], scenario: Scenario) -> tuple[Dynamics, ...]:
    """Each ``dynamics[i]`` entry read by its kind (raises :class:`DynamicsError` naming the key path)."""
    parsed = []
    for index, entry in enumerate(entries):
        path = f"dynamics[{index}]"
        if not isinstance(entry, Mapping):
            raise DynamicsError(f"{path}: expected a mapping with a kind, got {describe(entry)}")
        name = entry.get("kind")
        if name is None:
            raise DynamicsError(f"{path}.kind: missing (required); one of {', '.join(dynamics_kinds())}")
        kind = _KINDS.get(name) if isinstance(name, str) else None
        if kind is None:
            hint = did_you_mean(name, _KINDS) if isinstance(name, str) else ""
            known = ", ".join(dynamics_kinds())
            shown = repr(name) if isinstance(name, str) else describe(name)
            raise DynamicsError(f"{path}.kind: unknown kind {shown}{hint}; expected one of {known}")
        rest = {key: value for key, value in entry.items() if key != "kind"}
        parsed.append(Dynamics(index, kind, kind.parse(SpecReader(rest, path, scenario))))
    return tuple(parsed)


register_dynamics(LinkSchedule())
