"""A result written again elsewhere carries its input copies: the new folder reruns too.

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


def test_a_listed_copy_missing_from_the_folder_is_refused_saying_where_it_goes(uplink_run, capsys):
    (uplink_run / COPY).unlink()
    with pytest.raises(ResultsError, match=re.escape(f"put the file back at {uplink_run / COPY}")):
        read_run(uplink_run)
    assert main(["plot", str(uplink_run), "--out", str(uplink_run.parent / "fig.png")]) == 2
    assert f'inputs_copied["{KEY}"]: expected the copy {COPY} in the folder' in capsys.readouterr().err
