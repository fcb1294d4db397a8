"""A bars figure's note where error bars overlap the baseline's but the paired difference does not hold 0.

Each bar's error bar is its own policy's 95 % CI over the replications.  A comparison runs every
policy on the same replications (common random numbers), so compare's table judges a policy
against the baseline by the CI of the paired differences, usually far narrower: two bars whose
error bars overlap read as "no difference" where the table stars the Δ (least-loaded's 117.1 ±
1.8 ms against cloud's 115.79 ± 0.87 ms in ``compare-load``).  The note names those policies with
their Δ, as the table writes it, so the figure does not say less than the table.

Nor more: a throughput Δ made only of the tasks still in flight at the end, which the table marks
``(in flight)`` rather than judge (:mod:`offloadsim.analysis.in_flight_delta`), is marked so here
too, with the table's line saying what that means, read from the same summary.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from offloadsim.analysis.catalogue import metric_info
from offloadsim.analysis.in_flight_delta import (
    IN_FLIGHT_VERDICT,
    in_flight_legend,
    in_flight_only,
    summary_cells,
)
from offloadsim.analysis.metric_display import zero_width
from offloadsim.analysis.statistics import mean_ci, paired_difference_ci
from offloadsim.plots.figure_data import FigureView
from offloadsim.plots.series import readable_unit
from offloadsim.plots.series_names import shown_name
from offloadsim.records.stored import Results
from offloadsim.suggest import listed

__all__ = ["paired_note"]


def paired_note(
    view: FigureView, frame: pd.DataFrame, series: Sequence[str], facet: str | None, x: str | None
) -> str:
    """The policies whose bars overlap the baseline's but whose paired Δ excludes 0; ``""`` if none.

    Said of a comparison's bars, a bar per policy (no panels, no x axis): there each bar is one
    policy's runs, and the baseline's bar is drawn beside them.  A Δ the same in every replication
    (a CI of 0) is said so, as the table says ``± 0 always``; one of rounding only is none.
    """
    results: Results = view.results
    baseline = (results.manifest or {}).get("baseline")
    metric = view.metric
    if results.kind != "compare" or list(series) != ["policy"] or facet or x or baseline is None:
        return ""
    if metric is None or metric not in frame.columns or "replication" not in frame.columns:
        return ""
    runs = {
        str(policy): part.set_index("replication")[metric].astype(float)
        for policy, part in frame.groupby("policy", observed=True, sort=False)
    }
    base = runs.get(str(baseline))
    if base is None:
        return ""
    means = {policy: mean_ci(values.to_numpy()) for policy, values in runs.items()}
    largest = max((abs(mean) for mean, _ in means.values() if math.isfinite(mean)), default=math.nan)
    info = metric_info(metric)
    info = readable_unit(info, largest) if math.isfinite(largest) else info
    unit = f" {info.unit}" if info.unit else ""
    said = []
    table = results.summary if metric == "throughput_per_s" else None
    cells = summary_cells(table) if table is not None else {}
    in_flight: dict[str, tuple[float, float]] = {}  # policy -> the table's (in flight) counts
    for policy, values in runs.items():
        (mean, half), (base_mean, base_half) = means[policy], means[str(baseline)]
        if policy == str(baseline) or not all(map(math.isfinite, (mean, half, base_mean, base_half))):
            continue
        if abs(mean - base_mean) > half + base_half:
            continue  # the error bars are apart: the figure shows the difference itself
        common = values.index.intersection(base.index)
        diff, diff_half = paired_difference_ci(values.loc[common].to_numpy(), base.loc[common].to_numpy())
        if not math.isfinite(diff) or not math.isfinite(diff_half) or diff == 0:
            continue
        if zero_width(diff, diff_half):
            if zero_width(max(abs(mean), abs(base_mean)), abs(diff)):
                continue  # rounding only
            text = f"{shown_name(policy)} ({info.format(diff, signed=True)}{unit} in every replication)"
        elif abs(diff) > diff_half:
            text = f"{shown_name(policy)} ({info.format(diff, diff_half, signed=True, apart=True)}{unit})"
        else:
            continue
        if held := in_flight_only(cells, policy, str(baseline)):  # the end's backlog, as the table says
            text, in_flight[shown_name(policy)] = f"{text} {IN_FLIGHT_VERDICT}", held
        said.append(text)
    if not said:
        return ""
    baseline = shown_name(baseline)  # each policy named as the figure names it: "fixed (edge1)"
    note = (
        f"error bars overlapping {baseline}'s do not mean no difference: the replications are paired "
        f"(common random numbers), and the paired difference to {baseline} excludes 0 for {listed(said)} "
        "(compare's Δ: summary.csv's diff and diff_ci)"
    )
    return f"{note}; {in_flight_legend(in_flight, str(baseline))}" if in_flight else note
