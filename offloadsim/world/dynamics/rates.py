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

Built-in kinds declare what they set (``rate_keys``, ``owns_rates``, ``merges_rates``) and which
devices they move (``moved_devices``: :class:`~offloadsim.world.dynamics.base.DynamicsKind`); a
plug-in's are not read.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from offloadsim.suggest import quoted
from offloadsim.world.dynamics.base import Dynamics, DynamicsError
from offloadsim.world.dynamics.plugin_kind import PluginDynamicsKind
from offloadsim.world.topology import channel_ends

if TYPE_CHECKING:
    from offloadsim.scenario.model import Scenario

__all__ = ["check_movers", "check_rates"]


def _declared(entry: Dynamics, name: str) -> dict[Any, str]:
    """What ``entry``'s kind declares by its method ``name`` (``rate_keys``): none for a plug-in."""
    if isinstance(entry.kind, PluginDynamicsKind):
        return {}
    declared = getattr(entry.kind, name, None)
    return dict(declared(entry.spec)) if declared is not None else {}


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
    rates = [(entry, _declared(entry, "rate_keys")) for entry in dynamics]  # a plug-in's: none
    owned: dict[int, tuple[int, str]] = {}  # channel: the owning entry's index and its key
    for entry, keys in rates:
        if getattr(entry.kind, "owns_rates", False):
            owned.update({channel: (entry.index, key) for channel, key in keys.items()})
    for entry, keys in rates:
        for channel, key in keys.items():
            owner = owned.get(channel)
            if owner is None or owner[0] == entry.index:
                continue
            by = _at(owner[0], owner[1])
            raise DynamicsError(
                _at(entry.index, key),
                f"sets the rate of {_direction(scenario, channel)}, which {by} (mobility) also sets, from "
                "the device's distance at each sample: the rate in force would be whichever of the two "
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
