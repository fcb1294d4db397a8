"""``read_results(DIR).summary`` of a comparison or sweep: the summary ``compare()``/``sweep()`` returned.

``summary.parquet`` was on disk, but a results directory read back had no ``summary``: a script that
wrote a comparison and read it later had to rebuild the table, or read the file by name.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from offloadsim.experiments import compare, read_results, sweep

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "quickstart.yaml"
SHORT = ["duration=2 s", "warmup=0 s"]


def test_a_comparison_read_back_has_the_summary_it_returned(tmp_path):
    """Policy parameters too: their ``policy.KEY`` columns, a missing value included, as returned."""
    policies = ["local", "least-loaded(tiers=[edge])", "least-loaded"]
    out = tmp_path / "cmp"
    returned = compare(SCENARIO, policies, replications=2, workers=1, overrides=SHORT, out=out)
    read = read_results(out)
    assert read.summary is not None and len(read.summary) > 0
    assert "policy.tiers" in read.summary.columns
    pd.testing.assert_frame_equal(read.summary, returned.summary)


def test_a_sweep_read_back_has_the_summary_it_returned(tmp_path):
    (tmp_path / "sw.yaml").write_text(
        f"base: {SCENARIO}\nset: {{duration: 2 s, warmup: 0 s}}\npolicies: [local, edge]\nreplications: 2\n"
        "grid:\n  links[0].bandwidth: [5 Mbps, 20 Mbps]\n",
        encoding="utf-8",
    )
    returned = sweep(tmp_path / "sw.yaml", out=tmp_path / "out", workers=1)
    read = read_results(tmp_path / "out")
    assert read.summary is not None and "links[0].bandwidth" in read.summary.columns
    pd.testing.assert_frame_equal(read.summary, returned.summary)


def test_a_run_has_no_summary_table(tmp_path):
    """One run, one row: its metrics are the row; no mean over replications to read."""
    from offloadsim.cli import main

    out = tmp_path / "run"
    options = [option for value in SHORT for option in ("--set", value)]
    assert main(["run", str(SCENARIO), *options, "-q", "--out", str(out)]) == 0
    assert read_results(out).summary is None
