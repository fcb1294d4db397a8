"""The note on plain speeds without ``memory_bandwidth`` that may run an LLM: its decode costs FLOPs alone.

A decode step reads every weight and the KV cache for one token, so it is bound by memory
bandwidth, not FLOPs; a processor given only a ``speed`` has no such bound, and its time per
output token comes out far below any real one, without a word otherwise.
"""

from __future__ import annotations

from offloadsim.world.notes.registry import Note, NoteContext

__all__ = ["KIND", "unbounded_decode_notes"]

KIND = "unbounded-decode"


def unbounded_decode_notes(context: NoteContext) -> list[Note]:
    """One line per plain-speed processor with no memory bandwidth that may decode an LLM, each once."""
    llms = [app for app in context.apps if app.llm is not None]
    notes: dict[str, Note] = {}
    for proc in context.processors:
        if proc.costs is not None or proc.memory_Bps > 0.0:
            continue  # a profile (its memory bandwidth), or a bandwidth given
        served = [app.name for app in llms if app.spec.hosts is None or proc.node in app.spec.hosts]
        if served:
            node = context.nodes[proc.node]
            where = "processor" if len(node.processors) == 1 else f"processors.{proc.spec.name}"
            apps = ", ".join(f"applications.{name}" for name in served)
            text = (
                f"nodes.{node.group}.{where}: a plain speed with no memory_bandwidth prices the LLM "
                f"decode of {apps} by FLOPs alone, with no memory bound, so its time per output token "
                "is too short: give memory_bandwidth"
            )
            notes.setdefault(
                text, Note(KIND, text, {"processor": f"nodes.{node.group}.{where}", "applications": served})
            )
    return list(notes.values())
