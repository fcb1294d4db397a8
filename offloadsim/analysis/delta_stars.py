"""Which Δs a comparison's table stars: the metrics it shows, each Δ's test, and the family's adjustment.

compare's table stars a Δ whose 95 % CI excludes 0 (``*``), or, under ``--adjust holm``, only
those Holm's adjustment over the table's Δs keeps (:mod:`~offloadsim.analysis.multiple_comparisons`).
A bars figure's note names the Δs the error bars hide (:mod:`offloadsim.plots.paired_note`): it
recomputed each from the figure's runs, at 5 % of its own, and could name a Δ the table does not
star.  The choice of rows, the tests and the stars are here, in the analysis, so that the table
(:func:`~offloadsim.experiments.compare.format_comparison`) and the note read the same ones
(:func:`starred_deltas`): plots never import experiments.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from typing import Any

from offloadsim.analysis.catalogue import LLM_METRICS, METRICS, metric_columns, registered_column, zero_width
from offloadsim.analysis.in_flight_delta import summary_cells
from offloadsim.analysis.metric_list import registered_metrics
from offloadsim.analysis.multiple_comparisons import held_to_family, paired_t_p

__all__ = [
    "SAME_EVERY_TIME",
    "TABLE_METRICS",
    "beside_llm",
    "delta_marker",
    "delta_tests",
    "rounding_as_zero",
    "shown_metrics",
    "starred_deltas",
    "table_metrics",
]

#: Metrics shown in the printed table (all of them are in ``summary``).
TABLE_METRICS = (
    "latency_mean_s",
    "latency_p95_s",
    "latency_p99_s",
    "wait_mean_s",
    *LLM_METRICS,  # where LLM requests were served
    "deadline_miss_rate",
    "drop_rate",
    "fail_rate",  # where some run failed a task (a node or link went down): see format_comparison
    "retry_rate",  # where recovery: ran some task again: likewise
    "availability",  # where some node was down part of a run (a failure, a flat battery): likewise
    "throughput_per_s",
    "device_energy_mean_j",
    "bytes_sent",
)


#: What a Δ of ``± 0`` says in place of ``*``: every replication gave the same difference.
SAME_EVERY_TIME = " always"


def table_metrics(metrics: Sequence[str], summary: Any) -> list[str]:
    """``metrics`` as a printed table of ``summary`` shows them: failures' rows only where a run had one.

    ``fail_rate`` only where a run failed a task, ``retry_rate`` only where ``recovery:`` ran a task
    again, ``availability`` only where some node was down part of a run.  A world that never fails
    would give every comparison and sweep a row, or column, of zeros (or of 100 %) that says nothing;
    one that does (a node or link went down) must say how many tasks failed, and one whose nodes
    went down (a failure, a battery run flat sooner under one policy than another) how long the
    least available node was up.  ``compare``'s table and
    ``sweep``'s both choose so.  Device energy per task has its row only where some run measured
    it: without ``power:`` on any source it is null in every run, and a row of ``-`` (once
    ``0.00 ± 0``, Δ ``0.00``) says less than the note that says why.
    """
    failed = bool((summary.loc[summary["metric"] == "fail_rate", "mean"] > 0).any())
    retried = bool((summary.loc[summary["metric"] == "retry_rate", "mean"] > 0).any())
    down = bool((summary.loc[summary["metric"] == "availability", "mean"] < 1).any())
    energy_rows = summary.loc[summary["metric"] == "device_energy_mean_j", "mean"]
    energy = energy_rows.empty or bool(energy_rows.notna().any())  # a summary without it: as it was
    return [
        m
        for m in metrics
        if (m != "fail_rate" or failed)
        and (m != "retry_rate" or retried)
        and (m != "availability" or down)
        and (m != "device_energy_mean_j" or energy)
    ]


def beside_llm(metrics: Sequence[str], available: Collection[str]) -> list[str]:
    """``metrics`` with the registered metrics placed with the headline ones right after the LLM rows.

    Where ``metrics`` lists every LLM metric (:data:`TABLE_METRICS`, the default), a registered
    metric with ``catalogue_place="headline"`` (a plug-in's metric of the LLM requests) shows
    beside them, in the order registered, as the run's metrics row and sweep's table put it; it
    came after every fixed row (bytes sent).  A list a caller chose without them is as given.
    """
    chosen = list(metrics)
    if not all(name in chosen for name in LLM_METRICS):
        return chosen
    placed = [
        column
        for metric in registered_metrics()
        if metric.catalogue_place == "headline" and metric.compare
        for column in (metric.present(sorted(available)) if metric.family is not None else metric.columns)
        if column not in chosen
    ]
    at = max(chosen.index(name) for name in LLM_METRICS) + 1
    return [*chosen[:at], *placed, *chosen[at:]]


def delta_marker(diff: float, half: float) -> str:
    """``" *"`` where the CI of Δ excludes 0; :data:`SAME_EVERY_TIME` where Δ ≠ 0 has a CI of 0; else ``""``.

    The CI is the Student t interval of the paired differences.  Where they were all the same (a
    policy whose device energy does not depend on the draws, say) its width is 0 and the t test is
    degenerate: it would star any Δ, one of 2e-7 mJ too.  Such a Δ is not a sampling estimate but
    the same difference every time, and the table says so instead of starring it.

    >>> delta_marker(-3.0, 1.0), delta_marker(-3.0, 0.0), delta_marker(0.5, 1.0), delta_marker(0.0, 0.0)
    (' *', ' always', '', '')
    """
    if diff == 0 or math.isnan(diff) or math.isnan(half):
        return ""
    if zero_width(diff, half):
        return SAME_EVERY_TIME
    return " *" if abs(diff) > half else ""


def rounding_as_zero(diff: float, half: float, mean: float, base: float) -> float:
    """``diff``, or 0 where it is a difference of floating-point rounding between the two means.

    Two policies that give the same value by different sums differ by about 1e-17 of it, the same
    in every replication: no difference, not a Δ "better" in every one.
    """
    scale = max(abs(mean), abs(base)) if not math.isnan(base) else abs(mean)
    if (math.isnan(half) or zero_width(scale, half)) and zero_width(scale, abs(diff)):  # one run: no CI
        return 0.0
    return diff


def delta_tests(
    cells: Mapping[tuple[str, str], tuple[float, float, float, float, int, int]],
    shown: Sequence[str],
    policies: Sequence[str],
    baseline: str,
    replications: int | None,
) -> dict[tuple[str, str], float]:
    """(policy, metric) -> the p-value of each Δ the table tests: one with a CI, not ``± 0 always``.

    The Δs compare's table (:func:`~offloadsim.experiments.compare.format_comparison`) would star
    where their CI excludes 0, as it reads them (a Δ of rounding is 0, untested); over ``diff_n``
    pairs, or the replications where the summary does not say.
    """
    tests = {}
    for name in shown:
        base = cells.get((baseline, name))
        for policy in policies:
            cell = cells.get((policy, name))
            if policy == baseline or cell is None or math.isnan(cell[2]):
                continue
            mean, _, diff, half, _, pairs = cell
            diff = rounding_as_zero(diff, half, mean, base[0] if base else math.nan)
            if diff == 0 or delta_marker(diff, half) == SAME_EVERY_TIME:
                continue
            p = paired_t_p(diff, half, pairs or replications or 0)
            if not math.isnan(p):
                tests[(policy, name)] = p
    return tests


def shown_metrics(metrics: Sequence[str], summary: Any) -> list[str]:
    """The rows a comparison's table of ``summary`` shows, asked for ``metrics``, in its order.

    ``metrics`` as the summary has them (:func:`table_metrics`, the registered headline metrics
    beside the LLM rows: :func:`beside_llm`), then the registered metrics, the record columns' own
    metrics and the utilisations, in catalogue order (``metrics`` chooses among the headline and LLM
    metrics, and the registered ones that say compare=False, the device energy's compute and radio
    parts: summary.csv holds them, a table asks for them, ``metrics=[..., "device_radio_energy_mean_j"]``).
    """
    available = set(summary["metric"])
    shown = [m for m in table_metrics(beside_llm(metrics, available), summary) if m in available]
    unasked = {name for name in available if (found := registered_column(name)) and not found[1].compare}
    headline = METRICS.keys() | LLM_METRICS.keys() | unasked
    headline |= set(shown)  # a registered metric placed beside the LLM rows (beside_llm): shown once
    shown += [m for m in metric_columns(list(dict.fromkeys(summary["metric"]))) if m not in headline]
    return shown


def starred_deltas(
    summary: Any,
    policies: Sequence[str],
    baseline: str,
    replications: int | None,
    adjust: str,
    metrics: Sequence[str] = TABLE_METRICS,
) -> set[tuple[str, str]]:
    """The (policy, metric) Δs a comparison's table of ``metrics`` stars ``*`` under ``adjust``.

    As :func:`~offloadsim.experiments.compare.format_comparison` judges them from ``summary``
    (summary.csv: ``diff``, ``diff_ci``): a CI that excludes 0, and, under ``"holm"``, kept by
    Holm's adjustment over every Δ the table tests; a Δ of rounding or the same in every
    replication (``± 0 always``) is none.
    """
    cells = summary_cells(summary)
    tests = delta_tests(cells, shown_metrics(metrics, summary), policies, baseline, replications)
    return {key for key in held_to_family(tests, adjust) if _starred(cells, key, baseline)}


def _starred(
    cells: Mapping[tuple[str, str], tuple[float, float, float, float, int, int]],
    key: tuple[str, str],
    baseline: str,
) -> bool:
    """Whether the table's Δ of ``key`` (policy, metric) reads ``*``: its CI excludes 0."""
    mean, _, diff, half, _, _ = cells[key]
    base = cells.get((baseline, key[1]))
    return delta_marker(rounding_as_zero(diff, half, mean, base[0] if base else math.nan), half) == " *"
