"""Argument types shared by the command-line verbs: one place for what a valid value looks like."""

from __future__ import annotations

import argparse
from pathlib import Path

from offloadsim.errors import MAX_INDEX
from offloadsim.suggest import quoted
from offloadsim.userdirs import shown

__all__ = ["MAX_INDEX", "count", "directory_help", "names", "override", "positive"]


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
