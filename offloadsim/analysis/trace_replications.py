"""The note on a comparison's inputs that every replication plays alike: traces played from their start.

A ``link-trace`` and an arrival trace (``arrivals: trace``) draw no random numbers, so every
replication of a comparison sees the same bandwidth at the same time and the same requests; its ±
intervals hold none of their variation.  One mechanism names each such input: ``offset: random``
(docs/scenario-format.md) starts a looped link trace at its own point in each run; an arrival trace
has no such key, so the note says what does vary arrivals (a random arrival process).  Where the
runs' metrics came out the same in every replication, the note says that its ``± 0`` is no interval.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from offloadsim.scenario.model import Scenario

__all__ = ["fixed_inputs", "same_trace_note"]

_LINK_HELP = (
    "offset: random starts each run at its own point of a looped link trace "
    "(docs/scenario-format.md#link-traces-kind-link-trace)"
)
_ARRIVAL_HELP = (
    "an arrival trace takes no offset; a random arrival process (arrivals: poisson at its rate, or "
    "periodic with jitter) draws each run's own (docs/scenario-format.md#workload)"
)


def fixed_inputs(scenario: Scenario) -> dict[str, list[str]]:
    """The inputs played alike in every replication, by kind (``link-trace``, ``arrivals: trace``)."""
    links = [
        f"dynamics[{i}]"
        for i, entry in enumerate(scenario.dynamics)
        if isinstance(entry, Mapping)
        and entry.get("kind") == "link-trace"
        and entry.get("offset") != "random"
    ]
    arrivals = [
        f"workload[{i}]" for i, entry in enumerate(scenario.workload) if entry.arrivals.kind == "trace"
    ]
    return {kind: keys for kind, keys in (("link-trace", links), ("arrivals: trace", arrivals)) if keys}


def same_trace_note(scenario: Scenario, replications: int, metrics: pd.DataFrame | None = None) -> str | None:
    """The note where several replications play traces from their start (None if none).

    ``metrics``: the runs' metrics (a row per policy and replication), to say where every policy's
    replications came out alike.
    """
    if replications < 2:
        return None
    fixed = fixed_inputs(scenario)
    if not fixed:
        return None
    named = ", ".join(f"{', '.join(keys)} ({kind})" for kind, keys in fixed.items())
    what = " and ".join(
        {"link-trace": "the network's", "arrivals: trace": "the arrivals'"}[kind] for kind in fixed
    )
    random_arrivals = len(fixed.get("arrivals: trace", [])) < len(scenario.workload)
    rest = "the arrivals' randomness" if random_arrivals else "what else the scenario draws at random"
    helps = [_LINK_HELP] if "link-trace" in fixed else []
    helps += [_ARRIVAL_HELP] if "arrivals: trace" in fixed else []
    alike = (
        f"; here each policy's {replications} runs gave the same metrics: every ± 0 is one run's value, "
        "not an interval"
        if metrics is not None and _alike(metrics)
        else ""
    )
    return (
        f"{named}: each of the {replications} replications plays the same trace from its start, so the "
        f"intervals hold none of {what} variation, only {rest}{alike}; {'; '.join(helps)}"
    )


def _alike(metrics: pd.DataFrame) -> bool:
    """Whether every policy's rows hold the same value in each numeric column (NaN alike)."""
    if "policy" not in metrics.columns or not len(metrics):
        return False
    numbers = metrics.select_dtypes("number").drop(columns=["replication"], errors="ignore")
    return bool((numbers.groupby(metrics["policy"], observed=True).nunique(dropna=False) <= 1).all().all())
