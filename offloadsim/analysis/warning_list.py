"""The kinds of run warning on the registry (:mod:`offloadsim.analysis.warning_registry`): one line each.

A new kind is its own module declaring a :class:`~offloadsim.analysis.warning_registry.WarningKind`,
and one line here; another distribution's declares it under the entry-point group
:data:`ENTRY_POINT_GROUP` (read on the first look-up in each process, pool workers included, as the
run metrics' are).  The order is the summary's order of its warnings: the backlog, the nodes busy
all run, the full queues, the runs too short to settle, the nodes offered their capacity, the
closed loops whose throughput is their users' pace, the closed loops still bunched from their
users' common start, the links stalled to the run's end.
:func:`run_warnings` finds a run's warnings of every registered kind (a test's toy kind included),
a kind's after those of the kinds that explain its loops (``WarningKind.loops_explained_by``), the
loops they named left out of its inputs, or its backlog (``backlog_explained_by``), the tasks they
held in flight left out of it;
:func:`warning_kind` reads which kind a row of a manifest's ``run_warnings`` is.  :func:`warning_plugins`
says the kinds not offloadsim's own as the plug-ins a run used (its manifest's ``plugins``, a sweep's
and a comparison's job keys): a plug-in kind changes summaries, so a job summarised without it runs
again once it is installed.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from offloadsim.analysis.table_columns import floats, has, rows, strings
from offloadsim.analysis.warning_facts import WarningFacts, unbatched_clause
from offloadsim.analysis.warning_faults import detected
from offloadsim.analysis.warning_kinds import (
    backlog,
    busy_growing,
    closed_loop,
    lockstep,
    overloaded,
    queue_full,
    settling,
    stalled_link,
)
from offloadsim.analysis.warning_kinds.shared import SETTLE_BUSY
from offloadsim.analysis.warning_registry import (
    HELD,
    HELD_SHARE,
    Said,
    WarningInputs,
    WarningKind,
    detection_order,
    register,
    registered,
)
from offloadsim.analysis.warning_registry import kind_named as _kind_named
from offloadsim.plugins import NamedPlugins

__all__ = [
    "ENTRY_POINT_GROUP",
    "PLUGINS",
    "SHIPPED",
    "registered_kinds",
    "kind_named",
    "run_warnings",
    "warning_kind",
    "warning_plugins",
]

#: offloadsim's own kinds of run warning, in the summary's order.
SHIPPED: tuple[WarningKind, ...] = (
    backlog.KIND,
    busy_growing.KIND,
    queue_full.KIND,
    settling.KIND,
    overloaded.KIND,
    closed_loop.KIND,
    lockstep.KIND,
    stalled_link.KIND,
)
for _kind in SHIPPED:
    register(_kind)

#: The entry-point group other distributions declare kinds of run warning in (each entry a
#: ``WarningKind`` named as the entry).
ENTRY_POINT_GROUP = "offloadsim.warning_kinds"


#: The front end of the registry: the kinds other distributions declare, read on the first look-up in
#: each process.
_FRONT = NamedPlugins(ENTRY_POINT_GROUP, "warning kind", WarningKind, register, registered, _kind_named)
PLUGINS = _FRONT.group


def registered_kinds() -> tuple[WarningKind, ...]:
    """Every registered kind, the shipped ones first, in the order registered (entry points read once)."""
    return _FRONT.all()


def kind_named(name: str) -> WarningKind | None:
    """The registered kind of that name (entry points read once); None where none is."""
    return _FRONT.named(name)


def warning_plugins() -> list[dict[str, Any]]:
    """The registered kinds not offloadsim's own, as a manifest's ``plugins`` lists what a run used.

    Each ``{"group": "offloadsim.warning_kinds", "name", "distribution", "version"}``, or,
    registered in this process (a script's, a test's), ``"distribution": None`` and the ``module``
    of its ``detect`` (:func:`offloadsim.plugins.provenance`).  None where only offloadsim's are
    registered, so a run or job of those keeps its manifest's ``plugins`` and its key.
    """
    shipped = {id(kind) for kind in SHIPPED}
    return _FRONT.used(
        lambda kind: id(kind) in shipped, lambda kind: str(getattr(kind.detect, "__module__", ""))
    )


def run_warnings(inputs: WarningInputs, decoders: set[str]) -> list[Said]:
    """One run's warnings of every registered kind, in their order, each text with its facts.

    ``decoders``: the nodes that decode the run's LLM answers; one warning says they serve one
    request at a time (:func:`_unbatched`).
    """
    kinds = {kind.name: kind for kind in registered_kinds()}
    found: dict[str, list[Said]] = {}
    for name in detection_order(kinds):
        kind = kinds[name]
        unheld = _unheld(inputs, kind.backlog_explained_by, found)
        found[name] = detected(kind, _unexplained(unheld, kind.loops_explained_by, found))
    said = [each for name in kinds for each in found[name]]
    return _unbatched(said, decoders, inputs)


def _unexplained(
    inputs: WarningInputs, explainers: tuple[str, ...], found: dict[str, list[Said]]
) -> WarningInputs:
    """``inputs`` without the closed loops that a warning of the ``explainers`` kinds named.

    The one place a kind leaves a loop to another: the ``closed_loop`` warning's "more users raise
    it" was said beside ``lockstep`` of the same loop, where the bunch, not the users' number, held
    its throughput down.
    """
    named = {label for kind in explainers for _, facts in found.get(kind, []) for label, _ in facts.numbers}
    if not named:
        return inputs
    loops = {pair: loop for pair, loop in inputs.loops.items() if f"{pair[0]}/{pair[1]}" not in named}
    return dataclasses.replace(inputs, loops=loops)


def _unheld(
    inputs: WarningInputs, explainers: tuple[str, ...], found: dict[str, list[Said]]
) -> WarningInputs:
    """``inputs`` without the tasks left in flight that a warning of the ``explainers`` kinds explained.

    Their facts' :data:`~offloadsim.analysis.warning_registry.HELD` numbers count them at the end of
    each quarter and their share of the tasks: a link cut to the run's end left them in flight,
    which the backlog warning called an overload.
    """
    held = [dict(facts.numbers) for kind in explainers for _, facts in found.get(kind, [])]
    held = [numbers for numbers in held if all(name in numbers for name in (*HELD, HELD_SHARE))]
    if not held or inputs.backlog is None:
        return inputs
    backlog = [
        count - int(sum(numbers[name] for numbers in held))
        for count, name in zip(inputs.backlog, HELD, strict=True)
    ]
    share = inputs.in_flight_share - sum(numbers[HELD_SHARE] for numbers in held)
    return dataclasses.replace(inputs, backlog=backlog, in_flight_share=max(share, 0.0))


def _unbatched(said: list[Said], decoders: set[str], inputs: WarningInputs) -> list[Said]:
    """Say once, on the first overload warning about a node decoding LLM answers, that it has no batching.

    Each decode step is its own job (docs/models.md: "Nor is batching"): an overloaded Jetson
    serving Llama 3.2 1B saturated near 2 requests/s and its output token throughput fell to 11
    tokens/s, with nothing in the run's output to say a batching server would go further.  A
    warning of a ``llm_clause="named"`` kind (busy all run) naming such a node carries the clause;
    failing one, a ``"loaded"`` kind's (the backlog), when a node decoding LLM answers was busy at
    least half the measured time.
    """
    if not decoders:
        return said
    nodes = inputs.nodes
    busy = {}
    if nodes is not None and rows(nodes) and has(nodes, "utilisation"):
        busy = dict(zip(strings(nodes, "node").tolist(), floats(nodes, "utilisation").tolist(), strict=True))
    loaded = tuple(sorted(name for name in decoders if busy.get(name, 0.0) >= SETTLE_BUSY))
    carriers = [kind for how in ("named", "loaded") for kind in registered_kinds() if kind.llm_clause == how]
    for kind in carriers:
        for i, (text, facts) in enumerate(said):
            if facts.kind != kind.name:
                continue
            named = tuple(name for name, _ in facts.nodes if name in decoders)
            serving = named if kind.llm_clause == "named" else loaded
            if serving:
                kept = dataclasses.replace(facts, llm_nodes=serving)
                return [*said[:i], (f"{text}; {unbatched_clause(serving)}", kept), *said[i + 1 :]]
    return said


def warning_kind(text: str, facts: WarningFacts | None) -> str:
    """A warning's kind: its facts', or, for a row of an older job file, told by the text's opening.

    The one reading of a ``run_warnings`` row's kind: the tables' notes, their ``warnings`` column
    and the figures' (which configurations' runs warned) group by it alike.  A text of no
    registered kind's opening is its kind up to its colon.
    """
    if facts is not None:
        return facts.kind
    for kind in registered_kinds():
        if kind.opening and text.startswith(kind.opening):
            return kind.name
    return text.split(":", 1)[0]
