"""What the wheel and sdist ship: the scenarios for a wheel's user (`offloadsim examples`), the tests."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from offloadsim.cli.main import main
from offloadsim.errors import shown_path
from offloadsim.shipped_scenarios import shipped_scenario_files

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_the_shipped_files_are_the_checkouts_scenarios_traces_included():
    files = shipped_scenario_files()
    assert files == _tree(SCENARIOS)
    assert "quickstart.yaml" in files and "traces/lte-uplink.csv" in files


def test_examples_copies_them_and_a_second_call_writes_nothing(tmp_path, capsys):
    dest = tmp_path / "scenarios"
    assert main(["examples", str(dest)]) == 0
    assert _tree(dest) == _tree(SCENARIOS)
    assert f"wrote {len(_tree(SCENARIOS))} files" in capsys.readouterr().out
    assert main(["examples", str(dest)]) == 0
    out = capsys.readouterr().out
    assert "wrote 0 files" in out and "already in" in out


def test_a_users_file_of_that_name_is_never_overwritten_and_nothing_is_written(tmp_path, capsys):
    mine = tmp_path / "quickstart.yaml"
    mine.write_text("name: mine\n")
    assert main(["examples", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{shown_path(mine)}: a file of that name already there" in err
    assert "nothing was written" in err
    assert mine.read_text() == "name: mine\n"
    assert [p.name for p in tmp_path.iterdir()] == ["quickstart.yaml"]


def test_a_file_given_as_the_folder_is_refused(tmp_path, capsys):
    (tmp_path / "f").write_text("x")
    assert main(["examples", str(tmp_path / "f")]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err


def test_the_wheel_holds_every_data_file_the_package_reads_and_its_examples_run(tmp_path):
    """Build the wheel (hatchling, as `pip install .` does) and use it as a user without a checkout would.

    Every non-Python file of the package (the calibrated profiles) and every shipped scenario must
    be in it; then, from the unpacked wheel alone, `examples` and `validate` must work.
    """
    wheel_builder = pytest.importorskip("hatchling.builders.wheel", reason="hatchling (a dev dependency)")
    built = list(wheel_builder.WheelBuilder(str(ROOT)).build(directory=str(tmp_path), versions=["standard"]))
    names = set(zipfile.ZipFile(built[0]).namelist())
    data = {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "offloadsim").rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc", ".so", ".pyd") and "__pycache__" not in p.parts
    }
    assert data and data <= names, data - names
    assert {f"offloadsim/_scenarios/{name}" for name in _tree(SCENARIOS)} <= names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names), "pyproject.toml names a licence"

    unpacked, study = tmp_path / "site", tmp_path / "study"
    zipfile.ZipFile(built[0]).extractall(unpacked)
    study.mkdir()
    env = {**os.environ, "PYTHONPATH": str(unpacked)}
    for command in (["examples"], ["validate", "scenarios/unstable-uplink.yaml"]):
        done = subprocess.run(
            [sys.executable, "-m", "offloadsim", *command], cwd=study, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
    assert _tree(study / "scenarios") == _tree(SCENARIOS)


def test_the_sdist_holds_every_tracked_file_outside_the_dot_folders(tmp_path):
    """The sdist's tests read benchmarks/ and analysis/ (its README and docs name them too): all ship."""
    sdist_builder = pytest.importorskip("hatchling.builders.sdist", reason="hatchling (a dev dependency)")
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: no list of tracked files to hold the sdist against")
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True)
    wanted = {name for name in tracked.stdout.splitlines() if not name.startswith(".")}
    built = list(sdist_builder.SdistBuilder(str(ROOT)).build(directory=str(tmp_path), versions=["standard"]))
    with tarfile.open(built[0]) as sdist:
        shipped = {name.partition("/")[2] for name in sdist.getnames()}
    assert wanted <= shipped, sorted(wanted - shipped)
