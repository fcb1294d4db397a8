"""Links a sweep varies (or ``--set`` changes) that carried no bytes: their values changed nothing.

Routes take the lowest latency (docs/scenario-format.md, "Routing"): a sweep that zipped a direct
edge-to-edge link's bandwidth and latency from 10 Gbps/0.1 ms to 10 Mbps/10 ms sent the cut
tensors round it, through the access point, once its latency was the higher, and the slowest
link read the fastest time to first token, with nothing said.  Each run's links table
(``links.parquet``: ``a``, ``b``, ``bytes``) gives what each ``links[]`` entry carried
(:func:`entry_bytes`); :func:`idle_links_notes` says, once, where a changed entry carried none
while other links carried the runs' traffic.  A single run says it too (:func:`set_links_notes`):
a link ``run --set`` changed shows the user meant it to carry the traffic, as a swept one does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["changed_entries", "entry_bytes", "idle_links_notes", "set_links_notes"]

#: How many configurations a note names before "and N more".
_NAMED = 4


def entry_bytes(scenario: Any, links: Any) -> tuple[float | None, ...]:
    """Bytes each ``links[]`` entry of ``scenario`` carried in a run, both ways, summed over its pairs.

    ``links``: the run's links table (its ``a``, ``b`` and ``bytes`` columns only); None for an
    entry that links no pair.  A link a ``dynamics`` entry made (no ``links[]`` entry's) counts
    for none.
    """
    entry_of: dict[tuple[str, str], int] = {}
    for link in scenario.links:
        entry_of[(link.a, link.b)] = entry_of[(link.b, link.a)] = link.index
    count = max(entry_of.values(), default=-1) + 1
    carried: list[float | None] = [None] * count
    for link in scenario.links:
        carried[link.index] = 0.0
    for a, b, sent in zip(links["a"], links["b"], links["bytes"], strict=True):
        index = entry_of.get((str(a), str(b)))
        if index is not None:
            carried[index] = (carried[index] or 0.0) + float(sent)
    return tuple(carried)


def set_links_notes(scenario: Any, links: Any) -> list[str]:
    """The note of a run whose ``--set`` (or ``overrides=``) changed a link that carried no bytes; or [].

    ``run --set 'links[2].latency=10 ms'`` over a link its traffic then went round (routes take
    the lowest latency) measured the other way, with nothing said, where ``compare`` and ``sweep``
    with the same key said so.  A link the scenario file alone declares shows no such intent: an
    idle one is counted in the table's busiest links (``2 idle``), not said here.  ``links``: the
    run's links table.
    """
    given = {key: set_by.note for key, set_by in scenario.footprint.set_by}
    entries = changed_entries(list(given), scenario.document, given)
    if not entries:
        return []
    return idle_links_notes(
        [{"run": 0, "bytes": entry_bytes(scenario, links)}], entries, {(0,): ""}, ["run"], ""
    )


def changed_entries(
    keys: Sequence[str], document: Mapping[str, Any], said: Mapping[str, str] | None = None
) -> dict[int, str]:
    """The ``links[]`` entries some key path of ``keys`` changes, each named: ``links[2] (a <-> b)``.

    ``said``: what to add of a key to its entry's name (``set by --set "links[2].latency=10 ms"``).

    >>> changed_entries(["links[-1].latency", "policy.name"], {"links": [{}, {"between": ["a", "b"]}]})
    {1: 'links[1] (a <-> b)'}
    >>> changed_entries(["links[0].latency"], {"links": [{}]}, {"links[0].latency": 'set by --set "..."'})
    {0: 'links[0] (set by --set "...")'}
    """
    from offloadsim.scenario.overrides import PathError, parse_path

    entries = document.get("links")
    entries = entries if isinstance(entries, list) else []
    parts_of: dict[int, list[str]] = {}
    for key in keys:
        try:
            parts = parse_path(key)
        except PathError:
            continue
        if len(parts) < 2 or parts[0] != "links" or not isinstance(parts[1], int):
            continue
        index = parts[1] + len(entries) if parts[1] < 0 else parts[1]
        if not 0 <= index < len(entries):
            continue
        if index not in parts_of:
            entry = entries[index]
            between = entry.get("between") if isinstance(entry, Mapping) else None
            parts_of[index] = [" <-> ".join(map(str, between))] if isinstance(between, list) else []
        if said and key in said:
            parts_of[index].append(said[key])
    return {
        i: f"links[{i}]" + (f" ({', '.join(parts)})" if parts else "")
        for i, parts in sorted(parts_of.items())
    }


def idle_links_notes(
    rows: Sequence[Mapping[str, Any]],
    changed: Mapping[int, str],
    label_of: Mapping[tuple[Any, ...], str],
    run: Sequence[str],
    how: str,
    unit: str = "points",
) -> list[str]:
    """The notes naming where each ``changed`` entry carried no bytes while other links carried some.

    ``rows``: one a run, naming it by ``run`` (``point``/``policy`` and ``replication``), with
    ``bytes``, what each ``links[]`` entry carried (:func:`entry_bytes`).  ``label_of`` names a
    run's configuration (``links[2].latency=10 ms``; ``""`` for the only one).  A configuration
    counts when no run of it sent a byte over the entry and some run sent bytes over another
    link: a policy that offloads nothing (``local``) moves no data anywhere and is not said.
    ``how``: what changed the entries (``which the sweep varies``; "": their names say); ``unit``:
    what a configuration is called.  Entries idle in the same configurations share a note.
    """
    configs: dict[str, list[Sequence[float | None]]] = {}
    for row in rows:
        label = label_of.get(tuple(row[k] for k in run))
        if label is not None:
            configs.setdefault(label, []).append(row["bytes"])
    idle: dict[tuple[str, ...], list[str]] = {}
    for index, name in changed.items():
        where = tuple(
            label
            for label, runs in configs.items()
            if all(_at(carried, index) == 0.0 for carried in runs)
            and any(sum(b or 0.0 for b in carried) > 0.0 for carried in runs)
        )
        if where:
            idle.setdefault(where, []).append(name)
    notes = []
    traffic = "runs' traffic" if len(rows) > 1 else "run's traffic"
    for where, names in idle.items():
        links = " and ".join(names)
        if where == ("",):
            at = ""
        elif len(where) == len(configs):
            at = f" {_word(unit)} every one of the {len(configs)} {unit}"
        else:
            shown = "; ".join(where[:_NAMED]) + (
                f"; and {len(where) - _NAMED} more" if len(where) > _NAMED else ""
            )
            at = f" {_word(unit)} {len(where)} of the {len(configs)} {unit} ({shown})"
        notes.append(
            f"{links}{', ' + how if how else ''}, carried no bytes{at} "
            f"while other links carried the {traffic}: "
            "routes take the lowest latency (docs/scenario-format.md#routing), so the traffic went another "
            f"way and {'their' if len(names) > 1 else 'its'} values there changed nothing; "
            "`offloadsim run SCENARIO --dry-run --set ...` with those values shows the route"
        )
    return notes


def _at(carried: Sequence[float | None], index: int) -> float | None:
    return carried[index] if index < len(carried) else None


def _word(unit: str) -> str:
    """``at`` 2 of the 4 points, ``under`` 1 of the 2 policies."""
    return "under" if unit == "policies" else "at"
