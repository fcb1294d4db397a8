"""The notes on figures a scenario states itself: a plain ``speed:``.

A profile says where its rate comes from (a data sheet, a calibration); a plain ``speed:`` is the
scenario's own number, and a run's latencies rest on it without a word of where it came from.
One line, for the world's notes (:mod:`offloadsim.world.build`) and the manifests' notes the
figures read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from offloadsim.scenario.errors import format_path
from offloadsim.scenario.units import format_quantity
from offloadsim.world.placed import Under, joined, under_text

__all__ = ["SPEED_DOC", "plain_speed_note"]

#: Where each note points.
SPEED_DOC = "(docs/profiles.md#hardware-without-a-profile-an-npu-an-fpga-a-phone-gpu)"


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
