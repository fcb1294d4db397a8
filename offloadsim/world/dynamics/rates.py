"""Two entries setting one link's rate: refused, naming both, unless both are ``link-schedule`` entries.

``mobility`` with ``radio`` sets the rate of a device's link to its access point from their
distance at each sample where the distance moved it, and another entry (a ``random-walk``, a
``link-trace``'s bandwidth, a ``gilbert-elliott`` state, a ``link-schedule`` step) sets it at its
own times: each change holds until the other's next, so the rate in force would be whichever
came last, in turns set by the two entries' clocks (and the walk's rate while the device
pauses), a model of neither.  Without ``radio`` mobility leaves rates alone: another entry drives
them, and mobility only which link is up.

Two other entries setting one directed link's rate fare alike: a walk steps from its own last
rate, not the one in force (a schedule's 0 bps outage over it lasted until its next step, a
second, not the five the schedule gave); a chain's state, a trace's row, a walk's step each
holds until the other's next change.  Two ``link-schedule`` entries are the exception
(``merges_rates``): their steps, each a rate from a stated time, act as one schedule's (a step's
rate holds until the next step of either; at one instant, the later entry's), what the file says.
Two ``mobility`` entries moving one device are refused too (:func:`check_movers`): each holds
down the device's links to the access points it did not choose, from its own walk, so the device
was cut off wherever the two walks disagreed (``topology.attachment`` naming the later entry's
choice), and, where their access points differ, attached to two at once from two places.

An access point (``mobility``'s ``access_points``, declared by ``placed_nodes``) that another entry
moves is refused too: its coverage is a disc about the place its entry gives, all run, so the
devices attached to it would hand over by where it no longer is.

Kinds declare what they set (``rate_keys``, ``owns_rates``, ``merges_rates``), which devices they
move (``moved_devices``) and which nodes they take to stand still (``placed_nodes``:
:class:`~offloadsim.world.dynamics.base.DynamicsKind`).  A plug-in's are read as a built-in's,
once checked (:func:`check_declared`: its mistake refused as its own); a plug-in that declares
none is not checked against the other entries.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from offloadsim.suggest import did_you_mean_name, quoted
from offloadsim.world.dynamics.base import Dynamics, DynamicsError, DynamicsKind, SpecReader
from offloadsim.world.dynamics.plugin_kind import KindFailed, PluginDynamicsKind, kind_named
from offloadsim.world.topology import channel_ends

if TYPE_CHECKING:
    from offloadsim.scenario.model import Scenario

__all__ = ["check_declared", "check_movers", "check_rates"]


def _declared(entry: Dynamics, name: str) -> dict[Any, str]:
    """What ``entry``'s kind declares by its method ``name`` (``rate_keys``): none where it has none.

    A plug-in's, through its adapter, as :func:`check_declared` found them when the entry was read.
    """
    declared = getattr(entry.kind, name, None)
    return dict(declared(entry.spec)) if declared is not None else {}


def check_declared(kind: DynamicsKind, spec: Any, reader: SpecReader, scenario: Scenario) -> None:
    """Refuse what a plug-in kind declares of ``reader``'s entry that names no channel, node or key of it.

    Its adapter checked the types (:class:`PluginDynamicsKind`, whose :class:`KindFailed` the caller
    says at the entry); here, each channel must be one of the scenario's links', each node one of
    its nodes (a device, for ``moved_devices``), each key one its ``parse`` declared
    (:meth:`SpecReader.other_fields`, as for ``changes``).  Built-in kinds are not checked: their
    declarations are offloadsim's.  A plug-in declaring none of them is not checked for conflicts.
    """
    if not isinstance(kind, PluginDynamicsKind):
        return
    for flag in ("owns_rates", "merges_rates"):
        getattr(kind, flag, None)  # its adapter refuses one that is not True or False
    tiers = {node.name: node.tier for node in scenario.nodes}
    channels = 2 * len(scenario.links)
    for name in ("rate_keys", "moved_devices", "placed_nodes"):
        declared = getattr(kind, name, None)
        if declared is None:
            continue
        for what, key in declared(spec).items():
            if name == "rate_keys" and what >= channels:
                problem = f"the channel {what}, which no link has (channels 0 to {channels - 1}: 2 per link)"
            elif name != "rate_keys" and what not in tiers:
                hint = did_you_mean_name(what, list(tiers))
                problem = f"{quoted(what)}, which is no node of the scenario{hint}"
            elif name == "moved_devices" and tiers[what] != "device":
                problem = f"{quoted(what)}, which is not a device (tier {tiers[what]}); only devices move"
            elif (others := reader.other_fields(key)) is not None:
                problem = (
                    f"the key {quoted(key)}, which is no key of its entries; expected one of "
                    f"{', '.join(others)} (its parse's entry.keys)"
                )
            else:
                continue
            raise KindFailed(f"{kind_named(kind)}: {name}() returned {problem}")


def _at(index: int, key: str) -> str:
    """The key path of ``key``, a key path below ``dynamics[index]`` (``access_points[1].node``)."""
    return f"dynamics[{index}].{key}"


def check_movers(dynamics: Sequence[Dynamics]) -> None:
    """Refuse two entries moving one device, and an entry moving another's access point (see the module).

    Two movers: at the later entry's key (``dynamics[1].devices``), naming the earlier one's
    (``dynamics[0].devices``), which goes in the error's ``also`` for a ``--set`` of either to be
    named.  A moved access point: at the key placing it (``dynamics[0].access_points[1].node``),
    naming the mover's.
    """
    first: dict[str, tuple[Dynamics, str]] = {}  # device: the first entry moving it, and its key
    for entry in dynamics:
        for device, key in _declared(entry, "moved_devices").items():
            earlier, at = first.setdefault(device, (entry, key))
            if earlier is entry:
                continue
            by = _at(earlier.index, at)
            raise DynamicsError(
                _at(entry.index, key),
                f"moves {quoted(device)}, which {by} ({earlier.kind.name}) also moves: each entry would "
                "hold down the device's links to the access points it did not choose, from its own walk, "
                "so the device would be cut off where the two disagree, or attached to two access points "
                f"at once; let one entry move it (leave it out of {by}, or of this entry)",
                also=(by,),
            )
    for entry in dynamics:
        for node, key in _declared(entry, "placed_nodes").items():
            mover = first.get(node)
            if mover is None or mover[0] is entry:
                continue
            by = _at(mover[0].index, mover[1])
            raise DynamicsError(
                _at(entry.index, key),
                f"places {quoted(node)} as an access point, which {by} ({mover[0].kind.name}) moves: its "
                "coverage would stay about the position given here while the node walks away, and the "
                "devices attached to it would hand over by where it is not; an access point stands "
                f"still (leave it out of {by}, or of this entry's access points)",
                also=(by,),
            )


def _direction(scenario: Scenario, channel: int) -> str:
    """``A→B``: the ends of directed channel ``channel``, the way it carries."""
    return "→".join(channel_ends(scenario.links, channel))


def check_rates(dynamics: Sequence[Dynamics], scenario: Scenario) -> None:
    """Refuse two entries setting the rate of one directed channel (see the module).

    An entry setting a rate a ``mobility`` entry's radio sets is refused at its own key
    (``dynamics[1].link``), naming the radio (``dynamics[0].radio``); two other entries, at the
    later one's key, naming the earlier one's (``dynamics[0].link``).  The other key goes in the
    error's ``also``, for a ``--set`` of either to be named.
    """
    rates = [(entry, _declared(entry, "rate_keys")) for entry in dynamics]  # a plug-in's if it declares
    owned: dict[int, tuple[Dynamics, str]] = {}  # channel: the owning entry and its key
    for entry, keys in rates:
        if getattr(entry.kind, "owns_rates", False):
            owned.update({channel: (entry, key) for channel, key in keys.items()})
    for entry, keys in rates:
        for channel, key in keys.items():
            owner = owned.get(channel)
            if owner is None or owner[0] is entry:
                continue
            by = _at(owner[0].index, owner[1])
            # mobility's radio sets it from the distance; a plug-in that owns rates, from what it follows
            how = (
                "its own state" if isinstance(owner[0].kind, PluginDynamicsKind) else "the device's distance"
            )
            raise DynamicsError(
                _at(entry.index, key),
                f"sets the rate of {_direction(scenario, channel)}, which {by} ({owner[0].kind.name}) also "
                f"sets, from {how} at each sample: the rate in force would be whichever of the two "
                f"changed it last; let one entry set it (leave out {by}, or this entry)",
                also=(by,),
            )
    first: dict[int, tuple[Dynamics, str]] = {}  # channel: the first entry setting its rate, and its key
    for entry, keys in rates:
        for channel, key in keys.items():
            earlier = first.setdefault(channel, (entry, key))
            if earlier[0] is not entry and not _merge(earlier[0], entry):
                raise _both(scenario, channel, earlier, (entry, key))


def _merge(one: Dynamics, other: Dynamics) -> bool:
    """Whether two entries setting one rate act as one (two entries of a kind that ``merges_rates``)."""
    return one.kind is other.kind and bool(getattr(one.kind, "merges_rates", False))


def _both(
    scenario: Scenario, channel: int, earlier: tuple[Dynamics, str], later: tuple[Dynamics, str]
) -> DynamicsError:
    """The error for ``later`` setting the rate of ``channel`` that ``earlier`` sets too."""
    by = _at(earlier[0].index, earlier[1])
    kinds = {earlier[0].kind.name, later[0].kind.name}
    if "link-schedule" in kinds:  # an outage written as a step to 0 bps ends at the other's next change
        hint = "; for an outage, a link-schedule step up: false holds whatever the other sets"
    else:
        hint = ""
    return DynamicsError(
        _at(later[0].index, later[1]),
        f"sets the rate of {_direction(scenario, channel)}, which {by} ({earlier[0].kind.name}) also sets: "
        "each change would hold until the other's next, so the rate in force would be whichever of "
        f"the two changed it last, a model of neither; let one entry set it (leave out "
        f"dynamics[{earlier[0].index}], or this entry){hint}",
        also=(by,),
    )
