"""Kinds of timed change by name: the scenario's ``dynamics:`` entries are read through here.

``link-schedule``, ``link-trace``, ``gilbert-elliott`` and ``random-walk``
are built in; a new kind is one module defining a
:class:`~offloadsim.world.dynamics.base.DynamicsKind` plus one
:func:`register_dynamics` call (a plug-in makes it from its own package, or
declares the kind under the ``offloadsim.dynamics`` entry-point group, which
every process reads on its first look-up).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from offloadsim.plugins import EntryPointGroup, dotted_name, named_object, shipped_module
from offloadsim.scenario.errors import describe, key_place
from offloadsim.scenario.plain_numbers import QUANTITIES
from offloadsim.scenario.refusal import changes_refusal
from offloadsim.scenario.size import Footprint
from offloadsim.suggest import did_you_mean_key, quoted
from offloadsim.world.dynamics.base import MAX_CHANGES, Dynamics, DynamicsError, DynamicsKind, SpecReader
from offloadsim.world.dynamics.plugin_kind import (
    KindFailed,
    PluginDynamicsKind,
    entry_keys,
    kind_fault,
    kind_named,
)
from offloadsim.world.dynamics.rates import check_declared, check_movers, check_rates

if TYPE_CHECKING:
    from offloadsim.scenario.model import Scenario

__all__ = [
    "ENTRY_POINT_GROUP",
    "change_time_keys",
    "dynamics_kind",
    "dynamics_kinds",
    "kind_fault",
    "kind_named",
    "parse_dynamics",
    "parse_entry",
    "quantity_keys",
    "random_start_keys",
    "register_dynamics",
    "unregister_dynamics",
]

#: The entry-point group other distributions declare kinds of timed change in (a kind, or its class).
ENTRY_POINT_GROUP = "offloadsim.dynamics"

_KINDS: dict[str, DynamicsKind] = {}


def _add_plugin(entry: Any, loaded: Any, origin: str) -> None:
    """Register one entry point's kind (a class is instantiated), unless its name is taken."""
    _built_in()
    kind = named_object(entry, loaded, _KINDS, "kind of dynamics")
    if kind is not None:
        register_dynamics(kind)


#: Kinds of timed change other distributions declare, read on the first look-up in each process.
PLUGINS = EntryPointGroup(ENTRY_POINT_GROUP, "kind of dynamics", _add_plugin)


_BUILT_IN = False  # whether the built-in kinds are registered


def _built_in() -> None:
    """Register the built-in kinds on the registry's first use.

    Their modules are imported then, not with the registry: a run of a world
    that does not change never imports them (a few hundredths of a second of
    start-up).  Every function of the registry calls this first, so what it
    sees is what it saw when they were registered on import.
    """
    global _BUILT_IN
    if _BUILT_IN:
        return
    _BUILT_IN = True
    from offloadsim.world.dynamics.failures import Failures, NodeSchedule
    from offloadsim.world.dynamics.gilbert_elliott import GilbertElliott
    from offloadsim.world.dynamics.link_schedule import LinkSchedule
    from offloadsim.world.dynamics.mobility import Mobility
    from offloadsim.world.dynamics.random_walk import RandomWalk
    from offloadsim.world.dynamics.trace import LinkTrace

    for kind in (
        LinkSchedule(),
        LinkTrace(),
        NodeSchedule(),
        Failures(),
        GilbertElliott(),
        RandomWalk(),
        Mobility(),
    ):
        register_dynamics(kind)


