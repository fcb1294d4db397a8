"""The note that synthetic work ignores a processor's ``memory_bandwidth``: its stages cost FLOPs only.

A ``work``/``stages`` application states FLOPs per stage and no bytes a memory could bound
(docs/models.md, "Your own model"), so a ``memory_bandwidth`` set on a node that runs it changes
none of its times.  Run and ``validate`` were silent about it, and a user who set the bandwidth
to slow a pipeline read times that did not move.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from offloadsim.scenario.errors import format_path
from offloadsim.scenario.model import AppSpec, ProcessorSpec
from offloadsim.world.notes.registry import Note, NoteContext

__all__ = ["KIND", "synthetic_bandwidth_note_provider", "synthetic_bandwidth_notes"]

KIND = "synthetic-bandwidth"

DOC = "(docs/models.md#your-own-model)"


def synthetic_bandwidth_notes(
    apps: Iterable[AppSpec], processors: Iterable[tuple[str, ProcessorSpec]], groups: Mapping[str, str]
) -> list[str]:
    """One line per synthetic application with FLOPs that may run where ``memory_bandwidth`` is set.

    ``processors``: every processor of the world, as (node, its spec); ``groups``: each node's
    group (``nodes.edge``).
    An application of ``service`` times only, or whose ``hosts`` keep it off such nodes, has none.
    """
    processors = list(processors)
    lines = []
    for app in apps:
        if not app.synthetic or not any(stage.work is not None for stage in app.stages):
            continue
        keys = [
            format_path(("nodes", groups.get(node, node), *spec.path, "memory_bandwidth"))
            for node, spec in processors
            if spec.memory_bandwidth_Bps and (app.hosts is None or node in app.hosts)
        ]
        if keys:
            where = format_path(("applications", app.name))
            lines.append(
                f"{where}: synthetic work costs its FLOPs at the processor's speed only; "
                f"{', '.join(dict.fromkeys(keys))} does not slow it {DOC}"
            )
    return lines


def synthetic_bandwidth_note_provider(context: NoteContext) -> list[Note]:
    """The provider: :func:`synthetic_bandwidth_notes` of the world's applications and processors."""
    every = [(proc.node, proc.spec) for proc in context.processors]
    apps = [app.spec for app in context.apps]
    return [Note(KIND, text) for text in synthetic_bandwidth_notes(apps, every, context.groups)]
