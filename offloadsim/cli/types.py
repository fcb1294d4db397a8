"""Argument types shared by the command-line verbs: one place for what a valid value looks like."""

from __future__ import annotations

import argparse
import functools
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from offloadsim.errors import MAX_INDEX
from offloadsim.experiment_defaults import POLICY_TIMEOUT_S
from offloadsim.suggest import quoted
from offloadsim.userdirs import shown

__all__ = [
    "MAX_INDEX",
    "Once",
    "OnceFlag",
    "OnceSubParsers",
    "DEBUG_HELP",
    "add_debug",
    "add_seed",
    "given_once_by_default",
    "count",
    "directory_help",
    "names",
    "override",
    "positive",
    "workers",
]


def directory_help(path: Path) -> str:
    """A default directory in a help text, as it is when the help is built (``$XDG_...`` honoured).

    Escaped for argparse, which formats help texts with ``%``.
    """
    return shown(path).replace("%", "%%")


def override(text: str) -> str:
    """Type of ``--set``: ``key.path=value`` with a non-empty key."""
    key, sep, _ = text.partition("=")
    if not sep or not key.strip():
        raise argparse.ArgumentTypeError(f"expected key.path=value, got {quoted(text)}")
    return text


def _whole(text: str, least: int, expected: str, most: str | None = None) -> int:
    """``text`` as a whole number from ``least`` to :data:`MAX_INDEX`; ``most``: words on the top."""
    shown = quoted(text) if len(text) <= 40 else f"{quoted(text[:30])}... ({len(text):,} characters)"
    try:
        value = int(text) if len(text) <= 100 and text.strip().isascii() else None  # int() read "١" as 1
    except ValueError:
        value = None
    if value is None or not least <= value <= MAX_INDEX:
        raise argparse.ArgumentTypeError(
            f"expected {expected} ({most or f'at most {MAX_INDEX}'}), got {shown}"
        )
    if re.fullmatch(
        r"\s*[-+]?(?:.*_.*|0[0-9]+)\s*", text
    ):  # int() reads 1_000 and 010, a scenario refuses them
        raise argparse.ArgumentTypeError(
            f"expected {expected} in plain decimal digits (no '_', no leading 0), got {shown}"
        )
    return value


def positive(text: str) -> int:
    """A whole number of at least 1 (replications, workers, repeats)."""
    return _whole(text, 1, "a whole number of at least 1")


def workers(text: str) -> int:
    """``--workers``: local processes, 1 or more; more than the jobs run one a job (2**63 - 1 is no top)."""
    return _whole(text, 1, "a whole number of worker processes, 1 or more", "past the jobs, one a job")


def count(text: str) -> int:
    """A non-negative whole number (seeds, replication indices), at most :data:`MAX_INDEX`."""
    return _whole(text, 0, "a non-negative integer")


def given(what: str) -> Any:
    """Type of an option that names something (a column, a metric, a file stem): not empty or blank.

    An empty value (``--facet ''``, a shell variable that was unset) was read as no option at all,
    or looked up as a column named "" (an internal error).
    """

    def check(text: str) -> str:
        if not text.strip():
            raise argparse.ArgumentTypeError(f"expected {what}, got {quoted(text)}")
        return text

    check.__name__ = what  # argparse's own messages name a type by it
    return check


