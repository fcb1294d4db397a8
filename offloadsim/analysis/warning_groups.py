"""Which source groups a run's warning concerns: those whose tasks ran on the nodes it names.

A fleet of old, mid and new phones and cameras run ``local``: the old phones overloaded, and the
run warned "too short to settle" and "busy all run" naming old phones.  A figure faceted by source
group named every group's panel under those warnings (``local, new (3 of 3 runs)``), though the
new phones were 14 % busy.  A warning that names nodes concerns the source groups whose tasks had
a stage on one of them (their own device, or a server they offloaded to).  The nodes it only
counts ("and 63 more nodes") are among the run's nodes that pass the first test of its kind (its
registered ``group_column`` and ``group_least``: busy 99 % of the measured time (busy all run),
half of it (too short to settle), or dropping stages (a full queue)); their groups are added too,
so a group the warning may concern is never left out.  The backlog warning names no node: a group
is concerned where its own tasks meet its test (its registered ``own_tasks``,
:func:`~offloadsim.analysis.warning_kinds.backlog.backlog_grew`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from offloadsim.analysis.groups import GROUP_COLUMN
from offloadsim.analysis.table_columns import Table, floats, has, strings
from offloadsim.analysis.warning_facts import WarningFacts
from offloadsim.analysis.warning_list import kind_named
from offloadsim.analysis.warning_registry import WarningKind
from offloadsim.records.schema import placement_nodes

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["concerned_groups", "warned_groups"]


def warned_groups(
    facts: WarningFacts | None,
    tasks: pd.DataFrame,
    nodes: Table | None,
    duration_s: float,
    end_s: float | None,
) -> set[str] | None:
    """The source groups one run's warning concerns, from its ``facts`` and the run's records.

    ``tasks`` and ``nodes`` are the run's rows alone.  None where it cannot tell (no facts, a
    warning of no node but the backlog, tasks without ``source_group``): every group, as before.
    Those its facts carry where it was placed before (``facts.groups``) are taken as they are.
    (:class:`~offloadsim.analysis.group_tally.GroupTally` gives the same from records a chunk at a time.)
    """
    if facts is not None and facts.groups is not None:
        return set(facts.groups)
    if facts is None or GROUP_COLUMN not in tasks.columns:
        return None
    groups = tasks[GROUP_COLUMN].astype(str).to_numpy()

    def own(kind: WarningKind) -> set[str]:
        grew = kind.own_tasks
        assert grew is not None and end_s is not None  # concerned_groups asks only where the end is known
        return {g for g in dict.fromkeys(groups.tolist()) if grew(tasks[groups == g], duration_s, end_s)}

    def on(warned: set[str]) -> set[str]:
        placements = tasks["placement"].astype(str) if "placement" in tasks.columns else None
        on = {
            text: bool(warned.intersection(placement_nodes(text)))
            for text in (placements.unique().tolist() if placements is not None else [])
        }
        hit = np.zeros(len(tasks), dtype=bool)
        if placements is not None:
            hit |= placements.map(on).to_numpy(dtype=bool)
        if "source" in tasks.columns:
            hit |= tasks["source"].astype(str).isin(warned).to_numpy()
        return set(groups[hit].tolist())

    return concerned_groups(facts, nodes, end_s, duration_s, own, on)


def concerned_groups(
    facts: WarningFacts,
    nodes: Table | None,
    end_s: float | None,
    duration_s: float,
    own: Callable[[WarningKind], set[str]],
    on: Callable[[set[str]], set[str]],
) -> set[str] | None:
    """The groups a warning not yet placed concerns, as the run's tasks tell: None where they cannot.

    ``own(kind)``: the groups whose own tasks meet the test of a kind with ``own_tasks`` (a run whose
    end or measured time is not known: None); ``on(names)``: the groups whose tasks had a stage on,
    or came from, one of the nodes ``names``: those the warning names, and, where it counts more than
    it names, every node passing its kind's test (``group_column`` at least ``group_least``).
    """
    kind = kind_named(facts.kind)
    if kind is not None and kind.own_tasks is not None:
        # A run none of whose tasks completed has no measured time its metrics row can give (completed
        # over throughput): it cannot tell, so every group, not none (a figure left such runs unnamed).
        if end_s is None or not math.isfinite(end_s) or not math.isfinite(duration_s):
            return None
        return own(kind)
    if not facts.nodes:
        return None
    warned = {name for name, _ in facts.nodes}
    if facts.node_count > len(warned):
        column = None if kind is None else kind.group_column
        if kind is None or column is None or nodes is None or not has(nodes, column):
            return None
        passed = floats(nodes, column) >= kind.group_least
        warned |= set(strings(nodes, "node")[passed].tolist())
    return on(warned)
