"""The host, named for provenance: CPU model and fingerprint, platform (system, release, machine, C library).

``platform.platform()`` unpacks ``platform.uname()``, whose processor field
asks ``uname -p`` in a child process on Linux: about 8 ms of every run's
start-up, and a fork of a process holding the run's memory (issue 12 e).
Where that answer is ``unknown`` or the machine's own name (most Linux
distributions) the platform string leaves it out, so on Linux the string is
composed here without the probe; elsewhere ``platform.platform()`` is asked.

A CPU's model name alone does not tell machines apart: cloud VMs report
generic names (``AMD EPYC``, ``Intel(R) Xeon(R) Processor``) for CPUs of other
generations and cache sizes. :func:`cpu_fingerprint` reads what does, from
files only (no child process), and :func:`fingerprint_differences` says how
two fingerprints differ.
"""

from __future__ import annotations

import platform
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "command_line",
    "cpu_fingerprint",
    "cpu_model",
    "describe_fingerprint",
    "fingerprint_differences",
    "host_info",
    "host_platform",
]

#: The fields of /proc/cpuinfo that identify a CPU's design, as the fingerprint names them.
_CPUINFO_FIELDS = {"cpu family": "family", "model": "model", "stepping": "stepping"}
#: A string: re compiles (and caches) it at first use, not at import, as a run seldom needs it (issue 12 e).
_SIZE = r"^(\d+)\s*([KMG]?)"
_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}


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


def cpu_fingerprint(root: Path = Path("/")) -> dict[str, Any]:
    """What tells CPUs of one model name apart, read from ``root``'s /proc and /sys; cheap, no child process.

    ``family``, ``model`` and ``stepping`` of the first CPU in /proc/cpuinfo,
    ``logical_cores`` (its ``processor`` entries), and ``caches``: the bytes
    of each data or unified cache of cpu0 (``L1d``, ``L2``, ``L3``;
    instruction caches left out). A field whose file is missing or unreadable
    is left out, so elsewhere than on Linux the result may be empty.

    >>> cpu_fingerprint(Path("/nonexistent"))
    {}
    """
    found: dict[str, Any] = {}
    try:
        lines = (root / "proc" / "cpuinfo").read_text(errors="replace").splitlines()
    except OSError:
        lines = []
    cores = 0
    for line in lines:
        key, _, value = line.partition(":")
        key = key.strip().lower()
        if key == "processor":
            cores += 1
        elif key in _CPUINFO_FIELDS and _CPUINFO_FIELDS[key] not in found and value.strip().isdigit():
            found[_CPUINFO_FIELDS[key]] = int(value)
    if cores:
        found["logical_cores"] = cores
    caches = _caches(root / "sys" / "devices" / "system" / "cpu" / "cpu0" / "cache")
    if caches:
        found["caches"] = caches
    return found


def _caches(folder: Path) -> dict[str, int]:
    """Bytes of each data or unified cache level described under ``folder`` (``index0`` ...)."""
    caches: dict[str, int] = {}
    try:
        indexes = sorted(folder.glob("index*"))
    except OSError:
        return caches
    for index in indexes:
        try:
            level, kind, size = ((index / f).read_text().strip() for f in ("level", "type", "size"))
        except OSError:
            continue
        match = re.match(_SIZE, size)
        if kind not in ("Data", "Unified") or not level.isdigit() or match is None:
            continue
        caches[f"L{level}{'d' if kind == 'Data' else ''}"] = int(match[1]) * _UNITS[match[2]]
    return caches


