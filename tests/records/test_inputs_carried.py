"""A result written again elsewhere carries its input copies: the new folder reruns too.

A comparison written twice, or a run read back and written, copied its inputs from the scenario's
own folder only: where the trace had gone since, the new folder had no ``inputs/`` yet its
manifest kept the first folder's ``inputs_copied``, a copy that was not there.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import offloadsim
from offloadsim.experiments import compare
from offloadsim.records.results import read_run, write_run

COPY = "inputs/traces/lte-uplink.csv"
KEY = "dynamics[0].file"


def manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_comparison_written_again_after_its_trace_went_takes_the_copy_and_reruns(scenario_dir, tmp_path):
    policies = ["fixed", "neurosurgeon"]
    result = compare(
        scenario_dir / "unstable-uplink.yaml", policies, 2, overrides=["duration=20 s"], out=tmp_path / "a"
    )
    shutil.rmtree(scenario_dir)  # the scenario's own trace is gone: only the first folder's copy is left
    second = result.write(tmp_path / "b")
    assert (second / COPY).is_file()
    assert digest(second / COPY) == digest(tmp_path / "a" / COPY)
    assert manifest(second)["inputs_copied"] == {KEY: COPY}
    assert "inputs_not_copied" not in manifest(second)
    compare(second / "scenario.yaml", policies, 2, out=tmp_path / "again")
    assert digest(tmp_path / "again" / "tasks.parquet") == digest(tmp_path / "a" / "tasks.parquet")


def test_a_comparison_with_no_copy_left_says_so_and_lists_none(scenario_dir, tmp_path):
    result = compare(
        scenario_dir / "unstable-uplink.yaml", ["fixed"], 1, overrides=["duration=10 s"], out=tmp_path / "a"
    )
    shutil.rmtree(scenario_dir)
    (tmp_path / "a" / COPY).unlink()
    kept = manifest(result.write(tmp_path / "b"))
    assert "inputs_copied" not in kept  # it was the first folder's, and b has no such copy
    assert "lte-uplink.csv" in kept["inputs_not_copied"][KEY]


def test_a_run_written_again_after_its_trace_went_takes_the_copy(scenario_dir, tmp_path):
    scenario = scenario_dir / "unstable-uplink.yaml"
    result = offloadsim.run(scenario, overrides=["duration=10 s"], out=tmp_path / "a")
    shutil.rmtree(scenario_dir)
    second = write_run(result, tmp_path / "b")
    assert digest(second / COPY) == digest(tmp_path / "a" / COPY)
    assert manifest(second)["inputs_copied"] == {KEY: COPY}
    assert "inputs_not_copied" not in manifest(second)


def test_a_run_read_back_and_written_elsewhere_carries_its_copies(scenario_dir, tmp_path):
    offloadsim.run(scenario_dir / "unstable-uplink.yaml", overrides=["duration=10 s"], out=tmp_path / "a")
    shutil.rmtree(scenario_dir)
    second = write_run(read_run(tmp_path / "a"), tmp_path / "b")
    assert digest(second / COPY) == digest(tmp_path / "a" / COPY)
    assert manifest(second)["inputs_copied"] == {KEY: COPY}
    again = offloadsim.run(second / "scenario.yaml", out=tmp_path / "again")
    assert again.summary == read_run(second).summary
