"""Read the files a user points to within stated bounds: regular files only, and only so many bytes.

A scenario, sweep, CSV or profile path could name a FIFO (reading blocks
until someone writes), a device like ``/dev/zero`` (reading never ends) or a
huge file.  :func:`read_text` opens without blocking, refuses anything that
is not a regular file, and refuses a file larger than its limit before
reading it (and stops reading there should the file grow meanwhile).
:func:`size_problem` bounds what a document read holds: values (aliases
expanded) and depth, for scenarios, sweep files and profiles alike, and
:func:`yaml_memory_problem` the memory reading a YAML document would take,
asked before it is read.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable
from typing import Any

from offloadsim.memory import available_bytes, format_bytes, shortage

__all__ = [
    "InputFileError",
    "MAX_DEPTH",
    "MAX_DOCUMENT_BYTES",
    "MAX_TABLE_BYTES",
    "MAX_VALUES",
    "not_a_file",
    "not_utf8",
    "read_head",
    "read_text",
    "size_problem",
    "special_kind",
    "PURE_YAML_BYTES_PER_CHAR",
    "YAML_BYTES_PER_CHAR",
    "yaml_memory_problem",
]

# YAML and JSON documents: scenarios, sweep files, calibrated profiles.
MAX_DOCUMENT_BYTES = 16 * 2**20
# CSV tables: arrival traces and empirical samples.
MAX_TABLE_BYTES = 256 * 2**20
#: Values a document may hold once YAML aliases are expanded (an alias bomb holds billions).
MAX_VALUES = 5_000_000
#: Peak bytes of memory reading YAML takes, a character of the document, with libyaml's parser:
#: PyYAML composes every node (an object with its two marks) before it constructs any value, and
#: the tree lives until the last value is built.  Measured (resident memory and tracemalloc, 2 and
#: 8 MB documents, 2026-12-05): a list of steps like ``{at: 1 s, up: false}`` 83 bytes a character,
#: in block style 65, of tiny mappings ``{a: 0}`` 227 to 239, of bare ``0,`` 176 to 183, of empty
#: ``{}`` or ``[]`` 228 to 238, the most: a node's few characters.  256 bounds every shape
#: measured, so a 16 MiB scenario is refused where less than 4.3 GB is available, though a
#: schedule of that size needs 1.3 GB.
YAML_BYTES_PER_CHAR = 256
#: The same with PyYAML's pure-Python parser (a ``--set`` value, a profile, a document libyaml could
#: not read, read again for a closer message, and every document where PyYAML lacks libyaml): 188
#: bytes a character for steps, 319 to 350 for the tiniest nodes (tracemalloc, 0.5 MB documents).
PURE_YAML_BYTES_PER_CHAR = 384
#: Levels of lists and mappings a document may nest (a scenario needs about ten).  Deeper data that
#: PyYAML still reads would overflow the recursion of what copies and checks it later.
MAX_DEPTH = 100

_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class InputFileError(ValueError):
    """A path that is not a regular file, or a file over its size limit; the message omits the path."""


def read_text(path: str | os.PathLike[str], limit: int) -> str:
    """The UTF-8 text of the regular file at ``path``, at most ``limit`` bytes, without a leading BOM.

    A byte-order mark is what Excel's "CSV UTF-8" and Windows editors write first: it was
    read as part of a trace's header ("unknown column") and refused by JSON (a profile).
    Raises :class:`InputFileError` for a FIFO, device or socket, for a
    larger file and for a path that holds a NUL character; ``FileNotFoundError``, ``IsADirectoryError``,
    ``UnicodeDecodeError`` and ``OSError`` as reading it would.
    """
    return _read(path, limit, whole=True).decode("utf-8").removeprefix("\ufeff")


def not_utf8(error: UnicodeDecodeError, *, advice: bool = True) -> str:
    r"""Why a file read is no UTF-8 text, for a message: where it stops being, or that it is UTF-16.

    Windows Notepad's "Unicode" is UTF-16, which was "not UTF-8 text (byte 0)", saying nothing
    of what the file is or what to do.

    >>> not_utf8(UnicodeDecodeError("utf-8", b"ab\xff", 2, 3, "invalid start byte"))
    'not UTF-8 text (byte 2)'
    >>> not_utf8(UnicodeDecodeError("utf-8", b"\xff\xfen\x00", 0, 1, "invalid start byte"))
    'not UTF-8 text: it is UTF-16 (it begins with its byte-order mark); save it as UTF-8'

    ``advice=False`` leaves out "save it as UTF-8", for a file a user did not write (a results
    file, whose remedy is to make it again).
    """
    if bytes(error.object[:2]) in (b"\xff\xfe", b"\xfe\xff"):
        utf16 = "not UTF-8 text: it is UTF-16 (it begins with its byte-order mark)"
        return f"{utf16}; save it as UTF-8" if advice else utf16
    return f"not UTF-8 text (byte {error.start})"


def read_head(path: str | os.PathLike[str], size: int) -> str:
    """The first ``size`` bytes of a regular file as text (undecodable bytes replaced)."""
    return _read(path, size, whole=False).decode("utf-8", errors="replace")


def _read(path: str | os.PathLike[str], limit: int, whole: bool) -> bytes:
    if "\0" in os.fspath(path):  # os.open's ValueError ("embedded null byte") was an internal error
        raise InputFileError("holds a NUL character (\\0), which no file name can")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)  # non-blocking: opening a FIFO with no writer returns at once
    with os.fdopen(fd, "rb", closefd=True) as handle:
        info = os.fstat(handle.fileno())
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(21, "Is a directory", str(path))
        kind = special_kind(info.st_mode)
        if kind is not None:
            raise InputFileError(f"is {kind}, not a regular file")
        if whole and info.st_size > limit:
            raise InputFileError(f"is {_size(info.st_size)}; files read are limited to {_size(limit)}")
        data = handle.read(limit + 1 if whole else limit)
    if whole and len(data) > limit:
        raise InputFileError(f"grew past {_size(limit)} while being read; files read are limited to that")
    return data


def special_kind(mode: int) -> str | None:
    """What a path of this ``st_mode`` is when it is neither a regular file nor a directory, else None.

    >>> special_kind(stat.S_IFCHR), special_kind(stat.S_IFREG)
    ('a character device', None)
    """
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def not_a_file(path: str | os.PathLike[str]) -> str | None:
    """What ``path`` is when it is there but no regular file: ``is a directory``, ``is a FIFO``...

    None for a regular file, or where nothing is (each reader says "no such file" its way).

    What every reader of a path a user names asks before reading (a scenario's ``onnx:`` and
    ``base:``, a profile, a results directory's files, ``profiles --scenario``): each called a FIFO or
    a directory that is there "no such file" or "missing", or read a FIFO and waited for a writer.

    >>> not_a_file("/dev/null"), not_a_file("/")
    ('is a character device', 'is a directory')
    """
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):  # not there, or a NUL in the name
        return None
    kind = "a directory" if stat.S_ISDIR(mode) else special_kind(mode)
    return None if kind is None else f"is {kind}"


def name_too_long(path: str | os.PathLike[str]) -> str | None:
    """The system's reason when ``path`` is a name too long for it (past NAME_MAX or PATH_MAX), else None.

    ``Path.is_dir()``, ``is_file()`` and ``exists()`` raise that (ENAMETOOLONG) where they read any
    other failure as False: ``--out`` or a results directory of 300 characters was an internal error.

    >>> name_too_long("x" * 5000), name_too_long("/")
    ('File name too long', None)
    """
    try:
        os.stat(path)
    except OSError as error:
        return error.strerror if error.errno == errno.ENAMETOOLONG else None
    except ValueError:  # a NUL in the name: each caller says so its way
        return None
    return None


def _size(count: int) -> str:
    """``16 MiB``, ``2.5 GiB``, ``300 bytes``."""
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if count >= scale:
            return f"{count / scale:.3g} {unit}"
    return f"{count} bytes"


def yaml_memory_problem(
    chars: int, way_out: str = "make it shorter", per_char: int = YAML_BYTES_PER_CHAR
) -> str | None:
    """``is 16 MB of YAML: reading it needs about 4.3 GB of memory, but only ...; WAY_OUT, or ...``.

    None if reading a document of ``chars`` characters fits in the memory available, at
    ``per_char`` bytes a character, or where that memory cannot be read.  Asked before a document is
    read (a scenario, a sweep file, a ``--set`` value): a 500,000-step schedule (16 MB) read into a
    tree of 1.3 GB before any check ran, a MemoryError (exit 1) under a memory limit.
    """
    short = shortage(chars * per_char, available_bytes())
    if short is None:
        return None
    size = format_bytes(chars)
    return f"is {size} of YAML: reading it {short}; {way_out}, or run it on a machine with more memory"


def size_problem(data: Any) -> str | None:
    """What makes read data too large to go on with (aliases counted each time used), or None.

    >>> size_problem({"a": [1, 2]}) is None
    True
    >>> deep: list = []
    >>> for _ in range(MAX_DEPTH):
    ...     deep = [deep]
    >>> print(size_problem(deep))
    is nested more than 100 levels deep
    """
    if _within_bounds(data):
        return None
    # Over a bound: walked again one value at a time, for the bound each value meets first.
    budget = MAX_VALUES
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        item, depth = stack.pop()
        budget -= 1
        if budget < 0:
            return f"holds more than {MAX_VALUES:,} values once YAML aliases are expanded"
        if isinstance(item, dict | list):
            if depth >= MAX_DEPTH:
                return f"is nested more than {MAX_DEPTH} levels deep"
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return None


def _within_bounds(data: Any) -> bool:
    """True when ``data`` holds at most :data:`MAX_VALUES` values and nests less than :data:`MAX_DEPTH`.

    :func:`size_problem`'s answer for nearly every document, counting a container's plain values
    at once rather than stacking each: the steps of a 500,000-step schedule took a second
    (docs/performance.md, "Long schedules").  Stops as soon as a bound is passed.
    """
    budget = MAX_VALUES
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        item, depth = stack.pop()
        budget -= 1
        if not isinstance(item, dict | list):
            continue
        if depth >= MAX_DEPTH:
            return False
        children: Iterable[Any] = item
        if isinstance(item, dict):
            budget -= len(item)  # its keys: plain values (a YAML key is hashable)
            children = item.values()
        below = depth + 1
        for child in children:
            if isinstance(child, dict | list):
                stack.append((child, below))
            else:
                budget -= 1
        if budget < 0:
            return False
    return budget >= 0
