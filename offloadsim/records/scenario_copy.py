"""The scenario a result simulated, written into its directory (``scenario.yaml``) to run it again from there.

A manifest names the scenario's file and hashes its document, but a scenario built in code
(``load_scenario_data(doc, source="x")``) has no file, and one changed by overrides
(``--set duration=5 s``) has a file that holds something else.  So every run, comparison and
sweep directory holds the document itself, as loaded (overrides applied, before defaults are
filled in): exactly the data its manifest's ``scenario_hash`` hashed, so a reader can check
one against the other.  A sweep's holds its base scenario and the sweep file, its ``base:``
naming that copy (:func:`sweep_text`), whose jobs have the keys the sweep's had.

The files a scenario reads (traces, samples, profiles) are copied into ``inputs/`` beside it
(:mod:`.input_copies`), where loading this ``scenario.yaml`` reads them: the document names them
as written, relative to the scenario's folder, which a comment line names (the manifest's
``inputs`` lists each with its hash, ``inputs_copied`` each copy).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

__all__ = ["SCENARIO_DOCUMENT", "SWEEP_DOCUMENT", "plain_data", "scenario_text", "sweep_text"]

#: The scenario's copy in a result's directory (the manifests' ``scenario_document`` names it).
SCENARIO_DOCUMENT = "scenario.yaml"
#: A sweep's copy of its sweep file, beside the base scenario's (its manifest's ``sweep_document``).
SWEEP_DOCUMENT = "sweep.yaml"


def plain_data(document: Mapping[str, Any]) -> dict[str, Any]:
    """``document`` as the hashes read it: JSON data (a tuple a list, anything else its text)."""
    data: dict[str, Any] = json.loads(json.dumps(dict(document), default=str))
    return data


def scenario_text(
    document: Mapping[str, Any],
    source: str,
    base_dir: str = "",
    reads_files: bool = False,
    *,
    base: bool = False,
    copied: bool = False,
) -> str:
    """The YAML of a result's ``scenario.yaml``: comment lines saying what it is, then ``document``.

    ``source``: where the scenario came from (a file, or the name given to a document built in
    code); ``base_dir``: the folder its relative file names are relative to, said where
    ``reads_files``; ``base``: a sweep's base scenario, as read (its points vary it); ``copied``:
    the files it read are copied into ``inputs/`` beside it.
    """
    lines = (
        [
            f"# The base scenario of this sweep, from {source}, as read (before the sweep's set:, grid:",
            "# and zip:, which the sweep.yaml beside it applies), as its manifest's base_hash hashed it.",
        ]
        if base
        else [
            f"# The scenario this result simulated, from {source} (its overrides applied), as its manifest's",
            "# scenario_hash hashed it; the policy, seed and replication that ran are the manifest's.",
        ]
    )
    if reads_files and base_dir:
        folder = Path(base_dir).resolve()
        lines.append(
            f"# A relative file name in it is relative to {folder} (the manifest's inputs: each file read)."
            if not copied
            else f"# Its relative file names were read in {folder}: copies are in inputs/ beside it, where"
            " running this file reads them (the manifest's inputs_copied; inputs_not_copied: any not)."
        )
    return "\n".join(lines) + "\n" + _yaml(plain_data(document))


def sweep_text(document: Mapping[str, Any], name: str) -> str:
    """The YAML of a sweep's ``sweep.yaml``: its sweep file with ``base:`` the copy beside it and its name."""
    data = plain_data(document)
    data["base"] = SCENARIO_DOCUMENT
    data["name"] = name  # a file named sweep.yaml would otherwise be a sweep named "sweep"
    head = (
        "# The sweep that made this result, its base the scenario.yaml beside it (the base as read,\n"
        "# before its set:, grid: and zip:): offloadsim sweep sweep.yaml --out THIS_FOLDER reuses its jobs.\n"
    )
    return head + _yaml(data)


def _yaml(data: Mapping[str, Any]) -> str:
    from offloadsim.strict_yaml import dump_yaml

    return dump_yaml(dict(data), sort_keys=False, allow_unicode=True, width=100_000)
