"""Scenario problems: each says which file, which key path and what was expected, on one line.

Every check of the scenario package reports through :class:`ScenarioError`,
so ``offloadsim validate`` prints the same shape whatever went wrong::

    quickstart.yaml: links[2].bandwidth: expected a bandwidth like "20 Mbps", got "fast"

Key paths use the ``--set`` syntax (``nodes.phone.count``, ``links[2].latency``)
so that a path in a message can be pasted into an override.
"""

from __future__ import annotations

import math
import re
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple

from offloadsim.shapes import describe
from offloadsim.strict_yaml import key_part, key_path, plain_or_quoted
from offloadsim.suggest import (  # re-exported: the scenario's messages suggest from it
    did_you_mean_key,
    did_you_mean_name,
)

__all__ = [
    "KeyPathError",
    "Problem",
    "PluginRaised",
    "ScenarioError",
    "ScenarioWarning",
    "ProblemList",
    "format_path",
    "key_part",
    "key_path",
    "key_pattern",
    "key_place",
    "values_at",
    "describe",
    "did_you_mean_key",
    "did_you_mean_name",
    "first_repeat",
    "given_twice",
    "yaml_text",
    "name_problem",
]


class Problem(NamedTuple):
    """One thing wrong with a scenario: ``(file, key_path, message, check, also, about)``.

    ``key_path`` may be empty.

    ``check``: the registered name of the scenario check that warned of it
    (:mod:`offloadsim.scenario.checks`), None for a refusal; ``str()`` ends with it in
    brackets, as a linter names its rule, so a note added to ``message`` goes before it.
    ``also``: other key paths whose values the problem is about, as :class:`KeyPathError`'s
    (a step after the run's end: ``duration`` and ``warmup``, which set the end); where no
    ``--set`` or sweep key gave ``key_path``, one that gave one of them is named.  ``str()``
    leaves it out.  ``about``: the key paths of the things a warning is about where its key path
    says less (``offered-load``'s, at a node group: the processor its nodes are offered too much
    on); empty: its key path.  Another check's warning at or within one of them may explain it
    (:data:`~offloadsim.scenario.checks.EXPLAINED_BY`).  ``str()`` leaves it out.

    >>> print(Problem("s.yaml", "workload", "no entry", "silent-workloads"))
    s.yaml: workload: no entry [silent-workloads]
    """

    file: str
    key_path: str
    message: str
    check: str | None = None
    also: tuple[str, ...] = ()
    about: tuple[str, ...] = ()

    def __str__(self) -> str:
        parts = [self.file, self.key_path, self.message] if self.key_path else [self.file, self.message]
        text = ": ".join(parts)
        return text if self.check is None else f"{text} [{self.check}]"


class KeyPathError(ValueError):
    """Something wrong at one key path of a scenario, found past its load (a profile, a ``dynamics`` entry).

    ``key_path`` and ``message`` are data, for callers that say which ``--set`` gave the
    value (:func:`~offloadsim.scenario.overrides.blame_given`); ``str()`` is the one line
    ``KEY.PATH: message`` (the message alone when the key path is empty).  ``also``: other key
    paths whose values the problem is about (a step out of order: the previous step's time),
    for the same callers to name the ``--set`` that gave one of them.

    >>> error = KeyPathError("nodes.edge.processor.profile", "unknown profile 'x'")
    >>> error.key_path, str(error)
    ('nodes.edge.processor.profile', "nodes.edge.processor.profile: unknown profile 'x'")
    """

    def __init__(self, key_path: str, message: str, also: tuple[str, ...] = ()):
        super().__init__(f"{key_path}: {message}" if key_path else message)
        self.key_path = key_path
        self.message = message
        self.also = also

    def __reduce__(self) -> tuple[type[KeyPathError], tuple[str, str, tuple[str, ...]]]:
        # Rebuilt from its fields (``args`` holds the joined line), so it survives a process pool.
        return (type(self), (self.key_path, self.message, self.also))


