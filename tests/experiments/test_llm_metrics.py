"""compare and sweep report an LLM's time to first token and per output token, with CIs over replications.

Through the CLI on the shipped LLM assistant, shortened: each replication's TTFT and TPOT are
recomputed here with pandas from the comparison's ``tasks.parquet`` (completed requests of the
measured window, as ``run``'s table counts them), and the table's mean and CI half-width are those
of a Student t interval over the replications.  A CNN scenario's tables have no such metrics.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from experiment_data import table_headings

from offloadsim.cli import main

ROOT = Path(__file__).resolve().parents[2]
SHORT = ("--set", "duration=300 s", "--set", "warmup=10 s", "--workers", "1")
TOKEN_RATES = ("decode_tokens_per_s_mean", "output_tokens_per_s")
LLM = ("ttft_mean_s", "ttft_p50_s", "ttft_p95_s", "tpot_mean_s", *TOKEN_RATES)
MEASURED_S = 300.0  # SHORT's duration: the measured time, the warm-up's requests not in the records


def _per_run(tasks: pd.DataFrame, nodes: pd.DataFrame) -> pd.DataFrame:
    """Each run's LLM metrics, from its completed requests' ``ttft`` and ``tpot``, and its nodes' tokens.

    The output token throughput counts every token generated in the measured window (the nodes'
    ``tokens_generated``), the warm-up's and unfinished requests' too, not the completed ones' alone.
    """
    done = tasks[tasks["status"] == "completed"].assign(rate=lambda t: 1.0 / t["tpot"])
    runs = done.groupby(["policy", "replication"], observed=True)
    generated = nodes.groupby(["policy", "replication"], observed=True)["tokens_generated"].sum()
    return pd.DataFrame(
        {
            "ttft_mean_s": runs["ttft"].mean(),
            "ttft_p50_s": runs["ttft"].agg(lambda v: np.percentile(v.dropna(), 50)),
            "ttft_p95_s": runs["ttft"].agg(lambda v: np.percentile(v.dropna(), 95)),
            "tpot_mean_s": runs["tpot"].mean(),
            "decode_tokens_per_s_mean": runs["rate"].mean(),
            "output_tokens_per_s": generated / MEASURED_S,
        }
    )


def test_compare_reports_ttft_and_tpot_with_t_intervals_over_replications(tmp_path, capsys):
    stats = pytest.importorskip("scipy.stats")
    out = tmp_path / "compare"
    scenario = str(ROOT / "scenarios" / "llm-assistant.yaml")
    args = ["compare", scenario, "--policies", "local,model-select", "-n", "3", *SHORT, "--out", str(out)]
    assert main(args) == 0
    printed = capsys.readouterr().out
    for label in ("mean time to first token (ms)", "p95 time to first token (ms)"):
        assert label in printed
    assert "mean time per output token (ms)" in printed
    assert "mean decode rate per request (tokens/s)" in printed
    assert "output token throughput (tokens/s)" in printed

    per_run = _per_run(pd.read_parquet(out / "tasks.parquet"), pd.read_parquet(out / "nodes.parquet"))
    metrics = pd.read_parquet(out / "metrics.parquet").set_index(["policy", "replication"])
    summary = pd.read_parquet(out / "summary.parquet").set_index(["policy", "metric"])
    for policy in ("local", "model-select"):
        ours = per_run.loc[policy]
        assert len(ours) == 3
        for name in LLM:
            runs = metrics.loc[policy, name].sort_index().to_numpy()
            np.testing.assert_allclose(runs, ours[name].sort_index().to_numpy(), rtol=1e-12)
            values = ours[name].to_numpy()
            half = stats.t.ppf(0.975, len(values) - 1) * values.std(ddof=1) / math.sqrt(len(values))
            row = summary.loc[(policy, name)]
            assert row["n"] == 3
            assert row["mean"] == pytest.approx(values.mean(), rel=1e-12)
            assert row["ci"] == pytest.approx(half, rel=1e-9)
    # The paired difference of the 8B-or-1B choice is a real, significant cut of the TTFT.
    diff = summary.loc[("model-select", "ttft_mean_s")]
    assert diff["diff"] + diff["diff_ci"] < 0
    # The figures take the token rates by name, as the other metrics.
    figure = tmp_path / "tokens"
    plot = ["plot", str(out), "--kind", "bars", "--metric", "output_tokens_per_s", "--out", str(figure)]
    assert main(plot) == 0
    assert figure.with_suffix(".png").is_file()


def test_a_cnn_comparison_has_no_llm_metrics(tmp_path, capsys):
    out = tmp_path / "compare"
    scenario = str(ROOT / "scenarios" / "quickstart.yaml")
    args = ["compare", scenario, "--policies", "local,edge", "-n", "2", *SHORT, "--out", str(out)]
    assert main(args) == 0
    assert "token" not in capsys.readouterr().out
    assert not set(LLM) & set(pd.read_parquet(out / "metrics.parquet").columns)
    assert not set(LLM) & set(pd.read_parquet(out / "summary.parquet")["metric"])


def _llm_sweep(tmp_path: Path, duration: str, grid: str) -> tuple[list[str], Path]:
    """The command of a sweep of the shipped LLM assistant over ``grid``, 2 replications; its --out."""
    shutil.copy(ROOT / "scenarios" / "llm-assistant.yaml", tmp_path / "llm-assistant.yaml")
    (tmp_path / "sweep.yaml").write_text(
        f"name: llm\nbase: llm-assistant.yaml\nset: {{duration: {duration}, warmup: 10 s}}\n"
        f"{grid}\nreplications: 2\n",
        encoding="utf-8",
    )
    out = tmp_path / "sweep"
    return ["sweep", str(tmp_path / "sweep.yaml"), "--out", str(out), "--workers", "1"], out


def test_sweep_reports_ttft_and_tpot_per_point(tmp_path, capsys):
    command, out = _llm_sweep(tmp_path, "300 s", "grid:\n  policy.name: [local, model-select]")
    assert main(command) == 0
    printed = capsys.readouterr().out
    headings = table_headings(printed)  # wrapped where the table is wide
    rest = printed.split("\n\n", 1)[1]  # a table wider still goes on in a second block
    headings += table_headings(f"title\n{rest}") if "\n---" in rest.split("\n\n", 1)[0] else []
    assert headings[0] == "policy"  # as figures name it
    assert "mean time to first token (ms)" in headings and "mean time per output token (ms)" in headings
    for heading in ("mean decode rate per request (tokens/s)", "output token throughput (tokens/s)"):
        assert heading in headings
    tasks = pd.read_parquet(out / "tasks.parquet")
    summary = pd.read_parquet(out / "summary.parquet")
    for policy, group in tasks[tasks["status"] == "completed"].groupby("policy.name", observed=True):
        per_run = group.groupby("replication", observed=True)["ttft"].mean()
        row = summary[(summary["policy.name"] == policy) & (summary["metric"] == "ttft_mean_s")]
        assert row["mean"].item() == pytest.approx(per_run.mean(), rel=1e-12)


@pytest.mark.parametrize(
    ("flag", "missing"), [(False, LLM), (True, TOKEN_RATES)], ids=["before-llm-metrics", "before-token-rates"]
)
def test_a_resumed_sweep_works_out_the_llm_metrics_of_jobs_saved_before_them(tmp_path, capsys, flag, missing):
    """A job file from before the metrics rows had TTFT and TPOT (its metadata has none) was reused
    as it was: its point's summary counted n = 1 of 2 replications, silently.  Its records hold the
    ``ttft`` and ``tpot`` columns, so the merge works them out, to the bit.  So with one from before
    the token rates (its metadata says it has the LLM metrics, of which it lacks the two): its
    records hold ``tpot`` and ``output_tokens``, its metrics the measured time."""
    import json

    import pyarrow.parquet as pq

    command, out = _llm_sweep(tmp_path, "120 s", "policies: [local]")
    assert main(command) == 0
    fresh = pd.read_parquet(out / "metrics.parquet")
    assert fresh[list(LLM)].notna().all().all()
    # The first job's file as a sweep before the LLM metrics wrote it: the same records, no such metrics.
    file = sorted((out / "points").glob("*.parquet"))[0]
    table = pq.read_table(file)
    meta = json.loads(table.schema.metadata[b"offloadsim.job"])
    if not flag:
        meta.pop("llm_metrics", None)
    meta["metrics"] = {k: v for k, v in meta["metrics"].items() if k not in missing}
    metadata = {**table.schema.metadata, b"offloadsim.job": json.dumps(meta).encode("utf-8")}
    pq.write_table(table.replace_schema_metadata(metadata), file)

    capsys.readouterr()
    assert main(command) == 0
    assert "2 reused" in capsys.readouterr().out
    resumed = pd.read_parquet(out / "metrics.parquet")
    pd.testing.assert_frame_equal(resumed[list(LLM)], fresh[list(LLM)])
    summary = pd.read_parquet(out / "summary.parquet")
    assert (summary[summary["metric"].isin(LLM)]["n"] == 2).all()
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["llm_metrics_recomputed_jobs"] == 1
