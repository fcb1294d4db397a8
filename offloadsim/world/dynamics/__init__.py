"""A world that changes: the scenario's ``dynamics:`` entries, read by kinds from a registry.

See :mod:`~offloadsim.world.dynamics.base` for what a kind is and
:mod:`~offloadsim.world.dynamics.link_schedule` for the built-in one.
"""

from offloadsim.world.dynamics.base import (
    LINKS_ONLY,
    Dynamics,
    DynamicsError,
    DynamicsKind,
    LinkSettings,
    NodeChanges,
    NodeStep,
    SetCapacity,
    SetLatency,
    SetLinkUp,
    SetLoss,
    SetNodeUp,
    SpecReader,
    WorldChange,
    directed,
)
from offloadsim.world.dynamics.registry import (
    change_time_keys,
    dynamics_kinds,
    parse_dynamics,
    parse_entry,
    quantity_keys,
    random_start_keys,
    register_dynamics,
    unregister_dynamics,
)

__all__ = [
    "Dynamics",
    "DynamicsError",
    "DynamicsKind",
    "LINKS_ONLY",
    "LinkSettings",
    "NodeChanges",
    "NodeStep",
    "SetCapacity",
    "SetLatency",
    "SetLinkUp",
    "SetLoss",
    "SetNodeUp",
    "SpecReader",
    "WorldChange",
    "change_time_keys",
    "directed",
    "dynamics_kinds",
    "parse_dynamics",
    "parse_entry",
    "quantity_keys",
    "random_start_keys",
    "register_dynamics",
    "unregister_dynamics",
]
