"""An LLM run's tokens/s: each request's decode rate (1 / TPOT) and the run's output token throughput.

Worked out by hand on a tiny deterministic scenario (requests far apart, so none queues; fixed
token counts, service times from the cost model as tests/engine/test_llm.py takes them), for
one-token answers (no decode interval: NaN, no division by zero) and for a CNN run (no columns).
"""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pytest

import offloadsim
from offloadsim.analysis.summary import metrics_row
from offloadsim.analysis.tokens import decode_rate
from offloadsim.models.llm_cost import LLMCost
from offloadsim.records.stored import read_results

SCENARIO = """
name: tokens
duration: 300 s
warmup: 50 s
nodes:
  phone: {tier: device, processor: {speed: 20 GFLOP/s, memory_bandwidth: 10 GB/s}}
applications:
  chat: {model: gpt2, prompt_tokens: 100, output_tokens: OUTPUT}
workload:
  - {app: chat, sources: phone, arrivals: trace, trace: trace.csv}
policy: local
"""
# The first request arrives in the warm-up and is not measured; the other three are, 100 s apart.
ARRIVALS = "time\n1.0\n101.0\n201.0\n301.0\n"
TOKEN_RATES = ("decode_tokens_per_s_mean", "output_tokens_per_s")
ROOT = Path(__file__).resolve().parents[1]


def _run(tmp_path, output_tokens: int, out=None):
    (tmp_path / "trace.csv").write_text(ARRIVALS)
    path = tmp_path / "tokens.yaml"
    path.write_text(SCENARIO.replace("OUTPUT", str(output_tokens)))
    return offloadsim.run(path, out=out)


def test_tokens_per_second_by_hand(tmp_path):
    from offloadsim.models.zoo.llm import GPT2

    result = _run(tmp_path, 5)
    summary = result.summary
    assert (summary.completed, summary.duration_s) == (3, 300.0)
    # Each request decodes 4 tokens after its first, alone on the phone: 4 steps of a growing context.
    cost = LLMCost.of(GPT2)
    decode = sum(cost.decode_s(20e9, 10e9, 0, 12, 100 + j) for j in range(4))
    assert summary.decode_tokens_per_s_mean == pytest.approx(4 / decode, rel=1e-9)
    # 3 measured requests of 5 tokens over the 300 s measured: the warm-up's request left out, as the
    # task throughput leaves it out (3 tasks / 300 s).
    assert summary.output_tokens_per_s == pytest.approx(3 * 5 / 300.0, rel=1e-12)
    assert summary.output_tokens_per_s == pytest.approx(5 * summary.throughput_per_s, rel=1e-12)
    # The per-request rate is the inverse of each request's TPOT.
    tpot = result.tasks["tpot"].to_numpy()
    np.testing.assert_allclose(decode_rate(tpot), 1.0 / tpot, rtol=1e-15)
    row = metrics_row(summary)
    assert {name: row[name] for name in TOKEN_RATES} == {
        "decode_tokens_per_s_mean": summary.decode_tokens_per_s_mean,
        "output_tokens_per_s": summary.output_tokens_per_s,
    }
    table = result.format_table()
    assert "mean decode rate per request" in table and "output token throughput" in table
    assert "tokens/s" in table


def test_a_one_token_answer_has_no_decode_rate_but_its_token_counts(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no division by zero, not even a numpy RuntimeWarning
        result = _run(tmp_path, 1)
        rates = decode_rate(result.tasks["tpot"].to_numpy())
    summary = result.summary
    assert summary.completed == 3 and math.isnan(summary.tpot_mean_s)
    assert np.isnan(rates).all()
    assert math.isnan(summary.decode_tokens_per_s_mean)
    assert summary.output_tokens_per_s == pytest.approx(3 / 300.0, rel=1e-12)
    line = next(line for line in result.format_table().splitlines() if "decode rate" in line)
    assert line.split()[-2:] == ["-", "tokens/s"]  # as the mean time per output token reads "- ms"


def test_a_zero_or_missing_tpot_has_no_rate():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rates = decode_rate(np.array([0.025, np.nan, 0.0, 0.5]))
    np.testing.assert_array_equal(rates, [40.0, np.nan, np.nan, 2.0])


def test_a_cnn_run_has_no_token_rates(tmp_path):
    result = offloadsim.run(ROOT / "scenarios" / "quickstart.yaml", overrides=("duration=20 s",))
    assert all(math.isnan(getattr(result.summary, name)) for name in TOKEN_RATES)
    assert not set(TOKEN_RATES) & metrics_row(result.summary).keys()
    assert "tokens/s" not in result.format_table()


def test_a_run_saved_before_the_token_rates_reads_back_with_them(tmp_path):
    """A summary.json written before them has none: read_results works them out from tasks.parquet."""
    out = tmp_path / "run"
    _run(tmp_path, 5, out=out)
    fresh = read_results(out).metrics
    document = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    for name in TOKEN_RATES:
        del document[name]
    (out / "summary.json").write_text(json.dumps(document), encoding="utf-8")
    older = read_results(out).metrics
    assert older[list(TOKEN_RATES)].to_dict("records") == fresh[list(TOKEN_RATES)].to_dict("records")
    assert fresh[list(TOKEN_RATES)].notna().all().all()


def test_a_figure_of_runs_saved_before_the_token_rates_says_so_not_that_none_served_llm():
    import pandas as pd

    from offloadsim.experiments.storage import ExperimentError
    from offloadsim.plots.figure_data import _need_metric

    older = pd.DataFrame({"policy": ["local"], "latency_mean_s": [1.0], "ttft_mean_s": [0.5]})
    with pytest.raises(ExperimentError, match="saved before it was a metric; rerun them"):
        _need_metric(older, "output_tokens_per_s")
    with pytest.raises(ExperimentError, match="no run here served an LLM request"):
        _need_metric(older.drop(columns="ttft_mean_s"), "output_tokens_per_s")


@pytest.mark.parametrize("module", ["offloadsim.analysis.tokens", "offloadsim.analysis.summary"])
def test_the_examples_hold(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0
