"""Argument types shared by the command-line verbs: one place for what a valid value looks like."""

from __future__ import annotations

import argparse
from pathlib import Path

from offloadsim.errors import MAX_INDEX
from offloadsim.suggest import quoted
from offloadsim.userdirs import shown

__all__ = ["MAX_INDEX", "Once", "add_seed", "count", "directory_help", "names", "override", "positive"]


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


def _whole(text: str, least: int, expected: str) -> int:
    shown = quoted(text) if len(text) <= 40 else f"{quoted(text[:30])}... ({len(text):,} characters)"
    try:
        value = int(text) if len(text) <= 100 else None
    except ValueError:
        value = None
    if value is None or not least <= value <= MAX_INDEX:
        raise argparse.ArgumentTypeError(f"expected {expected} (at most {MAX_INDEX}), got {shown}")
    return value


def positive(text: str) -> int:
    """A whole number of at least 1 (replications, workers, repeats)."""
    return _whole(text, 1, "a whole number of at least 1")


def count(text: str) -> int:
    """A non-negative whole number (seeds, replication indices), at most :data:`MAX_INDEX`."""
    return _whole(text, 0, "a non-negative integer")


def names(text: str) -> list[str]:
    """A comma-separated list of names: ``local,edge,cloud``."""
    parts = [part.strip() for part in text.split(",")]
    if not text.strip() or any(not part for part in parts):
        raise argparse.ArgumentTypeError(
            f"expected comma-separated names like local,edge, got {quoted(text)}"
        )
    return parts


class Once(argparse.Action):
    """``store`` for an option that takes one value: given twice with two values, it is refused.

    argparse keeps the last of ``--seed 1 --seed 2`` without a word, so a script that appends
    options to a command ran with a value it did not mean; the same value twice is harmless.
    """

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        """Store ``values`` unless this option already stored another on the command line."""
        given: dict[str, object] = namespace.__dict__.setdefault("_given_once", {})
        if self.dest in given and given[self.dest] != values:
            first, again = (_shown(v) for v in (given[self.dest], values))
            raise argparse.ArgumentError(self, f"given twice ({first}, then {again}); give it once")
        given[self.dest] = values
        setattr(namespace, self.dest, values)


def _shown(value: object) -> str:
    """A value of an option as the command line wrote it, quoted as messages quote what the user wrote."""
    if isinstance(value, list):
        return quoted(",".join(str(v) for v in value))
    return quoted(str(value))


def add_seed(parser: argparse.ArgumentParser) -> None:
    """``--seed N`` of ``run`` and ``compare``: the root seed, given once."""
    parser.add_argument(
        "--seed", type=count, action=Once, metavar="N", help="root random seed (default: the scenario's)"
    )
