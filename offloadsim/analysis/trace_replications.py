"""The note on replications of a trace-driven link: each plays the same trace unless told otherwise.

A ``link-trace`` draws no random numbers, so every replication of a comparison sees the same
bandwidth at the same time; its ± intervals hold the arrivals' randomness only, not the network's.
``offset: random`` (docs/scenario-format.md) starts each run at its own point of the looped trace.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["same_trace_note"]


def same_trace_note(dynamics: Sequence[Mapping[str, Any]], replications: int) -> str | None:
    """The note where several replications play ``link-trace`` entries from their start (None if none)."""
    if replications < 2:
        return None
    keys = [
        f"dynamics[{i}]"
        for i, entry in enumerate(dynamics)
        if isinstance(entry, Mapping)
        and entry.get("kind") == "link-trace"
        and entry.get("offset") != "random"
    ]
    if not keys:
        return None
    return (
        f"{', '.join(keys)} (link-trace): each of the {replications} replications plays the same trace from "
        "its start, so the intervals hold the arrivals' randomness only, not the network's; "
        "offset: random starts each run at its own point of a looped trace "
        "(docs/scenario-format.md#link-traces-kind-link-trace)"
    )
