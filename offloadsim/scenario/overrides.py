"""Key paths into a scenario document (``links[0].bandwidth``) and ``--set PATH=VALUE`` overrides.

The same paths name keys in error messages, in ``--set`` and in sweep grids.
A path is keys separated by dots, list indices in brackets, and keys that
are not plain names in quoted brackets: ``applications.job.params["a.b"]``.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import yaml

from offloadsim.bounded_read import PURE_YAML_BYTES_PER_CHAR, yaml_memory_problem
from offloadsim.scenario.errors import Problem, ScenarioError, describe, format_path
from offloadsim.scenario.patterns import member_of, unlike_member
from offloadsim.scenario.yamlio import (
    LONG_SCHEDULES,
    MAX_DEPTH,
    ScenarioLoader,
    UnreadableNumber,
    size_problem,
)
from offloadsim.suggest import counted, did_you_mean_key, did_you_mean_name, quoted

if TYPE_CHECKING:
    from offloadsim.scenario.model import Scenario
    from offloadsim.scenario.size import SetBy

__all__ = [
    "PathError",
    "parse_path",
    "get_path",
    "set_path",
    "assign",
    "set_policy_name",
    "apply_overrides",
    "parse_assignment",
    "from_the_start",
    "as_problems_name",
    "caused_by",
    "as_written",
    "blame_given",
    "blamed",
    "SET_OPTION",
    "OVERRIDES_ARGUMENT",
    "set_by_note",
]

# How overrides were given, as a message names them: on the command line (``--set "k=v"``),
# or as the Python argument (``overrides="k=v"``, of ``offloadsim.run``, ``load``, ``compare``).
SET_OPTION = "--set "
OVERRIDES_ARGUMENT = "overrides="

Part = str | int

_TOKEN = re.compile(
    r"""
      (?P<dot>\.)?(?P<key>[^.\[\]"'=]+)       # .key  (first key without the dot)
    | \[(?P<index>-?[0-9]+)\]                   # [3]
    | \[(?P<quoted>"(?:[^"\\]|\\.)*")\]        # ["a.b"]
    """,
    re.VERBOSE,
)


# A key path up to the ``=`` of an assignment: quoted keys whole (an ``=`` in them is the key's).
_ASSIGNED_PATH = re.compile(r"""(?:\[(?:"(?:[^"\\]|\\.)*")\]|[^=])*""")


class PathError(ValueError):
    """A key path is malformed or does not lead where it should; ``path`` is the prefix that failed."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path
        self.message = message


def parse_path(path: str) -> tuple[Part, ...]:
    """Split a key path into keys and indices.

    >>> parse_path('links[0].bandwidth')
    ('links', 0, 'bandwidth')
    """
    parts: list[Part] = []
    position = 0
    while position < len(path):
        match = _TOKEN.match(path, position)
        if match is None or (match["key"] is not None and bool(match["dot"]) != bool(parts)):
            raise PathError(
                path, f"malformed key path at character {position + 1} (expected like links[0].bandwidth)"
            )
        if match["key"] is not None:
            parts.append(match["key"].strip())
        elif match["index"] is not None:
            parts.append(int(match["index"]))
        else:
            parts.append(json.loads(match["quoted"]))
        position = match.end()
    if not parts:
        raise PathError(path, "empty key path")
    return tuple(parts)


def get_path(document: Any, path: str) -> Any:
    """The value at ``path`` in ``document``; :class:`PathError` naming the missing part otherwise.

    >>> get_path({"links": [{"bandwidth": "20 Mbps"}]}, "links[0].bandwidth")
    '20 Mbps'
    """
    current = document
    parts = parse_path(path)
    for i, part in enumerate(parts):
        current = _step(current, part, parts[:i], create=False)
    return current


def set_path(document: Any, path: str, value: Any) -> None:
    """Set ``path`` in ``document`` to ``value``, in place.

    Missing mapping keys along the way are created as mappings; a missing
    list index, or a step into a value that is not a container, is an error.
    So is a missing key followed by an index (``link[0]``): a mapping made
    there could not be indexed, and the key is most likely misspelt.

    >>> doc = {"nodes": {"phone": {"tier": "device"}}}
    >>> set_path(doc, "nodes.phone.count", 5); doc["nodes"]["phone"]["count"]
    5
    """
    parts = parse_path(path)
    current = document
    for i, part in enumerate(parts[:-1]):
        following = parts[i + 1]
        if isinstance(following, int) and isinstance(current, dict) and part not in current:
            here = format_path(parts[:i]) or "the top level"
            raise PathError(
                format_path(parts[: i + 1]),
                f"no list {quoted(part)} in {here} to take [{following}]"
                f"{did_you_mean_key(str(part), current)}",
            )
        current = _step(current, part, parts[:i], create=True)
    last = parts[-1]
    _check_container(current, last, parts[:-1])
    if isinstance(last, int):
        _index(current, last, parts[:-1])
    current[last] = value


def set_policy_name(document: dict[str, Any], name: Any) -> None:
    """Switch the document's policy to ``name``, in place, as ``offloadsim run --policy`` does.

    The parameters of the policy it had are kept only if ``name`` is the same
    policy: another policy's parameters would be refused by the new one.

    >>> doc = {"policy": {"name": "neurosurgeon", "objective": "energy"}}
    >>> set_policy_name(doc, "edge"); doc["policy"]
    {'name': 'edge'}
    >>> set_policy_name(doc, "edge"); set_path(doc, "policy.fallback", "drop"); set_policy_name(doc, "edge")
    >>> doc["policy"]
    {'name': 'edge', 'fallback': 'drop'}
    """
    policy = document.get("policy")
    if isinstance(policy, str):
        policy = {"name": policy}
    if not isinstance(policy, dict) or policy.get("name") != name:
        policy = {"name": name}
    document["policy"] = dict(policy)


def assign(document: dict[str, Any], path: str, value: Any) -> None:
    """Set ``path`` to ``value`` in a scenario document, in place: what one ``--set`` does.

    ``policy.name`` switches the policy (:func:`set_policy_name`); another
    ``policy.KEY`` works whether the file gives the policy as a name or a mapping.
    A path into a node or application the document lacks is refused
    (:func:`_check_named_entry`): a misspelt name would add an entry of its own.
    """
    parts = parse_path(path)
    if parts == ("policy", "name"):
        set_policy_name(document, value)
        return
    _check_named_entry(document, parts)
    if parts[0] == "policy" and len(parts) > 1 and isinstance(document.get("policy"), str):
        document["policy"] = {"name": document["policy"]}
    set_path(document, path, value)


#: The mappings of entries the user names, each with what one entry is called in a message.
_NAMED_ENTRIES = {"nodes": "node", "applications": "application"}


def _check_named_entry(document: Any, parts: tuple[Part, ...]) -> None:
    """Refuse a path into a node or application ``document`` lacks: ``applications.jobb.work``.

    Setting a key of an entry made the entry, so a misspelt name added an application no
    workload runs (a sweep over ``applications.jobb.work`` ran the same scenario at every
    point) or a node without links, and the run went on as if the value were set. Giving the
    entry whole (``nodes.cloud2={tier: cloud}``) still adds one: that is no typo of a key.

    >>> try:
    ...     _check_named_entry({"applications": {"job": {}}}, ("applications", "jobb", "work"))
    ... except PathError as error:
    ...     print(error.path, "|", error.message.split(";")[0])
    applications.jobb | the scenario has no application "jobb" (did you mean "job"?)
    """
    if len(parts) < 3 or not isinstance(parts[1], str):
        return
    entry = _NAMED_ENTRIES.get(str(parts[0]))
    entries = document.get(parts[0]) if isinstance(document, dict) else None
    if entry is None or not isinstance(entries, dict) or parts[1] in entries:
        return
    names = [name for name in entries if isinstance(name, str)]
    where = format_path(parts[:2])
    counts = {name: spec.get("count") for name, spec in entries.items() if isinstance(spec, Mapping)}
    group = member_of(parts[1], counts) if entry == "node" else None
    if group is not None:
        raise PathError(where, unlike_member(parts[1], group, counts[group]))
    raise PathError(
        where,
        f"the scenario has no {entry} {quoted(parts[1])}{did_you_mean_name(parts[1], names)}; "
        f"to add one, give it whole: {where}={{...}}",
    )


def parse_assignment(assignment: str) -> tuple[str, Any]:
    """``"links[0].bandwidth=5 Mbps"`` → ``("links[0].bandwidth", "5 Mbps")``; the value is read as YAML.

    The path ends at the first ``=`` outside a quoted key, so a name with one in it can be set:

    >>> parse_assignment('applications["a=b"].deadline=1 s')
    ('applications["a=b"].deadline', '1 s')
    """
    match = _ASSIGNED_PATH.match(assignment)  # it always matches, maybe nothing
    end = match.end() if match else 0
    path, sep, text = assignment[:end], assignment[end : end + 1], assignment[end + 1 :]
    if not sep or not path.strip():
        raise PathError("", f"expected KEY.PATH=VALUE, got {describe(assignment)}")
    path = path.strip()
    too_large = yaml_memory_problem(len(text), LONG_SCHEDULES, PURE_YAML_BYTES_PER_CHAR)
    if too_large is not None:
        raise PathError(path, f"the value {too_large}")
    try:
        value = yaml.load(text, Loader=ScenarioLoader) if text.strip() else ""
    except yaml.YAMLError as error:
        problem = getattr(error, "problem", None) or str(error)
        # a number in a mapping or list: its key (a key given twice is named by its line)
        inner = _inside(path, error.key_path if isinstance(error, UnreadableNumber) else "")
        raise PathError(inner, f"cannot read the value {describe(text)} as YAML: {problem}") from None
    except RecursionError:  # PyYAML's own recursion ran out: deeper than the limit
        raise PathError(path, f"the value is nested more than {MAX_DEPTH} levels deep") from None
    too_large = size_problem(value)
    if too_large is not None:
        raise PathError(path, f"the value {too_large}") from None
    return path, value


def _inside(path: str, inner: str) -> str:
    """Key path ``inner`` of a value set at ``path``, from the scenario's top (``path`` if ``inner`` is "").

    A number that cannot be read in ``--set 'links[0]={bandwidth: 1e-400}'`` is at
    ``links[0].bandwidth`` (its :class:`~offloadsim.scenario.yamlio.UnreadableNumber` holds
    ``bandwidth``); a path that cannot be read is left for the override's own refusal.

    >>> _inside("links[0]", "bandwidth"), _inside("applications", '["my app"].deadline'), _inside("d", "")
    ('links[0].bandwidth', 'applications["my app"].deadline', 'd')
    """
    if not inner:
        return path
    try:
        return format_path((*parse_path(path), *parse_path(inner)))
    except PathError:
        return path


def set_by_note(assignment: str, given_as: str = SET_OPTION) -> str:
    """What a message about a value an override gave ends with, ``given_as`` saying how it was given.

    >>> set_by_note("duration=5 s"), set_by_note("duration=5 s", OVERRIDES_ARGUMENT)
    ('set by --set "duration=5 s"', 'set by overrides="duration=5 s"')
    """
    return f"set by {given_as}{describe(assignment)}"


def _cannot(assignment: str, given_as: str) -> str:
    """``cannot --set "k=v"`` (an option is a verb), ``cannot apply overrides="k=v"`` (an argument is not)."""
    return f"cannot {'' if given_as.startswith('-') else 'apply '}{given_as}{describe(assignment)}"


def apply_overrides(
    document: dict[str, Any],
    assignments: Iterable[str],
    source: str = "<overrides>",
    given_as: str = SET_OPTION,
) -> dict[str, Any]:
    """A copy of ``document`` with each ``PATH=VALUE`` assignment applied in order.

    Deep where there is an assignment; without one, of the top level only (nothing changes below).

    Raises :class:`ScenarioError` with one problem per bad assignment, named by
    ``source`` (the scenario file) and the path, and saying how the assignment
    was given (``given_as``: :data:`SET_OPTION` or :data:`OVERRIDES_ARGUMENT`).
    One key path given twice with two values is refused, the later not applied: the
    last would win without a word (a script that appends a ``--set`` to a command ran
    with a value it did not mean).  The same value twice is harmless; so are paths that
    overlap but differ (``links[0]``, then ``links[0].bandwidth``), applied in order.
    Paths compare parsed: ``nodes["phone"].count`` is ``nodes.phone.count``; and a negative
    index is counted from the end of the list as it is when the override applies, so with
    three links ``links[-1].bandwidth`` is ``links[2].bandwidth``.  Values compare as the
    scenario reads them: of a key that holds a quantity, ``"2 s"`` and ``"2000 ms"`` are one value.

    >>> apply_overrides({"policy": "local"}, ["policy.name=edge"])
    {'policy': {'name': 'edge'}}
    >>> apply_overrides({"policy": {"name": "neurosurgeon", "objective": "energy"}}, ["policy.name=edge"])
    {'policy': {'name': 'edge'}}
    """
    assignments = list(assignments)
    # Copied deeply only to be changed: a schedule of 500,000 steps took a second to copy for a
    # `validate` without --set (docs/performance.md, "Long schedules").
    result = copy.deepcopy(document) if assignments else dict(document)
    problems: list[Problem] = []
    given: dict[tuple[Part, ...], tuple[str, Any]] = {}  # each key path's first assignment, and its value
    for assignment in assignments:
        try:
            path, value = parse_assignment(assignment)
            key = _from_the_start(result, parse_path(path))
            first = given.setdefault(key, (assignment, value))
            if first[1] is not value and not _same(first[1], value, key):
                twice = f"{given_as}{describe(first[0])}, then {given_as}{describe(assignment)}"
                problems.append(Problem(source, format_path(key), f"given twice ({twice}); give it once"))
                continue
            assign(result, path, value)
        except PathError as error:
            problems.append(Problem(source, error.path, f"{_cannot(assignment, given_as)}: {error.message}"))
    if problems:
        raise ScenarioError(problems)
    return result


def from_the_start(document: Any, path: str) -> str:
    """``path`` with each negative index that ``document`` has counted from the start, as problems name keys.

    A problem about the value ``--set links[-1].bandwidth=fast`` gave is found at
    ``links[2].bandwidth`` of three links: the key the ``--set`` is blamed under.

    >>> from_the_start({"links": [{}, {}, {}]}, "links[-1].bandwidth")
    'links[2].bandwidth'
    """
    parts = parse_path(path)
    counted = _from_the_start(document, parts)
    return path if counted == parts else format_path(counted)


def as_problems_name(document: Any, path: str) -> str:
    """Key ``path`` as a problem names it: as :func:`format_path` writes it, negative indexes counted.

    Each negative index that ``document`` has is counted from the start.  A sweep's grid key
    ``nodes["phone"].count`` or ``links[-1].bandwidth`` gives the value a problem finds at
    ``nodes.phone.count`` or ``links[2].bandwidth`` (of three links): compared as written, the
    problem was said at the base scenario's key path, no grid key named.  A path that cannot be
    read is left as written.

    >>> as_problems_name({"links": [{}, {}, {}]}, "links[-1].bandwidth")
    'links[2].bandwidth'
    >>> as_problems_name({}, 'nodes["phone"].count')
    'nodes.phone.count'
    """
    try:
        return format_path(_from_the_start(document, parse_path(path)))
    except PathError:
        return path


def _from_the_start(document: Any, parts: tuple[Part, ...]) -> tuple[Part, ...]:
    """``parts`` with each negative index that ``document`` has counted from the start instead.

    ``links[-1]`` and ``links[2]`` of three links are one key; an index the document does not
    have, or a part below one, is left as written (the override itself is refused there).

    >>> _from_the_start({"links": [{}, {}, {}]}, ("links", -1, "bandwidth"))
    ('links', 2, 'bandwidth')
    """
    resolved: list[Part] = []
    current = document
    for part in parts:
        if isinstance(part, int) and isinstance(current, list) and -len(current) <= part < 0:
            part += len(current)
        resolved.append(part)
        found = isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        if not found and not (isinstance(current, dict) and isinstance(part, str) and part in current):
            return (*resolved, *parts[len(resolved) :])
        current = current[part]
    return tuple(resolved)


def _same(first: Any, again: Any, key: tuple[Part, ...] = ()) -> bool:
    """Whether two values read from overrides of ``key`` are one value: of one type (``true`` is not ``1``).

    Of a key that holds a quantity (:func:`~offloadsim.scenario.schema.quantity_at`), two spellings
    the scenario reads as one are one value: ``"2 s"`` and ``"2000 ms"`` of ``duration``, ``2`` too.

    >>> _same("2 s", "2000 ms", ("duration",)), _same("2 s", "2000 ms", ("name",))
    (True, False)
    """
    if key and not isinstance(first, bool | dict | list) and not isinstance(again, bool | dict | list):
        from offloadsim.scenario.schema import quantity_at  # the schema's pydantic models: loaded on need
        from offloadsim.scenario.units import UnitError, parse_quantity

        kind = quantity_at(key)
        if kind is not None:
            try:
                return parse_quantity(first, kind) == parse_quantity(again, kind)
            except UnitError:
                pass  # not a quantity of its kind: compared as written (the load refuses the one applied)
    if type(first) is not type(again):
        return False
    if isinstance(first, dict):
        return first.keys() == again.keys() and all(_same(v, again[k]) for k, v in first.items())
    if isinstance(first, list):
        return len(first) == len(again) and all(_same(a, b) for a, b in zip(first, again, strict=True))
    return bool(first == again)


def _step(current: Any, part: Part, before: tuple[Part, ...], *, create: bool) -> Any:
    _check_container(current, part, before)
    if isinstance(part, int):
        return current[_index(current, part, before)]
    if part not in current:
        if not create:
            here = format_path(before) or "the top level"
            raise PathError(format_path((*before, part)), f"no key {quoted(part)} in {here}")
        current[part] = {}
    return current[part]


def _check_container(current: Any, part: Part, before: tuple[Part, ...]) -> None:
    here = format_path(before) or "the top level"
    if isinstance(part, int) and not isinstance(current, list):
        kind = "a mapping; use .KEY" if isinstance(current, dict) else f"{describe(current)}, not a list"
        raise PathError(format_path((*before, part)), f"{here} is {kind}")
    if isinstance(part, str) and not isinstance(current, dict):
        kind = "a list; use [INDEX]" if isinstance(current, list) else f"{describe(current)}, not a mapping"
        raise PathError(format_path((*before, part)), f"{here} is {kind}")


def _index(current: list[Any], index: int, before: tuple[Part, ...]) -> int:
    if not -len(current) <= index < len(current):
        raise PathError(
            format_path((*before, index)),
            f"no entry [{index}]: {format_path(before)} has {counted(len(current), 'entry', 'entries')}",
        )
    return index


def caused_by(key: str, problem: Problem, document: Any = None) -> bool:
    """Whether ``problem`` is about the value given at ``key`` (by a ``--set``, a sweep's grid).

    It is when the problem names the key or a key inside it; or, naming a mapping above
    the key (an unknown key is reported at the mapping that holds it), when its message
    quotes the key's next part (unless the given key lies deeper and ``document``, what the
    file itself says, has that part: a bad name the file wrote), or when ``document`` lacks
    the mapping, so that the given key made it (``nodes.edge.processors.gpu.cores`` makes
    ``nodes.edge.processors.gpu``).

    >>> caused_by("links[0].bandwidth", Problem("s.yaml", "links[0].bandwidth", "expected ..."))
    True
    >>> caused_by("nodes.phone.bogus", Problem("s.yaml", "nodes.phone", 'unknown key "bogus"; ...'))
    True
    >>> caused_by("duration", Problem("s.yaml", "warmup", "expected ..."))
    False
    """
    path = problem.key_path
    if _within(path, key):
        return True
    if path and not _within(key, path):
        return False
    if _quoted_part(key, problem) is not None:
        # A key the message names, with the given key deeper in it (``processors["g.pu"].cores``),
        # is the file's when the file has it: the problem is then its name, not the value given.
        parts = parse_path(key)
        named = parts[: len(parse_path(path)) + 1 if path else 1]
        return len(named) == len(parts) or not _has(document, format_path(named))
    return bool(path) and document is not None and not _has(document, path)


def _has(document: Any, path: str) -> bool:
    """Whether ``document`` (None: not known) has a value at ``path``."""
    if document is None:
        return False
    try:
        get_path(document, path)
    except PathError:
        return False
    return True


def _within(path: str, key: str) -> bool:
    """Whether key path ``path`` is ``key`` or a key inside it (``links[0].bandwidth`` in ``links[0]``)."""
    return path == key or path.startswith((key + ".", key + "["))


def _quoted_part(key: str, problem: Problem) -> str | None:
    """How ``problem``'s message quotes the part of ``key`` just below the mapping it is about, or None."""
    path = problem.key_path
    rest = parse_path(key)[len(parse_path(path)) if path else 0]
    return next((q for q in (repr(rest), f'"{rest}"') if q in problem.message), None)


def as_written(key: str, problem: Problem) -> Problem:
    """``problem``, saying which key path it is about where it quotes only a part of ``key``.

    A key path's dots separate keys, so ``1.5`` (a sweep's grid key, a ``--set``) is key
    ``'1'``, then ``'5'``; a problem reported at the mapping above quotes the part it does
    not know (``unknown key "1"``), which the user did not write: it names the whole path too.

    >>> print(as_written("1.5", Problem("s.yaml", "", 'unknown key "1"; expected one of name, seed')).message)
    unknown key "1" (of the key path "1.5"); expected one of name, seed
    """
    path = problem.key_path
    if _within(path, key) or (path and not _within(key, path)):
        return problem
    depth = len(parse_path(path)) if path else 0
    shown = _quoted_part(key, problem)
    if shown is None or depth + 1 == len(parse_path(key)) or "of the key path" in problem.message:
        return problem  # a last part quoted is the key as written, below the mapping named
    where = f"{shown} (of the key path {quoted(key)})"
    return problem._replace(message=problem.message.replace(shown, where, 1))


def blame_given(
    problems: Iterable[Problem], given: Mapping[str, SetBy], document: Any = None
) -> list[Problem]:
    """``problems``, each about a value given outside its file by a ``--set`` saying so.

    A key given by a ``--set`` points at the scenario file itself (``SetBy.file`` is the
    problem's file), so the problem keeps its place and adds where the value came from:
    ``s.yaml: duration: expected a positive time like "5 ms", got "-1 s" (set by --set
    "duration=-1 s")``.  A key given by another file (a sweep's) is left to the caller, which
    reports the problem at that file.  The last such key wins, as the last ``--set`` does.
    Where none gave the problem's key path, one that gave a path of its ``also`` is named
    (a step after the run's end, ``duration`` given: ``(set by --set "duration=20 s")``).
    """
    return [_blame_one(problem, given, document) for problem in problems]


def _blame_one(problem: Problem, given: Mapping[str, SetBy], document: Any) -> Problem:
    """``problem`` naming the ``--set`` that gave its key path, else the first of its ``also`` one gave."""
    for path in (problem.key_path, *problem.also):
        about = problem._replace(key_path=path)
        for written, where in reversed(list(given.items())):
            key = _as_formatted(written)  # as a problem names it: applications["x"].deadline is x's
            note = f"({where.note})"
            if where.file == about.file and note not in about.message and caused_by(key, about, document):
                about = as_written(key, about)
                return about._replace(key_path=problem.key_path, message=f"{about.message} {note}")
    return problem


def _as_formatted(key: str) -> str:
    """``key`` as :func:`format_path` writes it: ``nodes["phone"].count`` is ``nodes.phone.count``."""
    try:
        return format_path(parse_path(key))
    except PathError:
        return key


def blamed(scenario: Scenario, key_path: str, message: str, also: Sequence[str] = ()) -> Problem:
    """The problem at ``key_path`` of ``scenario`` (found building its world), naming the ``--set`` behind it.

    What :func:`blame_given` does for a problem of the load, for one found when the world is
    built (a profile, a ``dynamics:`` entry: a ``WorldError``'s fields): ``s.yaml:
    nodes.edge.processor.profile: unknown profile 'x'; ... (set by --set
    "nodes.edge.processor.profile=x")``.  ``also``: other key paths the problem is about (the
    error's ``also``); where no ``--set`` gave ``key_path``, one that gave one of them is named.
    """
    problem = Problem(scenario.source, key_path, message, also=tuple(also))
    (found,) = blame_given([problem], dict(scenario.footprint.set_by))
    return found
