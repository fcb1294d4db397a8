"""The host's platform string, composed without ``platform.platform()``'s processor probe."""

import platform

import pytest

from offloadsim.host import host_platform


@pytest.mark.skipif(platform.system() != "Linux", reason="composed by hand on Linux only")
def test_host_platform_is_platform_platform_on_linux():
    # The composed string must be the one the standard library gives (uname -p is 'unknown' or
    # the machine's name here), or manifests would change with the code path that wrote them.
    assert host_platform() == platform.platform()


def test_host_platform_asks_no_child_process(monkeypatch):
    import subprocess

    def no_child(*args, **kwargs):
        raise AssertionError("a child process was started")

    monkeypatch.setattr(subprocess, "check_output", no_child)
    monkeypatch.setattr(subprocess, "run", no_child)
    monkeypatch.setattr(subprocess, "Popen", no_child)
    if platform.system() == "Linux":
        assert host_platform().startswith("Linux-")
