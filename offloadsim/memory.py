"""How much more memory this process may use: free memory, a container's limit, an address-space limit.

Read from Linux's ``/proc/meminfo`` (``MemAvailable``), the cgroup's
``memory.max`` less ``memory.current`` (v2; ``memory.limit_in_bytes`` less
``memory.usage_in_bytes`` under v1), and ``RLIMIT_AS`` less the address
space already mapped: the least of those that apply.  ``None`` where none
can be read (another operating system), so callers check only what they can.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["available_bytes", "format_bytes", "shortage"]

_CGROUP = Path("/sys/fs/cgroup")


def available_bytes() -> int | None:
    """Bytes this process can still allocate, by the tightest limit known; None when unknown."""
    limits = [
        value
        for value in (_meminfo_available(), _cgroup_available(), _address_space_available())
        if value is not None
    ]
    return max(0, min(limits)) if limits else None


def format_bytes(count: float) -> str:
    """``3.2 GB``, ``640 MB``, ``12 kB`` (powers of 1000, like ``free -h --si``).

    >>> format_bytes(3.2e9), format_bytes(64e6), format_bytes(999)
    ('3.2 GB', '64 MB', '999 B')
    """
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if count >= scale:
            return f"{count / scale:.2g} {unit}" if count < 10 * scale else f"{count / scale:,.0f} {unit}"
    return f"{count:.0f} B"


def shortage(needed: float, available: int | None) -> str | None:
    """``needs about 4.3 GB of memory, but only 1.2 GB is available``; None if it fits (or is unknown).

    The one phrase of every refusal of what would not fit (a table's rows, a YAML document), given
    :func:`available_bytes` by the caller (which tests replace where the caller looks it up).

    >>> shortage(4.3e9, 1_200_000_000)
    'needs about 4.3 GB of memory, but only 1.2 GB is available'
    >>> shortage(1e6, 2_000_000) is None, shortage(1e12, None) is None
    (True, True)
    """
    if available is None or needed <= available:
        return None
    return f"needs about {format_bytes(needed)} of memory, but only {format_bytes(available)} is available"


def _meminfo_available() -> int | None:
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _cgroup_available() -> int | None:
    for limit_file, usage_file in (
        (_CGROUP / "memory.max", _CGROUP / "memory.current"),
        (_CGROUP / "memory" / "memory.limit_in_bytes", _CGROUP / "memory" / "memory.usage_in_bytes"),
    ):
        try:
            limit_text = limit_file.read_text(encoding="ascii").strip()
            usage = int(usage_file.read_text(encoding="ascii").strip())
        except (OSError, ValueError):
            continue
        if limit_text == "max":
            return None
        try:
            limit = int(limit_text)
        except ValueError:
            return None
        if limit >= 2**60:  # cgroup v1 writes a huge number for "no limit"
            return None
        return limit - usage
    return None


def _address_space_available() -> int | None:
    try:
        import resource
    except ImportError:  # not on this operating system
        return None
    soft, _ = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY:
        return None
    try:
        with open(f"/proc/{os.getpid()}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("VmSize:"):
                    return soft - int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None
