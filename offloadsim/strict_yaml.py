"""Read YAML safely and strictly: no arbitrary objects, no silently repeated keys.

One reader for every YAML document a user hands offloadsim (scenarios, sweep
files, ``--set`` values, calibrated profiles), below the layers that read
them.  :class:`StrictLoader` is PyYAML's ``SafeLoader`` with four changes:
a repeated mapping key is an error (PyYAML would keep the last one);
``1e9`` is a float as in YAML 1.2 (PyYAML reads it as a string); a float
written non-zero that rounds to 0 (``1e-400``), or finite that rounds to
infinity (``1e400``), is an error naming its key path (PyYAML keeps 0 or
inf, and the text is gone by the time a key is checked); dates stay
strings, so the document is always plain JSON-able data.

:func:`read_yaml` reads a document with libyaml's C parser when PyYAML has it
(about six times faster: it dominates loading a scenario, and a sweep loads
one per point); a document it cannot read is read again by the pure-Python
parser, whose messages name the offending character or alias.  What stops a
document is a :class:`YamlProblem`: where (a key path or ``line 3, column
7``) and what, for the caller to name its file.

What offloadsim writes as YAML (``validate --show``, a calibrated profile, the testbed's scenario:
:func:`dump_yaml`; a value a message shows: :func:`plain_or_quoted`) is written by the reader's
own rule: a text is quoted exactly where the reader would read it bare as something else.

Key paths (:func:`key_path`) are written here, the one place, in the
``--set`` syntax (``nodes.phone.count``, ``links[2].latency``).
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, SequenceNode

from offloadsim.bounded_read import (
    MAX_DEPTH,
    PURE_YAML_BYTES_PER_CHAR,
    YAML_BYTES_PER_CHAR,
    yaml_memory_problem,
)
from offloadsim.suggest import quoted

__all__ = [
    "DuplicateKey",
    "FAST_BYTES_PER_CHAR",
    "StrictLoader",
    "UnreadableNumber",
    "YamlProblem",
    "dump_yaml",
    "key_part",
    "key_path",
    "plain_or_quoted",
    "read_yaml",
]

_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_FLOAT = "tag:yaml.org,2002:float"
_MERGE = "tag:yaml.org,2002:merge"
_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_\-]*$")


def key_part(part: str | int) -> str:
    r"""One key or list index as a key path appends it: ``.phone``, ``[2]``, ``["cls.v2"]``.

    The one place a key path writes a key.  A name that is not plain (a dot, a bracket, a
    quote, a space in it) is quoted in brackets, in the double quotes of :func:`quoted`, so that
    a path in a message, pasted into ``--set`` or a sweep's grid, addresses the same key
    (:func:`offloadsim.scenario.overrides.parse_path` reads it back).  A user's name in a key
    path goes through here, never straight into an f-string.

    >>> print(key_part("phone"), key_part(2), key_part("cls.v2"), key_part('say "hi"'))
    .phone [2] ["cls.v2"] ["say \"hi\""]
    """
    if isinstance(part, int):
        return f"[{part}]"
    return f".{part}" if _PLAIN_KEY.match(part) else f"[{quoted(part)}]"


def key_path(path: str, *parts: str | int) -> str:
    """Key path ``path`` (already joined; ``""`` for the top level) followed by ``parts``.

    >>> key_path("applications", "my app", "hosts", 0)
    'applications["my app"].hosts[0]'
    >>> key_path("", "nodes", "edge", "count")
    'nodes.edge.count'
    """
    joined = path + "".join(key_part(part) for part in parts)
    return joined if path else joined.removeprefix(".")


class YamlProblem(ValueError):
    """What stops a YAML document being read: ``where`` (key path, ``line 3, column 7`` or ``""``), ``what``.

    ``duplicate``: the :class:`DuplicateKey` it is, where a key is given twice (its key path and
    lines, for a reader that names a key by its path rather than its line).
    """

    def __init__(self, where: str, what: str, duplicate: DuplicateKey | None = None):
        super().__init__(f"{where}: {what}" if where else what)
        self.where = where
        self.what = what
        self.duplicate = duplicate


class UnreadableNumber(ConstructorError):
    """A scalar whose value is not what its text says, or not the same to every reader (``problem``).

    A float whose text is not zero (or finite) but whose value is; an integer or boolean written as
    YAML 1.1 alone reads it (``010``, ``yes``).

    ``key_path``: where it is in the document (``""`` until :meth:`_Strict.get_single_data` finds it).
    """

    def __init__(self, problem: str, node: Node, key_path: str = ""):
        super().__init__(None, None, problem, node.start_mark)
        self.node = node
        self.key_path = key_path


class DuplicateKey(ConstructorError):
    """A mapping key given twice: ``problem`` says which and the line it was first given at.

    ``key``: the key; ``lines``: the lines it is given at (first, again); ``key_path``: where it
    is in the document (``""`` until :meth:`_Strict.get_single_data` finds it).
    """

    def __init__(self, key: Any, lines: tuple[int, int], node: Node, key_path: str = ""):
        super().__init__(
            None, None, f"duplicate key {quoted(key)} (first given at line {lines[0]})", node.start_mark
        )
        self.key = key
        self.lines = lines
        self.node = node
        self.key_path = key_path


class _Strict:
    """What both loaders add to PyYAML's safe loading: no key given twice, no float rounded away."""

    def get_single_data(self) -> Any:
        """The document; an error raised at a node in it gets the node's key path, found from the root.

        The path is looked for only then (a walk of the node tree), so reading pays nothing for it.
        """
        node = self.get_single_node()  # type: ignore[attr-defined]
        if node is None:
            return None
        try:
            return self.construct_document(node)  # type: ignore[attr-defined]
        except UnreadableNumber as error:
            raise UnreadableNumber(error.problem or "", error.node, _path_to(node, error.node)) from None
        except DuplicateKey as error:
            raise DuplicateKey(error.key, error.lines, error.node, _path_to(node, error.node)) from None

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        """Build a mapping, refusing a key given twice (merge keys ``<<`` may be overridden).

        Without a merge key, a mapping with as many keys as written has none twice: only one that
        lost a key is looked through (each step of a long schedule is a mapping).
        """
        if not any(key_node.tag == _MERGE for key_node, _ in node.value):
            mapping = super().construct_mapping(node, deep=deep)  # type: ignore[misc]
            if len(mapping) == len(node.value):
                return mapping
        first_line: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == _MERGE:
                continue
            key = self.construct_object(key_node, deep=True)  # type: ignore[attr-defined]
            try:
                line = first_line.get(key)
            except TypeError:
                continue  # unhashable key: SafeLoader reports it
            if line is not None:
                raise DuplicateKey(key, (line, key_node.start_mark.line + 1), key_node)
            first_line[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)  # type: ignore[misc]


