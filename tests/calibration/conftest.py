"""Fixtures of the calibration tests."""

import pytest
from calibration_graphs import tiny_cnn


@pytest.fixture
def tiny():
    return tiny_cnn()
