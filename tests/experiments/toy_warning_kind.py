"""A toy kind of run warning, declared as a new kind would be: one module and one registration.

Any node over 30 % busy is "warm": a test registers :data:`WARM` and unregisters it after.  Nothing
in offloadsim names it; every place that tells of a run's warnings must find it on the registry.
"""

from __future__ import annotations

from collections.abc import Sequence

from offloadsim.analysis.table_columns import floats, has, rows, strings
from offloadsim.analysis.warning_facts import WarningFacts
from offloadsim.analysis.warning_registry import Said, WarningInputs, WarningKind

NAME = "toy_warm"
LEAST = 0.3
LEGEND = "a toy: a node over 30 % busy"


def _detect(inputs: WarningInputs) -> list[Said]:
    nodes = inputs.nodes
    if nodes is None or not rows(nodes) or not has(nodes, "utilisation"):
        return []
    busy = [
        (name, share)
        for name, share in zip(
            strings(nodes, "node").tolist(), floats(nodes, "utilisation").tolist(), strict=True
        )
        if share >= LEAST
    ]
    if not busy:
        return []
    shown = busy[:2]  # names two, counts the rest: the groups of those it only counts come from its test
    text = "toy warm nodes: " + ", ".join(f"{name} {share:.0%}" for name, share in shown)
    return [(text, WarningFacts(NAME, nodes=tuple(shown), node_count=len(busy), numbers=(("least", LEAST),)))]


def _note(where: str, warned: Sequence[tuple[str, WarningFacts | None]], unbatched: str) -> str:
    most = max(facts.node_count for _, facts in warned if facts is not None)
    return f"toy: warm nodes in {where} (up to {most} a run)"


WARM = WarningKind(
    name=NAME,
    detect=_detect,
    legend=LEGEND,
    opening="toy warm nodes",
    length_dependent=False,
    note=_note,
    group_column="utilisation",
    group_least=LEAST,
)
