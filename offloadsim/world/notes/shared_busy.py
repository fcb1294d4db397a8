"""The note where a node's processors share its busy power: an NPU's energy then follows the CPU's cores.

A node's ``power: {busy}`` is its draw with every core busy, and a processor without a busy power
of its own (``processors.NAME.busy``) is charged ``(busy - idle)`` over the cores of every such
processor of the node (:func:`~offloadsim.policies.device_energy.processor_busy_w`).  On a node
with a CPU and an NPU, neither with its own, a stage on the NPU is then charged what a CPU core
is, and its energy per task falls as CPU cores are added (7.21, 2.88, 1.60 mJ at 1, 4, 8 cores in
the trial that found it) at the same latency.  Said where a run may compute on such a processor
beyond a node's first, naming the watts per busy core and the key that gives it its own.
"""

from __future__ import annotations

from typing import Any

from offloadsim.scenario.errors import format_path
from offloadsim.world.doc_links import PROCESSOR_POWER_DOC
from offloadsim.world.notes.registry import Note, NoteContext

__all__ = ["KIND", "shared_busy_notes"]

KIND = "shared-busy"


def shared_busy_notes(context: NoteContext) -> list[Note]:
    """One line per powered node group whose processors share its busy power; [] for none.

    Said by a run (its energy rests on it) where a node draws more busy than idle, two or more of
    its processors have no busy power of their own, and the run may compute on one of them.
    """
    if not context.here:
        return []
    by_node: dict[str, list[Any]] = {}
    for proc in context.processors:
        by_node.setdefault(proc.node, []).append(proc)
    notes: list[Note] = []
    said: set[str] = set()
    for node, procs in by_node.items():
        spec = context.nodes[node]
        power = spec.power
        sharing = [proc for proc in procs if proc.spec.busy_w is None]
        if power is None or power.busy_w <= power.idle_w or len(sharing) < 2 or spec.group in said:
            continue
        if not any(context.under(app, proc) is not None for app in context.apps for proc in sharing):
            continue
        said.add(spec.group)
        from offloadsim.policies.device_energy import processor_busy_w  # here: rarely said

        rates = processor_busy_w(power, [(proc.cores, proc.spec.busy_w) for proc in procs])
        watts = rates[procs.index(sharing[0])]
        keys = [format_path(("nodes", spec.group, *proc.spec.path)) for proc in sharing]
        cores = sum(proc.cores for proc in sharing)
        text = (
            f"{', '.join(keys)}: no busy power of their own, so a stage on any of them is charged "
            f"{format_path(('nodes', spec.group, 'power'))}'s busy - idle shared by their {cores} "
            f"cores ({watts:.3g} W a busy core): an NPU's or GPU's energy per task then follows the "
            f"CPU's core count; give it its own (processors.NAME.busy, its draw above idle) "
            f"{PROCESSOR_POWER_DOC}"
        )
        notes.append(Note(KIND, text, {"keys": keys, "cores": cores, "core_w": watts}, about="energy"))
    return notes
