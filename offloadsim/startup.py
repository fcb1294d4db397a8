"""The cycle collector held off while a command starts: what start-up makes all lives on.

Importing the package and its libraries and building the scenario's
validator allocate a few hundred thousand objects, none of them garbage,
and the cycle collector ran about 120 times over them: about 40 ms of a
run with no tasks (issue 12 e).  ``offloadsim run`` and ``validate`` hold
it off from their start until the simulation begins, then freeze what
start-up made (later collections skip it) and let it run again, so the
simulation's own garbage is collected as before.
"""

from __future__ import annotations

import gc

__all__ = ["hold_collector", "release_collector", "resume_collector"]

_held = False


def hold_collector() -> None:
    """Pause the cycle collector, if it runs, until :func:`release_collector`."""
    global _held
    if gc.isenabled():
        gc.disable()
        _held = True


def release_collector() -> None:
    """Let a collector :func:`hold_collector` paused run again, after freezing what exists now."""
    global _held
    if _held:
        _held = False
        gc.freeze()
        gc.enable()


def resume_collector() -> None:
    """Let a collector :func:`hold_collector` paused run again as before, freezing nothing.

    For a command that does not start a run: ``python -m offloadsim`` holds the
    collector while it imports the command line, whatever the command.
    """
    global _held
    if _held:
        _held = False
        gc.enable()
