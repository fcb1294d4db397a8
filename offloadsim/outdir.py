"""Every atomic write of the package: result directories all or nothing, files whole or not at all.

One module writes what offloadsim leaves on disk: run, compare, testbed and
calibration-report directories (:func:`write_directory`), and single files
or sets of files that replace earlier ones in place (:func:`atomic_write`,
:func:`write_text`, :func:`write_json`, :func:`replace_together`: sweep
tables and job files, calibrated profiles, figures, testbed worker records).

A run or comparison directory ``NAME`` is written into a hidden sibling
``.NAME.partial-HOST-PID-XXXXXXXX`` and renamed into place only when every
file is complete, so a reader sees the whole result or none.

**Reruns.** If ``NAME`` already holds an offloadsim result, that result is
renamed to ``NAME.old-N`` (N one more than any existing) just before the new
one takes its place: rerunning a command never loses a result and never stops
on a taken directory, and ``NAME`` always holds the latest run of the command
that writes it (so the command after it, e.g. ``plot NAME``, reads the new
result).  ``overwrite`` discards the earlier result instead, once the new one
is in place.  A non-empty directory that is not an offloadsim result is never
moved or deleted, ``overwrite`` or not.  The move is made holding the folder's
lock (the one a sweep holds while it works there, :func:`directory_lock`), so
a sweep that starts in the folder at that moment is either refused or keeps
its folder, and the rerun is then refused (one line): a folder is never moved
from under the process working in it.  Two reruns moving one folder at once
take turns (each holds the lock for a moment).

**Killed writers.** SIGKILL (or a power cut) can leave a hidden partial
directory behind.  Its name records the writer's host and process id; the
next write into the same folder removes every partial directory whose
writer, on this host, no longer runs, and logs that it did.  A concurrent
writer's partial directory is left alone.

Notes for the user (an earlier result moved, leftovers removed) go to the
``offloadsim`` logger; the command line prints them on stderr.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import re
import shutil
import socket
import stat
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from offloadsim.errors import argument, shown_path
from offloadsim.field_values import FieldValues
from offloadsim.input_kinds import SWEEP_ENTRIES

__all__ = [
    "ResultsError",
    "DirectoryLockedError",
    "Written",
    "check_out_dir",
    "check_out_file",
    "check_cache_dir",
    "check_writable_parent",
    "out_path",
    "write_directory",
    "is_result_directory",
    "move_aside",
    "missing_directories",
    "remove_empty",
    "clean_stale_partials",
    "directory_lock",
    "HeldLock",
    "LOCK_FILE",
    "locked_by_another",
    "describe_os_error",
    "atomic_write",
    "TMP_MARK",
    "replace_together",
    "remove_stale_temporaries",
    "text_writer",
    "json_text",
    "write_text",
    "write_json",
]

log = logging.getLogger("offloadsim")

#: Marks the hidden temporary name of a file being written by :func:`atomic_write`.
TMP_MARK = ".tmp-"
#: A file in a directory that a writer (a sweep) holds locked while it works there.
LOCK_FILE = ".offloadsim.lock"
#: What a rerun moving an earlier result aside writes in the lock file: held for a moment, so waited for.
MOVING = "a rerun moving the earlier result aside"
#: How long a rerun waits for another to finish moving the same folder aside before it gives up.
MOVE_WAIT_S = 10.0
#: Partial directories of an older format (no writer recorded) count as abandoned after this long.
LEGACY_STALE_S = 600.0
#: A string: re compiles (and caches) it at first use, not at import, as a run seldom needs it (issue 12 e).
_PARTIAL = r"^\.(?P<name>.+)\.partial-(?P<host>[A-Za-z0-9_-]*)-(?P<pid>\d+)-[0-9a-f]{8}$"
_LEGACY_PARTIAL = r"^\..+\.(partial-[0-9a-f]{12}|old-[0-9a-f]{8})$"
_OLD_SUFFIX = r"\.old-(\d+)$"
_ATTEMPTS = 100


class ResultsError(Exception):
    """A result directory cannot be written or read (taken, unwritable, incomplete); message is one line."""


class DirectoryLockedError(ResultsError):
    """Another process holds the directory's lock (a sweep is writing there)."""


# eq=False, repr=False: FieldValues's __eq__, __hash__ and __repr__ (issue 12 e: see offloadsim.field_values).
@dataclass(frozen=True, eq=False, repr=False)
class Written(FieldValues):
    """Where :func:`write_directory` put a result.

    ``previous`` is where the earlier result in ``path`` was moved (None when
    there was none, or when it was overwritten); ``cleaned`` the partial
    directories of killed writers that were removed beside it.
    """

    path: Path
    previous: Path | None = None
    cleaned: tuple[Path, ...] = ()


