"""The configurations a figure draws whose runs' summaries warned: too short to settle, a queue that grew.

``compare`` and ``sweep`` say their runs' warnings under their table (and keep them in the
manifest's ``run_warnings``), but a figure drawn from the same results said nothing of them: a
resnet50 on a phone under ``local`` drew its mean latency of 3,203 ms as settled as any other
bar, where the table said "too short to settle ... latencies likely read low".  The figure names
each kind of warning once, with the drawn configurations whose runs gave it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from offloadsim.analysis.catalogue import is_metric, metric_info
from offloadsim.analysis.groups import GROUP_COLUMN
from offloadsim.analysis.values import axis_texts
from offloadsim.analysis.warning_facts import WarningFacts
from offloadsim.analysis.warning_list import kind_named, registered_kinds, warning_kind
from offloadsim.plots.series_names import shown_name

__all__ = [
    "run_warning_kinds",
    "warned_runs",
    "warned_runs_note",
    "group_attribution",
    "Attribute",
    "WarnedRuns",
]

#: The source groups a run's warning concerns (:func:`~offloadsim.analysis.warning_groups.warned_groups`),
#: given the run (its run columns, as text) and the warning's facts; None: every group.
Attribute = Callable[[Mapping[str, str], "WarningFacts | None"], "set[str] | None"]

#: The columns that name a run in the records and in ``run_warnings``' rows.
_RUN = ("point", "policy", "replication")

#: The column naming a drawn row's node (a figure of nodes: ``--kind utilisation``).
_NODE = "node"

_SHOWN = 4  # configurations a line names; the rest it counts


def run_warning_kinds(manifest: Mapping[str, Any]) -> list[tuple[dict[str, str], str]]:
    """Each row of the manifest's ``run_warnings``: the run it names (its run columns, as text) and its kind.

    See :func:`run_warnings_with_facts`, which keeps each row's facts too.
    """
    return [(run, kind) for run, kind, _ in run_warnings_with_facts(manifest)]


def run_warnings_with_facts(
    manifest: Mapping[str, Any],
) -> list[tuple[dict[str, str], str, WarningFacts | None]]:
    """Each row of the manifest's ``run_warnings``: the run it names, its kind and its facts (or None).

    The kind is :func:`~offloadsim.analysis.warning_list.warning_kind`'s, the tables' notes' (its
    facts', else its text's registered opening); rows of another shape are passed over.  Results
    written before runs' warnings were kept have none: no note.
    """
    found = []
    for row in manifest.get("run_warnings") or ():
        if not isinstance(row, Mapping) or not isinstance(row.get("warning"), str):
            continue
        try:
            facts = WarningFacts.from_dict(row["facts"], "run_warnings") if "facts" in row else None
        except ValueError:  # facts of another shape: told by the text, as an older row is
            facts = None
        kind = warning_kind(row["warning"], facts)
        found.append(({k: str(row[k]) for k in _RUN if k in row}, kind, facts))
    return found


class WarnedRuns(NamedTuple):
    """:func:`warned_runs`' note, and whether a kind it says makes the values depend on the runs' length.

    ``length_dependent``: a run too short to settle, a queue that grew, an open rate past
    capacity: the values drawn are of no steady state (a closed loop's pace or a full queue's
    drops are not such a kind).
    """

    note: str
    length_dependent: bool


def warned_runs_note(
    manifest: Mapping[str, Any],
    frame: pd.DataFrame,
    keys: Iterable[str],
    heading: Callable[[str], str],
    attribute: Attribute | None = None,
    metric: str | None = None,
) -> str:
    """:func:`warned_runs`' note alone."""
    return warned_runs(manifest, frame, keys, heading, attribute, metric).note


