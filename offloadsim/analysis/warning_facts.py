"""The numbers a run's summary warning is made of, kept beside its text.

``compare`` and ``sweep`` say their runs' warnings once per kind
(:mod:`offloadsim.analysis.warning_notes`), naming the busiest nodes and the longest length any
run asked for.  They read those numbers back out of each warning's wording ("85% busy", "run 2,518 s
or longer"), which broke the moment the wording changed.  The summary now builds each warning's
facts with its text (:attr:`offloadsim.analysis.summary.Summary.warning_facts`), and they travel
beside it: summary.json, a sweep job's file, a comparison's or sweep's manifest (``run_warnings``'
``facts``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from offloadsim.field_values import FieldValues
from offloadsim.shapes import describe, is_count, is_number
from offloadsim.suggest import quoted

__all__ = [
    "WarningFacts",
    "warning_rows",
    "unbatched_clause",
]


# eq=False, repr=False: FieldValues's __eq__, __hash__ and __repr__ (issue 12 e: see offloadsim.field_values).
@dataclass(frozen=True, eq=False, repr=False)
class WarningFacts(FieldValues):
    """One summary warning's numbers: what kind it is, the nodes it names, the length it asks for.

    ``kind``: the name of its registered kind (:mod:`offloadsim.analysis.warning_list`: ``backlog``,
    ``busy_growing``, ``queue_full``, ``settling``, ``overloaded``, each its own module).

    ``nodes``: the nodes its text names, in its order, each with its busy share (0 to 1; a
    ``busy_growing`` or ``settling`` warning's utilisation per core); ``node_count``: how many
    nodes it is about, those named and those it only counts ("and 17 more nodes").  A settling
    warning's ``relaxation_s`` is the longest relaxation time of its nodes' queues and
    ``length_s`` the measured time it asks for (``SETTLE_RELAXATIONS`` of them); NaN where the
    kind has none.  ``llm_nodes``: the overloaded nodes it names that decode LLM answers, which
    serve their requests one at a time (:func:`unbatched_clause`).  ``offered_nodes``: those of a
    settling warning's nodes whose share is their offered load (the scenario's arrival rates times
    their share of the completed tasks and mean time a task, as the run measured them), not their
    busy share of the measured time.  ``critical_nodes``: those
    loaded so near capacity (``settling.CRITICAL_LOAD``) that no run length is advised; a warning
    naming any has no relaxation time or length (NaN).  ``numbers``: any other numbers a kind's
    warning keeps, by name (a kind registered later, :mod:`offloadsim.analysis.warning_registry`,
    whose note or legend needs them: an accuracy drop, a round count); none for the shipped kinds.
    ``groups``: the source groups it concerns, sorted, where the run had several and it was placed
    (:func:`~offloadsim.analysis.group_warned.placed_facts`: those whose tasks ran on a node it
    names, or whose own tasks piled up); None where not worked out (one group, a result written
    before, a warning that concerns the whole run): every group.
    """

    kind: str
    nodes: tuple[tuple[str, float], ...] = ()
    node_count: int = 0
    relaxation_s: float = math.nan
    length_s: float = math.nan
    llm_nodes: tuple[str, ...] = ()
    offered_nodes: tuple[str, ...] = ()
    critical_nodes: tuple[str, ...] = ()
    numbers: tuple[tuple[str, float], ...] = ()
    groups: tuple[str, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-ready data: ``nodes`` a mapping of name to busy share, NaN numbers left out."""
        out: dict[str, Any] = {"kind": self.kind}
        if self.nodes or self.node_count:
            out["nodes"] = {name: busy for name, busy in self.nodes}
            out["node_count"] = self.node_count
        for name in ("relaxation_s", "length_s"):
            value = getattr(self, name)
            if not math.isnan(value):
                out[name] = value
        if self.llm_nodes:
            out["llm_nodes"] = list(self.llm_nodes)
        if self.offered_nodes:
            out["offered_nodes"] = list(self.offered_nodes)
        if self.critical_nodes:
            out["critical_nodes"] = list(self.critical_nodes)
        if self.numbers:
            out["numbers"] = dict(self.numbers)
        if self.groups is not None:
            out["groups"] = list(self.groups)
        return out

    @classmethod
    def from_dict(cls, data: Any, where: str) -> WarningFacts:
        """Inverse of :meth:`to_dict`; data of another shape is a ValueError naming ``where`` and the key.

        ``where`` says whose facts they are (``summary.json: warning_facts[0]``): an edited file is
        a bad input, refused in one line.
        """
        if not isinstance(data, Mapping):
            raise ValueError(f"{where}: expected a mapping with a kind, got {describe(data)}")
        kind = data.get("kind")
        if not isinstance(kind, str) or not kind:
            raise ValueError(f"{where}.kind: expected a text, got {describe(kind)}")
        nodes = data.get("nodes", {})
        if not isinstance(nodes, Mapping):
            raise ValueError(
                f"{where}.nodes: expected a mapping of node names to busy shares, got {describe(nodes)}"
            )
        for name, busy in nodes.items():
            if not is_number(busy):
                raise ValueError(
                    f"{where}.nodes[{quoted(str(name))}]: expected a busy share (a number), "
                    f"got {describe(busy)}"
                )
        count = data.get("node_count", len(nodes))
        if not is_count(count) or count < len(nodes):
            raise ValueError(
                f"{where}.node_count: expected a count of at least {len(nodes)}, got {describe(count)}"
            )
        numbers = {}
        for name in ("relaxation_s", "length_s"):
            value = data.get(name, math.nan)
            if not is_number(value):
                raise ValueError(f"{where}.{name}: expected a number, got {describe(value)}")
            numbers[name] = float(value)
        llm = _names(data, "llm_nodes", where)
        offered = _names(data, "offered_nodes", where)
        critical = _names(data, "critical_nodes", where)
        groups = _names(data, "groups", where, "source group names") if "groups" in data else None
        named = tuple((str(name), float(busy)) for name, busy in nodes.items())
        kept = data.get("numbers", {})
        if not isinstance(kept, Mapping) or not all(is_number(value) for value in kept.values()):
            raise ValueError(f"{where}.numbers: expected a mapping of names to numbers, got {describe(kept)}")
        return cls(
            kind=kind,
            nodes=named,
            node_count=int(count),
            llm_nodes=llm,
            offered_nodes=offered,
            critical_nodes=critical,
            groups=groups,
            numbers=tuple((str(name), float(value)) for name, value in kept.items()),
            **numbers,
        )


