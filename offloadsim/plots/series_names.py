"""The one step from a series' name to the text a reader sees: ``fixed (edge1)``, where it says the node.

A figure names its series in legend entries, bar ticks, the ``(same line as X)`` an entry adds
for a series drawn on another's, and the notes under it (lines drawn over each other, a paired
Δ, a policy's time to recover, runs that warned or left tasks unfinished, a decode ceiling).
Each of those texts is made of :func:`shown_name`, so that a change to how a series is named is one
edit here: a fixed policy of the file's ``{name: fixed, node: edge1}`` (its label ``fixed``) reads
``fixed (edge1)`` wherever it is named, and two fixed policies on different nodes are told apart
in ``local (same line as fixed (edge1))`` as in the legend.

Which node each policy label places on is found once per figure
(:func:`~offloadsim.plots.policy_nodes.policy_nodes`) and carried here while it is drawn
(:func:`naming_policy_nodes`, a context variable: the figure kinds' functions need no argument
for it, and a figure drawn from Python outside ``plot`` names its series as given).  A plug-in's
figure kind gets its labels from :func:`shown_name` too (``by="policy"`` where its series are policies).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

__all__ = ["drawn_label", "naming_policy_nodes", "series_name", "shown_in_note", "shown_label", "shown_name"]

#: The key (or legend title: its last line, a heading may stand above it) of series that are policies.
POLICY = "policy"

#: The node each fixed policy places on, by its label, for the figure being drawn; empty: none to name.
_POLICY_NODES: ContextVar[Mapping[str, str] | None] = ContextVar("policy_nodes", default=None)

#: What a legend adds to a series drawn on another's: ``neurosurgeon (same line as edge)``.
SAME_AS = re.compile(r" \(same (?:line|spot) as .*\)$")
_DRAWN_ON = re.compile(r"^(?P<name>.*?) \(same (?P<drawn>line|spot) as (?P<other>.*)\)$")


@contextmanager
def naming_policy_nodes(nodes: Mapping[str, str]) -> Iterator[None]:
    """While drawing, a policy :func:`shown_name` names says its node in ``nodes``: ``fixed (edge1)``."""
    token = _POLICY_NODES.set(dict(nodes))
    try:
        yield
    finally:
        _POLICY_NODES.reset(token)


def shown_name(name: Any, by: str | None = POLICY) -> str:
    r"""Series ``name`` as a reader sees it, its series keyed by ``by`` (a key, or a legend's title).

    A policy with the node it is fixed on, where its label does not say it; anything else as written.

    >>> with naming_policy_nodes({"fixed": "edge1"}):
    ...     [shown_name(*one) for one in [("fixed",), ("fixed", "node"), ("local",), ("fixed", "a\npolicy")]]
    ['fixed (edge1)', 'fixed', 'local', 'fixed (edge1)']
    >>> shown_name("fixed")
    'fixed'
    """
    text = str(name)
    nodes = _POLICY_NODES.get()
    if not nodes or text not in nodes or (by or "").rsplit("\n", 1)[-1] != POLICY:
        return text
    return f"{text} ({nodes[text]})"


def drawn_label(name: Any, under: Mapping[Any, str], drawn: str) -> str:
    """A series' legend entry, naming the one it is drawn on: ``neurosurgeon (same line as edge)``.

    ``drawn`` is ``line`` or ``spot`` (markers); :func:`series_name` reads it back.  Of the series'
    names as written: a legend shows it as it is made (:func:`shown_label`).
    """
    return f"{name} (same {drawn} as {under[name]})" if name in under else str(name)


def shown_label(label: str, by: str | None) -> str:
    """A legend entry written of series names (:func:`drawn_label`) as a legend titled ``by`` shows it.

    The series and the one it is drawn on each :func:`shown_name`.

    >>> with naming_policy_nodes({"fixed": "edge1"}):
    ...     shown_label("fixed (same line as edge)", "policy")
    'fixed (edge1) (same line as edge)'
    >>> with naming_policy_nodes({"fixed": "edge1"}):
    ...     [shown_label("local (same line as fixed)", by) for by in ("policy", "node")]
    ['local (same line as fixed (edge1))', 'local (same line as fixed)']
    """
    parts = _DRAWN_ON.match(label)
    if parts is None:
        return shown_name(label, by)
    name, other = shown_name(parts["name"], by), shown_name(parts["other"], by)
    return f"{name} (same {parts['drawn']} as {other})"


#: How a recorded note names the policies it holds under: ``(under fixed and local only)``
#: (:func:`offloadsim.world.notes.labels.under_text`, written as the runs ran).
_UNDER = re.compile(r"\(under (?P<who>.+?) only\)")


def shown_in_note(line: str) -> str:
    """A recorded note, each policy its ``(under fixed and local only)`` names :func:`shown_name`.

    >>> with naming_policy_nodes({"fixed": "edge1"}):
    ...     shown_in_note("speed: 10 GFLOP/s (under fixed and local only)")
    'speed: 10 GFLOP/s (under fixed (edge1) and local only)'
    """
    if not _POLICY_NODES.get():
        return line

    def named(under: re.Match[str]) -> str:
        parts = re.split(r"(, | and )", under["who"])  # the labels, between listed()'s separators
        return f"(under {''.join(p if i % 2 else shown_name(p) for i, p in enumerate(parts))} only)"

    return _UNDER.sub(named, line)


def series_name(label: str) -> str:
    """The series a legend label names, without what it adds to one drawn on another's.

    >>> series_name("neurosurgeon (same line as edge)"), series_name("edge")
    ('neurosurgeon', 'edge')
    """
    return SAME_AS.sub("", label)