def register_dynamics(kind: DynamicsKind) -> None:
    """Make ``kind`` available to scenarios as ``dynamics: [{kind: <kind.name>, ...}]``.

    A ValueError for a kind without a ``parse(entry)`` or a ``timeline(spec, rng)`` method (a
    plug-in's was refused only mid-run, as if its ``timeline`` had raised), a name taken,
    ``quantity_keys`` that do not map quantities to key patterns
    (``steps[].latency``, or ``file:latency`` for a column of a CSV file), ``change_time_keys``
    that are not key patterns (or columns, ``file:time``), or ``missed_changes`` that are not
    words for some of its ``change_time_keys``.  A kind that is not offloadsim's is kept wrapped in a
    :class:`~offloadsim.world.dynamics.plugin_kind.PluginDynamicsKind`, which checks what it hands
    over wherever it is read.
    """
    _built_in()
    lacking = [f"{method}()" for method in ("parse", "timeline") if not callable(getattr(kind, method, None))]
    if lacking:
        raise ValueError(
            f"kind of dynamics {kind.name!r} ({dotted_name(type(kind))}) has no {' or '.join(lacking)} "
            "method: a kind reads its entries with parse(entry) and yields its changes from "
            "timeline(spec, rng)"
        )
    if kind.name in _KINDS:
        raise ValueError(f"a kind of dynamics named {kind.name!r} is already registered")
    quantities = getattr(kind, "quantity_keys", {})
    if not isinstance(quantities, Mapping) or not all(quantity in QUANTITIES for quantity in quantities):
        raise ValueError(
            f"kind of dynamics {kind.name!r}: quantity_keys maps quantities ({', '.join(QUANTITIES)}) "
            f"to tuples of key patterns, got {quantities!r}"
        )
    for quantity, places in quantities.items():
        _key_patterns(kind, f"quantity_keys[{quantity!r}]", places, key_place)
    declared = _key_patterns(kind, "change_time_keys", getattr(kind, "change_time_keys", ()), key_place)
    missed = getattr(kind, "missed_changes", {})
    if not isinstance(missed, Mapping) or not all(
        key in declared and isinstance(words, str) and words for key, words in missed.items()
    ):
        raise ValueError(
            f"kind of dynamics {kind.name!r}: missed_changes maps some of its change_time_keys "
            f"{declared!r} to what a run that ends before the time there misses, got {missed!r}"
        )
    _key_patterns(kind, "random_start_keys", getattr(kind, "random_start_keys", ()), key_place)
    _KINDS[kind.name] = kind if shipped_module(type(kind).__module__) else PluginDynamicsKind(kind)


def _key_patterns(
    kind: DynamicsKind, attribute: str, declared: object, parse: Callable[[str], object]
) -> tuple[str, ...]:
    """What ``kind`` declares as ``attribute``: a tuple of key patterns, each read by ``parse``.

    ``parse``: :func:`~offloadsim.scenario.errors.key_pattern`, or ``key_place`` where a
    pattern may name a column of a CSV file.  A ValueError for anything else, naming the kind
    and the attribute.
    """
    if not isinstance(declared, tuple | list):
        raise ValueError(
            f"kind of dynamics {kind.name!r}: {attribute} is a tuple of key patterns, got {declared!r}"
        )
    for pattern in declared:
        try:
            parse(pattern)
        except ValueError as error:
            raise ValueError(f"kind of dynamics {kind.name!r}: {attribute}: {error}") from None
    return tuple(declared)


def unregister_dynamics(name: str) -> None:
    """Forget a registered kind (tests and plug-ins that clean up after themselves)."""
    _built_in()
    _KINDS.pop(name, None)


def dynamics_kinds() -> list[str]:
    """Names of the registered kinds, sorted."""
    _built_in()
    PLUGINS.load()
    return sorted(_KINDS)


def dynamics_kind(name: str) -> DynamicsKind | None:
    """The kind registered as ``name``, or None."""
    _built_in()
    PLUGINS.load()
    return _KINDS.get(name)


def quantity_keys(name: str) -> dict[str, tuple[str, ...]]:
    """Where an entry of the kind ``name`` holds each quantity, as it declares them.

    ``quantity_keys`` of :class:`~offloadsim.world.dynamics.base.DynamicsKind`: key patterns
    below the entry, or a key and a column of the CSV file it names (``file:latency``), by
    quantity; none for a kind that declares none, or an unknown name (the world refuses it when
    it is built).

    >>> quantity_keys("gilbert-elliott")["latency"], quantity_keys("node-schedule")
    (('good.latency', 'bad.latency'), {})
    >>> quantity_keys("link-trace")
    {'latency': ('file:latency',), 'bandwidth': ('file:bandwidth', 'file:reverse_bandwidth')}
    """
    kind = dynamics_kind(name)
    declared = getattr(kind, "quantity_keys", {}) if kind is not None else {}
    return {quantity: tuple(places) for quantity, places in declared.items()}


def change_time_keys(name: str) -> dict[str, str | None]:
    """The keys below an entry of the kind ``name`` that hold the time of a change, as it declares them.

    ``change_time_keys`` of :class:`~offloadsim.world.dynamics.base.DynamicsKind`, each with the
    words its ``missed_changes`` gives for what a run that ends before the time there misses (None
    where it gives none); none for a kind that declares none, or an unknown name.

    >>> change_time_keys("failures"), change_time_keys("link-schedule"), change_time_keys("mobility")
    ({'start': 'nothing fails in the run'}, {'steps[].at': None}, {})
    """
    kind = dynamics_kind(name)
    missed = getattr(kind, "missed_changes", {})
    return {key: missed.get(key) for key in getattr(kind, "change_time_keys", ())} if kind is not None else {}


