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


@pytest.fixture(scope="session")
def sweep_results(tmp_path_factory):
    """The standard test sweep (SWEEP of TINY: two uplinks by two policies, two replications), run once a
    worker: the tests that ask only read it (test_plots.py, since split into figures/, and
    test_one_series_legend.py built it each)."""
    from offloadsim.experiments import read_results, sweep

    folder = tmp_path_factory.mktemp("plots")
    (folder / "tiny.yaml").write_text(TINY, encoding="utf-8")
    (folder / "sweep.yaml").write_text(SWEEP, encoding="utf-8")
    sweep(folder / "sweep.yaml", out=folder / "sweep", workers=1)
    return read_results(folder / "sweep")


@pytest.fixture(scope="session")
def sweep_drops(tmp_path_factory):
    """A sweep of the uplink and the policy on an edge with no room to queue: edge drops tasks, and the
    note that names the (uplink, policy) points with 5 % or more not completed is wider than a figure.
    Run once a worker (4,648 tasks, the most of the plotting fixtures): four modules only read it."""
    from offloadsim.experiments import read_results, sweep

    folder = tmp_path_factory.mktemp("plots-sweep-drops")
    busy = TINY.replace("rate: 2 /s", "rate: 10 /s").replace("cores: 1}", "cores: 1, queue_limit: 0}")
    (folder / "tiny.yaml").write_text(busy, encoding="utf-8")
    (folder / "sweep.yaml").write_text(SWEEP, encoding="utf-8")
    sweep(folder / "sweep.yaml", out=folder / "sweep", workers=1)
    return read_results(folder / "sweep")