def warned_runs(
    manifest: Mapping[str, Any],
    frame: pd.DataFrame,
    keys: Iterable[str],
    heading: Callable[[str], str],
    attribute: Attribute | None = None,
    metric: str | None = None,
) -> WarnedRuns:
    """A line per kind of warning the drawn runs gave, naming their configurations (by ``keys``).

    ``frame`` holds the drawn rows (tasks, a metrics or nodes table: any with the columns naming a
    run); ``heading`` names a key as the figure does: ``runs warned, latencies depend on how long
    they ran (policy):`` then ``too short to settle, likely read low: local (2 of 2 runs)``.  Empty
    when no drawn run warned, or the results kept no warnings.  Where ``frame`` has a row per source
    group, ``attribute`` says which groups each warning concerns: a figure per group names only
    theirs (the old phones' overload is not the new phones').  Where it has a row per node, a
    warning whose facts name every node it is about is said only of runs whose drawn nodes it
    names: a figure of the server's utilisation (``--where node=server``) said the phone's overload.
    ``metric``: the one drawn, which the lead names where it is no latency (``how long they ran
    moves their deadline misses``); None: latencies.
    """
    warned = run_warnings_with_facts(manifest)
    run = [k for k in _RUN if k in frame.columns]
    if not warned or not run or not len(frame):
        return WarnedRuns("", False)
    keys = [k for k in dict.fromkeys(keys) if k in frame.columns]
    by_group = attribute is not None and GROUP_COLUMN in frame.columns
    by_node = _NODE in frame.columns
    named = list(dict.fromkeys([*run, *keys, *([_NODE] if by_node else [])]))
    frame = frame[~frame[named].astype(str).duplicated().to_numpy()]
    # One row per run and configuration, as text: values in their axis's unit, as the figure's.
    runs = pd.DataFrame(
        {
            **{k: frame[k].astype(str).to_numpy() for k in run},
            **{f"key {k}": [shown_name(t, k) for t in axis_texts(frame[k])] for k in keys},
            "key": "",  # a figure of one configuration: its runs are all one group
            **({GROUP_COLUMN: frame[GROUP_COLUMN].astype(str).to_numpy()} if by_group else {}),
            **({_NODE: frame[_NODE].astype(str).to_numpy()} if by_node else {}),
        }
    ).drop_duplicates()
    configs = [f"key {k}" for k in keys] or ["key"]
    one_each = [*run, *configs]  # a run counted once per configuration, whatever its groups
    total = runs[one_each].drop_duplicates().groupby(configs, sort=False).size()
    rank = {kind.name: kind.legend_rank for kind in registered_kinds()}
    kinds = sorted({kind for _, kind, _ in warned}, key=lambda k: (rank.get(k, 9), k))
    lines, said = [], []
    for kind in kinds:
        hit = _runs_named(runs, [(named, facts) for named, of, facts in warned if of == kind], attribute)
        if hit.any():
            counts = runs[hit][one_each].drop_duplicates().groupby(configs, sort=False).size()
            listed = _listed(counts, total, named=bool(keys))
            said_as = _legend(kind)
            lines.append(f"{said_as}: {listed}" if keys else f"{said_as} ({listed})")
            said.append(kind)
    if not lines:
        return WarnedRuns("", False)
    # Each kind but a full queue's (stages dropped) says the runs' latencies depend on their length
    # (a kind's registered ``length_dependent``).
    lead = "runs warned" + (f", {_depends(metric)}" if all(_length_dependent(kind) for kind in said) else "")
    some = any(_length_dependent(kind) for kind in said)
    if not keys:
        return WarnedRuns(f"{lead}: " + "; ".join(lines), some)
    return WarnedRuns(f"{lead} ({', '.join(heading(k) for k in keys)}):\n" + "\n".join(lines), some)


def _depends(metric: str | None) -> str:
    """What of the drawn ``metric`` depends on the runs' length: latencies, else the metric by its label.

    A figure of deadline misses or energy said its runs' "latencies depend on how long they ran".
    """
    if metric is None or not is_metric(metric) or metric_info(metric).unit == "ms":  # a task column: latency
        return "latencies depend on how long they ran"
    return f"how long they ran moves their {metric_info(metric).label}"


def _legend(kind: str) -> str:
    """How the figure says a kind: its registered ``legend``, else the kind itself."""
    registered = kind_named(kind)
    return kind if registered is None else registered.legend


