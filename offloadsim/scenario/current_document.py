"""A scenario's document made to say what it holds, after ``dataclasses.replace`` changed a field.

``dataclasses.replace(scenario, seed=5)`` copies every field it is not given, the loaded
``document`` too: the run's manifest then hashed, and its ``scenario.yaml`` wrote, a document
whose seed was another, so the folder did not say what ran.  The loader stamps each scenario
with its document and field values (:func:`~offloadsim.scenario.model.stamped`); where a field
differs from them while the document is still the loaded one, :func:`with_current_document`
writes the change into it: a top-level value (seed, duration, name...) at its key, anything
else (nodes, links, applications, workload, policy, dynamics, recovery) by writing the whole
scenario back as ``validate --show`` does (:func:`~offloadsim.scenario.written.resolved_scenario`),
its files in the scenario's folder named relative to it again.  A document one gave with the
change is taken as given.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from offloadsim.scenario.model import DOCUMENT_FIELDS, Scenario

__all__ = ["changed_fields", "with_current_document"]

#: The fields a document holds at one top-level key: (key, SI quantity or None for the value as is).
_TOP_LEVEL: dict[str, tuple[str, str | None]] = {
    "name": ("name", None),
    "seed": ("seed", None),
    "duration_s": ("duration", "time"),
    "warmup_s": ("warmup", "time"),
    "description": ("description", None),
    "skip_checks": ("skip_checks", None),
}


def changed_fields(scenario: Scenario) -> list[str]:
    """The fields of ``scenario`` changed since the loader made it, with its document left as loaded.

    [] for a scenario as loaded, one built by hand (no stamp), and one given a document of its own.
    """
    loaded = scenario.loaded_fields
    if (
        not isinstance(loaded, tuple)
        or len(loaded) != len(DOCUMENT_FIELDS) + 1
        or scenario.document is not loaded[0]
    ):
        return []
    return [
        name
        for name, was in zip(DOCUMENT_FIELDS, loaded[1:], strict=True)
        if _differs(getattr(scenario, name), was)
    ]


def with_current_document(scenario: Scenario) -> Scenario:
    """``scenario`` with a document that says what it holds (itself where it already does)."""
    changed = changed_fields(scenario)
    if not changed:
        return scenario
    if all(name in _TOP_LEVEL for name in changed):
        from offloadsim.scenario.written import SI_UNITS

        document: dict[str, Any] = dict(scenario.document)
        for name in changed:
            key, quantity = _TOP_LEVEL[name]
            value = getattr(scenario, name)
            document[key] = (
                f"{float(value)!r} {SI_UNITS[quantity]}"
                if quantity
                else list(value)
                if isinstance(value, tuple)
                else value
            )
    else:
        from offloadsim.scenario.written import resolved_scenario

        document = _relative_files(resolved_scenario(scenario)[0], scenario.base_dir)
    fields = (document, *(getattr(scenario, name) for name in DOCUMENT_FIELDS))
    return replace(scenario, document=document, loaded_fields=fields)


def _relative_files(value: Any, base_dir: str) -> Any:
    """``value`` with each absolute name of a file in ``base_dir`` (or below) written relative to it.

    The written-back document names files absolutely; named relatively, as the loaded one named
    them, a result keeps and reads its copies of them (offloadsim.records.input_copies).
    """
    if isinstance(value, dict):
        return {key: _relative_files(item, base_dir) for key, item in value.items()}
    if isinstance(value, list):
        return [_relative_files(item, base_dir) for item in value]
    if isinstance(value, str) and base_dir and os.path.isabs(value) and os.path.isfile(value):
        base = Path(base_dir).resolve()
        if Path(value).is_relative_to(base):
            return Path(value).relative_to(base).as_posix()
    return value


def _differs(now: object, was: object) -> bool:
    """Whether a field's value changed: not the same object, nor equal (a value that cannot say: changed)."""
    if now is was:
        return False
    try:
        return bool(now != was)
    except Exception:  # an array's ambiguous truth, a plug-in's __eq__ that raised
        return True
