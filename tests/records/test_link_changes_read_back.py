"""``link_changes.parquet`` read back: a table the engine never writes is refused in one line naming it.

The latency-time figure reads each row's ``up`` (a link down draws at 0, hatched); a table without the
column ended in ``KeyError: 'up'`` (exit 1), and one with a row holding none drew that stretch as up.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import offloadsim
from offloadsim.outdir import ResultsError
from offloadsim.records.results import read_run
from offloadsim.records.stored import read_results

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def changed_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("lc") / "run"
    offloadsim.run(ROOT / "scenarios/unstable-uplink.yaml", overrides=["duration=20 s"], out=out)
    assert len(pd.read_parquet(out / "link_changes.parquet")) > 0
    return out


def _edited(run: Path, tmp_path: Path, edit) -> Path:
    copy = tmp_path / "run"
    shutil.copytree(run, copy)
    table = copy / "link_changes.parquet"
    edit(pd.read_parquet(table)).to_parquet(table)
    return copy


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (lambda frame: frame.drop(columns=["up"]), "no column up"),
        (
            lambda frame: frame.assign(up=pd.array([None] * len(frame), dtype="boolean")),
            "column up: expected a value in every row",
        ),
    ],
    ids=["no up column", "up without a value"],
)
def test_link_changes_without_up_are_refused_naming_the_file(changed_run, tmp_path, edit, said):
    run = _edited(changed_run, tmp_path, edit)
    table = run / "link_changes.parquet"
    for read in (lambda: read_run(run).link_changes, lambda: read_results(run)):
        with pytest.raises(ResultsError) as caught:
            read()
        assert str(caught.value).startswith(f"{table}: {said}")
    figure = ["--kind", "latency-time", "--out", str(tmp_path / "f")]
    done = subprocess.run(
        [sys.executable, "-m", "offloadsim", "plot", str(run), *figure],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and f"{table}: {said}" in done.stderr
    assert not list(tmp_path.glob("f*"))  # nothing drawn


@pytest.mark.parametrize("column", ["policy", "replication"])
def test_a_comparison_s_link_changes_without_their_run_are_refused(tmp_path, column):
    """Without ``policy`` or ``replication`` every run's rows were drawn as one run's, steps interleaved."""
    from offloadsim.experiments import compare

    out = tmp_path / "cmp"
    scenario, policies = ROOT / "scenarios/unstable-uplink.yaml", ["fixed", "neurosurgeon"]
    compare(scenario, policies, 1, workers=1, overrides=["duration=60 s"], out=out)
    table = out / "link_changes.parquet"
    pd.read_parquet(table).drop(columns=[column]).to_parquet(table)
    with pytest.raises(ResultsError) as caught:
        read_results(out)
    assert str(caught.value).startswith(f"{table}: no column {column}, expected each row's run")
