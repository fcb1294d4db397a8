"""The host, named for provenance: its CPU model, and its platform (system, release, machine, C library).

``platform.platform()`` unpacks ``platform.uname()``, whose processor field
asks ``uname -p`` in a child process on Linux: about 8 ms of every run's
start-up, and a fork of a process holding the run's memory (issue 12 e).
Where that answer is ``unknown`` or the machine's own name (most Linux
distributions) the platform string leaves it out, so on Linux the string is
composed here without the probe; elsewhere ``platform.platform()`` is asked.
"""

from __future__ import annotations

import platform
from pathlib import Path

__all__ = ["cpu_model", "host_platform"]


def host_platform() -> str:
    """The host as ``platform.platform()`` names it (``Linux-6.1.0-x86_64-with-glibc2.36``)."""
    system = platform.system()
    if system != "Linux":
        return platform.platform()
    libc, version = platform.libc_ver()
    name = f"{system}-{platform.release()}-{platform.machine()}"
    return f"{name}-with-{libc}{version}" if libc else name


def cpu_model() -> str:
    """The CPU model name from /proc/cpuinfo (or the platform's processor string)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"
