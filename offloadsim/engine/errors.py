"""The engine's one user-facing error type, and the line a run's problem at a key path says it in."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from offloadsim.scenario.errors import KeyPathError
    from offloadsim.scenario.model import Scenario

__all__ = ["EngineError", "at_scenario", "has_own_cause"]


class EngineError(RuntimeError):
    """A problem found while building or running a simulation (one-line, user-facing).

    ``refusal``: the world's refusal the run stopped at (a ``WorldError``: key path, message and
    ``also``), None for another problem.  The one line says it at the scenario file; a sweep
    reads the key paths to say it at the sweep key that gave one of them, as ``--dry-run`` does.
    """

    def __init__(self, message: str, refusal: KeyPathError | None = None):
        super().__init__(message)
        self.refusal = refusal  # pickled with the error (its __dict__): a worker process's keeps it


def has_own_cause(error: BaseException) -> bool:
    """Whether ``error`` has a cause of its own (a plug-in's exception), SimPy's copy of it seen past.

    SimPy raises a copy of the exception a process raised, with the original as its cause: a
    plug-in error raised in a process (a timed change, a node going down) without a cause is then
    raised with itself as one, which is no plug-in's exception to show with ``--debug``.
    """
    cause = error.__cause__
    return (cause.__cause__ if type(cause) is type(error) else cause) is not None


def at_scenario(scenario: Scenario, key_path: str, message: str, also: Sequence[str] = ()) -> str:
    """A problem a run met at ``key_path`` of ``scenario`` in one line, at its file as validate says one.

    ``s.yaml: dynamics[0]: changed the world ...``, naming the ``--set`` that gave ``key_path`` (or
    one of ``also``) as :func:`~offloadsim.scenario.overrides.blamed` does for a world's refusal.
    """
    from offloadsim.scenario.overrides import blamed  # only when a run stops: the engine's errors are rare

    return str(blamed(scenario, key_path, message, also))
