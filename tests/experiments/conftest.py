"""Tiny scenarios and sweeps for the experiment tests, and the command line with the experiment verbs."""

from __future__ import annotations

from pathlib import Path

import pytest
from experiment_data import SWEEP, TINY


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(TINY, encoding="utf-8")
    return path


@pytest.fixture
def sweep_file(tiny: Path) -> Path:
    path = tiny.parent / "sweep.yaml"
    path.write_text(SWEEP, encoding="utf-8")
    return path


@pytest.fixture
def cli_main():
    """``offloadsim.cli.main``, which carries the experiment verbs."""
    from offloadsim import cli

    return cli.main
