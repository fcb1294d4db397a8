"""Batteries in compare's and sweep's tables: how many ran flat, and how much charge was left.

An LLM-assistant day under ``local`` ran 19 of 20 phones flat, and compare's table said only
``failed 0.02 %`` and ``least node availability 96.5 %``: a flat phone stops sending, so no row
showed it (``run`` said ``9 flat``).  The rows come from the runs' nodes tables, paired across
policies like the others, and only where a node has a battery.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from experiment_data import BATTERIES as _BATTERIES

from offloadsim.experiments import compare


def _expected(nodes):
    """Per (policy, replication): flat batteries, least and median left (a flat one 0), from nodes."""
    out = {}
    for (policy, rep), part in nodes.groupby(["policy", "replication"], observed=True):
        left = part["battery_left"].to_numpy(dtype=float)
        flat = ~np.isnan(part["drained_at"].to_numpy(dtype=float))
        powered = ~np.isnan(left)
        charge = np.where(flat, 0.0, left)[powered]
        out[(str(policy), int(rep))] = (int(flat.sum()), charge.min(), float(np.median(charge)))
    return out


@pytest.fixture(scope="module")
def batteries(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("batteries")
    scenario = tmp / "batteries.yaml"
    scenario.write_text(_BATTERIES)
    return compare(scenario, ["local", "edge"], 2, workers=1, out=tmp / "out")


def test_compare_counts_flat_batteries_and_the_charge_left_from_the_nodes_tables(batteries):
    expected = _expected(batteries.nodes)
    flats = {key: value[0] for key, value in expected.items()}
    assert not any(flats[("local", r)] for r in (0, 1)) and all(flats[("edge", r)] == 3 for r in (0, 1))
    metrics = batteries.metrics
    for _, row in metrics.iterrows():
        flat, least, median = expected[(str(row["policy"]), int(row["replication"]))]
        assert row["batteries_flat"] == flat
        assert row["battery_left_min"] == pytest.approx(least)
        assert row["battery_left_median"] == pytest.approx(median)
    text = batteries.format_table()
    rows = {line.split("  ")[0]: line for line in text.splitlines() if "batter" in line and "±" in line}
    assert set(rows) == {"batteries run flat", "least battery left (%)", "median battery left (%)"}
    # Paired like the other rows: edge's Δ of flat batteries, said worse every replication.
    lines = text.splitlines()
    delta = lines[lines.index(rows["batteries run flat"]) + 1]
    assert "+3 ± 0" in delta and "worse" in delta
    assert rows["batteries run flat"].split()[3:] == ["0", "±", "0", "3", "±", "0"]
    local = np.mean([expected[("local", r)][2] for r in (0, 1)]) * 100
    assert float(rows["median battery left (%)"].split()[4]) == pytest.approx(local, abs=0.1)
    (note,) = [n for n in batteries.notes if n.startswith("batteries ran flat")]
    assert "in 2 of 4 runs" in note and "policy=edge" in note and "3 flat" in note
    assert "batteries_flat" in set(batteries.summary["metric"])  # summary.csv too


def test_compare_notes_each_policy_s_first_flat_from_its_nodes_tables(batteries):
    """When: each policy's first flat battery, a replication with none flat censored (test_first_flat.py)."""
    from offloadsim.analysis.values import time_text

    nodes = batteries.nodes
    firsts = nodes[nodes["policy"] == "edge"].groupby("replication")["drained_at"].min()
    assert firsts.notna().all()  # edge ran batteries flat in both, local in neither
    (note,) = [n for n in batteries.notes if n.startswith("time to the first flat battery")]
    # 2 of 2 flat: Ŝ falls to 1/2 at the earlier one, the Kaplan–Meier median
    assert f"edge: flat in 2 of 2 replications, median {time_text(firsts.min())} s" in note
    assert "local: flat in 0 of 2 replications" in note


