"""Which source groups a run's warnings concern, worked out from its records a chunk at a time.

A run with several source groups and a warning places each warning among its groups as its result
is built (:func:`~offloadsim.analysis.group_warned.placed_facts`).  That read a DataFrame of all its
tasks: a grouped, warned run of a million tasks held them all at once, where every other step
streams its records a chunk at a time.  :class:`GroupTally` keeps, in one pass over the chunks,
what :func:`~offloadsim.analysis.warning_groups.warned_groups` reads of that table: each group's
placements and sources, and, for a kind whose groups are those whose own tasks meet its test (the
backlog), that test's counts per group (its registered ``own_tally``).  The groups it gives are
those :func:`~offloadsim.analysis.warning_groups.warned_groups` gives (tests compare the two).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable, Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from offloadsim.analysis.groups import GROUP_COLUMN
from offloadsim.analysis.table_columns import Table, is_frame, status_masks, strings
from offloadsim.analysis.warning_facts import WarningFacts
from offloadsim.analysis.warning_groups import concerned_groups, warned_groups
from offloadsim.analysis.warning_list import kind_named
from offloadsim.analysis.warning_registry import WarningKind
from offloadsim.records.schema import placement_nodes

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["GroupTally", "Placer", "run_placer"]

#: Places one warning among a run's source groups: the groups it concerns, None: every group.
Placer = Callable[[WarningFacts | None], set[str] | None]


class GroupTally:
    """Per source group, what placing a run's warnings needs, added a chunk of its task records at a time.

    ``columns``: the records' column names; ``kinds``: the kinds with an ``own_tally`` to count for
    (those of the run's warnings).
    """

    def __init__(
        self,
        columns: Collection[str],
        duration_s: float,
        end_s: float | None,
        kinds: Iterable[WarningKind] = (),
    ) -> None:
        self.grouped = GROUP_COLUMN in columns
        self.named = [name for name in ("placement", "source") if name in columns]
        self.end_s = end_s
        ended = end_s is not None and math.isfinite(end_s)
        self.kinds = [kind for kind in kinds if kind.own_tally is not None] if ended else []
        self.duration_s = duration_s
        #: Each value of ``placement`` and ``source`` -> the groups whose tasks had it.
        self.seen: dict[str, dict[str, set[str]]] = {name: {} for name in self.named}
        #: Each kind's name -> each group -> its own_tally.
        self.tallies: dict[str, dict[str, Any]] = {kind.name: {} for kind in self.kinds}

    def add(self, block: Table) -> None:
        """Count one chunk of records (the engine's, or a table's rows)."""
        if not self.grouped:
            return
        codes, labels = _coded(block, GROUP_COLUMN)
        if not len(codes):
            return
        for name in self.named:
            values, texts = _coded(block, name)
            width = max(len(texts), 1)
            for pair in np.unique(codes.astype(np.int64) * width + values).tolist():
                group, value = labels[pair // width], texts[pair % width]
                self.seen[name].setdefault(value, set()).add(group)
        if not self.kinds:
            return
        masks = status_masks(block)
        # A group's rows may have several codes (one per plan): each code to its group's index.
        index_of = {label: i for i, label in enumerate(dict.fromkeys(labels))}
        names = list(index_of)
        of_code = np.array([index_of[label] for label in labels], dtype=np.int64)[codes]
        for index in np.unique(of_code).tolist():
            mine = of_code == index
            for kind in self.kinds:
                tallies = self.tallies[kind.name]
                if names[index] not in tallies:
                    assert kind.own_tally is not None and self.end_s is not None
                    tallies[names[index]] = kind.own_tally(self.duration_s, self.end_s)
                tallies[names[index]].add(block, masks, mine)

    def place(self, facts: WarningFacts | None, nodes: Table | None) -> set[str] | None:
        """The groups ``facts``' warning concerns (None: every group), as ``warned_groups`` gives them."""
        if facts is not None and facts.groups is not None:
            return set(facts.groups)
        if facts is None or not self.grouped:
            return None
        return concerned_groups(facts, nodes, self.end_s, self.duration_s, self._own, self._on)

    def _own(self, kind: WarningKind) -> set[str]:
        if kind.name not in self.tallies:
            raise ValueError(f"warning kind {kind.name!r}: its own_tally was not counted")
        return {group for group, tally in self.tallies[kind.name].items() if tally.met()}

    def _on(self, warned: set[str]) -> set[str]:
        found: set[str] = set()
        for name, seen in self.seen.items():
            for value, groups in seen.items():
                hit = warned.intersection(placement_nodes(value)) if name == "placement" else value in warned
                if hit:
                    found |= groups
        return found


def _coded(block: Table, name: str) -> tuple[np.ndarray, list[str]]:
    """A string column of a chunk as integer codes into its labels (the labels may repeat)."""
    coded = getattr(block, "codes", None)
    if coded is not None and not is_frame(block):
        codes, labels = coded(name)
        return np.asarray(codes, dtype=np.int64), [str(label) for label in labels]
    texts, codes = np.unique(strings(block, name), return_inverse=True)
    return codes.astype(np.int64), texts.tolist()


def run_placer(
    tasks: Any,
    nodes: Table | None,
    duration_s: float,
    end_s: float | None,
    facts: Iterable[WarningFacts],
    frame: Callable[[], pd.DataFrame],
) -> Placer:
    """What places a run's warnings (``facts``) among its source groups, from its records.

    ``tasks``: the engine's records (read a chunk at a time, ``blocks()``) or a DataFrame (one
    chunk); ``frame()``: the records as a DataFrame, built only for a warning of a kind whose own
    test has no ``own_tally`` (a plug-in's), which :func:`warned_groups` places from the whole table.
    """
    own = [kind for one in facts if (kind := kind_named(one.kind)) is not None and kind.own_tasks]
    if any(kind.own_tally is None for kind in own):
        records = (frame(), nodes, duration_s, end_s)
        return lambda one: warned_groups(one, *records)
    columns = tasks.columns if is_frame(tasks) else tasks.names
    tally = GroupTally(columns, duration_s, end_s, own)
    for block in _chunks(tasks):
        tally.add(block)
    return lambda one: tally.place(one, nodes)


def _chunks(tasks: Any) -> Iterator[Table]:
    if is_frame(tasks):
        yield tasks
    else:
        yield from tasks.blocks()
