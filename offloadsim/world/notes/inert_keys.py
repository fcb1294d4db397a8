"""The note on keys the scenario sets that this version does not act on: a run would not show it otherwise.

A link's ``loss`` is recorded, not simulated (the scenario's, or a ``dynamics`` entry's: a
``gilbert-elliott`` state's, a trace's ``loss`` column); a ``compression`` codec no narrower than
the model's precision compresses nothing; ``noise`` on a processor whose profile measured no
run-to-run spread (a derived profile, a plain speed) draws nothing; a processor's ``busy`` on a
node with no ``power:`` charges nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

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
    keys = [f"links[{i}].loss" for i in lossy] + _dynamics_loss_keys(context)
    if keys:
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


def _dynamics_loss_keys(context: NoteContext) -> list[str]:
    """The ``dynamics`` keys that set a loss above 0: as written, and a trace file's ``loss`` column."""
    keys = []
    for index, entry in enumerate(getattr(context.scenario, "dynamics", ()) or ()):
        keys += [format_path(("dynamics", index, *path)) for path in _loss_paths(entry, ())]
    for dynamics in getattr(context.world, "dynamics", ()) or ():
        rows = getattr(dynamics.spec, "rows", None)
        columns = getattr(rows, "columns", ())
        if (
            rows is not None
            and "loss" in columns
            and any(v > 0.0 for v in rows.values[columns.index("loss")])
        ):
            keys.append(f"{format_path(('dynamics', dynamics.index, 'file'))} (its loss column)")
    return keys


def _loss_paths(value: Any, path: tuple[Any, ...]) -> Iterator[tuple[Any, ...]]:
    """The key paths under ``value`` (a dynamics entry as written) whose ``loss`` is not 0."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "loss" and not _zero(item):
                yield (*path, key)
            else:
                yield from _loss_paths(item, (*path, key))
    elif isinstance(value, list | tuple):
        for at, item in enumerate(value):
            yield from _loss_paths(item, (*path, at))


def _zero(value: Any) -> bool:
    """Whether a loss as written is 0 (``0``, ``0 %``); anything else counts as a loss set."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return value == 0
    text = str(value).strip().removesuffix("%").strip()
    try:
        return float(text) == 0
    except ValueError:
        return False
