"""A folder for the local pool's forkserver socket whose path fits, whatever ``$TMPDIR`` is.

The forkserver listens on a Unix socket, ``pymp-XXXXXXXX/listener-XXXXXXXX`` in ``$TMPDIR``, whose
path must fit in the kernel's 107 bytes (103 on macOS and the BSDs).  A long ``$TMPDIR`` (a
cluster's job folder, pytest's base) made ``compare`` and ``sweep`` with workers exit 1 before any
worker started.  Where it is too long, multiprocessing's folder is made in a short system folder
instead (``/tmp``), as Python 3.14's own does: private to the user (mode 0700) and removed as the
command ends, by multiprocessing's exit handler or, after Ctrl-C, by the command's
(:func:`made_folder` says which it is).  The start method, so the records, stay as they were.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.util
import os
import sys
import tempfile

from offloadsim.errors import argument, shown_path
from offloadsim.experiments.storage import ExperimentError

__all__ = ["fit_socket_folder", "made_folder"]

SOCKET_PATH_BYTES = 107 if sys.platform.startswith("linux") else 103
"""The longest path of a Unix socket: the kernel's ``sun_path`` less its closing NUL."""

_NAMES_BYTES = len("/pymp-XXXXXXXX/listener-XXXXXXXX")
"""What multiprocessing adds to its base folder for the socket (8 random characters each name)."""

SYSTEM_FOLDERS = ("/tmp", "/var/tmp", "/usr/tmp")
"""Where a short folder is made when ``$TMPDIR`` is too long, in this order (Python's own list)."""


def made_folder() -> str | None:
    """The ``pymp-*`` folder multiprocessing made for this process (its sockets), if it made one."""
    config = getattr(multiprocessing.current_process(), "_config", {})  # where multiprocessing keeps it
    folder = config.get("tempdir")
    return folder if isinstance(folder, str) else None


def fits(base: str) -> bool:
    """Whether a socket multiprocessing makes under the folder ``base`` has a path that fits."""
    return len(os.fsencode(os.path.abspath(base))) + _NAMES_BYTES <= SOCKET_PATH_BYTES


def fit_socket_folder() -> None:
    """Have multiprocessing's folder made where the forkserver's socket path fits; before a pool starts.

    Nothing changes where ``$TMPDIR`` is short enough or the folder is already made.  Raises
    :class:`ExperimentError` (one line naming ``$TMPDIR`` and what to do) where it is too long and
    no system folder is both short and writable.
    """
    if made_folder() is not None:
        return
    base = tempfile.gettempdir()
    if fits(base):
        return
    for folder in SYSTEM_FOLDERS:
        if fits(folder) and _made_in(folder):
            return
    room = SOCKET_PATH_BYTES - _NAMES_BYTES
    raise ExperimentError(
        f"$TMPDIR ({shown_path(base)}) is too long for the workers' socket, which needs a folder path "
        f"of at most {room} bytes, and no folder could be made in {' or '.join(SYSTEM_FOLDERS)}: "
        f"set TMPDIR to a shorter folder, or run the jobs in this process ({argument('workers', 1)})"
    )


def _made_in(folder: str) -> bool:
    """Whether multiprocessing could make its folder in ``folder`` (it is then its folder till exit)."""
    previous = tempfile.tempdir
    tempfile.tempdir = folder  # read by the one mkdtemp that multiprocessing's get_temp_dir calls
    try:
        multiprocessing.util.get_temp_dir()
    except OSError:  # missing, not writable, full
        return False
    finally:
        tempfile.tempdir = previous
    return True
