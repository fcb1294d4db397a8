"""A CompareResult's methods refuse from Python what they cannot honour, in one line.

``format_table(["latency_p59_s"])`` and ``format_table("latency_mean_s")`` printed a table of the
utilisations alone, each name left out without a word; ``write(out, overwrite="no")`` took "no" as
true and deleted the earlier result it would have kept, and ``write(3)`` ended in pathlib's TypeError.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from offloadsim.api import RunError
from offloadsim.experiments import ExperimentError, compare, compare_table
from offloadsim.outdir import ResultsError

QUICKSTART = Path(__file__).resolve().parents[2] / "scenarios" / "quickstart.yaml"


@pytest.fixture(scope="module")
def result():
    return compare(QUICKSTART, ["local", "edge"], 2, workers=1, overrides=["duration=2 s", "warmup=0 s"])


@pytest.mark.parametrize(
    ("metrics", "said"),
    [
        (["latency_p59_s"], r'metrics: unknown metric "latency_p59_s" \(did you mean "latency_p99_s"'),
        ("latency_mean_s", r"metrics: expected a list of metric names .* got str 'latency_mean_s'"),
        (None, r"metrics: expected a list of metric names .* got NoneType None"),
    ],
)
def test_format_table_refuses_what_it_would_leave_out(result, metrics, said):
    with pytest.raises(ExperimentError, match=said):
        result.format_table(metrics)


def test_format_table_shows_the_metrics_named(result):
    table = result.format_table(["latency_p95_s", "decode_tokens_per_s_mean"])  # no LLM: its row left out
    assert "p95 latency" in table and "decode" not in table


def test_write_refuses_a_flag_or_path_of_another_type(result, tmp_path):
    with pytest.raises(RunError, match="overwrite: expected True or False, got str 'no'"):
        result.write(tmp_path / "out", overwrite="no")
    with pytest.raises(ResultsError, match="out: expected a directory path, got int 3"):
        result.write(3)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("metrics", "said"),
    [
        (None, "got NoneType"),  # 'NoneType' object is not iterable
        (pd.DataFrame({"latency_mean_s": [1.0]}), r"got a table with columns \[latency_mean_s\]"),  # KeyError
    ],
)
def test_compare_table_names_what_its_table_lacks(metrics, said):
    with pytest.raises(
        ExperimentError, match=r"metrics: expected a table with policy and replication columns.*" + said
    ):
        compare_table(metrics, "local")
