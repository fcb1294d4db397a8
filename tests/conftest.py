"""Shared pytest configuration: --runslow for long validation runs, --testbed for the long testbed runs.

Tests marked ``testbed`` need root and network namespaces; they skip, with
the reason, where the machine cannot host the testbed. The short ones run
whenever it can (so CI, which runs as root, runs them); those also marked
``testbed_long`` run only with ``--testbed``.
"""

import os
import sys
from pathlib import Path

import pytest


def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", default=False, help="run the long validation versions")
    parser.addoption(
        "--testbed",
        action="store_true",
        default=False,
        help="also run the long emulated-testbed tests (root and network namespaces needed)",
    )


@pytest.hookimpl(trylast=True)  # after pytest's own, which makes the tmp path factory
def pytest_configure(config):
    """Hypothesis's example database and Dask's scratch space go under pytest's tmp dirs, not the repo;
    the processes the tests start write byte code.

    Hypothesis wrote ``.hypothesis/`` into the directory the tests ran from, and Dask's workers
    ``/tmp/dask-scratch-space``: the suite left both behind. Set here, before collection, as the
    ``@settings`` of a test module take their defaults when it is imported; the environment
    variables reach the subprocesses the tests start (a script's own Dask cluster), and Dask reads
    them when imported (told directly if it already is).
    """
    from hypothesis import configuration, settings
    from hypothesis.database import DirectoryBasedExampleDatabase

    factory = config._tmp_path_factory  # pytest makes it at configure time for plugins such as this
    hypothesis_home = factory.mktemp("hypothesis", numbered=False)
    dask_scratch = factory.mktemp("dask", numbered=False)
    configuration.set_hypothesis_home_dir(hypothesis_home)
    settings.register_profile(
        "offloadsim-tests", database=DirectoryBasedExampleDatabase(hypothesis_home / "examples")
    )
    settings.load_profile("offloadsim-tests")
    mp = pytest.MonkeyPatch()
    config.add_cleanup(mp.undo)
    mp.setenv("HYPOTHESIS_STORAGE_DIRECTORY", str(hypothesis_home))
    mp.setenv("DASK_TEMPORARY_DIRECTORY", str(dask_scratch))
    # Python processes the tests start (commands, workers) keep the byte code they compile: with
    # PYTHONDONTWRITEBYTECODE set (it is on this machine) each compiled the package anew, ~0.2 s of CPU.
    mp.delenv("PYTHONDONTWRITEBYTECODE", raising=False)
    if "dask" in sys.modules:
        import dask

        dask.config.set({"temporary-directory": str(dask_scratch)})


def pytest_xdist_make_scheduler(config, log):
    """Under pytest-xdist's ``--dist loadfile`` (pyproject's addopts), one unit a file, one a doc of the
    doc tests (``xdist_units``)."""
    if config.getoption("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling
    from xdist_units import xdist_unit

    class FilesAndDocs(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return xdist_unit(nodeid)

    return FilesAndDocs(config, log)


def pytest_collection_modifyitems(config, items):
    switches = []
    if not config.getoption("--runslow"):
        switches.append(("slow", "long validation run: use --runslow"))
    if not config.getoption("--testbed"):
        switches.append(("testbed_long", "long testbed run: use --testbed"))
    for item in items:
        for keyword, default_reason in switches:
            marker = item.get_closest_marker(keyword)
            if marker is not None:  # a marker's own reason says what it is and how long it takes
                item.add_marker(pytest.mark.skip(reason=marker.kwargs.get("reason", default_reason)))


@pytest.fixture(autouse=True, scope="session")
def _isolated_profile_dirs(tmp_path_factory):
    """No test reads or writes the user's own files: fresh profile and cache directories.

    The cache (calibration's timings, the testbed's exported parts) was the user's: a test that
    timed real kernels wrote into ``~/.cache/offloadsim``.
    """
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg-data")))
        mp.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))
        mp.delenv("OFFLOADSIM_PROFILE_PATH", raising=False)
        yield


TINY_SCENARIO = """\
name: tiny
duration: 2 s
nodes:
  phone: {tier: device, processor: {speed: 10 GFLOP/s}}
  edge: {tier: edge, processor: {speed: 100 GFLOP/s}}
links:
  - {between: [phone, edge], bandwidth: 20 Mbps, latency: 3 ms}
applications:
  job: {work: 1 GFLOP, input: 10 KB}
workload:
  - {app: job, sources: phone, rate: 5 /s}
policy: edge
"""


@pytest.fixture
def tiny_scenario_text() -> str:
    """A phone and an edge server, ten synthetic jobs: a scenario that runs in a fraction of a second."""
    return TINY_SCENARIO


@pytest.fixture
def tiny_scenario(tmp_path, tiny_scenario_text) -> Path:
    """``tiny_scenario_text`` written to ``tmp_path / "tiny.yaml"``."""
    path = tmp_path / "tiny.yaml"
    path.write_text(tiny_scenario_text)
    return path


@pytest.fixture
def make_no_file():
    """A function making ``path`` a path that is no file, as ``what`` (and the messages) name it.

    "a directory", "a FIFO (named pipe)" or "a character device" (a link to /dev/null).  Skips
    the test where the system has no FIFOs or no /dev/null.
    """

    def make(path: Path, what: str) -> Path:
        if what == "a directory":
            path.mkdir()
        elif not hasattr(os, "mkfifo") or not os.path.exists("/dev/null"):
            pytest.skip("no FIFOs or devices here")
        elif what == "a FIFO (named pipe)":
            os.mkfifo(path)
        elif what == "a character device":
            path.symlink_to("/dev/null")
        else:
            raise ValueError(f"no way to make {what!r}")
        return path

    return make


@pytest.fixture(scope="module")
def compare_dir(tmp_path_factory) -> Path:
    """A one-replication comparison of local and edge on the quickstart, 2 s, once a module that asks."""
    from offloadsim.cli import main

    scenario = Path(__file__).resolve().parents[1] / "scenarios" / "quickstart.yaml"
    out = tmp_path_factory.mktemp("results") / "cmp"
    argv = ["compare", str(scenario), "--policies", "local,edge", "-n", "1", "--set", "duration=2 s"]
    assert main([*argv, "--workers", "1", "--out", str(out), "-q"]) == 0
    return out
