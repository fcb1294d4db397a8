"""A policy named with the node it places on: ``fixed (edge1)``, where its label does not say it.

A run, comparison or sweep of the file's ``{name: fixed, node: edge1}`` records its policy as
``fixed``, and its figures' legends read ``fixed``: which node was fixed was said nowhere on the
page.  A comparison's entry ``fixed(node=edge1)`` says it already, and a sweep whose runs differ
in ``policy.node`` says it by that key (its series or panels): those are left as they are.
Wherever a figure names the policy (its legend, ticks, notes) it names the node
(:func:`~offloadsim.plots.series_names.shown_name`, carried by ``naming_policy_nodes``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from offloadsim.analysis.values import policy_label_shows
from offloadsim.records.stored import Results

__all__ = ["policy_nodes"]


def policy_nodes(results: Results, document: Mapping[str, Any] | None = None) -> dict[str, str]:
    """Each policy label of ``results`` whose runs place on one ``node`` its label does not name: its node.

    A run's policy (its manifest's ``policy``), a comparison's entries (``policies``), a sweep's
    scenario's policy (``document``: the scenario it ran, a sweep's ``set:`` applied) where no
    point sets ``policy.node`` or another policy.

    >>> from pathlib import Path
    >>> ran = {"policy": {"name": "fixed", "params": {"node": "e"}}}
    >>> policy_nodes(Results("run", Path("r"), None, None, None, ran))
    {'fixed': 'e'}
    >>> entry = {"name": "fixed", "label": "fixed(node=e)", "params": {"node": "e"}}
    >>> policy_nodes(Results("compare", Path("c"), None, None, None, {"policies": [entry]}))
    {}
    """
    manifest = results.manifest
    if results.kind == "run":
        entries = [manifest.get("policy")]
    elif results.kind == "compare":
        entries = list(manifest.get("policies") or ())
    elif any(key in ("policy.name", "policy.node") for key in results.swept):
        return {}
    else:
        policy = (document or {}).get("policy")
        entries = [{"name": policy.get("name"), "params": policy}] if isinstance(policy, Mapping) else []
    named: dict[str, str] = {}
    for entry in entries:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("params"), Mapping):
            continue
        label, node = str(entry.get("label", entry.get("name"))), entry["params"].get("node")
        if isinstance(node, str) and node and not policy_label_shows("policy.node", label, node):
            named[label] = node
    return named
