"""The note naming the plain ``speed:`` processors the runs may place layers on: the scenario's own figures.

A profile says where its rate comes from (a data sheet, a calibration); a plain ``speed:`` is the
scenario's own number, and a run's latencies rest on it without a word of where it came from.
The note keeps its keys and speeds as facts (``{"speeds": [{"key", "flops", "under", "nodes"}, ...]}``),
so that a sweep's points' notes merge into one line from them (:func:`merge_plain_speed`), in its
table and under its figures, however many speeds it swept.  A leaf module but for the
provider's context: the figures merge a manifest's notes with it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from offloadsim.scenario.errors import format_path
from offloadsim.scenario.units import axis_unit_texts, format_quantity
from offloadsim.world.doc_links import SPEED_DOC
from offloadsim.world.notes.labels import joined, under_text
from offloadsim.world.notes.registry import Note, NoteContext, joined_sizes, node_facts

__all__ = ["KIND", "merge_plain_speed", "plain_speed_notes", "plain_speed_text"]

KIND = "plain-speed"

#: Distinct speeds of one key said each; more are said as a range and a count.
_LISTED = 3


def plain_speed_notes(context: NoteContext) -> list[Note]:
    """One line naming the plain ``speed:`` processors the runs noted may place layers on; [] for none.

    ``context.under``: where the runs may place each application's layers (a comparison's
    policies named where only some may).  Said by a run (its times rest on them), not ``validate``.
    """
    if not context.here:
        return []
    groups = context.groups
    said: dict[str, tuple[float, tuple[str, ...] | None]] = {}  # key path -> speed, runs
    nodes: dict[str, list[str]] = {}  # key path -> the nodes it is the speed of that the runs may use
    for proc in context.processors:
        if proc.costs is not None:
            continue
        labels = None
        for app in context.apps:
            labels = joined(labels, context.under(app, proc))
        if labels is None:
            continue
        key = format_path(("nodes", groups.get(proc.node, proc.node), *proc.spec.path, "speed"))
        before = said[key][1] if key in said else None
        said[key] = (proc.speed_flops, joined(before, labels))
        on = nodes.setdefault(key, [])
        if proc.node not in on:
            on.append(proc.node)
    if not said:
        return []
    named = {key: node_facts(on, groups) for key, on in nodes.items()}  # a whole group: its name
    entries = [
        {"key": key, "flops": [flops], "under": list(labels or ()), "nodes": named[key][0]}
        for key, (flops, labels) in said.items()
    ]
    return [_note(entries, joined_sizes(*({"node_groups": sizes} for _, sizes in named.values())))]


def plain_speed_text(entries: Sequence[Mapping[str, Any]]) -> str:
    """The note's line from its facts' ``speeds``: ``nodes.phone.processor.speed (20 GFLOP/s): ...``.

    Each entry: its ``key``, its speeds (``flops``, FLOP/s) and the runs that may place on it
    (``under``: empty for every one).
    """
    each = ", ".join(
        f"{entry['key']} ({_speeds_text(entry['flops'])}){under_text(tuple(entry['under']))}"
        for entry in entries
    )
    one = len(entries) == 1 and len(entries[0]["flops"]) == 1
    return (
        f"{each}: the scenario's own {'figure' if one else 'figures'}, with no profile or stated source "
        f"behind {'it' if one else 'them'} {SPEED_DOC}"
    )


def merge_plain_speed(notes: Sequence[Note]) -> Note:
    """Several runs' plain-speed notes (a sweep's points) as one, from their facts.

    Each key once, in the order first named, with every speed it had (a swept ``speed`` lists
    them, or their range), and the runs that may place on it joined (a sweep's points' notes
    each name every run of their point: ``under`` empty).  A key only some points place on is
    named as the others: what the line says of it, the scenario's own figure, holds in each run.
    A sweep of a plain speed under three policies said a line a point and policy; under a bars
    figure four of them took the panel's room.
    """
    if len(notes) == 1:
        return notes[0]
    merged: dict[str, dict[str, Any]] = {}
    for note in notes:
        for entry in note.facts["speeds"]:
            into = merged.setdefault(
                entry["key"], {"key": entry["key"], "flops": [], "under": None, "seen": 0, "nodes": []}
            )
            into["flops"] += [f for f in entry["flops"] if f not in into["flops"]]
            into["nodes"] += [n for n in entry.get("nodes", ()) if n not in into["nodes"]]
            into["under"] = joined(into["under"], tuple(entry["under"]))
            into["seen"] += 1
            into["some_runs"] = into.get("some_runs", False) or bool(entry.get("some_runs"))
    entries = [
        {
            "key": entry["key"],
            "flops": entry["flops"],
            "under": list(entry["under"] or ()),
            **({"nodes": entry["nodes"]} if entry["nodes"] else {}),
            **({"some_runs": True} if entry["some_runs"] or entry["seen"] < len(notes) else {}),
        }
        for entry in merged.values()
    ]
    return _note(entries, joined_sizes(*(note.facts for note in notes)))


def _note(entries: list[dict[str, Any]], sizes: Mapping[str, int]) -> Note:
    """The note of ``entries``; where some hold under some policies only, what a figure of each says.

    Facts ``under``: the policies any entry holds under, where every entry holds under some only
    (a figure of none of them says nothing); ``each``: per policy, the line of the entries it may
    place on, with no "(under ... only)" (a figure of that policy alone says it); ``nodes``: the
    nodes whose speeds it names, where each entry names its own (a figure of other nodes, ``plot
    --kind utilisation --where node=edge``, leaves it out); ``each_node``, where it names several
    keys: each line of some of them (``note``) with the nodes it is all a figure of them says
    (``nodes``), so that a figure of the phones does not name the watches' speed too.  Grouped by
    line, not keyed by node: a group of 500,000 phones names them once, not with a line each;
    ``node_groups`` (``sizes``): each ``count:`` group named as the scenario spells it (``phone``,
    every one of its nodes) and how many nodes it made.
    """
    facts: dict[str, Any] = {"speeds": entries}
    if all(entry.get("nodes") for entry in entries):
        facts["nodes"] = list(dict.fromkeys(node for entry in entries for node in entry["nodes"]))
        if sizes:
            facts["node_groups"] = dict(sizes)
        if len(entries) > 1:
            facts["each_node"] = _each_node(entries)
    named = list(dict.fromkeys(label for entry in entries for label in entry["under"]))
    if named:
        if all(entry["under"] for entry in entries):
            facts["under"] = named
        facts["each"] = {
            label: plain_speed_text(
                [{**entry, "under": []} for entry in entries if not entry["under"] or label in entry["under"]]
            )
            for label in named
        }
    return Note(KIND, plain_speed_text(entries), facts)


def _speeds_text(flops: Sequence[float]) -> str:
    """``20 GFLOP/s``; ``500 GFLOP/s, 1,000 GFLOP/s``; ``1 GFLOP/s to 2,000 GFLOP/s, 5 values`` for many.

    Several (a sweep's) in the one unit their figure's axis shows (:func:`axis_unit_texts`): the note
    under a sweep of an edge's speed said "1 TFLOP/s" where the axis beside it read 1,000 GFLOP/s.

    >>> _speeds_text([4e12]), _speeds_text([5e11, 1e12]), _speeds_text([1e9, 2e9, 5e9, 1e12])
    ('4 TFLOP/s', '500 GFLOP/s, 1,000 GFLOP/s', '1 GFLOP/s to 1,000 GFLOP/s, 4 values')
    """
    if len(flops) == 1:
        return format_quantity(flops[0], "speed")
    if len(flops) <= _LISTED:
        return ", ".join(axis_unit_texts(list(flops), "speed"))
    low, high = axis_unit_texts([min(flops), max(flops)], "speed")
    return f"{low} to {high}, {len(flops)} values"


def _each_node(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each distinct line of the entries some nodes' speeds are keyed in, with those nodes (``_note``).

    Grouped by which entries name a node, each line made once: not a line made per node.
    """
    named = [set(entry["nodes"]) for entry in entries]
    groups: dict[tuple[int, ...], list[str]] = {}  # the entries naming a node -> those nodes
    for node in dict.fromkeys(node for entry in entries for node in entry["nodes"]):
        groups.setdefault(tuple(i for i, nodes in enumerate(named) if node in nodes), []).append(node)
    return [
        {"note": plain_speed_text([entries[i] for i in of]), "nodes": nodes} for of, nodes in groups.items()
    ]
