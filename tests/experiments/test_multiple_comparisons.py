"""compare's many starred Δs said honestly: how many stars chance alone gives, and Holm's adjustment.

compare-load's table tests 35 Δs at 5 % each (13 metrics x 3 policies, less those with no spread):
about 1.8 stars would come of chance alone where no policy differed, and the table said nothing of it.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from offloadsim.analysis.multiple_comparisons import holm_adjusted, paired_t_p
from offloadsim.analysis.statistics import student_t_ppf, student_t_two_sided_p
from offloadsim.cli import main
from offloadsim.experiments.compare import format_comparison

ROOT = Path(__file__).resolve().parents[2]


def test_holm_on_the_worked_example():
    """Wikipedia's "Holm–Bonferroni method" example (Holm 1979's procedure): four hypotheses with
    p = 0.01, 0.04, 0.03, 0.005 at alpha 0.05.  0.005 < 0.05/4 and 0.01 < 0.05/3 are rejected;
    0.03 > 0.05/2 is not, and the procedure stops: H1 and H4 rejected, H2 and H3 not."""
    adjusted = holm_adjusted([0.01, 0.04, 0.03, 0.005])
    assert adjusted == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert [p <= 0.05 for p in adjusted] == [True, False, False, True]
    # Bonferroni (each p x 4) rejects the same two here; Holm never rejects fewer.
    assert [p * 4 <= 0.05 for p in (0.01, 0.04, 0.03, 0.005)] == [True, False, False, True]
    # No test (NaN) is left out of the count m, and stays NaN; an adjusted p is at most 1.
    assert holm_adjusted([0.5, math.nan, 0.4])[1] != holm_adjusted([0.5, math.nan, 0.4])[1]
    assert holm_adjusted([0.5, math.nan, 0.4])[::2] == [0.8, 0.8] and holm_adjusted([0.9, 0.8]) == [1.0, 1.0]


def test_the_t_tests_p_value_is_the_tables():
    """Two-sided p of Student's t at the tables' critical values: 2.776 at 4 df is 5 %, 4.604 is 1 %."""
    assert student_t_two_sided_p(2.776445, 4) == pytest.approx(0.05, abs=1e-6)
    assert student_t_two_sided_p(-4.604095, 4) == pytest.approx(0.01, abs=1e-6)
    # A Δ whose 95 % CI half-width equals it is on the edge of being starred: p = 0.05.
    assert paired_t_p(-3.0, 3.0, 5) == pytest.approx(0.05)
    assert math.isnan(paired_t_p(1.0, 0.5, 1)) and math.isnan(paired_t_p(1.0, 0.0, 5))


def _summary(pvalues: list[float], pairs: int = 5) -> pd.DataFrame:
    """A summary whose policy b differs from a by Δs of the given two-sided p-values, over ``pairs`` pairs."""
    metrics = ["latency_mean_s", "latency_p95_s", "wait_mean_s", "throughput_per_s"][: len(pvalues)]
    rows = []
    for metric, p in zip(metrics, pvalues, strict=True):
        half = 1.0  # the CI half-width; the Δ is t(p) standard errors of half / t(0.975, n - 1)
        diff = -student_t_ppf(1 - p / 2, pairs - 1) * half / student_t_ppf(0.975, pairs - 1)
        rows += [
            ("a", metric, 10.0, 1.0, 0.0, 0.0, pairs, pairs),
            ("b", metric, 10 + diff, 1.0, diff, half, pairs, pairs),
        ]
    return pd.DataFrame(rows, columns=["policy", "metric", "mean", "ci", "diff", "diff_ci", "n", "diff_n"])


def _stars(text: str) -> int:
    return sum(
        " * " in line or line.endswith(" *") for line in text.splitlines() if line.startswith("  Δ vs a")
    )


def test_the_table_says_how_many_stars_chance_alone_gives_and_holm_keeps_fewer():
    summary = _summary([0.01, 0.04, 0.03])
    plain = format_comparison(summary, ["a", "b"], "a", list(summary["metric"].unique()), "t", 5)
    assert _stars(plain) == 3  # each under 5 % of its own
    assert (
        "(3 Δs tested at 5 % each, none adjusted for the others: where no policy differed from the "
        "baseline, about 0.15 would be starred by chance alone; --adjust holm holds the chance of any to 5 %)"
    ) in plain.splitlines()
    holm = format_comparison(
        summary, ["a", "b"], "a", list(summary["metric"].unique()), "t", 5, adjust="holm"
    )
    assert _stars(holm) == 1  # 0.01 x 3 = 0.03 kept; 0.03 x 2 = 0.06 not, and the procedure stops
    assert "mean latency" in holm and "keep it)" in holm.splitlines()[-1]
    assert holm.splitlines()[-1].endswith("1 of the 3 whose CI excludes 0 keep it)")
    assert "Holm's adjustment over the table's Δs keeps it" in holm
    # One Δ tested: no family to speak of.
    one = _summary([0.01])
    assert "tested at 5 % each" not in format_comparison(one, ["a", "b"], "a", ["latency_mean_s"], "t", 5)


def test_compare_adjust_holm_is_kept_in_the_manifest_and_summary_txt(tmp_path, capsys):
    out = tmp_path / "cmp"
    args = ["compare", str(ROOT / "scenarios/compare-load.yaml"), "--policies", "edge,cloud", "-n", "2"]
    assert main([*args, "--adjust", "holm", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "after Holm's step-down adjustment over the table's" in printed
    assert json.loads((out / "manifest.json").read_text())["adjust"] == "holm"
    assert "after Holm's step-down adjustment" in (out / "summary.txt").read_text()
    assert main([*args, "--adjust", "bonferroni", "--out", str(tmp_path / "other")]) == 2
    assert "--adjust: invalid choice: 'bonferroni'" in capsys.readouterr().err
