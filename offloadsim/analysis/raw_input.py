"""A swept ``input`` of ``0 B`` as what it uploads: the model's own input tensor, ``raw input, 602 kB``.

``input: 0 B`` (the default) means the tensor the network reads, so a sweep's table read ``0 B``
and its figure ``input upload = 0 kB`` where ResNet-50's 602,112 B float32 image went up.  A
sweep's manifest keeps each such value with its bytes (``raw_inputs``: ``key``, ``value``,
``bytes``); the tables and figures write it with what was uploaded beside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["raw_input_meanings", "raw_input_note", "with_meaning"]


def raw_input_meanings(manifest: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """``{key: {value: "raw input, 602 kB"}}`` from a result's manifest (none: an older one's, a run's).

    >>> raw_input_meanings({"raw_inputs": [{"key": "k", "value": "0 B", "bytes": 602112.0}]})
    {'k': {'0 B': 'raw input, 602 kB'}}
    """
    from offloadsim.memory import format_bytes

    meanings: dict[str, dict[str, str]] = {}
    rows = manifest.get("raw_inputs")
    for row in rows if isinstance(rows, list) else ():
        if isinstance(row, Mapping) and {"key", "value", "bytes"} <= set(row):
            meanings.setdefault(str(row["key"]), {})[str(row["value"])] = (
                f"raw input, {format_bytes(row['bytes'])}"
            )
    return meanings


def with_meaning(text: str, key: str, value: Any, meanings: Mapping[str, Mapping[str, str]]) -> str:
    """``text`` (a value as a table or figure writes it) with what it uploads: ``0 kB (raw input, 602 kB)``.

    >>> with_meaning("0 kB", "k", "0 B", {"k": {"0 B": "raw input, 602 kB"}})
    '0 kB (raw input, 602 kB)'
    >>> with_meaning("5 kB", "k", "5 KB", {})
    '5 kB'
    """
    from offloadsim.analysis.values import value_text

    meaning = meanings.get(key, {}).get(value_text(value)) if key in meanings else None
    return f"{text} ({meaning})" if meaning else text


def raw_input_note(label: str, key: str, values: list[Any], meanings: Mapping[str, Mapping[str, str]]) -> str:
    """The note under a figure whose x axis (``key``, called ``label``) has a value meaning the raw input.

    Its tick reads ``0``, drawn at 0, where the model's own input went up: ``""`` if none is drawn.

    >>> raw_input_note("input", "k", ["0 B", "50 KB"], {"k": {"0 B": "raw input, 602 kB"}})
    'input 0 kB is the raw input, 602 kB, drawn at 0 (input: 0 B means the tensor the model reads)'
    """
    from offloadsim.analysis.values import axis_texts, value_text

    texts = dict(zip(map(value_text, values), axis_texts(values), strict=True))
    said = [
        f"{texts[value]} is the {meaning}"
        for value, meaning in meanings.get(key, {}).items()
        if value in texts
    ]
    if not said:
        return ""
    return f"{label} {'; '.join(said)}, drawn at 0 (input: 0 B means the tensor the model reads)"