class ScenarioError(ValueError):
    """A scenario that cannot be used; ``problems`` lists every problem found, ``str()`` one per line.

    A ``ValueError``, as a bad value is in Python (pandas, numpy) and as offloadsim's other
    refusals of what a user gave are (``RunError``, ``ProfileError``, ``CalibrationError``): an
    ``except ValueError`` around ``load_scenario`` or ``api.run`` let it through.  No
    ``except ValueError`` of offloadsim's own catches it (each was checked when it became one).
    """

    def __init__(self, problems: Iterable[Problem | tuple[str, str, str]]):
        self.problems: list[Problem] = []
        for problem in problems:
            if isinstance(problem, Problem):
                line = problem._replace(file=str(problem.file), message=_one_line(problem.message))
            else:
                file, key_path, message = problem
                line = Problem(str(file), key_path, _one_line(message))
            if line not in self.problems:
                self.problems.append(line)
        super().__init__(str(self))

    def __str__(self) -> str:
        return "\n".join(str(problem) for problem in self.problems)

    def __reduce__(self) -> tuple[type[ScenarioError], tuple[list[Problem]]]:
        # Rebuilt from the problems, so the error survives a process pool (sweeps).
        return (type(self), (self.problems,))


class PluginRaised(ScenarioError):
    """A plug-in's code raised while a scenario was read or checked: its bug, not offloadsim's.

    One line naming the plug-in, what offloadsim called, the exception and the plug-in's line
    (:func:`offloadsim.plugins.said_raised`); the command line shows it (exit 2) and, with
    ``--debug``, the traceback of the plug-in's exception (its ``__cause__``).

    ``hint_line``: the line of ``str()`` that is the plug-in's, which the command line's hint to
    run again with ``--debug`` ends (a sweep lists other points' refusals with it); -1, the last.
    """

    hint_line: int = -1

    @property
    def show_cause_with_debug(self) -> bool:
        """Whether there is the plug-in's exception to show (not for a return refused here)."""
        return self.__cause__ is not None


class ScenarioWarning(UserWarning):
    """Something in a scenario that runs but probably not as meant (one line: file, key path, message)."""


