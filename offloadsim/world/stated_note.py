"""The notes on figures a scenario states itself: a plain ``speed:``, and the ``power:`` values.

A profile says where its rate comes from (a data sheet, a calibration); a plain ``speed:`` is the
scenario's own number, and a run's latencies rest on it without a word of where it came from.
The shipped ``power:`` values are illustrative (docs/scenario-format.md, "Where the shipped power
values come from"), and a run's device energy, its table's and its figures', said nothing of it.
One line each, for the world's notes (:mod:`offloadsim.world.build`) and the manifests' notes the
figures read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from offloadsim.scenario.errors import format_path
from offloadsim.scenario.units import format_quantity
from offloadsim.world.doc_links import POWER_DOC, SPEED_DOC
from offloadsim.world.placed import Under, joined, under_text

__all__ = ["POWER_DOC", "SPEED_DOC", "plain_speed_note", "power_note"]

#: Where each note points.

_ILLUSTRATIVE = "the shipped illustrative values, not a measured device's"

#: The shipped scenarios' ``power:`` values (idle, busy, transmit, receive in W) and what the docs'
#: table says of them: three illustrative phones, and camera-multitier's Raspberry Pi.
SHIPPED_POWER: dict[tuple[float, float, float, float], str] = {
    (0.5, 3.0, 1.3, 1.0): _ILLUSTRATIVE,
    (0.3, 2.5, 1.5, 1.0): _ILLUSTRATIVE,
    (0.3, 2.5, 1.2, 0.9): _ILLUSTRATIVE,
    (2.7, 6.4, 3.7, 3.3): (
        "camera-multitier's values (idle and busy from a Raspberry Pi 4 B table of unidentified "
        "origin, the radio's illustrative)"
    ),
}


def plain_speed_note(
    apps: Iterable[Any], processors: Iterable[Any], groups: Mapping[str, str], under: Under
) -> list[str]:
    """One line naming the plain ``speed:`` processors the runs may place layers on; [] for none.

    ``under``: where the runs may place each application's layers (a comparison's policies named
    where only some may); ``groups``: each node's group, the scenario key that gave its speed.
    """
    apps = list(apps)
    said: dict[str, tuple[str, tuple[str, ...] | None]] = {}  # key path -> speed, runs
    for proc in processors:
        if proc.costs is not None:
            continue
        labels = None
        for app in apps:
            labels = joined(labels, under(app, proc))
        if labels is None:
            continue
        key = format_path(("nodes", groups.get(proc.node, proc.node), *proc.spec.path, "speed"))
        before = said[key][1] if key in said else None
        said[key] = (format_quantity(proc.speed_flops, "speed"), joined(before, labels))
    if not said:
        return []
    each = ", ".join(f"{key} ({speed}){under_text(labels or ())}" for key, (speed, labels) in said.items())
    one = len(said) == 1
    return [
        f"{each}: the scenario's own {'figure' if one else 'figures'}, with no profile or stated source "
        f"behind {'it' if one else 'them'} {SPEED_DOC}"
    ]


def power_note(nodes: Iterable[Any]) -> list[str]:
    """One line on the ``power:`` values a run's device energy rests on; [] where no node draws any.

    Each node group's values are said to be the shipped illustrative ones where they are (the
    docs' table), else the scenario's own, which offloadsim cannot say the source of.
    """
    said: dict[str, list[str]] = {}  # what they are -> the groups' key paths
    for node in nodes:
        power = node.power
        if power is None or not any((power.idle_w, power.busy_w, power.transmit_w, power.receive_w)):
            continue
        states = (power.idle_w, power.busy_w, power.transmit_w, power.receive_w)
        what = SHIPPED_POWER.get(states, "the scenario's own values, no source stated")
        key = format_path(("nodes", node.group, "power"))
        if key not in said.setdefault(what, []):
            said[what].append(key)
    if not said:
        return []
    each = "; ".join(f"{', '.join(keys)}, {what}" for what, keys in said.items())
    return [f"energy rests on {each} {POWER_DOC}"]
