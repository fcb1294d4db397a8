"""A calibrated profile's notes are said of the runs that compute with it, not of every scenario holding it.

``run --policy local`` of the quickstart keeps every layer on the phones, and still said that the
edge's ``xeon-ort-1t`` "was calibrated on a CPU named ...": the note on a processor no run used.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from offloadsim.cli import main

QUICKSTART = str(Path(__file__).resolve().parents[1] / "scenarios" / "quickstart.yaml")
SAID = 'profile "xeon-ort-1t" was calibrated on'  # a CPU named ..., or another CPU than this host's
SHORT = ["--set", "duration=2 s", "--set", "warmup=0 s"]


def _calibrated(capsys, *argv: str) -> list[str]:
    assert main([*argv]) == 0
    out = capsys.readouterr().out
    return [line for line in out.splitlines() if SAID in line]


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry-run", "run"])
@pytest.mark.parametrize(("policy", "noted"), [("local", 0), ("edge", 1), ("fixed(node=cloud)", 0)])
def test_a_run_says_the_calibrated_edge_only_where_it_computes(policy, noted, dry_run, tmp_path, capsys):
    argv = ["run", QUICKSTART, "--policy", policy, *SHORT, "--out", str(tmp_path / "run")]
    assert len(_calibrated(capsys, *argv, *(["--dry-run"] if dry_run else []))) == noted


def test_a_comparison_says_which_of_its_policies_compute_with_it(capsys):
    (note,) = _calibrated(capsys, "compare", QUICKSTART, "--policies", "local,edge", "--dry-run")
    assert note.endswith("(under edge only)")
