"""The runs' summary warnings (overloaded, too short to settle) said once per kind under a compare or sweep.

A run's summary warns when its latencies depend on how long it ran
(:func:`offloadsim.analysis.summary.overload_warnings`); ``offloadsim run`` prints it, but a
comparison averaged it away: ``compare-load``'s ``local`` leaves phones 85 % busy for 60 s, five
times too short for their queues to settle, and its column read as steady as the others.

The numbers a note gives (the busiest nodes, the longest relaxation time and length asked) are
each warning's facts (:mod:`offloadsim.analysis.warning_facts`), carried beside its text, never
read back out of its wording.  A sweep job's file saved before they were kept has the text alone:
its warnings are told apart by their openings and said without numbers.  A kind says its note its own
way where it registers one (:attr:`~offloadsim.analysis.warning_registry.WarningKind.note`); any
other is its first warning's opening, "in" the runs, its detail in brackets.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from typing import Any

from offloadsim.analysis.config_labels import shared_labels
from offloadsim.analysis.warning_facts import WarningFacts, unbatched_clause
from offloadsim.analysis.warning_list import kind_named, warning_kind

__all__ = ["run_warnings_notes"]


def run_warnings_notes(
    manifest: Mapping[str, Any], metrics: Any, keys: list[str], run: list[str], *, in_flight_said: bool
) -> list[str]:
    """One note per kind of warning the runs' summaries gave, naming the configurations and how many runs.

    ``manifest``'s ``run_warnings`` rows name their run by ``run`` (``policy``/``point`` and
    ``replication``), with the warning's text and its ``facts`` (none in a row of an older job
    file); ``metrics`` is the per-run table and ``keys`` name a configuration in it.
    ``in_flight_said``: the in-flight note is there, which says what a backlog warning says (it
    needs 5 % of the tasks in flight too), so that warning is not said twice.
    """
    rows = list(manifest.get("run_warnings", ()))
    if not rows or not len(metrics):
        return []
    present = [key for key in keys if key in metrics.columns]
    records = metrics.to_dict("records")
    config_of = {tuple(row[k] for k in run): tuple(row[k] for k in present) for row in records}
    runs_of = Counter(config_of.values())

    # (kind, reason) -> configuration -> its runs' warnings, each its text and its facts (None: not
    # kept).  A run whose nodes were critically loaded warns for another reason than one too short for
    # its queue to settle: each said of its own runs (a sweep's note gave its 12 /min, 79 % offered,
    # the 15 /min runs' "critically loaded").
    by_kind: dict[tuple[str, bool], dict[tuple[Any, ...], list[tuple[str, WarningFacts | None]]]] = {}
    for i, row in enumerate(rows):
        text = str(row["warning"])
        facts = WarningFacts.from_dict(row["facts"], f"run_warnings[{i}].facts") if "facts" in row else None
        kind = warning_kind(text, facts)
        registered = kind_named(kind)
        if in_flight_said and registered is not None and registered.said_by_in_flight:
            continue
        config = config_of.get(tuple(row[k] for k in run))
        if config is None:  # a run the table does not hold
            continue
        critical = facts is not None and bool(facts.critical_nodes)
        by_kind.setdefault((kind, critical), {}).setdefault(config, []).append((text, facts))
    notes = []
    ranked = _in_order(list(runs_of), present)
    for (kind, _), configs in by_kind.items():
        alike: dict[tuple[int, int], list[tuple[Any, ...]]] = {}  # the same counts: said once
        for config, said in sorted(configs.items(), key=lambda item: ranked[item[0]]):
            alike.setdefault((len(said), runs_of[config]), []).append(config)
        where = " and ".join(
            f"{n} of {runs} runs of {label}" if label else f"{n} of {runs} runs"
            for (n, runs), shared in alike.items()
            for label in shared_labels(shared, present, runs_of)
        )
        warned = [entry for found in configs.values() for entry in found]
        serving = list(dict.fromkeys(n for _, facts in warned if facts is not None for n in facts.llm_nodes))
        unbatched = f"; {unbatched_clause(serving)}" if serving else ""  # said once, of every run's nodes
        registered = kind_named(kind)
        if registered is not None and registered.note is not None:
            notes.append(registered.note(where, warned, unbatched))
            continue
        first, facts = warned[0]
        if facts is not None and facts.llm_nodes:  # its own clause, said below of every run's nodes
            first = first.removesuffix(f"; {unbatched_clause(facts.llm_nodes)}")
        opening, _, detail = first.partition(":")
        detail = f" (first: {detail.strip()})" if detail.strip() else ""
        notes.append(f"{opening} in {where}{detail}{unbatched}")
    return notes


def _in_order(configs: list[tuple[Any, ...]], keys: list[str]) -> dict[tuple[Any, ...], tuple[Any, ...]]:
    """Each configuration's rank: by each key's value, numerically where a key's values are quantities.

    The runs' warnings come in the order their jobs ended: a sweep's note named its rates 1.5, 6, 2, 3.
    A key of quantities (``5 Mbps``, ``2.0``) sorts by their SI values; another keeps its first order.
    """
    from offloadsim.analysis.values import quantity_kind, to_si

    columns = []
    for i in range(len(keys)):
        values = [config[i] for config in configs]
        kind = quantity_kind(values)
        present = [
            value is not None and not (isinstance(value, float) and math.isnan(value)) for value in values
        ]
        if kind is not None and all(present):
            columns.append([float(v) for v in to_si(values, kind)])
        else:
            first = {v: n for n, v in enumerate(dict.fromkeys(map(str, values)))}
            columns.append([float(first[str(v)]) for v in values])
    return {config: tuple(column[n] for column in columns) for n, config in enumerate(configs)}
