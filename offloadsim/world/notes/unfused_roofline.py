"""The note where a roofline prices BatchNorms and activations as their own memory round trips.

For each roofline processor (a derived profile, a plain speed with a memory bandwidth) left at
``fusion: none`` and each model graph it may host: the share of its compute onnxruntime's fusion
would take away (:mod:`offloadsim.world.fusion_note`), where the runs noted may place its layers.
Computed once per kind of processor, not per node (a city of nodes shares a few).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from offloadsim.scenario.errors import format_path
from offloadsim.world.notes.registry import Note, NoteContext
from offloadsim.world.precision_speed import calibrated

__all__ = ["KIND", "merge_unfused_notes", "unfused_roofline_notes"]

KIND = "unfused-roofline"


def unfused_roofline_notes(context: NoteContext) -> list[Note]:
    """One line, naming the processors and the largest share, where fusion would take a quarter or more.

    Of the processors the runs noted may place an application's layers on (``context.under``): a
    ``local`` run quoted the share of an edge server it never used.
    """
    world = context.world
    kinds: dict[tuple[object, ...], tuple[str, list[Any]]] = {}
    for proc in context.processors:
        plain = proc.costs is None
        if proc.spec.fusion != "none" or calibrated(proc) or (plain and not proc.spec.memory_bandwidth_Bps):
            continue
        kind = (id(proc.costs),) if not plain else (proc.speed_flops, proc.spec.memory_bandwidth_Bps)
        where = format_path(("nodes", context.nodes[proc.node].group, *proc.spec.path))
        kinds.setdefault((*kind, where), (where, []))[1].append(proc)
    if not kinds or world is None:
        return []
    from offloadsim.world.fusion_note import NOTED_SHARE, UnfusedShare, unfused_note
    from offloadsim.world.profiles.builtin import roofline_layer_seconds
    from offloadsim.world.profiles.fusion import ORT_FUSION

    shares = []
    for where, procs in kinds.values():
        for app in context.apps:
            graph = app.graph
            if graph is None or app.llm is not None:
                continue
            # one of its kind the runs noted may place the application's layers on (its hosts included)
            proc = next((p for p in procs if context.under(app, p) is not None), None)
            if proc is None:
                continue
            unfused = float(np.sum(world.layer_seconds(app.name, proc.node, proc.spec.name)))
            if proc.costs is not None:
                fused = float(np.sum(proc.costs.layer_seconds(graph, ORT_FUSION)))
            else:
                bandwidth = proc.spec.memory_bandwidth_Bps
                fused = float(np.sum(roofline_layer_seconds(graph, proc.speed_flops, bandwidth, ORT_FUSION)))
            if unfused > 0:
                label = f"{format_path(('applications', app.name))} ({graph.name})"
                shares.append(UnfusedShare(where, label, 1.0 - fused / unfused))
    note = unfused_note(shares)
    facts = {"shares": [[s.processor, s.application, s.share] for s in shares if s.share >= NOTED_SHARE]}
    return [Note(KIND, note, facts)] if note else []


def merge_unfused_notes(notes: Sequence[Note]) -> Note:
    """Several runs' lines (a sweep's points over image size or precision) as one: the shares' range.

    A sweep over ``image_size`` and ``precision`` said four lines alike but for 53, 54, 56 and 60 %;
    merged, the processors are named once and the largest share of each run reads as a range.
    """
    if not all(isinstance(note.facts.get("shares"), list) and note.facts["shares"] for note in notes):
        return notes[0]
    from offloadsim.world.fusion_note import UnfusedShare, unfused_note

    every = [UnfusedShare(*share) for note in notes for share in note.facts["shares"]]
    least = min(max(share[2] for share in note.facts["shares"]) for note in notes)
    text = unfused_note(every, least)
    assert text is not None  # every share kept was noted
    return Note(KIND, text, {"shares": [[s.processor, s.application, s.share] for s in every]})
