"""Device energy per task told apart into compute and radio.

The total alone did not say whether a policy's energy went to the phone's processor or its radio,
and telling them apart took ``--stages`` and the scenario's power values by hand.  The tasks'
``device_compute_energy`` is the compute stages' part; the radio's is the rest.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import offloadsim
from offloadsim.analysis.catalogue import ENERGY_SPLIT_METRICS
from offloadsim.experiments import compare

ROOT = Path(__file__).resolve().parents[1]
SPLIT = ROOT / "scenarios" / "compare-split.yaml"  # a Pi: busy 3.0 W, idle 0.5 W, one core


def test_compute_energy_is_the_source_devices_compute_stages_by_hand_from_stages(tmp_path):
    """Each task's device_compute_energy is (busy - idle) / cores times its compute stages' time on
    its source, as read from stages.parquet; the radio's (the rest) is above 0 only where it sent."""
    result = offloadsim.run(SPLIT, overrides=("duration=10 s",), out=tmp_path / "run", stages=True)
    tasks = pd.read_parquet(tmp_path / "run" / "tasks.parquet")
    stages = pd.read_parquet(tmp_path / "run" / "stages.parquet")
    on_source = stages.merge(tasks[["task_id", "source"]], on="task_id")
    on_source = on_source[(on_source["kind"] == "compute") & (on_source["where"] == on_source["source"])]
    by_hand = ((on_source["end"] - on_source["start"]) * (3.0 - 0.5)).groupby(on_source["task_id"]).sum()
    done = tasks[tasks["status"] == "completed"].set_index("task_id")
    expected = by_hand.reindex(done.index, fill_value=0.0)
    assert done["device_compute_energy"].to_numpy() == pytest.approx(expected.to_numpy(), rel=1e-9, abs=1e-12)
    radio = done["device_energy"] - done["device_compute_energy"]
    assert (radio >= -1e-12).all()
    sent = done["bytes_sent"] > 0
    assert sent.any() and (radio[sent] > 0).all() and (radio[~sent].abs() < 1e-12).all()
    split = expected.gt(0) & sent
    assert split.any()  # neurosurgeon cut some tasks on the Pi: both parts, in one task
    # The run's table says it; compute and radio add up to device energy per task.
    summary = result.summary
    assert summary.device_compute_energy_mean_j == pytest.approx(tasks["device_compute_energy"].mean())
    (row,) = [line for line in summary.format_table().splitlines() if "of which compute" in line]
    assert f"{summary.device_compute_energy_mean_j * 1e3:.2f}" in row
    radio_mean = summary.device_energy_mean_j - summary.device_compute_energy_mean_j
    assert f"radio {radio_mean * 1e3:.2f} mJ" in row


def test_compare_pairs_the_compute_and_radio_rows(tmp_path):
    result = compare(SPLIT, ["local", "edge"], 2, workers=1, overrides=("duration=10 s",), out=tmp_path / "c")
    metrics = result.metrics.set_index("policy")
    compute, radio = metrics["device_compute_energy_mean_j"], metrics["device_radio_energy_mean_j"]
    assert (radio["local"] == 0).all() and (compute["local"] > 0).all()
    assert (compute["edge"] == 0).all() and (radio["edge"] > 0).all()
    assert (compute + radio).to_numpy() == pytest.approx(metrics["device_energy_mean_j"].to_numpy())
    # Not in the printed table unless asked for (its columns would widen every powered comparison's).
    assert "device radio energy" not in result.format_table()
    text = result.format_table(["device_energy_mean_j", *ENERGY_SPLIT_METRICS])
    for heading in ("device compute energy per task (mJ)", "device radio energy per task (mJ)"):
        rows = [line for line in text.splitlines() if line.startswith(heading)]
        assert len(rows) == 2 and "±" in rows[0] and rows[1] == f"{heading}: counted above idle"
    radio_rows = result.summary[result.summary["metric"] == "device_radio_energy_mean_j"]
    assert len(radio_rows) == 2 and np.isfinite(radio_rows["mean"]).all()  # summary.csv too
