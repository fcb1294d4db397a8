"""The note under a figure of an LLM's time per output token or decode rate where it rests on a bound.

A run whose decode steps ran on a built-in profile's memory bandwidth used in full prints its
mean time per output token as ``≥ 79.6`` and its decode rate as ``≤ 12.6`` (tokens/s)
(:mod:`offloadsim.analysis.decode_ceiling`); ``plot --kind bars --metric tpot_mean_s`` and
``--kind sweep`` of it drew the same numbers as measurements, with no word.  The figure says so
(of a time to first token, a latency or a queueing wait too, and ``--kind cdf`` of each request's
``tpot``, ``ttft``, ``latency`` or ``wait``) of the configurations it draws whose runs had a ceiling
(the manifest's ``decode_ceilings``: a comparison's per policy, a sweep's per point). Of a time
that holds a prefill (:data:`~offloadsim.analysis.decode_ceiling.PREFILL_TIMES`) it says so only of
those none of whose runs prefilled at a profile's assumed efficiency (``prefill_at_efficiency``):
there the time rests on that efficiency, and is no bound.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from offloadsim.analysis.decode_ceiling import (
    LOWER_BOUNDS,
    PREFILL_TIMES,
    UPPER_AT_SATURATION,
    manifest_ceilings,
)
from offloadsim.plots.series_names import shown_name

__all__ = ["BOUND_METRICS", "TASK_BOUNDS", "ceiling_note"]

#: The metrics a decode ceiling bounds, and how a measured server's differs.
_TIMES = {
    "tpot": "time per output token",
    "ttft": "time to first token",
    "latency": "latency",
    "wait": "queueing wait",
}
BOUND_METRICS = {
    **{
        name: f"each {_TIMES[name.split('_')[0]]} is a lower bound, a measured server's longer"
        for name in LOWER_BOUNDS
    },
    "decode_tokens_per_s_mean": "each decode rate is an upper bound, a measured server's lower",
    UPPER_AT_SATURATION: (
        "each output token throughput at saturation is an upper bound, a measured server's lower"
    ),
}
#: A task column a ``--kind cdf`` draws -> the metric of it whose bound its note says: each value is one.
TASK_BOUNDS = {name: f"{name}_mean_s" for name in ("tpot", "ttft", "latency", "wait")}
_WHY = (
    "its decode steps read every weight at the profile's full memory bandwidth, a ceiling "
    "(docs/profiles.md#llm-decoding-a-bandwidth-ceiling)"
)


def ceiling_note(metric: str | None, manifest: Mapping[str, Any], frame: pd.DataFrame) -> str:
    """What a figure of ``metric`` drawn from ``frame`` (rows of ``manifest``'s runs) says of its bound."""
    said = BOUND_METRICS.get(metric or "")
    if said is None:
        return ""
    which = _bounded(
        manifest, frame, saturated=metric == UPPER_AT_SATURATION, prefill=metric in PREFILL_TIMES
    )
    return "" if which is None else f"{said}{which}: {_WHY}"


def _bounded(
    manifest: Mapping[str, Any], frame: pd.DataFrame, saturated: bool = False, prefill: bool = False
) -> str | None:
    """Which configurations drawn had a decode ceiling: ``""`` every one, None none, else which.

    ``saturated``: of those, the ones every run of which kept a processor decoding at its ceiling busy
    all the measured time (the output token throughput's bound); a single run's manifest: its own.
    ``prefill`` (a time that holds one): of those, the ones no run of which prefilled at a profile's
    assumed efficiency, on which such a time rests.
    """
    points = manifest.get("point_decode_ceilings")
    if isinstance(points, list) and "point" in frame.columns:  # a sweep: each point its own
        at = {
            row.get("point")
            for row in points
            if isinstance(row, Mapping)
            and row.get("ceilings")
            and (not saturated or row.get("saturated") is True)
            and not (prefill and row.get("prefill_at_efficiency") is True)
        }
        drawn = set(frame["point"].tolist())
        bounded = drawn & at
        return (
            None
            if not bounded
            else ""
            if bounded == drawn
            else f" (at {len(bounded)} of the {len(drawn)} points drawn)"
        )
    policies = manifest.get("policy_decode_ceilings")
    if isinstance(policies, Mapping) and "policy" in frame.columns:  # a comparison: each policy its own
        full = manifest.get("policy_decode_saturated")
        full = {str(p) for p in full} if isinstance(full, list) else set()
        assumed = manifest.get("policy_prefill_at_efficiency") if prefill else None
        assumed = {str(p) for p in assumed} if isinstance(assumed, list) else set()
        drawn = {str(p) for p in frame["policy"].tolist()}
        named = sorted(
            p for p in drawn if policies.get(p) and (not saturated or p in full) and p not in assumed
        )
        under = ", ".join(map(shown_name, named))  # as the figure names each policy: "fixed (edge1)"
        return None if not named else "" if len(named) == len(drawn) else f" (under {under})"
    if saturated and manifest.get("decode_saturated") is not True:
        return None
    if prefill and manifest.get("prefill_at_efficiency") is True:
        return None
    return "" if manifest_ceilings([manifest]) else None
