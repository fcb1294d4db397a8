"""Shared pytest configuration: the --runslow switch for long validation runs."""

import pytest


def pytest_addoption(parser):
    parser.addoption("--runslow", action="store_true", default=False, help="run the long validation versions")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--runslow"):
        return
    skip = pytest.mark.skip(reason="long validation run: use --runslow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True, scope="session")
def _isolated_profile_dirs(tmp_path_factory):
    """No test reads or writes the user's own profiles: the user profile directory is a fresh one."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg-data")))
        mp.delenv("OFFLOADSIM_PROFILE_PATH", raising=False)
        yield
