"""The host: its platform string (composed without a processor probe) and its CPU fingerprint."""

import platform

import pytest

from offloadsim.host import (
    command_line,
    cpu_fingerprint,
    describe_fingerprint,
    fingerprint_differences,
    host_platform,
)


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


CPUINFO = """processor\t: 0
vendor_id\t: AuthenticAMD
cpu family\t: 25
model\t\t: 1
model name\t: AMD EPYC
stepping\t: 1

processor\t: 1
vendor_id\t: AuthenticAMD
cpu family\t: 25
model\t\t: 17
model name\t: AMD EPYC
stepping\t: 0
"""


CACHES = (
    ("1", "Data", "32K"),
    ("1", "Instruction", "32K"),
    ("2", "Unified", "512K"),
    ("3", "Unified", "32768K"),
)


def fake_host(root, cpuinfo=CPUINFO, caches=CACHES):
    """A /proc/cpuinfo and cpu0's cache folders under ``root``, as Linux writes them."""
    (root / "proc").mkdir(parents=True)
    (root / "proc" / "cpuinfo").write_text(cpuinfo)
    folder = root / "sys" / "devices" / "system" / "cpu" / "cpu0" / "cache"
    for i, (level, kind, size) in enumerate(caches):
        (folder / f"index{i}").mkdir(parents=True)
        for name, value in (("level", level), ("type", kind), ("size", size)):
            (folder / f"index{i}" / name).write_text(value + "\n")
    return root


def test_cpu_fingerprint_reads_cpuinfo_and_the_data_caches(tmp_path):
    # the first CPU's family, model and stepping; every processor counted; no instruction cache
    assert cpu_fingerprint(fake_host(tmp_path)) == {
        "family": 25,
        "model": 1,
        "stepping": 1,
        "logical_cores": 2,
        "caches": {"L1d": 32 << 10, "L2": 512 << 10, "L3": 32 << 20},
    }


def test_cpu_fingerprint_leaves_out_what_it_cannot_read(tmp_path):
    assert cpu_fingerprint(tmp_path) == {}  # neither file: not Linux
    arm = "processor\t: 0\nCPU part\t: 0xd0c\n"  # no family, model or stepping
    root = fake_host(tmp_path / "arm", cpuinfo=arm, caches=[("2", "Unified", "1M")])
    (root / "sys/devices/system/cpu/cpu0/cache/index1").mkdir()  # a cache with no files: skipped
    assert cpu_fingerprint(root) == {"logical_cores": 1, "caches": {"L2": 1 << 20}}


def test_cpu_fingerprint_asks_no_child_process(monkeypatch, tmp_path):
    import subprocess

    def no_child(*args, **kwargs):
        raise AssertionError("a child process was started")

    monkeypatch.setattr(subprocess, "run", no_child)
    monkeypatch.setattr(subprocess, "Popen", no_child)
    cpu_fingerprint()
    assert cpu_fingerprint(fake_host(tmp_path))["model"] == 1


def test_fingerprint_differences_name_what_differs_and_count_what_was_compared():
    there = {"family": 25, "model": 1, "logical_cores": 2, "caches": {"L2": 1 << 20, "L3": 8 << 20}}
    here = {"family": 25, "model": 17, "logical_cores": 8, "caches": {"L2": 1 << 20, "L3": 32 << 20}}
    differ = ["L3 8 MiB there, 32 MiB here", "model 1 there, 17 here"]
    assert fingerprint_differences(there, here) == (differ, 4)
    assert fingerprint_differences(there, {**there, "logical_cores": 64}) == ([], 4)  # cores are not the CPU
    assert fingerprint_differences({}, here) == ([], 0)
    assert fingerprint_differences({"caches": "junk"}, here) == ([], 0)  # hand-edited: nothing to compare
    assert describe_fingerprint(there) == "family 25, model 1; L2 1 MiB, L3 8 MiB; 2 logical cores"


def test_docstring_examples():
    import doctest

    import offloadsim.host

    result = doctest.testmod(offloadsim.host)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize(
    "program",
    ["/home/me/.venv/bin/offloadsim", "/home/me/clone/offloadsim/__main__.py", "offloadsim"],
)
def test_a_manifests_command_names_offloadsim_not_where_it_was_installed(program):
    # a reviewer pastes the manifest's command: no venv or clone of the author's is on their machine
    assert (
        command_line([program, "run", "s.yaml", "--set", "duration=5 s"])
        == "offloadsim run s.yaml --set 'duration=5 s'"
    )


def test_a_scripts_command_is_kept_as_given():
    assert command_line(["study/run_all.py", "--fast"]) == "study/run_all.py --fast"
    assert command_line(["/x/__main__.py"]) == "/x/__main__.py"  # another package's