def test_no_battery_no_battery_rows(tiny, tmp_path):
    """A scenario without batteries has no battery rows, nor a note: not rows of ``-``."""
    result = compare(tiny, ["local", "edge"], 1, workers=1, out=tmp_path / "out")
    assert not {"batteries_flat", "battery_left_min", "battery_left_median"} & set(result.metrics.columns)
    assert "batter" not in result.format_table()


def test_sweep_table_and_csv_say_the_flat_batteries(cli_main, tmp_path, capsys):
    (tmp_path / "batteries.yaml").write_text(_BATTERIES.replace("120 s", "60 s"))
    (tmp_path / "sweep.yaml").write_text(
        "name: bat-sweep\nbase: batteries.yaml\ngrid:\n  workload[0].rate: [1 /s, 4 /s]\n"
        "policies: [local, edge]\nreplications: 1\n"
    )
    out = tmp_path / "sw"
    assert cli_main(["sweep", str(tmp_path / "sweep.yaml"), "--workers", "1", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    lines = printed.splitlines()
    assert any("batteries" in line for line in lines[:4]) and any("median" in line for line in lines[:4])
    assert "note: batteries ran flat in" in printed
    # when, per point and policy, as compare's: a point's one replication with none flat is censored
    (first,) = [line for line in lines if line.startswith("note: time to the first flat battery")]
    assert "workload[0].rate=1 /s, policy.name=edge: flat in 1 of 1 replications, median " in first
    import pandas as pd

    summary = pd.read_csv(out / "summary.csv")
    flat = summary[summary["metric"] == "batteries_flat"]
    assert len(flat) == 4 and set(flat["mean"]) <= {0.0, 1.0, 2.0, 3.0}
    assert flat.loc[flat["policy"] == "edge", "mean"].max() > 0
    median = summary[summary["metric"] == "battery_left_median"]
    assert len(median) == 4 and all(0 <= v <= 1 and not math.isnan(v) for v in median["mean"])

    # A job file written before the battery metrics is reused, its batteries from its nodes table.
    for file in (out / "points").glob("*.parquet"):
        _drop_battery_metrics(file)
    assert cli_main(["sweep", str(tmp_path / "sweep.yaml"), "--workers", "1", "--out", str(out)]) == 0
    assert "4 jobs: 0 run, 4 reused" in capsys.readouterr().out
    again = pd.read_csv(out / "summary.csv")
    pd.testing.assert_frame_equal(
        again[again["metric"].str.startswith("batter")].reset_index(drop=True),
        summary[summary["metric"].str.startswith("batter")].reset_index(drop=True),
    )


def _drop_battery_metrics(file):
    """Rewrite a sweep's job file as one written before the battery metrics: none in its metrics."""
    import json

    import pyarrow.parquet as pq

    from offloadsim.experiments import storage

    table = pq.read_table(file)
    meta = json.loads(table.schema.metadata[storage._JOB_META])
    assert meta["metrics"].pop("batteries_flat") is not None
    del meta["metrics"]["battery_left_min"], meta["metrics"]["battery_left_median"]
    metadata = {**table.schema.metadata, storage._JOB_META: json.dumps(meta).encode()}
    pq.write_table(table.replace_schema_metadata(metadata), file)


def test_the_battery_metric_refills_a_job_file_through_the_registry():
    # A sweep refills an older job file's columns from each registered metric's refill: the battery
    # metric's were special-cased in the sweep's merge, so a caller of the registry's refill (a
    # plug-in's older file, summary.json) had no batteries.
    from offloadsim.analysis.batteries import BATTERY_LEFT_MEDIAN
    from offloadsim.analysis.summary import refilled_metrics

    nodes = {"battery_left": [0.0, 0.5, math.nan, 0.25], "drained_at": [80.0, math.nan, math.nan, math.nan]}
    assert BATTERY_LEFT_MEDIAN.refill is not None
    refilled = refilled_metrics(nodes, None)
    expected = {"batteries_flat": 1.0, "battery_left_min": 0.0, "battery_left_median": 0.25}
    assert {k: refilled[k] for k in expected} == expected
    assert not set(expected) & set(refilled_metrics({"battery_left": [math.nan]}, None))