class StrictLoader(_Strict, yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys, reads ``1e9`` as a float and keeps dates as strings."""


class _FastLoader(_Strict, getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """:class:`StrictLoader` on libyaml's C parser (the pure-Python one where PyYAML lacks it)."""


#: Bytes a character :func:`read_yaml` takes to read a document: libyaml's, else the pure parser's.
FAST_BYTES_PER_CHAR = YAML_BYTES_PER_CHAR if hasattr(yaml, "CSafeLoader") else PURE_YAML_BYTES_PER_CHAR


#: Integers YAML 1.1 (PyYAML) reads otherwise than YAML 1.2, Python and the command line do:
#: ``1_000`` (text in YAML 1.2), ``010`` (octal 8 in 1.1, 10 elsewhere), ``0b11``, ``1:30`` (90).
_AMBIGUOUS_INT = re.compile(r"[-+]?(?:.*_.*|0[0-9]+|0b[01]+|[0-9]+(?::[0-9]+)+)")


def _ambiguous_number(text: str, node: Any) -> UnreadableNumber:
    """The problem of a number written in a form whose value depends on the reader."""
    return UnreadableNumber(
        f"{text} is read otherwise by YAML 1.1 than by YAML 1.2 and the command line ('_', a leading 0, "
        "0b, ':'): write plain decimal digits, or quote it if text is meant",
        node,
    )


def _construct_int(loader: Any, node: Any) -> int:
    """An integer; one too long for Python to read (over 4,300 digits) is a problem at its line.

    One in a form whose value depends on the reader (:data:`_AMBIGUOUS_INT`) is a problem at its
    key path: ``seed: 010`` was 8 where ``--seed 010`` is 10, and ``1_000`` 1000 where ``1_000 ms``
    is refused.
    """
    if _AMBIGUOUS_INT.fullmatch(str(node.value)):
        raise _ambiguous_number(str(node.value), node)
    try:
        return int(yaml.SafeLoader.construct_yaml_int(loader, node))
    except ValueError:
        digits = sum(c.isdigit() for c in str(node.value))
        raise ConstructorError(
            None, None, f"an integer of {digits:,} digits is too long to read", node.start_mark
        ) from None


#: Booleans YAML 1.1 (PyYAML) reads and YAML 1.2 reads as text: ``yes``, ``no``, ``on``, ``off``.
_YAML11_BOOL = frozenset(
    f(word) for word in ("yes", "no", "on", "off") for f in (str.lower, str.capitalize, str.upper)
)


def _construct_bool(loader: Any, node: Any) -> bool:
    """A boolean written ``true`` or ``false`` (any case YAML 1.2 takes).

    ``yes``, ``no``, ``on`` and ``off`` (:data:`_YAML11_BOOL`) are a problem at their key path:
    YAML 1.1 reads them as booleans and YAML 1.2 as text, so ``--set ...noise=yes`` turned noise on
    where another reader sees the text "yes"; as :data:`_AMBIGUOUS_INT`'s integers are refused.
    """
    text = str(node.value)
    if text in _YAML11_BOOL:
        raise UnreadableNumber(
            f"{text} is read as a boolean by YAML 1.1 and as text by YAML 1.2: write true or false, "
            "or quote it if text is meant",
            node,
        )
    return bool(yaml.SafeLoader.construct_yaml_bool(loader, node))


def _construct_float(loader: Any, node: Any) -> float:
    """A float, refused where its text is a non-zero number that rounds to 0 or a finite one to infinity.

    ``1.0e-400`` was read as 0 and ``1e400`` as inf without a word, where a number with a unit
    (``1e-400 s``) is refused (:func:`offloadsim.scenario.units.parse_quantity`).
    """
    if "_" in str(node.value):  # 1_0.5: 10.5 in YAML 1.1, text in 1.2; "1_0.5 s" is refused
        raise _ambiguous_number(str(node.value), node)
    value = float(yaml.SafeLoader.construct_yaml_float(loader, node))
    if value == 0.0:
        text = str(node.value)
        if re.search("[1-9]", re.split("[eE]", text)[0]):
            raise UnreadableNumber(
                f"{text} is too small a number: it rounds to 0 (floats reach 5e-324); write 0 if 0 is meant",
                node,
            )
    elif math.isinf(value) and "inf" not in str(node.value).lower():
        raise UnreadableNumber(
            f"{node.value} is too large a number: it rounds to infinity (floats reach 1.8e308); "
            "write .inf if infinity is meant",
            node,
        )
    return value


def _path_to(root: Node, target: Node) -> str:
    """The key path of ``target`` in the node tree under ``root`` (``""`` if it is not there)."""
    stack: list[tuple[Node, str]] = [(root, "")]
    seen: set[int] = set()  # a node an alias brings back (in itself, too: "&a [*a]") is walked once
    while stack:
        node, path = stack.pop()
        if node is target:
            return path
        if id(node) in seen:
            continue
        seen.add(id(node))
        # Children pushed last first: the first place a node is found in the document is named
        # (an alias's node is found at its anchor).
        if isinstance(node, MappingNode):
            for key_node, value_node in reversed(node.value):
                key = key_node.value if isinstance(key_node.value, str) else str(key_node.value)
                stack.append((value_node, key_path(path, key)))
                stack.append((key_node, key_path(path, key)))
        elif isinstance(node, SequenceNode):
            stack.extend((item, key_path(path, i)) for i, item in reversed(list(enumerate(node.value))))
    return ""


_FLOAT_PATTERN = re.compile(
    r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
    |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
    |\.[0-9_]+(?:[eE][-+][0-9]+)?
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN))$""",
    re.X,
)
for _loader in (StrictLoader, _FastLoader):
    _loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
    _loader.add_constructor(_FLOAT, _construct_float)
    _loader.add_constructor("tag:yaml.org,2002:bool", _construct_bool)
    _loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag not in (_TIMESTAMP, _FLOAT)]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    _loader.add_implicit_resolver(_FLOAT, _FLOAT_PATTERN, list("-+0123456789."))


#: A line width no value in a message reaches: one line.
_WIDE = 1 << 30


class _QuotingDumper(yaml.SafeDumper):
    """SafeDumper whose rule for a text is the strict reader's: quoted where bare it would not be read back.

    Its implicit resolvers are :class:`StrictLoader`'s own, so a text is quoted exactly where the
    reader would read it bare as something else (``1e9`` a float, ``017`` an integer, ``yes``
    true, ``~`` null), and left bare where it reads text (a date, ``1:30.5``, which YAML 1.1 reads
    as a timestamp and a float); the emitter quotes what YAML's syntax needs (``a: b``, ``#x``).
    A text with a line break of these is double-quoted, the break escaped: single-quoted, PyYAML
    writes a NEL (U+0085) so that it is read back as a space.
    """

    breaks = "\x85\u2028\u2029"


_QuotingDumper.yaml_implicit_resolvers = StrictLoader.yaml_implicit_resolvers


class _OneLineDumper(_QuotingDumper):
    r"""A :class:`_QuotingDumper` writing a text with any line break double-quoted (``"a\nb"``): one line."""

    breaks = "\n\r\x85\u2028\u2029"


def _text(dumper: _QuotingDumper, text: str) -> yaml.ScalarNode:
    """``text`` as a scalar, double-quoted where it holds one of the dumper's ``breaks``."""
    style = '"' if any(c in text for c in dumper.breaks) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_QuotingDumper.add_representer(str, _text)