def _names(data: Mapping[str, Any], key: str, where: str, what: str = "node names") -> tuple[str, ...]:
    """``data[key]``, a list of ``what`` (none where absent); another shape is a ValueError naming it."""
    names = data.get(key, [])
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise ValueError(f"{where}.{key}: expected a list of {what}, got {describe(names)}")
    return tuple(names)


def unbatched_clause(nodes: Sequence[str]) -> str:
    """What an overload warning on nodes decoding LLM answers adds: they serve one request at a time.

    The simulator has no batching (docs/models.md: "Nor is batching"), so such a node saturates at
    a load a batching server (vLLM-style) would still carry: said once, where the overload is.
    """
    return (
        f"LLM decoding on {', '.join(nodes)} serves one request at a time (no batching, "
        "docs/models.md), so it saturates sooner than a batching server (vLLM-style) would"
    )


def warning_rows(
    run: Mapping[str, Any], warnings: Sequence[str], facts: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """A run's rows of a manifest's ``run_warnings``: each warning's text, with its ``facts``.

    ``run`` names the run (``policy`` or ``point``, ``replication``); ``facts`` are its warnings'
    (:meth:`WarningFacts.to_dict`, one per warning), or none: a sweep job's file saved before they
    were kept gives rows of the text alone, which the notes say without numbers.
    """
    kept: list[Mapping[str, Any] | None] = (
        list(facts) if len(facts) == len(warnings) else [None] * len(warnings)
    )
    return [
        {**run, "warning": text, **({"facts": dict(found)} if found is not None else {})}
        for text, found in zip(warnings, kept, strict=True)
    ]
