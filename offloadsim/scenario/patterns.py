"""Select nodes by name, group name or glob pattern (``phone-*``, ``edge-[0-3]``).

A pattern is, in order of precedence: an exact node name; a group name (a
``nodes:`` key, standing for all the nodes it made); or an ``fnmatch`` glob
over node names.  Matches come back in declaration order.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping, Sequence

from offloadsim.globs import is_glob
from offloadsim.scenario.errors import did_you_mean_name
from offloadsim.suggest import quoted, quoted_listing

__all__ = ["UNLIKE_MEMBER", "NodeIndex", "expand_group", "member_of", "unique_pair_count", "unlike_member"]

#: Where the docs say how to make one member of a counted group unlike the others: a group of its own.
UNLIKE_MEMBER = "docs/scenario-format.md#one-member-unlike-the-others"


def expand_group(name: str, count: int | None) -> list[str]:
    """Node names of a ``nodes:`` entry: ``name`` alone, or ``name-0 .. name-(count-1)``.

    >>> expand_group("phone", 3)
    ['phone-0', 'phone-1', 'phone-2']
    """
    if count is None:
        return [name]
    return [f"{name}-{i}" for i in range(count)]


def member_of(name: str, counts: Mapping[str, object]) -> str | None:
    """The counted group that makes node ``name`` (``phone`` for ``phone-3`` of ``count: 4``), or None.

    ``counts`` maps each ``nodes:`` key to its ``count`` as written; a group's members are alike,
    so a message about one of them (a ``--set`` of its key, a group of its name) says which group
    made it and how to make one unlike the others (:data:`UNLIKE_MEMBER`).

    >>> [member_of(name, {"phone": 4, "edge": None}) for name in ("phone-3", "phone-4", "phone-03", "edge-0")]
    ['phone', None, None, None]
    """
    group, _, index = name.rpartition("-")
    count = counts.get(group)
    if not re.fullmatch("0|[1-9][0-9]*", index) or isinstance(count, bool) or not isinstance(count, int):
        return None
    return group if int(index) < count else None


def unlike_member(name: str, group: str, count: object) -> str:
    """What a message about one member of a counted group says: its members are alike, and the fix."""
    return (
        f"{quoted(name)} is one of nodes.{group}'s {count} alike members (its count); to set it apart, "
        f"make it a group of its own, e.g. nodes.{group}-slow, which {group}-* still selects "
        f"({UNLIKE_MEMBER})"
    )


class NodeIndex:
    """Node names and their groups, for matching patterns (results cached per pattern)."""

    def __init__(self, groups: dict[str, list[str]]):
        self.groups = groups
        self.names: list[str] = [name for members in groups.values() for name in members]
        self._known = set(self.names)
        self._cache: dict[str, list[str]] = {}

    def match(self, pattern: str) -> list[str]:
        """Node names selected by ``pattern`` (empty when nothing matches)."""
        cached = self._cache.get(pattern)
        if cached is None:
            if pattern in self._known:
                cached = [pattern]
            elif pattern in self.groups:
                cached = list(self.groups[pattern])
            elif is_glob(pattern):
                # fnmatchcase's own test, compiled once: calling fnmatchcase per name looked the
                # compiled pattern up again for each of a large world's thousands of names.
                matches = re.compile(fnmatch.translate(pattern)).match
                cached = [name for name in self.names if matches(name)]
            else:
                cached = []
            self._cache[pattern] = cached
        return cached

    def no_match(self, pattern: str) -> str:
        """A message for a pattern that matched nothing, with the closest name or pattern."""
        candidates = list(self.groups) + [
            f"{group}-*" for group, members in self.groups.items() if len(members) > 1
        ]
        if len(self.names) <= 10_000:
            candidates += self.names
        group = pattern.rpartition("-")[0]
        members = self.groups.get(group, [])
        if len(members) > 1 and pattern[len(group) + 1 :].isdigit():
            return f"{quoted(pattern)} matches no node ({group} has {members[0]} .. {members[-1]})"
        # A node's name, not a key: "cache" names no node; it asks for no caching (no scope pointer).
        hint = did_you_mean_name(pattern, candidates)
        if not hint:  # none spelt alike: say which there are
            each = [f"{group}-*" if len(members) > 1 else group for group, members in self.groups.items()]
            hint = f" (the scenario's nodes: {quoted_listing(each, limit=6)})"
        return f"{quoted(pattern)} matches no node{hint}"


def unique_pair_count(a: Sequence[str], b: Sequence[str]) -> int:
    """How many distinct unordered pairs {x, y}, x in a, y in b, x != y (without building them)."""
    set_a, set_b = set(a), set(b)
    common = len(set_a & set_b)
    return len(set_a) * len(set_b) - common - common * (common - 1) // 2
