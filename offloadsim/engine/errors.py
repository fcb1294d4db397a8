"""The engine's one user-facing error type."""

from __future__ import annotations

__all__ = ["EngineError"]


class EngineError(RuntimeError):
    """A problem found while building or running a simulation (one-line, user-facing)."""
