"""A result's folder alone reruns it: the files its scenario read are copied into ``inputs/``.

Each test makes a result from a scenario that reads a link trace, moves its folder (so the
scenario's own folder and trace are out of reach), reruns it from the folder's scenario.yaml
(or sweep.yaml) and finds the same records and the same scenario_hash.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import shutil
from pathlib import Path

import pytest

import offloadsim
from offloadsim.cli import main
from offloadsim.experiments import compare, sweep
from offloadsim.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def moved(folder: Path, to: Path) -> Path:
    to.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(folder, to)
    return to


def test_a_run_reruns_from_its_moved_folder(scenario_dir, tmp_path, monkeypatch):
    offloadsim.run(scenario_dir / "unstable-uplink.yaml", overrides=["duration=20 s"], out=tmp_path / "r")
    first = manifest(tmp_path / "r")
    assert first["inputs_copied"] == {"dynamics[0].file": "inputs/traces/lte-uplink.csv"}
    shutil.rmtree(scenario_dir)  # the scenario's own trace is gone: only the folder's copy is left
    folder = moved(tmp_path / "r", tmp_path / "elsewhere" / "r")
    monkeypatch.chdir(tmp_path / "elsewhere")
    assert main(["run", "r/scenario.yaml", "--out", str(tmp_path / "again"), "--quiet"]) == 0
    assert digest(tmp_path / "again" / "tasks.parquet") == digest(folder / "tasks.parquet")
    again = manifest(tmp_path / "again")
    assert again["scenario_hash"] == first["scenario_hash"]
    assert again["inputs"][0]["path"] == "r/inputs/traces/lte-uplink.csv"  # the copy was read


def test_a_comparison_reruns_from_its_moved_folder(scenario_dir, tmp_path):
    policies = ["fixed", "neurosurgeon"]
    compare(
        scenario_dir / "unstable-uplink.yaml", policies, 2, overrides=["duration=20 s"], out=tmp_path / "c"
    )
    shutil.rmtree(scenario_dir)
    folder = moved(tmp_path / "c", tmp_path / "elsewhere" / "c")
    compare(folder / "scenario.yaml", policies, 2, out=tmp_path / "again")
    assert digest(tmp_path / "again" / "tasks.parquet") == digest(folder / "tasks.parquet")
    assert manifest(tmp_path / "again")["scenario_hash"] == manifest(folder)["scenario_hash"]


def test_a_sweep_reruns_from_its_moved_folder_with_its_jobs_reused(scenario_dir, tmp_path):
    (scenario_dir / "sweep.yaml").write_text(
        "name: uplink\nbase: unstable-uplink.yaml\nset: {duration: 20 s}\n"
        "grid:\n  links[0].latency: [10 ms, 30 ms]\n",
        encoding="utf-8",
    )
    sweep(scenario_dir / "sweep.yaml", out=tmp_path / "s", workers=1)
    shutil.rmtree(scenario_dir)
    folder = moved(tmp_path / "s", tmp_path / "elsewhere" / "s")
    fresh = sweep(folder / "sweep.yaml", out=tmp_path / "again", workers=1)
    assert fresh.ran == 2
    assert digest(tmp_path / "again" / "tasks.parquet") == digest(folder / "tasks.parquet")
    reused = sweep(folder / "sweep.yaml", out=folder, workers=1)
    assert (reused.ran, reused.reused) == (0, 2)


def test_a_file_named_by_an_absolute_path_is_not_copied_and_the_manifest_says_so(scenario_dir, tmp_path):
    from offloadsim.scenario import load_scenario_data, read_document

    document = read_document(scenario_dir / "unstable-uplink.yaml")
    document["dynamics"][0]["file"] = str(scenario_dir / "traces" / "lte-uplink.csv")
    document["duration"] = "10 s"
    loaded = load_scenario_data(document, source="mine", base_dir=scenario_dir)
    offloadsim.run(loaded, out=tmp_path / "r")
    said = manifest(tmp_path / "r")["inputs_not_copied"]["dynamics[0].file"]
    assert "absolute path" in said and "a rerun reads it there" in said
    assert not (tmp_path / "r" / "inputs").exists()


def test_files_past_the_limit_are_named_not_copied(scenario_dir, tmp_path, monkeypatch):
    monkeypatch.setattr("offloadsim.records.input_copies.COPY_LIMIT_BYTES", 100)
    offloadsim.run(scenario_dir / "unstable-uplink.yaml", overrides=["duration=10 s"], out=tmp_path / "r")
    said = manifest(tmp_path / "r")["inputs_not_copied"]["dynamics[0].file"]
    assert "past the 0 MiB of input files a result copies" in said
    assert "inputs/traces/lte-uplink.csv" in said
    assert "Those files" not in (tmp_path / "r" / "scenario.yaml").read_text(encoding="utf-8")


def test_a_replaced_seed_is_the_seed_its_folder_says_and_reruns(tmp_path):
    loaded = load_scenario(SCENARIOS / "unstable-uplink.yaml", ["duration=20 s"])
    changed = dataclasses.replace(loaded, seed=loaded.seed + 5)
    offloadsim.run(changed, out=tmp_path / "r")
    written = (tmp_path / "r" / "scenario.yaml").read_text(encoding="utf-8")
    assert f"\nseed: {loaded.seed + 5}\n" in written
    offloadsim.run(tmp_path / "r" / "scenario.yaml", out=tmp_path / "again")
    assert digest(tmp_path / "again" / "tasks.parquet") == digest(tmp_path / "r" / "tasks.parquet")
    assert manifest(tmp_path / "again")["scenario_hash"] == manifest(tmp_path / "r")["scenario_hash"]


def test_a_replaced_link_is_written_back_and_reruns(tmp_path):
    loaded = load_scenario(SCENARIOS / "unstable-uplink.yaml", ["duration=20 s"])
    link = dataclasses.replace(loaded.links[0], latency_s=0.05)
    offloadsim.run(dataclasses.replace(loaded, links=(link,)), out=tmp_path / "r")
    offloadsim.run(loaded, out=tmp_path / "as-loaded")
    assert manifest(tmp_path / "r")["scenario_hash"] != manifest(tmp_path / "as-loaded")["scenario_hash"]
    assert manifest(tmp_path / "r")["inputs_copied"] == {"dynamics[0].file": "inputs/traces/lte-uplink.csv"}
    offloadsim.run(tmp_path / "r" / "scenario.yaml", out=tmp_path / "again")
    assert digest(tmp_path / "again" / "tasks.parquet") == digest(tmp_path / "r" / "tasks.parquet")
    assert digest(tmp_path / "r" / "tasks.parquet") != digest(tmp_path / "as-loaded" / "tasks.parquet")


@pytest.mark.parametrize("verb", ["run", "validate"])
def test_a_results_directory_given_as_a_scenario_points_at_its_scenario_yaml(verb, tmp_path, capsys):
    offloadsim.run(SCENARIOS / "quickstart.yaml", overrides=["duration=5 s"], out=tmp_path / "r")
    capsys.readouterr()
    assert main([verb, str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert f"to run it again, 'offloadsim run {tmp_path / 'r' / 'scenario.yaml'}'" in err[0]


@pytest.mark.parametrize("named", ["mybox", "boxes/mybox.json"])
def test_a_calibrated_profile_in_the_scenarios_folder_is_copied_and_found_again(named, tmp_path):
    from offloadsim.world.profiles import SHIPPED_PROFILE_DIR

    study = tmp_path / "study"
    folder = study / ("boxes" if "/" in named else "profiles")
    folder.mkdir(parents=True)
    shutil.copy(SHIPPED_PROFILE_DIR / "xeon-ort-1t.json", folder / "mybox.json")
    text = (SCENARIOS / "quickstart.yaml").read_text(encoding="utf-8").replace("xeon-ort-1t", named)
    (study / "s.yaml").write_text(text, encoding="utf-8")
    offloadsim.run(study / "s.yaml", overrides=["duration=10 s"], out=tmp_path / "r")
    copied = manifest(tmp_path / "r")["inputs_copied"]
    assert list(copied.values()) == [f"inputs/{folder.name}/mybox.json"]
    shutil.rmtree(study)
    offloadsim.run(tmp_path / "r" / "scenario.yaml", out=tmp_path / "again")
    assert digest(tmp_path / "again" / "tasks.parquet") == digest(tmp_path / "r" / "tasks.parquet")
    assert manifest(tmp_path / "again")["scenario_hash"] == manifest(tmp_path / "r")["scenario_hash"]


def test_a_profile_found_through_the_profile_path_is_copied_and_reruns_without_it(tmp_path, monkeypatch):
    from offloadsim.world.profiles import SHIPPED_PROFILE_DIR

    mine = tmp_path / "my-profiles"  # OFFLOADSIM_PROFILE_PATH's: a reviewer has no such folder
    mine.mkdir()
    shutil.copy(SHIPPED_PROFILE_DIR / "xeon-ort-1t.json", mine / "mybox.json")
    monkeypatch.setenv("OFFLOADSIM_PROFILE_PATH", str(mine))
    study = tmp_path / "study"
    study.mkdir()
    text = (SCENARIOS / "quickstart.yaml").read_text(encoding="utf-8").replace("xeon-ort-1t", "mybox")
    (study / "s.yaml").write_text(text, encoding="utf-8")
    offloadsim.run(study / "s.yaml", overrides=["duration=5 s"], out=tmp_path / "r")
    first = manifest(tmp_path / "r")
    assert first["inputs_copied"] == {"nodes.edge.processor.profile": "inputs/profiles/mybox.json"}
    assert "inputs_not_copied" not in first
    monkeypatch.delenv("OFFLOADSIM_PROFILE_PATH")
    shutil.rmtree(mine)
    offloadsim.run(tmp_path / "r" / "scenario.yaml", out=tmp_path / "again")
    assert digest(tmp_path / "again" / "tasks.parquet") == digest(tmp_path / "r" / "tasks.parquet")
    assert manifest(tmp_path / "again")["scenario_hash"] == first["scenario_hash"]


def test_a_shipped_calibrated_profile_is_not_copied_and_said_to_be_shipped(tmp_path):
    offloadsim.run(SCENARIOS / "quickstart.yaml", overrides=["duration=2 s"], out=tmp_path / "r")
    said = manifest(tmp_path / "r")["inputs_not_copied"]["nodes.edge.processor.profile"]
    shipped = "a calibrated profile shipped with offloadsim: a rerun under it reads it"
    assert said.endswith(f"xeon-ort-1t.json: {shipped}")


def test_a_file_changed_since_the_run_read_it_is_not_copied(scenario_dir, tmp_path):
    from offloadsim.records.results import write_run

    result = offloadsim.run(scenario_dir / "unstable-uplink.yaml", overrides=["duration=10 s"])
    trace = scenario_dir / "traces" / "lte-uplink.csv"  # changed after the run hashed it, before its write
    trace.write_text(trace.read_text(encoding="utf-8") + "# changed\n", encoding="utf-8")
    write_run(result, tmp_path / "r")
    said = manifest(tmp_path / "r")["inputs_not_copied"]["dynamics[0].file"]
    assert "changed since the run read it" in said
    assert not (tmp_path / "r" / "inputs" / "traces" / "lte-uplink.csv").exists()


def test_a_replaced_scenario_whose_document_cannot_be_written_back_is_refused_in_one_line(
    tmp_path, monkeypatch
):
    from offloadsim.errors import RunError

    def fails(scenario):
        raise TypeError("a plug-in's object")

    monkeypatch.setattr("offloadsim.scenario.written.resolved_scenario", fails)
    loaded = load_scenario(SCENARIOS / "quickstart.yaml", ["duration=5 s"])
    changed = dataclasses.replace(loaded, links=loaded.links[::-1])
    with pytest.raises(
        RunError, match=r"^scenario: links changed with dataclasses.replace, .*document="
    ) as said:
        offloadsim.run(changed, out=tmp_path / "r")
    assert "\n" not in str(said.value)
    assert not (tmp_path / "r").exists()
