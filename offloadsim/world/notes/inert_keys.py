"""The note on keys the scenario sets that this version does not act on: a run would not show it otherwise.

A link's ``loss`` is recorded, not simulated; a ``compression`` codec no narrower than the
model's precision compresses nothing; ``noise`` on a processor whose profile measured no
run-to-run spread (a derived profile, a plain speed) draws nothing; a processor's ``busy`` on a
node with no ``power:`` charges nothing.
"""

from __future__ import annotations

from offloadsim.scenario.errors import format_path
from offloadsim.suggest import quoted
from offloadsim.world.notes.registry import Note, NoteContext
from offloadsim.world.precision_speed import calibrated

__all__ = ["KIND", "inert_key_notes"]

KIND = "inert-key"


def inert_key_notes(context: NoteContext) -> list[Note]:
    """One line per key (or list of lossy links) the run does not act on, each once."""
    notes: dict[str, Note] = {}

    def say(keys: list[str], text: str) -> None:
        notes.setdefault(text, Note(KIND, text, {"keys": keys}))

    lossy = sorted({link.index for link in context.scenario.links if link.loss > 0.0})
    if lossy:
        keys = [f"links[{i}].loss" for i in lossy]
        say(
            keys,
            f"{', '.join(keys)}: packet loss is recorded (the links table's loss_rate), not simulated: "
            "it does not slow transfers",
        )
    for app in context.apps:
        codec = app.spec.compression
        if codec != "none" and app.graph is not None and app.llm is None:
            from offloadsim.models.precision import BYTES

            if BYTES[codec] >= BYTES[app.precision]:
                key = format_path(("applications", app.name, "compression"))
                say(
                    [key],
                    f"{key}: {codec} is no narrower than the model's "
                    f"{app.precision} activations, so nothing is compressed (and nothing is spent on it)",
                )
    for proc in context.processors:
        if proc.spec.noise and not calibrated(proc):
            node = context.nodes[proc.node]
            what = f"profile {quoted(proc.profile)}" if proc.profile else "a plain speed"
            key = format_path(("nodes", node.group, *proc.spec.path, "noise"))
            say(
                [key],
                f"{key}: {what} measured no run-to-run spread, so every "
                "stage takes its predicted time (noise needs a calibrated profile)",
            )
        if proc.spec.busy_w is not None and context.nodes[proc.node].power is None:
            key = format_path(("nodes", context.nodes[proc.node].group, *proc.spec.path, "busy"))
            say([key], f"{key}: the node has no power: entry, so no energy is counted")
    return list(notes.values())