def _length_dependent(kind: str) -> bool:
    """Whether a kind says its runs' latencies depend on how long they ran (an unknown kind: no)."""
    registered = kind_named(kind)
    return registered is not None and registered.length_dependent


def _runs_named(
    runs: pd.DataFrame,
    named: Iterable[tuple[Mapping[str, str], WarningFacts | None]],
    attribute: Attribute | None = None,
) -> pd.Series:
    """Which of ``runs``' rows are one of the runs ``named`` (by their run columns); none it cannot name.

    Where ``runs`` has a row per source group, only the groups ``attribute`` says each warning
    concerns (all where it cannot tell).
    """
    hit = pd.Series(False, index=runs.index)
    for one, facts in named:
        if one and set(one) <= set(runs.columns):  # else a run these records do not name
            match = pd.Series(True, index=runs.index)
            for column, value in one.items():
                match &= runs[column] == value
            groups = attribute(one, facts) if attribute is not None and GROUP_COLUMN in runs else None
            if groups is not None:
                match &= runs[GROUP_COLUMN].isin(groups)
            nodes = _nodes_of(facts)
            if nodes is not None and _NODE in runs:
                match &= runs[_NODE].isin(nodes)
            hit |= match
    return hit


def _nodes_of(facts: WarningFacts | None) -> set[str] | None:
    """The nodes a warning is about, where its facts name every one; None where they cannot tell.

    A warning naming none (the tasks in the system grew) or counting more than it names ("and 17
    more nodes") is about its whole run, as far as a figure can tell.
    """
    if facts is None or not facts.nodes or facts.node_count > len(facts.nodes):
        return None
    return {name for name, _ in facts.nodes}


def _listed(counts: pd.Series, total: pd.Series, *, named: bool) -> str:
    """``local, fp32 (2 of 2 runs); edge, fp32 (its run)``; ``2 of 2 runs`` naming no configuration."""
    listed = []
    for config, n in counts.items():
        values = config if isinstance(config, tuple) else (config,)
        runs = int(total[config])
        of = f"{n} of {runs} runs" if runs > 1 else "its run" if named else "the run"
        listed.append(f"{', '.join(map(str, values))} ({of})" if named else of)
    more = len(listed) - _SHOWN
    return "; ".join(listed[:_SHOWN]) + (f"; and {more} more" if more > 0 else "")


def group_attribution(tasks: pd.DataFrame, nodes: pd.DataFrame | None, metrics: pd.DataFrame) -> Attribute:
    """The :data:`Attribute` of a results directory's records: each warned run's rows read once.

    ``tasks``, ``nodes`` and ``metrics`` are the results' whole tables (a warning is about its
    whole run, whatever the figure keeps with ``where``).
    """
    from offloadsim.analysis.summary import measured_time
    from offloadsim.analysis.warning_groups import warned_groups

    runs: dict[
        tuple[tuple[str, str], ...], tuple[pd.DataFrame, pd.DataFrame | None, float, float | None]
    ] = {}

    def of_run(table: pd.DataFrame, run: Mapping[str, str]) -> pd.DataFrame:
        keep = np.ones(len(table), dtype=bool)
        for column, value in run.items():
            if column in table.columns:
                keep &= table[column].astype(str).to_numpy() == value
        return table[keep]

    def attribute(run: Mapping[str, str], facts: WarningFacts | None) -> set[str] | None:
        key = tuple(sorted(run.items()))
        if key not in runs:
            job = of_run(metrics, run)
            if not len(job):
                return None
            end = float(job["end_s"].iloc[0]) if "end_s" in job.columns else math.nan
            runs[key] = (
                of_run(tasks, run),
                None if nodes is None else of_run(nodes, run),
                measured_time(job.iloc[0]),
                end if math.isfinite(end) else None,
            )
        rows, node_rows, duration, end_s = runs[key]
        return warned_groups(facts, rows, node_rows, duration, end_s)

    return attribute
