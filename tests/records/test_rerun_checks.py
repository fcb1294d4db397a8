"""A result rerun from its folder with a file, or under code, its manifest does not name is warned of.

A reviewer's rerun reads the copies in ``inputs/``: a copy edited since ran without a word before,
its ``scenario_hash`` other than the result's and nothing saying why (``changed-inputs``); and under
another offloadsim or numpy, whose records may differ under the same hash (``other-code``).
"""

from __future__ import annotations

import json
import shutil

import offloadsim
from offloadsim.cli import main


def test_a_rerun_with_an_edited_copy_names_the_file_and_both_hashes(scenario_dir, tmp_path, capsys):
    offloadsim.run(scenario_dir / "unstable-uplink.yaml", overrides=["duration=10 s"], out=tmp_path / "r")
    scenario = str(tmp_path / "r" / "scenario.yaml")
    assert main(["validate", scenario]) == 0
    assert "changed-inputs" not in capsys.readouterr().err  # the copies are the files it read
    copy = tmp_path / "r" / "inputs" / "traces" / "lte-uplink.csv"
    copy.write_text(copy.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    assert main(["validate", scenario]) == 0  # a warning: the reviewer may mean it
    err = capsys.readouterr().err
    assert err.count("changed-inputs") == 1
    assert f"{scenario}: dynamics[0].file: {copy} is not the file this result was made with" in err
    assert "manifest's e0c4bb7777d5..." in err and "scenario_hash differs" in err


def test_a_sweep_over_two_traces_reruns_from_its_folder_without_the_warning(scenario_dir, tmp_path, capsys):
    shutil.copy(scenario_dir / "traces" / "lte-uplink.csv", scenario_dir / "traces" / "other.csv")
    with open(scenario_dir / "traces" / "other.csv", "a", encoding="utf-8") as handle:
        handle.write("# another trace\n")
    (scenario_dir / "sweep.yaml").write_text(
        "name: traces\nbase: unstable-uplink.yaml\nset: {duration: 10 s}\n"
        "grid:\n  dynamics[0].file: [traces/lte-uplink.csv, traces/other.csv]\n",
        encoding="utf-8",
    )
    out = str(tmp_path / "s")
    assert main(["sweep", str(scenario_dir / "sweep.yaml"), "--out", out, "-q", "--workers", "1"]) == 0
    capsys.readouterr()
    # each point reads its own trace at one key: its manifest lists both, so neither is "changed"
    assert main(["sweep", str(tmp_path / "s" / "sweep.yaml"), "--out", out, "--dry-run"]) == 0
    assert "changed-inputs" not in capsys.readouterr().err


def test_a_rerun_under_other_code_names_each_version_that_differs(scenario_dir, tmp_path, capsys):
    offloadsim.run(scenario_dir / "unstable-uplink.yaml", overrides=["duration=10 s"], out=tmp_path / "r")
    scenario = str(tmp_path / "r" / "scenario.yaml")
    assert main(["validate", scenario]) == 0
    assert "other-code" not in capsys.readouterr().err  # the code that made it
    manifest = json.loads((tmp_path / "r" / "manifest.json").read_text(encoding="utf-8"))
    numpy = manifest["versions"]["numpy"]
    manifest["offloadsim_version"], manifest["versions"]["numpy"] = "0.0.1", "1.0.0"
    (tmp_path / "r" / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert main(["validate", scenario]) == 0
    err = capsys.readouterr().err
    said = "this result was made by other code than this rerun's (offloadsim 0.0.1, this is"
    assert f"{scenario}: {said}" in err
    assert f"numpy 1.0.0, this is {numpy})" in err and err.count("[other-code]") == 1
