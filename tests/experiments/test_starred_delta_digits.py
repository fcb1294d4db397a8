"""A starred Δ reads apart from 0 at the precision it is shown: never ``+0.0001 ± 0.0001 *``.

compare's tables starred a device energy Δ of 0.00012 mJ ± 0.00007 as ``+0.0001 ± 0.0001 *``: its
CI excludes 0, but the decimals shown (four at most, two significant ones of the half-width) read
as an interval that holds it.  A starred Δ now gets the decimals it takes to read so.
"""

from __future__ import annotations

import pandas as pd
import pytest

from offloadsim.experiments.compare import format_comparison

DELTA = "  Δ vs a"


def _deltas(rows: list[tuple[str, str, float, float, float, float]], metrics: list[str]) -> list[str]:
    summary = pd.DataFrame(rows, columns=["policy", "metric", "mean", "ci", "diff", "diff_ci"])
    text = format_comparison(summary, ["a", "b"], "a", metrics, title="t", replications=5)
    return [line[len(DELTA) :].strip() for line in text.splitlines() if line.startswith(DELTA)]


def _number(text: str) -> float:
    return float(text.replace("−", "-").replace(",", ""))


@pytest.mark.parametrize(
    ("metric", "base", "diff", "half", "shown"),
    [
        # mJ: at four decimals, +0.0001 ± 0.0001
        ("device_energy_mean_j", 0.0488, 1.2e-7, 7e-8, "+0.00012 ± 0.00007 * worse"),
        ("device_energy_mean_j", 0.0488, -6e-8, 5e-8, "−0.00006 ± 0.00005 * better"),
        # ms: at the half-width's two figures, +12 ± 12
        ("latency_mean_s", 0.2, 0.0123, 0.0118, "+12.3 ± 11.8 * worse"),
    ],
)
def test_a_starred_delta_is_shown_larger_than_its_half_width(metric, base, diff, half, shown):
    rows = [("a", metric, base, base / 100, 0.0, 0.0), ("b", metric, base + diff, base / 100, diff, half)]
    (delta,) = _deltas(rows, [metric])
    assert delta == shown
    value, _, spread, star, *_ = delta.split()
    assert star == "*" and abs(_number(value)) > _number(spread)


def test_a_delta_whose_ci_holds_zero_keeps_the_ci_s_precision():
    rows = [
        ("a", "device_energy_mean_j", 0.0488, 1e-6, 0.0, 0.0),
        ("b", "device_energy_mean_j", 0.0488, 1e-6, 5e-8, 7e-8),
    ]
    assert _deltas(rows, ["device_energy_mean_j"]) == ["+5.0e-05 ± 0.0001"]  # no star: as before
