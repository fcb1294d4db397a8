"""What a result folder needs to rerun: copies carried when written again, checked on read, hashed.

A comparison written twice, or a run read back and written, copied its inputs from the scenario's
own folder only: where the trace had gone since, the new folder had no ``inputs/`` yet its
manifest kept the first folder's ``inputs_copied``, a copy that was not there.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest

import offloadsim
from offloadsim.cli import main
from offloadsim.experiments import compare
from offloadsim.records.results import ResultsError, read_run, write_run
from offloadsim.records.stored import read_results

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


@pytest.fixture
def uplink_run(scenario_dir, tmp_path) -> Path:
    offloadsim.run(scenario_dir / "unstable-uplink.yaml", overrides=["duration=5 s"], out=tmp_path / "r")
    return tmp_path / "r"


def _edited(folder: Path, **changes: object) -> None:
    kept = manifest(folder)
    kept.update(changes)
    (folder / "manifest.json").write_text(json.dumps(kept), encoding="utf-8")


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"inputs_copied": ["inputs/traces/lte-uplink.csv"]}, "inputs_copied: expected a mapping"),
        ({"inputs_copied": {KEY: 3}}, f'inputs_copied["{KEY}"]: expected a copy\'s name under inputs/'),
        ({"inputs_copied": {KEY: "../../mine/traces/lte-uplink.csv"}}, f'inputs_copied["{KEY}"]'),
        ({"inputs_copied": {KEY: "/etc/passwd"}}, f'inputs_copied["{KEY}"]'),
        ({"inputs_not_copied": {KEY: None}}, f'inputs_not_copied["{KEY}"]: expected why it was not copied'),
        ({"inputs_not_copied": "all of them"}, "inputs_not_copied: expected a mapping"),
    ],
)
def test_a_copies_field_of_another_shape_is_refused_naming_it(uplink_run, changes, said, capsys):
    _edited(uplink_run, **changes)
    with pytest.raises(ResultsError, match=re.escape(said)):
        read_run(uplink_run)
    assert main(["plot", str(uplink_run), "--out", str(uplink_run.parent / "fig.png")]) == 2
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err


def test_a_listed_copy_deleted_by_hand_still_reads_and_plots_and_its_rerun_names_it(uplink_run, capsys):
    """The records stand without the copy; only a rerun from the folder needs it, and says so."""
    before = read_run(uplink_run).tasks
    (uplink_run / COPY).unlink()
    assert read_run(uplink_run).tasks.equals(before)
    assert read_results(uplink_run).kind == "run"
    rerun = ["run", str(uplink_run / "scenario.yaml"), "--out", str(uplink_run.parent / "again"), "--quiet"]
    assert main(rerun) == 2
    err = capsys.readouterr().err
    assert f"{KEY}: traces/lte-uplink.csv: no such file (looked for {uplink_run / COPY})" in err
    assert "Traceback" not in err


def _two_trace_sweep(folder: Path, second: bytes) -> Path:
    """A sweep over two link traces, the second's bytes ``second``; its base reads the first."""
    (folder / "traces" / "other.csv").write_bytes(second)
    path = folder / "sweep.yaml"
    path.write_text(
        "name: traces\nbase: unstable-uplink.yaml\nset: {duration: 5 s}\n"
        "grid:\n  dynamics[0].file: [traces/lte-uplink.csv, traces/other.csv]\n",
        encoding="utf-8",
    )
    return path


def test_two_traces_a_sweep_names_only_by_its_points_are_in_its_hash_by_content(scenario_dir, tmp_path):
    """sweep_hash named them by their names alone: a rewritten trace read as the same sweep."""
    from offloadsim.experiments import sweep

    trace = (scenario_dir / "traces" / "lte-uplink.csv").read_bytes()
    first = sweep(_two_trace_sweep(scenario_dir, trace), out=tmp_path / "a", workers=1).manifest
    rewritten = trace.replace(b"4180000", b"4180001")
    other = sweep(_two_trace_sweep(scenario_dir, rewritten), out=tmp_path / "b", workers=1).manifest
    assert other["base_hash"] == first["base_hash"]  # the base reads the first trace alone
    assert other["sweep_hash"] != first["sweep_hash"]
    again = sweep(_two_trace_sweep(scenario_dir, trace), out=tmp_path / "c", workers=1).manifest
    assert again["sweep_hash"] == first["sweep_hash"]
    # Rerun from its folder, the trace gone from the scenario's: the copies hash the same.
    shutil.rmtree(scenario_dir)
    rerun = sweep(tmp_path / "c" / "sweep.yaml", out=tmp_path / "d", workers=1).manifest
    assert rerun["sweep_hash"] == first["sweep_hash"]


def test_a_resumed_sweep_keeps_its_copies_of_the_same_bytes_and_rewrites_changed_ones(scenario_dir, tmp_path):
    """A merge copied every input again at each resume; now a copy whose bytes are the run's stays."""
    from offloadsim.experiments import sweep

    trace = (scenario_dir / "traces" / "lte-uplink.csv").read_bytes()
    path = _two_trace_sweep(scenario_dir, trace)
    sweep(path, out=tmp_path / "s", workers=1)
    copies = [tmp_path / "s" / COPY, tmp_path / "s" / "inputs" / "traces" / "other.csv"]
    before = [copy.stat().st_ino for copy in copies]
    sweep(path, out=tmp_path / "s", workers=1)
    assert [copy.stat().st_ino for copy in copies] == before  # not written again
    (scenario_dir / "traces" / "other.csv").write_bytes(trace.replace(b"4180000", b"4180002"))
    sweep(path, out=tmp_path / "s", workers=1)
    assert copies[0].stat().st_ino == before[0]
    assert copies[1].read_bytes() == (scenario_dir / "traces" / "other.csv").read_bytes()


def test_a_comparison_made_from_a_folder_read_back_writes_its_scenario_and_copies(scenario_dir, tmp_path):
    """A CompareResult made from read_results' tables wrote no scenario.yaml and no inputs/."""
    import pandas as pd

    from offloadsim.experiments import CompareResult, read_results

    scenario = scenario_dir / "unstable-uplink.yaml"
    compare(scenario, ["fixed"], 1, overrides=["duration=5 s"], out=tmp_path / "a")
    shutil.rmtree(scenario_dir)
    read = read_results(tmp_path / "a")
    made = CompareResult(
        scenario=read.manifest["scenario"],
        policies=["fixed"],
        baseline="fixed",
        replications=1,
        metrics=read.metrics,
        nodes=read.nodes,
        summary=pd.read_parquet(tmp_path / "a" / "summary.parquet"),
        manifest=read.manifest,
        path=read.path,
    )
    second = made.write(tmp_path / "b")
    assert (second / "scenario.yaml").read_bytes() == (tmp_path / "a" / "scenario.yaml").read_bytes()
    assert digest(second / COPY) == digest(tmp_path / "a" / COPY)
    compare(second / "scenario.yaml", ["fixed"], 1, out=tmp_path / "again")
    assert digest(tmp_path / "again" / "tasks.parquet") == digest(tmp_path / "a" / "tasks.parquet")
