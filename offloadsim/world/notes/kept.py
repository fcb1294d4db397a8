"""The notes a results directory recorded for its figures, as a figure of some of its runs says them.

A run's, a comparison's or a sweep's manifest keeps ``figure_notes`` (each note a figure says,
with its ``kind``, the ``points`` it holds for and its ``about``) and ``figure_merges`` (for a kind
that merges, the line said in place of each set of its rows a figure may draw), written by
:func:`~offloadsim.world.notes.registry.figure_notes` while the world and its providers existed.
So a figure reads what the runs recorded, never the world nor a provider: a provider says once,
where it is registered, whether figures say its notes and how they merge.  Results written
before (a comparison's or sweep's ``precision_notes`` only) are said as written, a line a note.
A leaf module: the figures read it without the world.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

__all__ = ["said_of_rows", "said_under_figure"]


def said_under_figure(
    manifest: Mapping[str, Any],
    drawn: Collection[int] | None,
    *,
    energy: bool,
    policies: Collection[str] | None = None,
    apps: Collection[str] | None = None,
    profiles: Collection[str] | None = None,
    nodes: Collection[str] | None = None,
) -> list[str]:
    """The notes a figure of ``manifest``'s runs says: of the points it draws (None: every run).

    Notes ``about`` energy only where it draws energy (``energy``).  ``policies``: those the
    figure draws (None: every one): a note that holds under other policies only (its ``under``)
    is left out, and a figure of one policy says its note as of that policy alone (``each``),
    without "(under edge only)" (a figure filtered to ``local`` said "(under cloud only)" and
    "(under edge only)" lines).  Falls back to a comparison's or sweep's ``precision_notes``
    where the results predate ``figure_notes`` (a run's: none).  ``apps``: the applications it
    draws (None: every one), likewise: a note about others only (its ``apps``) is left out, and
    a figure of one application says a note naming several as of that one (``each_app``): a
    figure of ``--where app=vgg16`` said alexnet's int8 peak ratio and its Raspberry Pi.
    ``profiles``: the processors' profiles it draws (None: every one): a note about others' only
    (its ``profiles``: a GPU's assumed efficiency, a precision's stand-in peak) is left out;
    ``nodes``: the nodes it draws (None: every one): a note about others' only (its ``nodes``: a
    plain ``speed:``, the ``power:`` values) likewise, and a note naming several nodes' keys says
    the line of those drawn (``each_node``) where they are all of one.  A note names a ``count:``
    group all of whose nodes it is about as the group (``phone``, its size in ``node_groups``): a
    figure of ``phone-7`` keeps it.
    """
    rows = manifest.get("figure_notes")
    merges = manifest.get("figure_merges") or ()
    if rows is None:
        rows, merges = manifest.get("precision_notes") or (), ()
    shown = None if policies is None else {str(p) for p in policies}
    drawn_nodes = None if nodes is None else _with_groups(nodes, [*rows, *merges])
    drawn_apps = None if apps is None else {str(a) for a in apps}
    kept = [
        i
        for i, row in enumerate(rows)
        if ("points" not in row or drawn is None or set(drawn).intersection(row["points"]))
        and (row.get("about") != "energy" or energy)
        and _held_under(row, shown)
        and _of_drawn(row.get("apps"), drawn_apps)
        and _of_drawn(row.get("profiles"), None if profiles is None else {str(p) for p in profiles})
        and _of_drawn(row.get("nodes"), drawn_nodes)
    ]
    said = said_of_rows(rows, kept, merges)
    alone = next(iter(shown)) if shown is not None and len(shown) == 1 else None
    for i in kept:  # a row of one figure's one policy, said as of it alone
        each = rows[i].get("each")
        if alone is not None and isinstance(each, Mapping) and isinstance(each.get(alone), str):
            said = [each[alone] if line == str(rows[i]["note"]) else line for line in said]
    one_app = next(iter(drawn_apps)) if drawn_apps is not None and len(drawn_apps) == 1 else None
    if one_app is not None:  # a line naming several applications, as of the one drawn
        lines = [*([row] for row in rows), *([merge] for merge in merges)]
        own = {str(r["note"]): r["each_app"] for [r] in lines if isinstance(r.get("each_app"), Mapping)}
        said = [
            str(own[line][one_app]) if line in own and isinstance(own[line].get(one_app), str) else line
            for line in said
        ]
    if drawn_nodes is not None:  # a line naming several nodes' keys, as of those drawn where one says all
        of_nodes = {str(r["note"]): _line_of_nodes(r.get("each_node"), drawn_nodes) for r in [*rows, *merges]}
        said = [of_nodes.get(line) or line for line in said]
    return list(dict.fromkeys(said))


def _with_groups(nodes: Collection[str], rows: Sequence[Mapping[str, Any]]) -> set[str]:
    """The nodes drawn and the ``count:`` groups they are of, as the rows name a group (``node_groups``).

    ``phone-7`` is of the group ``phone`` that made ``phone-0 .. phone-(size-1)``, where size is
    the largest a row says (a sweep of ``nodes.phone.count``: its largest point's).
    """
    sizes: dict[str, int] = {}
    for row in rows:
        for group, size in (row.get("node_groups") or {}).items():
            sizes[str(group)] = max(sizes.get(str(group), 0), int(size))
    drawn = {str(n) for n in nodes}
    for name in list(drawn):
        group, _, index = name.rpartition("-")
        if group in sizes and index.isdigit() and str(int(index)) == index and int(index) < sizes[group]:
            drawn.add(group)
    return drawn


def _line_of_nodes(each_node: object, drawn: set[str]) -> str | None:
    """The one line of ``each_node`` (its lines, each with its nodes) said of every node ``drawn``; or None.

    A plain speed's note naming the phones' and the watches' keys said both under a figure of the
    phones: where the nodes drawn are all of one line, that line; of several, the row's own.
    """
    if not isinstance(each_node, list):
        return None
    found = {
        str(item["note"])
        for item in each_node
        if isinstance(item, Mapping) and drawn.intersection(str(node) for node in item.get("nodes", ()))
    }
    return found.pop() if len(found) == 1 else None


def _of_drawn(about: object, drawn: set[str] | None) -> bool:
    """Whether a row about these (apps, profiles) names one ``drawn`` (None: any); naming none: yes."""
    if drawn is None or not isinstance(about, list) or not about:
        return True
    return bool(drawn.intersection(str(item) for item in about))


def _held_under(row: Mapping[str, Any], shown: set[str] | None) -> bool:
    """Whether ``row`` holds under a policy drawn (``shown``; None: every one); a row for every run does."""
    under = row.get("under")
    if shown is None or not isinstance(under, list) or not under:
        return True
    return bool(shown.intersection(str(label) for label in under))


def said_of_rows(
    rows: Sequence[Mapping[str, Any]], kept: Sequence[int], merges: Sequence[Mapping[str, Any]] = ()
) -> list[str]:
    """The lines of ``rows`` numbered ``kept``: those of one kind that a merge is ``of`` said as its line.

    The merged line stands at the first of its rows' place; a set of rows no merge is of (a
    manifest from before merges were recorded, or more rows than were merged in each set) is said
    a line a row.  Distinct lines, in order.
    """
    kinds: dict[str, list[int]] = {}
    for i in kept:
        if "points" in rows[i] and isinstance(rows[i].get("kind"), str):
            kinds.setdefault(rows[i]["kind"], []).append(i)
    said: list[str] = []
    for i in kept:
        same = kinds.get(str(rows[i].get("kind")), []) if "points" in rows[i] else []
        line = next(
            (
                str(m["note"])
                for m in merges
                if len(same) > 1 and m.get("kind") == rows[i]["kind"] and list(m.get("of", ())) == same
            ),
            None,
        )
        if line is None:
            said.append(str(rows[i]["note"]))
        elif i == same[0]:
            said.append(line)
    return list(dict.fromkeys(said))