def dump_yaml(data: Any, **options: Any) -> str:
    """``data`` as YAML (``yaml.safe_dump``'s ``options``) that :func:`read_yaml` reads back as it is.

    A text is quoted only where bare it would be read as something else (:class:`_QuotingDumper`):

    >>> data = {"name": "1e9", "flops": 1e9, "day": "2024-01-01", "yes": "on"}
    >>> print(dump_yaml(data, sort_keys=False), end="")
    name: '1e9'
    flops: 1000000000.0
    day: 2024-01-01
    'yes': 'on'
    """
    text: str = yaml.dump(data, Dumper=_QuotingDumper, **options)
    return text


def plain_or_quoted(value: Any) -> str:
    r"""``value`` on one line, to paste as a YAML value (a ``--set``'s) that :func:`read_yaml` reads back.

    :func:`dump_yaml`'s rule, as a message shows a value: a text bare where bare it is read as that
    text; quoted where bare it would be read as something else (``1e9`` a float, ``0x10`` and
    ``1_000`` integers, ``yes`` true, ``""`` null, ``a: b`` a mapping, ``" x"`` without its space);
    a line break written ``\n`` in double quotes.  A mapping or a list in YAML's flow form.

    >>> plain_or_quoted("5 Mbps"), plain_or_quoted("2024-01-01"), plain_or_quoted("1e9"), plain_or_quoted("")
    ('5 Mbps', '2024-01-01', "'1e9'", "''")
    >>> print(plain_or_quoted("a: b"), plain_or_quoted("two\nlines"), plain_or_quoted({"at": "12:30"}))
    'a: b' "two\nlines" {at: '12:30'}
    """
    text: str = yaml.dump(
        value,
        Dumper=_OneLineDumper,
        default_flow_style=True,
        sort_keys=False,
        allow_unicode=True,
        width=_WIDE,
    )
    return text.removesuffix("\n...\n").removesuffix("\n")  # a bare scalar is a document left open: "..."