def fingerprint_differences(there: Mapping[str, Any], here: Mapping[str, Any]) -> tuple[list[str], int]:
    """How fingerprint ``there`` differs from ``here``, and how many fields the two share to compare.

    Only fields both state are compared. The logical core count is not: a
    calibrated profile times one thread at a time, and one VM of a CPU may
    have more cores than another.

    >>> there, here = {"model": 1, "caches": {"L3": 8 << 20}}, {"model": 17, "caches": {"L3": 32 << 20}}
    >>> fingerprint_differences(there, here)
    (['L3 8 MiB there, 32 MiB here', 'model 1 there, 17 here'], 2)
    """
    differences, compared = [], 0
    caches_there, caches_here = there.get("caches"), here.get("caches")
    if isinstance(caches_there, Mapping) and isinstance(caches_here, Mapping):
        for level in sorted(caches_there.keys() & caches_here.keys()):
            compared += 1
            if caches_there[level] != caches_here[level]:
                differences.append(
                    f"{level} {_bytes(caches_there[level])} there, {_bytes(caches_here[level])} here"
                )
    for field in ("family", "model", "stepping"):
        if field in there and field in here:
            compared += 1
            if there[field] != here[field]:
                differences.append(f"{field} {there[field]} there, {here[field]} here")
    return differences, compared


def describe_fingerprint(fingerprint: Mapping[str, Any]) -> str:
    """A fingerprint in words (``family 25, model 1, stepping 1; L1d 32 KiB, L2 512 KiB; 2 logical cores``).

    >>> describe_fingerprint({"family": 6, "model": 85, "caches": {"L2": 1 << 20}})
    'family 6, model 85; L2 1 MiB'
    """
    parts = [", ".join(f"{f} {fingerprint[f]}" for f in ("family", "model", "stepping") if f in fingerprint)]
    caches = fingerprint.get("caches")
    if isinstance(caches, Mapping):
        parts.append(", ".join(f"{level} {_bytes(size)}" for level, size in sorted(caches.items())))
    if "logical_cores" in fingerprint:
        parts.append(f"{fingerprint['logical_cores']} logical cores")
    return "; ".join(p for p in parts if p) or "nothing recorded"


def _bytes(size: Any) -> str:
    """A cache size in binary units (``512 KiB``, ``32 MiB``); anything but an integer as it is."""
    if not isinstance(size, int) or isinstance(size, bool):
        return str(size)
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if size >= scale and size % scale == 0:
            return f"{size // scale} {unit}"
    return f"{size} B"


def host_info() -> dict[str, Any]:
    """What a manifest of many runs says of where they were run from: versions, engine, host, command.

    ``code_fingerprint``: the code its job keys name (:func:`~offloadsim.provenance.code_fingerprint`,
    already computed for them): a job saved by other code is not reused.
    """
    import socket

    from offloadsim._version import __version__
    from offloadsim.engine_build import engine_build
    from offloadsim.provenance import code_fingerprint, code_versions

    return {
        "offloadsim_version": __version__,
        **code_versions(),  # the libraries' versions, and the git commit of a checkout
        "code_fingerprint": code_fingerprint(),
        "engine_build": engine_build(),
        "python_version": platform.python_version(),
        "platform": host_platform(),
        "host": socket.gethostname(),
        "command": command_line(),
    }


def command_line(argv: Sequence[str] | None = None) -> str:
    """The command that ran (``sys.argv``) as a shell line to paste, offloadsim named ``offloadsim``.

    Run as ``python -m offloadsim``, the program is the package's ``__main__.py`` by its absolute path,
    and through the installed script it is the script in its environment's ``bin/``: neither is there
    on a reviewer's machine, where ``offloadsim`` is.  Any other program (a script that calls
    ``offloadsim.run``) is kept as it was given.
    """
    import shlex
    import sys

    words = list(sys.argv if argv is None else argv)
    if words and _offloadsim_program(words[0]):
        words[0] = "offloadsim"
    return shlex.join(words)


def _offloadsim_program(program: str) -> bool:
    """Whether ``program`` is offloadsim's: its installed script, or its package's ``__main__.py``."""
    path = Path(program)
    if path.name == "__main__.py":
        return path.parent.name == "offloadsim"
    return path.stem == "offloadsim" or path.name == "offloadsim-script.py"
