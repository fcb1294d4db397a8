"""The breakdown registry: a breakdown registered in a test reaches run's, compare's and sweep's outputs.

A toy breakdown per task source, declared and registered here (no edit anywhere else), gets its
own key of summary.json and rows under run's table, ``sources.csv`` and a table per source from
compare (with its ``diff_note``) and from sweep.  Each number is worked out again from
tasks.parquet with a pandas groupby.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from experiment_data import BATTERIES

from offloadsim.analysis.breakdown_registry import Breakdown, register, unregister
from offloadsim.analysis.summary import Summary
from offloadsim.cli import main
from offloadsim.experiments import compare

#: Three phones offloading a job to an edge, a short run each.
_PHONES = BATTERIES.replace("120 s", "20 s") + "policy: local\nseed: 5\n"
_SOURCES = Breakdown(name="sources", column="source", what=("source", "sources"))


@pytest.fixture
def phones(tmp_path):
    """The phones' scenario, with the toy breakdown per source registered for one test only."""
    (path := tmp_path / "phones.yaml").write_text(_PHONES, encoding="utf-8")
    register(_SOURCES)
    try:
        yield path
    finally:
        unregister(_SOURCES.name)


def _means(tasks: pd.DataFrame, keys: list[str]) -> pd.Series:
    """Each (keys..., source)'s mean latency over its completed tasks."""
    done = tasks[tasks["status"] == "completed"]
    return done.groupby([*keys, "source"], observed=True)["latency"].mean()


def _check_means(out: Path, key: str) -> None:
    """``sources.csv``'s mean latency of each (``key``, source): the mean over replications of its runs'."""
    table = pd.read_csv(out / "sources.csv")
    assert table.columns[0] == "source" and key in table.columns
    per_run = _means(pd.read_parquet(out / "tasks.parquet"), [key, "replication"])
    by_hand = per_run.groupby([key, "source"], observed=True).mean()
    latency = table[table["metric"] == "latency_mean_s"].set_index([key, "source"])["mean"]
    assert len(latency) == 6
    for at, mean in latency.items():
        assert mean == pytest.approx(by_hand[at], rel=1e-12)
    assert "sources.csv" in json.loads((out / "manifest.json").read_text(encoding="utf-8"))["files"]


def test_a_breakdown_registered_in_a_test_reaches_run(phones, tmp_path, capsys):
    assert main(["run", str(phones), "--out", str(tmp_path / "run")]) == 0
    printed = capsys.readouterr().out
    document = json.loads((tmp_path / "run" / "summary.json").read_text(encoding="utf-8"))
    tasks = pd.read_parquet(tmp_path / "run" / "tasks.parquet")
    expected = _means(tasks, [])
    assert len(expected) == 3
    for source, mean in expected.items():
        assert document["sources"][f"{source}.latency_mean_s"] == pytest.approx(mean, rel=1e-12)
    assert Summary.from_dict(document).to_dict()["sources"] == document["sources"]  # read back as written
    rows = printed[printed.index("by source (mean latency; p95; deadline misses") :].splitlines()
    assert [line.split()[0] for line in rows[1:4]] == ["phone-0", "phone-1", "phone-2"]  # not by first task


def test_a_breakdown_registered_in_a_test_reaches_compare(phones, tmp_path, capsys):
    out = tmp_path / "cmp"
    command = ["compare", str(phones), "--policies", "local,edge", "--replications", "2", "--workers", "1"]
    assert main([*command, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    _check_means(out, "policy")
    assert pd.read_csv(out / "sources.csv").columns[-1] == "diff_note"
    assert "per source (3): each source's tasks alone, paired by replication as above" in printed
    assert "source phone-2" in printed


def test_a_breakdown_registered_in_a_test_reaches_sweep(phones, tmp_path, capsys):
    sweep = tmp_path / "s.yaml"
    sweep.write_text("name: toy\nbase: phones.yaml\npolicies: [local, edge]\nreplications: 2\n")
    out = tmp_path / "sw"
    assert main(["sweep", str(sweep), "--workers", "1", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    _check_means(out, "point")
    (title,) = [line for line in printed.splitlines() if line.startswith("toy per source (")]
    assert title.split("(")[1].split(")")[0].split(", ") == ["phone-0", "phone-1", "phone-2"]


def test_a_breakdown_registered_in_a_script_reaches_the_workers(phones):
    """A worker process starts without it: its runs' numbers travel there as a run metric's do."""
    alone = compare(phones, ["local", "edge"], 2, workers=1).breakdowns["sources"]
    pooled = compare(phones, ["local", "edge"], 2, workers=2).breakdowns["sources"]
    assert len(alone) and alone.equals(pooled)


def test_a_breakdown_of_no_order_of_its_own_reads_its_values_naturally():
    """phone-2 before phone-10, whichever value's task came first; its own order goes first."""
    from offloadsim.analysis.groups import group_stats

    values = ["phone-10", "phone-2", "edge", "phone-1", "phone-10"]
    tasks = pd.DataFrame({"source": values, "latency": [1.0, 2.0, 3.0, 4.0, 5.0]})

    def stats(rows, duration_s, end_s):
        return {"deadline_tasks": 0, "deadline_misses": 0, "device_energy_mean_j": 0.0, "arrived": len(rows)}

    def order_of(breakdown):
        found = group_stats(tasks, 1.0, None, stats, breakdown.order(None)[0], column="source",
                            metrics=("arrived",), then=breakdown.then)  # fmt: skip
        return [key.split(".")[0] for key in found]

    assert order_of(_SOURCES) == ["edge", "phone-1", "phone-2", "phone-10"]
    phone_2_first = Breakdown("sources", "source", ("source", "sources"), order=lambda _: (["phone-2"], 2))
    assert order_of(phone_2_first) == ["phone-2", "edge", "phone-1", "phone-10"]
    by_task = Breakdown("sources", "source", ("source", "sources"), then=None)
    assert order_of(by_task) == ["phone-10", "phone-2", "edge", "phone-1"]
