"""A run's headline task numbers per source group: how the budget phones fared beside the flagships.

A scenario's ``nodes`` key with ``count`` makes a group of devices
(``budget-0 … budget-7``); the tasks' ``source_group`` names the group of
their source.  Where the sources span more than one group, :func:`group_stats`
computes, for each, the numbers the summary gives for the whole run, by the
very same definitions (the rows of that group put through the summary's own
computation, chunk by chunk for the engine's records): a few of them, as
``<group>.<metric>`` keys of :attr:`~offloadsim.analysis.summary.Summary.source_groups`.

The same machinery serves the tasks' applications (the ``app`` column: a course's CNN beside its
LLM, whose one pooled mean latency no task had): ``column=APP_COLUMN`` and :data:`APP_METRICS`,
as :attr:`~offloadsim.analysis.summary.Summary.apps`, ``compare``'s ``apps.csv``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from offloadsim.analysis.batteries import BATTERY_LEFT_MEDIAN, battery_metrics_of_nodes
from offloadsim.analysis.energy_split import energy_split_metrics
from offloadsim.analysis.raw_input_share import RAW_INPUT_OFFLOADED

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "APP_COLUMN",
    "APP_FILE_METRICS",
    "APP_METRICS",
    "APP_TABLE_METRICS",
    "LLM_APP_METRICS",
    "GROUP_COLUMN",
    "GROUP_FILE_METRICS",
    "GROUP_METRICS",
    "GROUP_TABLE_METRICS",
    "GROUP_BATTERY_METRICS",
    "ENERGY_SPLIT_METRICS",
    "RAW_INPUT_METRIC",
    "group_batteries",
    "group_key",
    "group_rows",
    "group_stats",
    "per_group",
    "pooled_groups",
    "split_key",
    "values_with",
]

#: The task column naming each task's source group.
GROUP_COLUMN = "source_group"
#: The battery metrics kept per group (its devices' batteries: :mod:`offloadsim.analysis.batteries`),
#: where some device of the group has one: a budget phone's battery runs flat first.  The registered
#: battery metric's columns, named there once.
GROUP_BATTERY_METRICS = tuple(BATTERY_LEFT_MEDIAN.columns)
#: Device energy per task told apart (:mod:`offloadsim.analysis.energy_split`): what the group's
#: processors drew and the rest, its radio's; the two add up to its ``device_energy_mean_j``.
ENERGY_SPLIT_METRICS = ("device_compute_energy_mean_j", "device_radio_energy_mean_j")
#: The share of a group's tasks that ended whose raw input left the device
#: (:mod:`offloadsim.analysis.raw_input_share`): a fleet's share pools its groups, so a policy that
#: sends every wearable's frame off and keeps every phone's reads as the wearables' share of the tasks.
RAW_INPUT_METRIC = RAW_INPUT_OFFLOADED.name
#: The summary's task numbers kept per group and per application (the miss rate from the counts before it).
TASK_METRICS = (
    "arrived",
    "completed",
    "latency_mean_s",
    "latency_p95_s",
    "deadline_tasks",
    "deadline_misses",
    "deadline_miss_rate",
)
#: The summary's numbers kept per group (Summary fields).
GROUP_METRICS = (
    *TASK_METRICS,
    "device_energy_mean_j",
    *ENERGY_SPLIT_METRICS,
    RAW_INPUT_METRIC,
    *GROUP_BATTERY_METRICS,
)

#: The metrics of the printed table per source group (compare's and sweep's, under their headline table).
GROUP_TABLE_METRICS = ("latency_mean_s", "latency_p95_s", "deadline_miss_rate", "device_energy_mean_j")
#: The metrics of ``groups.csv`` (compare's and sweep's): the printed ones, the energy split, the
#: share of raw inputs offloaded, the task counts and the batteries (a group whose devices have
#: none: no value).
GROUP_FILE_METRICS = (
    *GROUP_TABLE_METRICS,
    *ENERGY_SPLIT_METRICS,
    RAW_INPUT_METRIC,
    "arrived",
    "completed",
    *GROUP_BATTERY_METRICS,
)


#: The task column naming each task's application (the one that served it).
APP_COLUMN = "app"
#: An LLM application's own numbers (NaN for another: a CNN has no first token).
LLM_APP_METRICS = ("ttft_mean_s", "ttft_p95_s", "tpot_mean_s")
#: The summary's numbers kept per application (Summary fields): its tasks' own, their device energy
#: included (an inference's joules on its source, which two applications of one fleet spend apart),
#: not its devices' batteries (those are the source groups', whichever application drained them).
APP_METRICS = (*TASK_METRICS, "device_energy_mean_j", *ENERGY_SPLIT_METRICS, *LLM_APP_METRICS)
#: The metrics of the printed table per application (``compare``'s, under its headline table).
APP_TABLE_METRICS = (
    "latency_mean_s",
    "latency_p95_s",
    "deadline_miss_rate",
    "device_energy_mean_j",
    "ttft_mean_s",
    "tpot_mean_s",
)
#: The metrics of ``apps.csv`` (``compare``'s): the printed ones, the energy split, the LLM's p95 ttft
#: and the task counts.
APP_FILE_METRICS = (*APP_TABLE_METRICS, *ENERGY_SPLIT_METRICS, "ttft_p95_s", "arrived", "completed")


def pooled_groups(groups: pd.DataFrame | None, tables: str) -> str | None:
    """The line a headline table over several source groups says it pools them with; None for one group.

    ``groups``: the table per source group (a ``group`` column: ``groups.csv``'s rows); ``tables``:
    what under the headline shows each group (``"tables"``, ``"table"``).  A compare over a fleet of
    phones and Raspberry Pis read one mean latency, not saying it was of both fleets' tasks at once
    (the Pis' slower by half), with the tables per group further down.

    >>> import pandas as pd
    >>> pooled_groups(pd.DataFrame({"group": ["phone", "pi", "phone"]}), "tables")
    'pooled over all 2 source groups (phone, pi): each group alone in the tables per source group below'
    >>> pooled_groups(pd.DataFrame({"group": []}), "tables") is None, pooled_groups(None, "table") is None
    (True, True)
    """
    names = [] if groups is None or not len(groups) else list(dict.fromkeys(groups["group"].astype(str)))
    if len(names) < 2:
        return None
    return (
        f"pooled over all {len(names)} source groups ({', '.join(names)}): "
        f"each group alone in the {tables} per source group below"
    )


#: Computes the summary's task numbers of a table: (tasks, duration_s, end_s) -> Summary fields.
Stats = Callable[[Any, float, "float | None"], dict[str, Any]]


def group_key(group: str, metric: str) -> str:
    """The ``source_groups`` key of ``metric`` for ``group`` (group names hold no ``.``).

    >>> group_key("budget", "latency_mean_s"), split_key("budget.latency_mean_s")
    ('budget.latency_mean_s', ('budget', 'latency_mean_s'))
    """
    return f"{group}.{metric}"


def split_key(key: str) -> tuple[str, str]:
    """``(group, metric)`` of a ``source_groups`` (or ``apps``) key: metric names hold no ``.``.

    >>> split_key("resnet.v2.latency_mean_s")
    ('resnet.v2', 'latency_mean_s')
    """
    group, _, metric = key.rpartition(".")
    return group, metric


def group_stats(
    tasks: Any,
    duration_s: float,
    end_s: float | None,
    stats: Stats,
    order: Sequence[str] = (),
    batteries: Mapping[str, Mapping[str, float]] | None = None,
    column: str = GROUP_COLUMN,
    metrics: Sequence[str] = GROUP_METRICS,
    least: int = 2,
    optional: Collection[str] = LLM_APP_METRICS,
    then: Callable[[str], Any] | None = None,
) -> dict[str, float]:
    """Each source group's :data:`GROUP_METRICS`, keyed :func:`group_key`; empty for one group or none.

    ``tasks`` is a DataFrame, a mapping of columns, or the engine's records (read with
    ``blocks()``); ``stats`` is the summary's computation of its task numbers for that kind of
    table, run on each group's rows alone.  Groups come in ``order`` (the scenario's, as the
    nodes table has them), any other after them in the order of their first task, or sorted by
    ``then`` where given (a breakdown's: :func:`~offloadsim.analysis.breakdown_registry.natural_key`).
    ``batteries``: each group's battery metrics (:func:`group_batteries`); a group without a
    battery has none of :data:`GROUP_BATTERY_METRICS`.  ``column`` and ``metrics``: another task
    column's values in place of the source groups (``APP_COLUMN``, :data:`APP_METRICS`); ``least``:
    how many values the tasks must have for any to be told apart (1: a run of a scenario of two
    applications whose tasks all went to one still has that one's numbers, as its other runs do);
    ``optional``: metrics a value may not have (an LLM's), left out where NaN.
    """
    groups = _groups(tasks, column, least)
    if groups is None or len(set(groups[1])) < least:
        return {}
    out: dict[str, float] = {}
    for group in _ordered(dict.fromkeys(groups[1]), order, then):
        rows = _subset(tasks, groups, group, column)
        numbers = stats(rows, duration_s, end_s)
        tasks_with, misses = numbers["deadline_tasks"], numbers["deadline_misses"]
        numbers["deadline_miss_rate"] = misses / tasks_with if tasks_with else math.nan
        # The split where the records say it (a run written before device_compute_energy: none).
        compute = numbers.pop(ENERGY_SPLIT_METRICS[0], math.nan)
        numbers.update(energy_split_metrics(numbers["device_energy_mean_j"], compute))
        numbers.update((batteries or {}).get(group, {}))
        kept = (m for m in metrics if m in numbers)  # an application with no LLM request: no ttft, no tpot
        out.update(
            {
                group_key(group, m): float(numbers[m])
                for m in kept
                if m not in optional or numbers[m] == numbers[m]
            }
        )
    return out


def _ordered(found: Iterable[str], order: Sequence[str], then: Callable[[str], Any] | None) -> list[str]:
    """``found`` (by first task) in ``order``, the rest after it: by first task, or sorted by ``then``."""
    rank = {value: i for i, value in enumerate(order)}
    listed = sorted((value for value in found if value in rank), key=rank.__getitem__)
    rest = [value for value in found if value not in rank]
    return listed + (rest if then is None else sorted(rest, key=then))


def values_with(tasks: Any, column: str, other: str, wanted: Collection[str]) -> set[str]:
    """The values of ``column`` some of whose tasks have a value of ``other`` in ``wanted``.

    The applications (``APP_COLUMN``) served for some source group (``GROUP_COLUMN``) without
    ``power:``: their device energy per task pools its 0 J, which is not measured.

    >>> sorted(values_with({"app": ["a", "a", "b"], "source_group": ["pi", "cam", "pi"]}, "app",
    ...                    "source_group", {"cam"}))
    ['a']
    """
    found = _groups(tasks, column, least=1)
    if found is None:
        return set()
    out = set()
    for value in found[1]:
        theirs = _groups(_subset(tasks, found, value, column), other, least=1)
        if theirs is not None and set(theirs[1]) & set(wanted):
            out.add(value)
    return out


def group_batteries(nodes: Any) -> dict[str, dict[str, float]]:
    """Each node group's battery metrics over its nodes alone; ``{}`` without a ``group`` column.

    :func:`~offloadsim.analysis.batteries.battery_metrics_of_nodes` of each group with a battery.
    A source group is a group of devices, so its batteries are its nodes': the budget phones'
    least charge left, not the fleet's.

    >>> group_batteries({"group": ["old", "old", "cam"], "battery_left": [0.2, 0.6, float("nan")],
    ...                  "drained_at": [float("nan")] * 3})
    {'old': {'batteries_flat': 0.0, 'battery_left_min': 0.2, 'battery_left_median': 0.4}}
    """
    columns = nodes.columns if hasattr(nodes, "columns") else (nodes if nodes is not None else ())
    if "group" not in columns or "battery_left" not in columns:
        return {}
    groups = np.asarray(nodes["group"], dtype=object).astype(str)
    out = {}
    for group in dict.fromkeys(groups.tolist()):
        mask = groups == group
        mine = {
            c: np.asarray(nodes[c], dtype=float)[mask] for c in ("battery_left", "drained_at") if c in columns
        }
        found = battery_metrics_of_nodes(mine)
        if found:
            out[group] = found
    return out


def group_rows(
    run: Mapping[str, Any],
    source_groups: Mapping[str, float],
    key: str = "group",
    metrics: Sequence[str] = GROUP_FILE_METRICS,
) -> list[dict[str, Any]]:
    """One run's numbers per source group (its summary's ``source_groups``), a row a group.

    Each row holds ``run`` (the keys naming the run: its policy, replication, point), the
    ``group``, then the group's :data:`GROUP_FILE_METRICS` that the run has.  ``key`` and
    ``metrics``: per application (``"app"``, :data:`APP_FILE_METRICS`, of ``Summary.apps``).

    >>> group_rows({"policy": "edge"}, {"budget.latency_mean_s": 0.2, "budget.deadline_misses": 3.0})
    [{'policy': 'edge', 'group': 'budget', 'latency_mean_s': 0.2}]
    """
    rows: dict[str, dict[str, Any]] = {}
    for name, value in source_groups.items():
        group, metric = split_key(name)
        row = rows.setdefault(group, {**run, key: group})
        if metric in metrics:
            row[metric] = value
    return list(rows.values())


def per_group(
    rows: Sequence[Mapping[str, Any]],
    table: Callable[[pd.DataFrame, list[str]], pd.DataFrame],
    empty: Sequence[str],
    key: str = "group",
    metrics: Sequence[str] = GROUP_FILE_METRICS,
    optional: Collection[str] = LLM_APP_METRICS,
) -> pd.DataFrame:
    """``table`` of each group's rows (:func:`group_rows`), a ``group`` column first: a ``groups.csv``.

    ``table(rows, metrics)`` is the experiment's own summary of runs (compare's paired table, a
    sweep's per point) over one group's rows and the :data:`GROUP_FILE_METRICS` they hold; groups
    come in the rows' order.  No rows (no run had several groups): the columns ``group`` and
    ``empty``.  ``key`` and ``metrics``: per application (``"app"``, :data:`APP_FILE_METRICS`:
    an ``apps.csv``), where an application with no LLM request has none of ``optional``.
    """
    import pandas as pd

    if not rows:
        return pd.DataFrame(columns=[key, *empty])
    frame = pd.DataFrame(list(rows))
    names = [m for m in metrics if m in frame.columns]
    parts = []
    for group, part in frame.groupby(key, sort=False):
        mine = [m for m in names if m not in optional or part[m].notna().any()]
        summary = table(part.drop(columns=key), mine)
        summary.insert(0, key, group)
        parts.append(summary)
    return pd.concat(parts, ignore_index=True)


def _groups(tasks: Any, column: str = GROUP_COLUMN, least: int = 2) -> tuple[Any, list[str]] | None:
    """The tasks' groups: what :func:`_subset` needs to pick a group's rows, and the groups by first task.

    None where the table has no ``column`` (a run written before ``source_group``) or has no rows.
    """
    if callable(getattr(tasks, "blocks", None)):  # the engine's records: the codes of each chunk
        if column not in tasks.names or not tasks.rows:
            return None
        seen: dict[str, None] = {}
        for block in tasks.blocks():
            codes, labels = block.codes(column)
            for code in dict.fromkeys(codes.tolist()):
                seen[str(labels[code])] = None
        return None, [g for g in seen if g]
    import pandas as pd

    columns = tasks.columns if hasattr(tasks, "iloc") else tasks
    if column not in columns:
        return None
    values = tasks[column]
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    present = [str(g) for g in series.dropna().unique() if str(g)]  # a category's: without a pass in Python
    if len(present) < least:
        return None  # one group (the common case) needs no column of strings
    return series.astype(str).to_numpy(), present


def _subset(tasks: Any, groups: tuple[Any, list[str]], group: str, column: str = GROUP_COLUMN) -> Any:
    """The rows of ``tasks`` whose ``column`` (source group) is ``group``, as a table of the same kind."""
    values = groups[0]
    if values is None:
        return _GroupRecords(tasks, group, column)
    mask = values == group
    if hasattr(tasks, "iloc"):
        return tasks.loc[mask]
    return {name: np.asarray(column)[mask] for name, column in tasks.items()}


class _GroupRecords:
    """The engine's records of one source group: ``names``, ``rows`` and ``blocks()``, as the records'."""

    def __init__(self, records: Any, group: str, column: str = GROUP_COLUMN) -> None:
        self.records = records
        self.group = group
        self.column = column
        self.names = records.names
        self.rows = sum(int(np.count_nonzero(block.mask)) for block in self.blocks())

    def blocks(self) -> Iterator[_GroupBlock]:
        for block in self.records.blocks():
            codes, labels = block.codes(self.column)
            mine = [i for i, label in enumerate(labels) if label == self.group]
            yield _GroupBlock(block, np.isin(codes, mine))


class _GroupBlock(Mapping[str, np.ndarray]):
    """One chunk's rows of one group: its columns and codes, the other rows left out."""

    def __init__(self, block: Any, mask: np.ndarray) -> None:
        self.block = block
        self.mask = mask

    def __getitem__(self, name: str) -> np.ndarray:
        return np.asarray(self.block[name])[self.mask]

    def __iter__(self) -> Iterator[str]:
        return iter(self.block)

    def __len__(self) -> int:
        return len(self.block)

    def codes(self, name: str) -> tuple[np.ndarray, list[str]]:
        codes, labels = self.block.codes(name)
        return codes[self.mask], labels