def describe_os_error(error: OSError) -> str:
    """``No space left on device``: the system's words for an OSError, without library noise."""
    if error.errno:
        return os.strerror(error.errno)
    return str(error.strerror or error)


# --------------------------------------------------------------------------- checking


def is_result_directory(path: Path) -> bool:
    """Whether ``path`` holds an offloadsim result (a run, comparison or sweep, finished or not)."""
    try:
        return _holds_result(path)
    except OSError:
        return False


def _holds_result(path: Path) -> bool:
    """:func:`is_result_directory`, raising FileNotFoundError if ``path`` is gone.

    Everything is read through one open handle on the directory, so a
    concurrent writer that renames it midway cannot make a result look like
    something else.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        entries = os.listdir(fd)
        if not entries:
            return False
        with contextlib.suppress(OSError):  # a sweep, perhaps still running or interrupted
            if stat.S_ISDIR(os.stat("points", dir_fd=fd).st_mode) and all(
                name in SWEEP_ENTRIES or name.startswith(".") for name in entries
            ):
                return True
        try:
            manifest_fd = os.open("manifest.json", os.O_RDONLY, dir_fd=fd)
        except OSError:
            return False
        with os.fdopen(manifest_fd, encoding="utf-8") as handle:
            manifest = json.loads(handle.read())
    except ValueError:
        return False
    finally:
        os.close(fd)
    return isinstance(manifest, dict) and str(manifest.get("format", "")).startswith("offloadsim-")


def out_path(out_dir: object) -> Path:
    """``out_dir`` as a Path, or :class:`ResultsError` if it is no path (``out=123`` from Python).

    It ended in pathlib's ``TypeError`` with a traceback, from ``run``, ``compare`` and ``sweep``.
    """
    if not isinstance(out_dir, str | os.PathLike):
        raise ResultsError(f"out: expected a directory path, got {type(out_dir).__name__} {out_dir!r:.60}")
    if "\0" in os.fsdecode(os.fspath(out_dir)):  # the system's calls refuse it: ValueError, exit 1
        raise ResultsError(f"out: a path cannot hold a NUL character, got {os.fspath(out_dir)!r:.60}")
    if os.fsdecode(os.fspath(out_dir)) == "-":  # read as standard output, it made a directory named '-'
        raise ResultsError(
            "out: '-' is not a directory and a result cannot go to standard output (it is a directory "
            "of files); name a directory"
        )
    from offloadsim.bounded_read import name_too_long

    if (reason := name_too_long(out_dir)) is not None:  # is_dir() raised it below: exit 1
        raise ResultsError(f"cannot write results to {shown_path(out_dir)}: {reason}")
    return Path(out_dir)


def check_out_dir(
    out_dir: str | Path, overwrite: bool = False, inputs: Iterable[str | os.PathLike[str]] = ()
) -> Path:
    """Check that a result can be written to ``out_dir``; return it as a Path.

    Raises :class:`ResultsError` if it is a file, a non-empty directory that
    is not an offloadsim result (``overwrite`` or not), a directory a sweep
    is writing to, or lies under a directory we cannot write; or, with
    ``overwrite``, if it holds the current directory or one of ``inputs`` (the
    files the command reads), which replacing it would delete.  An earlier
    result there is fine: it is kept as ``NAME.old-N``.  A symbolic link to a
    directory returns its target (the result goes there; the link stays), a loop
    of links is refused.  Call it before a long run to fail fast;
    :func:`write_directory` checks again.
    """
    out = out_path(out_dir)
    if holds_non_directory(out):
        raise ResultsError(out_not_a_directory(out))
    if out.is_symlink():  # to a directory: the result goes there, as a sweep's does (renamed onto the
        if not out.exists():  # link itself, it failed "Not a directory" after the run)
            raise ResultsError(f"output path {out} is a loop of symbolic links")
        out = Path(os.path.realpath(out))
    if out.is_dir():
        if overwrite:
            _check_holds_nothing_in_use(out, inputs)
        with contextlib.suppress(FileNotFoundError):  # a concurrent writer moved it aside a moment ago
            _check_replaceable(out, overwrite)
    check_writable_parent(out, f"cannot write results to {out}")
    return out


def _check_holds_nothing_in_use(out: Path, inputs: Iterable[str | os.PathLike[str]]) -> None:
    """Refuse to replace ``out`` if it holds the current directory or one of ``inputs``.

    ``--overwrite`` deletes what the directory holds: ``run s.yaml --out . --overwrite``
    (or ``--out ""``, or ``--out`` a folder above) failed halfway ("Device or resource busy"),
    and ``--out`` the scenario's own folder, by its full path, deleted the scenario with it.
    """
    where = out.resolve()
    held = [("the current directory", Path.cwd())]
    held += [(str(path), Path(path)) for path in inputs if Path(path).exists()]
    for what, path in held:
        if path.resolve().is_relative_to(where):
            raise ResultsError(
                f"output directory {out} holds {what}, which {argument('overwrite', True)} would delete "
                f"with it; choose another {argument('out')}"
            )


def out_not_a_directory(out: Path) -> str:
    """The message for an ``out`` that is a file (or a device, a dangling link), naming the argument.

    ``output path file exists and is not a directory`` named no argument; it says ``--out`` on the
    command line and ``out=`` from Python (:func:`~offloadsim.errors.argument`).
    """
    return f"{argument('out', out)}: the path exists and is not a directory"


def holds_non_directory(path: Path) -> bool:
    """Whether ``path`` is something other than a directory: a file, a device, a dangling link.

    One ``stat`` decides: a concurrent writer renaming a directory away between
    two checks ("it exists", then "it is no directory") made it look like a file.
    """
    try:
        return not stat.S_ISDIR(os.stat(path).st_mode)
    except FileNotFoundError:
        return os.path.islink(path)  # a dangling link; or nothing (perhaps moved aside a moment ago)
    except OSError:
        return False  # under a file, or unreadable: the parent's check says why


def check_writable_parent(out: Path, cannot: str) -> None:
    """Raise ``cannot: ...`` unless the nearest existing ancestor of ``out`` is a writable directory."""
    ancestor = out.parent.absolute()
    while True:  # one stat a folder: one removed between "it exists" and "is it a directory" looked a file
        try:
            mode = os.stat(ancestor).st_mode
            break
        except OSError as error:  # missing, under a file, a link loop: look further up (as exists() did)
            if error.errno not in (errno.ENOENT, errno.ENOTDIR, errno.ELOOP):
                raise
            ancestor = ancestor.parent
    if not stat.S_ISDIR(mode):
        raise ResultsError(f"{cannot}: {ancestor} is not a directory")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise ResultsError(f"{cannot}: {ancestor} is not writable")
    if _stores_nothing(ancestor):  # root may "write" /proc: the room check then said "only 0 B is free"
        raise ResultsError(
            f"{cannot}: {ancestor} is on a file system with no storage (as /proc and /sys are): "
            "nothing can be written there"
        )


def check_cache_dir(directory: Path, what: str) -> None:
    """Raise ResultsError unless ``directory`` is, or can be made, a folder that can be written.

    ``what`` names it (``argument --cache``).  Checked before the work that fills it: a cache that
    could not be made failed at the first file put there, as an internal error or, inside the
    writing of a results directory, as that directory's error (``cannot write results to OUT``).
    """
    missing = missing_directories(directory)
    existing = missing[-1].parent if missing else directory
    if holds_non_directory(existing):
        under = f" (so {directory} cannot be made)" if missing else ""
        raise ResultsError(f"{what}: {existing} exists and is not a directory{under}")
    check_writable_parent(directory / "cached", f"{what}: cannot write {directory}")


def _stores_nothing(folder: Path) -> bool:
    """Whether ``folder`` is on a file system of no blocks at all (proc, sysfs): none where unknown."""
    try:
        return os.statvfs(folder).f_blocks == 0
    except (OSError, AttributeError):  # AttributeError: no statvfs (Windows)
        return False


def check_out_file(path: str | Path) -> Path:
    """Check that a file can be written (or replaced) at ``path``; return it as a Path.

    Raises :class:`ResultsError` if it is a directory, a device, FIFO or socket (which
    renaming a file onto would replace), or lies under a file or a directory we cannot
    write.  Call it before a long computation whose result goes there, to fail fast.
    """
    from offloadsim.bounded_read import special_kind

    out = Path(path)
    if out.is_dir():
        raise ResultsError(f"cannot write {out}: it is a directory (give a file name)")
    with contextlib.suppress(OSError):
        kind = special_kind(out.stat().st_mode)
        if kind is not None:
            raise ResultsError(f"cannot write {out}: it is {kind}, not a file")
    check_writable_parent(out, f"cannot write {out}")
    return out


def _check_replaceable(out: Path, overwrite: bool) -> None:
    """Raise unless the existing directory ``out`` may be moved aside (or replaced, with ``overwrite``)."""
    if _in_use(out):
        raise _in_use_error(out)
    _check_contents(out, overwrite)


def _in_use_error(out: Path) -> DirectoryLockedError:
    return DirectoryLockedError(
        f"output directory {out} is in use by another offloadsim process ({_holder(out)}); "
        f"wait for it to finish or choose another {argument('out')}"
    )


def _in_use(out: Path) -> bool:
    """Whether another process holds ``out``'s lock to work there (a sweep), not for a moment.

    A rerun moving the folder aside holds it for a moment (:data:`MOVING`), as does a holder that
    has not written its name yet: neither makes a folder "in use".
    """
    return locked_by_another(out) and _holder_what(out) not in (None, MOVING)


def _check_contents(out: Path, overwrite: bool) -> None:
    """Raise unless ``out`` may be moved (or, with ``overwrite``, replaced): it holds a result or nothing.

    Nothing but a lock file counts as nothing.  ``overwrite`` replaces no more than a rerun moves:
    it let ``--out ~/thesis --overwrite`` delete a folder offloadsim never wrote.
    """
    entries = sorted(name for name in os.listdir(out) if name != LOCK_FILE)
    if not entries or _holds_result(out):
        return
    shown = ", ".join(entries[:3]) + (f" and {len(entries) - 3} more" if len(entries) > 3 else "")
    replaces = "replaces only an offloadsim result or an empty directory: "
    raise ResultsError(
        f"output directory {out} holds no offloadsim result but {shown}; "
        + (f"{argument('overwrite', True)} {replaces}" if overwrite else "")
        + f"remove it yourself or choose another {argument('out')}"
    )


# --------------------------------------------------------------------------- writing


def write_directory(
    out_dir: str | Path,
    fill: Callable[[Path], None],
    *,
    overwrite: bool = False,
    inputs: Iterable[str | os.PathLike[str]] = (),
) -> Written:
    """Create ``out_dir`` with what ``fill(tmp)`` writes into a temporary directory, all or nothing.

    Everything is written into a hidden partial sibling directory first,
    then renamed into place.  An earlier result in ``out_dir`` is moved to
    ``out_dir.old-N`` (or, with ``overwrite``, deleted once the new one is in
    place).  On any failure (or Ctrl-C) nothing is left behind: no partial
    directory, no parent directory we created, and ``out_dir`` is as it was.
    An OSError (a full disk, a read-only folder) becomes a one-line
    :class:`ResultsError`.  ``inputs``: the files the result was made from, which ``overwrite``
    never deletes (:func:`check_out_dir`).
    """
    out = check_out_dir(out_dir, overwrite, inputs)
    created = missing_directories(out.parent)
    tmp: Path | None = None
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        cleaned = clean_stale_partials(out.parent)
        tmp = _make_partial(out, created)
        fill(tmp)
        previous = _install(tmp, out, overwrite)
        tmp = None
    except BaseException as exc:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        remove_empty(created)
        if isinstance(exc, OSError):
            raise ResultsError(f"cannot write results to {out}: {describe_os_error(exc)}") from exc
        raise
    if previous is not None and overwrite:
        _discard(previous)
        previous = None
    if previous is not None:
        log.info("the earlier result in %s was moved to %s", out, previous)
    return Written(out, previous, tuple(cleaned))


def _make_partial(out: Path, created: list[Path]) -> Path:
    """Create ``out``'s hidden partial directory beside it; make its folder again if it went meanwhile.

    A concurrent writer of the same new folder that fails removes the folders it made while
    they are empty, which they are until a partial directory is in them: the folder this
    writer found (or made) may be gone a moment later.  What it makes again is its own, so
    ``created`` (deepest first) gets it, to be removed if this writer fails in turn.
    """
    for _ in range(_ATTEMPTS):
        tmp = out.parent / _partial_name(out.name)
        try:
            tmp.mkdir()  # not mkdtemp: the result directory should get the usual (umask) permissions
            return tmp
        except FileNotFoundError:
            _make_again(out.parent, created)
    raise ResultsError(f"cannot write results to {out}: other processes keep removing {out.parent}")


def _install(tmp: Path, out: Path, overwrite: bool) -> Path | None:
    """Rename the finished ``tmp`` to ``out``, first moving an earlier result there to ``out.old-N``.

    Returns where the earlier result went (None if there was none).  If the
    final rename fails, the earlier result is put back.  Safe against a
    concurrent writer of the same ``out``: a rename never replaces a
    non-empty directory, so each result either lands or is moved aside.
    """
    previous: Path | None = None
    try:
        for _ in range(_ATTEMPTS):
            try:
                os.rename(tmp, out)  # replaces nothing but a missing path or an empty directory
                return previous
            except OSError as error:
                if error.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                    raise
            try:
                _check_replaceable(out, overwrite)  # a sweep's, a user's folder: refused without locking it
                previous = _move_aside_locked(out, overwrite)
            except FileNotFoundError:
                continue  # a concurrent writer moved it aside first: try the rename again
    except BaseException:
        if previous is not None and not out.exists():
            os.rename(previous, out)
        raise
    raise ResultsError(f"cannot write results to {out}: other processes keep writing there")


def _move_aside_locked(out: Path, overwrite: bool) -> Path:
    """:func:`move_aside` holding ``out``'s lock, checked again under it; return where it went.

    Without the lock, a sweep could lock the folder between the check that it is free and the
    move: the folder it works in went to ``NAME.old-N`` under it.  Another rerun moving the same
    folder holds the lock a moment: waited for (:func:`directory_lock`).  Raises
    :class:`DirectoryLockedError` if a sweep holds it, FileNotFoundError if ``out`` went
    meanwhile (another rerun moved it).  In a folder where no lock file can be made (read-only),
    no sweep can work either: moved unless another process holds an existing lock file there.

    Killed between the rename and the release, the mover leaves ``NAME.old-N/.offloadsim.lock``,
    unlocked (the kernel drops a dead holder's flock).  That is harmless, as any killed holder's
    file is: ``plot``, ``run --out NAME.old-N`` (which moves it on, or replaces it) and
    ``sweep --resume`` read a lock file only while a live process holds it, take an unlocked one,
    and count none as content (:func:`_check_contents`, a sweep's own listing).
    """
    try:
        with directory_lock(out, MOVING) as held:
            _check_contents(out, overwrite)
            target = move_aside(out)
            held.moved(target)
            return target
    except _FolderGone:
        raise FileNotFoundError(errno.ENOENT, "moved aside meanwhile", str(out)) from None
    except DirectoryLockedError:
        raise _in_use_error(out) from None
    except _LockFileRefused:
        if locked_by_another(out):
            raise _in_use_error(out) from None
        _check_contents(out, overwrite)
        return move_aside(out)


def move_aside(out: Path) -> Path:
    """Rename the directory ``out`` to the first free ``out.old-N`` after the existing ones; return it."""
    numbers = [0]
    for name in os.listdir(out.parent):  # names only: a results directory may hold thousands
        if name.startswith(out.name + ".old-"):
            match = re.search(_OLD_SUFFIX, name)
            if match and name == f"{out.name}.old-{match.group(1)}":
                numbers.append(int(match.group(1)))
    number = max(numbers) + 1
    for _ in range(_ATTEMPTS):
        target = out.with_name(f"{out.name}.old-{number}")
        if not target.exists():
            try:
                os.rename(out, target)
                return target
            except OSError as error:  # a concurrent writer took the name (or it became non-empty)
                if error.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                    raise
        number += 1
    raise ResultsError(f"cannot move the earlier result {out} aside: too many {out.name}.old-N directories")


def _discard(directory: Path) -> None:
    """Delete ``directory``: renamed to a hidden partial name first, so a kill midway leaves only that."""
    trash = directory.parent / _partial_name(directory.name)
    try:
        os.rename(directory, trash)
    except OSError:
        trash = directory
    shutil.rmtree(trash, ignore_errors=True)


def missing_directories(directory: Path) -> list[Path]:
    """``directory`` and its parents that do not exist yet, deepest first: what creating it will make."""
    missing = []
    current = directory.absolute()
    while not current.exists():
        missing.append(current)
        current = current.parent
    return missing


def remove_empty(created: Sequence[Path]) -> None:
    """Undo :func:`missing_directories`' creation after a failure: remove them deepest first, while empty.

    The first that holds anything (a finished job's file) stops it, so only
    empty folders this process made are removed, never a user's.
    """
    for directory in created:
        try:
            directory.rmdir()
        except OSError:
            break


# --------------------------------------------------------------------------- leftovers of killed writers


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", socket.gethostname())[:40]


def _partial_name(name: str) -> str:
    """``.NAME.partial-HOST-PID-XXXXXXXX``: hidden, and naming its writer."""
    return f".{name}.partial-{_host()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def _process_gone(pid: int) -> bool:
    """Whether no process ``pid`` runs on this host (a zombie counts as gone)."""
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # another user's process
    except OSError:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state in ("Z", "X")


def _abandoned(entry: Path) -> bool:
    """Whether the hidden partial directory ``entry`` was left by a writer that no longer runs."""
    match = re.match(_PARTIAL, entry.name)
    if match is not None:
        return match.group("host") == _host() and _process_gone(int(match.group("pid")))
    if re.match(_LEGACY_PARTIAL, entry.name):
        try:
            return time.time() - entry.stat().st_mtime > LEGACY_STALE_S
        except OSError:
            return False
    return False


def clean_stale_partials(directory: Path) -> list[Path]:
    """Remove the partial directories in ``directory`` whose writer no longer runs; return them.

    Only hidden ``.NAME.partial-HOST-PID-XXXXXXXX`` directories of a process
    on this host that has ended are removed (and, from older versions,
    unnamed partial directories untouched for ten minutes); a concurrent
    writer's are left alone.  What was removed is logged.
    """
    removed: list[Path] = []
    try:  # scandir: no path object nor stat call for each of the directory's (perhaps thousands) entries
        with os.scandir(directory) as scan:
            hidden = [
                Path(e.path) for e in scan if e.name.startswith(".") and e.is_dir(follow_symlinks=False)
            ]
    except OSError:
        return removed
    for entry in hidden:
        if _abandoned(entry):
            shutil.rmtree(entry, ignore_errors=True)
            if not entry.exists():
                removed.append(entry)
    if removed:
        names = ", ".join(sorted(p.name for p in removed))
        log.info(
            "removed %d unfinished result director%s left by killed runs in %s: %s",
            len(removed),
            "y" if len(removed) == 1 else "ies",
            directory,
            names,
        )
    return removed


# --------------------------------------------------------------------------- locks


class HeldLock:
    """What :func:`directory_lock` yields: :meth:`remove_created` asks its release to remove what it made."""

    def __init__(self, created: list[Path] | None) -> None:
        self.created = created
        self.removing = False
        self.moved_to: Path | None = None

    def remove_created(self) -> None:
        """Remove, as the lock is let go, the folders the holder made (``created``), while empty."""
        self.removing = True

    def moved(self, to: Path) -> None:
        """Say the holder renamed the locked directory to ``to``: the release removes the lock file there.

        The lock file went with the folder, still locked, so a process that opened it before the
        move and locks it after sees it is not the file the old path names, and tries again.
        """
        self.moved_to = to


@contextlib.contextmanager
def directory_lock(directory: Path, what: str, created: list[Path] | None = None) -> Iterator[HeldLock]:
    """Hold ``directory``'s lock while the block runs; :class:`DirectoryLockedError` if another holds it.

    A lock held only for a moment (a rerun moving the folder aside, :data:`MOVING`, or a holder
    that has not written its name yet) is waited for, up to :data:`MOVE_WAIT_S`; one held by a
    process that works there (a sweep) is refused at once.

    The lock is an advisory ``flock`` on ``directory/.offloadsim.lock``: the
    kernel releases it when its holder ends, however it ends, so a killed
    holder never leaves a stale lock.  The file records the holder (``what``,
    host, pid, start time) for the message another process gets.  Without
    ``fcntl`` (Windows) the block runs unlocked.

    The holder removes the file when the block ends (a killed one leaves it,
    unlocked, for the next holder to take), still holding the lock: a
    process that opened the file before then and locks it after holds a
    file no longer in the directory, so a holder checks that the file it
    locked is the one the path names, and tries again if not.  Without that
    check, removing the file would let two processes hold "the" lock.

    ``created``: the folders the holder made for its work (deepest first, as
    :func:`missing_directories` lists them).  Given it, the lock step makes
    ``directory`` if it is missing (new, or an earlier holder that failed
    removed it, empty), adding what it made; and after
    :meth:`HeldLock.remove_created` the release removes them while empty: those
    inside ``directory`` before the lock file goes, ``directory`` and its
    parents after, while the lock is still held.  Folders inside ``directory``
    are removed only so, by their lock's holder, so a holder never loses a
    folder it works in.  If the lock cannot be taken (another holds it, a full
    disk, a folder where no lock file can be made), ``directory`` and its
    parents among ``created`` are removed while empty, as nothing else is left
    of the attempt: a holder's lock file keeps ``directory``.
    """
    held = HeldLock(created)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on POSIX
        yield held
        return
    path = directory / LOCK_FILE
    try:
        fd = _take_lock(directory, path, fcntl, created)
    except BaseException:
        if created is not None:  # a holder's lock file keeps the folder: only empty ones, not its, go
            top = directory.absolute()
            remove_empty([folder for folder in created if top not in folder.parents])
        raise
    try:
        holder = {
            "what": what,
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(holder) + "\n").encode("utf-8"), 0)
        yield held
    finally:
        removing = list(held.created or ()) if held.removing and held.moved_to is None else []
        top = directory.absolute()
        inside = [folder for folder in removing if top in folder.parents]
        kept = False
        for folder in inside:  # under the lock file: no other holder works here now
            try:
                folder.rmdir()
            except OSError:
                kept = True
                break
        with contextlib.suppress(OSError):  # removed (or its folder) by someone else: nothing to do
            (path if held.moved_to is None else held.moved_to / LOCK_FILE).unlink()
        if not kept:  # still locked: one that locks a new lock file here keeps the folder
            remove_empty([folder for folder in removing if folder not in inside])
        os.close(fd)  # releases the lock


def _take_lock(directory: Path, path: Path, fcntl: Any, created: list[Path] | None) -> int:
    """The descriptor of ``directory``'s lock file, locked, and the file its path names (see above).

    A lock held for a moment (a rerun moving the folder aside, or a holder that has not written
    its name yet) is waited for, up to :data:`MOVE_WAIT_S`: a holder that works there refuses.
    """
    deadline = time.monotonic() + MOVE_WAIT_S
    for _ in range(_ATTEMPTS):
        try:
            fd, folder_fd = _wait_for_lock(directory, path, fcntl, deadline)
        except _FolderGone:  # an earlier holder that failed removed it: make it again
            if created is None:
                raise
            try:
                _make_again(directory, created)
            except OSError as error:
                raise ResultsError(f"cannot lock {directory}: {describe_os_error(error)}") from None
            continue
        try:
            current = os.stat(path)
        except FileNotFoundError:
            current = None
        locked = os.fstat(fd)
        if current is not None and _same_file(current, locked):
            os.close(folder_fd)
            return fd
        _drop_stray(fd, folder_fd)  # the file a holder removed as it finished: take the path's own
    raise ResultsError(f"cannot lock {directory}: its lock file kept changing")


def _same_file(one: os.stat_result, other: os.stat_result) -> bool:
    return (one.st_dev, one.st_ino) == (other.st_dev, other.st_ino)


def _drop_stray(fd: int, folder_fd: int) -> None:
    """Let go of a locked lock file the path no longer names, removing it if this process made it stray.

    The folder was looked up before a rerun moved it aside (``NAME.old-N``) and the file created in
    it after the rerun removed its own: the new file sits in the moved result, where nothing would
    remove it.  It is removed only while it is the file locked here: no other holder has it.
    """
    with contextlib.suppress(OSError):
        if _same_file(os.stat(LOCK_FILE, dir_fd=folder_fd, follow_symlinks=False), os.fstat(fd)):
            os.unlink(LOCK_FILE, dir_fd=folder_fd)
    os.close(fd)
    os.close(folder_fd)


def _wait_for_lock(directory: Path, path: Path, fcntl: Any, deadline: float) -> tuple[int, int]:
    """:func:`_lock_file`, tried again while the lock is held only for a moment (until ``deadline``)."""
    while True:
        try:
            return _lock_file(directory, path, fcntl)
        except DirectoryLockedError:
            if _in_use(directory) or time.monotonic() > deadline:
                raise
        time.sleep(0.001)


def _make_again(directory: Path, created: list[Path]) -> None:
    """Make ``directory`` (and missing parents) again, adding them to ``created`` (deepest first).

    For a writer or lock holder whose folder a failing concurrent one removed (empty): what it
    makes again is its own, to be removed if it fails in turn.
    """
    made = set(created) | set(missing_directories(directory))
    with contextlib.suppress(FileNotFoundError):  # a parent went again meanwhile: the next try makes it
        directory.mkdir(parents=True, exist_ok=True)
    created[:] = sorted(made, key=lambda folder: len(folder.parts), reverse=True)


class _FolderGone(ResultsError):
    """The folder to lock is not there (any more): :func:`directory_lock` may make it again."""


class _LockFileRefused(ResultsError):
    """No lock file can be made in the folder (permission denied, a read-only file system)."""


#: A handle on a folder to make, find and remove files in, needing no permission to list it.
_FOLDER_HANDLE = getattr(os, "O_PATH", os.O_RDONLY) | getattr(os, "O_DIRECTORY", 0)


def _close_if_open(fd: int) -> None:
    if fd >= 0:
        os.close(fd)


def _lock_file(directory: Path, path: Path, fcntl: Any) -> tuple[int, int]:
    """A descriptor of ``path`` (created if missing) holding its exclusive lock, and one of its folder.

    Refused if held.  The folder's descriptor is the folder the file was made in, wherever it
    is by then (:func:`_drop_stray`).
    """
    folder_fd = -1
    try:
        folder_fd = os.open(directory, _FOLDER_HANDLE)
        fd = os.open(path.name, os.O_RDWR | os.O_CREAT, 0o644, dir_fd=folder_fd)
    except FileNotFoundError as error:
        _close_if_open(folder_fd)
        raise _FolderGone(f"cannot lock {directory}: {describe_os_error(error)}") from None
    except OSError as error:
        _close_if_open(folder_fd)
        refused = error.errno in (errno.EACCES, errno.EPERM, errno.EROFS)
        raise (_LockFileRefused if refused else ResultsError)(
            f"cannot lock {directory}: {describe_os_error(error)}"
        ) from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as error:
        os.close(fd)
        os.close(folder_fd)
        if error.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
            raise ResultsError(f"cannot lock {directory}: {describe_os_error(error)}") from None
        raise DirectoryLockedError(
            f"{directory} is in use by another offloadsim process ({_holder(directory)}); "
            f"wait for it to finish or choose another {argument('out')}"
        ) from None
    return fd, folder_fd


def locked_by_another(directory: Path) -> bool:
    """Whether another open lock (another process, or another block here) holds ``directory``'s lock."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on POSIX
        return False
    try:
        fd = os.open(directory / LOCK_FILE, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


def _holder_what(directory: Path) -> str | None:
    """What holds ``directory``'s lock, as its lock file says (None if it says nothing yet)."""
    try:
        what = json.loads((directory / LOCK_FILE).read_text(encoding="utf-8"))["what"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return what if isinstance(what, str) else None


def _holder(directory: Path) -> str:
    """``a sweep, pid 123 on host, since 2026-01-01 10:00:00``, from the lock file, or what is known."""
    try:
        info = json.loads((directory / LOCK_FILE).read_text(encoding="utf-8"))
        return f"{info['what']}, pid {info['pid']} on {info['host']}, since {info['started']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "its lock is held"


def atomic_write(path: Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp)`` on a hidden temporary sibling of ``path``, then rename it to ``path``.

    On any failure (or Ctrl-C) the temporary file is removed and ``path`` is
    left as it was.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}{TMP_MARK}{uuid.uuid4().hex[:12]}"
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


def replace_together(directory: Path, writers: Mapping[str, Callable[[Path], None]], marker: str) -> None:
    """Replace several files of ``directory`` so that a reader sees the old set or the new set, never a mix.

    ``writers`` maps each file name to a function that writes it to a given
    path; ``marker`` (one of them, e.g. ``manifest.json``) is the file whose
    presence says the set is complete.  Every file is first written in full
    to a hidden temporary; only then is the old marker removed, the other
    files renamed into place and the marker renamed last.  A process killed
    at any point leaves either the old complete set, or a set without its
    marker (which readers refuse as incomplete), or the new complete set.
    On failure the temporaries are removed and the old set is untouched.
    """
    staged: dict[str, Path] = {}
    try:
        for name, write in writers.items():
            tmp = directory / f".{name}{TMP_MARK}{uuid.uuid4().hex[:12]}"
            staged[name] = tmp
            write(tmp)
        (directory / marker).unlink(missing_ok=True)
        for name, tmp in staged.items():
            if name != marker:
                os.replace(tmp, directory / name)
        os.replace(staged[marker], directory / marker)
    except BaseException:
        for tmp in staged.values():
            tmp.unlink(missing_ok=True)
        raise


def remove_stale_temporaries(directory: Path) -> int:
    """Delete temporary files left by a killed writer in ``directory``; return how many."""
    removed = 0
    if directory.is_dir():
        for entry in directory.iterdir():
            if entry.name.startswith(".") and TMP_MARK in entry.name and entry.is_file():
                entry.unlink(missing_ok=True)
                removed += 1
    return removed


def text_writer(text: str) -> Callable[[Path], None]:
    """A function that writes UTF-8 ``text`` to the path it is given."""

    def write(path: Path) -> None:
        path.write_text(text, encoding="utf-8")

    return write


def json_text(data: Any) -> str:
    """``data`` as indented JSON (NaN refused), with a final newline."""
    return json.dumps(data, indent=2, default=str, allow_nan=False) + "\n"


def write_text(text: str, path: Path) -> Path:
    """Write UTF-8 ``text`` to ``path`` atomically."""
    return atomic_write(path, text_writer(text))


def write_json(data: Any, path: Path) -> Path:
    """Write ``data`` as indented JSON to ``path`` atomically."""
    return write_text(json_text(data), path)
