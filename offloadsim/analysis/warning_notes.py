"""The runs' summary warnings (overloaded, too short to settle) said once under a comparison or sweep.

A run's summary warns when its latencies depend on how long it ran
(:func:`offloadsim.analysis.summary.overload_warnings`); ``offloadsim run`` prints it, but a
comparison averaged it away: ``compare-load``'s ``local`` leaves phones 85 % busy for 60 s, five
times too short for their queues to settle, and its column read as steady as the others.

The numbers a note gives (the busiest nodes, the longest relaxation time and length asked) are
each warning's facts (:mod:`offloadsim.analysis.warning_facts`), carried beside its text, never
read back out of its wording.  A sweep job's file saved before they were kept has the text alone:
its warnings are told apart by their openings and said without numbers.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from typing import Any

from offloadsim.analysis.config_labels import shared_labels
from offloadsim.analysis.summary import BACKLOG_WARNING, SETTLING_WARNING, critical_said
from offloadsim.analysis.warning_facts import BACKLOG, SETTLING, WarningFacts, unbatched_clause

__all__ = ["run_warnings_notes", "warning_kind"]

_SHOWN = 3  # nodes named per note


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

    # kind -> configuration -> its runs' warnings, each its text and its facts (None: not kept)
    by_kind: dict[str, dict[tuple[Any, ...], list[tuple[str, WarningFacts | None]]]] = {}
    for i, row in enumerate(rows):
        text = str(row["warning"])
        facts = WarningFacts.from_dict(row["facts"], f"run_warnings[{i}].facts") if "facts" in row else None
        kind = warning_kind(text, facts)
        if in_flight_said and kind == BACKLOG:
            continue
        config = config_of.get(tuple(row[k] for k in run))
        if config is None:  # a run the table does not hold
            continue
        by_kind.setdefault(kind, {}).setdefault(config, []).append((text, facts))
    notes = []
    ranked = _in_order(list(runs_of), present)
    for kind, configs in by_kind.items():
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
        if kind == SETTLING:
            notes.append(_settling_note(where, [facts for _, facts in warned if facts is not None]))
        elif kind == BACKLOG:
            notes.append(
                f"the tasks in the system grew all run in {where}: "
                "their latencies depend on how long they ran" + unbatched
            )
        else:
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


def warning_kind(text: str, facts: WarningFacts | None) -> str:
    """A warning's kind: its facts', or, for a row of an older job file, told by the text's opening.

    The one reading of a ``run_warnings`` row's kind: the tables' notes and the figures' (which
    configurations' runs warned: :mod:`offloadsim.plots.warned_runs`) group by it alike.
    """
    if facts is not None:
        return facts.kind
    if text.startswith(SETTLING_WARNING):
        return SETTLING
    if text.startswith(BACKLOG_WARNING):
        return BACKLOG
    return text.split(":", 1)[0]


def _settling_note(where: str, facts: list[WarningFacts]) -> str:
    """The settling warnings of several runs as one note: the busiest nodes named, the length to run.

    A run's warning names its first few nodes and counts the others, and asks for 5 relaxation
    times of the slowest of all of them: the note's relaxation time is that one, the longest, and
    its length the longest asked.  ``facts`` are those the runs kept: none from job files saved
    before they were, whose note says so rather than a length it does not know.
    """
    lead = f"too short to settle in {where}"
    critical = list(dict.fromkeys(name for found in facts for name in found.critical_nodes))
    if critical:  # no length settles these runs, however long the others ask (summary.CRITICAL_LOAD)
        more = f" and {len(critical) - _SHOWN} more" if len(critical) > _SHOWN else ""
        return (
            f"{lead}: {', '.join(critical[:_SHOWN])}{more} {critical_said()}: "
            "no practical run length settles; lower the rate or add capacity"
        )
    facts = [found for found in facts if math.isfinite(found.relaxation_s) and math.isfinite(found.length_s)]
    if not facts:
        return f"{lead}: latencies likely read low (job files of an older offloadsim keep no length to run)"
    busiest: dict[str, float] = {}
    offered: set[str] = set()  # named by their offered load, not their busy share
    for found in facts:
        offered.update(found.offered_nodes)
        for name, share in found.nodes:
            busiest[name] = max(busiest.get(name, 0.0), share)
    counts = {found.node_count for found in facts}  # how many nodes each run's warning was about
    most = max(counts)
    relaxation = max(found.relaxation_s for found in facts)
    length = max(found.length_s for found in facts)
    shown = sorted(busiest, key=lambda name: -busiest[name])[:_SHOWN]
    said = [f"{name} {busiest[name]:.0%}" for name in shown]
    if offered & set(shown):  # each says which: an offered load or a busy share
        said = [
            f"{text} {'offered' if name in offered else 'busy'}"
            for text, name in zip(said, shown, strict=True)
        ]
    named = ", ".join(said) + ("" if offered & set(shown) else " busy")
    unsettled = f"{'up to ' if len(counts) > 1 else ''}{most:,} nodes too slow to settle in a run"
    busy = (f"{unsettled}, among them {named}" if most > len(shown) else named) + ", "
    return (
        f"{lead} ({busy if busiest else ''}relaxation time up to {relaxation:,.0f} s): "
        f"latencies likely read low; run {length:,.0f} s or longer"
    )
