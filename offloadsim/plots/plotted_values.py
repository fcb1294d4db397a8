"""The values a series figure plots, as the table ``plot`` writes beside it (``FIG.csv``).

Only ``latency-time`` wrote what it drew: a reader of a bars, sweep or energy figure had to
recompute its means and intervals from the records to quote them.  A figure of job metrics
(``bars``, ``sweep``, ``energy``) gets, per point (each combination of the columns it shows: the
x axis, the series, the panels), the mean of each metric it draws over the replications, its 95 %
CI half-width as the figure draws it (:func:`~offloadsim.plots.series.mean_ci_by`: rounding
noise as 0, NaN with one replication) and the number of replications, in the records' units
(SI: s, J, a share as a fraction).  A figure of tasks or nodes (``cdf``, ``split``,
``timeline``, ``utilisation``, ``utilisation-time``) gets the records it was drawn from, after
``--where`` (and ``--from``/``--to``), as stored.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from offloadsim.plots.series import mean_ci_by

__all__ = ["plotted_values"]


def plotted_values(frame: pd.DataFrame, shown: Sequence[str], metrics: Sequence[str]) -> pd.DataFrame:
    """The table of what a figure drawn from ``frame`` plots (see the module's docstring).

    ``shown``: the columns the figure shows (x, series, facet); ``metrics``: the job metrics it
    draws (none for a figure of tasks or nodes, whose rows are returned as they are).
    """
    drawn = [m for m in metrics if m in frame.columns]
    if not drawn or not len(frame):
        return frame.reset_index(drop=True)
    keys = [k for k in dict.fromkeys(shown) if k in frame.columns and k != "replication"] or ["policy"]
    if keys == ["policy"] and "policy" not in frame.columns:
        frame = frame.assign(policy="")
    parts = [
        mean_ci_by(frame, keys, metric).rename(
            columns={"mean": f"{metric}_mean", "ci": f"{metric}_ci95_half_width"}
        )
        for metric in drawn
    ]
    table = parts[0]
    for part in parts[1:]:
        table = table.merge(part, on=keys, how="outer", sort=False)
    counts = frame.groupby(keys, sort=False, observed=True, dropna=False).size().rename("replications")
    return table.merge(counts.reset_index(), on=keys, how="left", sort=False)
