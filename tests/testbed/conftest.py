"""Fixtures of the testbed tests: the machine check, the profile search path, a shared ONNX cache."""

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROFILES = ROOT / "scenarios" / "profiles"


@pytest.fixture(autouse=True)
def shipped_profiles(monkeypatch):
    """Find the shipped calibrated profile by name whatever the working directory."""
    if PROFILES.is_dir():
        monkeypatch.setenv(
            "OFFLOADSIM_PROFILE_PATH",
            os.pathsep.join(filter(None, [str(PROFILES), os.environ.get("OFFLOADSIM_PROFILE_PATH")])),
        )


@pytest.fixture(scope="session")
def testbed_machine():
    """Skip, with the reason, unless this machine can host the testbed (root, ip, tc, namespaces)."""
    from offloadsim.testbed.errors import TestbedUnavailable
    from offloadsim.testbed.netns import check_available

    try:
        check_available()
    except TestbedUnavailable as exc:
        pytest.skip(f"the testbed cannot run here: {exc}")


@pytest.fixture(scope="session")
def onnx_cache(tmp_path_factory):
    """One export cache for the session: each model is written to ONNX once."""
    pytest.importorskip("onnx")
    pytest.importorskip("onnxruntime")
    return tmp_path_factory.mktemp("testbed-onnx")
