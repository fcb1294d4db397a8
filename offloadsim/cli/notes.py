"""Notes the commands print under their tables, where a table's numbers could be misread.

Shared by ``run`` (cli/main.py) and ``compare``/``sweep`` (cli/experiments.py), so that a plain
run imports neither the other verbs' module nor anything heavy for them.
"""

from __future__ import annotations

from typing import Any

__all__ = ["pooled_applications_note", "unpowered_sources_note"]


def unpowered_sources_note(scenarios: list[Any]) -> str | None:
    """A note when no source of the workload has ``power:``: its device energy is 0, not measured.

    A run's table marks a 0 itself; a comparison or sweep shows ``0.0 ± 0.0`` per policy, which
    reads as "offloading saves nothing" where nothing was measured.
    """
    for scenario in scenarios:
        powered = {node.name for node in scenario.nodes if node.power is not None}
        if not scenario.workload or any(set(entry.sources) & powered for entry in scenario.workload):
            return None
    return "no source of the workload has power:, so its device energy per task is 0: not measured"


def pooled_applications_note(scenarios: list[Any]) -> str | None:
    """A note when the tables pool the tasks of several applications, or None.

    A summary's latency and energy are over every task of a run, whatever its application: with
    AlexNet and VGG-16 requests side by side, a mean of 209 ms is of neither. Figures refuse such
    pooling; a table says it, and how to tell the applications apart.
    """
    apps: dict[str, None] = {}
    for scenario in scenarios:
        for entry in scenario.workload:
            apps[entry.app] = None
            apps.update(dict.fromkeys(scenario.applications[entry.app].alternatives))
    if len(apps) < 2:
        return None
    return (
        f"the table pools the tasks of {len(apps)} applications ({', '.join(apps)}); "
        "'offloadsim plot DIR --by app' and tasks.parquet's app column tell them apart"
    )