def read_yaml(text: str, way_out: str = "make it shorter", called: str = "the document") -> Any:
    """The YAML document in ``text``; a :class:`YamlProblem` (with line and column) where it cannot be read.

    A document whose reading would not fit in the memory available is refused before it is read
    (:func:`~offloadsim.bounded_read.yaml_memory_problem`), advising ``way_out`` first.
    ``called``: what the messages call the document (``the document is nested more than ...``).
    """
    too_large = yaml_memory_problem(len(text), way_out, FAST_BYTES_PER_CHAR)
    if too_large is not None:
        raise YamlProblem("", too_large)
    try:
        return yaml.load(text, Loader=_FastLoader)
    except UnreadableNumber as error:
        raise YamlProblem(error.key_path or _where(error), error.problem or "") from None
    except (yaml.YAMLError, RecursionError) as error:
        if yaml_memory_problem(len(text), per_char=PURE_YAML_BYTES_PER_CHAR) is not None:
            raise _first_reading(error, called) from None  # no room to read it again for a closer message
    return _read_with_messages(text, called)


def _read_with_messages(text: str, called: str) -> Any:
    """The document read by the pure-Python parser, or the problem that stops it (named precisely)."""
    try:
        return yaml.load(text, Loader=StrictLoader)
    except UnreadableNumber as error:
        raise YamlProblem(error.key_path or _where(error), error.problem or "") from None
    except yaml.MarkedYAMLError as error:
        raise _marked(error, text) from None
    except yaml.YAMLError as error:
        raise YamlProblem("", f"YAML syntax error: {error}") from None
    except RecursionError:
        raise YamlProblem("", f"{called} is nested more than {MAX_DEPTH} levels deep") from None


