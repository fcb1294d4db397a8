"""Only a result's scenario.yaml reads its files from the inputs/ beside it; another file: its own folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from offloadsim.scenario.inputs_folder import files_folder


def folder(tmp_path: Path, name: str, manifest: object | None, inputs: bool = True) -> Path:
    if inputs:
        (tmp_path / "inputs").mkdir()
    if manifest is not None:
        (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return tmp_path / name


def test_a_results_scenario_yaml_reads_from_its_inputs(tmp_path):
    file = folder(tmp_path, "scenario.yaml", {"format": "offloadsim-run/1"})
    assert files_folder(file) == tmp_path / "inputs"


@pytest.mark.parametrize(
    ("name", "manifest", "inputs"),
    [
        ("study.yaml", {"format": "offloadsim-run/1"}, True),  # not the result's copy
        ("scenario.yaml", {"format": "someone-else/1"}, True),  # a manifest of another tool's
        ("scenario.yaml", None, True),  # no manifest
        ("scenario.yaml", {"format": "offloadsim-run/1"}, False),  # nothing copied
    ],
)
def test_any_other_file_reads_from_its_own_folder(name, manifest, inputs, tmp_path):
    assert files_folder(folder(tmp_path, name, manifest, inputs)) == tmp_path
