"""A bars figure's note where error bars overlap the baseline's but the paired difference does not hold 0.

Each bar's error bar is its own policy's 95 % CI over the replications.  A comparison runs every
policy on the same replications (common random numbers), so compare's table judges a policy
against the baseline by the CI of the paired differences, usually far narrower: two bars whose
error bars overlap read as "no difference" where the table stars the Δ (least-loaded's 117.1 ±
1.8 ms against cloud's 115.79 ± 0.87 ms in ``compare-load``).  The note names those policies with
their Δ, as the table writes it, so the figure does not say less than the table.

Nor more: a throughput Δ made only of the tasks still in flight at the end, which the table marks
``(in flight)`` rather than judge (:mod:`offloadsim.analysis.in_flight_delta`), is marked so here
too, with the table's line saying what that means, read from the same summary.  Where the figure
shows the summary's runs themselves (no ``--where``: each policy's bar the mean the summary holds),
each Δ is the summary's (``diff``, ``diff_ci``) and named only where the table stars it, after the
comparison's ``--adjust`` (Holm's over the table's Δs:
:func:`~offloadsim.analysis.delta_stars.starred_deltas`); it recomputed each from the figure's runs
at 5 % of its own, and named Δs a ``--adjust holm`` table leaves unstarred.  Where the figure's
runs are others (a ``--where`` filter), the Δs are the figure's own, and the note says they are
each at 5 %, not adjusted as the table's are.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from offloadsim.analysis.catalogue import metric_info
from offloadsim.analysis.delta_stars import SAME_EVERY_TIME, delta_marker, rounding_as_zero, starred_deltas
from offloadsim.analysis.in_flight_delta import (
    IN_FLIGHT_VERDICT,
    in_flight_legend,
    in_flight_only,
    summary_cells,
)
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
    adjust = str((results.manifest or {}).get("adjust", "none"))
    summary = results.summary
    cells = summary_cells(summary) if summary is not None else {}
    own = _summary_runs(view, runs, cells, metric)  # the figure's bars are the summary's runs
    starred = (
        starred_deltas(summary, list(runs), str(baseline), _replications(results.manifest), adjust)
        if own and summary is not None
        else set()
    )
    judged = cells if metric == "throughput_per_s" else {}
    in_flight: dict[str, tuple[float, float]] = {}  # policy -> the table's (in flight) counts
    for policy, values in runs.items():
        (mean, half), (base_mean, base_half) = means[policy], means[str(baseline)]
        if policy == str(baseline) or not all(map(math.isfinite, (mean, half, base_mean, base_half))):
            continue
        if abs(mean - base_mean) > half + base_half:
            continue  # the error bars are apart: the figure shows the difference itself
        if own:  # the table's Δ, as summary.csv holds it
            diff, diff_half = cells[(policy, metric)][2:4]
        else:
            common = values.index.intersection(base.index)
            diff, diff_half = paired_difference_ci(values.loc[common].to_numpy(), base.loc[common].to_numpy())
        if not math.isfinite(diff) or not math.isfinite(diff_half):
            continue
        marker = delta_marker(rounding_as_zero(diff, diff_half, mean, base_mean), diff_half)
        if marker == SAME_EVERY_TIME:
            text = f"{shown_name(policy)} ({info.format(diff, signed=True)}{unit} in every replication)"
        elif marker and (not own or (policy, metric) in starred):
            text = f"{shown_name(policy)} ({info.format(diff, diff_half, signed=True, apart=True)}{unit})"
        else:
            continue  # its CI holds 0, or the table's adjustment does not star it
        if held := in_flight_only(judged, policy, str(baseline)):  # the end's backlog, as the table says
            text, in_flight[shown_name(policy)] = f"{text} {IN_FLIGHT_VERDICT}", held
        said.append(text)
    if not said:
        return ""
    baseline = shown_name(baseline)  # each policy named as the figure names it: "fixed (edge1)"
    note = (
        f"error bars overlapping {baseline}'s do not mean no difference: the replications are paired "
        f"(common random numbers), and the paired difference to {baseline} excludes 0 for {listed(said)} "
        f"({_whose(own, adjust)})"
    )
    return f"{note}; {in_flight_legend(in_flight, str(baseline))}" if in_flight else note


def _whose(own: bool, adjust: str) -> str:
    """Whose Δs the note names, and under which adjustment, as its closing parenthesis says it."""
    if own:
        held = ", starred after Holm's adjustment over the table's Δs" if adjust == "holm" else ""
        return f"compare's Δ: summary.csv's diff and diff_ci{held}"
    table = "; compare's table adjusts its Δs (Holm's) over all its runs" if adjust == "holm" else ""
    return f"the figure's runs, each Δ at 5 % of its own, none adjusted for the others{table}"


def _summary_runs(
    view: FigureView,
    runs: Mapping[str, pd.Series],
    cells: Mapping[tuple[str, str], tuple[float, float, float, float, int, int]],
    metric: str,
) -> bool:
    """Whether each bar is the mean of the summary's own runs of its policy (no ``--where``, no other runs).

    The summary's mean and count of ``metric`` for every policy, and its Δ for every policy but
    the baseline, are the figure's: then the table's Δs are the figure's too.
    """
    if view.where:
        return False
    for policy, values in runs.items():
        cell = cells.get((policy, metric))
        finite = values.to_numpy()[np.isfinite(values.to_numpy())]
        if cell is None or cell[4] != len(finite) or not len(finite):
            return False
        if not math.isclose(cell[0], float(finite.mean()), rel_tol=1e-9, abs_tol=1e-12):
            return False
    return True


def _replications(manifest: Mapping[str, Any] | None) -> int | None:
    """The comparison's replications as its manifest says them (None: not said)."""
    found = (manifest or {}).get("replications")
    return found if isinstance(found, int) and not isinstance(found, bool) else None
