"""Fixtures of the testbed tests: the machine check and a shared ONNX cache."""

import pytest


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
