"""Without power: on any source, device energy per task is not measured: n/a and null, not 0."""

from __future__ import annotations

import math

import pandas as pd
from experiment_data import SWEEP, TINY

import offloadsim
from offloadsim.analysis.summary import metrics_row
from offloadsim.experiments import compare, sweep

BARE = TINY.replace(",\n          power: {idle: 0.5 W, busy: 3 W, transmit: 1.5 W, receive: 1 W}}", "}")
#: Two groups of sources, neither powered: each group's energy is not measured either.
TWO_GROUPS = (
    BARE.replace(
        "  ap: {tier: network}",
        "  cam: {count: 2, tier: device, processor: {speed: 5 GFLOP/s}}\n  ap: {tier: network}",
    )
    .replace("links:\n", "links:\n  - {between: [cam-*, ap], bandwidth: 5 Mbps, latency: 2 ms}\n")
    .replace("sources: phone-*", "sources: [phone-*, cam-*]")
)


def test_a_run_without_power_reads_n_a_and_null(tmp_path):
    """The run's table said ``0.00 mJ (none: no task source has power:)``, and its groups ``0.00 mJ``."""
    assert "power:" not in BARE and "cam-*" in TWO_GROUPS
    (tmp_path / "s.yaml").write_text(TWO_GROUPS, encoding="utf-8")
    result = offloadsim.run(tmp_path / "s.yaml", out=tmp_path / "run")
    summary = result.summary
    assert summary.powered_sources == 0 and summary.completed > 0
    assert math.isnan(summary.device_energy_mean_j)
    assert math.isnan(metrics_row(summary)["device_energy_mean_j"])
    groups = [k for k in summary.source_groups if k.endswith(".device_energy_mean_j")]
    assert len(groups) == 2 and all(math.isnan(summary.source_groups[k]) for k in groups)
    split = [
        k for k in summary.source_groups if k.endswith(("_compute_energy_mean_j", "_radio_energy_mean_j"))
    ]
    assert len(split) == 4 and all(math.isnan(summary.source_groups[k]) for k in split)  # nor its parts
    table = summary.format_table()
    (row,) = [line for line in table.splitlines() if line.startswith("device energy")]
    assert row.split()[4] == "n/a" and "not measured: no task source has power:" in row
    assert "0.00" not in table and "energy n/a" in table
    document = (tmp_path / "run" / "summary.json").read_text(encoding="utf-8")
    assert '"device_energy_mean_j": null' in document


def test_compare_and_sweep_tables_leave_the_row_out_and_the_csvs_hold_null(tmp_path):
    """compare printed ``device energy per task (mJ)  0.00 ± 0`` and ``Δ 0.00 ± 0`` in every column."""
    (tmp_path / "tiny.yaml").write_text(BARE, encoding="utf-8")
    result = compare(tmp_path / "tiny.yaml", ["local", "edge"], replications=2, workers=1)
    text = result.format_table()
    assert "device energy per task" not in text.split("\nnote:")[0]
    assert any("device energy per task is not measured" in note for note in result.notes)
    result.write(tmp_path / "out")
    rows = pd.read_csv(tmp_path / "out" / "summary.csv")
    energy = rows[rows["metric"] == "device_energy_mean_j"]
    assert len(energy) == 2 and energy["mean"].isna().all() and (energy["n"] == 0).all()
    assert pd.read_parquet(tmp_path / "out" / "metrics.parquet")["device_energy_mean_j"].isna().all()

    (tmp_path / "sweep.yaml").write_text(SWEEP, encoding="utf-8")
    swept = sweep(tmp_path / "sweep.yaml", out=tmp_path / "sw", workers=1)
    from offloadsim.cli.experiments import _sweep_table

    assert "energy" not in _sweep_table(swept)
    assert swept.metrics["device_energy_mean_j"].isna().all()


def test_a_powered_run_keeps_its_energy(tmp_path):
    """With power: the row and its numbers are as they were."""
    (tmp_path / "tiny.yaml").write_text(TINY, encoding="utf-8")
    result = compare(tmp_path / "tiny.yaml", ["local", "edge"], replications=2, workers=1)
    assert "device energy per task (mJ)" in result.format_table()
    assert result.metrics["device_energy_mean_j"].gt(0).all()
