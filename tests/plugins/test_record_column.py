"""A record column added from outside the package, as a plug-in would: one declaration, then everywhere.

The column is declared once (``register_task_column``) with the code that
computes it (a function of the other columns, run after the run); the test
checks it reaches the Parquet file, the run summary (JSON and table), and
``compare``'s metrics and printed table, with no other edit.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from toy_distributions import install_distribution, site_on_path

from offloadsim import api
from offloadsim.analysis.catalogue import metric_info
from offloadsim.experiments import compare
from offloadsim.records import schema
from offloadsim.records.results import read_run

SCENARIO = str(Path(__file__).resolve().parents[2] / "scenarios" / "quickstart.yaml")  # whatever the cwd
SHORT = ("duration=20 s", "warmup=2 s")


def _slack(columns):
    """Time left before the deadline when the result arrived (NaN without a deadline or a result)."""
    return columns["deadline"] - columns["latency"]


SLACK = schema.Column(
    "slack", "float64", "s", "deadline - latency", summary=("mean", "p50"), label="slack", better="higher",
    derive=_slack,
)  # fmt: skip


@pytest.fixture
def slack_column():
    with schema.task_column_added(SLACK) as col:
        yield col


def test_a_declared_column_reaches_parquet_and_summary(slack_column, tmp_path):
    result = api.run(SCENARIO, overrides=SHORT, out=tmp_path / "run")
    tasks = pd.read_parquet(tmp_path / "run" / "tasks.parquet")
    assert list(tasks.columns)[-1] == "slack" and tasks["slack"].dtype == np.float64
    expected = tasks["deadline"].to_numpy() - tasks["latency"].to_numpy()
    np.testing.assert_array_equal(tasks["slack"].to_numpy(), expected)
    done = tasks["status"] == "completed"
    assert done.sum() > 50 and np.isfinite(tasks.loc[done, "slack"]).all()

    summary = read_run(tmp_path / "run").summary
    assert summary.column_metrics["slack_mean_s"] == pytest.approx(tasks.loc[done, "slack"].mean(), rel=1e-12)
    assert summary.column_metrics["slack_p50_s"] == pytest.approx(
        tasks.loc[done, "slack"].median(), rel=1e-12
    )
    assert summary == result.summary
    text = (tmp_path / "run" / "summary.txt").read_text()
    mean_ms = f"{summary.column_metrics['slack_mean_s'] * 1e3:,.1f}"  # the table shows ms to 0.1
    assert any(
        line.startswith("mean slack") and mean_ms in line and line.endswith("ms")
        for line in text.splitlines()
    )


def test_a_declared_column_reaches_compare(slack_column, tmp_path):
    result = compare(
        SCENARIO, ["local", "edge"], replications=2, workers=1, overrides=SHORT, out=tmp_path / "c"
    )
    assert {"slack_mean_s", "slack_p50_s"} <= set(result.metrics.columns)
    rows = result.summary[result.summary["metric"] == "slack_mean_s"]
    assert list(rows["policy"]) == ["local", "edge"] and rows["n"].tolist() == [2, 2]
    assert all(math.isfinite(v) for v in rows["mean"])
    assert metric_info("slack_mean_s").axis_label == "mean slack (ms)"
    assert metric_info("slack_mean_s").better == "higher"
    assert "mean slack (ms)" in result.format_table()
    written = pd.read_parquet(tmp_path / "c" / "metrics.parquet")
    assert "slack_mean_s" in written.columns


def test_without_the_plugin_the_column_is_absent(tmp_path):
    assert schema.column("slack") is None
    result = api.run(SCENARIO, overrides=SHORT)
    assert "slack" not in result.tasks.columns and result.summary.column_metrics == {}


def test_a_column_the_engine_sets_by_row():
    from offloadsim.engine.records import FLOAT_COLUMNS, RecordLog

    toy = schema.Column("toy_score", "float64", "", "a value only the engine knows", summary=("mean",))
    with schema.task_column_added(toy):
        log = RecordLog()
        code = log.add_plan("app", "phone", "phone", 0, False)
        for task_id in range(3):
            log.values.extend([0.0] * len(FLOAT_COLUMNS))
            log.task_ids.append(task_id)
            log.plan_codes.append(code)
            log.status_codes.append(log.status_code("completed"))
            log.reason_codes.append(0)
        log.set("toy_score", 1, 0.5)
        columns = log.columns("p", 0, 1)
        np.testing.assert_array_equal(columns["toy_score"], [np.nan, 0.5, np.nan])
        with pytest.raises(KeyError, match="latency"):
            log.set("latency", 0, 1.0)


def test_registration_refuses_clashes():
    with pytest.raises(ValueError, match="already declared"):
        schema.register_task_column(schema.Column("latency", "float64", "s", "again"))
    with pytest.raises(ValueError, match="float64"):
        schema.register_task_column(schema.Column("label", "category", "", "strings"))


TOY_MODULE = """
from offloadsim.records.schema import Column


def _slack(columns):
    return columns["deadline"] - columns["latency"]


SLACK = Column("slack", "float64", "s", "deadline - latency", summary=("mean",), label="slack", derive=_slack)
"""


def test_an_entry_point_column_reaches_pool_workers(tmp_path, monkeypatch):
    """A distribution declares the column as an entry point: every process, pool workers too, loads it."""
    site = site_on_path(tmp_path, monkeypatch)
    install_distribution(
        site, "toy_columns", TOY_MODULE, "[offloadsim.record_columns]\nslack = toy_columns:SLACK\n"
    )
    monkeypatch.setattr(schema.PLUGINS, "loaded", False)
    try:
        assert schema.column("slack") is not None  # loaded here on first use
        result = compare(SCENARIO, ["local", "edge"], replications=2, workers=2, overrides=SHORT)
        assert result.metrics["slack_mean_s"].notna().all() and len(result.metrics) == 4
        assert "mean slack (ms)" in result.format_table()
    finally:
        schema.unregister_task_column("slack")
