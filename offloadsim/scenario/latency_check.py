"""A link latency written as a bare number of 1 or more: read as seconds, almost surely meant as ms.

A bare number is a quantity in its SI unit (docs/scenario-format.md, "Quantities and units"), so
``latency: 20`` is 20 s, a propagation delay no network of the edge or the cloud has: its writer
meant "20 ms".  A scenario check (:mod:`offloadsim.scenario.checks`): a warning per such value,
at its key path, saying how to write it with a unit.  Only the plain document tells a bare number
from a string with a unit (the loaded scenario holds seconds either way), so the check reads
``Scenario.document``: ``latency: "1 s"`` is what its writer meant and is not warned of.

It reads a link's ``latency`` and, in each ``dynamics`` entry, the keys its kind declares
latencies (``latency_keys``: ``link-schedule``'s ``steps[].latency``, ``gilbert-elliott``'s
``good.latency`` and ``bad.latency``), as the world's registry of kinds gives them
(``CheckedRun.latency_keys``): a kind, built in or a plug-in's, is read by what it declares,
and nothing here names one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from offloadsim.scenario.checks import CheckedRun
from offloadsim.scenario.errors import Problem, format_path, key_pattern, values_at

__all__ = ["plain_latencies"]

#: A bare latency from this many seconds up is warned of: no link's is a second or more.
PLAIN_LATENCY_FROM_S = 1.0

Part = str | int


def plain_latencies(run: CheckedRun) -> list[Problem]:
    """One warning per link latency written as a bare number of at least 1 (seconds, meant as ms)."""
    scenario = run.scenario
    warnings = []
    for path, value in _latencies(scenario.document, run.latency_keys):
        if isinstance(value, bool) or not isinstance(value, int | float) or not value >= PLAIN_LATENCY_FROM_S:
            continue
        shown = f"{value:g}"
        warnings.append(
            Problem(
                scenario.source,
                format_path(path),
                f'a bare number is read as seconds: {shown} s, not milliseconds; write "{shown} ms" '
                f'if milliseconds were meant, or "{shown} s" to say seconds',
            )
        )
    return warnings


def _latencies(
    document: Mapping[str, Any], declared: Callable[[str], Sequence[str]]
) -> Iterator[tuple[tuple[Part, ...], Any]]:
    """Each link latency of ``document`` as written, with its key path as parts.

    ``declared``: the keys below a ``dynamics`` entry of the kind named that hold a latency.
    """
    links = document.get("links")
    for i, link in enumerate(links if isinstance(links, list) else ()):
        if isinstance(link, Mapping) and "latency" in link:
            yield ("links", i, "latency"), link["latency"]
    dynamics = document.get("dynamics")
    for i, entry in enumerate(dynamics if isinstance(dynamics, list) else ()):
        kind = entry.get("kind") if isinstance(entry, Mapping) else None
        for pattern in declared(kind) if isinstance(kind, str) else ():
            yield from values_at(entry, key_pattern(pattern), ("dynamics", i))
