"""A throughput Δ made only of the tasks still in flight at the end is said so, not judged better.

compare-load's ``edge`` read ``throughput +0.58 ± 0.14 * better`` against ``local``: both were offered
the same 1,791 tasks a run, and the Δ was only ``local``'s 40.8 left in flight when the run ended
against ``edge``'s 6.0 (34.8 tasks over 60 s), not a faster service.
"""

from __future__ import annotations

import pandas as pd

from offloadsim.experiments.compare import format_comparison

COLUMNS = ["policy", "metric", "mean", "ci", "diff", "diff_ci"]


def _table(completed_diff: float, arrived_diff: float = 0.0) -> str:
    rows = [  # policy, metric, mean, ci, diff, diff_ci: compare-load's local against edge
        ("local", "throughput_per_s", 29.18, 1.03, 0.0, 0.0),
        ("edge", "throughput_per_s", 29.18 + completed_diff / 60, 1.16, completed_diff / 60, 0.139),
        ("local", "arrived", 1791.4, 70.0, 0.0, 0.0),
        ("edge", "arrived", 1791.4 + arrived_diff, 70.0, arrived_diff, 0.0),
        ("local", "completed", 1750.6, 61.6, 0.0, 0.0),
        ("edge", "completed", 1750.6 + completed_diff, 69.6, completed_diff, 8.35),
        ("local", "in_flight", 40.8, 9.75, 0.0, 0.0),
        ("edge", "in_flight", 6.0, 3.62, -34.8, 8.35),
    ]
    summary = pd.DataFrame(rows, columns=COLUMNS)
    return format_comparison(
        summary, ["local", "edge"], "local", ["throughput_per_s"], title="t", replications=5
    )


def _delta(text: str) -> str:
    (line,) = [line for line in text.splitlines() if line.startswith("  Δ vs local")]
    return line.split("local", 1)[1].strip()


def test_a_throughput_delta_of_tasks_in_flight_is_said_so_not_judged():
    text = _table(34.8)
    assert _delta(text) == "+0.58 ± 0.14 * (in flight)"
    (legend,) = [line for line in text.splitlines() if line.startswith("(in flight): ")]
    assert "still in flight when the run ended (local 40.8 a run, edge 6.0)" in legend
    assert "better" not in _delta(text)


def test_a_throughput_delta_with_more_tasks_served_is_judged():
    """More completed than the in-flight Δ gives back (the baseline dropped some): a rate, judged."""
    assert _delta(_table(40.0)).endswith("* better")
    assert _delta(_table(34.8, arrived_diff=3.0)).endswith("* better")  # other tasks arrived
