"""A processor offered 100 % or more of its cores before the run: a queue that grows all run.

A scenario of 500 cameras offering their nearest edge 182 % validated without a word; only the run
said, after it, that the backlog grew (the ``overloaded`` warning, from the loads it measured).  A
scenario check (:mod:`offloadsim.scenario.checks`): where the policy fixes each task's node before
the run (``local``, ``fixed`` with one station, ``edge``, ``cloud``), each processor's nominal
offered load (``CheckedRun.nominal_loads``, :mod:`offloadsim.world.nominal_load`: the workload's
arrival rates sent to it times one task's compute time there as the world prices it, over its
cores), one warning per node group at or past 100 %, at its key, naming its most loaded node and
saying how the figure was made.  Nothing where the policy decides at run time (by load, cost or
chance): no guess.  Each warning is about the processor its nodes are offered too much on
(``Problem.about``), so one whose speed or memory bandwidth is a bare number that ``plain-speeds``
warns of (``speed: 10``, 10 FLOP/s where 10 GFLOP/s was meant) is said by that check alone
(:data:`~offloadsim.scenario.checks.EXPLAINED_BY`): "offered 2e10 %" beside it said the same
thing less clearly; written with its unit, its load is said.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from offloadsim.scenario.checks import CheckedRun
from offloadsim.scenario.errors import Problem, format_path
from offloadsim.scenario.units import format_quantity
from offloadsim.suggest import quoted

__all__ = ["NOMINAL_SAID", "offered_overload"]

#: How a nominal offered load is made, as the warning says it (the run's measured one:
#: :data:`~offloadsim.analysis.warning_kinds.shared.OFFERED_SAID`).
NOMINAL_SAID = (
    "nominal: the workload's arrival rates sent there times one task's mean compute time there as "
    "the world prices it, over its cores, with no transfer, failure or dynamics counted"
)


def offered_overload(run: CheckedRun) -> list[Problem]:
    """One warning per node group one of whose processors is offered 100 % or more of its cores."""
    loads = run.nominal_loads()
    if not loads:
        return []
    scenario = run.scenario
    nodes = {node.name: node for node in scenario.nodes}
    over: dict[str, list[Any]] = {}
    about: dict[str, dict[str, None]] = {}  # each group's processors' key paths, in order
    for load in loads:
        if load.per_core < 1.0:
            continue
        node = nodes.get(load.node)
        group = node.group if node is not None else load.node
        over.setdefault(group, []).append(load)
        for processor in node.processors if node is not None else ():
            if processor.name == load.processor:
                about.setdefault(group, {})[format_path(("nodes", group, *processor.path))] = None
    warnings = []
    for group, found in over.items():
        found.sort(key=lambda load: (-load.per_core, load.node))
        top = found[0]
        cores = f"{top.cores} core{'s' if top.cores != 1 else ''}"
        share = _percent(top.per_core)
        warnings.append(
            Problem(
                scenario.source,
                format_path(("nodes", group)),
                f"{top.node} is offered {share} of its {quoted(top.processor)} ({cores}) under "
                f"policy {quoted(run.policy.name)}: {top.tasks_per_s:.4g} tasks/s x "
                f"{format_quantity(top.seconds, 'time')} a task{_more(found)} ({NOMINAL_SAID}); at 100 % "
                "or more its queue grows all run and every latency depends on how long the run is "
                "(more servers, a faster processor or a lower rate)",
                about=tuple(about.get(group, ())),
            )
        )
    return warnings


def _more(found: Sequence[Any]) -> str:
    """`` (and 3 more of its nodes, 150 % to 170 %)`` after the most loaded node, where there are more."""
    if len(found) < 2:
        return ""
    rest = [load.per_core for load in found[1:]]
    low, high = _percent(min(rest)), _percent(max(rest))
    span = low if low == high else f"{low} to {high}"
    return f"; {len(rest)} more of its nodes at {span}"


def _percent(share: float) -> str:
    """``1.823`` as ``182 %``; a load past a million per cent in powers of ten, ``4.2e+42 %``.

    >>> _percent(1.823), _percent(4.2e40)
    ('182 %', '4.2e+42 %')
    """
    percent = share * 100
    return f"{percent:.0f} %" if percent < 1e6 else f"{percent:.2g} %"
