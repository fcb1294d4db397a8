"""Interleaved, robust timing statistics: quantile CIs, rejection, the stopping rule."""

import doctest

import numpy as np
import pytest

from offloadsim.calibration import sampling
from offloadsim.calibration.sampling import interleave, quantile_ci, robust_summary


def test_docstring_examples():
    result = doctest.testmod(sampling)
    assert result.attempted > 0 and result.failed == 0


def test_the_quantile_ci_covers_the_true_quantile_95_percent_of_the_time():
    """Distribution-free: checked on a skewed (lognormal) distribution, 2,000 samples of 40."""
    rng = np.random.default_rng(5)
    for q in (0.1, 0.5):
        truth = float(np.exp(np.quantile(rng.standard_normal(2_000_000), q)))
        hits = 0
        trials = 2000
        for _ in range(trials):
            lo, hi = quantile_ci(rng.lognormal(size=40), q)
            hits += lo <= truth <= hi
        coverage = hits / trials
        # the CI's own coverage, with a 99.9 % binomial margin on 2,000 trials
        margin = 3.3 * np.sqrt(0.95 * 0.05 / trials)
        assert coverage >= 0.95 - margin, (q, coverage)


def test_interference_is_rejected_and_the_estimate_is_a_low_quantile():
    rng = np.random.default_rng(1)
    quiet = 1.0 + 0.01 * rng.standard_normal(60)
    loaded = quiet.copy()
    loaded[::3] *= 1.4  # a third of the runs shared the core
    loaded[::17] = 50.0  # and a few were preempted outright
    s = robust_summary(loaded)
    assert s.kept + s.rejected == len(loaded) and s.rejected >= len(loaded[::17])
    assert s.median < 2 and s.spread < 0.5  # the preempted runs are gone
    assert s.value == pytest.approx(np.quantile(quiet, 0.1), rel=0.02)  # the quiet machine's time
    assert s.median > s.value


def test_interleaving_visits_every_runner_once_per_round():
    order = []

    def runner(name):
        def run():
            order.append(name)
            return 1.0, 1.0

        return run

    interleave([runner("a"), runner("b"), runner("c")], min_repeats=2, max_repeats=2)
    assert order == ["a", "b", "c", "a", "b", "c"]


def test_a_noisy_runner_is_repeated_until_its_ci_is_tight_or_the_cap():
    rng = np.random.default_rng(2)
    sets = interleave(
        [lambda: (1.0, 1.0), lambda: (float(rng.lognormal(0, 0.5)), 1.0)],
        min_repeats=10,
        max_repeats=200,
        target_ci=0.05,
    )
    assert len(sets[0].clock) == 10
    assert 10 < len(sets[1].clock) <= 200
    s = sets[1].summary()
    assert s.ci <= 0.05 or len(sets[1].clock) == 200
