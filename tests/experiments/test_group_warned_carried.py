"""``groups.csv``'s ``warned`` from what each run's job worked out, not its task file read back.

Which source groups a run's warnings concern is read from its records (the nodes they ran on).
The comparison and the sweep read each warned run's task file back after the fact, for that alone;
the job now works it out where it summarises the run, while it holds the records, and its result
(a sweep job's file too) carries it.  ``groups.csv`` is byte for byte what reading back gave, and
a job file from before (none carried) is still read back.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

from offloadsim.experiments import jobs, sweep_merge
from offloadsim.experiments.compare import compare
from offloadsim.experiments.sweep import sweep
from offloadsim.experiments.sweep_spec import sweep_from_data

FLEET = """
name: two
duration: 8 s
warmup: 0 s
nodes:
  slow: {count: 3, tier: device, processor: {profile: cortex-a76}}
  fast: {count: 2, tier: device, processor: {speed: 1 TFLOP/s}}
  edge: {tier: edge, processor: {speed: 5 TFLOP/s}}
links:
  - {between: [slow-*, edge], bandwidth: 50 Mbps, latency: 5 ms}
  - {between: [fast-*, edge], bandwidth: 50 Mbps, latency: 5 ms}
applications:
  classify: {model: resnet50}
workload:
  - {app: classify, sources: fast-*, rate: 3 /s}
  - {app: classify, sources: slow-*, rate: 3 /s}
policy: local
"""


def _not_read(*_: object) -> None:
    raise AssertionError("a run's task file was read back for groups.csv's warned")


@pytest.fixture
def base(tmp_path) -> Path:
    (tmp_path / "two.yaml").write_text(FLEET, encoding="utf-8")
    return tmp_path / "two.yaml"


def _compared(base: Path, out: Path) -> bytes:
    compare(base, ["local", "edge"], 2, workers=1, out=out)
    return (out / "groups.csv").read_bytes()


def test_a_comparisons_warned_is_carried_and_as_read_back(base, tmp_path, monkeypatch):
    monkeypatch.setattr(jobs, "_warned_groups", lambda *_: None)  # none carried: read back, as before
    read_back = _compared(base, tmp_path / "read")
    monkeypatch.undo()
    monkeypatch.setattr(sys.modules["offloadsim.experiments.compare"], "_run_records", lambda *_: _not_read)
    assert _compared(base, tmp_path / "carried") == read_back
    groups = pd.read_csv(tmp_path / "carried" / "groups.csv").groupby(["group", "policy"])["warned"].max()
    assert groups[("slow", "local")] == 2 and groups[("fast", "local")] == 0  # the overloaded slow phones'


def _swept(base: Path, out: Path) -> bytes:
    spec = sweep_from_data(
        {"name": "s", "base": base.name, "grid": {"policy.name": ["local", "edge"]}, "replications": 2},
        base_dir=base.parent,
    )
    sweep(spec, out=out, workers=1)
    return (out / "groups.csv").read_bytes()


def test_a_sweeps_warned_is_carried_in_its_job_files_and_older_ones_are_read_back(
    base, tmp_path, monkeypatch
):
    monkeypatch.setattr(jobs, "_warned_groups", lambda *_: None)  # job files as before: none carried
    read_back = _swept(base, tmp_path / "old")
    monkeypatch.undo()
    monkeypatch.setattr(sweep_merge, "_run_records", _not_read)
    assert _swept(base, tmp_path / "new") == read_back
    groups = pd.read_csv(tmp_path / "new" / "groups.csv")
    assert groups.loc[groups["group"] == "slow", "warned"].max() == 2  # local's point: both runs warned
    assert groups.loc[groups["group"] == "fast", "warned"].max() == 0
