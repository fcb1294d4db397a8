"""An entry setting a link's rate that a ``mobility`` entry's radio sets: refused, naming both entries.

``mobility`` with ``radio`` sets the rate of a device's link to its access point from their
distance at each sample where the distance moved it, and another entry (a ``random-walk``, a
``link-trace``'s bandwidth, a ``gilbert-elliott`` state, a ``link-schedule`` step) sets it at its
own times: each change holds until the other's next, so the rate in force would be whichever
came last, in turns set by the two entries' clocks (and the walk's rate while the device
pauses), a model of neither.  Without ``radio`` mobility leaves rates alone: another entry drives
them, and mobility only which link is up.  Built-in kinds declare what they set (``rate_keys``,
``owns_rates``: :class:`~offloadsim.world.dynamics.base.DynamicsKind`); a plug-in's are not read.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from offloadsim.scenario.errors import key_path
from offloadsim.world.dynamics.base import Dynamics, DynamicsError
from offloadsim.world.dynamics.plugin_kind import PluginDynamicsKind

if TYPE_CHECKING:
    from offloadsim.scenario.model import Scenario

__all__ = ["check_rates"]


def _rate_keys(entry: Dynamics) -> dict[int, str]:
    """The channels whose rate ``entry`` sets, with the key that puts it there (none for a plug-in)."""
    if isinstance(entry.kind, PluginDynamicsKind):
        return {}
    declared = getattr(entry.kind, "rate_keys", None)
    return declared(entry.spec) if declared is not None else {}


def check_rates(dynamics: Sequence[Dynamics], scenario: Scenario) -> None:
    """Refuse an entry that sets the rate of a channel a ``mobility`` entry's radio sets (see the module).

    Raised at the other entry's key (``dynamics[1].link``), naming the mobility entry's radio
    (``dynamics[0].radio``, its ``also``, for a ``--set`` of either to be named).
    """
    owned: dict[int, tuple[int, str]] = {}  # channel: the owning entry's index and its key
    for entry in dynamics:
        if getattr(entry.kind, "owns_rates", False) and not isinstance(entry.kind, PluginDynamicsKind):
            owned.update({channel: (entry.index, key) for channel, key in _rate_keys(entry).items()})
    if not owned:
        return
    for entry in dynamics:
        for channel, key in _rate_keys(entry).items():
            owner = owned.get(channel)
            if owner is None or owner[0] == entry.index:
                continue
            link = scenario.links[channel // 2]
            a, b = (link.a, link.b) if channel % 2 == 0 else (link.b, link.a)
            by = key_path(f"dynamics[{owner[0]}]", owner[1])
            raise DynamicsError(
                key_path(f"dynamics[{entry.index}]", key),
                f"sets the rate of {a}→{b}, which {by} (mobility) also sets, from the device's distance "
                "at each sample: the rate in force would be whichever of the two changed it last; let "
                f"one entry set it (leave out {by}, or this entry)",
                also=(by,),
            )
