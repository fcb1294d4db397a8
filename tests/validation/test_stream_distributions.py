"""Keying random streams by names changed every draw, not any distribution: before and after samples agree.

``data/streams-before.json`` holds per-replication statistics of every shipped
scenario (each under its own policy, and the quickstart under ``random`` too)
from the simulator with streams keyed by positions (commit 0d33b23);
``data/streams-after.json`` the same replications with streams keyed by names
(``stream_samples.py`` wrote both, 40 replications each).  Replications are
independent, so each statistic is two samples of 40 independent values; for
each the means (Welch's t), the spreads (Brown-Forsythe) and the whole
distributions (two-sample Kolmogorov-Smirnov) must agree at a family-wise level
of 1 % (Bonferroni over every comparison).  A bug that made two sources share
a stream, or a stream depend on the policy, would move means or spreads of
these statistics.  The --runslow check reruns the first replications and
finds the stored "after" sample is what this simulator produces.
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pytest
from stream_samples import CASES, scenario_samples

stats = pytest.importorskip("scipy.stats")

DATA = Path(__file__).parent / "data"
FAMILY_ALPHA = 0.01


def _load(name: str) -> dict:
    return json.loads((DATA / name).read_text())


BEFORE, AFTER = _load("streams-before.json"), _load("streams-after.json")


def _pairs() -> list[tuple[str, str, np.ndarray, np.ndarray]]:
    pairs = []
    for scenario, columns in sorted(BEFORE["samples"].items()):
        for statistic, values in columns.items():
            before = np.asarray(values, dtype=float)
            after = np.asarray(AFTER["samples"][scenario][statistic], dtype=float)
            if np.isnan(before).all() and np.isnan(after).all():
                continue  # a statistic this scenario does not have (tokens without an LLM)
            pairs.append((scenario, statistic, before, after))
    return pairs


PAIRS = _pairs()


def _fixed(values: np.ndarray) -> bool:
    """Whether a statistic is the same in every replication, to float rounding."""
    return bool(np.ptp(values) <= 1e-9 * np.abs(values).max())


def test_both_samples_cover_every_case_with_enough_replications():
    assert set(BEFORE["samples"]) == set(AFTER["samples"]) == set(CASES)
    assert BEFORE["replications"] == AFTER["replications"] >= 40
    for _, _, before, after in PAIRS:
        assert len(before) == len(after) == BEFORE["replications"]
        assert np.isfinite(before).all() and np.isfinite(after).all()


def _pvalues(before: np.ndarray, after: np.ndarray) -> dict[str, float]:
    """Two-sample p-values for one statistic, by test.

    A statistic that is (nearly) constant in one sample, such as the bytes a
    Neurosurgeon task sends when its split changes only in a rare replication,
    is compared by how often each sample departs from the usual value (Fisher's
    exact test); tests of means and spreads would divide by a zero variance.
    """
    if _fixed(before) or _fixed(after):
        pooled = np.concatenate([before, after])
        values, counts = np.unique(pooled, return_counts=True)
        usual = values[np.argmax(counts)]
        table = [
            [int(np.sum(~np.isclose(x, usual, rtol=1e-9))), int(np.sum(np.isclose(x, usual, rtol=1e-9)))]
            for x in (before, after)
        ]
        return {"departures from the usual value (Fisher)": float(stats.fisher_exact(table).pvalue)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # nearly constant samples lose float precision
        return {
            "means (Welch)": float(stats.ttest_ind(before, after, equal_var=False).pvalue),
            "spreads (Brown-Forsythe)": float(stats.levene(before, after, center="median").pvalue),
            "distributions (Kolmogorov-Smirnov)": float(stats.ks_2samp(before, after).pvalue),
        }


@pytest.mark.parametrize(
    ("scenario", "statistic", "before", "after"), PAIRS, ids=[f"{s}-{t}" for s, t, _, _ in PAIRS]
)
def test_before_and_after_samples_agree(scenario, statistic, before, after):
    if _fixed(before) and _fixed(after):
        # Not random at all but for float rounding (a periodic source's count, a p95 that is one stage time).
        np.testing.assert_allclose(before, after, rtol=1e-9)
        return
    alpha = FAMILY_ALPHA / (3 * len(PAIRS))  # Bonferroni over at most three tests per statistic
    report = f"{scenario} {statistic}: means {before.mean():.6g} vs {after.mean():.6g}, "
    report += f"sd {before.std(ddof=1):.3g} vs {after.std(ddof=1):.3g}"
    for test, pvalue in _pvalues(before, after).items():
        assert pvalue > alpha, f"{report}: {test} p = {pvalue:.2g} below {alpha:.2g}"


def test_the_p_values_look_like_chance():
    """Under equal distributions Welch's p-values are uniform: not piled up near 0 across all statistics."""
    pvalues = [
        _pvalues(before, after)["means (Welch)"]
        for _, _, before, after in PAIRS
        if not (_fixed(before) or _fixed(after))
    ]
    assert len(pvalues) >= 30
    small = sum(p < 0.05 for p in pvalues)
    # Binomial(n, 0.05) (statistics of one scenario are correlated, so allow a generous bound).
    assert small <= 0.05 * len(pvalues) + 3 * math.sqrt(0.05 * 0.95 * len(pvalues)) + 2, pvalues


@pytest.mark.slow
@pytest.mark.parametrize("scenario", sorted(AFTER["samples"]))
def test_the_after_sample_is_what_this_simulator_draws(scenario):
    fresh = scenario_samples(scenario, 2)
    for statistic, values in fresh.items():
        stored = AFTER["samples"][scenario][statistic][:2]
        np.testing.assert_allclose(values, stored, rtol=1e-12, equal_nan=True, err_msg=statistic)


def test_what_the_check_can_see():
    """What docs/validation.md says the check can see, and cannot.

    A 1 % shift of the quickstart's mean latency and a doubled spread of the LLM's output
    tokens would fail it; a 1 % shift of a task count (whose spread is 2 %) would not.
    """
    alpha = FAMILY_ALPHA / (3 * len(PAIRS))
    sample = {(s, t): (b, a) for s, t, b, a in PAIRS}
    before, after = sample["quickstart", "mean_latency_s"]
    assert _pvalues(before, after * 1.01)["means (Welch)"] < min(alpha, 1e-4)
    before, after = sample["llm-assistant", "mean_output_tokens"]
    doubled = after.mean() + 2 * (after - after.mean())
    assert _pvalues(before, doubled)["spreads (Brown-Forsythe)"] < alpha
    before, after = sample["quickstart", "tasks"]
    assert 0.015 < after.std(ddof=1) / after.mean() < 0.025
    assert min(_pvalues(before, after * 1.01).values()) > alpha
