"""A result rerun from its folder with a file its manifest does not list is warned of (``changed-inputs``).

A reviewer's rerun reads the copies in ``inputs/``: a copy edited since ran without a word before,
its ``scenario_hash`` other than the result's and nothing saying why.
"""

from __future__ import annotations

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
