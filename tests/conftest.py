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