def time_s(text: str) -> float:
    """Type of an option that takes a time (``95s``, ``500 ms``, ``2 min``): seconds, at least 0."""
    value = _time(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a time of at least 0 s, got {quoted(text)}")
    return value


def width_s(text: str) -> float:
    """Type of an option that takes a bin width (``5s``): seconds, above 0 (a 0 s bin holds nothing)."""
    value = _time(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a bin width above 0 s, got {quoted(text)}")
    return value


def _time(text: str) -> float:
    from offloadsim.scenario.units import UnitError, parse_quantity

    try:
        return parse_quantity(text, "time")
    except UnitError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


time_s.__name__ = width_s.__name__ = "time"  # argparse names the type in its messages


def columns(text: str, what: tuple[str, str, str] = ("column names", "app,policy", "column")) -> str:
    """Type of ``plot --by``: one column, or several separated by commas, none empty.

    ``what``: how the messages call the items (plural), an example, and one item.
    """
    if not text.strip() or any(not part.strip() for part in text.split(",")):
        raise argparse.ArgumentTypeError(
            f"expected comma-separated {what[0]} like {what[1]}, got {quoted(text)}{_split_after_comma(text)}"
        )
    parts = [part.strip() for part in text.split(",")]
    twice = sorted({part for part in parts if parts.count(part) > 1})
    if twice:  # '--by policy,policy' drew one series a policy, labelled twice
        raise argparse.ArgumentTypeError(
            f"{', '.join(map(quoted, twice))} given twice in {quoted(text)}; name each {what[2]} once"
        )
    return text


def facet_values(text: str) -> str:
    """Type of ``plot --facet-order``: panel values, comma-separated, none empty or twice.

    It was :func:`columns`, whose messages asked for column names (``app,policy``).
    """
    return columns(text, ("values", "old,mid,new", "value"))


facet_values.__name__ = "values"


def names(text: str) -> list[str]:
    """A comma-separated list of names: ``local,edge,cloud``."""
    parts = [part.strip() for part in text.split(",")]
    if not text.strip() or any(not part for part in parts):
        raise argparse.ArgumentTypeError(
            f"expected comma-separated names like local,edge, got {quoted(text)}{_split_after_comma(text)}"
        )
    return parts


def policy_list(text: str) -> list[str]:
    """Type of ``compare --policies``: entries ``NAME`` or ``NAME(KEY=VALUE, ...)``, comma-separated.

    Split at the commas outside brackets and quotes, so ``least-loaded(tiers=[edge, cloud]),edge``
    is two entries; each is read (and refused, naming it) by ``compare``.
    """
    from offloadsim.scenario.policy_entries import split_entries

    parts = split_entries(text)
    if not text.strip() or any(not part for part in parts):
        raise argparse.ArgumentTypeError(
            f"expected comma-separated policies like local,edge or 'least-loaded(load_bucket=0.02),edge', "
            f"got {quoted(text)}{_split_after_comma(text)}"
        )
    return parts


def _split_after_comma(text: str) -> str:
    """Why a list ends at a comma: the shell split it at a space after one (``--policies local, edge``).

    The list's option got ``local,`` and the rest went on as another word; the message said only
    that ``local,`` was not a list.
    """
    head, comma, _ = text.rstrip().rpartition(",")
    if not comma or text.rstrip()[-1] != "," or not all(part.strip() for part in head.split(",")):
        return ""
    return (
        " (it ends at a comma: the shell splits a list at a space after a comma, "
        "so write it without spaces or quote it)"
    )


def one_policy(text: str) -> str:
    """Type of ``run --policy`` and ``validate --policy``: one policy, ``NAME`` or ``NAME(KEY=VALUE, ...)``.

    ``--policy local,edge`` was "unknown policy "local,edge" (did you mean "local" or "edge"?)",
    not saying that ``compare`` is the command that runs several.  The commas inside an entry's
    brackets are its own (``least-loaded(tiers=[edge, cloud])``); the entry is read by the command.
    """
    from offloadsim.scenario.policy_entries import split_entries

    parts = split_entries(text)
    if len(parts) > 1:
        raise argparse.ArgumentTypeError(
            f"expected one policy name, got {quoted(text)}; to run several side by side: "
            f"offloadsim compare FILE --policies {','.join(parts)}"
        )
    return text


class Once(argparse.Action):
    """``store`` for an option that takes one value: given twice with two values, it is refused.

    argparse keeps the last of ``--seed 1 --seed 2`` without a word, so a script that appends
    options to a command ran with a value it did not mean; the same value twice is harmless.
    Every option of a value takes this action (tests/test_cli_bad_input.py walks the parser).
    Values compare as the option's type reads them (``--rate 10Mbps`` is ``--rate "10 Mbps"``),
    and the message quotes them as written, not as read (``"10Mbps"``, not ``"10000000.0"``).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._written: list[str] = []  # the texts the type read, for the message
        read = self.type
        if callable(read):

            @functools.wraps(read)  # argparse names the type in its messages
            def keeping_the_text(text: str) -> Any:
                value = read(text)
                self._written.append(text)
                return value

            self.type = keeping_the_text

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        """Store ``values`` unless this option already stored another on the command line."""
        spaced = self.nargs in ("+", "*")
        words = len(values) if spaced and isinstance(values, list) else 1
        written: object = self._written[-words:] if self.type is not None else values
        self._written.clear()
        if isinstance(written, list) and not spaced:
            (written,) = written
        _given_once(self, namespace, values, _shown(written, spaced=spaced))
        setattr(namespace, self.dest, values)


class OnceFlag(argparse.BooleanOptionalAction):
    """``--logx``/``--no-logx`` given once: both on one command line are refused, as :class:`Once` does."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        """Set the flag unless the other spelling of it was given already."""
        if option_string is not None:
            _given_once(self, namespace, not option_string.startswith("--no-"), option_string)
        super().__call__(parser, namespace, values, option_string)


class OnceSubParsers(argparse._SubParsersAction):  # argparse's class for add_subparsers
    """Sub-verbs whose options given once before the sub-verb and again after it are refused too.

    argparse parses a sub-verb's options into a namespace of their own and copies it over the
    verb's: ``profiles --scenario a.yaml show x --scenario b.yaml`` kept b.yaml without a word.
    """

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        """Parse the sub-verb's options, then refuse one that the verb's options gave another value."""
        before: dict[str, tuple[object, str]] = dict(getattr(namespace, _GIVEN, {}))
        super().__call__(parser, namespace, values, option_string)
        after: dict[str, tuple[object, str]] = getattr(namespace, _GIVEN, {})
        for dest, (value, said) in before.items():
            again = after.get(dest)
            if again is not None and again[0] != value:
                action = next(a for a in parser._actions if a.dest == dest)
                raise argparse.ArgumentError(action, f"given twice ({said}, then {again[1]}); give it once")
        setattr(namespace, _GIVEN, {**before, **after})


_GIVEN = "_given_once"  # where the namespace keeps each one-value option's value and how it was shown


def _given_once(action: argparse.Action, namespace: argparse.Namespace, value: object, shown: str) -> None:
    """Note that ``action`` gave ``value``; raise argparse's error if it gave another already."""
    given: dict[str, tuple[object, str]] = namespace.__dict__.setdefault(_GIVEN, {})
    first = given.setdefault(action.dest, (value, shown))
    if first[0] != value:
        raise argparse.ArgumentError(action, f"given twice ({first[1]}, then {shown}); give it once")


def _shown(value: object, spaced: bool = False) -> str:
    """A value of an option as the command line wrote it, quoted as messages quote what the user wrote.

    A list is the option's words: comma-separated (``--policies local,edge``), or ``spaced`` for
    an option that takes several words (``--onnx a.onnx b.onnx``).
    """
    if isinstance(value, list):
        return quoted((" " if spaced else ",").join(str(v) for v in value))
    return quoted(str(value))


#: What ``--debug`` adds, the same for every verb: every verb runs plug-in code (a policy, a kind of
#: dynamics, a processor or link model, an arrival process, a kind of work, a record column).
DEBUG_HELP = "show the traceback of internal errors and of exceptions raised in plug-ins' code"


def add_debug(parser: argparse.ArgumentParser) -> None:
    """A verb's ``--debug``; not given after the verb, it leaves one given before it as it was."""
    parser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=DEBUG_HELP)


def add_policy_timeout(parser: argparse.ArgumentParser) -> None:
    """``--policy-timeout TIME`` of ``run``, ``compare`` and ``sweep``: how long one decide may run.

    A plug-in policy whose ``decide`` never returns hung the run without a word
    (:mod:`offloadsim.engine.policy_watch`); a slow one (a solver a decision) is given longer.
    """
    parser.add_argument(
        "--policy-timeout",
        type=time_s,
        default=POLICY_TIMEOUT_S,
        metavar="TIME",
        help=(
            "end a run when a plug-in policy's decide runs this long "
            f"(default {POLICY_TIMEOUT_S:g} s; '0 s': no limit)"
        ),
    )


def add_seed(parser: argparse.ArgumentParser) -> None:
    """``--seed N`` of ``run`` and ``compare``: the root seed, given once."""
    parser.add_argument(
        "--seed", type=count, action=Once, metavar="N", help="root random seed (default: the scenario's)"
    )


def given_once_by_default(parser: argparse.ArgumentParser) -> None:
    """Make ``parser``'s one-value options refuse two values without naming an action.

    An option added with argparse's default ``store`` (or ``BooleanOptionalAction``) gets
    :class:`Once` (:class:`OnceFlag`), and ``add_subparsers`` :class:`OnceSubParsers`, so a
    new option cannot keep the last of two values silently by being written the usual way.
    """
    parser.register("action", None, Once)
    parser.register("action", "store", Once)
    parser.register("action", argparse.BooleanOptionalAction, OnceFlag)
    parser.register("action", "parsers", OnceSubParsers)
