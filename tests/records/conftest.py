"""Fixtures of the results tests: a scenario that reads a file, in a folder of its own."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


@pytest.fixture
def scenario_dir(tmp_path: Path) -> Path:
    """unstable-uplink.yaml and its trace in a folder of their own, removed once a result is made."""
    folder = tmp_path / "mine"
    folder.mkdir()
    shutil.copy(SCENARIOS / "unstable-uplink.yaml", folder)
    shutil.copytree(SCENARIOS / "traces", folder / "traces")
    return folder
