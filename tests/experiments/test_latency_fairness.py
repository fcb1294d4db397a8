"""Jain's fairness index over the task sources' mean latencies, against a hand computation."""

from __future__ import annotations

import json
import math

import pandas as pd
from experiment_data import MIXED

import offloadsim
from offloadsim.analysis.fairness import jain_index
from offloadsim.analysis.summary import metrics_row, summarize


def _by_hand(tasks: pd.DataFrame) -> float:
    """Each source's mean latency over its completed tasks, then (Σ x)² / (n Σ x²)."""
    done = tasks[tasks["status"].astype(str) == "completed"]
    means = done.groupby(done["source"].astype(str))["latency"].mean()
    return float(means.sum() ** 2 / (len(means) * (means**2).sum()))


def test_jain_index_is_one_for_equals_and_one_over_n_for_one_alone():
    assert jain_index([0.2, 0.2, 0.2]) == 1.0
    assert jain_index([1.0, 0.0, 0.0, 0.0]) == 0.25
    assert math.isnan(jain_index([0.3])) and math.isnan(jain_index([0.3, math.nan]))


def test_a_runs_fairness_is_the_hand_computed_index_of_tasks_parquet(tmp_path):
    """Edge serves the cameras far slower than the phones; local, slower still (its cameras' 5 GFLOP/s)."""
    from offloadsim.experiments import compare

    (tmp_path / "mixed.yaml").write_text(MIXED, encoding="utf-8")
    result = compare(tmp_path / "mixed.yaml", ["edge", "local"], replications=2, workers=1)
    result.write(tmp_path / "cmp")
    tasks = pd.read_parquet(tmp_path / "cmp" / "tasks.parquet")
    metrics = pd.read_parquet(tmp_path / "cmp" / "metrics.parquet")
    for row in metrics.itertuples():
        mine = tasks[(tasks["policy"].astype(str) == row.policy) & (tasks["replication"] == row.replication)]
        assert mine["source"].nunique() == 5
        assert math.isclose(row.latency_fairness, _by_hand(mine), rel_tol=1e-12), row
    assert (metrics["latency_fairness"] < 1).all()
    csv = pd.read_csv(tmp_path / "cmp" / "summary.csv")
    assert (csv["metric"] == "latency_fairness").sum() == 2
    assert "latency fairness (Jain)" in result.format_table()
    # A run: the engine's records (read a chunk at a time) give what tasks.parquet gives by hand.
    run = offloadsim.run(tmp_path / "mixed.yaml", out=tmp_path / "run")
    by_hand = _by_hand(pd.read_parquet(tmp_path / "run" / "tasks.parquet"))
    assert math.isclose(run.summary.latency_fairness, by_hand, rel_tol=1e-12)
    assert (
        json.loads((tmp_path / "run" / "summary.json").read_text())["latency_fairness"]
        == run.summary.latency_fairness
    )
    (line,) = [x for x in run.summary.format_table().splitlines() if x.startswith("latency fairness")]
    assert line.split()[2:4] == [f"{by_hand:.3f}", "Jain's"]
    again = summarize(run.tasks, run.nodes, run.links, 20.0)  # a DataFrame, a column at a time
    assert math.isclose(again.latency_fairness, by_hand, rel_tol=1e-12)


def test_one_source_has_no_fairness(tmp_path):
    """One device: null in summary.json, and no metric (a row of "-" would say nothing)."""
    one = MIXED.replace("sources: [phone-*, cam-*]", "sources: phone-0")
    (tmp_path / "one.yaml").write_text(one, encoding="utf-8")
    run = offloadsim.run(tmp_path / "one.yaml", out=tmp_path / "run")
    assert math.isnan(run.summary.latency_fairness)
    assert json.loads((tmp_path / "run" / "summary.json").read_text())["latency_fairness"] is None
    assert "latency_fairness" not in metrics_row(run.summary)
    assert "fairness" not in run.summary.format_table()


def test_plot_takes_it_as_a_metric(tmp_path, capsys):
    """Registered in the catalogue, so plot --metric accepts it as any other."""
    from offloadsim.cli.main import main

    (tmp_path / "mixed.yaml").write_text(MIXED, encoding="utf-8")
    argv = ["compare", str(tmp_path / "mixed.yaml"), "--policies", "edge,local", "-n", "2", "--workers", "1"]
    assert main([*argv, "--out", str(tmp_path / "cmp"), "--quiet"]) == 0
    out = str(tmp_path / "fair.png")
    assert (
        main(["plot", str(tmp_path / "cmp"), "--kind", "bars", "--metric", "latency_fairness", "--out", out])
        == 0
    )
    assert (tmp_path / "fair.png").is_file()
