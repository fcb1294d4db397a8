"""The policies a comparison runs, each written ``NAME`` or ``NAME(KEY=VALUE, ...)``: read and labelled.

``compare --policies 'least-loaded(load_bucket=0.02),least-loaded,edge'`` compares one policy
with two parameter settings beside another: each entry gives the policy's parameters as the
scenario's ``policy:`` key would (``{name: least-loaded, load_bucket: 0.02}``), each value read as
YAML by the reader of ``--set`` (:func:`offloadsim.scenario.overrides.parse_assignment`), so
``tiers=[edge, cloud]`` is a list and ``load_aware=true`` a boolean.  An entry is labelled by its
text (``least-loaded(load_bucket=0.02)``): the tables, ``metrics.parquet``, the task records'
``policy`` column and the figures name it so, and ``--baseline`` takes it.  The entries of a list
are split at the commas outside brackets and quotes, so a list value keeps its own.

>>> [entry.label for entry in policy_entries(split_entries("fixed(nodes=[$source, edge], cuts=[3]),local"))]
['fixed(nodes=[$source, edge], cuts=[3])', 'local']
>>> policy_entries(["least-loaded(tiers=[edge, cloud], load_bucket=0.02)"])[0].params
{'tiers': ['edge', 'cloud'], 'load_bucket': 0.02}
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from offloadsim.scenario.errors import describe, first_repeat, given_twice
from offloadsim.suggest import quoted

__all__ = ["EntryError", "PolicyEntry", "policy_entries", "split_entries"]

#: What an entry looks like, for messages.
ENTRY_FORM = "NAME or NAME(KEY=VALUE, ...)"
_OPENING = {"(": ")", "[": "]", "{": "}"}


class EntryError(ValueError):
    """An entry that cannot be read; its message names the entry, not the option that gave it."""


@dataclass(frozen=True)
class PolicyEntry:
    """One policy of a comparison: its ``label`` (the entry as written), registered ``name`` and ``params``.

    ``params`` are those the entry gives; they are merged over the scenario's own when ``name`` is
    its policy (:func:`offloadsim.api.resolve_policy`), as ``--set policy.KEY=VALUE`` would be.
    """

    label: str
    name: str
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def identity(self) -> str:
        """What two entries that run the same policy share (``edge`` and ``edge()``, spaces aside)."""
        return json.dumps([self.name, dict(self.params)], sort_keys=True, default=str)


def split_entries(text: str) -> list[str]:
    """The entries of a comma-separated list, split at the commas outside brackets and quotes.

    >>> split_entries("least-loaded(tiers=[edge, cloud]), edge")
    ['least-loaded(tiers=[edge, cloud])', 'edge']
    """
    return [part.strip() for part in _top_level(text, ",")]


def policy_entries(texts: Iterable[str]) -> list[PolicyEntry]:
    """Each entry read (:class:`PolicyEntry`); raises :class:`EntryError` naming the one that cannot be.

    Two entries that run the same policy with the same parameters are refused: each is compared once.

    >>> try:
    ...     policy_entries(["edge", "edge()"])
    ... except EntryError as error:
    ...     print(error)
    "edge" and "edge()" are the same policy: each policy is compared once
    """
    entries = [_entry(text) for text in texts]
    if (twice := first_repeat(entry.identity for entry in entries)) is not None:
        first, again = (describe(entries[i].label) for i in twice)
        raise EntryError(f"{given_twice(first, again, 'policy')}: each policy is compared once")
    return entries


def chosen_entry(entries: Sequence[PolicyEntry], text: str) -> PolicyEntry | None:
    """The entry ``text`` names: by its label, or one that runs the same policy (None: neither)."""
    for entry in entries:
        if entry.label == text.strip():
            return entry
    try:
        wanted = _entry(text).identity
    except EntryError:
        return None
    return next((entry for entry in entries if entry.identity == wanted), None)


def _entry(text: str) -> PolicyEntry:
    """One entry read: its name and the parameters in its parentheses, each value read as YAML."""
    from offloadsim.scenario.overrides import PathError, parse_assignment

    label = str(text).strip()
    if not label:
        raise EntryError(f"an empty entry; expected {ENTRY_FORM}")
    opening = label.find("(")
    if opening < 0:
        if any(mark in label for mark in ")=,"):
            raise EntryError(f"{quoted(label)}: expected {ENTRY_FORM}")
        return PolicyEntry(label, label)
    name, inner = label[:opening].strip(), label[opening + 1 :]
    if not name or not label.endswith(")") or _unclosed(label[opening:]) is not None:
        problem = _unclosed(label[opening:])
        why = f" ({problem})" if problem else ""
        raise EntryError(f"{quoted(label)}: expected {ENTRY_FORM}{why}")
    params: dict[str, Any] = {}
    inner = inner[:-1]
    if not inner.strip():
        return PolicyEntry(label, name)
    for part in _top_level(inner, ","):
        key, sep, _ = part.partition("=")
        key = key.strip()
        if not sep or not key.isidentifier():
            raise EntryError(
                f"{quoted(label)}: expected KEY=VALUE in the parentheses, got {describe(part.strip())}"
            )
        if key == "name":
            raise EntryError(f"{quoted(label)}: the policy's name goes before the parentheses, not as name=")
        if key in params:
            raise EntryError(f"{quoted(label)}: parameter {quoted(key)} is given twice; give it once")
        try:
            _, params[key] = parse_assignment(part.strip())
        except PathError as error:
            raise EntryError(f"{quoted(label)}: parameter {quoted(key)}: {error.message}") from None
    return PolicyEntry(label, name, params)


def _top_level(text: str, separator: str) -> list[str]:
    """``text`` split at each ``separator`` outside brackets and quotes (an unclosed one runs to the end)."""
    parts, depth, quote, start = [], 0, "", 0
    for i, char in enumerate(text):
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in _OPENING:
            depth += 1
        elif char in ")]}":
            depth = max(depth - 1, 0)
        elif char == separator and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


def _unclosed(text: str) -> str | None:
    """Why the brackets of ``text``, which opens with ``(``, do not close right at its end (None: they do)."""
    stack: list[str] = []
    quote = ""
    for i, char in enumerate(text):
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in _OPENING:
            stack.append(_OPENING[char])
        elif char in ")]}":
            if not stack:
                return f"{quoted(char)} closes nothing opened"
            if (expected := stack.pop()) != char:
                return f"{quoted(char)} where {quoted(expected)} was expected"
            if not stack and i != len(text) - 1:
                return f"{quoted(text[i + 1 :].strip())} after the closing parenthesis"
    if quote:
        return f"the quote {quoted(quote)} is not closed"
    if stack:
        return f"{quoted(stack[-1])} is missing"
    return None
