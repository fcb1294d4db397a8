"""Time to the first flat battery over replications: counted, and a censored median, never a mean.

A replication where no battery ran flat is right-censored at its end: a mean ± CI of first-flat
times would drop it or count its end as a flat battery.  The Kaplan–Meier median is checked against
scipy's estimator on censored data; the note against hand-made runs (a comparison's in
test_battery_rows.py).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from offloadsim.analysis.first_flat import first_flat_note, km_median

stats = pytest.importorskip("scipy.stats")


def _scipy_median(times, flat):
    """The least time at which scipy's Kaplan–Meier survival is at most 1/2 (None: never)."""
    times, flat = np.asarray(times, float), np.asarray(flat, bool)
    data = stats.CensoredData(uncensored=times[flat], right=times[~flat])
    sf = stats.ecdf(data).sf
    below = sf.quantiles[sf.probabilities <= 0.5 + 1e-12]
    return float(below[0]) if len(below) else None


@pytest.mark.parametrize("seed", range(40))
def test_the_median_is_scipy_s_kaplan_meier_median_on_censored_data(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 30))
    event = rng.exponential(100.0, n).round(int(rng.integers(0, 3)))  # rounded: ties among them
    end = rng.choice([np.inf, 80.0, float(rng.uniform(20, 200))])  # a common end, as a run's, or none
    censor = np.minimum(rng.exponential(150.0, n).round(1), end)
    times, flat = np.minimum(event, censor), event <= censor
    assert km_median(times, flat) == _scipy_median(times, flat)


def test_censored_replications_are_not_averaged_in():
    # 2 of 4 flat at 100 s and 300 s, two censored at 1000 s: Ŝ(100) = 3/4, Ŝ(300) = 3/4 x 2/3 = 1/2.
    assert km_median([100.0, 300.0, 1000.0, 1000.0], [True, True, False, False]) == 300.0
    # One censored at 50 s is not at risk at 100 s: Ŝ(100) = 2/3, Ŝ(300) = 1/3; as a flat one at 50 s
    # it would put the median at 100 s.
    assert km_median([50.0, 100.0, 300.0, 400.0], [False, True, True, True]) == 300.0
    assert km_median([100.0, 1000.0, 1000.0], [True, False, False]) is None


def _runs(first_flats, end=1800.0):
    """Nodes and metrics tables of runs, each policy's replications' first flat times (NaN: none)."""
    nodes, metrics = [], []
    for policy, firsts in first_flats.items():
        for r, first in enumerate(firsts):
            nodes += [
                {"policy": policy, "replication": r, "node": "d-0", "drained_at": first},
                {"policy": policy, "replication": r, "node": "d-1", "drained_at": first + 5.0},
                {"policy": policy, "replication": r, "node": "edge", "drained_at": math.nan},
            ]
            metrics.append({"policy": policy, "replication": r, "end_s": end, "batteries_flat": 1.0})
    return pd.DataFrame(nodes), pd.DataFrame(metrics)


def test_the_note_says_k_of_n_and_the_median_or_that_it_is_past_the_end():
    nan = math.nan
    nodes, metrics = _runs({"local": [980.0, 900.0, 1000.0], "edge": [850.0, nan, nan], "cloud": [nan] * 3})
    note = first_flat_note(nodes, metrics, ["policy", "replication"])
    assert note is not None
    said = note.split(": ", 1)[1].split("; ")
    assert said == [
        "local: flat in 3 of 3 replications, median 980 s",
        "edge: flat in 1 of 3 replications, median past 1,800 s, fewer than half ran flat",
        "cloud: flat in 0 of 3 replications",
    ]
    none = _runs({"local": [nan, nan]})
    assert first_flat_note(*none, ["policy", "replication"]) is None
