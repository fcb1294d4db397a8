"""Where a run may cost an application's layers on a built-in profile at an assumed efficiency.

The GPU and CPU efficiency notes each say which applications may run on which built-in profile;
both pick the same pairs, so one function finds them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

from offloadsim.world.notes.registry import NoteContext

__all__ = ["allowed_on", "derived_runs"]


def allowed_on(ahead: bool) -> str:
    """``on``, or, said before the runs (a dry run, ``NoteContext.ahead``), ``would be allowed to run on``.

    A dry run simulates nothing: "applications.classify on a100" read as if the A100 ran it, where
    the quickstart's run puts no task there.
    """
    return "would be allowed to run on" if ahead else "on"


def derived_runs(
    context: NoteContext, efficiency_name: Literal["GPU_EFFICIENCY", "CPU_EFFICIENCY"]
) -> Iterator[tuple[Any, Any]]:
    """(application, processor) where a run may cost the application's layers on a built-in profile.

    Where: ``context.under`` (:func:`~offloadsim.world.placed.runs_under`), its hosts, its
    sources' reach and the policies' placements, and, once the runs have run, the processors
    they computed on.

    ``efficiency_name``: ``"GPU_EFFICIENCY"`` or ``"CPU_EFFICIENCY"`` of
    :mod:`offloadsim.world.profiles.builtin`, the profiles' assumed share of their peak.  None for a
    check of the file (``validate``: no times to qualify), for applications of plain work (no
    layers), and, without importing the profiles' code (start-up), where no processor is derived.
    """
    if not context.here:
        return
    derived = [proc for proc in context.processors if getattr(proc.costs, "kind", None) == "derived"]
    if not derived:
        return
    from offloadsim.world.profiles import builtin

    efficiency = getattr(builtin, efficiency_name)
    chosen = [proc for proc in derived if proc.costs.efficiency == efficiency]
    if not chosen:
        return
    for app in context.apps:
        if app.llm is None and app.graph is None:
            continue
        for proc in chosen:
            if context.under(app, proc) is not None:
                yield app, proc