def random_start_keys(name: str) -> tuple[str, ...]:
    """The keys that, given in an entry of the kind ``name``, start each run at its own point of its changes.

    ``random_start_keys`` of :class:`~offloadsim.world.dynamics.base.DynamicsKind`; none for a kind
    that declares none, or an unknown name.

    >>> random_start_keys("link-trace"), random_start_keys("failures")
    (('offset',), ())
    """
    kind = dynamics_kind(name)
    return tuple(getattr(kind, "random_start_keys", ())) if kind is not None else ()


def parse_dynamics(entries: tuple[Mapping[str, Any], ...], scenario: Scenario) -> tuple[Dynamics, ...]:
    """Each ``dynamics[i]`` entry read by its kind (raises :class:`DynamicsError` naming the key path).

    Then checked together: no two entries may move one device
    (:func:`~offloadsim.world.dynamics.rates.check_movers`), nor set one link's rate, two
    ``link-schedule`` entries aside (:func:`~offloadsim.world.dynamics.rates.check_rates`).
    """
    dynamics = tuple(parse_entry(index, entry, scenario) for index, entry in enumerate(entries))
    check_movers(dynamics)
    check_rates(dynamics, scenario)
    return dynamics


def parse_entry(index: int, entry: Any, scenario: Scenario) -> Dynamics:
    """``dynamics[index]``, ``entry``, read by its kind (raises :class:`DynamicsError` naming the key path).

    One entry alone, for the scenario checks' runner, which asks whether the kind refuses it
    (``CheckedRun.dynamics_refused``) where the world, which reads them all, could not be built.
    """
    path = f"dynamics[{index}]"
    if not isinstance(entry, Mapping):
        raise DynamicsError(path, f"expected a mapping with a kind, got {describe(entry)}")
    name = entry.get("kind")
    if name is None:
        raise DynamicsError(f"{path}.kind", f"missing (required); one of {', '.join(dynamics_kinds())}")
    known = ", ".join(dynamics_kinds())
    if not isinstance(name, str):
        raise DynamicsError(f"{path}.kind", f"expected a kind's name, one of {known}; got {describe(name)}")
    kind = dynamics_kind(name)
    if kind is None:
        hint = did_you_mean_key(name, dynamics_kinds())
        said = PLUGINS.refusal(name, f"unknown kind {quoted(name)}", f"{hint}; expected one of {known}")
        raise DynamicsError(f"{path}.kind", said)
    rest = {key: value for key, value in entry.items() if key != "kind"}
    reader = SpecReader(rest, path, scenario, read=("kind",))
    try:
        spec = kind.parse(reader)
        _check_changes(kind, spec, reader, scenario.end_s, index, entry)
        check_declared(kind, spec, reader, scenario)
    except KindFailed as fault:
        # A plug-in kind's fault (its adapter, PluginDynamicsKind, said it), at the entry and about
        # each of its keys, its exception chained for --debug to show.
        raise DynamicsError(path, str(fault), entry_keys(index, entry)) from fault.__cause__
    return Dynamics(index, kind, spec)


def _check_changes(
    kind: DynamicsKind, spec: Any, reader: SpecReader, end_s: float, index: int, entry: Mapping[str, Any]
) -> None:
    """Refuse an entry that would change the world more than :data:`MAX_CHANGES` times in a run.

    ``reader``: the reader its kind parsed ``dynamics[index]``, ``entry``, with.  The key
    ``changes`` says sets how often must be one its ``parse`` declared
    (:meth:`SpecReader.other_fields`), or the refusal would name a key the scenario cannot have:
    another is the kind's mistake, refused as such, about each of the entry's keys as its faults are.
    """
    changes = getattr(kind, "changes", None)
    if changes is None:
        return
    said: tuple[str, float] = changes(spec, end_s)  # a plug-in's, checked by its adapter
    path = reader.path
    others = reader.other_fields(said[0])
    if others is not None:
        raise DynamicsError(
            path,
            f"{kind_named(kind)}: changes() returned the key {quoted(said[0])}, which is no key of its "
            f"entries; expected one of {', '.join(others)} (its parse's entry.keys)",
            entry_keys(index, entry),
        )
    key, count = said
    if not count <= MAX_CHANGES:  # nan included
        raise DynamicsError(
            f"{path}.{key}" if key else path,
            f"changes the world about {count:.3g} times in a run of {end_s:g} s (warm-up and duration), "
            f"more than the {MAX_CHANGES:,} a run may make (each takes the engine 10 to 30 us); "
            "make it change less often or the run shorter",
        )
    footprint = reader.scenario.footprint if reader.scenario is not None else Footprint()
    if (refusal := changes_refusal(footprint, count, end_s)) is not None:
        raise DynamicsError(f"{path}.{key}" if key else path, refusal)
