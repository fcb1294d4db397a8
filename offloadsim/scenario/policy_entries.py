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

An entry written ``LABEL=ENTRY`` is labelled ``LABEL`` instead (the ``=`` before any parenthesis):
a short name for the tables and figures, where the text would be long.

>>> policy_entries(["3-box=fixed(nodes=[box-0, box-1, box-2], cuts=[57, 110])"])[0]
PolicyEntry(label='3-box', name='fixed', params={'nodes': ['box-0', 'box-1', 'box-2'], 'cuts': [57, 110]})
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from offloadsim.field_values import FieldValues
from offloadsim.scenario.errors import describe, first_repeat, given_twice, yaml_text
from offloadsim.suggest import quoted

__all__ = [
    "EntryError",
    "PolicyEntry",
    "entry_text",
    "given_label",
    "kept_params_note",
    "policy_entries",
    "split_entries",
]

#: What an entry looks like, for messages.
ENTRY_FORM = "NAME or NAME(KEY=VALUE, ...)"
#: What a label (``LABEL=ENTRY``) cannot hold: what would make it read as an entry, or split a list.
_NOT_IN_LABEL = "()[]{},=\"'"
_OPENING = {"(": ")", "[": "]", "{": "}"}


class EntryError(ValueError):
    """An entry that cannot be read; its message names the entry, not the option that gave it."""


# eq=False, repr=False: FieldValues's __eq__, __hash__ and __repr__ (issue 12 e: see offloadsim.field_values).
@dataclass(frozen=True, eq=False, repr=False)
class PolicyEntry(FieldValues):
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


def kept_params_note(source: str, name: str, kept: Mapping[str, Any]) -> str:
    r"""What to add to a refusal of an entry of the scenario's own policy: the parameters it kept.

    An entry of the policy the scenario names is merged over the scenario's parameters, so
    ``fixed(nodes=[a, b], cuts=[3])`` over ``policy: {name: fixed, node: c}`` runs with ``node``
    and ``nodes`` both and is refused for it, though the entry gave only one; the note ends with
    the fix, a scenario policy of another name, so the entry runs with its own parameters alone.
    Empty when none kept.

    >>> print(kept_params_note("s.yaml", "fixed", {"node": "c"}).replace("; give", ";\ngive"))
     (s.yaml's policy is fixed too: its node=c stays beside the entry's;
    give the file another, e.g. local)
    """
    if not kept:
        return ""
    params = ", ".join(f"{key}={yaml_text(value)}" for key, value in kept.items())
    # the file's name alone: the message already starts with its whole path
    file = PurePath(source).name
    other = "edge" if name == "local" else "local"
    return (
        f" ({file}'s policy is {name} too: its {params} stays beside the entry's; "
        f"give the file another, e.g. {other})"
    )


def entry_text(name: str, params: Mapping[str, Any]) -> str:
    """A policy and its parameters written as an entry reads them: ``NAME(KEY=VALUE, ...)``, or ``NAME``.

    >>> entry_text("least-loaded", {"tiers": ["edge", "cloud"], "load_aware": True})
    'least-loaded(tiers=[edge, cloud], load_aware=true)'
    """
    if not params:
        return name
    return f"{name}(" + ", ".join(f"{key}={yaml_text(value)}" for key, value in params.items()) + ")"


def split_entries(text: str) -> list[str]:
    """The entries of a comma-separated list, split at the commas outside brackets and quotes.

    >>> split_entries("least-loaded(tiers=[edge, cloud]), edge")
    ['least-loaded(tiers=[edge, cloud])', 'edge']
    """
    return [part.strip() for part in _top_level(text)]


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
    if (twice := first_repeat(entry.label for entry in entries)) is not None:
        first, again = (describe(entry_text(entries[i].name, entries[i].params)) for i in twice)
        raise EntryError(
            f"{first} and {again} are both labelled {quoted(entries[twice[0]].label)}: the tables and "
            "figures could not tell them apart; give each its own label"
        )
    return entries


def given_label(text: str) -> str | None:
    """The label of an entry written ``LABEL=ENTRY`` (``3-box``), None for one without (or unread).

    ``run --policy`` names its run by it where the others name a comparison's entry: the run
    directory, the table's title, the figures' series and the manifest's ``policy.label``.

    >>> given_label("3-box=fixed(nodes=[box-0, box-1], cuts=[57])"), given_label("fixed(cuts=[3])")
    ('3-box', None)
    """
    try:
        label = _entry(text).label
    except EntryError:
        return None
    return None if label == str(text).strip() else label


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


def _entry(text: str, label_allowed: bool = True) -> PolicyEntry:
    """One entry read: its label, name and the parameters in its parentheses, each value read as YAML."""
    from offloadsim.scenario.overrides import PathError, parse_assignment

    label = str(text).strip()
    if not label:
        raise EntryError(f"an empty entry; expected {ENTRY_FORM}")
    given, sep, rest = label.partition("=")
    if sep and "(" not in given and label_allowed:  # LABEL=ENTRY: the entry read, named by the label
        if not given.strip() or any(mark in given for mark in _NOT_IN_LABEL):
            raise EntryError(
                f"{quoted(label)}: a label (before the =) cannot be empty or hold any of {_NOT_IN_LABEL}, "
                f"got {describe(given.strip())}"
            )
        entry = _entry(rest, label_allowed=False)
        return PolicyEntry(given.strip(), entry.name, entry.params)
    opening = label.find("(")
    name = label if opening < 0 else label[:opening].strip()
    if not name or any(mark in name for mark in ")=,[]{}"):
        raise EntryError(f"{quoted(label)}: expected {ENTRY_FORM}")
    if opening < 0:
        return PolicyEntry(label, label)
    inner = label[opening + 1 :]
    _, closed, problem = _scan(label[opening:])
    if problem is None and closed is not None and opening + closed != len(label) - 1:
        problem = f"{quoted(label[opening + closed + 1 :].strip())} after the closing parenthesis"
    if problem is not None:
        raise EntryError(f"{quoted(label)}: expected {ENTRY_FORM} ({problem})")
    params: dict[str, Any] = {}
    inner = inner[:-1]
    if not inner.strip():
        return PolicyEntry(label, name)
    for part in _top_level(inner):
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


def _top_level(text: str) -> list[str]:
    """``text`` split at each comma outside brackets and quotes (an unclosed one runs to the end)."""
    commas, _, _ = _scan(text)
    return [text[start + 1 : end] for start, end in itertools.pairwise([-1, *commas, len(text)])]


def _scan(text: str) -> tuple[list[int], int | None, str | None]:
    """The commas outside brackets and quotes in ``text``, where its first bracket closes, and what is amiss.

    What is amiss: why its brackets and quotes do not balance, None where they do.
    """
    commas: list[int] = []
    stack: list[str] = []
    quote, problem, closed = "", None, None
    for i, char in enumerate(text):
        if quote:
            quote = "" if char == quote else quote
        elif char in "\"'":
            quote = char
        elif char in _OPENING:
            stack.append(_OPENING[char])
        elif char in _OPENING.values():
            expected = stack.pop() if stack else None
            if problem is None and expected != char:
                problem = f"{quoted(char)} " + (
                    "closes nothing opened" if expected is None else f"where {quoted(expected)} was expected"
                )
            if not stack and closed is None:
                closed = i
        elif char == "," and not stack:
            commas.append(i)
    if problem is None and quote:
        problem = f"the quote {quoted(quote)} is not closed"
    if problem is None and stack:
        problem = f"{quoted(stack[-1])} is missing"
    return commas, closed, problem
