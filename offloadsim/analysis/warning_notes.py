"""The runs' summary warnings (overloaded, too short to settle) said once under a comparison or sweep.

A run's summary warns when its latencies depend on how long it ran
(:func:`offloadsim.analysis.summary.overload_warnings`); ``offloadsim run`` prints it, but a
comparison averaged it away: ``compare-load``'s ``local`` leaves phones 85 % busy for 60 s, five
times too short for their queues to settle, and its column read as steady as the others.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from typing import Any

from offloadsim.analysis.config_labels import shared_labels
from offloadsim.analysis.summary import BACKLOG_WARNING as _BACKLOG
from offloadsim.analysis.summary import SETTLE_RELAXATIONS as _RELAXATIONS
from offloadsim.analysis.summary import SETTLING_WARNING as _SETTLE

__all__ = ["run_warnings_notes"]

_SHOWN = 3  # nodes named per note


def run_warnings_notes(
    manifest: Mapping[str, Any], metrics: Any, keys: list[str], run: list[str], *, in_flight_said: bool
) -> list[str]:
    """One note per kind of warning the runs' summaries gave, naming the configurations and how many runs.

    ``manifest``'s ``run_warnings`` rows name their run by ``run`` (``policy``/``point`` and
    ``replication``); ``metrics`` is the per-run table and ``keys`` name a configuration in it.
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

    by_kind: dict[str, dict[tuple[Any, ...], list[str]]] = {}
    for row in rows:
        text = str(row["warning"])
        if in_flight_said and text.startswith(_BACKLOG):
            continue
        config = config_of.get(tuple(row[k] for k in run))
        if config is None:  # a run the table does not hold
            continue
        kind = _SETTLE if text.startswith(_SETTLE) else text.split(":", 1)[0]
        by_kind.setdefault(kind, {}).setdefault(config, []).append(text)
    notes = []
    for kind, configs in by_kind.items():
        alike: dict[tuple[int, int], list[tuple[Any, ...]]] = {}  # the same counts: said once
        for config, texts in configs.items():
            alike.setdefault((len(texts), runs_of[config]), []).append(config)
        where = " and ".join(
            f"{n} of {runs} runs of {label}" if label else f"{n} of {runs} runs"
            for (n, runs), shared in alike.items()
            for label in shared_labels(shared, present, runs_of)
        )
        texts = [text for found in configs.values() for text in found]
        if kind == _SETTLE:
            notes.append(_settling_note(where, texts))
        elif kind.startswith(_BACKLOG):
            notes.append(
                f"the tasks in the system grew all run in {where}: "
                "their latencies depend on how long they ran"
            )
        else:
            detail = texts[0].split(":", 1)[1].strip() if ":" in texts[0] else ""
            notes.append(f"{kind} in {where}" + (f" (first: {detail})" if detail else ""))
    return notes


def _settling_note(where: str, texts: list[str]) -> str:
    """The settling warnings of several runs as one note: the busiest nodes named, the length to run.

    A run's warning names its first few nodes and counts the others, and asks for 5 relaxation
    times of the slowest of all of them: the note's relaxation time is that one, the longest.
    """
    nodes: dict[str, float] = {}
    most = 0  # the most nodes one run's warning named or counted
    for text in texts:
        found = re.findall(r"(?:: |; )([^;:()]+?) (\d+)% busy", text)
        for name, busy in found:
            nodes[name] = max(nodes.get(name, 0.0), float(busy))
        more = re.search(r" and (\d+) more nodes", text)
        most = max(most, len(found) + (int(more.group(1)) if more else 0))
    longer = max(
        (_number(m) for t in texts for m in re.findall(r"run ([\d,.]+) s or longer", t)), default=0.0
    )
    busiest = sorted(nodes, key=lambda name: -nodes[name])[:_SHOWN]
    named = ", ".join(f"{name} {nodes[name]:.0f}%" for name in busiest)
    busy = (
        f"{most} nodes in a run, among them {named} busy" if most > len(busiest) else f"{named} busy"
    ) + ", "
    return (
        f"too short to settle in {where} ({busy if nodes else ''}relaxation time up to "
        f"{longer / _RELAXATIONS:,.0f} s): latencies likely read low; run {longer:,.0f} s or longer"
    )


def _number(text: str) -> float:
    return float(text.replace(",", ""))
