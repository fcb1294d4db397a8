"""Shared pytest configuration: --runslow for long validation runs, --testbed for the long testbed runs.

Tests marked ``testbed`` need root and network namespaces; they skip, with
the reason, where the machine cannot host the testbed. The short ones run
whenever it can (so CI, which runs as root, runs them); those also marked
``testbed_long`` run only with ``--testbed``.
"""

import pytest


def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", default=False, help="run the long validation versions")
    parser.addoption(
        "--testbed",
        action="store_true",
        default=False,
        help="also run the long emulated-testbed tests (root and network namespaces needed)",
    )


def pytest_collection_modifyitems(config, items):
    skips = []
    if not config.getoption("--runslow"):
        skips.append(("slow", pytest.mark.skip(reason="long validation run: use --runslow")))
    if not config.getoption("--testbed"):
        skips.append(("testbed_long", pytest.mark.skip(reason="long testbed run: use --testbed")))
    for item in items:
        for keyword, skip in skips:
            if keyword in item.keywords:
                item.add_marker(skip)


@pytest.fixture(autouse=True, scope="session")
def _isolated_profile_dirs(tmp_path_factory):
    """No test reads or writes the user's own profiles: the user profile directory is a fresh one."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg-data")))
        mp.delenv("OFFLOADSIM_PROFILE_PATH", raising=False)
        yield
