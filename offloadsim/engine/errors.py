"""The engine's one user-facing error type."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from offloadsim.scenario.errors import KeyPathError

__all__ = ["EngineError"]


class EngineError(RuntimeError):
    """A problem found while building or running a simulation (one-line, user-facing).

    ``refusal``: the world's refusal the run stopped at (a ``WorldError``: key path, message and
    ``also``), None for another problem.  The one line says it at the scenario file; a sweep
    reads the key paths to say it at the sweep key that gave one of them, as ``--dry-run`` does.
    """

    def __init__(self, message: str, refusal: KeyPathError | None = None):
        super().__init__(message)
        self.refusal = refusal  # pickled with the error (its __dict__): a worker process's keeps it
