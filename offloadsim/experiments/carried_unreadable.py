"""An entry the parent carried to a pool's worker that the worker cannot rebuild, said in one line.

A run-time registration travels by name (its module and class or function): a worker imports its
module again.  One whose module the parent could import but a worker cannot (loaded from a file
with ``importlib``, or from a folder only the parent's ``sys.path`` had) killed every worker at
start, a traceback each, and the pool said only that a worker died.  The worker now keeps the
problem and hands it back with the first job it is given, naming the entry and its module.
"""

from __future__ import annotations

import pickle
from typing import Any

from offloadsim.records.stored import ExperimentError

__all__ = ["CarriedUnreadable", "unpickled"]


class CarriedUnreadable(ExperimentError):
    """A worker could not rebuild (or register) an entry handed to it: what, which, and why.

    ``about_module``: whether making its module importable there is the fix (it could not be
    rebuilt); False where it was rebuilt but the worker's registry refused it.
    """

    def __init__(self, message: str, *, about_module: bool = True) -> None:
        super().__init__(message)
        self.about_module = about_module


def unpickled(label: str, pickled: bytes) -> Any:
    """``pickled`` rebuilt in a worker; :class:`CarriedUnreadable` naming ``label`` if it cannot be.

    ``label``: what a message calls the entry (``policy "far"``, ``warning kind 'far'``).
    """
    try:
        return pickle.loads(pickled)
    except Exception as error:  # the module or a name in it not found, or the module's import raised
        if isinstance(error, ImportError) and error.name:
            why = f"they cannot import its module {error.name} ({type(error).__name__}: {error})"
        else:
            why = f"rebuilding it there raised {type(error).__name__}: {error}"
        raise CarriedUnreadable(
            f"{label} (registered in this process) cannot be registered in the worker processes: {why}"
        ) from None
