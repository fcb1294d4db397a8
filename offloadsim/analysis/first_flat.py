"""Time to the first flat battery over replications: in how many a battery ran flat, and when, censored.

A replication in which no battery ran flat says only that its first flat battery comes after the
run's end: that time is right-censored there.  A mean ± CI of the times seen (or of the end put in
for the unseen) would read early, so a comparison says ``flat in k of n replications`` and the
Kaplan–Meier median (:func:`km_median`), or that the median is past the runs' end where fewer than
half ran flat.  Read from the runs' nodes tables (``drained_at``) and their ends (``end_s``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from offloadsim.analysis.values import time_text, value_text

__all__ = ["km_median", "first_flat_times", "first_flat_note"]


def km_median(times: Sequence[float], flat: Sequence[bool]) -> float | None:
    """The Kaplan–Meier median of ``times``, each an event where ``flat`` else censored there.

    Ŝ(t) = ∏ over event times tᵢ ≤ t of (1 − dᵢ / nᵢ), dᵢ the events at tᵢ and nᵢ the times ≥ tᵢ
    (Kaplan & Meier, J. Am. Stat. Assoc. 53:457–481, 1958; a time censored at tᵢ is still at risk
    there); the median is the least t with Ŝ(t) ≤ 1/2 (Klein & Moeschberger, *Survival Analysis*,
    2003, §4.5).  None where Ŝ stays above 1/2: the median is past the last time.

    >>> km_median([980.0, 850.0, 1800.0], [True, True, False])
    980.0
    >>> km_median([850.0, 1800.0, 1800.0], [True, False, False]) is None
    True
    """
    at = np.asarray(times, dtype=float)
    event = np.asarray(flat, dtype=bool)
    survival = 1.0
    for t in np.unique(at[event]):
        survival *= 1.0 - np.count_nonzero(event & (at == t)) / np.count_nonzero(at >= t)
        if survival <= 0.5 + 1e-12:  # a product of exact halves (1/2, 3/4 x 2/3) rounds either way
            return float(t)
    return None


def first_flat_times(nodes: Any, metrics: Any, keys: list[str]) -> Any:
    """Per run (``keys``) with a battery: ``first_flat_s`` (its least ``drained_at``, NaN: none), ``end_s``.

    ``nodes`` is the runs' nodes table and ``metrics`` their metrics rows (``end_s``,
    ``batteries_flat``: only runs with a battery have one); None where either lacks a column.
    """
    needed = {*keys, "drained_at"} <= set(nodes.columns) and {*keys, "end_s", "batteries_flat"} <= set(
        metrics.columns
    )
    if not needed:
        return None
    first = nodes.groupby(keys, sort=False, dropna=False)["drained_at"].min().rename("first_flat_s")
    runs = metrics.loc[metrics["batteries_flat"].notna(), [*keys, "end_s"]]
    return runs.join(first, on=keys)


def first_flat_note(nodes: Any, metrics: Any, keys: list[str]) -> str | None:
    """A note of each configuration's time to its first flat battery, where some run had one flat.

    ``keys`` name a run, ``replication`` last: ``"time to the first flat battery, the Kaplan–Meier
    median over replications (...): local: flat in 3 of 3 replications, median 980.5 s; edge: flat
    in 1 of 3 replications, median past 1,800 s, fewer than half ran flat"``.
    """
    runs = None if nodes is None or metrics is None else first_flat_times(nodes, metrics, keys)
    if runs is None or runs["first_flat_s"].isna().all():
        return None
    configs = [key for key in keys if key != "replication"]
    said, none = [], []  # a configuration's line; those where no replication ran one flat
    for config, group in runs.groupby(configs, sort=False, dropna=False):
        values = config if isinstance(config, tuple) else (config,)
        name = ", ".join(
            value_text(v) if k == "policy" else f"{k}={value_text(v)}"
            for k, v in zip(configs, values, strict=True)
        )
        flat = group["first_flat_s"].notna().to_numpy()
        times = np.where(flat, group["first_flat_s"], group["end_s"])
        if not flat.any():
            none.append(f"{name}: flat in 0 of {len(flat)} replications")
            continue
        median = km_median(times, flat)
        past = f"past {time_text(times.max())} s, fewer than half ran flat"
        when = past if median is None else f"{time_text(median)} s"
        said.append(f"{name}: flat in {flat.sum()} of {len(flat)} replications, median {when}")
    if len(none) > 3:  # a sweep's many points: counted, not each named
        none = [f"{len(none)} other configurations: flat in none"]
    said += none
    return (
        "time to the first flat battery, the Kaplan–Meier median over replications (a replication "
        f"with none flat censored at its end, not averaged in; no CI): {'; '.join(said)}"
    )