def _first_reading(error: yaml.YAMLError | RecursionError, called: str) -> YamlProblem:
    """The problem libyaml's reading met, where the pure-Python parser's closer words would not fit."""
    if isinstance(error, RecursionError):
        return YamlProblem("", f"{called} is nested more than {MAX_DEPTH} levels deep")
    if isinstance(error, yaml.MarkedYAMLError):
        return _marked(error)
    return YamlProblem("", f"YAML syntax error: {error}")


def _where(error: yaml.MarkedYAMLError) -> str:
    """``line 3, column 7``: where the error's mark is, or ``""``."""
    mark = error.problem_mark or error.context_mark
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""


def _marked(error: yaml.MarkedYAMLError, text: str = "") -> YamlProblem:
    where = _where(error)
    what = error.problem or error.context or "unreadable"
    if isinstance(error, DuplicateKey):
        return YamlProblem(where, what, error)
    if isinstance(error, ConstructorError) and what.startswith(("duplicate key", "an integer of")):
        return YamlProblem(where, what)
    if error.context and error.problem and error.context not in what:
        what = f"{what} ({error.context})"
    return YamlProblem(where, f"YAML syntax error: {what}{_layout_hint(what, error.problem_mark, text)}")


#: What a student's file most often means by PyYAML's words (the HH36 trial): a tab a Windows editor
#: wrote as indentation, a key indented a column off from the keys beside it.
_TAB_HINT = ": YAML indents with spaces, never tabs (replace the tabs with spaces)"
_COLUMN = "(the keys of one mapping start in one column)"


def _layout_hint(what: str, mark: yaml.Mark | None = None, text: str = "") -> str:
    """What a syntax error's PyYAML words most often mean about the file's layout, or ``""``.

    With the document's text, two slips PyYAML names only by their effect are said as slips (the
    HH42 trial): a key indented further than the line above it, whose value is on its line
    (``mapping values are not allowed here``, where ``a: b: c`` gets no hint), and a key moved left
    of its siblings, which PyYAML reports at the next line, the one still where it belongs.
    """
    if what.startswith("found character '\\t'"):
        return _TAB_HINT
    line, above = _lines_at(mark, text)
    deeper = above is not None and above[1] < _indent(line)  # the line above starts further left
    if what.startswith("expected <block end>"):
        if deeper and above is not None:
            return (
                f": is this line indented as the keys beside it, or line {above[0]} above it,"
                f" which starts further left? {_COLUMN}"
            )
        return f": is this line indented as the keys beside it? {_COLUMN}"
    # a: b: c on one line is no layout slip: its mark follows another key's colon on the line
    first_colon = mark is not None and ": " not in line[: mark.column]
    slipped = deeper and first_colon and above is not None
    if what.startswith("mapping values are not allowed here") and slipped and above is not None:
        return (
            f": is this line indented further than line {above[0]} above it?"
            " (only a key with nothing after its colon has keys under it)"
        )
    return ""


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _lines_at(mark: yaml.Mark | None, text: str) -> tuple[str, tuple[int, int] | None]:
    """The mark's line, and the number (from 1) and indentation of the last line with content above it."""
    lines = text.splitlines()
    if mark is None or mark.line >= len(lines):
        return "", None
    for number in range(mark.line - 1, -1, -1):
        stripped = lines[number].strip()
        if stripped and not stripped.startswith("#"):
            return lines[mark.line], (number + 1, _indent(lines[number]))
    return lines[mark.line], None
