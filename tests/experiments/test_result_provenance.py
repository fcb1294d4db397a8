"""Every result directory holds the scenario it simulated, and its manifest the code's versions.

Before: a result of a scenario built in code (``load_scenario_data(doc, source="x")``) recorded
``scenario_file: "x"`` and a hash, but no document: it could not be run again from its folder;
and its manifest named offloadsim's version alone, none of the libraries' nor the commit.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from experiment_data import SWEEP, TINY

import offloadsim
from offloadsim import api
from offloadsim.experiments import compare, sweep
from offloadsim.outdir import is_result_directory
from offloadsim.records.results import scenario_hash
from offloadsim.scenario import load_scenario_data
from offloadsim.scenario.input_hashes import input_files
from offloadsim.strict_yaml import read_yaml

ROOT = Path(__file__).resolve().parents[2]


def _built():
    """A scenario built in code, from no file: what only its copy in the results can run again."""
    document = read_yaml(TINY)
    document["duration"] = "5 s"
    return load_scenario_data(document, source="built-in-a-notebook")


def _copy_hash(directory: Path) -> str:
    again = api.load(directory / "scenario.yaml")
    return scenario_hash(again.document, input_files(again))


def test_a_run_of_a_built_scenario_runs_again_from_its_folder(tmp_path: Path) -> None:
    first = offloadsim.run(_built(), policy="edge", out=tmp_path / "run")
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert manifest["scenario_file"] == "built-in-a-notebook"
    assert manifest["scenario_document"] == "scenario.yaml"
    assert _copy_hash(tmp_path / "run") == manifest["scenario_hash"]
    again = offloadsim.run(tmp_path / "run" / "scenario.yaml", policy="edge")
    pd.testing.assert_frame_equal(again.tasks, first.tasks)


def test_a_comparison_writes_the_scenario_after_its_overrides(tmp_path: Path) -> None:
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY, encoding="utf-8")
    result = compare(path, ["local", "edge"], 1, workers=1, overrides=["duration=4 s"], out=tmp_path / "cmp")
    copy = api.load(tmp_path / "cmp" / "scenario.yaml")
    assert copy.duration_s == 4.0  # what ran, not the file's 20 s
    assert result.manifest["scenario_document"] == "scenario.yaml"
    assert "scenario.yaml" in result.manifest["files"]
    assert _copy_hash(tmp_path / "cmp") == result.manifest["scenario_hash"]


def test_a_sweep_reruns_from_its_folder_reusing_every_job(tmp_path: Path) -> None:
    (tmp_path / "tiny.yaml").write_text(TINY.replace("duration: 20 s", "duration: 4 s"), encoding="utf-8")
    (tmp_path / "sweep.yaml").write_text(SWEEP, encoding="utf-8")
    first = sweep(tmp_path / "sweep.yaml", out=tmp_path / "out", workers=1)
    assert (first.manifest["scenario_document"], first.manifest["sweep_document"]) == (
        "scenario.yaml",
        "sweep.yaml",
    )
    again = sweep(tmp_path / "out" / "sweep.yaml", out=tmp_path / "out", workers=1)
    assert (again.ran, again.reused) == (0, first.ran)  # the same jobs: the same keys
    assert again.manifest["name"] == first.manifest["name"] == "sweep"
    assert is_result_directory(tmp_path / "out")  # its two copies are a sweep's: --overwrite may replace it
    pd.testing.assert_frame_equal(
        again.metrics.drop(columns="warnings"), first.metrics.drop(columns="warnings")
    )


def test_manifests_say_the_libraries_versions_and_the_commit(tmp_path: Path) -> None:
    import numpy
    import pyarrow
    import simpy

    result = offloadsim.run(_built(), policy="local", out=tmp_path / "run")
    versions = result.manifest["versions"]
    assert versions["numpy"] == numpy.__version__
    assert versions["simpy"] == simpy.__version__
    assert versions["pyarrow"] == pyarrow.__version__
    assert versions["pandas"] == pd.__version__
    assert set(versions) == {"numpy", "simpy", "networkx", "pandas", "pyarrow"}
    package = Path(offloadsim.__file__).resolve().parent
    if not (package.parent / ".git").exists():
        assert "git" not in result.manifest
        pytest.skip("offloadsim is not run from a git checkout here")
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=package, capture_output=True, text=True, check=True
    )
    assert result.manifest["git"]["commit"] == head.stdout.strip()
    assert isinstance(result.manifest["git"]["dirty"], bool)
