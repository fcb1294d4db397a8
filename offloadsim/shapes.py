"""Predicates for the shape of JSON read back from a file offloadsim wrote (a manifest, a profile).

A hand-edited or foreign file is refused at its first key of the wrong shape, by the readers'
tables of key, predicate and wording, rather than failing as a bare Python exception later.
``true`` is no number here, as JSON and YAML tell them apart.  :func:`describe` shows what was
found instead, as every message about a user's value does (``got a list``, ``got "fast"``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["describe", "each", "is_count", "is_mapping", "is_number", "is_text", "is_texts", "is_whole"]


def is_text(value: Any) -> bool:
    """Text."""
    return isinstance(value, str)


def is_whole(value: Any) -> bool:
    """A whole number (not ``true``)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_count(value: Any) -> bool:
    """A whole number >= 0 (not ``true``, not ``3.0``): a count, or a seed, as offloadsim wrote it.

    >>> [is_count(v) for v in (0, 3, -1, 3.0, True, "3")]
    [True, True, False, False, False, False]
    """
    return is_whole(value) and value >= 0


def is_number(value: Any) -> bool:
    """A whole or decimal number (not ``true``)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_mapping(value: Any) -> bool:
    """A mapping (a JSON object)."""
    return isinstance(value, Mapping)


def is_texts(value: Any) -> bool:
    """A list of text."""
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def each(fits: Callable[[Any], bool]) -> Callable[[Any], bool]:
    """A mapping whose values each fit.

    >>> each(is_text)({"a": "x"}), each(is_text)({"a": 1}), each(is_text)(["x"])
    (True, False, False)
    """
    return lambda value: isinstance(value, Mapping) and all(fits(item) for item in value.values())


def describe(value: Any, limit: int = 60) -> str:
    """Show a user's value briefly in a message: strings in double quotes, containers by kind."""
    if isinstance(value, str):
        from offloadsim.unseen import escape_unseen  # control and bidi characters, as names are

        text = escape_unseen(json.dumps(value, ensure_ascii=False))
        return text if len(text) <= limit else text[: limit - 4] + '..."'
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) and len(text := repr(value)) > limit:  # YAML reads any length of digits
        return f"{text[: limit - 20]}... ({len(text.lstrip('-'))} digits)"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dict):
        return "a mapping" if value else "an empty mapping"
    if isinstance(value, (list, tuple)):
        return "a list" if value else "an empty list"
    return type(value).__name__