class ProblemList:
    """Collects problems of one file so that one run of the checks reports them all."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []

    def add(self, key_path: str, message: str, file: str | None = None) -> None:
        """Record that ``key_path`` is wrong because of ``message`` (in ``file``, when another gave it)."""
        self.problems.append(Problem(self.file if file is None else file, key_path, message))

    def __bool__(self) -> bool:
        return bool(self.problems)

    def raise_if_any(self) -> None:
        """Raise a :class:`ScenarioError` with everything collected so far, if anything."""
        if self.problems:
            raise ScenarioError(self.problems)


def format_path(loc: Sequence[str | int]) -> str:
    """Join a location into a key path: ``("links", 2, "bandwidth")`` → ``links[2].bandwidth``.

    Keys that are not plain names are quoted: ``params["a.b"]`` (:func:`key_part`).
    """
    return key_path("", *loc)


#: One step of a key pattern: a plain name, then ``[]`` for each level of list below it.
_PATTERN_STEP = re.compile(r"([A-Za-z0-9_][A-Za-z0-9_\-]*)((?:\[\])*)")


def key_pattern(pattern: str) -> tuple[str | None, ...]:
    """A key path with ``[]`` for every item of a list (``steps[].latency``), as parts: None for ``[]``.

    How a plug-in names keys of the mappings it reads (a ``dynamics`` kind's ``quantity_keys`` and
    ``change_time_keys``), in the docs' notation (``links[].between``); anything else is a ValueError.

    >>> key_pattern("steps[].latency"), key_pattern("bad.latency")
    (('steps', None, 'latency'), ('bad', 'latency'))
    """
    steps = pattern.split(".") if isinstance(pattern, str) else [None]
    matches = [_PATTERN_STEP.fullmatch(step) if isinstance(step, str) else None for step in steps]
    parts: list[str | None] = []
    for match in matches:
        if match is None:
            raise ValueError(
                "a key pattern is plain names joined by '.', each followed by '[]' for every item of "
                f"a list (steps[].latency), got {pattern!r}"
            )
        parts.append(match[1])
        parts.extend([None] * (len(match[2]) // 2))
    return tuple(parts)


#: A column of a CSV file, as a key's value names it in a :func:`key_place`.
#: A string: re compiles (and caches) it at first use, not at import, as a run seldom needs it (issue 12 e).
_COLUMN = r"[A-Za-z0-9_][A-Za-z0-9_\-]*"


def key_place(place: str) -> tuple[tuple[str | None, ...], str | None]:
    """Where a value is written: a :func:`key_pattern`, then ``:COLUMN`` for a column of a CSV file.

    ``file:latency`` is the ``latency`` column of the CSV file whose path the key ``file`` holds
    (a ``dynamics`` kind's ``quantity_keys``); a pattern alone is the key's own value.  Returns
    the pattern's parts and the column (None for none); anything else is a ValueError.

    >>> key_place("file:latency"), key_place("steps[].latency")
    ((('file',), 'latency'), (('steps', None, 'latency'), None))
    """
    pattern, colon, column = place.partition(":") if isinstance(place, str) else (place, "", "")
    if colon and re.fullmatch(_COLUMN, column) is None:
        raise ValueError(
            "a column of a CSV file is written after its key and ':', as a plain name (file:latency), "
            f"got {place!r}"
        )
    return key_pattern(pattern), column if colon else None


def values_at(
    value: Any, parts: tuple[str | None, ...], path: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """Each value at key pattern ``parts`` (:func:`key_pattern`) below ``value`` (at ``path``), with its path.

    In document order.  A key that is missing, or a mapping or list that is something else,
    gives nothing: a check reads what it can, and what cannot be read is refused elsewhere, with
    its own message.

    >>> list(values_at({"steps": [{"at": 1}, {}, {"at": 3}]}, key_pattern("steps[].at"), ("d", 0)))
    [(('d', 0, 'steps', 0, 'at'), 1), (('d', 0, 'steps', 2, 'at'), 3)]
    """
    if not parts:
        yield path, value
        return
    part, rest = parts[0], parts[1:]
    if part is None:
        for i, item in enumerate(value if isinstance(value, list) else ()):
            yield from values_at(item, rest, (*path, i))
    elif isinstance(value, Mapping) and part in value:
        yield from values_at(value[part], rest, (*path, part))


def name_problem(name: str) -> str | None:
    """What is wrong with a scenario's or sweep's ``name`` as part of a results folder's name, or None.

    The name becomes (part of) the default results directory: no NUL, newline or other control.
    """
    bad = next((c for c in name if not c.isprintable()), None)
    if bad is not None:
        return f"expected a name of printable characters, got {describe(name)} (contains U+{ord(bad):04X})"
    return None


def yaml_text(value: Any) -> str:
    """A user's value as YAML writes it: for ``key=value`` in a sweep's points and listings.

    Python's ``str`` would print YAML's ``true`` as ``True``, ``null`` as ``None`` and a mapping
    with Python's quotes; a user wrote it in YAML.  Text is unquoted but where, pasted back (into a
    ``--set``), it would be read as something else (:func:`~offloadsim.strict_yaml.plain_or_quoted`).
    A number is Python's, but infinity and NaN, which YAML writes ``.inf`` and ``.nan``.

    >>> yaml_text("5 Mbps"), yaml_text(True), yaml_text(None), yaml_text(2.5), yaml_text({"name": "edge"})
    ('5 Mbps', 'true', 'null', '2.5', '{name: edge}')
    >>> yaml_text("1e9"), yaml_text({"name": "1e9"}), yaml_text("a: b"), yaml_text(float("-inf"))
    ("'1e9'", "{name: '1e9'}", "'a: b'", '-.inf')
    """
    if isinstance(value, str | bool | dict | list | tuple) or value is None:
        return plain_or_quoted(value)
    if isinstance(value, float) and not math.isfinite(value):
        return plain_or_quoted(value)
    return str(value)


def _one_line(message: str) -> str:
    return " ".join(message.split()) if "\n" in message else message


def first_repeat(keys: Iterable[Hashable]) -> tuple[int, int] | None:
    """Positions ``(i, j)``, ``i < j``, of the first entry equal to an earlier one, or None.

    Each check of "a value listed twice" passes what it means by equal: the
    names themselves, or ``"1 s"`` and ``"1000 ms"`` as one time.

    >>> first_repeat(["edge", "local", "edge"]), first_repeat([1, 2])
    ((0, 2), None)
    """
    seen: dict[Hashable, int] = {}
    for j, key in enumerate(keys):
        if key in seen:
            return seen[key], j
        seen[key] = j
    return None


def given_twice(first: str, again: str, what: str = "value") -> str:
    """The words for two entries that are one ``what``, each shown as written (``describe``'s quotes).

    >>> given_twice('"edge"', '"edge"'), given_twice('"1 s"', '"1000 ms"')
    ('"edge" is given twice', '"1 s" and "1000 ms" are the same value')
    """
    return f"{first} is given twice" if first == again else f"{first} and {again} are the same {what}"
