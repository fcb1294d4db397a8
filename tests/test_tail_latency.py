"""p99.9 latency and its distribution-free 95 % CI, given only where the sample holds one."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import offloadsim
from offloadsim.analysis.statistics import binomial_cdf, quantile_ci_least_n, quantile_ci_ranks
from offloadsim.analysis.tail_latency import LEAST_FOR_CI, p999_with_ci
from offloadsim.scenario import load_scenario_text


def _cdf(k: int, n: int, p: float) -> float:
    """The binomial cdf summed term by term, as a check on the incomplete beta's."""
    log_c = math.lgamma(n + 1)
    log_terms = (
        log_c - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * math.log(p) + (n - i) * math.log1p(-p)
        for i in range(k + 1)
    )
    return math.fsum(math.exp(term) for term in log_terms)


@pytest.mark.parametrize(("n", "q"), [(20, 0.5), (60, 0.9), (400, 0.99), (3700, 0.999)])
def test_the_ci_ranks_are_the_order_statistics_the_binomial_gives(n, q):
    r, s = quantile_ci_ranks(n, q)  # from 0: the (r+1)-th and (s+1)-th smallest
    assert binomial_cdf(r, n, q) == pytest.approx(_cdf(r, n, q), abs=1e-9)
    # B, the draws below the quantile: it lies below the (r+1)-th smallest when B <= r
    assert _cdf(r, n, q) <= 0.025 < _cdf(r + 1, n, q)  # the lower bound as high as it may be
    assert _cdf(s - 1, n, q) < 0.975 <= _cdf(s, n, q)  # the upper as low
    assert _cdf(s, n, q) - _cdf(r, n, q) >= 0.95  # coverage P(r+1 <= B <= s) at least 95 %


def test_a_p999_ci_needs_3688_samples():
    """Below it even the largest of n draws is under the p99.9 with probability 0.999^n > 2.5 %."""
    assert LEAST_FOR_CI == quantile_ci_least_n(0.999) == 3688
    assert 0.999**3687 > 0.025 >= 0.999**3688
    assert quantile_ci_ranks(3687, 0.999) is None and quantile_ci_ranks(3688, 0.999) is not None


def test_the_ci_covers_the_true_p999_in_95_percent_of_samples_at_least():
    """Exponential latencies (p99.9 = ln 1000), 400 samples of 4,000: the covering share's 99 % CI
    (normal approximation to the binomial) reaches 95 %."""
    rng = np.random.default_rng(46)
    truth, n, reps = math.log(1000.0), 4000, 400
    r, s = quantile_ci_ranks(n, 0.999)
    covered = 0
    for _ in range(reps):
        ordered = np.sort(rng.exponential(size=n))
        covered += bool(ordered[r] <= truth <= ordered[s])
    share = covered / reps
    assert share + 2.576 * math.sqrt(0.95 * 0.05 / reps) >= 0.95


def test_the_p999_of_a_table_is_numpys_and_its_ci_two_of_its_latencies():
    rng = np.random.default_rng(7)
    latency = rng.exponential(0.01, size=5000)
    status = np.where(np.arange(5000) % 10 == 0, "dropped", "completed")
    tasks = pd.DataFrame({"status": status, "latency": np.where(status == "completed", latency, np.nan)})
    done = np.sort(latency[status == "completed"])  # 4,500: enough for a CI
    p999, low, high = p999_with_ci(tasks)
    assert p999 == np.percentile(done, 99.9)
    assert low in done and high in done and low <= p999 <= high
    few = tasks.head(3000)  # 2,700 completed: a p99.9 but no CI
    p999, low, high = p999_with_ci(few)
    assert p999 == np.percentile(few.latency.dropna(), 99.9) and math.isnan(low) and math.isnan(high)
    assert all(math.isnan(v) for v in p999_with_ci(tasks.drop(columns="latency")))


def test_a_runs_table_gives_the_p999_with_its_ci_only_where_the_run_holds_one(tiny_scenario_text):
    busy = tiny_scenario_text.replace("work: 1 GFLOP", "work: {exponential: 0.1 GFLOP}").replace(
        "5 /s", "50 /s"
    )
    short = offloadsim.run(load_scenario_text(busy.replace("duration: 2 s", "duration: 20 s"))).summary
    long = offloadsim.run(load_scenario_text(busy.replace("duration: 2 s", "duration: 100 s"))).summary
    assert short.completed < LEAST_FOR_CI <= long.completed
    (row,) = [line for line in short.format_table().splitlines() if line.startswith("p99.9 latency")]
    assert f"no CI: {short.completed:,} completed tasks, a p99.9's needs 3,688" in row
    assert math.isnan(short.metric("latency_p999_low_s"))
    (row,) = [line for line in long.format_table().splitlines() if line.startswith("p99.9 latency")]
    assert "95 % CI" in row
    low, high = long.metric("latency_p999_low_s"), long.metric("latency_p999_high_s")
    assert long.latency_p99_s <= low <= long.metric("latency_p999_s") <= high
